"""Tests of glmnotes.links against independent references.

References: scipy.special (logit, expit, softmax), mpmath at 50 digits in the logistic tails,
4th-order central finite differences of each link and its inverse, the round trip
link(inverse(eta)) = eta up to the rounding of mu (hypothesis, out to the extreme eta each
link can represent), and the families that name each link as their canonical one.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import scipy.special
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from glmnotes.families import (
    Bernoulli,
    Beta,
    Dirichlet,
    Exponential,
    Gamma,
    GammaShapeRate,
    Gaussian,
    Multinomial,
    Poisson,
)
from glmnotes.links import (
    LINKS,
    Identity,
    Inverse,
    Link,
    Log,
    Logit,
    MultinomialLogit,
    NegativeInverse,
    get_link,
    log1p_sum_exp,
    log_softmax,
    sigmoid,
    softmax,
    softplus,
)

EPS = np.finfo(float).eps

#: Each scalar link with a few linear predictors and means inside its domain.
POINTS = {
    "identity": (Identity(), np.array([-3.0, -0.2, 0.0, 1.7, 40.0])),
    "logit": (Logit(), np.array([-8.0, -1.3, 0.0, 0.4, 6.0])),
    "log": (Log(), np.array([-4.0, -0.5, 0.0, 1.2, 3.0])),
    "inverse": (Inverse(), np.array([-3.0, -0.4, 0.3, 1.0, 5.0])),
    "negative_inverse": (NegativeInverse(), np.array([-5.0, -1.0, -0.3, -0.05])),
}


def central_difference(f, x: np.ndarray, h: float) -> np.ndarray:
    """4th-order central difference of an elementwise function ``f`` at ``x``."""
    return (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h)


# ---- formulas against scipy and mpmath -------------------------------------------------------


def test_logit_against_scipy():
    eta = np.linspace(-30, 30, 121)
    np.testing.assert_allclose(Logit().inverse(eta), scipy.special.expit(eta), rtol=1e-15)
    mu = np.linspace(1e-6, 1 - 1e-6, 101)
    np.testing.assert_allclose(Logit().link(mu), scipy.special.logit(mu), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(
        Logit().inverse_derivative(eta),
        scipy.special.expit(eta) * scipy.special.expit(-eta),
        rtol=1e-15,
    )


@pytest.mark.parametrize("eta", [-745.0, -720.0, -700.0, -40.0, 0.0, 40.0, 700.0, 720.0])
def test_logit_tails_against_mpmath(eta):
    mpmath.mp.dps = 50
    e = mpmath.mpf(eta)
    mean = 1 / (1 + mpmath.exp(-e))
    slope = mpmath.exp(-abs(e)) / (1 + mpmath.exp(-abs(e))) ** 2
    curvature = slope * (1 - 2 * mean)
    for computed, exact in (
        (Logit().inverse(eta), mean),
        (Logit().inverse_derivative(eta), slope),
        (Logit().inverse_second_derivative(eta), curvature),
    ):
        if abs(exact) >= np.finfo(float).tiny:
            assert float(computed) == pytest.approx(float(exact), rel=1e-12, abs=0)
        else:  # a subnormal: within one spacing of the subnormal floats
            assert abs(mpmath.mpf(float(computed)) - exact) <= np.nextafter(0.0, 1.0)
    assert Logit().inverse_derivative(eta) > 0


def test_scalar_in_scalar_out():
    for link, _ in POINTS.values():
        assert np.ndim(link.inverse(0.5 if link.name != "negative_inverse" else -0.5)) == 0


def test_closed_forms():
    mu = np.array([0.2, 1.0, 3.0])
    np.testing.assert_array_equal(Identity().link(mu), mu)
    np.testing.assert_allclose(Log().link(mu), np.log(mu))
    np.testing.assert_allclose(Inverse().link(mu), 1 / mu)
    np.testing.assert_allclose(NegativeInverse().link(mu), -1 / mu)
    np.testing.assert_allclose(Inverse().inverse(Inverse().link(mu)), mu, rtol=1e-15)
    assert Identity().link(mu) is not mu  # a copy


# ---- derivatives against finite differences ------------------------------------------------


@pytest.mark.parametrize("name", POINTS)
def test_inverse_derivatives_by_finite_differences(name):
    link, eta = POINTS[name]
    h = 1e-4 * np.maximum(1.0, np.abs(eta))
    np.testing.assert_allclose(
        link.inverse_derivative(eta), central_difference(link.inverse, eta, h), rtol=1e-8
    )
    np.testing.assert_allclose(
        link.inverse_second_derivative(eta),
        central_difference(link.inverse_derivative, eta, h),
        rtol=1e-7,
        atol=1e-12,
    )


@pytest.mark.parametrize("name", POINTS)
def test_derivative_by_finite_differences_and_as_reciprocal(name):
    link, eta = POINTS[name]
    mu = link.inverse(eta)
    h = 1e-6 * np.minimum(np.abs(mu), np.abs(1 - mu)) if name == "logit" else 1e-5 * np.abs(mu)
    h = np.where(h == 0, 1e-5, h)
    np.testing.assert_allclose(link.derivative(mu), central_difference(link.link, mu, h), rtol=1e-7)
    np.testing.assert_allclose(link.derivative(mu) * link.inverse_derivative(eta), 1.0, rtol=1e-12)


# ---- link(inverse(eta)) = eta, out to the extremes ------------------------------------------


#: Each link g and its derivative g' in mpmath (50 digits): an independent reference.
EXACT = {
    "identity": (lambda m: m, lambda m: mpmath.mpf(1)),
    "logit": (lambda m: mpmath.log(m / (1 - m)), lambda m: 1 / (m * (1 - m))),
    "log": (mpmath.log, lambda m: 1 / m),
    "inverse": (lambda m: 1 / m, lambda m: -1 / m**2),
    "negative_inverse": (lambda m: -1 / m, lambda m: 1 / m**2),
}


def round_trip_error_bound(name: str, eta: float, mu: float) -> mpmath.mpf:
    r"""What rounding allows in :math:`g(g^{-1}(\eta))`: a few ulps of :math:`\eta`, plus two
    spacings of the float :math:`\mu = g^{-1}(\eta)` magnified by :math:`|g'(\mu)|` (in
    mpmath, so that no bound overflows)."""
    slope = abs(EXACT[name][1](mpmath.mpf(mu)))
    return 4 * EPS * abs(eta) + 2 * slope * mpmath.mpf(abs(float(np.spacing(mu))))


EXTREMES = {
    "identity": st.floats(min_value=-1e300, max_value=1e300),
    "logit": st.floats(min_value=-740.0, max_value=36.0),  # beyond 36.7, mu rounds to 1
    "log": st.floats(min_value=-740.0, max_value=709.0),
    "inverse": st.floats(min_value=1e-300, max_value=1e300) | st.floats(-1e300, -1e-300),
    "negative_inverse": st.floats(min_value=-1e300, max_value=-1e-300),
}


@pytest.mark.parametrize("name", EXTREMES)
def test_link_inverts_inverse_at_extreme_eta(name):
    link, g = get_link(name), EXACT[name][0]

    @settings(max_examples=200, deadline=None)
    @given(eta=EXTREMES[name])
    def round_trip(eta):
        mpmath.mp.dps = 50
        mu = float(link.inverse(eta))
        back = float(link.link(mu))
        assert abs(back - eta) <= round_trip_error_bound(name, eta, mu)
        # and the exact link of the rounded mean is as close to eta: the inverse is accurate
        assert abs(g(mpmath.mpf(mu)) - eta) <= round_trip_error_bound(name, eta, mu)

    round_trip()


@settings(max_examples=100, deadline=None)
@given(mu=st.floats(min_value=1e-300, max_value=1 - 1e-16))
def test_logit_inverts_link_on_the_unit_interval(mu):
    eta = float(Logit().link(mu))
    back = float(Logit().inverse(eta))
    # the rounding of eta (|eta| up to 691) comes back as a relative error of e^eta
    assert back == pytest.approx(mu, rel=4 * EPS * (1 + abs(eta)), abs=0)


# ---- the multinomial logit --------------------------------------------------------------------


def test_multinomial_logit_against_scipy_softmax():
    eta = np.array([[0.3, -1.0, 2.0], [700.0, -700.0, 0.0], [-2.0, 0.0, 0.5]])
    full = np.column_stack([eta, np.zeros(len(eta))])
    np.testing.assert_allclose(
        MultinomialLogit().probabilities(eta), scipy.special.softmax(full, axis=1), rtol=1e-13
    )
    np.testing.assert_allclose(
        log1p_sum_exp(eta), scipy.special.logsumexp(full, axis=1), rtol=1e-15
    )
    mu = MultinomialLogit().inverse(eta[[0, 2]])
    np.testing.assert_allclose(MultinomialLogit().link(mu), eta[[0, 2]], rtol=1e-12, atol=1e-14)


def test_multinomial_logit_jacobians_by_finite_differences():
    link, eta, h = MultinomialLogit(), np.array([0.3, -1.0, 2.0]), 1e-5
    basis = np.eye(3)

    def column(f, point, j):
        return central_difference(lambda t: f(point + t * basis[j]), 0.0, h)

    slope = link.inverse_derivative(eta)
    expected = np.column_stack([column(link.inverse, eta, j) for j in range(3)])
    np.testing.assert_allclose(slope, expected, rtol=1e-8, atol=1e-12)
    curvature = link.inverse_second_derivative(eta)  # [i, j, l] = d^2 mu_i / d eta_j d eta_l
    for l in range(3):
        numeric = np.column_stack(
            [column(lambda p, j=j: link.inverse_derivative(p)[:, j], eta, l) for j in range(3)]
        )
        np.testing.assert_allclose(curvature[:, :, l], numeric, rtol=1e-6, atol=1e-10)
    mu = link.inverse(eta)
    np.testing.assert_allclose(link.derivative(mu) @ slope, np.eye(3), atol=1e-12)


# ---- lookup, the abstract base class, the families ------------------------------------------


def test_get_link():
    assert set(LINKS) == {"identity", "logit", "log", "inverse", "negative_inverse"}
    for name, cls in LINKS.items():
        assert isinstance(get_link(name), cls) and get_link(name).name == name
    link = Log()
    assert get_link(link) is link
    assert Log() == Log() and Log() != Logit()
    with pytest.raises(ValueError, match=r"unknown link 'probit'; choose one of \['identity'"):
        get_link("probit")


def test_an_incomplete_link_cannot_be_instantiated():
    class Half(Link):
        def link(self, mu):
            return mu

    with pytest.raises(TypeError, match="abstract"):
        Half()
    with pytest.raises(TypeError, match="abstract"):
        Link()


@pytest.mark.parametrize(
    "family, eta",
    [
        (Gaussian(), np.array([-1.0, 0.5])),
        (Bernoulli(), np.array([-720.0, -3.0, 0.2, 30.0])),
        (Poisson(), np.array([-2.0, 1.0])),
        (Exponential(), np.array([-3.0, -0.2])),
        (Gamma(2.5), np.array([-3.0, -0.2])),
        (Multinomial(3), np.array([[0.3, -1.0], [2.0, 0.1]])),
    ],
)
def test_each_glm_family_names_its_canonical_link(family, eta):
    link = family.canonical_link
    np.testing.assert_array_equal(family.mean(eta), link.inverse(eta))
    mu = family.mean(eta)
    np.testing.assert_array_equal(family.canonical_parameter(mu), link.link(mu))
    if family.is_scalar:  # for the canonical link, d mu / d eta = A''(eta) = variance / phi
        np.testing.assert_allclose(
            link.inverse_derivative(eta), family.variance(eta) / family.dispersion, rtol=1e-15
        )
        if family.variance_power is not None:  # V(mu) = mu^p
            np.testing.assert_allclose(
                mu**family.variance_power, family.variance(eta) / family.dispersion, rtol=1e-14
            )
    else:
        np.testing.assert_array_equal(link.inverse_derivative(eta), family.variance(eta))


def test_families_without_a_closed_form_link():
    for family in (GammaShapeRate(), Beta(), Dirichlet(3)):
        assert family.canonical_link is None and family.variance_power is None


# ---- one home for each stable function of eta -------------------------------------------------

#: Arguments that probe every branch and tail of the sigmoid: the subnormal range below -708,
#: where 1/(1 + e^-eta) overflows (-709.8), the last nonzero value (-745) and beyond.
SIGMOID_EXTREMES = [-1000.0, -746.0, -745.0, -744.4, -740.0, -720.0, -709.9, -708.0, -40.0,
                    -1.0, -1e-300, 0.0, 1e-300, 1.0, 36.0, 40.0, 709.9, 745.0, 1000.0]  # fmt: skip


def float_of_definition(x: float) -> float:
    """notation.sigmoid's own definition 1/(1 + e^-t), evaluated by sympy at 60 digits at the
    float ``x`` and rounded once to a double."""
    from glmnotes.notation import sigmoid as notation_sigmoid

    exact = notation_sigmoid.notation_definition(sp.Float(x, 60))
    return float(sp.N(exact, 40))


def assert_within_ulps(computed: float, exact: float, ulps: int = 3) -> None:
    if abs(exact) >= np.finfo(float).tiny:
        assert abs(computed - exact) <= ulps * np.spacing(abs(exact)), (computed, exact)
    else:  # a subnormal (or 0): within one spacing of the subnormal floats
        assert abs(computed - exact) <= np.nextafter(0.0, 1.0), (computed, exact)


@pytest.mark.parametrize("x", SIGMOID_EXTREMES)
def test_notation_sigmoid_definition_agrees_with_the_numeric_home_at_extremes(x):
    assert_within_ulps(float(sigmoid(x)), float_of_definition(x))


@settings(max_examples=300, deadline=None)
@given(x=st.floats(min_value=-1000.0, max_value=1000.0))
def test_notation_sigmoid_definition_agrees_with_the_numeric_home(x):
    assert_within_ulps(float(sigmoid(x)), float_of_definition(x))


def test_notation_sigmoid_rewrites_and_evaluates_to_its_definition():
    from glmnotes.notation import sigmoid as notation_sigmoid

    t = sp.Symbol("t", real=True)
    definition = notation_sigmoid.notation_definition(t)
    assert sp.simplify(notation_sigmoid(t).rewrite(sp.exp) - definition) == 0
    for x in (-40.0, -1.0, 0.5, 30.0):  # its evalf is the definition's, at any precision
        assert_within_ulps(float(sigmoid(x)), float(notation_sigmoid(sp.Float(x, 60)).evalf(40)))


def test_the_sigmoid_has_one_home_that_nn_links_autodiff_and_families_use():
    from glmnotes import nn
    from glmnotes.autodiff import Value

    x = np.array(SIGMOID_EXTREMES + list(np.linspace(-50.0, 50.0, 1001)))
    home = sigmoid(x)
    assert nn.sigmoid is sigmoid  # nn imports the home, it has no copy
    np.testing.assert_array_equal(Logit().inverse(x), home)
    np.testing.assert_array_equal(Bernoulli().mean(x), home)
    np.testing.assert_array_equal(nn.activate("sigmoid", x), home)
    net = nn.Network([1, 1], output="bernoulli")  # eta = x w + b with w = 1, b = 0
    net.set_flat_parameters(np.array([1.0, 0.0]))
    np.testing.assert_array_equal(net.forward(x[:, None]), home)
    nodes = [Value(float(v)).sigmoid() for v in x]
    np.testing.assert_array_equal([node.data for node in nodes], home)
    # the backward formula beside the forward one: d sigma / dx = sigma(x) sigma(-x)
    np.testing.assert_array_equal([node._local_grads[0] for node in nodes], home * sigmoid(-x))
    np.testing.assert_array_equal(Logit().inverse_derivative(x), home * sigmoid(-x))


def test_sigmoid_keeps_dtype_and_never_overflows():
    x = np.array([-1e308, -1000.0, -745.0, 0.0, 745.0, 1e308, np.inf, -np.inf])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        values = sigmoid(x)
        assert sigmoid(np.float32([-100.0, 0.0, 100.0])).dtype == np.float32
    np.testing.assert_array_equal(values, [0.0, 0.0, 5e-324, 0.5, 1.0, 1.0, 1.0, 0.0])
    assert np.ndim(sigmoid(0.25)) == 0 and sigmoid(3) == pytest.approx(0.9525741268224334)


@pytest.mark.parametrize("eta", [-800.0, -745.0, -40.0, -1e-10, 0.0, 1.0, 40.0, 800.0, 1e300])
def test_softplus_against_mpmath_and_its_users(eta):
    from glmnotes import nn

    with mpmath.workdps(50):
        exact = float(mpmath.log1p(mpmath.exp(mpmath.mpf(eta))))
    assert_within_ulps(float(softplus(eta)), exact, ulps=2)
    assert Bernoulli().log_partition(eta) == softplus(eta)  # the Bernoulli's A is the home
    net = nn.Network([1, 1], output="bernoulli")
    net.set_flat_parameters(np.array([0.0, eta]))  # eta = b for every row
    X, y = np.zeros((2, 1)), np.array([0, 1])  # -log p = softplus(eta) + softplus(-eta)
    assert net.log_likelihood(X, y) == -(softplus(eta) + softplus(-eta))


@pytest.mark.parametrize(
    "eta", [[0.3, -1.0, 2.0], [700.0, -700.0, 0.0], [-800.0, -801.0, -799.0], [1e-17, 0.0, -36.0]]
)
def test_log_sum_exp_homes_against_mpmath(eta):
    with mpmath.workdps(1000):  # log p = 700 - (700 + 1e-304) needs some 320 digits
        values = [mpmath.mpf(v) for v in eta]
        log_total = mpmath.log(sum(mpmath.exp(v) for v in values))
        log_p = [float(v - log_total) for v in values]
        p = [float(mpmath.exp(v - log_total)) for v in values]
        log1p_total = float(mpmath.log(1 + sum(mpmath.exp(v) for v in values)))
    for computed, exact in zip(log_softmax(np.array(eta)), log_p, strict=True):
        assert_within_ulps(float(computed), exact, ulps=4)
    for computed, exact in zip(softmax(np.array(eta)), p, strict=True):
        assert_within_ulps(float(computed), exact, ulps=4)
    assert_within_ulps(float(log1p_sum_exp(np.array(eta))), log1p_total, ulps=4)
    assert Multinomial(4).log_partition(eta) == log1p_sum_exp(np.array(eta))
