"""Benchmark: GLM.fit out of core on a row-chunked dask.array read from disk.

Data (fixed seed): n rows (default 2,000,000; ``BENCH_DASK_ROWS=2e7`` or ``--n 2e7`` for the full
3.2 GB run), p = 20 standard normal columns, Poisson counts with log-mean 0.5 + X beta. X is
written to a ``.npy`` file block by block (``np.lib.format.open_memmap``), so the writer never
holds it either. Each fit runs in a child process:

- dask-mmap: ``da.from_array(np.load(path, mmap_mode="r"), chunks=(chunk, -1))``, Dask's default
  local scheduler. Dask 2026.11's ``from_array`` copies any array with a ``.copy`` method, a
  memory map included: this reads the whole file into memory (timed as "from_array");
- dask-pread: ``da.from_array(NpyRows(path), chunks=(chunk, -1), asarray=False)``
  (:class:`glmnotes.glm.dask_rows.NpyRows`: row ranges read with ``os.pread``, nothing mapped or
  copied): out of core;
- in memory (when ``--in-memory``, default for n <= 2e7): ``np.load(path)`` then ``GLM.fit``.

Printed: each fit's wall time (the fit only) and the peak resident memory of its process
(``VmHWM`` of ``/proc/self/status``: since exec, unlike ``ru_maxrss``, which Linux carries over
from the parent at fork; it counts the file pages a memory map has touched, so the dask-mmap line
includes the page cache it reads through), target < 1 GB for the Dask fit, and the largest
coefficient difference.

Run: ``python bench/bench_glm_dask.py [--n 2e6] [--chunk 250000] [--dir /tmp]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CHILD = r"""
import json, sys, time
import numpy as np
from glmnotes.glm import GLM
from glmnotes.glm.dask_rows import NpyRows

mode, x_path, y_path, chunk = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
setup = time.perf_counter()
if mode == "dask-mmap":
    import dask.array as da
    X = da.from_array(np.load(x_path, mmap_mode="r"), chunks=(chunk, -1))
    y = da.from_array(np.load(y_path, mmap_mode="r"), chunks=chunk)
elif mode in ("dask-pread", "dask-ml"):
    import dask.array as da
    X = da.from_array(NpyRows(x_path), chunks=(chunk, -1), asarray=False)
    y = da.from_array(NpyRows(y_path), chunks=chunk, asarray=False)
else:
    X, y = np.load(x_path), np.load(y_path)
setup = time.perf_counter() - setup
start = time.perf_counter()
if mode == "dask-ml":
    from dask_ml.linear_model import PoissonRegression

    start = time.perf_counter()
    model = PoissonRegression(solver="newton", max_iter=100, tol=1e-8).fit(X, y)
    model.params_, model.n_iter_ = np.r_[model.intercept_, model.coef_], -1
else:
    model = GLM("poisson").fit(X, y)
seconds = time.perf_counter() - start
# VmHWM: this process's peak resident memory since exec (ru_maxrss would also count the
# parent's resident memory at fork time, which Linux carries across exec)
status = open("/proc/self/status").read()
peak = int(status.split("VmHWM:")[1].split()[0]) * 1024
result = {"seconds": seconds, "setup": setup, "peak": peak, "n_iter": model.n_iter_}
print(json.dumps({**result, "params": model.params_.tolist()}))
"""


def write(directory: Path, n: int, p: int, block: int = 1_000_000) -> tuple[Path, Path]:
    """X and y as .npy files, written block by block (fixed seed)."""
    rng = np.random.default_rng(0)
    beta = rng.normal(0.0, 0.3 / np.sqrt(p), p)
    x_path, y_path = directory / "X.npy", directory / "y.npy"
    X = np.lib.format.open_memmap(x_path, mode="w+", dtype=float, shape=(n, p))
    y = np.lib.format.open_memmap(y_path, mode="w+", dtype=float, shape=(n,))
    for start in range(0, n, block):
        rows = slice(start, min(start + block, n))
        X[rows] = rng.standard_normal((rows.stop - rows.start, p))
        y[rows] = rng.poisson(np.exp(0.5 + X[rows] @ beta))
    X.flush()
    y.flush()
    del X, y
    return x_path, y_path


def child(mode: str, x_path: Path, y_path: Path, chunk: int) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(x_path), str(y_path), str(chunk)],
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise RuntimeError(f"{mode} fit failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = float(os.environ.get("BENCH_DASK_ROWS", 2e6))
    parser.add_argument("--n", type=float, default=default, help="rows (default 2e6)")
    parser.add_argument("--p", type=int, default=20)
    parser.add_argument("--chunk", type=int, default=131_072, help="rows per Dask chunk (20 MB)")
    parser.add_argument("--dir", default=None, help="where to write X.npy (a temporary dir)")
    parser.add_argument("--no-in-memory", action="store_true", help="skip the in-memory fit")
    args = parser.parse_args()
    n = int(args.n)
    with tempfile.TemporaryDirectory(dir=args.dir) as directory:
        start = time.perf_counter()
        x_path, y_path = write(Path(directory), n, args.p)
        size = x_path.stat().st_size / 1e9
        took = time.perf_counter() - start
        print(f"X: {n:,} x {args.p} float64 on disk, {size:.2f} GB (written in {took:.0f} s); "
              f"chunks of {args.chunk:,} rows")  # fmt: skip
        for mode in ("dask-mmap", "dask-pread"):
            dask = child(mode, x_path, y_path, args.chunk)
            print(f"  {mode}, local scheduler ({dask['n_iter']} it.)  {dask['seconds']:8.2f} s   "
                  f"(+{dask['setup']:.1f} s from_array) peak RSS {dask['peak'] / 1e9:.2f} GB  "
                  "(target < 1 GB) "
                  f"{'met' if dask['peak'] < 1e9 else 'MISSED'}")  # fmt: skip
        if importlib.util.find_spec("dask_ml") is None:
            print("  dask-ml: skipped (not installed; it is not in requirements.lock: it pulls "
                  "numba, llvmlite, pyarrow and distributed)")  # fmt: skip
        else:
            other = child("dask-ml", x_path, y_path, args.chunk)
            gap = np.max(np.abs(np.subtract(other["params"], dask["params"])))
            peak = other["peak"] / 1e9
            print(f"  dask-ml PoissonRegression newton (pread) {other['seconds']:8.2f} s   "
                  f"peak RSS {peak:.2f} GB; max |coef - glmnotes| {gap:.1e}")  # fmt: skip
        if args.no_in_memory:
            return
        memory = child("memory", x_path, y_path, args.chunk)
        print(f"  numpy, in memory ({memory['n_iter']} it.)        {memory['seconds']:8.2f} s   "
              f"peak RSS {memory['peak'] / 1e9:.2f} GB")  # fmt: skip
        gap = np.max(np.abs(np.subtract(dask["params"], memory["params"])))
        print(f"  time dask / in memory                 {dask['seconds'] / memory['seconds']:.2f}x")
        print(f"  max |coef dask - coef in memory|      {gap:.1e}  (target <= 1e-10) "
              f"{'met' if gap <= 1e-10 else 'MISSED'}")  # fmt: skip


if __name__ == "__main__":
    main()
