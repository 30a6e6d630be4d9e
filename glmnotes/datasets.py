"""Data for the network chapters: scikit-learn's bundled digits, and a reader for MNIST files.

Nothing here downloads anything. :func:`load_digits_split` uses the 1,797 8x8 digits that ship
with scikit-learn. :func:`load_idx` and :func:`load_mnist` read the IDX format of the MNIST
files (``train-images-idx3-ubyte`` and friends, optionally gzipped) from a directory the reader
already has.

The IDX format: a 4-byte magic number ``00 00 <dtype code> <number of dimensions>``, then each
dimension as a big-endian unsigned 32-bit integer, then the data in C order, big-endian.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np

__all__ = ["IDX_DTYPES", "load_digits_split", "load_idx", "load_mnist"]

# IDX dtype code -> big-endian numpy dtype
IDX_DTYPES = {
    0x08: np.dtype(">u1"),  # unsigned byte
    0x09: np.dtype(">i1"),  # signed byte
    0x0B: np.dtype(">i2"),  # short
    0x0C: np.dtype(">i4"),  # int
    0x0D: np.dtype(">f4"),  # float
    0x0E: np.dtype(">f8"),  # double
}
_GZIP_MAGIC = b"\x1f\x8b"


def load_digits_split(
    test_size: float = 0.25, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn's 8x8 digits, pixels scaled from 0..16 to [0, 1], split into a training
    and a held-out part, stratified by class.

    Returns ``(X_train, X_test, y_train, y_test)`` (scikit-learn's order): ``X`` has 64 columns,
    ``y`` holds the labels 0..9.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    if not (isinstance(test_size, float | int) and 0 < test_size < 1):
        raise ValueError(
            f"test_size must be a fraction strictly between 0 and 1, got {test_size!r}."
        )
    digits = load_digits()
    X = digits.data / 16.0
    y = digits.target.astype(np.int64)
    return tuple(train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y))


def load_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file (gzipped or not: detected from its first bytes) into a numpy array
    in native byte order, with the shape its header gives.

    Raises ``ValueError`` if the magic number is malformed, the dtype code unknown, or the data
    shorter or longer than the header says.
    """
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise ValueError(f"{path}: corrupt or truncated gzip data ({error}).") from error
    if len(raw) < 4:
        raise ValueError(f"{path}: only {len(raw)} bytes, too short for an IDX magic number.")
    zero_1, zero_2, dtype_code, n_dims = raw[:4]
    if zero_1 != 0 or zero_2 != 0:
        raise ValueError(
            f"{path}: bad magic number {raw[:4].hex()}; an IDX file starts with two zero bytes "
            "(is this an IDX file?)."
        )
    if dtype_code not in IDX_DTYPES:
        known = ", ".join(f"0x{code:02X}" for code in IDX_DTYPES)
        raise ValueError(f"{path}: unknown IDX dtype code 0x{dtype_code:02X} (known: {known}).")
    if n_dims == 0:
        raise ValueError(f"{path}: the header declares 0 dimensions.")
    header_size = 4 + 4 * n_dims
    if len(raw) < header_size:
        raise ValueError(
            f"{path}: truncated header: {n_dims} dimensions need {header_size} bytes, "
            f"the file has {len(raw)}."
        )
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=n_dims, offset=4))
    dtype = IDX_DTYPES[dtype_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    actual = len(raw) - header_size
    if actual != expected:
        problem = "truncated" if actual < expected else "has trailing bytes"
        raise ValueError(
            f"{path}: data {problem}: the header says shape {shape} of {dtype.name} "
            f"({expected} bytes), but {actual} bytes follow the header."
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header_size).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def load_mnist(
    directory: str | os.PathLike, kind: str = "train", flatten: bool = True, scale: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Images and labels of MNIST (or a dataset in the same format, such as Fashion-MNIST)
    from ``directory``.

    Reads ``{kind}-images-idx3-ubyte`` and ``{kind}-labels-idx1-ubyte``, each with or without
    ``.gz``, for ``kind`` ``"train"`` (60,000 images) or ``"t10k"`` (10,000). Returns
    ``(images, labels)``: images of shape ``(n, rows * cols)`` if ``flatten`` else
    ``(n, rows, cols)``, as float64 in [0, 1] if ``scale`` else the raw uint8; labels as int64.
    Nothing is downloaded: the files must already be there.
    """
    if kind not in ("train", "t10k"):
        raise ValueError(f"kind must be 'train' or 't10k', got {kind!r}.")
    directory = Path(directory)
    images = load_idx(_find(directory, f"{kind}-images-idx3-ubyte"))
    labels = load_idx(_find(directory, f"{kind}-labels-idx1-ubyte"))
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(
            f"{kind} images must be a 3-D unsigned-byte IDX array (n, rows, cols), got "
            f"{images.ndim}-D {images.dtype}."
        )
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise ValueError(
            f"{kind} labels must be a 1-D unsigned-byte IDX array, got {labels.ndim}-D "
            f"{labels.dtype}."
        )
    if images.shape[0] != labels.shape[0]:
        raise ValueError(
            f"{images.shape[0]} {kind} images but {labels.shape[0]} labels; the files do not match."
        )
    if flatten:
        images = images.reshape(images.shape[0], -1)
    if scale:
        images = images / 255.0
    return images, labels.astype(np.int64)


def _find(directory: Path, name: str) -> Path:
    """``directory / name``, or the gzipped ``name.gz`` if only that exists."""
    for candidate in (directory / name, directory / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"neither {name} nor {name}.gz is in {directory}; put the MNIST files there "
        "(this package never downloads them)."
    )
