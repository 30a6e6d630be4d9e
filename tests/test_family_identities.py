"""Tests for glmnotes.families.canonical and glmnotes.families.identities: the canonical form
and the notes' chains built from a family's symbolic view, against scipy, sympy's own
integrals and finite differences."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from scipy import integrate, special, stats

from glmnotes.families import (
    Bernoulli,
    Beta,
    Dirichlet,
    Exponential,
    GammaShapeRate,
    Gaussian,
    Multinomial,
    Poisson,
)
from glmnotes.families.canonical import (
    NOTES_MULTINOMIAL,
    MultinomialNotation,
    canonical_derivation,
    canonical_form,
    counted_from_one,
    exp_as_written,
    half,
)
from glmnotes.families.identities import (
    ConcreteFamily,
    covariance_identity,
    defined_function,
    lines_checked,
    mean_identity,
)
from glmnotes.verify import Registry, VerdictKind, check_equal
from glmnotes.verify.render.latex import derivation_latex

ALL = [Gaussian(), Bernoulli(), Multinomial(3), Poisson(), Exponential(), GammaShapeRate(), Beta()]


# ---- canonical form ---------------------------------------------------------------------------


def test_exp_as_written_and_half_keep_the_line_as_written():
    x = sp.Symbol("x")
    assert sp.latex(exp_as_written(2 * x + 2)) == r"e^{2 x + 2}"
    assert half(4 * x).doit() == 2 * x and "2" in sp.latex(half(4 * x))


@pytest.mark.parametrize("family", ALL, ids=repr)
def test_canonical_form_is_the_family_density(family):
    view = family.symbolic()
    constants = {s: sp.nsimplify(v) for s, v in view.constants.items()}
    written = canonical_form(view, constants).doit()
    difference = sp.simplify(written - view.density.subs(constants))
    assert difference == 0


def test_canonical_form_matches_scipy_at_the_natural_parameter():
    view = Poisson().symbolic()
    lam, y = view.parameters[0], view.y
    pmf = sp.lambdify((y, lam), canonical_form(view).doit().subs(view.natural_parameter))
    for count in range(6):
        assert pmf(count, 2.5) == pytest.approx(stats.poisson.pmf(count, 2.5), rel=1e-12)


def test_canonical_derivation_is_checked_and_recorded():
    view = Poisson().symbolic()
    lam, y = view.parameters[0], view.y
    middle = sp.Mul(1 / sp.factorial(y), exp_as_written(y * sp.log(lam) - lam), evaluate=False)
    registry = Registry("test")
    d = canonical_derivation(view, middle, "why", label="t-poisson", registry=registry)
    assert [s.verdict.holds for s in d.steps] == [True, True]
    assert registry.derivations() == [d]
    assert d.title == "The Poisson distribution in canonical form"


def test_canonical_derivation_rejects_a_wrong_middle_line():
    from glmnotes.verify import DerivationError

    view = Poisson().symbolic()
    lam, y = view.parameters[0], view.y
    wrong = exp_as_written(y * sp.log(lam) - 2 * lam)
    with pytest.raises(DerivationError):
        canonical_derivation(view, wrong, "why", label="t-wrong")


def test_counted_from_one_renames_the_dirichlet_and_keeps_its_density():
    view = counted_from_one(Dirichlet(3).symbolic())
    assert [s.name for s in view.y] == ["y_1", "y_2", "y_3"]
    assert [s.name for s in view.eta] == ["eta_1", "eta_2", "eta_3"]
    assert set(view.domain) >= set(view.y) | set(view.parameters)
    alpha = np.array([2.0, 0.6, 1.5])
    point = np.array([0.2, 0.3, 0.5])
    density = view.textbook_density.subs(dict(zip(view.parameters, alpha, strict=True)))
    value = float(density.subs(dict(zip(view.y, point, strict=True))))
    assert value == pytest.approx(stats.dirichlet.pdf(point, alpha), rel=1e-12)
    canonical = canonical_form(view).doit().subs(view.natural_parameter)
    canonical = canonical.subs(dict(zip(view.parameters, alpha, strict=True)))
    assert float(canonical.subs(dict(zip(view.y, point, strict=True)))) == pytest.approx(value)


def test_counted_from_one_leaves_views_numbered_from_one_alone():
    view = GammaShapeRate().symbolic()
    assert counted_from_one(view) is view


def test_notes_multinomial_notation():
    notes = NOTES_MULTINOMIAL
    phi_1, phi_2 = notes.phi(1), notes.phi(2)
    assert notes.reference == 1 - phi_1 - phi_2
    assert notes.eta_of_phi(1).doit() == sp.log(phi_1 / (1 - phi_1 - phi_2))
    assert sp.latex(notes.eta_of_phi(notes.i)) == r"\eta_{i}"
    assert notes.upto(notes.indicator()).subs(notes.k, 3).doit().subs(notes.y, 2) == 1
    assert notes.given == {notes.k: 3, notes.phi_k: notes.reference}
    assert notes.domain[notes.y] == (1, 3)
    four = MultinomialNotation(4)
    assert four.reference == 1 - four.phi(1) - four.phi(2) - four.phi(3)


# ---- the identities on concrete families ------------------------------------------------------


def test_defined_function_prints_and_evaluates():
    x = sp.Symbol("x")
    f = defined_function("f", r"f(x)", sp.Lambda(x, x**2))
    assert sp.latex(f(x)) == "f(x)" and sp.latex(f(x) ** 2) == r"\left(f(x)\right)^{2}"
    assert f(x).doit() == x**2 and f(3).doit() == 9


def test_concrete_poisson_integrals_are_its_moments():
    c = ConcreteFamily(Poisson())
    (eta,) = c.etas
    assert sp.simplify(c.over(c.p).doit() - 1) == 0
    mean = c.over(c.T[0] * c.p).doit()
    variance = c.over((c.T[0] - sp.exp(eta)) ** 2 * c.p).doit()
    assert float(mean.subs(eta, 0.3)) == pytest.approx(stats.poisson.mean(np.exp(0.3)))
    assert float(variance.subs(eta, 0.3)) == pytest.approx(stats.poisson.var(np.exp(0.3)))


def test_concrete_gamma_log_moment_matches_scipy_quadrature():
    c = ConcreteFamily(GammaShapeRate())
    e_log = c.over(c.T[0] * c.p).doit()
    shape, rate = 2.5, 1.5
    value = float(e_log.subs({c.etas[0]: shape, c.etas[1]: -rate}))
    reference, _ = integrate.quad(
        lambda t: np.log(t) * stats.gamma.pdf(t, shape, scale=1 / rate), 0, np.inf
    )
    assert value == pytest.approx(reference, rel=1e-8)
    assert value == pytest.approx(special.digamma(shape) - np.log(rate), rel=1e-12)


def test_concrete_family_refuses_what_it_cannot_do():
    with pytest.raises(ValueError, match="dispersion 1"):
        ConcreteFamily(Gaussian(2.0))
    with pytest.raises(ValueError, match="simplex"):
        ConcreteFamily(Dirichlet(3))


@pytest.mark.parametrize("family", [Exponential(), Bernoulli(), Multinomial(3)], ids=repr)
def test_mean_and_covariance_chains_hold(family):
    c = ConcreteFamily(family)
    registry = Registry("test")
    chains = [mean_identity(c, i, registry=registry) for i in range(len(c.etas))]
    chains += [covariance_identity(c, 0, j, registry=registry) for j in range(len(c.etas))]
    for chain in chains:
        assert chain.counts()["unverified"] == 0 and chain.counts()["errata"] == 0
        assert all(step.verdict.holds for step in chain.steps)
    assert len(registry.derivations()) == len(chains)


def test_covariance_identity_is_the_variance_by_finite_differences():
    family = Exponential()
    c = ConcreteFamily(family)
    (eta,) = c.etas
    variance = c.over((c.T[0] - sp.Derivative(c.A, eta)) ** 2 * c.p).doit()
    h, point = 1e-4, -1.3
    second = (
        family.log_partition(point + h)
        - 2 * family.log_partition(point)
        + family.log_partition(point - h)
    ) / h**2
    assert float(variance.subs(eta, point)) == pytest.approx(second, rel=1e-6)


def test_a_wrong_mean_is_not_the_expectation():
    c = ConcreteFamily(Exponential())
    (eta,) = c.etas
    verdict = check_equal(c.over(c.T[0] * c.p), -2 / eta, domain=c.domain)
    assert verdict.kind is VerdictKind.FAILED


def test_lines_checked_summarises_the_kinds():
    c = ConcreteFamily(Exponential())
    chains = [mean_identity(c), covariance_identity(c)]
    # the definition of the expectation and its restatement are by definition
    assert lines_checked(chains) == "13 lines: 11 proved, 2 by definition"
    assert lines_checked([]) == "0 lines: none checked"


def test_canonical_form_can_name_a_long_log_partition():
    view = Beta().symbolic()
    named = canonical_form(view, named_partition=True)
    assert r"A(\eta)" in sp.latex(named) and "Gamma" not in sp.latex(named)
    assert sp.simplify(named.doit() - view.density) == 0


def test_canonical_derivation_accepts_the_density_as_shown():
    view = Beta().symbolic()
    (a, b), y = view.parameters, view.y
    B = defined_function(
        "B", r"B(\alpha, \beta)", sp.Lambda((a, b), sp.gamma(a) * sp.gamma(b) / sp.gamma(a + b))
    )(a, b)
    usual = view.textbook_density.replace(sp.beta, lambda *_: B)
    middle = sp.Mul(
        1 / (y * (1 - y)),
        exp_as_written(a * sp.log(y) + b * sp.log(1 - y) - sp.log(B)),
        evaluate=False,
    )
    # the chapter's label: it seeds the sampled points (at some others, the numeric check of the
    # middle line takes over a minute)
    label = "ef-canonical-beta"
    d = canonical_derivation(view, middle, "why", label=label, start=usual, named_partition=True)
    assert all(step.verdict.holds for step in d.steps)
    assert r"B(\alpha, \beta)" in derivation_latex(d) and r"A(\eta)" in derivation_latex(d)
