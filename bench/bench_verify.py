"""Time per checked step of glmnotes.verify for typical steps of the book.

Each step is checked with ``check_equal`` (what ``Derivation.step`` runs) and, as a reference
measured in the same run, with the naive ``sympy.simplify(left - right) == 0`` (which proves less:
it fails on the digamma recurrence and the Beta ratio, and cannot produce a counterexample).
sympy's cache is cleared before every timing so that repeats do not time a cache lookup.

Usage: python bench/bench_verify.py [--repeats N]
Target: under 0.5 s for a typical step. A step whose ``doit()`` or symbolic routes do not finish
(the integral without closed form) costs up to the symbolic budget (4 s) before the numeric check.
"""

from __future__ import annotations

import argparse
import statistics
import time

import sympy as sp
from sympy.core.cache import clear_cache

from glmnotes.verify import check_equal

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    repeats = parser.parse_args().repeats
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


if __name__ == "__main__":
    main()
