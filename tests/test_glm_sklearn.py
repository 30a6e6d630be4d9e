"""GLM as a scikit-learn estimator: ``score`` is scikit-learn's D^2 (checked against
scikit-learn's own GLMs and metrics), ``log_likelihood`` is statsmodels' log-likelihood, and
scikit-learn's ``check_estimator`` passes every check that applies to each family.

A check that does not apply is listed by name with the reason (``EXPECTED_FAILURES``); the
checks run with ``xfail_strict=True``, so a listed check that starts to pass fails here and must
be taken off the list.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from sklearn.base import is_regressor
from sklearn.linear_model import (
    GammaRegressor,
    LogisticRegression,
    PoissonRegressor,
    TweedieRegressor,
)
from sklearn.metrics import d2_log_loss_score, d2_tweedie_score, r2_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from glmnotes.exceptions import GLMWarning
from glmnotes.glm import GLM, log_likelihood

# -- score is D^2, as scikit-learn's GLMs --------------------------------------------------------


def _data(seed: int, n: int = 400):
    """Train and test halves of ``n`` rows of three standardised features."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return rng, X[: n // 2], X[n // 2 :]


def _exact(model, **fit):
    """A scikit-learn GLM without penalty, solved to the last digits (to match Newton's)."""
    return model.set_params(alpha=0.0, tol=1e-14, max_iter=10_000, **fit)


@pytest.mark.parametrize(
    ("family", "draw", "reference"),
    [
        (
            "poisson",
            lambda rng, mu: rng.poisson(mu).astype(float),
            PoissonRegressor(solver="newton-cholesky"),
        ),
        (
            "gamma",
            lambda rng, mu: rng.gamma(2.0, mu / 2.0),
            GammaRegressor(solver="newton-cholesky"),
        ),
        # exponential = gamma with the shape fixed at 1: the dispersion cancels in D^2
        (
            "exponential",
            lambda rng, mu: rng.exponential(mu),
            GammaRegressor(solver="newton-cholesky"),
        ),
        (
            "gaussian",
            lambda rng, mu: rng.normal(mu, 0.5),
            TweedieRegressor(power=0, link="log", solver="newton-cholesky"),
        ),
    ],
)
def test_score_is_scikit_learns_d2_with_the_log_link(family, draw, reference):
    """Same model, same link (log), fitted by glmnotes and by scikit-learn: the same D^2 on the
    training rows and on new rows, with and without sample weights."""
    rng, X_train, X_test = _data(1)
    theta = np.array([0.4, -0.3, 0.2])
    y_train = draw(rng, np.exp(0.5 + X_train @ theta))
    y_test = draw(rng, np.exp(0.5 + X_test @ theta))
    ours = GLM(family=family, link="log").fit(X_train, y_train)
    theirs = _exact(reference).fit(X_train, y_train)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-7)
    weights = rng.uniform(0.5, 2.0, size=len(y_test))
    for X, y, w in [(X_train, y_train, None), (X_test, y_test, None), (X_test, y_test, weights)]:
        assert ours.score(X, y, sample_weight=w) == pytest.approx(
            theirs.score(X, y, sample_weight=w), rel=1e-8
        )
    d2 = ours.score(X_test, y_test)
    assert 0.05 < d2 < 1  # a real fraction: the features explain part of the deviance
    # and scikit-learn's metric, on our own predictions (Tweedie power: 0, 1 or 2)
    power = {"gaussian": 0, "poisson": 1}.get(family, 2)
    expected = d2_tweedie_score(y_test, ours.predict(X_test), power=power)
    assert d2 == pytest.approx(expected, rel=1e-10)


def test_score_of_a_gaussian_glm_is_r2():
    """Canonical (identity) link: D^2 is the coefficient of determination, scikit-learn's
    ``r2_score`` and ``TweedieRegressor(power=0).score``."""
    rng, X_train, X_test = _data(2)
    y_train = 1.0 + X_train @ [1.0, 0.5, 0.0] + rng.normal(size=len(X_train))
    y_test = 1.0 + X_test @ [1.0, 0.5, 0.0] + rng.normal(size=len(X_test))
    ours = GLM().fit(X_train, y_train)
    theirs = _exact(TweedieRegressor(power=0, link="identity")).fit(X_train, y_train)
    for X, y in [(X_train, y_train), (X_test, y_test)]:
        assert ours.score(X, y) == pytest.approx(r2_score(y, ours.predict(X)), rel=1e-12)
        assert ours.score(X, y) == pytest.approx(theirs.score(X, y), rel=1e-8)
    assert ours.score(X_test, y_test) == pytest.approx(
        r2_score(y_test, theirs.predict(X_test)), rel=1e-8
    )


@pytest.mark.parametrize("classes", [2, 3])
def test_score_of_a_classifier_family_is_d2_of_the_log_loss(classes):
    """Bernoulli and multinomial: D^2 = 1 - log loss / log loss of the class frequencies,
    scikit-learn's ``d2_log_loss_score`` of an unpenalised ``LogisticRegression``'s
    probabilities (the same maximum-likelihood fit)."""
    rng, X_train, X_test = _data(3)
    coefficients = rng.normal(size=(3, classes))

    def labels(X):
        logits = X @ coefficients
        cumulative = np.cumsum(np.exp(logits) / np.exp(logits).sum(1, keepdims=True), axis=1)
        return (rng.uniform(size=(len(X), 1)) > cumulative).sum(axis=1)

    y_train, y_test = labels(X_train), labels(X_test)
    family = "bernoulli" if classes == 2 else "multinomial"
    ours = GLM(family=family).fit(X_train, y_train)
    theirs = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X_train, y_train)
    weights = rng.uniform(0.5, 2.0, size=len(y_test))
    for X, y, w in [(X_train, y_train, None), (X_test, y_test, None), (X_test, y_test, weights)]:
        expected = d2_log_loss_score(y, theirs.predict_proba(X), sample_weight=w)
        assert ours.score(X, y, sample_weight=w) == pytest.approx(expected, rel=1e-6)


def test_score_when_every_y_is_the_same_follows_scikit_learn():
    """A constant ``y`` has null deviance 0, so D^2 is not defined: -inf for an imperfect
    fit, as ``PoissonRegressor.score`` returns."""
    rng, X, _ = _data(4)
    y = rng.poisson(np.exp(0.2 + X[:, 0] * 0.3)).astype(float)
    ours = GLM(family="poisson").fit(X, y)
    theirs = _exact(PoissonRegressor(solver="newton-cholesky")).fit(X, y)
    constant = np.full(len(y), 2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # scikit-learn's division by 0
        expected = theirs.score(X, constant)
    assert expected == -np.inf
    assert ours.score(X, constant) == expected


def test_log_likelihood_is_statsmodels_log_likelihood_on_new_rows():
    """``GLM.log_likelihood`` on rows not used in the fit is statsmodels' family log-likelihood
    at statsmodels' predicted mean (gamma: at statsmodels' Pearson scale), and the free function
    :func:`glmnotes.glm.log_likelihood` at the fitted coefficients."""
    rng, X_train, X_test = _data(5)
    mu = lambda X: np.exp(0.3 + X @ [0.2, -0.1, 0.3])  # noqa: E731
    for family, sm_family, draw in [
        ("poisson", sm.families.Poisson(), lambda m: rng.poisson(m).astype(float)),
        ("gamma", sm.families.Gamma(sm.families.links.Log()), lambda m: rng.gamma(3.0, m / 3)),
    ]:
        y_train, y_test = draw(mu(X_train)), draw(mu(X_test))
        link = "log" if family == "gamma" else None
        ours = GLM(family=family, link=link).fit(X_train, y_train)
        fit = sm.GLM(y_train, sm.add_constant(X_train), family=sm_family).fit(tol=1e-13)
        expected = sm_family.loglike(y_test, fit.predict(sm.add_constant(X_test)), scale=fit.scale)
        assert ours.log_likelihood(X_test, y_test) == pytest.approx(expected, rel=1e-8)
        if family == "poisson":
            free = log_likelihood(family, X_test, y_test, ours.params_, fit_intercept=True)
            assert ours.log_likelihood(X_test, y_test) == pytest.approx(free, rel=1e-12)


@pytest.mark.parametrize(
    ("sample_weight", "message"),
    [
        (np.ones(3), r"sample_weight must have shape \(200,\)"),
        (np.r_[-1.0, np.ones(199)], "finite and non-negative; got -1.0 at index 0"),
        (np.r_[np.nan, np.ones(199)], "finite and non-negative; got nan at index 0"),
        (np.zeros(200), "sample_weight sums to 0"),
    ],
)
def test_score_rejects_bad_sample_weights(sample_weight, message):
    rng, X, _ = _data(6)
    y = rng.poisson(1.0, size=len(X)).astype(float)
    model = GLM(family="poisson").fit(X, y)
    with pytest.raises(ValueError, match=message):
        model.score(X, y, sample_weight=sample_weight)


def test_score_and_log_likelihood_reject_bad_y():
    rng, X, _ = _data(7)
    model = GLM(family="poisson").fit(X, rng.poisson(1.0, size=len(X)).astype(float))
    with pytest.raises(ValueError, match="Poisson: y must be non-negative integers"):
        model.score(X, np.full(len(X), -1.0))
    with pytest.raises(ValueError, match="X has 200 rows but y has 3 entries"):
        model.log_likelihood(X, [1.0, 2.0, 3.0])


def test_fit_input_conventions():
    """scikit-learn's conventions for ``y``: ``None`` is refused by name, a column vector is
    ravelled with a DataConversionWarning, and one sample is refused (``n_samples = 1``)."""
    from sklearn.exceptions import DataConversionWarning

    rng, X, _ = _data(8)
    y = X @ [1.0, 0.0, -1.0] + rng.normal(size=len(X))
    with pytest.raises(ValueError, match="requires y to be passed, but the target y is None"):
        GLM().fit(X, None)
    with pytest.warns(DataConversionWarning, match="A column-vector y was passed"):
        column = GLM().fit(X, y[:, None])
    np.testing.assert_array_equal(column.coef_, GLM().fit(X, y).coef_)
    with pytest.raises(ValueError, match="n_samples = 1"):
        GLM().fit(X[:1], y[:1])
    assert is_regressor(GLM(family="bernoulli"))


# -- scikit-learn's check_estimator -------------------------------------------------------------

_COUNTS = (
    "draws a continuous y (made positive by the positive_only tag), and the poisson family "
    "takes counts only: GLM(family='poisson').fit raises 'y must be non-negative integers'"
)
_NOT_BINARY = (
    "draws y with values other than 0 and 1 (e.g. 0, 1, 2, or continuous), and the bernoulli "
    "family takes 0/1 only: GLM(family='bernoulli').fit raises 'y must be 0 or 1'"
)
_NOT_LABELS = (
    "draws a continuous y (a regression target), and the multinomial family takes integer "
    "class labels only: GLM(family='multinomial').fit raises 'y must be integer class labels'"
)
_CONTINUOUS_Y = (
    "check_n_features_in_after_fitting",
    "check_regressors_train",
    "check_regressor_data_not_an_array",
    "check_regressors_no_decision_function",
    "check_fit_idempotent",
    "check_fit_check_is_fitted",
    "check_n_features_in",
)
_INTEGER_Y_NOT_BINARY = (
    "check_fit_score_takes_y",
    "check_estimators_overwrite_params",
    "check_dont_overwrite_parameters",
    "check_estimators_fit_returns_self",
    "check_readonly_memmap_input",
    "check_positive_only_tag_during_fit",  # iris: y in {0, 1, 2}
    "check_estimators_dtypes",
    "check_dtype_object",
    "check_f_contiguous_array_estimator",
    "check_supervised_y_2d",
    "check_regressors_int",
    "check_non_transformer_estimators_n_iter",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_fit2d_1feature",
    "check_dict_unchanged",
    "check_fit2d_predict1d",
)

#: family -> {check name: why it does not apply}; every other check must pass.
EXPECTED_FAILURES = {
    "gaussian": {},
    "gamma": {},
    "exponential": {},
    "poisson": dict.fromkeys(_CONTINUOUS_Y, _COUNTS),
    "bernoulli": dict.fromkeys(_CONTINUOUS_Y + _INTEGER_Y_NOT_BINARY, _NOT_BINARY),
    "multinomial": dict.fromkeys(_CONTINUOUS_Y, _NOT_LABELS),
}


def _expected_failures(estimator: GLM) -> dict[str, str]:
    return EXPECTED_FAILURES[estimator.family]


@parametrize_with_checks(
    [GLM(family=family) for family in EXPECTED_FAILURES],
    expected_failed_checks=_expected_failures,
    xfail_strict=True,
)
def test_scikit_learn_check_estimator(estimator, check):
    with warnings.catch_warnings():
        # the checks fit tiny or separable data sets on purpose; GLM says so, and goes on
        warnings.simplefilter("ignore", GLMWarning)
        check(estimator)
