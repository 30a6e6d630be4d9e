"""Tests for glmnotes.datasets: tiny IDX files written here byte by byte, and the digits split."""

import gzip
import struct

import numpy as np
import pytest
from sklearn.datasets import load_digits

from glmnotes.datasets import load_digits_split, load_idx, load_mnist

# dtype code -> (struct format character, big-endian, one value of each kind to round-trip)
CODES = {
    0x08: ("B", [0, 7, 255]),
    0x09: ("b", [-128, 0, 127]),
    0x0B: ("h", [-32768, 1, 32767]),
    0x0C: ("i", [-(2**31), 2, 2**31 - 1]),
    0x0D: ("f", [-1.5, 0.0, 3.25]),
    0x0E: ("d", [-1e300, 0.1, 2.5]),
}


def idx_bytes(code: int, shape: tuple, values: list) -> bytes:
    """An IDX file built with struct, independently of the reader."""
    fmt_char = CODES[code][0]
    header = bytes([0, 0, code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)
    return header + struct.pack(f">{len(values)}{fmt_char}", *values)


@pytest.mark.parametrize("code", sorted(CODES))
@pytest.mark.parametrize("gzipped", [False, True])
def test_load_idx_round_trips_every_dtype(tmp_path, code, gzipped):
    values = CODES[code][1] * 4  # 12 values, shape (2, 3, 2)
    raw = idx_bytes(code, (2, 3, 2), values)
    path = tmp_path / ("data.idx.gz" if gzipped else "data.idx")
    path.write_bytes(gzip.compress(raw) if gzipped else raw)
    data = load_idx(path)
    assert data.shape == (2, 3, 2)
    assert data.dtype.isnative
    np.testing.assert_array_equal(data.ravel(), np.array(values, dtype=data.dtype))


def test_load_idx_reads_big_endian(tmp_path):
    path = tmp_path / "one.idx"
    path.write_bytes(bytes([0, 0, 0x0C, 1, 0, 0, 0, 1, 0x01, 0x02, 0x03, 0x04]))
    assert load_idx(path).tolist() == [0x01020304]


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"\x00\x00", "too short"),
        (bytes([1, 0, 8, 1, 0, 0, 0, 1, 5]), "bad magic"),
        (bytes([0, 0, 0x0A, 1, 0, 0, 0, 1, 5]), "unknown IDX dtype code 0x0A"),
        (bytes([0, 0, 8, 0]), "0 dimensions"),
        (bytes([0, 0, 8, 3, 0, 0, 0, 1]), "truncated header"),
        (idx_bytes(0x08, (2, 3), [1, 2, 3, 4, 5, 6])[:-1], "truncated"),
        (idx_bytes(0x08, (2, 3), [1, 2, 3, 4, 5, 6]) + b"\x00", "trailing bytes"),
        (gzip.compress(idx_bytes(0x08, (2,), [1, 2]), mtime=0)[:-6], "gzip"),
    ],
    ids=lambda value: value if isinstance(value, str) else "bytes",
)
def test_load_idx_rejects_malformed_files(tmp_path, raw, message):
    path = tmp_path / "bad.idx"
    path.write_bytes(raw)
    with pytest.raises(ValueError, match=message):
        load_idx(path)


def write_mnist(directory, kind, images, labels, gzipped=(False, False)):
    """Write an MNIST-style pair of files; ``gzipped`` chooses .gz per file."""
    n, rows, cols = images.shape
    files = {
        f"{kind}-images-idx3-ubyte": idx_bytes(0x08, (n, rows, cols), images.ravel().tolist()),
        f"{kind}-labels-idx1-ubyte": idx_bytes(0x08, (len(labels),), labels.tolist()),
    }
    for (name, raw), gz in zip(files.items(), gzipped, strict=True):
        if gz:
            (directory / f"{name}.gz").write_bytes(gzip.compress(raw))
        else:
            (directory / name).write_bytes(raw)


@pytest.mark.parametrize("gzipped", [(False, False), (True, True), (True, False)])
@pytest.mark.parametrize("kind", ["train", "t10k"])
def test_load_mnist_on_a_tiny_file(tmp_path, gzipped, kind):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(3, 4, 5), dtype=np.uint8)
    labels = np.array([7, 0, 9], dtype=np.uint8)
    write_mnist(tmp_path, kind, images, labels, gzipped)
    X, y = load_mnist(tmp_path, kind=kind)
    assert X.shape == (3, 20) and y.dtype == np.int64
    np.testing.assert_allclose(X, images.reshape(3, 20) / 255.0, rtol=0, atol=0)
    np.testing.assert_array_equal(y, [7, 0, 9])
    raw, _ = load_mnist(tmp_path, kind=kind, flatten=False, scale=False)
    assert raw.dtype == np.uint8
    np.testing.assert_array_equal(raw, images)


def test_load_mnist_errors(tmp_path):
    with pytest.raises(ValueError, match="kind"):
        load_mnist(tmp_path, kind="test")
    with pytest.raises(FileNotFoundError, match="never downloads"):
        load_mnist(tmp_path)
    images = np.zeros((3, 2, 2), dtype=np.uint8)
    write_mnist(tmp_path, "train", images, np.array([1, 2], dtype=np.uint8))
    with pytest.raises(ValueError, match="3 train images but 2 labels"):
        load_mnist(tmp_path)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(idx_bytes(0x08, (2, 2), [0, 0, 0, 0]))
    with pytest.raises(ValueError, match="3-D unsigned-byte"):
        load_mnist(tmp_path)


def test_load_digits_split():
    X_train, X_test, y_train, y_test = load_digits_split(test_size=0.25, seed=0)
    digits = load_digits()
    assert X_train.shape[1] == X_test.shape[1] == 64
    assert len(X_train) + len(X_test) == len(digits.target) == len(y_train) + len(y_test)
    assert len(X_test) == int(np.ceil(0.25 * len(digits.target)))
    assert X_train.min() == 0.0 and X_train.max() == 1.0
    # together the two parts are the whole data set, rows and labels paired as in sklearn
    ours = np.column_stack([np.vstack([X_train, X_test]) * 16, np.append(y_train, y_test)])
    theirs = np.column_stack([digits.data, digits.target])
    np.testing.assert_array_equal(ours[np.lexsort(ours.T)], theirs[np.lexsort(theirs.T)])
    # stratified: every class has nearly the same share in both parts
    share_train = np.bincount(y_train, minlength=10) / len(y_train)
    share_test = np.bincount(y_test, minlength=10) / len(y_test)
    assert np.max(np.abs(share_train - share_test)) < 0.01
    again = load_digits_split(test_size=0.25, seed=0)
    np.testing.assert_array_equal(again[0], X_train)
    assert not np.array_equal(load_digits_split(seed=1)[0], X_train)
    for bad in (0.0, 1.0, -0.2, "half"):
        with pytest.raises(ValueError, match="test_size"):
            load_digits_split(test_size=bad)
