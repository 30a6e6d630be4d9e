"""Tests of glmnotes.families against independent references.

References: scipy.stats densities and moments, numerical quadrature (scipy.integrate), 4th-order
central finite differences of the log-partition, mpmath at extreme eta, sympy for the symbolic
view, and Monte Carlo draws with a fixed seed.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats
from scipy.special import betaln, expit, softmax

from glmnotes.families import (
    FAMILIES,
    Bernoulli,
    Beta,
    Dirichlet,
    Exponential,
    ExponentialFamily,
    Gamma,
    GammaShapeRate,
    Gaussian,
    Multinomial,
    Poisson,
    get_family,
)

# One representative parameter point per family (eta inside the parameter space) and a few
# observations in the support.
CASES = {
    "gaussian": (Gaussian(), np.array([-1.3, 0.0, 2.1]), np.array([-0.4, 1.7, 3.0])),
    "gaussian_sigma": (Gaussian(sigma=2.5), np.array([-1.3, 0.4]), np.array([0.2, -3.0])),
    "bernoulli": (Bernoulli(), np.array([-2.0, 0.3, 4.0]), np.array([0.0, 1.0, 1.0])),
    "poisson": (Poisson(), np.array([-1.0, 0.5, 2.5]), np.array([0.0, 3.0, 11.0])),
    "exponential": (Exponential(), np.array([-0.3, -1.0, -4.0]), np.array([0.0, 2.0, 0.1])),
    "gamma": (Gamma(2.5), np.array([-0.5, -2.0]), np.array([0.7, 0.2])),
    "multinomial": (
        Multinomial(4),
        np.array([[0.3, -1.0, 2.0], [-2.0, 0.0, 0.5]]),
        np.array([1, 3]),
    ),
    "gamma_shape_rate": (
        GammaShapeRate(),
        np.array([[2.5, -1.5], [0.7, -0.2]]),
        np.array([1.3, 4.0]),
    ),
    "beta": (Beta(), np.array([[2.0, 3.0], [0.6, 1.4]]), np.array([0.3, 0.9])),
    "dirichlet": (
        Dirichlet(3),
        np.array([[2.0, 3.0, 0.7], [1.2, 0.4, 5.0]]),
        np.array([[0.2, 0.5, 0.3], [0.05, 0.15, 0.8]]),
    ),
}


def scipy_logpdf(name: str, family: ExponentialFamily, y: np.ndarray, eta: np.ndarray):
    """log density from scipy.stats in the family's usual parameters."""
    if name.startswith("gaussian"):
        return stats.norm.logpdf(y, loc=eta, scale=family.sigma)
    if name == "bernoulli":
        return stats.bernoulli.logpmf(y, expit(eta))
    if name == "poisson":
        return stats.poisson.logpmf(y, np.exp(eta))
    if name == "exponential":
        return stats.expon.logpdf(y, scale=-1 / eta)
    if name == "gamma":
        nu = family.shape
        return stats.gamma.logpdf(y, a=nu, scale=(-1 / eta) / nu)
    if name == "multinomial":
        probabilities = softmax(np.column_stack([eta, np.zeros(len(eta))]), axis=1)
        one_hot = np.eye(family.k)[y]
        return np.array(
            [stats.multinomial.logpmf(o, 1, p) for o, p in zip(one_hot, probabilities, strict=True)]
        )
    if name == "gamma_shape_rate":
        return stats.gamma.logpdf(y, a=eta[:, 0], scale=-1 / eta[:, 1])
    if name == "beta":
        return stats.beta.logpdf(y, eta[:, 0], eta[:, 1])
    if name == "dirichlet":
        return np.array([stats.dirichlet.logpdf(yi, a) for yi, a in zip(y, eta, strict=True)])
    raise AssertionError(name)


@pytest.mark.parametrize("name", CASES)
def test_log_density_matches_scipy(name):
    family, eta, y = CASES[name]
    np.testing.assert_allclose(
        family.log_density(y, eta), scipy_logpdf(name, family, y, eta), rtol=1e-12, atol=1e-12
    )


# ---------------------------------------------------------------------------------------------
# mean and variance against finite differences of the log-partition
# ---------------------------------------------------------------------------------------------


def central_first(f, x, h):
    """4th-order central difference f'(x)."""
    return (f(x - 2 * h) - 8 * f(x - h) + 8 * f(x + h) - f(x + 2 * h)) / (12 * h)


def central_second(f, x, h):
    """4th-order central difference f''(x)."""
    return (-f(x - 2 * h) + 16 * f(x - h) - 30 * f(x) + 16 * f(x + h) - f(x + 2 * h)) / (12 * h**2)


@pytest.mark.parametrize("name", CASES)
def test_mean_and_variance_are_derivatives_of_log_partition(name):
    family, eta, _ = CASES[name]
    h = 1e-3
    if family.is_scalar:
        np.testing.assert_allclose(
            family.mean(eta), central_first(family.log_partition, eta, h), rtol=1e-9
        )
        # variance = phi A''(eta) with dispersion phi (1 except gaussian_sigma, gamma)
        np.testing.assert_allclose(
            family.variance(eta) / family.dispersion,
            central_second(family.log_partition, eta, h),
            rtol=1e-6,
        )
        return
    for j in range(family.eta_size):
        unit = np.eye(family.eta_size)[j]

        def log_partition_along(s, unit=unit):
            return family.log_partition(eta + s * unit)

        def mean_along(s, unit=unit):
            return family.mean(eta + s * unit)

        np.testing.assert_allclose(
            family.mean(eta)[:, j], central_first(log_partition_along, 0.0, h), rtol=1e-8
        )
        np.testing.assert_allclose(
            family.variance(eta)[:, j, j], central_second(log_partition_along, 0.0, h), rtol=1e-5
        )
        # column j of the Hessian = derivative of the mean along coordinate j
        np.testing.assert_allclose(
            family.variance(eta)[:, :, j], central_first(mean_along, 0.0, h), rtol=1e-7, atol=1e-9
        )


# ---------------------------------------------------------------------------------------------
# mean and variance against scipy.stats moments and quadrature
# ---------------------------------------------------------------------------------------------


def test_scalar_moments_match_scipy():
    eta = np.array([-0.7, 0.2, 1.9])
    g = Gaussian(sigma=1.7)
    np.testing.assert_allclose(g.mean(eta), stats.norm.mean(loc=eta, scale=1.7))
    np.testing.assert_allclose(g.variance(eta), stats.norm.var(loc=eta, scale=1.7))
    b = Bernoulli()
    np.testing.assert_allclose(b.mean(eta), stats.bernoulli.mean(expit(eta)), rtol=1e-14)
    np.testing.assert_allclose(b.variance(eta), stats.bernoulli.var(expit(eta)), rtol=1e-12)
    p = Poisson()
    np.testing.assert_allclose(p.mean(eta), stats.poisson.mean(np.exp(eta)), rtol=1e-14)
    np.testing.assert_allclose(p.variance(eta), stats.poisson.var(np.exp(eta)), rtol=1e-14)
    negative = np.array([-0.3, -1.0, -6.0])
    e = Exponential()
    np.testing.assert_allclose(e.mean(negative), stats.expon.mean(scale=-1 / negative))
    np.testing.assert_allclose(e.variance(negative), stats.expon.var(scale=-1 / negative))
    gd = Gamma(shape=3.5)
    reference = stats.gamma(a=3.5, scale=(-1 / negative) / 3.5)
    np.testing.assert_allclose(gd.mean(negative), reference.mean(), rtol=1e-14)
    np.testing.assert_allclose(gd.variance(negative), reference.var(), rtol=1e-14)


def test_multinomial_moments_match_scipy():
    family = Multinomial(4)
    eta = np.array([0.3, -1.0, 2.0])
    p = softmax(np.append(eta, 0.0))
    np.testing.assert_allclose(family.mean(eta), stats.multinomial.mean(1, p)[:-1], rtol=1e-14)
    np.testing.assert_allclose(family.variance(eta), stats.multinomial.cov(1, p)[:-1, :-1])
    np.testing.assert_allclose(family.probabilities(eta), p, rtol=1e-14)


def quad_moments(pdf, statistic, low, high):
    """E[T] and Cov[T] of a 2-d statistic by quadrature against a scipy.stats density."""
    first = [integrate.quad(lambda y, i=i: statistic(y)[i] * pdf(y), low, high)[0] for i in (0, 1)]
    second = np.empty((2, 2))
    for i in (0, 1):
        for j in (0, 1):
            second[i, j] = integrate.quad(
                lambda y, i=i, j=j: statistic(y)[i] * statistic(y)[j] * pdf(y), low, high
            )[0]
    first = np.array(first)
    return first, second - np.outer(first, first)


def test_gamma_moments_by_quadrature():
    family = GammaShapeRate()
    eta = np.array([2.5, -1.5])
    reference = stats.gamma(a=2.5, scale=1 / 1.5)
    mean, covariance = quad_moments(reference.pdf, lambda y: (np.log(y), y), 0, np.inf)
    np.testing.assert_allclose(family.mean(eta), mean, rtol=1e-8)
    np.testing.assert_allclose(family.variance(eta), covariance, rtol=1e-7)
    assert family.mean(eta)[1] == pytest.approx(reference.mean(), rel=1e-14)


def test_beta_moments_by_quadrature():
    family = Beta()
    eta = np.array([2.0, 3.5])
    reference = stats.beta(2.0, 3.5)
    mean, covariance = quad_moments(reference.pdf, lambda y: (np.log(y), np.log1p(-y)), 0, 1)
    np.testing.assert_allclose(family.mean(eta), mean, rtol=1e-8)
    np.testing.assert_allclose(family.variance(eta), covariance, rtol=1e-7)


def test_dirichlet_moments_from_beta_marginals():
    # y_i ~ Beta(alpha_i, alpha_0 - alpha_i): E[log y_i] and Var[log y_i] by quadrature
    family = Dirichlet(3)
    alpha = np.array([2.0, 3.0, 0.7])
    for i, a in enumerate(alpha):
        marginal = stats.beta(a, alpha.sum() - a)
        mean = integrate.quad(lambda y, m=marginal: np.log(y) * m.pdf(y), 0, 1)[0]
        square = integrate.quad(lambda y, m=marginal: np.log(y) ** 2 * m.pdf(y), 0, 1)[0]
        assert family.mean(alpha)[i] == pytest.approx(mean, rel=1e-8)
        assert family.variance(alpha)[i, i] == pytest.approx(square - mean**2, rel=1e-7)


# ---------------------------------------------------------------------------------------------
# sampling
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CASES)
def test_sample_moments_agree_with_mean_and_variance(name):
    family, eta, _ = CASES[name]
    n = 40_000
    point = eta[0]
    draws = family.sample(np.broadcast_to(point, (n,) + np.shape(point)), rng=12345)
    family.validate(draws)  # every draw lies in the support
    t = family.sufficient_statistic(draws).reshape(n, -1)
    mean = np.atleast_1d(family.mean(point))
    variance = np.atleast_2d(family.variance(point))
    centred = t - t.mean(axis=0)
    standard_error = t.std(axis=0) / np.sqrt(n)
    assert np.all(np.abs(t.mean(axis=0) - mean) <= 5 * standard_error)
    sample_variance = np.mean(centred**2, axis=0)
    variance_error = np.sqrt(np.mean(centred**4, axis=0) - sample_variance**2) / np.sqrt(n)
    assert np.all(np.abs(sample_variance - np.diag(variance)) <= 5 * variance_error)


def test_sample_is_reproducible_with_a_seed():
    eta = np.linspace(-2, 2, 7)
    np.testing.assert_array_equal(Poisson().sample(eta, 3), Poisson().sample(eta, 3))


# ---------------------------------------------------------------------------------------------
# extreme eta (hypothesis) and mpmath references
# ---------------------------------------------------------------------------------------------

real_eta = st.floats(min_value=-700, max_value=700, allow_nan=False)
negative_eta = st.floats(min_value=-700, max_value=-1e-100)
positive_eta = st.floats(min_value=1e-3, max_value=700)


def assert_healthy(family: ExponentialFamily, eta: np.ndarray) -> None:
    """Finite A, mean, variance; variance >= 0 (PSD); and a finite log density."""
    for value in (family.log_partition(eta), family.mean(eta), family.variance(eta)):
        assert np.all(np.isfinite(value))
    variance = family.variance(eta)
    if family.is_scalar:
        assert np.all(variance >= 0)
    else:
        scale = np.max(np.abs(variance))
        assert np.min(np.linalg.eigvalsh(variance)) >= -1e-12 * scale


@settings(max_examples=60, deadline=None)
@given(eta=real_eta)
def test_real_line_families_are_finite_at_extremes(eta):
    for family in (Gaussian(), Bernoulli(), Poisson()):
        assert_healthy(family, np.array([eta]))
    assert 0 <= Bernoulli().mean(eta) <= 1
    assert Bernoulli().variance(eta) > 0  # true value >= 9.8e-305 for |eta| <= 700
    assert Poisson().mean(eta) >= 0
    assert np.isfinite(Bernoulli().log_density(np.array([0.0, 1.0]), eta)).all()
    assert np.isfinite(Poisson().log_density(np.array([0.0, 5.0]), eta)).all()


@settings(max_examples=60, deadline=None)
@given(eta=negative_eta)
def test_negative_eta_families_are_finite_at_extremes(eta):
    for family in (Exponential(), Gamma(0.3), Gamma(30.0)):
        assert_healthy(family, np.array([eta]))
        assert family.mean(eta) > 0


@settings(max_examples=40, deadline=None)
@given(eta=st.lists(real_eta, min_size=3, max_size=3))
def test_multinomial_is_finite_at_extremes(eta):
    family = Multinomial(4)
    eta = np.array(eta)
    assert_healthy(family, eta)
    probabilities = family.probabilities(eta)
    assert np.all(probabilities >= 0) and np.all(probabilities <= 1)
    assert np.sum(probabilities) == pytest.approx(1.0, abs=1e-12)
    assert np.all(np.isfinite(family.log_density(np.arange(4), eta)))


@settings(max_examples=40, deadline=None)
@given(shape=positive_eta, rate=positive_eta)
def test_gamma_is_finite_at_extremes(shape, rate):
    family = GammaShapeRate()
    eta = np.array([shape, -rate])
    assert_healthy(family, eta)
    assert family.mean(eta)[1] > 0
    assert family.mean(eta)[0] < np.log(family.mean(eta)[1])  # Jensen: E log y < log E y


@settings(max_examples=40, deadline=None)
@given(eta=st.lists(positive_eta, min_size=3, max_size=3))
def test_beta_and_dirichlet_are_finite_at_extremes(eta):
    eta = np.array(eta)
    assert_healthy(Beta(), eta[:2])
    assert_healthy(Dirichlet(3), eta)
    for family, point in ((Beta(), eta[:2]), (Dirichlet(3), eta)):
        mean = family.mean(point)  # E[log y] must be in the closure of the mean space
        assert np.all(mean <= 0) and np.sum(np.exp(mean)) <= 1 + 1e-12


@pytest.mark.parametrize("eta", [-700.0, -40.0, -1.0, 0.0, 3.0, 40.0, 700.0])
def test_bernoulli_against_mpmath(eta):
    mpmath.mp.dps = 50
    e = mpmath.mpf(eta)
    sigmoid = 1 / (1 + mpmath.exp(-e))
    family = Bernoulli()
    assert family.log_partition(eta) == pytest.approx(
        float(mpmath.log1p(mpmath.exp(e))), rel=1e-14, abs=0
    )
    assert family.mean(eta) == pytest.approx(float(sigmoid), rel=1e-14, abs=0)
    assert family.variance(eta) == pytest.approx(
        float(mpmath.exp(e) / (1 + mpmath.exp(e)) ** 2), rel=1e-13, abs=0
    )


def test_bernoulli_variance_does_not_round_to_zero():
    # phi (1 - phi) gives 0 at eta = 40; the true value is about 4.25e-18
    assert Bernoulli().variance(40.0) == pytest.approx(4.248354255291589e-18, rel=1e-12, abs=0)


SMALLEST_SUBNORMAL = np.nextafter(0.0, 1.0)  # 4.9e-324, the spacing of the subnormal floats
SMALLEST_NORMAL = np.finfo(float).tiny  # 2.2e-308


def assert_matches_mpmath(computed: float, exact: mpmath.mpf) -> None:
    """Relative error <= 1e-12 where the exact value is a normal float; otherwise within one
    subnormal spacing (the best a float can do there)."""
    if abs(exact) >= SMALLEST_NORMAL:
        assert computed == pytest.approx(float(exact), rel=1e-12, abs=0)
    else:
        assert abs(mpmath.mpf(computed) - exact) <= SMALLEST_SUBNORMAL


@pytest.mark.parametrize("eta", [709.0, 710.0, 720.0, 740.0, 745.0])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_bernoulli_tails_reach_the_subnormals(eta, sign):
    # expit(-710) is 0.0 (e^710 overflows); the true mean there is 4.5e-309, a subnormal
    mpmath.mp.dps = 50
    eta = sign * eta
    e = mpmath.mpf(eta)
    family = Bernoulli()
    mean, variance = float(family.mean(eta)), float(family.variance(eta))
    assert_matches_mpmath(mean, 1 / (1 + mpmath.exp(-e)))
    assert_matches_mpmath(variance, mpmath.exp(-abs(e)) / (1 + mpmath.exp(-abs(e))) ** 2)
    assert variance > 0 and (mean > 0 if sign < 0 else mean == 1.0)


@settings(max_examples=60, deadline=None)
@given(eta=st.floats(min_value=-745, max_value=745))
def test_bernoulli_mean_and_variance_against_mpmath_on_the_whole_range(eta):
    mpmath.mp.dps = 50
    e = mpmath.mpf(eta)
    family = Bernoulli()
    assert_matches_mpmath(float(family.mean(eta)), 1 / (1 + mpmath.exp(-e)))
    assert_matches_mpmath(float(family.variance(eta)), mpmath.exp(e) / (1 + mpmath.exp(e)) ** 2)


def test_bernoulli_tail_keeps_shape_and_mixes_with_ordinary_values():
    eta = np.array([[-720.0, 0.0], [3.0, 720.0]])
    family = Bernoulli()
    assert family.mean(eta).shape == family.variance(eta).shape == (2, 2)
    assert family.mean(eta)[0, 1] == 0.5 and family.variance(eta)[0, 1] == 0.25
    assert family.mean(eta)[0, 0] > 0 and family.variance(eta)[1, 1] > 0
    assert np.ndim(family.mean(-720.0)) == 0 and float(family.mean(-720.0)) > 0


@pytest.mark.parametrize("eta", [[-720.0, 0.0, 0.0], [740.0, -740.0, 0.0], [-745.0, 1.0, 709.0]])
def test_multinomial_tails_against_mpmath(eta):
    # probabilities e^{eta_i - A(eta)} come from one exp of a finite difference: no overflow
    mpmath.mp.dps = 50
    family = Multinomial(4)
    full = [mpmath.mpf(value) for value in eta] + [mpmath.mpf(0)]
    total = mpmath.fsum(mpmath.exp(value) for value in full)
    exact = [mpmath.exp(value) / total for value in full]
    for computed, reference in zip(family.probabilities(np.array(eta)), exact, strict=True):
        assert_matches_mpmath(float(computed), reference)
    variance = family.variance(np.array(eta))
    for i in range(3):  # phi_i (1 - phi_i), with 1 - phi_i summed exactly (50 digits cannot)
        others = mpmath.fsum(value for j, value in enumerate(exact) if j != i)
        assert_matches_mpmath(float(variance[i, i]), exact[i] * others)


def test_multinomial_against_mpmath_at_extremes():
    mpmath.mp.dps = 50
    family = Multinomial(3)
    eta = np.array([700.0, -700.0])
    terms = [mpmath.exp(mpmath.mpf(x)) for x in (700, -700, 0)]
    total = sum(terms)
    assert family.log_partition(eta) == pytest.approx(float(mpmath.log(total)), rel=1e-15, abs=0)
    expected = [float(t / total) for t in terms]
    np.testing.assert_allclose(family.probabilities(eta), expected, rtol=1e-13)
    # the diagonal of the variance is p (1 - p) with 1 - p ~ 1e-304, not 0
    expected_variance = float(terms[0] * (terms[1] + terms[2]) / total**2)
    assert family.variance(eta)[0, 0] == pytest.approx(expected_variance, rel=1e-12, abs=0)


# ---------------------------------------------------------------------------------------------
# canonical_parameter inverts mean
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CASES)
def test_canonical_parameter_inverts_mean(name):
    family, eta, _ = CASES[name]
    np.testing.assert_allclose(family.canonical_parameter(family.mean(eta)), eta, rtol=1e-9)


def test_canonical_parameter_rejects_unreachable_means():
    with pytest.raises(ValueError, match=r"Bernoulli: mu must .*\(0, 1\).*1\.0 at index 1"):
        Bernoulli().canonical_parameter([0.5, 1.0])
    with pytest.raises(ValueError, match="GammaShapeRate: mu must"):
        GammaShapeRate().canonical_parameter([1.0, 2.0])  # E log y >= log E y is impossible
    with pytest.raises(ValueError, match="Multinomial: mu must"):
        Multinomial(3).canonical_parameter([0.6, 0.5])


# ---------------------------------------------------------------------------------------------
# symbolic()
# ---------------------------------------------------------------------------------------------

SCALAR_NAMES = ["gaussian", "bernoulli", "poisson", "exponential", "gamma"]


@pytest.mark.parametrize("name", SCALAR_NAMES + ["gamma_shape_rate", "multinomial"])
def test_symbolic_density_is_normalised(name):
    family = CASES[name][0]
    assert family.symbolic().expectation() == 1


def test_symbolic_beta_is_normalised():
    assert sp.simplify(Beta().symbolic().expectation() - 1) == 0


def test_dirichlet_is_normalised_numerically():
    family = Dirichlet(3)
    alpha = np.array([2.0, 3.0, 0.7])

    def density(y1, y0):
        y = np.array([y0, y1, 1 - y0 - y1])
        return np.exp(family.log_density(y, alpha))

    total, _ = integrate.dblquad(density, 0, 1, 0, lambda y0: 1 - y0, epsabs=1e-10)
    assert total == pytest.approx(1.0, abs=1e-7)


@pytest.mark.parametrize("name", SCALAR_NAMES)
def test_symbolic_mean_is_derivative_of_log_partition(name):
    # E[T(y)] computed by sympy's sum/integral equals A'(eta) at the textbook parameters
    view = CASES[name][0].symbolic()
    derivative = sp.diff(view.log_partition, view.eta).subs(view.natural_parameter)
    assert sp.simplify(view.expectation(view.sufficient_statistic) - derivative) == 0
    second = view.dispersion * sp.diff(view.log_partition, view.eta, 2)
    variance = view.expectation((view.sufficient_statistic - derivative) ** 2)
    assert sp.simplify(variance - second.subs(view.natural_parameter)) == 0


@pytest.mark.parametrize("name", CASES)
def test_symbolic_matches_numeric(name):
    # The sympy view and the numpy code describe the same family: compare at random points
    family, eta, y = CASES[name]
    view = family.symbolic()
    etas = view.eta if isinstance(view.eta, tuple) else (view.eta,)
    ys = view.y if isinstance(view.y, tuple) else (view.y,)
    for eta_i, y_i in zip(eta, y, strict=True):
        substitution = dict(zip(etas, np.atleast_1d(eta_i), strict=True))
        substitution.update(zip(ys, np.atleast_1d(y_i), strict=True))
        substitution.update(view.constants)
        a = float(view.log_partition.subs(substitution))
        assert a == pytest.approx(float(family.log_partition(eta_i)), rel=1e-12)
        log_density = float(sp.log(view.density).subs(substitution).evalf(30))
        assert log_density == pytest.approx(float(family.log_density(y_i, eta_i)), rel=1e-10)


@pytest.mark.parametrize("name", CASES)
def test_symbolic_textbook_density_is_the_canonical_density(name):
    view = CASES[name][0].symbolic()
    rng = np.random.default_rng(0)
    difference = sp.log(view.density.subs(view.natural_parameter)) - sp.log(view.textbook_density)
    for _ in range(3):
        point = {s: rng.uniform(*bounds) for s, bounds in view.domain.items()}
        if isinstance(view.y, tuple):  # a point of the simplex
            raw = np.array([point[s] for s in view.y])
            point.update(dict(zip(view.y, raw / raw.sum(), strict=True)))
        elif view.measure == "counting":
            point[view.y] = int(rng.integers(0, 2 if name == "bernoulli" else 3))
        assert abs(float(difference.subs(point).evalf(30))) < 1e-10


def test_symbolic_assumptions_and_support():
    view = Exponential().symbolic()
    assert view.eta.is_negative and view.y.is_nonnegative
    assert Poisson().symbolic().support == sp.S.Naturals0
    assert Bernoulli().symbolic().support == sp.FiniteSet(0, 1)
    assert Beta().symbolic().support == sp.Interval.open(0, 1)
    assert (0.2, 0.3, 0.5) in Dirichlet(3).symbolic().support
    with pytest.raises(NotImplementedError, match="simplex"):
        Dirichlet(3).symbolic().expectation()


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("family", "y", "message"),
    [
        (Poisson(), [0, 2, 1, -1.0], r"Poisson: y must be non-negative integers.*-1\.0 at index 3"),
        (Poisson(), [0, 2.5], r"Poisson: y must be non-negative integers.*2\.5 at index 1"),
        (Bernoulli(), [0, 1, 2], r"Bernoulli: y must be 0 or 1; got 2\.0 at index 2"),
        (Exponential(), [1.0, -0.1], r"Exponential: y must be non-negative.*-0\.1 at index 1"),
        (Gamma(), [1.0, 0.0], r"Gamma: y must be positive.*0\.0 at index 1"),
        (GammaShapeRate(), [-1.0], r"GammaShapeRate: y must be positive.*-1\.0 at index 0"),
        (Beta(), [0.5, 1.0], r"Beta: y must lie strictly between 0 and 1.*1\.0 at index 1"),
        (Multinomial(3), [0, 3], r"Multinomial: y must be integer class labels 0, \.\.\., 2"),
        (Dirichlet(3), [[0.5, 0.5, 0.1]], r"Dirichlet: each y must have 3 positive entries"),
        (Gaussian(), [0.0, np.nan], r"Gaussian: y must be finite; got nan at index 1"),
        (Poisson(), [np.inf], r"Poisson: y must be finite; got inf"),
        (Gaussian(), ["a"], r"Gaussian: y must be numeric"),
    ],
)
def test_validate_names_family_and_offending_values(family, y, message):
    with pytest.raises(ValueError, match=message):
        family.validate(y)
    with pytest.raises(ValueError, match=message):
        family.log_base_measure(y)


def test_offending_values_are_listed_with_a_count():
    with pytest.raises(
        ValueError,
        match=r"-1\.0 at index 0, -2\.0 at index 1, -3\.0 at index 2, "
        r"and 2 more",
    ):
        Poisson().validate([-1.0, -2.0, -3.0, -4.0, -5.0])


@pytest.mark.parametrize(
    ("family", "eta", "message"),
    [
        (Exponential(), [-1.0, 0.5], r"Exponential: eta must lie in .*0\.5 at index 1"),
        (Gamma(), [0.0], r"Gamma: eta must lie in"),
        (
            GammaShapeRate(),
            [[1.0, 1.0]],
            r"GammaShapeRate: eta must lie in .*\[1\.0, 1\.0\] at index 0",
        ),
        (Beta(), [[1.0, -1.0]], r"Beta: eta must lie in"),
        (Dirichlet(3), [[1.0, 1.0]], r"Dirichlet: eta must have last axis of length 3"),
        (Multinomial(3), [1.0, 2.0, 3.0], r"Multinomial: eta must have last axis of length 2"),
        (Bernoulli(), [np.nan], r"Bernoulli: eta must be finite; got nan"),
    ],
)
def test_bad_eta_is_rejected(family, eta, message):
    with pytest.raises(ValueError, match=message):
        family.mean(eta)


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="Gaussian: sigma must be a positive"):
        Gaussian(sigma=0.0)
    with pytest.raises(ValueError, match="Gamma: shape must be a positive"):
        Gamma(shape=np.nan)
    with pytest.raises(ValueError, match="Multinomial: k .* must be >= 2"):
        Multinomial(1)
    with pytest.raises(ValueError, match="Poisson: cannot draw counts with mean above 1e18"):
        Poisson().sample([50.0], rng=0)


def test_get_family():
    assert isinstance(get_family("Poisson"), Poisson)
    assert get_family("gaussian", sigma=2.0).dispersion == 4.0
    assert get_family("multinomial", k=5).k == 5
    assert isinstance(get_family("normal"), Gaussian)
    family = Beta()
    assert get_family(family) is family
    assert set(FAMILIES) >= {
        "gaussian",
        "bernoulli",
        "multinomial",
        "poisson",
        "exponential",
        "gamma",
        "beta",
        "dirichlet",
    }
    with pytest.raises(ValueError, match="unknown family 'weibull'; choose one of"):
        get_family("weibull")
    with pytest.raises(ValueError, match="multinomial: bad parameters"):
        get_family("multinomial")


# ---------------------------------------------------------------------------------------------
# The abstract base class
# ---------------------------------------------------------------------------------------------


def test_the_base_class_refuses_an_incomplete_family():
    class OnlyAPartition(ExponentialFamily):
        def log_partition(self, eta):
            return np.exp(eta)

    with pytest.raises(TypeError, match="abstract method.*mean"):
        OnlyAPartition()
    with pytest.raises(TypeError, match="abstract"):
        ExponentialFamily()


def test_a_complete_subclass_inherits_the_shared_methods():
    class Shifted(Poisson):  # every formula inherited: nothing abstract left
        name = "Shifted"

    family = Shifted()
    np.testing.assert_allclose(
        family.log_density([0.0, 2.0], [0.1, -0.3]), Poisson().log_density([0.0, 2.0], [0.1, -0.3])
    )
    with pytest.raises(ValueError, match="Shifted: eta must be finite"):
        family.validate_eta([np.nan])  # the shared checks name the family they serve


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_every_family_is_an_exponential_family_with_all_formulas(name):
    cls = FAMILIES[name]
    assert issubclass(cls, ExponentialFamily) and not cls.__abstractmethods__


# ---------------------------------------------------------------------------------------------
# One home for each formula: the defaults in the base class, the beta through the Dirichlet
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [Gaussian, Bernoulli, Poisson, Exponential, Gamma, Multinomial])
def test_families_with_a_canonical_link_inherit_its_inverse(cls):
    assert "canonical_parameter" not in vars(cls)  # the base class's default, not a copy
    assert cls.canonical_parameter is ExponentialFamily.canonical_parameter


@pytest.mark.parametrize("cls", [Gaussian, Bernoulli, Poisson, Exponential, Gamma])
def test_the_defaults_t_of_y_is_y_and_b_is_one_are_written_once(cls):
    assert cls.sufficient_statistic is ExponentialFamily.sufficient_statistic
    if cls in (Bernoulli, Exponential):  # b(y) = 1 too; Gaussian, Poisson, Gamma have their own
        assert cls.log_base_measure is ExponentialFamily.log_base_measure
        family = cls()
        y = np.array([0.0, 1.0, 1.0])
        np.testing.assert_array_equal(family.sufficient_statistic(y), y)
        np.testing.assert_array_equal(family.log_base_measure(y), np.zeros(3))


def test_a_family_without_a_canonical_link_must_solve_its_mean_equation():
    with pytest.raises(TypeError, match="NoLink has no canonical_link, so it must define"):

        class NoLink(Poisson):
            canonical_link = None


@settings(max_examples=200, deadline=None)
@given(
    log_alpha=st.floats(min_value=-3.0, max_value=3.0),
    log_beta=st.floats(min_value=-3.0, max_value=3.0),
    y=st.floats(min_value=1e-12, max_value=1 - 1e-12),
)
def test_beta_is_the_dirichlet_with_two_proportions(log_alpha, log_beta, y):
    eta = np.array([10.0**log_alpha, 10.0**log_beta])
    beta, dirichlet = Beta(), Dirichlet(2)
    # the Dirichlet's formulas at k = 2, value for value
    np.testing.assert_array_equal(beta.log_partition(eta), dirichlet.log_partition(eta))
    np.testing.assert_array_equal(beta.mean(eta), dirichlet.mean(eta))
    np.testing.assert_array_equal(beta.variance(eta), dirichlet.variance(eta))
    # ... which are the values the beta had as a family of its own (betaln, log1p)
    np.testing.assert_array_equal(beta.log_partition(eta), betaln(eta[0], eta[1]))
    np.testing.assert_array_equal(beta.log_base_measure(y), -np.log(y) - np.log1p(-y))
    # T(y) is the Dirichlet's log of the proportions (y, 1 - y), up to the rounding of 1 - y
    np.testing.assert_allclose(
        beta.sufficient_statistic(y),
        dirichlet.sufficient_statistic(np.array([y, 1 - y])),
        rtol=4 * np.finfo(float).eps,
        atol=np.finfo(float).eps,
    )
    # and the density is scipy's beta
    assert beta.log_density(y, eta) == pytest.approx(
        stats.beta.logpdf(y, eta[0], eta[1]), rel=1e-9, abs=1e-9
    )


@pytest.mark.parametrize(
    "alpha",
    [[2.0, 3.0], [1e-3, 5.0], [200.0, 150.0, 300.0], [1e6, 2.0, 3.5], [0.5, 1e8, 1e8, 7.0]],
)
def test_dirichlet_log_partition_against_mpmath(alpha):
    with mpmath.workdps(60):
        exact = float(
            sum(mpmath.loggamma(mpmath.mpf(a)) for a in alpha) - mpmath.loggamma(sum(alpha))
        )
    computed = float(Dirichlet(len(alpha)).log_partition(alpha))
    # a sum of betaln terms (no cancellation between large log-gammas); scipy's betaln itself
    # is good to about 1e-11 (relative) when a >> b
    assert computed == pytest.approx(exact, rel=2e-11, abs=1e-13)


def test_gamma_means_one_thing_the_regression_gamma_of_statsmodels():
    import statsmodels.api as sm

    from glmnotes.glm import GLM

    assert FAMILIES["gamma"] is Gamma and FAMILIES["gamma_shape_rate"] is GammaShapeRate
    assert type(get_family("gamma")) is Gamma and get_family("gamma", shape=2.0).shape == 2.0
    assert type(get_family("Gamma_Shape_Rate")) is GammaShapeRate
    rng = np.random.default_rng(5)
    X = rng.normal(size=(40, 2))
    y = rng.gamma(3.0, np.exp(0.3 + X @ np.array([0.5, -0.2])) / 3.0)
    model = GLM(family="gamma", link="log").fit(X, y)
    assert type(model.family_) is type(get_family("gamma")) is Gamma  # GLM and get_family agree
    # statsmodels' Gamma family, with scale 1/shape, has the same log-likelihood per row
    family, eta = Gamma(shape=2.5), np.array([-0.5, -2.0, -0.1])
    y = np.array([0.7, 0.2, 12.0])
    reference = sm.families.Gamma().loglike_obs(y, -1.0 / eta, scale=1.0 / family.shape)
    np.testing.assert_allclose(family.log_density(y, eta), reference, rtol=1e-13)


def test_unknown_and_renamed_family_names_are_refused_clearly():
    with pytest.raises(ValueError, match="'gamma_dispersion'; it is now called 'gamma'"):
        get_family("gamma_dispersion")
    with pytest.raises(ValueError, match=r"unknown family 'gama'; choose one of \[.*'gamma'"):
        get_family("gama")
    from glmnotes.glm import GLM

    with pytest.raises(ValueError, match="use Gamma, not the two-parameter GammaShapeRate"):
        GLM(family=GammaShapeRate()).fit(np.ones((3, 1)), np.ones(3))
