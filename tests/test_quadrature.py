"""Tests for glmnotes.quadrature: the tanh-sinh rule against closed forms and scipy, the family
checks it runs, and the Quadrature sympy function against mpmath and scipy."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp
from scipy import integrate, special, stats

from glmnotes.families import Beta, Dirichlet, Poisson
from glmnotes.quadrature import Quadrature, quadrature_errors, tanh_sinh


@pytest.mark.parametrize(
    ("f", "exact"),
    [
        (np.log, -1.0),  # singular at 0
        (lambda u: u**-0.5, 2.0),  # singular at 0
        (lambda u: np.log1p(-u), -1.0),  # singular at 1 (1 - u is the second node array)
        (lambda u: u**2, 1.0 / 3.0),
    ],
)
def test_tanh_sinh_integrates_endpoint_singularities(f, exact):
    u, one_minus_u, w = tanh_sinh()
    keep = (u > 0) & (u < 1)
    assert np.sum(w[keep] * f(u[keep])) == pytest.approx(exact, abs=1e-10)


def test_tanh_sinh_nodes_lie_inside_and_their_complement_is_exact():
    u, one_minus_u, w = tanh_sinh()
    assert np.all((u >= 0) & (u <= 1)) and np.all(w >= 0)
    middle = (u > 1e-3) & (u < 1 - 1e-3)
    np.testing.assert_allclose(one_minus_u[middle], 1 - u[middle], rtol=1e-12)
    # near 1 the complement keeps its digits where 1 - u would cancel
    assert one_minus_u.min() > 0 and one_minus_u.min() < 1e-30


def test_tanh_sinh_agrees_with_scipy_on_a_beta_log_moment():
    a, b = 0.7, 2.5
    u, _, w = tanh_sinh()
    keep = (u > 0) & (u < 1)
    ours = np.sum(w[keep] * np.log(u[keep]) * stats.beta.pdf(u[keep], a, b))
    reference, _ = integrate.quad(lambda t: np.log(t) * stats.beta.pdf(t, a, b), 0, 1)
    assert ours == pytest.approx(reference, rel=1e-9)
    assert ours == pytest.approx(special.digamma(a) - special.digamma(a + b), rel=1e-9)


@pytest.mark.parametrize(
    ("family", "eta"),
    [(Beta(), np.array([0.7, 2.5])), (Dirichlet(3), np.array([2.0, 0.6, 1.5]))],
)
def test_quadrature_errors_are_at_rounding_level(family, eta):
    assert max(quadrature_errors(family, eta)) < 1e-12


def test_quadrature_errors_catch_a_wrong_mean():
    class WrongMean(Beta):
        def mean(self, eta):
            return super().mean(eta) + 0.1

    errors = quadrature_errors(WrongMean(), np.array([0.7, 2.5]))
    assert errors[0] < 1e-12 and errors[1] == pytest.approx(0.1, rel=1e-9)


def test_quadrature_errors_refuse_other_families():
    with pytest.raises(ValueError, match="Beta"):
        quadrature_errors(Poisson(), 0.3)
    with pytest.raises(ValueError, match="Dirichlet"):
        quadrature_errors(Dirichlet(4), np.ones(4))


def beta_log_moment():
    y = sp.Symbol("y", positive=True)
    a, b = sp.symbols("a b", positive=True)
    density = y ** (a - 1) * (1 - y) ** (b - 1) * sp.gamma(a + b) / (sp.gamma(a) * sp.gamma(b))
    return Quadrature(sp.Lambda(y, sp.log(y) * density), 0, 1), a, b


def test_quadrature_evaluates_like_mpmath_at_high_precision():
    q, a, b = beta_log_moment()
    value = q.subs({a: sp.Rational(7, 3), b: sp.Rational(5, 4)}).evalf(50)
    with mpmath.workdps(60):
        exact = mpmath.digamma(mpmath.mpf(7) / 3) - mpmath.digamma(mpmath.mpf(7) / 3 + 1.25)
        assert abs(mpmath.mpf(str(value)) - exact) < mpmath.mpf(10) ** -45


def test_quadrature_agrees_with_scipy_and_waits_for_its_parameters():
    q, a, b = beta_log_moment()
    reference, _ = integrate.quad(lambda t: np.log(t) * stats.beta.pdf(t, 2.0, 3.0), 0, 1)
    assert float(q.subs({a: 2, b: 3}).evalf()) == pytest.approx(reference, rel=1e-10)
    unevaluated = q.evalf()
    assert unevaluated.free_symbols == {a, b}  # parameters left: nothing to evaluate yet


def test_quadrature_prints_as_an_integral():
    q, _, _ = beta_log_moment()
    text = sp.latex(q)
    assert text.startswith(r"\int\limits_{0}^{1}") and r"\log{\left(y \right)}" in text
    assert sp.latex(q**2).startswith(r"\left(\int")


def test_quadrature_writes_out_a_density_defined_by_a_formula():
    from glmnotes.families.identities import defined_function

    y = sp.Symbol("y", positive=True)
    density = defined_function("p", "p(y)", sp.Lambda(y, 6 * y * (1 - y)))(y)
    q = Quadrature(sp.Lambda(y, sp.log(y) * density), 0, 1)
    assert sp.latex(q).startswith(r"\int\limits_{0}^{1}") and "p(y)" in sp.latex(q)
    exact = special.digamma(2) - special.digamma(4)  # E[log y] of Beta(2, 2)
    assert float(q.evalf(30)) == pytest.approx(exact, rel=1e-14)
