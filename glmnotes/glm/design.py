r"""The design matrix :math:`\tilde X = [\mathbf 1, X]` (or :math:`X`), without copying ``X``.

Every pass over the data works on blocks of rows (:data:`BLOCK_ROWS`): the products below are
formed block by block and added up, so no array of ``X``'s size is ever allocated.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glmnotes._validation import check_design_matrix

__all__ = [
    "BLOCK_ROWS",
    "blocks",
    "design_dot",
    "design_tdot",
    "flat",
    "information_block",
    "linear_predictor",
    "unflat",
    "weighted_gram",
    "weighted_gram_blocks",
    "with_ones_column",
]

BLOCK_ROWS = 8192
"""Rows per block. Every pass over the data works on blocks of rows, so temporaries stay small
(on fresh multi-megabyte arrays the page faults cost more than the arithmetic) and the memory
used is a small fraction of ``X``."""


def linear_predictor(X: Any, theta: Any, fit_intercept: bool = False) -> np.ndarray:
    r""":math:`X\theta`, or :math:`\theta_0 + X\theta_{1:}` when ``fit_intercept``."""
    X = check_design_matrix(X, "linear_predictor")
    return design_dot(X, np.asarray(theta, dtype=float), fit_intercept)


def blocks(n: int) -> list[slice]:
    """Slices that cover rows ``0..n-1`` in blocks of ``BLOCK_ROWS``."""
    return [slice(start, min(start + BLOCK_ROWS, n)) for start in range(0, n, BLOCK_ROWS)]


def design_dot(X: np.ndarray, theta: np.ndarray, fit_intercept: bool) -> np.ndarray:
    """:math:`\\tilde X\\theta` with :math:`\\tilde X = [1, X]` or :math:`X`."""
    if fit_intercept:
        return theta[0] + X @ theta[1:]
    return X @ theta


def design_tdot(X: np.ndarray, r: np.ndarray, fit_intercept: bool) -> np.ndarray:
    """:math:`\\tilde X^\\top r`."""
    product = X.T @ r
    if fit_intercept:
        return np.concatenate([np.sum(r, axis=0, keepdims=True), product])
    return product


def with_ones_column(X: np.ndarray, fit_intercept: bool) -> np.ndarray:
    """:math:`\\tilde X` itself (a copy with the ones column); used only on blocks of rows."""
    return np.hstack([np.ones((len(X), 1)), X]) if fit_intercept else X


def weighted_gram(X: np.ndarray, w: np.ndarray, fit_intercept: bool) -> np.ndarray:
    r""":math:`\tilde X^\top \operatorname{diag}(w)\, \tilde X` for a block of rows.

    For :math:`w \ge 0` the inner part is :math:`A^\top A` with :math:`A = \sqrt{w}\,X` (a
    symmetric rank-k update) and the intercept's row and column are :math:`\sum_i w_i` and
    :math:`A^\top\sqrt{w} = X^\top w`; signed weights use :math:`\tilde X^\top (w\tilde X)`.
    """
    if np.min(w) < 0:
        full = with_ones_column(X, fit_intercept)
        return full.T @ (full * w[:, None])
    root = np.sqrt(w)
    A = X * root[:, None]
    inner = A.T @ A
    if not fit_intercept:
        return inner
    gram = np.empty((X.shape[1] + 1, X.shape[1] + 1))
    gram[0, 0] = np.sum(w)
    gram[0, 1:] = gram[1:, 0] = A.T @ root
    gram[1:, 1:] = inner
    return gram


def weighted_gram_blocks(X: np.ndarray, W: np.ndarray, fit_intercept: bool) -> np.ndarray:
    r"""The block matrix :math:`[\tilde X^\top \operatorname{diag}(W_{:,j,l}) \tilde X]_{j,l}`
    for per-observation ``d x d`` weight matrices ``W`` (the multinomial's information), for a
    block of rows."""
    full = with_ones_column(X, fit_intercept)
    q, d = full.shape[1], W.shape[-1]
    gram = np.empty((d * q, d * q))
    for j in range(d):
        for l in range(j, d):
            block = full.T @ (full * W[:, j, l][:, None])
            gram[j * q : (j + 1) * q, l * q : (l + 1) * q] = block
            gram[l * q : (l + 1) * q, j * q : (j + 1) * q] = block.T
    return gram


def information_block(
    X: np.ndarray, weight: np.ndarray, is_scalar: bool, fit_intercept: bool
) -> np.ndarray:
    """The weighted Gram matrix of a block, for scalar (``w`` per row) or multinomial weights."""
    if is_scalar:
        return weighted_gram(X, weight, fit_intercept)
    return weighted_gram_blocks(X, weight, fit_intercept)


def flat(theta: np.ndarray) -> np.ndarray:
    """Coefficients as one vector, class by class (``theta.T.ravel()``)."""
    return theta.T.ravel() if theta.ndim == 2 else theta


def unflat(vector: np.ndarray, like: np.ndarray) -> np.ndarray:
    """Inverse of :func:`flat` for arrays shaped like ``like``."""
    return vector.reshape(like.shape[::-1]).T if like.ndim == 2 else vector
