"""Inference of glmnotes.glm.GLM against statsmodels' GLM, and checks that do not need it: the
information identity by simulation and the coverage of the Wald intervals.

Both sides are solved to the end (our Newton at tol=1e-14; statsmodels' IRLS until the
coefficients stop changing), so what is compared is the inference, not two stopping rules.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.linalg
import statsmodels.api as sm
from scipy import stats
from scipy.special import expit
from sklearn.datasets import load_breast_cancer, load_diabetes
from statsmodels.genmod.families import links

from glmnotes.glm import GLM, fisher_information, hessian, log_likelihood_gradient

RTOL = 1e-8
TIGHT = {"tol": 1e-15, "tol_criterion": "params", "maxiter": 1000}
NUMBERS = ["params", "bse", "deviance", "null_deviance", "pearson_chi2", "llf", "aic"]
NUMBERS += ["scale", "bic_deviance", "df_model", "df_resid", "nobs"]


def statsmodels_fit(X, y, family, fit_intercept=True, **fit):
    design = sm.add_constant(X, has_constant="add") if fit_intercept else X
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DomainWarning for the gamma's inverse-power link
        return sm.GLM(y, design, family=family).fit(**TIGHT, **fit)


def assert_same_inference(ours, reference, sign=1.0):
    """Every number of our fit equals statsmodels' to RTOL (``sign=-1``: coefficients of
    eta = -1/mu against statsmodels' 1/mu)."""
    for name in NUMBERS:
        expected = getattr(reference, name)
        if name == "params":
            expected = sign * expected
        np.testing.assert_allclose(getattr(ours, name + "_"), expected, rtol=RTOL, err_msg=name)
    np.testing.assert_allclose(ours.zvalues_, sign * reference.tvalues, rtol=RTOL)
    assert_same_pvalues(ours.pvalues_, reference.pvalues, RTOL)
    np.testing.assert_allclose(ours.tvalues_, ours.zvalues_, rtol=0)
    np.testing.assert_allclose(ours.bic_, reference.bic_llf, rtol=RTOL)
    # relative to the scale of each entry, sqrt(C_ii C_jj) (off-diagonal zeros are round-off)
    expected = np.asarray(reference.cov_params())
    size = np.sqrt(np.outer(np.diag(expected), np.diag(expected)))
    np.testing.assert_allclose(ours.cov_params_ / size, expected / size, rtol=0, atol=RTOL)
    for alpha in (0.05, 0.1):
        interval = reference.conf_int(alpha)
        expected = interval if sign > 0 else -interval[:, ::-1]
        # relative to the interval's half-width (an end near zero cancels digits)
        scale = reference.bse[:, None]
        np.testing.assert_allclose(ours.conf_int(alpha) / scale, expected / scale, atol=RTOL)


def assert_same_pvalues(ours, expected, rtol):
    """p-values below 1e-10 (z beyond 6.5) amplify the round-off of z: their logarithms are
    compared instead."""
    tiny = expected < 1e-10
    np.testing.assert_allclose(ours[~tiny], expected[~tiny], rtol=rtol)
    with np.errstate(divide="ignore"):  # both 0: log = -inf on both sides
        np.testing.assert_allclose(np.log(ours[tiny]), np.log(expected[tiny]), rtol=rtol)


def generated(family: str, link: str | None, n: int = 600, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    s = 0.4 + X @ np.array([0.3, -0.2, 0.25])
    if family == "poisson":
        return X, rng.poisson(np.exp(s)).astype(float)
    if family == "bernoulli":
        return X, rng.binomial(1, expit(s)).astype(float)
    if family == "gaussian" and link is None:
        return X, s + 0.8 * rng.standard_normal(n)
    if family == "gaussian":
        return X, np.exp(s) + 0.3 * rng.standard_normal(n)
    mean = np.exp(s) if link == "log" else 1.0 / (1.0 + 0.2 * np.abs(s))
    shape = 1.0 if family == "exponential" else 3.0
    return X, rng.gamma(shape, mean / shape)


CASES = {
    # name: (family, link, statsmodels family, statsmodels fit arguments, GLM arguments)
    "poisson": ("poisson", None, sm.families.Poisson(), {}, {}),
    "bernoulli": ("bernoulli", None, sm.families.Binomial(), {}, {}),
    "gaussian": ("gaussian", None, sm.families.Gaussian(), {}, {}),
    "gaussian-log": ("gaussian", "log", sm.families.Gaussian(links.Log()), {}, {}),
    "gamma-log": ("gamma", "log", sm.families.Gamma(links.Log()), {}, {}),
    "gamma-log-deviance-scale": (
        "gamma", "log", sm.families.Gamma(links.Log()), {"scale": "dev"}, {"scale": "deviance"}
    ),
    "gamma-log-fixed-scale": (
        "gamma", "log", sm.families.Gamma(links.Log()), {"scale": 0.5}, {"scale": 0.5}
    ),
    "exponential-log": ("exponential", "log", sm.families.Gamma(links.Log()), {"scale": 1.0}, {}),
    "gaussian-t": ("gaussian", None, sm.families.Gaussian(), {"use_t": True}, {"use_t": True}),
    "gamma-log-t": (
        "gamma", "log", sm.families.Gamma(links.Log()), {"use_t": True}, {"use_t": True}
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_every_number_matches_statsmodels_on_generated_data(case):
    family, link, sm_family, sm_fit, ours_fit = CASES[case]
    X, y = generated(family, link)
    ours = GLM(family, link=link, tol=1e-14, **ours_fit).fit(X, y)
    assert_same_inference(ours, statsmodels_fit(X, y, sm_family, **sm_fit))


def test_canonical_gamma_matches_statsmodels_inverse_power_up_to_sign():
    X, y = generated("gamma", None)
    ours = GLM("gamma", tol=1e-14).fit(X, y)
    assert_same_inference(ours, statsmodels_fit(X, y, sm.families.Gamma()), sign=-1.0)


def test_without_intercept_statsmodels_counts_the_same():
    X, y = generated("poisson", None, seed=3)
    ours = GLM("poisson", fit_intercept=False, tol=1e-14).fit(X, y)
    reference = statsmodels_fit(X, y, sm.families.Poisson(), fit_intercept=False)
    assert_same_inference(ours, reference)
    assert ours.df_model_ == 2  # statsmodels: rank - 1, constant or not


def standardise(X):
    return (X - X.mean(axis=0)) / X.std(axis=0)


def test_breast_cancer_logistic_matches_statsmodels():
    X, y = load_breast_cancer(return_X_y=True)
    X, y = standardise(X)[:, :10], y.astype(float)  # all 30 features separate the classes
    ours = GLM("bernoulli", tol=1e-14).fit(X, y)
    assert_same_inference(ours, statsmodels_fit(X, y, sm.families.Binomial()))


@pytest.mark.parametrize("link", [None, "log"])
def test_diabetes_gaussian_and_gamma_match_statsmodels(link):
    X, y = load_diabetes(return_X_y=True)
    X = standardise(X)
    ours = GLM("gaussian", link=link, tol=1e-14).fit(X, y)
    sm_family = sm.families.Gaussian(links.Log() if link else links.Identity())
    assert_same_inference(ours, statsmodels_fit(X, y, sm_family))
    if link == "log":
        ours = GLM("gamma", link="log", tol=1e-14).fit(X, y)
        assert_same_inference(ours, statsmodels_fit(X, y, sm.families.Gamma(links.Log())))


def test_default_tolerance_already_agrees_closely():
    """At the default tol the coefficients differ from the converged ones by ~1e-10; every
    number still agrees with statsmodels to 1e-7 relative."""
    for family, link, sm_family, _, _ in [CASES["poisson"], CASES["gaussian-log"]]:
        X, y = generated(family, link)
        ours = GLM(family, link=link).fit(X, y)
        reference = statsmodels_fit(X, y, sm_family)
        np.testing.assert_allclose(ours.bse_, reference.bse, rtol=1e-7)
        assert_same_pvalues(ours.pvalues_, reference.pvalues, rtol=1e-7)
        np.testing.assert_allclose(ours.conf_int(), reference.conf_int(), rtol=1e-7)


# ---------------------------------------------------------------------------------------------
# Independent of statsmodels
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "family, link, draw",
    [
        ("gamma", "log", lambda rng, mu: rng.gamma(1.0, mu)),  # Gamma(shape=1)
        ("gaussian", "log", lambda rng, mu: rng.normal(mu, 1.0)),
        ("poisson", None, lambda rng, mu: rng.poisson(mu).astype(float)),
    ],
)
def test_information_identity_by_simulation(family, link, draw):
    """Var[gradient] = -E[Hessian] = Fisher information, at the true coefficients: the gradient
    of the log-likelihood (the score) and the Hessian of 4000 simulated data sets against
    glmnotes' Fisher information (the formula the standard errors use). Non-canonical links:
    the Hessian differs from -I for each data set, only its mean agrees."""
    rng = np.random.default_rng(11)
    X = rng.uniform(-1, 1, size=(6, 2))
    theta = np.array([0.3, 0.5, -0.4])
    mu = np.exp(theta[0] + X @ theta[1:])
    information = fisher_information(family, X, theta, link=link, fit_intercept=True)
    gradients, hessians = [], []
    for _ in range(4000):
        y = draw(rng, mu)
        gradients.append(
            log_likelihood_gradient(family, X, y, theta, link=link, fit_intercept=True)
        )
        hessians.append(hessian(family, X, y, theta, link=link, fit_intercept=True))
    gradients, hessians = np.array(gradients), np.array(hessians)
    size = np.sqrt(np.outer(np.diag(information), np.diag(information)))
    # sampling error of a covariance from 4000 draws: about sqrt(2/4000) = 2.2% of the scale
    np.testing.assert_allclose(np.cov(gradients.T) / size, information / size, atol=0.1)
    np.testing.assert_allclose(-hessians.mean(axis=0) / size, information / size, atol=0.1)
    np.testing.assert_allclose(gradients.mean(axis=0) / np.sqrt(np.diag(information)), 0, atol=0.1)
    if link is not None:  # a Hessian that depends on y: not -I for a single data set
        assert np.max(np.abs(hessians[0] + information) / size) > 1e-3


def test_wald_intervals_cover_the_truth():
    """400 gamma data sets (log link, estimated dispersion): each coefficient's 95% interval
    covers the true value a number of times inside the central 99.9% of Binomial(400, 0.95);
    the standard errors are close to the spread of the estimates."""
    rng = np.random.default_rng(2026)
    n, shape = 150, 4.0
    X = rng.standard_normal((n, 2))
    theta = np.array([0.5, 0.3, -0.2])
    mean = np.exp(theta[0] + X @ theta[1:])
    covered = np.zeros(3, dtype=int)
    estimates, errors = [], []
    for _ in range(400):
        y = rng.gamma(shape, mean / shape)
        model = GLM("gamma", link="log").fit(X, y)
        low, high = model.conf_int(0.05).T
        covered += (low <= theta) & (theta <= high)
        estimates.append(model.params_)
        errors.append(model.bse_)
    low, high = stats.binom.ppf([0.0005, 0.9995], 400, 0.95)
    assert np.all((low <= covered) & (covered <= high)), covered
    spread = np.std(estimates, axis=0)
    np.testing.assert_allclose(np.mean(errors, axis=0), spread, rtol=0.15)


# ---------------------------------------------------------------------------------------------
# The summary, and bad input
# ---------------------------------------------------------------------------------------------


def test_summary_is_text_with_every_coefficient_and_html():
    X, y = generated("poisson", None)
    model = GLM("poisson").fit(X, y)
    text = model.summary()
    assert isinstance(text, str) and repr(text) == str(text)
    for name, coefficient in zip(["const", "x1", "x2", "x3"], model.params_, strict=True):
        line = next(line for line in text.splitlines() if line.startswith(name + " "))
        assert f"{coefficient:.4f}" in line
    assert "P>|z|" in text and "nonrobust" in text and "expected (Fisher)" in text
    assert max(len(line) for line in text.splitlines()) <= 72
    assert f"{model.aic_:.6g}" in text
    assert "<table" in text._repr_html_() and "x3" in text._repr_html_()
    assert "P>|t|" in GLM("gaussian", use_t=True).fit(X, y).summary()


def test_summary_uses_dataframe_column_names():
    pandas = pytest.importorskip("pandas")
    X, y = generated("poisson", None)
    frame = pandas.DataFrame(X, columns=["age", "dose", "weight"])
    model = GLM("poisson").fit(frame, y)
    assert model.param_names_ == ["const", "age", "dose", "weight"]
    assert "\ndose " in model.summary()


def test_inference_bad_input():
    X, y = generated("poisson", None)
    with pytest.raises(ValueError, match="dispersion is fixed"):
        GLM("poisson", scale="pearson").fit(X, y)
    with pytest.raises(ValueError, match="scale must be"):
        GLM("gaussian", scale="X2").fit(X, y)
    with pytest.raises(ValueError, match="alpha must be in"):
        GLM("poisson").fit(X, y).conf_int(alpha=1.5)
    labels = np.random.default_rng(0).integers(0, 3, len(y))
    with pytest.raises(ValueError, match="scalar families only"):
        GLM("multinomial").fit(X, labels).conf_int()


def test_badly_scaled_features_keep_their_standard_errors():
    """Features on scales from 1e-3 to 1e4 make X^T W X ill-conditioned (about 1e14 here): the
    standard errors come from the equilibrated information and still match statsmodels (which
    works from the weighted design) to RTOL. The plain pseudo-inverse misses by far more."""
    X, y = generated("gamma", "log")
    X = X * np.array([1e-3, 1.0, 1e4])
    ours = GLM(family="gamma", link="log", tol=1e-14).fit(X, y)
    reference = statsmodels_fit(X, y, sm.families.Gamma(links.Log()))
    assert_same_inference(ours, reference)
    # the test can fail: the plain pseudo-inverse of the same information misses statsmodels
    unit = ours.family_  # the fitted family: its dispersion is the estimated one
    information = fisher_information(unit, X, ours.params_, link="log", fit_intercept=True)
    assert np.linalg.cond(information) > 1e12
    plain = np.sqrt(np.diag(scipy.linalg.pinvh(information)))
    assert np.max(np.abs(plain / reference.bse - 1)) > RTOL
