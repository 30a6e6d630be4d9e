"""Re-execute every reference notebook under other numeric environments and compare with nbval.

The recorded outputs must not depend on the machine: not on the CPU (OpenBLAS and numpy pick
their kernels per processor), not on the number of BLAS threads, not on the speed of the machine
(the checker's time budgets). This re-executes ``tests/notebooks/*.ipynb`` with

* ``OPENBLAS_CORETYPE=Prescott``: OpenBLAS's generic x86-64 kernels instead of the CPU's own;
* ``NPY_DISABLE_CPU_FEATURES``: numpy without the SIMD code paths above its baseline that this
  CPU would use (AVX2 / AVX-512: ``X86_V3``, ``X86_V4``, ... as the installed numpy names them);
* ``OPENBLAS_NUM_THREADS=1``: single-threaded BLAS (another order of summation);
* ``GLMNOTES_TIME_SCALE=0.25``: every time budget of the checker four times shorter, as on a
  machine four times slower;

and compares every output with nbval, exactly as the main test run does.

Usage::

    python tools/portability.py          # all four at once (what `make test` runs)
    python tools/portability.py --each   # each environment alone, then all four at once
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def numpy_simd_features() -> str:
    """The dispatched SIMD targets of the installed numpy that this CPU supports (space-separated),
    asked in a fresh interpreter so that this process's numpy does not matter."""
    probe = (
        "from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__\n"
        "print(' '.join(f for f in __cpu_dispatch__ if __cpu_features__.get(f)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def environments() -> dict[str, dict[str, str]]:
    """Name -> the environment variables of each numeric environment."""
    envs = {
        "OpenBLAS generic kernel": {"OPENBLAS_CORETYPE": "Prescott"},
        "single-threaded BLAS": {"OPENBLAS_NUM_THREADS": "1"},
        "checker four times slower": {"GLMNOTES_TIME_SCALE": "0.25"},
    }
    features = numpy_simd_features()
    if features:
        envs["numpy without " + features] = {"NPY_DISABLE_CPU_FEATURES": features}
    else:
        print("numpy dispatches no SIMD path above its baseline on this CPU: nothing to disable")
    return envs


def run(name: str, variables: dict[str, str], jobs: str) -> int:
    shown = " ".join(f'{key}="{value}"' for key, value in variables.items())
    print(f"== {name}: {shown}", flush=True)
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-n",
        jobs,
        "--dist",
        "loadfile",
        "--max-worker-restart=0",  # a crashed worker fails the run at once, naming its test
        "--nbval",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        "tests/nbval-sanitize.cfg",
        "tests/notebooks",
    ]
    return subprocess.run(command, cwd=ROOT, env={**os.environ, **variables}).returncode


def main(argv: list[str]) -> int:
    jobs = os.environ.get("JOBS", "2")
    envs = environments()
    combined = {key: value for variables in envs.values() for key, value in variables.items()}
    plan = dict(envs) if "--each" in argv else {}
    plan["all four at once"] = combined
    failed = [name for name, variables in plan.items() if run(name, variables, jobs) != 0]
    if failed:
        print("outputs differ under: " + "; ".join(failed))
        return 1
    print(f"every reference notebook reproduces under: {'; '.join(plan)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
