r"""Out of core: the rows of a ``dask.array`` chunked by rows, one pass = one sum over chunks.

Each pass of Newton's method (:mod:`glmnotes.glm.solvers`) needs the log-likelihood, its gradient
:math:`\tilde X^\top r` and the information :math:`\tilde X^\top W\tilde X` -- sums over rows.
:class:`DaskRows` computes them chunk by chunk as Dask tasks (each chunk's
:func:`~glmnotes.glm.likelihood.block_sums`, a :math:`q\times q` matrix and a vector), and adds
them up in memory, where the :math:`q \times q` solve happens with numpy. So each iteration reads
the data once and holds a few chunks at a time; the coefficients are those of the in-memory
fit (the same algorithm; only the order of the additions differs).

Scheduler: ``dask.compute``, i.e. whatever is active -- Dask's local threaded scheduler by
default, a ``distributed.Client`` if one has been created (it registers itself as the default),
or ``dask.config.set(scheduler=...)``.

Loading from disk: Dask 2026.11's ``da.from_array`` copies any array that has a ``.copy`` method,
so ``da.from_array(np.load(path, mmap_mode="r"), ...)`` reads the whole file into memory before
anything runs. :class:`NpyRows` is a ``.npy`` file that ``da.from_array`` reads by row ranges
(``os.pread``), nothing mapped or copied:
``da.from_array(NpyRows(path), chunks=(rows, -1), asarray=False)``.

Dask is optional (the ``dask`` extra): this module imports it only inside :func:`_dask`, which
runs only when ``GLM.fit`` is given a Dask array.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

from glmnotes.families import ExponentialFamily
from glmnotes.glm.rows import add_up

__all__ = ["DaskRows", "NpyRows"]


def _dask() -> Any:
    """The ``dask`` module with ``dask.array`` loaded; the only place glmnotes imports Dask."""
    try:
        import dask
        import dask.array
    except ImportError as error:  # pragma: no cover (dask arrays imply dask)
        raise ImportError(
            "glmnotes: fitting a Dask array needs dask: pip install 'glmnotes[dask]'."
        ) from error
    return dask


def _checked(dask: Any, X: Any, y: Any, who: str) -> tuple[Any, Any]:
    """``X`` (2-d, one column chunk) and ``y`` (1-d) as Dask arrays with the same row chunks,
    or ``ValueError`` saying what to change."""
    da = dask.array
    if not hasattr(X, "__dask_graph__"):
        X = np.asarray(X, dtype=float)
        X = da.from_array(X, chunks=(getattr(y, "chunks", (X.shape[0],))[0], -1))
    if X.ndim != 2:
        raise ValueError(f"{who}: X must be 2-d (n_samples, n_features); got shape {X.shape}.")
    if any(np.isnan(c) for c in X.chunks[0]):
        raise ValueError(f"{who}: X has unknown chunk sizes; call X.compute_chunk_sizes() first.")
    if not hasattr(y, "__dask_graph__"):
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != X.shape[0]:
            raise ValueError(
                f"{who}: y must be 1-d with one entry per row of X ({X.shape[0]}); "
                f"got shape {y.shape}."
            )
        y = da.from_array(y, chunks=(X.chunks[0],))
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(
            f"{who}: y must be 1-d with one entry per row of X ({X.shape[0]}); got shape {y.shape}."
        )
    if y.chunks[0] != X.chunks[0]:
        raise ValueError(
            f"{who}: X and y must be chunked alike along the rows; X has row chunks "
            f"{X.chunks[0][:4]}{'...' if len(X.chunks[0]) > 4 else ''} and y "
            f"{y.chunks[0][:4]}{'...' if len(y.chunks[0]) > 4 else ''}. Rechunk y: "
            "y = y.rechunk((X.chunks[0],))."
        )
    if len(X.chunks[1]) > 1:  # columns split: join them (each row chunk is read whole anyway)
        X = X.rechunk({1: -1})
    return X, y


def _part(X, y, index, start, family, who, function, args):
    """``function(X, T(y), *args)`` on one row chunk, after checking it: ``ValueError`` names the
    chunk and its rows if ``X`` has a non-finite value or ``y`` one outside the support."""
    X = np.asarray(X, dtype=float)
    where = f"row chunk {index} (rows {start} to {start + len(X) - 1})"
    if not np.isfinite(np.sum(X)):
        row, column = np.argwhere(~np.isfinite(X))[0]
        raise ValueError(
            f"{who}: X must be finite; {where} has {X[row, column]} at row {start + row}, "
            f"column {column}. Remove or impute missing (NaN) and infinite values first."
        )
    try:
        y = family.validate(y)
    except ValueError as error:
        raise ValueError(f"{who}: in {where}: {error}") from None
    return function(X, family.sufficient_statistic(y), *args)


def _totals(X, t, family):
    r""":math:`\sum_i T(y_i)` and :math:`\sum_i \log b(y_i)` (scalar families: :math:`T(y) = y`)."""
    return float(np.sum(t)), float(np.sum(family.log_base_measure(t)))


class DaskRows:
    r"""A row-chunked Dask ``X`` ``(n, p)`` and ``y``; ``reduce(function, *args)`` is the sum over
    chunks of ``function(X_chunk, T(y_chunk), *args)``, computed by the active Dask scheduler.
    Its first pass (in the constructor) checks every chunk and gives :math:`\bar T` and
    :math:`\sum_i\log b(y_i)`."""

    in_memory = False

    def __init__(self, family: ExponentialFamily, X: Any, y: Any, who: str):
        if not family.is_scalar:
            raise ValueError(
                f"{who}: Dask arrays are supported for the scalar families only "
                "(gaussian, bernoulli, poisson, exponential, gamma); compute X for multinomial."
            )
        self.dask = _dask()
        X, y = _checked(self.dask, X, y, who)
        self.family, self.who = family, who
        self.n, self.n_features = X.shape
        self.starts = np.concatenate([[0], np.cumsum(X.chunks[0])[:-1]]).tolist()
        self.x_parts = X.to_delayed().ravel().tolist()
        self.y_parts = y.to_delayed().ravel().tolist()
        total, self.log_base = self.reduce(_totals, family)
        self.mean_t = total / self.n

    def reduce(self, function: Callable, *args: Any) -> Any:
        delayed = self.dask.delayed(_part, pure=True)
        parts = [
            delayed(x, y, index, start, self.family, self.who, function, args)
            for index, (x, y, start) in enumerate(
                zip(self.x_parts, self.y_parts, self.starts, strict=True)
            )
        ]
        return add_up(self.dask.compute(*parts))


class NpyRows:
    """A ``.npy`` file as an array-like that reads row ranges on demand (``os.pread``): for
    ``da.from_array(NpyRows(path), chunks=(rows, -1), asarray=False)``, out of core. It has no
    ``copy`` method, so Dask does not copy it (as it does a ``np.memmap``); each chunk is read
    when a task needs it and freed after. ``ValueError`` for a Fortran-ordered file."""

    def __init__(self, path: Any):
        with open(path, "rb") as file:
            major, _ = np.lib.format.read_magic(file)
            read = np.lib.format.read_array_header_1_0
            if major != 1:
                read = np.lib.format.read_array_header_2_0
            shape, fortran_order, dtype = read(file)
            self.offset = file.tell()
        if fortran_order:
            raise ValueError(f"NpyRows: {path} is Fortran-ordered; save it in C order.")
        self.path, self.shape, self.dtype, self.ndim = str(path), shape, dtype, len(shape)
        self.row_bytes = dtype.itemsize * int(np.prod(shape[1:], dtype=int))
        self._fd = os.open(path, os.O_RDONLY)

    def __getitem__(self, key: Any) -> np.ndarray:
        key = key if isinstance(key, tuple) else (key,)
        start, stop, step = key[0].indices(self.shape[0])
        count = max(stop - start, 0)
        data = os.pread(self._fd, count * self.row_bytes, self.offset + start * self.row_bytes)
        rows = np.frombuffer(data, self.dtype).reshape((count, *self.shape[1:]))
        return rows[(slice(None, None, step), *key[1:])] if step != 1 or len(key) > 1 else rows

    def __getstate__(self) -> dict:  # picklable (a distributed worker reopens the file)
        return {key: value for key, value in self.__dict__.items() if key != "_fd"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._fd = os.open(self.path, os.O_RDONLY)
