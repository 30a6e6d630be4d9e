"""Tests for glmnotes.glm.comparison (glmnotes beside statsmodels and scikit-learn) and for
glmnotes.glm.fixed_step_path (the notes' update with a fixed step)."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy.special import expit, softmax
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from glmnotes import glm
from glmnotes.evidence import EvidenceError
from glmnotes.glm import GLM
from glmnotes.glm.comparison import (
    INFERENCE_NUMBERS,
    SKLEARN_TIGHT,
    STATSMODELS_PARAMS_TIGHT,
    STATSMODELS_TIGHT,
    fit_report,
    inference_gaps,
    intercept_first,
    relative_to_first_class,
    side_by_side,
)


@pytest.fixture(scope="module")
def logistic_data():
    rng = np.random.default_rng(4)
    X = np.column_stack([np.ones(120), rng.normal(size=(120, 2))])
    y = (rng.uniform(size=120) < expit(X @ np.array([0.3, -1.0, 0.8]))).astype(float)
    return X, y


def test_intercept_first_matches_statsmodels_order(logistic_data):
    X, y = logistic_data
    ours = GLM("bernoulli").fit(X[:, 1:], y)
    reference = sm.Logit(y, X).fit(disp=0, **STATSMODELS_TIGHT)
    np.testing.assert_allclose(intercept_first(ours), reference.params, atol=1e-8)


def test_relative_to_first_class_keeps_the_softmax_probabilities():
    iris = load_iris()
    X = iris.data[:, :2]
    model = LogisticRegression(C=np.inf, **SKLEARN_TIGHT).fit(X, iris.target)
    relative = relative_to_first_class(model.intercept_, model.coef_)
    assert relative.shape == (3, 2)  # intercept and two features, for classes 2 and 3
    design = np.column_stack([np.ones(len(X)), X])
    scores = np.column_stack([np.zeros(len(X)), design @ relative])
    np.testing.assert_allclose(softmax(scores, axis=1), model.predict_proba(X), atol=1e-10)


def test_side_by_side_prints_bounds_and_formats_the_table(capsys):
    table = side_by_side(
        ["a", "b"],
        {"glmnotes": np.array([1.0, 2.0]), "other": np.array([1.0, 2.0 + 1e-12])},
        {"glmnotes": -3.0, "other": -3.0},
    )
    printed = capsys.readouterr().out
    assert "other: largest |coefficient difference| < 1e-08" in printed
    assert list(table.index) == ["a", "b", "log-likelihood"]
    assert table.loc["b", "other"] == "2" and table.loc["log-likelihood", "glmnotes"] == "-3"


def test_side_by_side_refuses_a_real_difference():
    with pytest.raises(EvidenceError):
        side_by_side(["a"], {"glmnotes": [1.0], "other": [1.001]}, {"glmnotes": 0, "other": 0})


def test_fit_report(logistic_data):
    X, y = logistic_data
    model = GLM("bernoulli").fit(X[:, 1:], y)
    assert fit_report(model) == (f"glmnotes: {model.n_iter_} Newton iteration(s), converged: True")


def test_fixed_step_path_is_the_update_written_out(logistic_data):
    X, y = logistic_data
    path = glm.fixed_step_path(X, y, expit, 0.01, 5)
    theta = np.zeros(3)
    for row in path:
        theta = theta + 0.01 * X.T @ (y - expit(X @ theta))
        np.testing.assert_allclose(row, theta, rtol=1e-14)
    assert path.shape == (5, 3)


def test_fixed_step_path_with_the_mean_reaches_the_maximum(logistic_data):
    X, y = logistic_data
    path = glm.fixed_step_path(X, y, expit, 1.0 / len(y), 20_000)
    mle = sm.Logit(y, X).fit(disp=0).params
    np.testing.assert_allclose(path[-1], mle, atol=1e-8)


def test_fixed_step_path_stops_at_the_first_overflow(logistic_data):
    X, y = logistic_data
    path = glm.fixed_step_path(X, y, lambda eta: np.logaddexp(0.0, eta), 1.0, 5000)
    assert not np.all(np.isfinite(path[-1]))
    assert np.all(np.isfinite(path[:-1])) and len(path) < 5000


def test_fixed_step_path_checks_its_iterations(logistic_data):
    X, y = logistic_data
    with pytest.raises(ValueError, match="iterations"):
        glm.fixed_step_path(X, y, expit, 0.1, 0)


def _poisson_fits():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((400, 2))
    y = rng.poisson(np.exp(0.3 + X @ np.array([0.4, -0.2]))).astype(float)
    ours = GLM("poisson").fit(X, y)
    reference = sm.GLM(y, sm.add_constant(X), family=sm.families.Poisson())
    return ours, reference.fit(**STATSMODELS_PARAMS_TIGHT)


def test_inference_gaps_names_every_number_and_agrees_with_statsmodels():
    ours, reference = _poisson_fits()
    gaps = inference_gaps(ours, reference)
    expected = {mine for mine, _ in INFERENCE_NUMBERS}
    expected |= {"cov_params_", "pvalues_", "conf_int(0.05)", "conf_int(0.1)"}
    assert set(gaps) == expected
    assert max(gaps.values()) < 1e-8


def test_inference_gaps_sees_a_wrong_standard_error_and_sign():
    ours, reference = _poisson_fits()
    ours.bse_ = ours.bse_ * 1.01
    gaps = inference_gaps(ours, reference)
    assert 0.009 < gaps["bse_"] < 0.011
    ours, reference = _poisson_fits()
    assert inference_gaps(ours, reference, sign=-1.0)["params_"] > 1.9
