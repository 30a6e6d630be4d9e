r"""Least squares in closed form: the fits that a network with linear activations can reach.

A network whose activations are all the identity computes one affine map
:math:`\hat Y = X W + \mathbf 1 b` (see :meth:`glmnotes.nn.Network.collapse`). This module computes
the best such maps directly, in the row convention of :mod:`glmnotes.nn` (``X`` is ``n x d``,
one row per data point; ``W`` is ``d x K``; ``b`` has ``K`` entries):

- :func:`ordinary_least_squares`: the unconstrained minimiser of the residual sum of squares
  :math:`\lVert Y - XW - \mathbf 1 b\rVert_F^2` (what a network with no narrow layer reaches);
- :func:`reduced_rank_regression`: the minimiser under :math:`\operatorname{rank} W \le r`
  (Izenman 1975; what a network with a hidden layer of width :math:`r` reaches);
- :func:`ols_standard_errors`: classical and heteroskedasticity-consistent standard errors, the
  part of least squares that does depend on assumptions about the errors;
- :func:`residual_sum_of_squares` and :func:`numerical_rank`, to compare fits.

Everything goes through the singular value decomposition or a QR factorisation (never an
explicit :math:`(X^\top X)^{-1}`), so nearly collinear columns lose no more accuracy than the
problem itself does.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np

__all__ = [
    "numerical_rank",
    "ols_standard_errors",
    "ordinary_least_squares",
    "reduced_rank_regression",
    "residual_sum_of_squares",
]

COVARIANCES = ("classical", "HC0", "HC1")


# ---- input checks -------------------------------------------------------------------------


def _check_matrix(A: np.ndarray, name: str) -> np.ndarray:
    """A real, finite, non-empty 2-D float array."""
    A = np.asarray(A)
    if A.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array (one row per data point), got shape {A.shape}; "
            "reshape a single feature with x.reshape(-1, 1)."
        )
    if A.size == 0:
        raise ValueError(f"{name} is empty (shape {A.shape}).")
    if not np.issubdtype(A.dtype, np.number) or np.issubdtype(A.dtype, np.complexfloating):
        raise ValueError(f"{name} must hold real numbers, got dtype {A.dtype}.")
    A = A.astype(np.float64)
    if not np.all(np.isfinite(A)):
        raise ValueError(f"{name} contains NaN or inf; remove or impute those entries first.")
    return A


def _check_X_Y(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """``(X, Y as a 2-D array, whether Y was 1-D)``, after checking shapes and values."""
    X = _check_matrix(X, "X")
    Y = np.asarray(Y)
    vector = Y.ndim == 1
    if Y.ndim not in (1, 2) or Y.shape[0] != X.shape[0]:
        raise ValueError(
            f"Y must have shape ({X.shape[0]},) or ({X.shape[0]}, K), one row per row of X, "
            f"got {Y.shape}."
        )
    Y = _check_matrix(Y.reshape(X.shape[0], -1), "Y")
    return X, Y, vector


def _check_intercept(intercept: bool) -> None:
    if not isinstance(intercept, bool | np.bool_):
        raise ValueError(f"intercept must be True or False, got {intercept!r}.")


def _centre(
    X: np.ndarray, Y: np.ndarray, intercept: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(X - mean, Y - mean, mean of X, mean of Y)``; zero means without an intercept."""
    x_mean = X.mean(axis=0) if intercept else np.zeros(X.shape[1])
    y_mean = Y.mean(axis=0) if intercept else np.zeros(Y.shape[1])
    return X - x_mean, Y - y_mean, x_mean, y_mean


def _shape_output(W: np.ndarray, b: np.ndarray, vector: bool):
    """Return ``(W, b)`` as ``(d,)`` and a float when ``Y`` was 1-D."""
    if vector:
        return W[:, 0], float(b[0])
    return W, b


# ---- fits ---------------------------------------------------------------------------------


def ordinary_least_squares(
    X: np.ndarray, Y: np.ndarray, intercept: bool = True
) -> tuple[np.ndarray, np.ndarray | float]:
    r"""The least-squares affine map :math:`(W, b)` minimising
    :math:`\lVert Y - XW - \mathbf 1 b\rVert_F^2`.

    With an intercept the minimiser separates: :math:`b = \bar y - \bar x W` and :math:`W`
    solves the centred problem :math:`\min_W \lVert Y_c - X_c W\rVert_F^2` whose normal equations
    are :math:`X_c^\top X_c W = X_c^\top Y_c`. It is computed from the SVD
    (``numpy.linalg.lstsq``), :math:`W = X_c^{+} Y_c`: when the columns of :math:`X_c` are
    collinear the minimiser is not unique, and this is the one of minimum Frobenius norm (the
    fitted values :math:`XW + \mathbf 1 b` are the same for every minimiser). Each column of
    ``Y`` is a separate regression on the same ``X``.

    Returns ``W`` of shape ``(d, K)`` and ``b`` of shape ``(K,)``; for a 1-D ``Y``, ``W`` has
    shape ``(d,)`` and ``b`` is a float.
    """
    X, Y, vector = _check_X_Y(X, Y)
    _check_intercept(intercept)
    X_c, Y_c, x_mean, y_mean = _centre(X, Y, intercept)
    W = np.linalg.lstsq(X_c, Y_c, rcond=None)[0]
    b = y_mean - x_mean @ W
    return _shape_output(W, b, vector)


def reduced_rank_regression(
    X: np.ndarray, Y: np.ndarray, rank: int, intercept: bool = True
) -> tuple[np.ndarray, np.ndarray | float]:
    r"""The least-squares affine map whose matrix has rank at most ``rank`` (Izenman 1975):

    .. math::
        \min_{W, b}\ \lVert Y - XW - \mathbf 1 b\rVert_F^2
        \quad\text{subject to}\quad \operatorname{rank} W \le r .

    Solution (identity weight matrix): with the least-squares fit :math:`W_{\mathrm{ols}}` and
    its centred fitted values :math:`\hat Y_c = X_c W_{\mathrm{ols}}`, Pythagoras gives
    :math:`\lVert Y_c - X_c W\rVert^2 = \lVert Y_c - \hat Y_c\rVert^2 +
    \lVert \hat Y_c - X_c W\rVert^2`, and the best rank-:math:`r` approximation of
    :math:`\hat Y_c` (Eckart--Young) is :math:`\hat Y_c V_r V_r^\top`, where :math:`V_r` holds
    the leading :math:`r` right singular vectors of :math:`\hat Y_c`. So

    .. math::
        W_r = W_{\mathrm{ols}} V_r V_r^\top, \qquad b_r = \bar y - \bar x W_r .

    When ``rank`` is at least the rank of :math:`\hat Y_c` this is the least-squares fit itself.
    If the :math:`r`-th and :math:`(r+1)`-th singular values are equal the minimiser is not
    unique and one of them is returned. Shapes as in :func:`ordinary_least_squares`.
    """
    X, Y, vector = _check_X_Y(X, Y)
    _check_intercept(intercept)
    if isinstance(rank, bool) or not isinstance(rank, Integral) or rank < 1:
        raise ValueError(
            f"rank must be a positive integer (the width of the narrowest layer), got {rank!r}."
        )
    X_c, Y_c, x_mean, y_mean = _centre(X, Y, intercept)
    W_ols = np.linalg.lstsq(X_c, Y_c, rcond=None)[0]
    fitted = X_c @ W_ols
    V_t = np.linalg.svd(fitted, full_matrices=False)[2]
    V_r = V_t[: int(rank)].T  # K x r (fewer columns if rank > K)
    W = W_ols @ V_r @ V_r.T
    b = y_mean - x_mean @ W
    return _shape_output(W, b, vector)


def residual_sum_of_squares(
    X: np.ndarray, Y: np.ndarray, W: np.ndarray, b: np.ndarray | float
) -> float:
    r""":math:`\lVert Y - XW - \mathbf 1 b\rVert_F^2`, the residual sum of squares of an affine
    map (shapes as returned by :func:`ordinary_least_squares`)."""
    X, Y, _ = _check_X_Y(X, Y)
    W = np.asarray(W, dtype=np.float64)
    if W.ndim == 1:
        W = W[:, None]
    if W.shape != (X.shape[1], Y.shape[1]):
        raise ValueError(
            f"W must have {X.shape[1]} x {Y.shape[1]} entries to map X's {X.shape[1]} columns to "
            f"Y's {Y.shape[1]}, got shape {np.shape(W)}."
        )
    b = np.asarray(b, dtype=np.float64).reshape(-1)
    if b.shape != (Y.shape[1],):
        raise ValueError(f"b must have {Y.shape[1]} entries (one per column of Y), got {b.size}.")
    if not (np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
        raise ValueError("W or b contains NaN or inf.")
    residual = Y - X @ W - b
    return float(np.sum(residual**2))


def numerical_rank(A: np.ndarray, rtol: float | None = None) -> int:
    r"""The number of singular values :math:`s_i > \text{rtol}\cdot s_1` of a matrix.

    The default ``rtol`` is :math:`\max(m, n)\,\varepsilon` (as ``numpy.linalg.matrix_rank``):
    singular values that small are indistinguishable from rounding errors of :math:`A`. A
    product :math:`W_1 W_2` of a ``d x r`` and an ``r x K`` matrix has rank at most ``r``.
    """
    A = _check_matrix(A, "A")
    if rtol is None:
        rtol = max(A.shape) * np.finfo(np.float64).eps
    elif isinstance(rtol, bool) or not (np.isscalar(rtol) and np.isfinite(rtol) and rtol >= 0):
        raise ValueError(f"rtol must be a finite non-negative number, got {rtol!r}.")
    s = np.linalg.svd(A, compute_uv=False)
    if s[0] == 0:
        return 0
    return int(np.sum(s > rtol * s[0]))


# ---- inference: what the error assumptions are for ----------------------------------------


def ols_standard_errors(
    X: np.ndarray, y: np.ndarray, covariance: str = "classical"
) -> tuple[np.ndarray, float]:
    r"""Standard errors of the least-squares coefficients :math:`(W, b)` of a single response
    (with intercept), returned as ``(se_W, se_b)`` in the layout of
    :func:`ordinary_least_squares`.

    With :math:`\tilde X = [X, \mathbf 1]` (``n x p``, :math:`p = d + 1`), residuals :math:`e`,
    and the thin QR factorisation :math:`\tilde X = QR`, so that
    :math:`(\tilde X^\top \tilde X)^{-1} = R^{-1} R^{-\top}`:

    - ``"classical"`` (errors independent with one common variance):
      :math:`\widehat{\mathrm{Cov}} = \hat\sigma^2 R^{-1}R^{-\top}`,
      :math:`\hat\sigma^2 = e^\top e / (n - p)`;
    - ``"HC0"`` (White's heteroskedasticity-consistent sandwich):
      :math:`\widehat{\mathrm{Cov}} = R^{-1} \big(Q^\top \operatorname{diag}(e^2) Q\big)
      R^{-\top}`, which is :math:`(\tilde X^\top\tilde X)^{-1} \tilde X^\top
      \operatorname{diag}(e^2) \tilde X (\tilde X^\top\tilde X)^{-1}`;
    - ``"HC1"``: HC0 times :math:`n / (n - p)`.

    The coefficients themselves do not depend on this choice; only their uncertainty does.
    Needs :math:`n > p` and :math:`\tilde X` of full column rank (otherwise the coefficients are
    not identified and have no standard errors).
    """
    X, Y, vector = _check_X_Y(X, y)
    if not vector and Y.shape[1] != 1:
        raise ValueError(f"y must be a single response (1-D), got shape {np.shape(y)}.")
    if covariance not in COVARIANCES:
        raise ValueError(f"unknown covariance {covariance!r}; choose one of {COVARIANCES}.")
    n, d = X.shape
    p = d + 1
    if n <= p:
        raise ValueError(
            f"standard errors need more data points than coefficients: n = {n}, "
            f"d + 1 = {p} coefficients."
        )
    design = np.hstack([X, np.ones((n, 1))])
    if numerical_rank(design) < p:
        raise ValueError(
            "the columns of [X, 1] are collinear: the coefficients are not identified, so they "
            "have no standard errors; drop a redundant column."
        )
    Q, R = np.linalg.qr(design)
    coefficients = np.linalg.solve(R, Q.T @ Y[:, 0])
    e = Y[:, 0] - design @ coefficients
    R_inv = np.linalg.solve(R, np.eye(p))
    if covariance == "classical":
        sigma2 = float(e @ e) / (n - p)
        variances = sigma2 * np.sum(R_inv**2, axis=1)
    else:
        middle = Q * e[:, None]  # rows e_i q_i, so middle.T @ middle = Q^T diag(e^2) Q
        half = R_inv @ middle.T  # p x n
        variances = np.sum(half**2, axis=1)
        if covariance == "HC1":
            variances = variances * n / (n - p)
    se = np.sqrt(variances)
    return se[:d], float(se[d])
