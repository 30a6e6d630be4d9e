"""Time per checked step of glmnotes.verify for typical steps of the book.

Each step is checked with ``check_equal`` (what ``Derivation.step`` runs) and, as a reference
measured in the same run, with the naive ``sympy.simplify(left - right) == 0`` (which proves less:
it fails on the digamma recurrence and the Beta ratio, and cannot produce a counterexample).
sympy's cache is cleared before every timing so that repeats do not time a cache lookup.

A second table times the numeric evaluation alone (one expression at 7 sampled points, 35
digits) as ``check_equal`` now does it, substituting the point exactly before ``evalf`` (so that
exact zeros such as 1 - y at y = 1 come out as 0), against the previous way, ``evalf(subs=point)``
(which can only bound an exact zero: 0.e-153, and a huge factor turns the bound into a huge
number); ``disagree`` counts the points where the two values differ by more than the tolerance
or only one of them is zero.

A third part runs every chapter of the book in this process and times every check it makes:
the total (target: under 60 s), the mean per check, and the slowest time-bounded operation
against its budget. That margin is what keeps the verdicts independent of the machine's speed:
a budget only ever stops an operation on a machine slower by more than the margin (the tests
require that no recorded verdict was cut by a budget, and re-run the book at
``GLMNOTES_TIME_SCALE=0.25``).

Usage: python bench/bench_verify.py [--repeats N] [--no-book]
Target: under 0.5 s for a typical step.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import time
from pathlib import Path

import sympy as sp
from sympy.core.cache import clear_cache

from glmnotes import verify
from glmnotes.verify import check_equal
from glmnotes.verify import derivation as _derivation  # noqa: F401 - patched by book_table

eta = sp.Symbol("eta", real=True)
x = sp.Symbol("x", positive=True)
a, b = sp.symbols("a b", positive=True)
p = sp.Symbol("p", positive=True)
y = sp.Symbol("y", integer=True, nonnegative=True)
m = sp.Symbol("m", integer=True)
t = sp.Symbol("t", real=True)
n = sp.Symbol("n", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
A, B = sp.MatrixSymbol("A", n, n), sp.MatrixSymbol("B", n, n)
U, V = sp.MatrixSymbol("U", n, k), sp.MatrixSymbol("V", n, k)
z1, z2, z3 = sp.symbols("z1 z2 z3", real=True)
exps = sp.Matrix([sp.exp(z1), sp.exp(z2), sp.exp(z3)])
softmax = exps / sum(exps)
mu = sp.Symbol("mu", positive=True)
i = sp.Symbol("i", integer=True, positive=True)
labels = sp.IndexedBase("y", integer=True, nonnegative=True)
probabilities = sp.IndexedBase("mu", positive=True)

STEPS = [
    # (name, left, right, keyword arguments)
    (
        "bernoulli: d/deta log(1+e^eta)",
        sp.Derivative(sp.log(1 + sp.exp(eta)), eta),
        sp.exp(eta) / (1 + sp.exp(eta)),
        {"domain": {eta: (-30, 30)}},
    ),
    (
        "bernoulli: divide by e^eta",
        sp.exp(eta) / (1 + sp.exp(eta)),
        1 / (1 + sp.exp(-eta)),
        {"domain": {eta: (-30, 30)}},
    ),
    (
        "bernoulli: pmf sums to 1",
        sp.Sum(p**y * (1 - p) ** (1 - y), (y, 0, 1)),
        sp.Integer(1),
        {"domain": {p: (0, 1)}},
    ),
    (
        "bernoulli: erratum (false step)",
        sp.exp(eta) / (1 + sp.exp(eta)),
        sp.exp(eta),
        {"domain": {eta: (-30, 30)}, "numeric_first": True},
    ),
    (
        "numeric: integer identity",
        sp.floor(m / 2) + sp.ceiling(m / 2),
        m,
        {"domain": {m: (-9, 9)}},
    ),
    (
        "numeric: integral, no closed form",
        sp.Integral(sp.exp(-(t**4)) * (1 + x * t), (t, 0, 1)),
        sp.Integral(sp.exp(-(t**4)), (t, 0, 1)) + x * sp.Integral(t * sp.exp(-(t**4)), (t, 0, 1)),
        {"domain": {x: (0, 2)}},
    ),
    ("gamma: digamma recurrence", sp.digamma(x + 1) - sp.digamma(x), 1 / x, {}),
    ("gamma: Beta ratio", sp.beta(a + 1, b) / sp.beta(a, b), a / (a + b), {}),
    ("matrix: (AB)^T = B^T A^T", (A * B).T, B.T * A.T, {"dims": {n: 3}}),
    (
        "matrix: softmax Jacobian",
        softmax.jacobian([z1, z2, z3]),
        sp.diag(*softmax) - softmax * softmax.T,
        {},
    ),
    (
        "labels: y(1-y) e^(e^(40 mu)) = 0",
        y * (1 - y) * sp.exp(sp.exp(40 * mu)),
        sp.Integer(0),
        {"domain": {y: (0, 1), mu: (0, 1)}},
    ),
    (
        "indexed: notes' LL erratum, n = 4",
        sp.Sum(
            labels[i] * sp.log(probabilities[i]) + (1 - labels[i]) * sp.log(1 - probabilities[i]),
            (i, 1, n),
        ),
        sp.Sum(
            labels[i] * sp.log(probabilities[i]) * (1 - labels[i]) * sp.log(1 - probabilities[i]),
            (i, 1, n),
        ),
        {"given": {n: 4}, "domain": {labels: (0, 1), probabilities: (0, 1)}, "numeric_first": True},
    ),
    (
        "matrix: Woodbury (numeric)",
        (A + U * V.T).I,
        A.I - A.I * U * (sp.Identity(k) + V.T * A.I * U).I * V.T * A.I,
        {"dims": {n: 4, k: 2}, "domain": {A: "spd"}},
    ),
]


def timed(function, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        clear_cache()
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def naive_simplify(left, right) -> bool:
    return sp.simplify((left - right).doit()) == 0


NUMERIC = [
    (
        "bernoulli: divide by e^eta",
        sp.exp(eta) / (1 + sp.exp(eta)),
        1 / (1 + sp.exp(-eta)),
        {eta: (-30, 30)},
    ),
    (
        "labels: y(1-y) e^(e^(40 mu)) = 0",
        y * (1 - y) * sp.exp(sp.exp(40 * mu)),
        sp.Integer(0),
        {y: (0, 1), mu: (0, 1)},
    ),
    ("integer: floor + ceiling", sp.floor(m / 2) + sp.ceiling(m / 2), m, {m: (-9, 9)}),
    (
        "integral, no closed form",
        sp.Integral(sp.exp(-(t**4)) * (1 + x * t), (t, 0, 1)),
        sp.Integral(sp.exp(-(t**4)), (t, 0, 1)) + x * sp.Integral(t * sp.exp(-(t**4)), (t, 0, 1)),
        {x: (0, 2)},
    ),
]


def numeric_table(repeats: int) -> None:
    """The numeric route alone (no symbolic routes): time, points, digits established."""
    print(f"\nthe numeric route alone (median of {repeats} runs)\n")
    print(f"{'identity':36s} {'time':>10s} {'points':>7s} {'digits':>7s} {'per point':>10s}")
    for name, left, right, domain in NUMERIC:
        boxes = verify.inputs.parse_domain(domain)
        elapsed, verdict = timed(
            lambda left=left, right=right, boxes=boxes: verify.numeric.numeric_check(
                left, right, boxes, 1, None, verify.WORKING_DIGITS, None
            ),
            repeats,
        )
        print(
            f"{name:36s} {elapsed:8.3f} s {verdict.points:7d} {verdict.digits!s:>7s} "
            f"{elapsed / max(verdict.points, 1):8.3f} s"
        )


ROOT = Path(__file__).resolve().parent.parent


def run_chapter(source: Path) -> None:
    """Execute the code cells of one chapter in this process (output discarded)."""
    import jupytext

    notebook = jupytext.read(source)
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    here = Path.cwd()
    os.chdir(source.parent)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(code, str(source), "exec"), {"__name__": "__main__"})
    finally:
        os.chdir(here)


def book_table() -> None:
    """Time every check the book's chapters make, and the slowest bounded operation."""
    import matplotlib

    matplotlib.use("Agg")
    sys.path.insert(0, str(ROOT / "tools"))
    import chapters

    checks: list[tuple[str, float, str]] = []
    original = verify.derivation.check_equal

    def timed_check(*args, **kwargs):
        started = time.perf_counter()
        verdict = original(*args, **kwargs)
        checks.append((str(kwargs.get("seed")), time.perf_counter() - started, verdict.kind.value))
        return verdict

    verify.derivation.check_equal = timed_check
    print("\nthe whole book's checking (every chapter executed in this process)\n")
    print(f"{'chapter':24s} {'checks':>7s} {'time':>9s} {'slowest check':>14s}")
    operations = []
    try:
        for source in chapters.chapter_sources():
            before = len(checks)
            with verify.timings() as log:
                run_chapter(source)
            operations += [(source.stem, *entry) for entry in log]
            mine = checks[before:]
            total = sum(seconds for _, seconds, _ in mine)
            slowest = max((seconds for _, seconds, _ in mine), default=0.0)
            print(f"{source.stem:24s} {len(mine):7d} {total:7.2f} s {slowest:12.2f} s")
    finally:
        verify.derivation.check_equal = original
    total = sum(seconds for _, seconds, _ in checks)
    print(f"{'total':24s} {len(checks):7d} {total:7.2f} s   (target < 60 s)")
    print(f"mean per check: {total / max(len(checks), 1):.3f} s (target < 0.5 s)")
    bounded = [entry for entry in operations if entry[3] is not None]
    chapter, what, seconds, budget = max(bounded, key=lambda entry: entry[2] / entry[3])
    scale = verify.time_scale()
    print(
        f"slowest bounded operation relative to its budget: {what} in {chapter}, "
        f"{seconds:.2f} s of {budget:.1f} s (GLMNOTES_TIME_SCALE={scale:g})"
    )
    print(
        f"margin: {budget / seconds:.1f} here; {0.25 * budget / seconds:.1f} at a quarter of "
        "the budget (must stay above 1 for the recorded verdicts to hold on a machine four times "
        "slower)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-book", action="store_true", help="skip the whole-book timing")
    arguments = parser.parse_args()
    repeats = arguments.repeats
    print(f"median of {repeats} runs, sympy cache cleared before each run\n")
    print(
        f"{'step':36s} {'check_equal':>12s} {'verdict':>22s} {'simplify':>9s} {'proves':>6s} "
        f"{'ratio':>6s}"
    )
    total_check = total_simplify = 0.0
    for name, left, right, options in STEPS:
        check_time, verdict = timed(
            lambda left=left, right=right, options=options: check_equal(left, right, **options),
            repeats,
        )
        simplify_time, proved = timed(
            lambda left=left, right=right: naive_simplify(left, right), repeats
        )
        total_check += check_time
        total_simplify += simplify_time
        described = verdict.kind.value + (f" ({verdict.route})" if verdict.route else "")
        print(
            f"{name:36s} {check_time:10.3f} s {described:>22s} {simplify_time:7.3f} s "
            f"{'yes' if proved else 'no':>6s} {check_time / simplify_time:6.2f}"
        )
    print(
        f"\n{'total':36s} {total_check:10.3f} s {'':>22s} {total_simplify:7.3f} s {'':>6s} "
        f"{total_check / total_simplify:6.2f}"
    )
    print(f"mean per step: {total_check / len(STEPS):.3f} s (target < 0.5 s)")
    numeric_table(repeats)
    if not arguments.no_book:
        book_table()


if __name__ == "__main__":
    main()
