"""Tests for glmnotes.linear against numpy.linalg.lstsq, scikit-learn, statsmodels, an
eigendecomposition form of Izenman's estimator and direct numerical minimisation."""

import numpy as np
import pytest
import scipy.optimize
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LinearRegression

from glmnotes.linear import (
    numerical_rank,
    ols_standard_errors,
    ordinary_least_squares,
    reduced_rank_regression,
    residual_sum_of_squares,
)


def regression_data(n=60, d=5, K=4, seed=0, noise=0.5):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) + rng.normal(size=d)  # non-zero column means
    W = rng.normal(size=(d, K))
    b = rng.normal(size=K)
    Y = X @ W + b + noise * rng.normal(size=(n, K))
    return X, Y


# ---- ordinary least squares ----------------------------------------------------------------


def test_ols_matches_lstsq_on_the_design_with_a_column_of_ones():
    X, Y = regression_data()
    W, b = ordinary_least_squares(X, Y)
    design = np.hstack([np.ones((X.shape[0], 1)), X])
    reference = np.linalg.lstsq(design, Y, rcond=None)[0]
    np.testing.assert_allclose(b, reference[0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(W, reference[1:], rtol=1e-10, atol=1e-12)
    assert W.shape == (5, 4) and b.shape == (4,)


def test_ols_matches_scikit_learn_multi_output():
    X, Y = regression_data(seed=1)
    W, b = ordinary_least_squares(X, Y)
    reference = LinearRegression().fit(X, Y)
    np.testing.assert_allclose(W, reference.coef_.T, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b, reference.intercept_, rtol=1e-10, atol=1e-12)


def test_ols_single_response_returns_a_vector_and_a_float_matching_statsmodels():
    X, Y = regression_data(seed=2, K=1)
    y = Y[:, 0]
    W, b = ordinary_least_squares(X, y)
    assert W.shape == (5,) and isinstance(b, float)
    fit = sm.OLS(y, sm.add_constant(X)).fit()
    np.testing.assert_allclose(b, fit.params[0], rtol=1e-10)
    np.testing.assert_allclose(W, fit.params[1:], rtol=1e-10)


def test_ols_without_intercept_matches_lstsq_on_x():
    X, Y = regression_data(seed=3)
    W, b = ordinary_least_squares(X, Y, intercept=False)
    np.testing.assert_allclose(W, np.linalg.lstsq(X, Y, rcond=None)[0], rtol=1e-10)
    np.testing.assert_array_equal(b, np.zeros(4))


def test_ols_with_collinear_columns_gives_the_minimum_norm_solution_and_unique_fit():
    rng = np.random.default_rng(4)
    X0 = rng.normal(size=(50, 3))
    X = np.hstack([X0, X0[:, :1] + 2 * X0[:, 1:2]])  # 4th column = col0 + 2 col1
    y = X0 @ [1.0, -2.0, 0.5] + 3 + 0.1 * rng.normal(size=50)
    W, b = ordinary_least_squares(X, y)
    X_c, y_c = X - X.mean(axis=0), y - y.mean()
    np.testing.assert_allclose(W, np.linalg.pinv(X_c) @ y_c, rtol=1e-9, atol=1e-12)
    # every other minimiser differs by a null-space vector and gives the same fitted values
    null = np.array([1.0, 2.0, 0.0, -1.0])
    np.testing.assert_allclose(X @ (W + 5 * null) + b, X @ W + b, atol=1e-10)
    assert np.linalg.norm(W) < np.linalg.norm(W + 0.1 * null)
    fitted_full_rank = X0 @ ordinary_least_squares(X0, y)[0] + ordinary_least_squares(X0, y)[1]
    np.testing.assert_allclose(X @ W + b, fitted_full_rank, atol=1e-10)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    log_scale=st.floats(-8, 8),
    shift=st.floats(-1e4, 1e4),
)
def test_ols_normal_equations_and_invariance_under_scaling(seed, log_scale, shift):
    X, Y = regression_data(n=30, d=3, K=2, seed=seed)
    scale = 10.0**log_scale
    W, b = ordinary_least_squares(X, Y)
    X_moved = X * scale + shift
    W_s, b_s = ordinary_least_squares(X_moved, Y)
    # Storing X * scale + shift rounds each entry by about eps * |entry|: relative to the spread
    # of the columns (~scale) that is the input error, and the (well-conditioned) fit inherits it.
    input_error = np.finfo(float).eps * (abs(shift) + scale * np.abs(X).max()) / scale
    tol = 1e-10 + 1e3 * input_error
    # predictions do not depend on the units or origin of the inputs
    np.testing.assert_allclose(X_moved @ W_s + b_s, X @ W + b, rtol=tol, atol=tol)
    np.testing.assert_allclose(W_s * scale, W, rtol=tol, atol=tol)
    # normal equations: the residuals are orthogonal to the columns and to the constant
    residual = Y - X @ W - b
    np.testing.assert_allclose(X.T @ residual, 0, atol=1e-9)
    np.testing.assert_allclose(residual.sum(axis=0), 0, atol=1e-9)


# ---- reduced-rank regression ---------------------------------------------------------------


def izenman_by_eigendecomposition(X, Y, rank):
    """Izenman's formula with identity weight, by a different route: the leading eigenvectors
    of Y_c^T X_c (X_c^T X_c)^{-1} X_c^T Y_c, with the solve done by Cholesky."""
    X_c, Y_c = X - X.mean(axis=0), Y - Y.mean(axis=0)
    gram = X_c.T @ X_c
    cross = X_c.T @ Y_c
    W_ols = np.linalg.solve(gram, cross)
    values, vectors = np.linalg.eigh(cross.T @ W_ols)
    V_r = vectors[:, np.argsort(values)[::-1][:rank]]
    W = W_ols @ V_r @ V_r.T
    return W, Y.mean(axis=0) - X.mean(axis=0) @ W


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_reduced_rank_matches_the_eigendecomposition_formula(rank):
    X, Y = regression_data(seed=5)
    W, b = reduced_rank_regression(X, Y, rank)
    W_ref, b_ref = izenman_by_eigendecomposition(X, Y, rank)
    np.testing.assert_allclose(W, W_ref, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(b, b_ref, rtol=1e-8, atol=1e-10)
    assert numerical_rank(W) == rank


def test_reduced_rank_is_the_minimum_over_factorised_maps():
    # Independent reference: minimise the RSS over W = A B (A: d x r, B: r x K) and b directly,
    # from several starting points; the best value found equals the closed form's.
    X, Y = regression_data(n=40, d=4, K=3, seed=6)
    d, K, r = 4, 3, 1
    rng = np.random.default_rng(0)

    def rss(theta):
        A = theta[: d * r].reshape(d, r)
        B = theta[d * r : d * r + r * K].reshape(r, K)
        b = theta[d * r + r * K :]
        return np.sum((Y - X @ A @ B - b) ** 2)

    best = min(
        scipy.optimize.minimize(rss, rng.normal(size=d * r + r * K + K), method="BFGS").fun
        for _ in range(4)
    )
    W, b = reduced_rank_regression(X, Y, r)
    closed_form = residual_sum_of_squares(X, Y, W, b)
    assert closed_form == pytest.approx(best, rel=1e-7)
    W_ols, b_ols = ordinary_least_squares(X, Y)
    assert residual_sum_of_squares(X, Y, W_ols, b_ols) < closed_form - 1.0


def test_reduced_rank_at_full_rank_is_ols_and_rss_decreases_with_rank():
    X, Y = regression_data(seed=7)
    W_ols, b_ols = ordinary_least_squares(X, Y)
    for rank in (4, 5, 10):
        W, b = reduced_rank_regression(X, Y, rank)
        np.testing.assert_allclose(W, W_ols, rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(b, b_ols, rtol=1e-9, atol=1e-11)
    rss = [residual_sum_of_squares(X, Y, *reduced_rank_regression(X, Y, r)) for r in (1, 2, 3, 4)]
    assert all(a > c for a, c in zip(rss, rss[1:], strict=False))


def test_reduced_rank_single_response_is_ols():
    X, Y = regression_data(seed=8, K=1)
    W, b = reduced_rank_regression(X, Y[:, 0], 1)
    W_ols, b_ols = ordinary_least_squares(X, Y[:, 0])
    assert W.shape == (5,) and isinstance(b, float)
    np.testing.assert_allclose(W, W_ols, rtol=1e-10)
    assert b == pytest.approx(b_ols, rel=1e-10)


def test_reduced_rank_with_no_intercept_matches_the_truncated_svd_for_orthonormal_x():
    # With orthonormal columns X^T X = I the RSS is ||Y - X W||^2 = const + ||X^T Y - W||^2,
    # so the answer is the truncated SVD of X^T Y (Eckart-Young applied directly).
    rng = np.random.default_rng(9)
    X = np.linalg.qr(rng.normal(size=(30, 5)))[0]
    Y = rng.normal(size=(30, 4))
    U, s, Vt = np.linalg.svd(X.T @ Y, full_matrices=False)
    W, b = reduced_rank_regression(X, Y, 2, intercept=False)
    np.testing.assert_allclose(W, U[:, :2] * s[:2] @ Vt[:2], atol=1e-12)
    np.testing.assert_array_equal(b, np.zeros(4))


# ---- standard errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("covariance", "cov_type"), [("classical", "nonrobust"), ("HC0", "HC0"), ("HC1", "HC1")]
)
def test_standard_errors_match_statsmodels(covariance, cov_type):
    rng = np.random.default_rng(10)
    X = rng.normal(size=(80, 3))
    y = X @ [1.0, 0.0, -1.0] + 2 + np.abs(X[:, 0]) * rng.standard_t(3, size=80)
    se_W, se_b = ols_standard_errors(X, y, covariance)
    reference = sm.OLS(y, sm.add_constant(X)).fit(cov_type=cov_type).bse
    assert se_b == pytest.approx(reference[0], rel=1e-9)
    np.testing.assert_allclose(se_W, reference[1:], rtol=1e-9)


def test_heteroskedastic_errors_change_the_standard_errors_not_the_coefficients():
    # Monte Carlo truth: the spread of the fitted slope over 400 data sets with the same x and
    # error sd proportional to x^2. The HC0 standard error tracks it; the classical one, which
    # assumes one common variance, understates it.
    rng = np.random.default_rng(11)
    x = rng.uniform(0, 4, size=(200, 1))
    slopes, classical, robust = [], [], []
    for _ in range(400):
        y = 1 + 2 * x[:, 0] + x[:, 0] ** 2 * rng.normal(size=200)
        slopes.append(ordinary_least_squares(x, y)[0][0])
        classical.append(ols_standard_errors(x, y, "classical")[0][0])
        robust.append(ols_standard_errors(x, y, "HC0")[0][0])
    true_sd = np.std(slopes)
    assert np.mean(robust) == pytest.approx(true_sd, rel=0.1)
    assert np.mean(classical) < 0.85 * true_sd
    assert np.mean(slopes) == pytest.approx(2, abs=3 * true_sd / np.sqrt(400))  # still unbiased
    fit = sm.OLS(y, sm.add_constant(x)).fit()
    np.testing.assert_allclose(ordinary_least_squares(x, y)[0], fit.params[1:], rtol=1e-10)


# ---- rank and RSS helpers ------------------------------------------------------------------


def test_numerical_rank_of_products_and_of_rounding_level_noise():
    rng = np.random.default_rng(12)
    A, B = rng.normal(size=(6, 2)), rng.normal(size=(2, 5))
    assert numerical_rank(A @ B) == 2
    assert numerical_rank(A @ B + 1e-3 * rng.normal(size=(6, 5))) == 5
    assert numerical_rank(A @ B + 1e-18 * rng.normal(size=(6, 5))) == 2
    assert numerical_rank(np.zeros((3, 3))) == 0
    assert numerical_rank(np.diag([1.0, 1e-3]), rtol=1e-2) == 1
    assert numerical_rank(A @ B) == np.linalg.matrix_rank(A @ B)


def test_residual_sum_of_squares_by_hand():
    X = np.array([[0.0], [1.0], [2.0]])
    y = np.array([1.0, 2.0, 4.0])
    # residuals of y = 1 + x: 0, 0, 1
    assert residual_sum_of_squares(X, y, np.array([1.0]), 1.0) == 1.0
    assert residual_sum_of_squares(X, y[:, None], np.array([[1.0]]), np.array([1.0])) == 1.0


# ---- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda X, Y: ordinary_least_squares(X[:, 0], Y), "2-D array"),
        (lambda X, Y: ordinary_least_squares(X, Y[:-1]), "one row per row of X"),
        (lambda X, Y: ordinary_least_squares(np.where(X > 1, np.nan, X), Y), "NaN or inf"),
        (lambda X, Y: ordinary_least_squares(X, np.where(Y > 1, np.inf, Y)), "NaN or inf"),
        (lambda X, Y: ordinary_least_squares(X.astype(complex), Y), "real numbers"),
        (lambda X, Y: ordinary_least_squares(X[:0], Y[:0]), "empty"),
        (lambda X, Y: ordinary_least_squares(X, Y, intercept="yes"), "True or False"),
        (lambda X, Y: reduced_rank_regression(X, Y, 0), "positive integer"),
        (lambda X, Y: reduced_rank_regression(X, Y, 1.5), "positive integer"),
        (lambda X, Y: reduced_rank_regression(X, Y, True), "positive integer"),
        (lambda X, Y: residual_sum_of_squares(X, Y, np.ones((2, 2)), np.zeros(4)), "W must"),
        (lambda X, Y: residual_sum_of_squares(X, Y, np.ones((5, 4)), np.zeros(3)), "b must"),
        (lambda X, Y: numerical_rank(X, rtol=-1.0), "rtol"),
        (lambda X, Y: numerical_rank(X[0]), "2-D array"),
        (lambda X, Y: ols_standard_errors(X, Y), "single response"),
        (lambda X, Y: ols_standard_errors(X, Y[:, 0], "HC3"), "unknown covariance"),
        (lambda X, Y: ols_standard_errors(X[:5], Y[:5, 0]), "more data points"),
        (
            lambda X, Y: ols_standard_errors(np.hstack([X, X[:, :1]]), Y[:, 0]),
            "collinear",
        ),
    ],
)
def test_bad_input_raises_a_clear_value_error(call, message):
    X, Y = regression_data(n=20)
    with pytest.raises(ValueError, match=message):
        call(X, Y)
