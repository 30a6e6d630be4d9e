"""The network log-likelihood's counterexamples: not concave, not identifiable."""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from glmnotes.book.network_likelihood import (
    LINE_CURVATURE,
    OUTPUT_CURVATURE,
    concavity_counterexample,
    hidden_symmetries,
    log_likelihood,
)
from glmnotes.verify import VerdictKind, check_equal


def _ell(w, v):
    """One hidden unit, no biases, x = y = 1, in mpmath."""
    eta = v / (1 + mpmath.exp(-w))
    return eta - mpmath.log(1 + mpmath.exp(eta))


def test_the_counterexample_is_proved_and_its_values_are_exact():
    d = concavity_counterexample()
    verdicts = [v for v, _ in d.lines()]
    assert all(v.kind is VerdictKind.PROVED for v in verdicts)
    assert LINE_CURVATURE > 0 > OUTPUT_CURVATURE


def test_the_curvatures_by_finite_differences_at_high_precision():
    with mpmath.workdps(60):
        along_both = mpmath.diff(lambda t: _ell(t, t), 0, 2)
        along_output = mpmath.diff(lambda t: _ell(0, t), 0, 2)
        assert abs(along_both - mpmath.mpf(3) / 16) < mpmath.mpf(10) ** -40
        assert abs(along_output + mpmath.mpf(1) / 16) < mpmath.mpf(10) ** -40
        # the Hessian at the origin has a positive eigenvalue: not negative semidefinite
        hessian = mpmath.matrix(2, 2)
        for i in range(2):
            for j in range(2):
                orders = [int(i == k) + int(j == k) for k in range(2)]
                hessian[i, j] = mpmath.diff(_ell, (0, 0), orders)
        # [[0, 1/8], [1/8, -1/16]]: eigenvalue (-1/16 + sqrt(1/256 + 1/16)) / 2 > 0
        largest = max(mpmath.re(e) for e in mpmath.eig(hessian)[0])
        exact = (-mpmath.mpf(1) / 16 + mpmath.sqrt(mpmath.mpf(1) / 256 + mpmath.mpf(1) / 16)) / 2
        assert abs(largest - exact) < mpmath.mpf(10) ** -30
        assert exact > 0


def test_a_wrong_curvature_is_refused():
    t = sp.Symbol("t", real=True)
    ell = log_likelihood(1, 1, [t], [0], [t], 0)
    curvature = sp.Subs(sp.Derivative(ell, (t, 2)), t, 0)
    assert check_equal(curvature, LINE_CURVATURE).holds
    assert check_equal(curvature, -LINE_CURVATURE).kind is VerdictKind.FAILED


def test_the_symmetries_hold_and_one_is_by_definition():
    d = hidden_symmetries()
    (swap, _), (flip, _) = d.lines()
    assert swap.kind is VerdictKind.BY_DEFINITION  # a reordered sum: nothing to prove
    assert flip.kind is VerdictKind.PROVED


def test_the_symmetries_numerically_and_the_flip_needs_the_output_bias():
    rng = np.random.default_rng(0)
    w, c, v = rng.normal(size=2), rng.normal(size=2), rng.normal(size=2)
    b, x, y = rng.normal(), rng.normal(), 1

    def value(w, c, v, b):
        return float(log_likelihood(x, y, list(w), list(c), list(v), b).rewrite(sp.exp))

    base = value(w, c, v, b)
    assert abs(value(w[::-1], c[::-1], v[::-1], b) - base) < 1e-12
    flip = np.array([-1.0, 1.0])
    assert abs(value(w * flip, c * flip, v * flip, b + v[0]) - base) < 1e-12
    assert abs(value(w * flip, c * flip, v * flip, b) - base) > 1e-3  # without the bias: no
    assert np.any(w * flip != w)  # a different weight vector
