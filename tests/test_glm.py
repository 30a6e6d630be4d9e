"""Tests of glmnotes.glm against statsmodels, scikit-learn, finite differences and PyTorch.

Reference fits use tight tolerances (statsmodels ``tol=1e-13`` or Newton, scikit-learn
``tol=1e-12``) so that agreement to 1e-8 is meaningful. Data: what scikit-learn and statsmodels
ship (randhie, breast cancer, anes96, iris, scotland, diabetes) and generated data with fixed
seeds.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats
from scipy.special import expit
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.exceptions import ConvergenceWarning as SklearnConvergenceWarning
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression, PoissonRegressor
from sklearn.metrics import d2_log_loss_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from glmnotes.exceptions import (
    ConvergenceWarning,
    GLMWarning,
    PerfectSeparationWarning,
    RankDeficientWarning,
)
from glmnotes.families import (
    Bernoulli,
    Beta,
    ExponentialFamily,
    Gamma,
    GammaShapeRate,
    Gaussian,
    Multinomial,
    Poisson,
)
from glmnotes.glm import (
    GLM,
    fisher_information,
    gradient_ascent,
    hessian,
    linear_predictor,
    log_likelihood,
    log_likelihood_gradient,
    newton_irls,
    separation_direction,
)
from glmnotes.links import Link, Log, Logit, NegativeInverse

links = sm.families.links


def coefficients(model: GLM) -> np.ndarray:
    """Intercept and coefficients as one vector (statsmodels' order with add_constant)."""
    if model.coef_.ndim == 1:
        return np.r_[model.intercept_, model.coef_]
    return np.vstack([model.intercept_, model.coef_.T])


def fit_quietly(model, X, y):
    """Fit, failing on any glmnotes warning (well-posed data must not warn)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", GLMWarning)
        return model.fit(X, y)


def standardise(X: np.ndarray) -> np.ndarray:
    return (X - X.mean(axis=0)) / X.std(axis=0)


@pytest.fixture(scope="module")
def breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return standardise(X), y.astype(float)


# ---------------------------------------------------------------------------------------------
# Agreement with statsmodels and scikit-learn on shipped data
# ---------------------------------------------------------------------------------------------


def test_poisson_matches_statsmodels_and_sklearn_on_randhie():
    data = sm.datasets.randhie.load_pandas().data
    y = data["mdvis"].to_numpy(float)
    X = data.drop(columns="mdvis").to_numpy(float)
    model = fit_quietly(GLM(family="poisson"), X, y)
    reference = sm.GLM(y, sm.add_constant(X), family=sm.families.Poisson()).fit(tol=1e-13)
    assert model.converged_
    np.testing.assert_allclose(coefficients(model), reference.params, rtol=0, atol=1e-8)
    assert model.loglik_history_[-1] == pytest.approx(reference.llf, rel=1e-12)
    assert model.log_likelihood(X, y) == pytest.approx(reference.llf, rel=1e-12)
    sklearn = PoissonRegressor(alpha=0, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    sklearn.fit(X, y)
    np.testing.assert_allclose(model.coef_, sklearn.coef_, rtol=0, atol=1e-8)
    assert model.intercept_ == pytest.approx(sklearn.intercept_, abs=1e-8)


def test_logistic_matches_sklearn_and_statsmodels_on_breast_cancer(breast_cancer):
    X, y = breast_cancer
    X = X[:, :10]  # with all 30 features the classes are separable (tested below)
    assert separation_direction("bernoulli", X, y, fit_intercept=True) is None
    model = fit_quietly(GLM(family="bernoulli"), X, y)
    sklearn = LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    sklearn.fit(X, y)
    np.testing.assert_allclose(model.coef_, sklearn.coef_[0], rtol=0, atol=1e-8)
    assert model.intercept_ == pytest.approx(sklearn.intercept_[0], abs=1e-8)
    reference = sm.Logit(y, sm.add_constant(X)).fit(method="newton", tol=1e-10, disp=0)
    np.testing.assert_allclose(coefficients(model), reference.params, rtol=0, atol=1e-8)
    assert model.log_likelihood(X, y) == pytest.approx(reference.llf, rel=1e-12)
    np.testing.assert_allclose(model.predict_proba(X), sklearn.predict_proba(X), atol=1e-9)


def test_breast_cancer_with_all_features_is_separated(breast_cancer):
    X, y = breast_cancer
    with pytest.warns(PerfectSeparationWarning, match="maximum-likelihood estimate does not exist"):
        model = GLM(family="bernoulli").fit(X, y)
    assert not model.converged_
    direction = separation_direction("bernoulli", X, y, fit_intercept=True)
    margins = (2 * y - 1) * linear_predictor(X, direction, fit_intercept=True)
    assert margins.min() >= -1e-7 and margins.max() > 1e-3
    theta = coefficients(model)
    along = [
        log_likelihood("bernoulli", X, y, theta + s * direction, fit_intercept=True)
        for s in (0.0, 1.0, 10.0)
    ]
    assert along[0] < along[1] < along[2] <= 0  # climbing towards the supremum 0


def reference_from_first_class(params: np.ndarray) -> np.ndarray:
    """statsmodels MNLogit (reference = first class) -> glmnotes (reference = last class)."""
    full = np.column_stack([np.zeros(len(params)), params])  # class 0 has zero coefficients
    return full[:, :-1] - full[:, [-1]]


def test_multinomial_matches_mnlogit_and_sklearn_on_anes96():
    data = sm.datasets.anes96.load_pandas().data
    y = data["PID"].to_numpy()
    X = data[["logpopul", "selfLR", "age", "educ", "income"]].to_numpy(float)
    model = fit_quietly(GLM(family="multinomial"), X, y)
    assert model.coef_.shape == (6, 5) and model.intercept_.shape == (6,)
    np.testing.assert_array_equal(model.classes_, np.arange(7))
    reference = sm.MNLogit(y, sm.add_constant(X)).fit(method="newton", tol=1e-14, disp=0)
    expected = reference_from_first_class(np.asarray(reference.params))
    np.testing.assert_allclose(coefficients(model), expected, rtol=0, atol=1e-8)
    assert model.log_likelihood(X, y) == pytest.approx(reference.llf, rel=1e-12)
    # scikit-learn centres its k coefficient vectors; subtract the last class to compare
    sklearn = LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    sklearn.fit(X, y)
    np.testing.assert_allclose(
        model.coef_, sklearn.coef_[:-1] - sklearn.coef_[-1], rtol=0, atol=1e-7
    )
    np.testing.assert_allclose(model.predict_proba(X), sklearn.predict_proba(X), atol=1e-8)
    np.testing.assert_allclose(model.predict(X), model.predict_proba(X))


def test_iris_with_all_features_is_separated():
    X, y = load_iris(return_X_y=True)
    with pytest.warns(PerfectSeparationWarning, match="perfectly separated"):
        model = GLM(family="multinomial").fit(X, y)
    assert not model.converged_
    assert separation_direction("multinomial", X[:, 1:2], y, fit_intercept=True) is None


def test_gamma_matches_statsmodels_on_scotland():
    data = sm.datasets.scotland.load_pandas()
    X, y = data.exog.to_numpy(float), data.endog.to_numpy(float)
    # canonical link: eta = -1/mu; statsmodels' InversePower models 1/mu = -eta
    model = fit_quietly(GLM(family="gamma"), X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' DomainWarning about InversePower
        reference = sm.GLM(y, sm.add_constant(X), family=sm.families.Gamma()).fit(tol=1e-13)
    np.testing.assert_allclose(-coefficients(model), reference.params, rtol=1e-8, atol=0)
    assert model.dispersion_ == pytest.approx(reference.scale, rel=1e-8)
    assert model.log_likelihood(X, y) == pytest.approx(reference.llf, rel=1e-10)
    np.testing.assert_allclose(model.predict(X), reference.fittedvalues, rtol=1e-9)
    # log link
    model = fit_quietly(GLM(family="gamma", link="log"), X, y)
    reference = sm.GLM(y, sm.add_constant(X), family=sm.families.Gamma(links.Log())).fit(tol=1e-13)
    np.testing.assert_allclose(coefficients(model), reference.params, rtol=0, atol=1e-8)
    assert model.dispersion_ == pytest.approx(reference.scale, rel=1e-8)
    assert model.log_likelihood(X, y) == pytest.approx(reference.llf, rel=1e-10)


def test_gamma_log_link_matches_statsmodels_on_diabetes():
    X, y = load_diabetes(return_X_y=True)
    X = standardise(X)
    model = fit_quietly(GLM(family="gamma", link="log"), X, y)
    reference = sm.GLM(y, sm.add_constant(X), family=sm.families.Gamma(links.Log())).fit(tol=1e-13)
    np.testing.assert_allclose(coefficients(model), reference.params, rtol=0, atol=1e-8)
    assert model.log_likelihood(X, y) == pytest.approx(reference.llf, rel=1e-10)


# ---------------------------------------------------------------------------------------------
# Agreement on generated data
# ---------------------------------------------------------------------------------------------


def generated(n: int = 2000, p: int = 4, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    theta = rng.normal(0, 0.4, p)
    return rng, X, theta


def test_generated_poisson_and_logistic_match_references():
    rng, X, theta = generated()
    y = rng.poisson(np.exp(0.2 + X @ theta)).astype(float)
    model = fit_quietly(GLM(family="poisson"), X, y)
    sklearn = PoissonRegressor(alpha=0, solver="newton-cholesky", tol=1e-12).fit(X, y)
    np.testing.assert_allclose(model.coef_, sklearn.coef_, atol=1e-8, rtol=0)
    y = rng.binomial(1, expit(-0.3 + 2 * X @ theta)).astype(float)
    model = fit_quietly(GLM(family="bernoulli"), X, y)
    reference = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial()).fit(tol=1e-13)
    np.testing.assert_allclose(coefficients(model), reference.params, atol=1e-8, rtol=0)


def test_gaussian_is_least_squares():
    rng, X, theta = generated(n=300)
    y = 1.5 + X @ theta + 0.7 * rng.standard_normal(300)
    model = fit_quietly(GLM(), X, y)
    design = np.column_stack([np.ones(300), X])
    expected, residual_ss, *_ = np.linalg.lstsq(design, y, rcond=None)
    np.testing.assert_allclose(coefficients(model), expected, atol=1e-12, rtol=0)
    assert model.dispersion_ == pytest.approx(residual_ss[0] / 300, rel=1e-10)
    ols = sm.OLS(y, design).fit()
    assert model.log_likelihood(X, y) == pytest.approx(ols.llf, rel=1e-12)


def test_gaussian_log_link_matches_statsmodels():
    rng, X, theta = generated(n=500)
    y = np.exp(1.0 + 0.5 * X @ theta) + 0.3 * rng.standard_normal(500)
    model = fit_quietly(GLM(family="gaussian", link="log"), X, y)
    reference = sm.GLM(y, sm.add_constant(X), family=sm.families.Gaussian(links.Log())).fit(
        tol=1e-13
    )
    np.testing.assert_allclose(coefficients(model), reference.params, atol=1e-8, rtol=0)
    # log-likelihood at the maximum-likelihood sigma^2 = RSS / n (statsmodels' llf uses
    # RSS / (n - p) for non-identity links, so compute the reference with scipy)
    residuals = y - reference.fittedvalues
    sigma = np.sqrt(np.mean(residuals**2))
    expected = np.sum(stats.norm.logpdf(y, reference.fittedvalues, sigma))
    assert model.dispersion_ == pytest.approx(sigma**2, rel=1e-10)
    assert model.log_likelihood(X, y) == pytest.approx(expected, rel=1e-12)


def test_exponential_is_gamma_with_unit_dispersion():
    rng, X, theta = generated(n=800)
    y = rng.exponential(np.exp(0.4 + X @ theta))
    model = fit_quietly(GLM(family="exponential", link="log"), X, y)
    reference = sm.GLM(y, sm.add_constant(X), family=sm.families.Gamma(links.Log())).fit(
        tol=1e-13, scale=1.0
    )
    np.testing.assert_allclose(coefficients(model), reference.params, atol=1e-8, rtol=0)
    assert model.dispersion_ == 1.0
    assert model.log_likelihood(X, y) == pytest.approx(reference.llf, rel=1e-12)
    # canonical link eta = -1/mu = -rate, with data for which the rate is linear and positive
    X = rng.uniform(-1, 1, (800, 4))
    y = rng.exponential(1 / (2.0 + X @ theta))
    model = fit_quietly(GLM(family="exponential"), X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' DomainWarning about InversePower
        reference = sm.GLM(y, sm.add_constant(X), family=sm.families.Gamma()).fit(
            tol=1e-13, scale=1.0
        )
    np.testing.assert_allclose(-coefficients(model), reference.params, atol=1e-8, rtol=0)
    assert model.log_likelihood(X, y) == pytest.approx(reference.llf, rel=1e-12)


def test_canonical_gamma_stays_in_the_parameter_space():
    # Misspecified data (log-linear mean): statsmodels' InversePower fit leaves the parameter
    # space (some fitted means negative); ours is the constrained maximum with a zero gradient.
    rng, X, theta = generated(n=800)
    y = rng.exponential(np.exp(0.4 + X @ theta))
    model = fit_quietly(GLM(family="exponential"), X, y)
    theta_hat = coefficients(model)
    assert np.all(linear_predictor(X, theta_hat, fit_intercept=True) < 0)
    gradient = log_likelihood_gradient("exponential", X, y, theta_hat, fit_intercept=True)
    information = fisher_information("exponential", X, theta_hat, fit_intercept=True)
    assert np.max(np.abs(np.linalg.solve(information, gradient))) < 1e-9  # Newton step ~ 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = sm.GLM(y, sm.add_constant(X), family=sm.families.Gamma()).fit(scale=1.0)
    outside = -np.asarray(reference.params)
    assert np.max(linear_predictor(X, outside, fit_intercept=True)) > 0
    assert log_likelihood("exponential", X, y, outside, fit_intercept=True) == -np.inf


def test_extreme_but_well_posed_logistic_has_no_nan():
    rng, X, _ = generated(n=3000, p=2)
    eta = 12 * X[:, 0] - 9 * X[:, 1]  # |eta| reaches ~40: probabilities 1 - 1e-17
    y = rng.binomial(1, expit(eta)).astype(float)
    assert separation_direction("bernoulli", X, y, fit_intercept=True) is None
    model = fit_quietly(GLM(family="bernoulli"), X, y)
    assert model.converged_ and np.all(np.isfinite(coefficients(model)))
    reference = sm.Logit(y, sm.add_constant(X)).fit(method="newton", tol=1e-10, disp=0)
    np.testing.assert_allclose(coefficients(model), reference.params, rtol=1e-8)


# ---------------------------------------------------------------------------------------------
# Score, Hessian and information against finite differences and PyTorch
# ---------------------------------------------------------------------------------------------


def problem(name: str, seed: int = 3):
    """(family, link, X, y, theta) with a point theta where the log-likelihood is finite."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((60, 3))
    theta = rng.normal(0, 0.3, 4)
    if name == "multinomial":
        theta = rng.normal(0, 0.5, (4, 2))
        return Multinomial(3), None, X, rng.integers(0, 3, 60), theta
    if name == "bernoulli":
        return "bernoulli", None, X, rng.integers(0, 2, 60).astype(float), theta
    if name == "poisson":
        return "poisson", None, X, rng.poisson(2.0, 60).astype(float), theta
    if name == "gaussian_sigma":
        return Gaussian(sigma=1.7), None, X, rng.standard_normal(60), theta
    if name == "gaussian_log":
        return "gaussian", "log", X, rng.normal(1.0, 1.0, 60), theta
    y = rng.gamma(2.0, 1.0, 60)
    if name == "gamma_log":
        return Gamma(shape=2.5), "log", X, y, theta
    if name == "exponential_canonical":
        theta[0] = -3.0  # eta = -3 + x theta stays negative for these x
        return "exponential", None, X, y, theta
    raise AssertionError(name)


PROBLEMS = [
    "multinomial",
    "bernoulli",
    "poisson",
    "gaussian_sigma",
    "gaussian_log",
    "gamma_log",
    "exponential_canonical",
]


def directional_derivative(f, theta, direction, h=1e-4):
    """4th-order central difference of f along ``direction``."""
    values = [f(theta + k * h * direction) for k in (-2, -1, 1, 2)]
    return (values[0] - 8 * values[1] + 8 * values[2] - values[3]) / (12 * h)


@pytest.mark.parametrize("name", PROBLEMS)
def test_gradient_and_hessian_are_derivatives(name):
    family, link, X, y, theta = problem(name)
    rng = np.random.default_rng(1)
    kw = dict(link=link, fit_intercept=True)
    gradient = log_likelihood_gradient(family, X, y, theta, **kw)
    matrix = hessian(family, X, y, theta, **kw)
    for _ in range(3):
        direction = rng.standard_normal(theta.shape)
        slope = directional_derivative(
            lambda t: log_likelihood(family, X, y, t, **kw), theta, direction
        )
        assert np.sum(gradient * direction) == pytest.approx(slope, rel=1e-7, abs=1e-8)
        change = directional_derivative(
            lambda t: log_likelihood_gradient(family, X, y, t, **kw), theta, direction
        )
        flat = direction.T.ravel()  # class-major order for the multinomial blocks
        np.testing.assert_allclose(matrix @ flat, change.T.ravel(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", PROBLEMS)
def test_fisher_information_is_expected_negative_hessian(name):
    family, link, X, y, theta = problem(name)
    kw = dict(link=link, fit_intercept=True)
    information = fisher_information(family, X, theta, **kw)
    assert np.allclose(information, information.T)
    if link is None:  # canonical: observed and expected information coincide
        np.testing.assert_allclose(information, -hessian(family, X, y, theta, **kw), rtol=1e-12)
    else:  # the observed Hessian is linear in y, so E[-H] is -H at y = mu
        mu = np.exp(linear_predictor(X, theta, fit_intercept=True))
        np.testing.assert_allclose(information, -hessian(family, X, mu, theta, **kw), rtol=1e-10)


def test_gradient_and_hessian_match_pytorch():
    torch = pytest.importorskip("torch", reason="PyTorch is an optional oracle")
    family, _, X, y, theta = problem("multinomial")
    design = torch.tensor(np.column_stack([np.ones(len(X)), X]))
    labels = torch.tensor(y)

    def log_likelihood_torch(flat):
        eta = design @ flat.reshape(2, 4).T  # class-major vector -> (q, k-1)
        full = torch.cat([eta, torch.zeros(len(eta), 1, dtype=eta.dtype)], dim=1)
        return torch.sum(full[torch.arange(len(full)), labels] - torch.logsumexp(full, dim=1))

    flat = torch.tensor(theta.T.ravel(), requires_grad=True)
    gradient = torch.autograd.grad(log_likelihood_torch(flat), flat)[0].numpy()
    matrix = torch.autograd.functional.hessian(log_likelihood_torch, flat).numpy()
    np.testing.assert_allclose(
        log_likelihood_gradient(family, X, y, theta, fit_intercept=True).T.ravel(),
        gradient,
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        hessian(family, X, y, theta, fit_intercept=True), matrix, rtol=1e-10, atol=1e-12
    )
    value = log_likelihood(family, X, y, theta, fit_intercept=True)
    assert value == pytest.approx(float(log_likelihood_torch(flat.detach())), rel=1e-13)


# ---------------------------------------------------------------------------------------------
# Solvers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["bernoulli", "poisson", "multinomial", "gamma_log"])
def test_gradient_ascent_reaches_the_newton_optimum(name):
    rng, X, theta = generated(n=400, p=3, seed=5)
    if name == "bernoulli":
        family, link, y = "bernoulli", None, rng.binomial(1, expit(X @ theta)).astype(float)
    elif name == "poisson":
        family, link, y = "poisson", None, rng.poisson(np.exp(0.5 + X @ theta)).astype(float)
    elif name == "gamma_log":
        family, link, y = "gamma", "log", rng.gamma(2.0, np.exp(X @ theta) / 2.0)
    else:
        family, link, y = Multinomial(3), None, rng.integers(0, 3, 400)
    newton = newton_irls(family, X, y, link=link, fit_intercept=True)
    ascent = gradient_ascent(family, X, y, link=link, fit_intercept=True, tol=1e-8)
    assert newton.converged and ascent.converged
    np.testing.assert_allclose(ascent.theta, newton.theta, atol=1e-6)
    assert np.all(np.diff(ascent.loglik_history) >= -1e-9)
    estimator = GLM(family=family if isinstance(family, str) else "multinomial", link=link)
    estimator.set_params(solver="gradient", tol=1e-8)
    np.testing.assert_allclose(coefficients(fit_quietly(estimator, X, y)), newton.theta, atol=1e-6)


def test_gradient_ascent_takes_the_notes_step():
    rng, X, _ = generated(n=50, p=2)
    y = rng.binomial(1, 0.5, 50).astype(float)
    theta0 = np.zeros(3)
    with pytest.warns(ConvergenceWarning):
        result = gradient_ascent(
            "bernoulli", X, y, theta0=theta0, learning_rate=0.1, max_iter=1, fit_intercept=True
        )
    design = np.column_stack([np.ones(50), X])
    expected = theta0 + 0.1 / 50 * design.T @ (y - expit(design @ theta0))
    np.testing.assert_allclose(result.theta, expected, rtol=1e-14)
    assert result.n_iter == 1 and not result.converged


def test_newton_history_increases_and_ends_at_the_log_likelihood():
    rng, X, theta = generated(n=500, p=3, seed=2)
    y = rng.poisson(np.exp(1.0 + X @ theta)).astype(float)
    result = newton_irls(Poisson(), X, y, theta0=np.zeros(4), fit_intercept=True)
    history = np.array(result.loglik_history)
    assert np.all(np.diff(history) > 0) and len(history) == result.n_iter + 1
    final = log_likelihood("poisson", X, y, result.theta, fit_intercept=True)
    assert history[-1] == pytest.approx(final, rel=1e-14)
    assert (
        np.max(np.abs(log_likelihood_gradient("poisson", X, y, result.theta, fit_intercept=True)))
        < 1e-8
    )


def test_step_halving_rescues_a_bad_start():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((300, 2))
    y = rng.binomial(1, expit(0.3 + X @ [0.5, -0.4])).astype(float)
    start = np.array([0.0, 3.0, 3.0])
    kw = dict(fit_intercept=True)
    # from here a full Newton step overshoots: the log-likelihood drops
    full_step = start + np.linalg.solve(
        fisher_information("bernoulli", X, start, **kw),
        log_likelihood_gradient("bernoulli", X, y, start, **kw),
    )
    assert log_likelihood("bernoulli", X, y, full_step, **kw) < log_likelihood(
        "bernoulli", X, y, start, **kw
    )
    result = newton_irls("bernoulli", X, y, theta0=start, **kw)
    reference = newton_irls("bernoulli", X, y, **kw)
    assert result.converged and np.all(np.diff(result.loglik_history) > 0)
    np.testing.assert_allclose(result.theta, reference.theta, atol=1e-10)


def test_convergence_warning_is_a_sklearn_convergence_warning():
    rng, X, theta = generated(n=200, p=3)
    y = rng.poisson(np.exp(1 + X @ theta)).astype(float)
    with pytest.warns(SklearnConvergenceWarning, match="did not converge"):
        model = GLM(family="poisson", max_iter=1).fit(X, y)
    assert not model.converged_ and model.n_iter_ == 1
    assert issubclass(ConvergenceWarning, SklearnConvergenceWarning)


# ---------------------------------------------------------------------------------------------
# Existence of the estimate and rank
# ---------------------------------------------------------------------------------------------


def test_quasi_complete_separation_is_detected():
    X = np.array([[-3.0], [-2.0], [-1.0], [0.0], [0.0], [1.0], [2.0], [3.0]])
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1.0])  # overlap only at x = 0
    with pytest.warns(PerfectSeparationWarning):
        model = GLM(family="bernoulli").fit(X, y)
    assert not model.converged_
    y_overlapping = np.array([0, 1, 0, 0, 1, 0, 1, 1.0])
    assert separation_direction("bernoulli", X, y_overlapping, fit_intercept=True) is None
    fit_quietly(GLM(family="bernoulli"), X, y_overlapping)


def test_a_single_class_means_no_estimate():
    rng, X, _ = generated(n=50, p=2)
    with pytest.warns(PerfectSeparationWarning):
        model = GLM(family="bernoulli").fit(X, np.ones(50))
    assert not model.converged_ and model.intercept_ > 5  # heading for +infinity


def test_sparse_input_is_refused_with_advice():
    from scipy import sparse

    with pytest.raises(ValueError, match=r"sparse input is not supported; pass X.toarray\(\)"):
        GLM().fit(sparse.csr_matrix(X_OK), np.zeros(6))
    with pytest.raises(TypeError, match="X must be numeric"):
        GLM().fit(np.array([[{"a": 1}, 2.0]] * 6, dtype=object), np.zeros(6))


def test_poisson_zero_counts_that_can_be_fitted_exactly_are_detected():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(100)
    y = np.where(x > 0, 0.0, rng.poisson(3.0, 100) + 1.0)  # zero counts exactly where x > 0
    X = np.column_stack([x, np.maximum(x, 0)])
    direction = separation_direction("poisson", X, y, fit_intercept=True)
    assert direction is not None
    with pytest.warns(PerfectSeparationWarning, match="zero counts"):
        model = GLM(family="poisson").fit(X, y)
    assert not model.converged_


def test_rank_deficient_design_gives_the_minimum_norm_fit():
    rng, X, theta = generated(n=400, p=3, seed=6)
    y = rng.poisson(np.exp(0.3 + X @ theta)).astype(float)
    collinear = np.column_stack([X, X[:, 0] + 2 * X[:, 1], np.zeros(400)])
    with pytest.warns(RankDeficientWarning, match="rank 4 < 6 columns"):
        model = GLM(family="poisson").fit(collinear, y)
    assert model.rank_ == 4 and model.converged_
    reduced = fit_quietly(GLM(family="poisson"), X, y)
    design = np.column_stack([np.ones(400), collinear])
    embedded = np.r_[coefficients(reduced), 0.0, 0.0]
    minimum_norm = np.linalg.pinv(design) @ (design @ embedded)  # same fit, no null component
    np.testing.assert_allclose(coefficients(model), minimum_norm, atol=1e-9)
    np.testing.assert_allclose(model.predict(collinear), reduced.predict(X), rtol=1e-10)


def test_rank_deficient_multinomial():
    rng, X, _ = generated(n=300, p=2, seed=7)
    y = rng.integers(0, 3, 300)
    doubled = np.column_stack([X, 2 * X[:, 0]])
    with pytest.warns(RankDeficientWarning):
        model = GLM(family="multinomial").fit(doubled, y)
    reduced = fit_quietly(GLM(family="multinomial"), X, y)
    np.testing.assert_allclose(model.predict_proba(doubled), reduced.predict_proba(X), atol=1e-10)
    # minimum norm: the coefficients of the two copies are in ratio 1 : 2
    np.testing.assert_allclose(model.coef_[:, 2], 2 * model.coef_[:, 0], rtol=1e-8)


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------

X_OK = np.random.default_rng(0).standard_normal((6, 2))


@pytest.mark.parametrize(
    ("params", "X", "y", "message"),
    [
        (
            {},
            np.where(np.eye(6, 2) == 1, np.nan, X_OK),
            np.zeros(6),
            r"X must be finite; got nan at index \(0, 0\)",
        ),
        ({}, X_OK, np.r_[np.zeros(5), np.inf], r"Gaussian: y must be finite; got inf at index 5"),
        ({}, X_OK, np.zeros(5), r"y must be 1-d with one entry per row of X \(6\)"),
        ({}, X_OK[:, 0], np.zeros(6), r"X must be a 2-d array .*Reshape your data"),
        ({}, X_OK[:, :0], np.zeros(6), r"X has 6 sample\(s\) and 0 feature\(s\)"),
        ({}, X_OK + 1j, np.zeros(6), r"Complex data not supported"),
        (
            {"family": "poisson"},
            X_OK,
            [0, 1, 2, -1, 0, 1],
            r"Poisson: y must be non-negative integers .*-1\.0 at index 3",
        ),
        (
            {"family": "poisson"},
            X_OK,
            [0, 1, 2, 1.5, 0, 1],
            r"Poisson: y must be non-negative integers .*1\.5 at index 3",
        ),
        (
            {"family": "bernoulli"},
            X_OK,
            [0, 1, 2, 1, 0, 1],
            r"Bernoulli: y must be 0 or 1; got 2\.0 at index 2",
        ),
        (
            {"family": "gamma"},
            X_OK,
            [1, 2, 0, 1, 3, 1.0],
            r"Gamma: y must be positive; got 0\.0 at index 2",
        ),
        (
            {"family": "multinomial"},
            X_OK,
            [0, 1, 2, 0.5, 1, 2],
            r"multinomial: y must be integer class labels; got 0\.5 at index 3",
        ),
        ({"family": "multinomial"}, X_OK, [1] * 6, r"multinomial: y has one class, \[1\]"),
        ({"family": "beta"}, X_OK, np.full(6, 0.5), r"unknown GLM family 'beta'"),
        (
            {"family": "bernoulli", "link": "log"},
            X_OK,
            [0, 1] * 3,
            r"Bernoulli: link 'log' is not supported",
        ),
        ({"solver": "lbfgs"}, X_OK, np.zeros(6), r"solver must be 'newton' or 'gradient'"),
    ],
)
def test_bad_input_raises_a_clear_value_error(params, X, y, message):
    with pytest.raises(ValueError, match=message):
        GLM(**params).fit(X, y)


def test_bad_input_to_the_free_functions():
    y = np.ones(6)
    with pytest.raises(ValueError, match=r"Poisson: theta must have shape \(3,\)"):
        log_likelihood("poisson", X_OK, y, np.zeros(2), fit_intercept=True)
    with pytest.raises(ValueError, match="theta must be finite"):
        log_likelihood_gradient("poisson", X_OK, y, [0.0, np.nan])
    with pytest.raises(ValueError, match="Poisson: X has 6 rows but y has 5 entries"):
        log_likelihood_gradient("poisson", X_OK, y[:5], np.zeros(2))
    with pytest.raises(ValueError, match="max_iter must be a positive integer"):
        newton_irls("poisson", X_OK, y, max_iter=0)
    with pytest.raises(ValueError, match="learning_rate must be a positive number"):
        gradient_ascent("poisson", X_OK, y, learning_rate=-1.0)
    for family in (GammaShapeRate(), Beta()):  # families without a closed-form canonical link
        with pytest.raises(ValueError, match=f"{family.name}: not a GLM family here"):
            log_likelihood_gradient(family, X_OK, y, np.zeros(2))
    with pytest.raises(TypeError, match="abstract"):
        ExponentialFamily()  # the abstract base class cannot stand for a family


def test_links_are_objects_and_a_name_means_the_same_object():
    rng, X, theta = generated(n=400, p=2, seed=11)
    y = rng.gamma(2.0, np.exp(0.3 * X @ theta) / 2.0)
    by_name = fit_quietly(GLM(family="gamma", link="log"), X, y)
    by_object = fit_quietly(GLM(family="gamma", link=Log()), X, y)
    np.testing.assert_array_equal(by_name.coef_, by_object.coef_)
    assert by_name.link_ == Log() and isinstance(by_name.link_, Link)
    assert fit_quietly(GLM(family="gamma"), X, y).link_ == NegativeInverse()
    assert fit_quietly(GLM(family="bernoulli"), X, (y > 1.0) * 1.0).link_ == Logit()
    theta_any = np.r_[0.2, 0.1, -0.1]
    for link in ("log", Log()):
        np.testing.assert_array_equal(
            log_likelihood_gradient("gamma", X, y, theta_any, link=link, fit_intercept=True),
            log_likelihood_gradient("gamma", X, y, theta_any, link="log", fit_intercept=True),
        )
    canonical = log_likelihood_gradient("poisson", X, np.round(y), theta_any, fit_intercept=True)
    for link in ("canonical", "log", Log()):  # the log link is the Poisson's canonical link
        np.testing.assert_array_equal(
            log_likelihood_gradient(
                "poisson", X, np.round(y), theta_any, link=link, fit_intercept=True
            ),
            canonical,
        )
    with pytest.raises(
        ValueError,
        match=r"Gaussian: link 'probit' is not supported; use one of "
        r"\['canonical', 'identity', 'log'\]",
    ):
        GLM(family="gaussian", link="probit").fit(X, y)
    with pytest.raises(ValueError, match=r"Poisson: link Logit\(\) is not supported"):
        log_likelihood_gradient(
            "poisson", X, np.round(y), theta_any, link=Logit(), fit_intercept=True
        )


def test_infeasible_canonical_link_is_explained():
    X = np.array([[1.0], [-1.0], [2.0], [-2.0]])  # no theta makes x theta < 0 for all rows
    with pytest.raises(ValueError, match="no starting coefficients .* use link='log'"):
        GLM(family="exponential", fit_intercept=False).fit(X, np.ones(4))
    assert log_likelihood("exponential", X, np.ones(4), [1.0]) == -np.inf


def test_predict_checks_its_input():
    with pytest.raises(NotFittedError):
        GLM().predict(X_OK)
    model = fit_quietly(GLM(), X_OK, np.arange(6.0))
    with pytest.raises(
        ValueError, match="X has 3 features, but GLM is expecting 2 features as input"
    ):
        model.predict(np.ones((2, 3)))
    with pytest.raises(ValueError, match="X must be finite"):
        model.predict(np.full((2, 2), np.inf))


# ---------------------------------------------------------------------------------------------
# scikit-learn integration
# ---------------------------------------------------------------------------------------------


def test_pipeline_with_standard_scaler(breast_cancer):
    X, y = load_breast_cancer(return_X_y=True)
    X = X[:, :10]
    pipeline = Pipeline([("scale", StandardScaler()), ("glm", GLM(family="bernoulli"))])
    pipeline.fit(X, y)
    direct = fit_quietly(GLM(family="bernoulli"), StandardScaler().fit_transform(X), y)
    np.testing.assert_allclose(
        pipeline.predict_proba(X),
        direct.predict_proba(StandardScaler().fit_transform(X)),
        rtol=1e-12,
    )
    np.testing.assert_allclose(pipeline.predict_proba(X).sum(axis=1), 1.0)
    assert pipeline.get_params()["glm__family"] == "bernoulli"
    copy = clone(pipeline).set_params(glm__family="poisson", glm__max_iter=50)
    assert copy.get_params()["glm__family"] == "poisson" and not hasattr(copy[-1], "coef_")
    copy.set_params(glm__family="bernoulli").fit(X, y)
    np.testing.assert_allclose(copy[-1].coef_, pipeline[-1].coef_, rtol=1e-12)
    # score is D^2, scikit-learn's d2_log_loss_score of the predicted probabilities
    reference = d2_log_loss_score(y, pipeline.predict_proba(X))
    assert pipeline.score(X, y) == pytest.approx(reference, rel=1e-12)


def test_predict_proba_only_for_classification_and_labels_are_kept():
    assert not hasattr(GLM(family="poisson"), "predict_proba")
    assert hasattr(GLM(family="bernoulli"), "predict_proba")
    rng, X, _ = generated(n=300, p=2, seed=8)
    y = rng.choice([3, 5, 9], 300)
    model = fit_quietly(GLM(family="multinomial"), X, y)
    np.testing.assert_array_equal(model.classes_, [3, 5, 9])
    assert model.classes_.dtype == y.dtype  # the labels as given
    indices = np.searchsorted([3, 5, 9], y)
    as_indices = fit_quietly(GLM(family=Multinomial(3)), X, indices)
    np.testing.assert_allclose(model.coef_, as_indices.coef_, rtol=1e-12)
    assert model.score(X, y) == pytest.approx(as_indices.score(X, indices), rel=1e-13)
    assert model.log_likelihood(X, y) == pytest.approx(
        as_indices.log_likelihood(X, indices), rel=1e-13
    )
    with pytest.raises(ValueError, match="labels not seen in fit: 4.0 at index 0"):
        model.score(X[:1], [4])


def test_fit_without_intercept_and_with_family_instances():
    rng, X, theta = generated(n=500, p=3, seed=9)
    y = rng.poisson(np.exp(X @ theta)).astype(float)
    model = fit_quietly(GLM(family=Poisson(), fit_intercept=False), X, y)
    assert model.intercept_ == 0.0
    reference = sm.GLM(y, X, family=sm.families.Poisson()).fit(tol=1e-13)
    np.testing.assert_allclose(model.coef_, reference.params, atol=1e-8, rtol=0)
    # a family instance keeps its dispersion (no estimation)
    y = X @ theta + rng.standard_normal(500)
    model = fit_quietly(GLM(family=Gaussian(sigma=2.0)), X, y)
    assert model.dispersion_ == 4.0
    assert isinstance(GLM(family=Bernoulli()).fit(X, (y > 0).astype(float)).family_, Bernoulli)
