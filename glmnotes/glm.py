r"""Generalized linear models: the notes' log-likelihood, its score, and two ways to climb it.

The model (the notes' three assumptions): observations are independent,
:math:`y_i \mid x_i` follows an exponential family (:mod:`glmnotes.families`), and a linear
predictor :math:`x_i^\top\theta` drives its natural parameter. With the *canonical link*
:math:`\eta_i = x_i^\top\theta`, and the prediction is :math:`h(x) = \mathbb E[T(y) \mid x] =
A'(x^\top\theta)`. With the *log link* (gaussian, poisson, exponential, gamma)
:math:`\log\mu_i = x_i^\top\theta` and :math:`\eta_i = g(\mu_i)`, :math:`g` the canonical link.

Forward and backward, side by side (:math:`\phi` the dispersion, 1 unless stated):

.. math::
    \ell(\theta) &= \sum_i \log b(y_i) + \big(\eta_i^\top T(y_i) - A(\eta_i)\big)/\phi
    &&\text{(log_likelihood)}\\
    \nabla\ell(\theta) &= X^\top r,\quad r_i = (T(y_i) - A'(\eta_i))/\phi
    &&\text{(score, canonical link)}\\
    I(\theta) &= X^\top W X,\quad w_i = A''(\eta_i)/\phi = -\nabla^2\ell(\theta)
    &&\text{(fisher_information)}\\
    \theta &\leftarrow \theta + \tfrac{\alpha}{m}\, X^\top\big(T(y) - h(X\theta)\big)
    &&\text{(gradient_ascent, the notes' rule)}\\
    \theta &\leftarrow \theta + I(\theta)^{-1}\nabla\ell(\theta)
    &&\text{(newton_irls)}

For a non-canonical link the score picks up the chain-rule factor
:math:`r_i = (y_i - \mu_i)\,\mu_i'/(\phi V(\mu_i))` and the Fisher weights become
:math:`w_i = \mu_i'^2/(\phi V(\mu_i))`, with :math:`\mu_i' = d\mu_i/d(x_i^\top\theta)` and
:math:`V(\mu) = A''(\eta)`; then :func:`hessian` (observed) and :func:`fisher_information`
(expected) differ, and Newton's method uses the latter (Fisher scoring = IRLS).

Shapes: ``X`` is ``(m, p)``; ``theta`` is ``(q,)`` (``(q, k-1)`` for the multinomial, one
column per non-reference class), where ``q = p + 1`` when ``fit_intercept=True`` (an implicit
column of ones in front of ``X``: ``theta[0]`` is the intercept) and ``q = p`` otherwise.
Multinomial information matrices are ``(q (k-1), q (k-1))`` with the blocks in class order
(the coefficient vector is ``theta.T.ravel()``).

``family`` is a family instance or one of the names ``"gaussian"``, ``"bernoulli"``,
``"multinomial"`` (``k`` is taken from ``theta`` or from the labels), ``"poisson"``,
``"exponential"`` and ``"gamma"`` -- in this module ``"gamma"`` is the regression gamma
:class:`~glmnotes.families.GammaDispersion`, not the two-parameter
:class:`~glmnotes.families.Gamma`.

:class:`GLM` wraps the solvers as a scikit-learn estimator.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.linalg
from scipy.optimize import linprog
from sklearn.base import BaseEstimator
from sklearn.utils.metaestimators import available_if

from glmnotes.exceptions import ConvergenceWarning, PerfectSeparationWarning, RankDeficientWarning
from glmnotes.families import (
    Bernoulli,
    Exponential,
    ExponentialFamily,
    GammaDispersion,
    Gaussian,
    Multinomial,
    Poisson,
    _offenders,
)

__all__ = [
    "GLM",
    "FitResult",
    "fisher_information",
    "gradient_ascent",
    "hessian",
    "linear_predictor",
    "log_likelihood",
    "newton_irls",
    "score",
    "separation_direction",
]

GLM_FAMILIES = ("gaussian", "bernoulli", "multinomial", "poisson", "exponential", "gamma")
"""Family names :class:`GLM` and the free functions accept."""

CANONICAL_LINKS = {
    Gaussian: "identity",
    Bernoulli: "logit",
    Multinomial: "logit",
    Poisson: "log",
    Exponential: "negative_inverse",
    GammaDispersion: "negative_inverse",
}
"""The canonical link of each GLM family, by name (``link=None`` means this one)."""

_LOG_LINK_VARIANCE_POWER = {Gaussian: 0, Poisson: 1, Exponential: 2, GammaDispersion: 2}
r"""Families that accept ``link="log"``, with :math:`p` in :math:`V(\mu) = \mu^p`."""

_CHUNK_ROWS = 16384
r"""Rows per block when forming :math:`X^\top W X` (keeps the scaled copy small)."""


# ---------------------------------------------------------------------------------------------
# Checking the inputs
# ---------------------------------------------------------------------------------------------


def _glm_family(family: Any, k: int | None = None) -> ExponentialFamily:
    """The family instance for a name or instance, restricted to the GLM families."""
    if isinstance(family, ExponentialFamily):
        if type(family) not in CANONICAL_LINKS:
            raise ValueError(
                f"{family.name}: not a GLM family here; use one of {GLM_FAMILIES} "
                "(for gamma regression use GammaDispersion, not the two-parameter Gamma)."
            )
        return family
    names = {
        "gaussian": Gaussian,
        "normal": Gaussian,
        "bernoulli": Bernoulli,
        "poisson": Poisson,
        "exponential": Exponential,
        "gamma": GammaDispersion,
    }
    key = str(family).lower()
    if key in ("multinomial", "categorical"):
        if k is None:
            raise ValueError(
                "multinomial: the number of classes k is unknown; pass Multinomial(k)."
            )
        return Multinomial(k)
    if key not in names:
        raise ValueError(f"unknown GLM family {family!r}; choose one of {GLM_FAMILIES}.")
    return names[key]()


def _link_name(family: ExponentialFamily, link: str | None) -> str:
    """``"canonical"`` or ``"log"``, or ``ValueError`` if ``family`` does not support ``link``."""
    canonical = CANONICAL_LINKS[type(family)]
    if link is None or link in ("canonical", canonical):
        return "canonical"
    if link == "log" and type(family) in _LOG_LINK_VARIANCE_POWER:
        return "log"
    supported = ["canonical", canonical] + (
        ["log"] if type(family) in _LOG_LINK_VARIANCE_POWER else []
    )
    raise ValueError(f"{family.name}: link {link!r} is not supported; use one of {supported}.")


def _check_X(X: Any, who: str) -> np.ndarray:
    """``X`` as a 2-d float array with finite entries, or ``ValueError``."""
    try:
        X = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{who}: X must be a numeric array ({error}).") from None
    if X.ndim != 2:
        raise ValueError(
            f"{who}: X must be a 2-d array of shape (n_samples, n_features); got shape "
            f"{X.shape}. For a single feature use X.reshape(-1, 1)."
        )
    if X.shape[0] == 0:
        raise ValueError(f"{who}: X has no rows.")
    if not np.isfinite(np.sum(X)):  # one cheap pass; locate the culprits only if it fails
        bad = ~np.isfinite(X)
        if bad.any():
            raise ValueError(
                f"{who}: X must be finite; got {_offenders(X, bad)} (row, column). "
                "Remove or impute missing (NaN) and infinite values first."
            )
    return X


def _check_y(family: ExponentialFamily, y: Any, n: int) -> np.ndarray:
    """``y`` validated by the family, one entry per row of ``X``."""
    shape = np.shape(y)
    if len(shape) != 1:
        raise ValueError(f"{family.name}: y must be a 1-d array; got shape {shape}.")
    if shape[0] != n:
        raise ValueError(f"{family.name}: X has {n} rows but y has {shape[0]} entries.")
    return family.validate(y)


def _check_theta(family: ExponentialFamily, theta: Any, q: int) -> np.ndarray:
    """``theta`` as a finite float array of shape ``(q,)`` or ``(q, k-1)``."""
    theta = np.asarray(theta, dtype=float)
    expected = (q,) if family.is_scalar else (q, family.eta_size)
    if theta.shape != expected:
        raise ValueError(
            f"{family.name}: theta must have shape {expected} (features + intercept, "
            f"classes - 1); got {theta.shape}."
        )
    bad = ~np.isfinite(theta)
    if bad.any():
        raise ValueError(f"{family.name}: theta must be finite; got {_offenders(theta, bad)}.")
    return theta


def _prepare(
    family: Any, X: Any, y: Any, theta: Any, link: str | None, fit_intercept: bool
) -> tuple[ExponentialFamily, str, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Check everything a free function gets; return (family, link, X, t = T(y), theta)."""
    X = _check_X(X, str(family) if isinstance(family, str) else family.name)
    k = None
    if theta is not None and np.ndim(theta) == 2:
        k = np.shape(theta)[1] + 1
    elif y is not None and str(family).lower() in ("multinomial", "categorical"):
        labels = np.asarray(y, dtype=float)
        k = int(np.nanmax(labels)) + 1 if labels.size and np.isfinite(labels).all() else 2
        k = max(k, 2)
    family = _glm_family(family, k)
    link = _link_name(family, link)
    t = None
    if y is not None:
        t = family.sufficient_statistic(_check_y(family, y, X.shape[0]))
    if theta is not None:
        theta = _check_theta(family, theta, X.shape[1] + int(fit_intercept))
    return family, link, X, t, theta


# ---------------------------------------------------------------------------------------------
# The design matrix [1, X] without copying X
# ---------------------------------------------------------------------------------------------


def linear_predictor(X: Any, theta: Any, fit_intercept: bool = False) -> np.ndarray:
    r""":math:`X\theta`, or :math:`\theta_0 + X\theta_{1:}` when ``fit_intercept``."""
    X = _check_X(X, "linear_predictor")
    return _design_dot(X, np.asarray(theta, dtype=float), fit_intercept)


def _design_dot(X: np.ndarray, theta: np.ndarray, fit_intercept: bool) -> np.ndarray:
    """:math:`\\tilde X\\theta` with :math:`\\tilde X = [1, X]` or :math:`X`."""
    if fit_intercept:
        return theta[0] + X @ theta[1:]
    return X @ theta


def _design_tdot(X: np.ndarray, r: np.ndarray, fit_intercept: bool) -> np.ndarray:
    """:math:`\\tilde X^\\top r`."""
    product = X.T @ r
    if fit_intercept:
        return np.concatenate([np.sum(r, axis=0, keepdims=True), product])
    return product


def _design_rows(X: np.ndarray, rows: slice, fit_intercept: bool, out: np.ndarray) -> np.ndarray:
    """Copy rows of :math:`\\tilde X` into ``out`` (a reused buffer) and return that view."""
    block = X[rows]
    view = out[: len(block)]
    if fit_intercept:
        view[:, 0] = 1.0
        view[:, 1:] = block
    else:
        view[:] = block
    return view


def _weighted_gram(X: np.ndarray, w: np.ndarray, fit_intercept: bool) -> np.ndarray:
    r""":math:`\tilde X^\top \operatorname{diag}(w) \tilde X`, block by block.

    For :math:`w \ge 0` each block is :math:`A^\top A` with :math:`A = \tilde X\sqrt{w}`
    (a symmetric rank-k update); signed weights use :math:`\tilde X^\top(\tilde X w)`.
    Only a block of rows is ever copied, so memory stays small.
    """
    n, p = X.shape
    q = p + int(fit_intercept)
    gram = np.zeros((q, q))
    buffer = np.empty((min(_CHUNK_ROWS, n), q))
    nonnegative = np.min(w) >= 0
    for start in range(0, n, _CHUNK_ROWS):
        rows = slice(start, start + _CHUNK_ROWS)
        if nonnegative:
            root = np.sqrt(w[rows])
            A = buffer[: len(root)]
            if fit_intercept:
                A[:, 0] = root
            np.multiply(X[rows], root[:, None], out=A[:, int(fit_intercept) :])
            gram += A.T @ A
        else:
            A = _design_rows(X, rows, fit_intercept, buffer)
            gram += A.T @ (A * w[rows][:, None])
    return gram


def _weighted_gram_blocks(X: np.ndarray, W: np.ndarray, fit_intercept: bool) -> np.ndarray:
    r"""The block matrix :math:`[\tilde X^\top \operatorname{diag}(W_{:,j,l}) \tilde X]_{j,l}`
    for per-observation ``d x d`` weight matrices ``W`` (the multinomial's information)."""
    n, p = X.shape
    q = p + int(fit_intercept)
    d = W.shape[-1]
    gram = np.zeros((d * q, d * q))
    buffer = np.empty((min(_CHUNK_ROWS, n), q))
    for start in range(0, n, _CHUNK_ROWS):
        rows = slice(start, start + _CHUNK_ROWS)
        A = _design_rows(X, rows, fit_intercept, buffer)
        for j in range(d):
            for l in range(j, d):
                block = A.T @ (A * W[rows, j, l][:, None])
                gram[j * q : (j + 1) * q, l * q : (l + 1) * q] += block
                if l != j:
                    gram[l * q : (l + 1) * q, j * q : (j + 1) * q] += block.T
    return gram


# ---------------------------------------------------------------------------------------------
# Per-observation quantities as functions of the linear predictor
# ---------------------------------------------------------------------------------------------


def _natural_parameter(family: ExponentialFamily, link: str, lin: np.ndarray) -> np.ndarray:
    r""":math:`\eta` from the linear predictor: itself (canonical) or :math:`g(e^{\text{lin}})`."""
    if link == "canonical":
        return lin
    return family.canonical_parameter(np.exp(lin))


def _fitted_mean(family: ExponentialFamily, link: str, lin: np.ndarray) -> np.ndarray:
    r""":math:`\mu = A'(\eta)`: all class probabilities for the multinomial."""
    if link == "log":
        return np.exp(lin)
    if isinstance(family, Multinomial):
        return family.probabilities(lin)
    return family.mean(lin)


def _objective(family: ExponentialFamily, link: str, t: np.ndarray, lin: np.ndarray) -> float:
    r""":math:`\sum_i (\eta_i^\top T(y_i) - A(\eta_i))/\phi`: the log-likelihood without the
    constant :math:`\sum_i \log b(y_i)`; :math:`-\infty` outside the parameter space."""
    with np.errstate(over="ignore", invalid="ignore"):
        if link == "log":
            mu = np.exp(lin)
            if not (np.all(np.isfinite(mu)) and np.all(mu > 0)):
                return -np.inf
        eta = _natural_parameter(family, link, lin)
        if not (np.all(np.isfinite(eta)) and np.all(family.in_parameter_space(eta))):
            return -np.inf
        inner = eta * t if family.is_scalar else np.sum(eta * t, axis=-1)
        value = float(np.sum(inner - family.log_partition(eta)) / family.dispersion)
    return value if np.isfinite(value) else -np.inf


def _residual_and_weight(
    family: ExponentialFamily, link: str, t: np.ndarray, lin: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    r"""``(r, w)`` with score :math:`\tilde X^\top r` and Fisher information
    :math:`\tilde X^\top W \tilde X`.

    Canonical: :math:`r = (T(y) - A'(\eta))/\phi`, :math:`w = A''(\eta)/\phi`.
    Log link with :math:`V(\mu) = \mu^p`: :math:`r = (y - \mu)\mu^{1-p}/\phi`,
    :math:`w = \mu^{2-p}/\phi` (from :math:`\mu' = \mu`).
    """
    phi = family.dispersion
    if link == "canonical":
        residual = (t - family.mean(lin)) / phi
        weight = family.variance(lin) / phi**2  # variance = phi A''
        return residual, weight
    power = _LOG_LINK_VARIANCE_POWER[type(family)]
    mu = np.exp(lin)
    residual = (t - mu) * np.exp((1 - power) * lin) / phi
    weight = np.exp((2 - power) * lin) / phi
    return residual, weight


def _observed_weight(
    family: ExponentialFamily, link: str, t: np.ndarray, lin: np.ndarray
) -> np.ndarray:
    r"""Per-observation :math:`\partial r_i/\partial(\text{lin}_i)`: the Hessian is
    :math:`\tilde X^\top \operatorname{diag}(\cdot)\tilde X`.

    Canonical: :math:`-A''(\eta)/\phi`. Log link:
    :math:`(-\mu^{2-p} + (y-\mu)(1-p)\mu^{1-p})/\phi`.
    """
    if link == "canonical":
        return -_residual_and_weight(family, link, t, lin)[1]
    power = _LOG_LINK_VARIANCE_POWER[type(family)]
    mu = np.exp(lin)
    value = -np.exp((2 - power) * lin) + (t - mu) * (1 - power) * np.exp((1 - power) * lin)
    return value / family.dispersion


def _information(
    X: np.ndarray, weight: np.ndarray, family: ExponentialFamily, fit_intercept: bool
) -> np.ndarray:
    """The weighted Gram matrix for scalar (``w`` per row) or multinomial (matrix per row)."""
    if family.is_scalar:
        return _weighted_gram(X, weight, fit_intercept)
    return _weighted_gram_blocks(X, weight, fit_intercept)


def _flat(theta: np.ndarray) -> np.ndarray:
    """Coefficients as one vector, class by class (``theta.T.ravel()``)."""
    return theta.T.ravel() if theta.ndim == 2 else theta


def _unflat(vector: np.ndarray, like: np.ndarray) -> np.ndarray:
    """Inverse of :func:`_flat` for arrays shaped like ``like``."""
    return vector.reshape(like.shape[::-1]).T if like.ndim == 2 else vector


# ---------------------------------------------------------------------------------------------
# The free functions the chapters show
# ---------------------------------------------------------------------------------------------


def log_likelihood(
    family: Any,
    X: Any,
    y: Any,
    theta: Any,
    link: str | None = None,
    fit_intercept: bool = False,
) -> float:
    r""":math:`\ell(\theta) = \sum_i \log p(y_i \mid \eta_i)`, with :math:`\eta_i` from
    :math:`x_i^\top\theta` through the link. :math:`-\infty` if some :math:`\eta_i` falls
    outside the natural parameter space (e.g. :math:`x_i^\top\theta \ge 0` for the canonical
    gamma/exponential)."""
    family, link, X, t, theta = _prepare(family, X, y, theta, link, fit_intercept)
    lin = _design_dot(X, theta, fit_intercept)
    labels_or_y = family.validate(y)
    return _objective(family, link, t, lin) + float(np.sum(family.log_base_measure(labels_or_y)))


def score(
    family: Any,
    X: Any,
    y: Any,
    theta: Any,
    link: str | None = None,
    fit_intercept: bool = False,
) -> np.ndarray:
    r""":math:`\nabla_\theta\,\ell = X^\top r`, same shape as ``theta``.

    Canonical link (the notes' identity):
    :math:`\partial\ell/\partial\theta_j = \sum_i (T(y_i) - h(x_i))\,x_{ij}/\phi`.
    Log link: :math:`r_i = (y_i - \mu_i)\,\mu_i^{1-p}/\phi` for :math:`V(\mu) = \mu^p`.
    """
    family, link, X, t, theta = _prepare(family, X, y, theta, link, fit_intercept)
    lin = _design_dot(X, theta, fit_intercept)
    residual, _ = _residual_and_weight(family, link, t, lin)
    return _design_tdot(X, residual, fit_intercept)


def fisher_information(
    family: Any,
    X: Any,
    theta: Any,
    link: str | None = None,
    fit_intercept: bool = False,
) -> np.ndarray:
    r"""Expected information :math:`I(\theta) = X^\top W X = \operatorname{Cov}[\nabla\ell]`.

    Canonical link: :math:`w_i = A''(\eta_i)/\phi` (:math:`I = -\nabla^2\ell`, no ``y``
    needed). Log link: :math:`w_i = \mu_i^{2-p}/\phi`. Multinomial: blocks
    :math:`X^\top \operatorname{diag}(\operatorname{Cov}[T]_{jl}) X` in class order.
    """
    family, link, X, _, theta = _prepare(family, X, None, theta, link, fit_intercept)
    lin = _design_dot(X, theta, fit_intercept)
    zeros = np.zeros(lin.shape)
    _, weight = _residual_and_weight(family, link, zeros, lin)
    return _information(X, weight, family, fit_intercept)


def hessian(
    family: Any,
    X: Any,
    y: Any,
    theta: Any,
    link: str | None = None,
    fit_intercept: bool = False,
) -> np.ndarray:
    r"""Observed Hessian :math:`\nabla^2_\theta\,\ell`, a ``(q, q)`` matrix (class blocks for
    the multinomial).

    Canonical link: :math:`-X^\top W X` (equal to :math:`-I(\theta)`, concave).
    Log link: :math:`X^\top \operatorname{diag}\big((-\mu^{2-p} + (y-\mu)(1-p)\mu^{1-p})/\phi
    \big) X`, which depends on ``y`` and need not be negative definite.
    """
    family, link, X, t, theta = _prepare(family, X, y, theta, link, fit_intercept)
    lin = _design_dot(X, theta, fit_intercept)
    weight = _observed_weight(family, link, t, lin)
    if family.is_scalar:
        return _weighted_gram(X, weight, fit_intercept)
    return _weighted_gram_blocks(X, weight, fit_intercept)


# ---------------------------------------------------------------------------------------------
# Solvers
# ---------------------------------------------------------------------------------------------


@dataclass
class FitResult:
    """What a solver returns.

    Attributes
    ----------
    theta : ndarray
        Last iterate, shape ``(q,)`` or ``(q, k-1)``.
    converged : bool
        The stopping criterion was met (and the maximum-likelihood estimate exists).
    n_iter : int
        Iterations (steps) taken.
    loglik_history : list of float
        :math:`\\ell` at the start and after every step.
    rank : int
        Column rank of the design matrix (with the intercept column).
    separation : ndarray or None
        A direction along which the log-likelihood rises without bound (see
        :func:`separation_direction`), if one was found.
    """

    theta: np.ndarray
    converged: bool
    n_iter: int
    loglik_history: list[float]
    rank: int
    separation: np.ndarray | None = None


def _row_space(
    X: np.ndarray, fit_intercept: bool, who: str, rtol: float = 1e-10
) -> tuple[np.ndarray, np.ndarray | None, int]:
    r"""Gram matrix :math:`G = \tilde X^\top\tilde X`, an orthonormal basis of the row space
    of :math:`\tilde X` if it is rank deficient (else ``None``), and the rank.

    The rank is read from the eigenvalues of :math:`D^{-1/2} G D^{-1/2}` (:math:`D` the
    diagonal of :math:`G`, so column scale does not matter): eigenvalues below ``rtol`` times
    the largest count as zero. Warns :class:`RankDeficientWarning` when deficient.
    """
    gram = _weighted_gram(X, np.ones(X.shape[0]), fit_intercept)
    q = gram.shape[0]
    scale = np.sqrt(np.diag(gram))
    zero_columns = scale == 0
    scale[zero_columns] = 1.0
    eigenvalues, eigenvectors = np.linalg.eigh(gram / np.outer(scale, scale))
    null = eigenvalues <= rtol * eigenvalues[-1]
    null_vectors = eigenvectors[:, null] / scale[:, None]
    rank = q - int(null.sum())
    if rank == q:
        return gram, None, rank
    complete, _ = np.linalg.qr(null_vectors, mode="complete")
    basis = complete[:, q - rank :]
    warnings.warn(
        f"{who}: the design matrix has rank {rank} < {q} columns (collinear or constant "
        "columns): infinitely many coefficient vectors give the same fit. Returning the one of "
        "minimum Euclidean norm; drop redundant columns for an identified model.",
        RankDeficientWarning,
        stacklevel=3,
    )
    return gram, basis, rank


def _newton_direction(
    information: np.ndarray, gradient: np.ndarray, basis: np.ndarray | None
) -> np.ndarray:
    r"""Solve :math:`I\,\delta = g` by Cholesky (within ``basis`` if given); if :math:`I` is
    numerically singular, the minimum-norm least-squares solution instead."""
    if basis is not None:
        information = basis.T @ information @ basis
        gradient = basis.T @ gradient
    try:
        factor = scipy.linalg.cho_factor(information)
        direction = scipy.linalg.cho_solve(factor, gradient)
    except (np.linalg.LinAlgError, ValueError):
        direction = np.linalg.lstsq(information, gradient, rcond=None)[0]
    return direction if basis is None else basis @ direction


def _expand_basis(basis: np.ndarray | None, family: ExponentialFamily) -> np.ndarray | None:
    """The row-space basis for the class-by-class coefficient vector of the multinomial."""
    if basis is None or family.is_scalar:
        return basis
    return np.kron(np.eye(family.eta_size), basis)


def _starting_mean(family: ExponentialFamily, t: np.ndarray) -> np.ndarray:
    r"""A mean inside the mean space, halfway between :math:`T(y)` and a central value
    (as IRLS implementations start)."""
    if isinstance(family, Bernoulli):
        return (t + 0.5) / 2
    if isinstance(family, Multinomial):
        return (t + 1.0 / family.k) / 2
    if isinstance(family, Gaussian):
        return t
    return (t + max(float(np.mean(t)), 0.1)) / 2


def _starting_theta(
    family: ExponentialFamily,
    link: str,
    X: np.ndarray,
    t: np.ndarray,
    fit_intercept: bool,
    gram: np.ndarray,
    basis: np.ndarray | None,
) -> np.ndarray:
    r"""Least-squares fit of the working response :math:`z = g(\mu_0)` (one IRLS step from
    :math:`\mu_0`); falls back to a constant :math:`z`, then to zero, when the log-likelihood
    there is not finite. ``ValueError`` if none works."""
    mu0 = _starting_mean(family, t)
    if link == "log":
        z = np.log(np.maximum(mu0, 1e-3 * max(float(np.mean(np.abs(t))), 1e-3)))
    else:
        z = family.canonical_parameter(mu0)

    def least_squares(target: np.ndarray) -> np.ndarray:
        rhs = _design_tdot(X, target, fit_intercept)
        if basis is None:
            return scipy.linalg.solve(gram, rhs, assume_a="pos")
        reduced = np.linalg.solve(basis.T @ gram @ basis, basis.T @ rhs)
        return basis @ reduced

    constant = np.broadcast_to(np.mean(z, axis=0), z.shape)
    candidates = [least_squares(z), least_squares(np.array(constant)), np.zeros(gram.shape[:1])]
    if not family.is_scalar:
        candidates[2] = np.zeros((gram.shape[0], family.eta_size))
    for theta in candidates:
        if np.isfinite(_objective(family, link, t, _design_dot(X, theta, fit_intercept))):
            return theta
    raise ValueError(
        f"{family.name}: found no starting coefficients with a finite log-likelihood. With the "
        "canonical link the linear predictor must stay in the natural parameter space "
        f"({family.parameter_space}) for every row; pass theta0, or use link='log'."
    )


def _mle_may_not_exist(family: ExponentialFamily) -> bool:
    return isinstance(family, (Bernoulli, Multinomial, Poisson))


def _separation_check(
    family: ExponentialFamily,
    X: np.ndarray,
    y: np.ndarray,
    fit_intercept: bool,
    who: str,
) -> np.ndarray | None:
    """Run :func:`separation_direction`; warn :class:`PerfectSeparationWarning` if found."""
    direction = separation_direction(family, X, y, fit_intercept=fit_intercept)
    if direction is not None:
        what = (
            "the zero counts can be fitted exactly (mean -> 0)"
            if isinstance(family, Poisson)
            else "the classes are perfectly separated (some fitted probabilities -> 0 or 1)"
        )
        warnings.warn(
            f"{who}: the maximum-likelihood estimate does not exist: {what}, so the "
            "log-likelihood keeps rising along a direction of the coefficients and they "
            "diverge. The coefficients returned are the last iterate, not an estimate; remove "
            "the separating features, merge classes, or add a penalty.",
            PerfectSeparationWarning,
            stacklevel=3,
        )
    return direction


def newton_irls(
    family: Any,
    X: Any,
    y: Any,
    theta0: Any = None,
    link: str | None = None,
    fit_intercept: bool = False,
    max_iter: int = 100,
    tol: float = 1e-10,
) -> FitResult:
    r"""Maximise :math:`\ell(\theta)` by Newton's method (IRLS).

    Each iteration: score :math:`g = \tilde X^\top r`, information
    :math:`I = \tilde X^\top W\tilde X` (the observed information :math:`-\nabla^2\ell`;
    for the canonical link it equals the Fisher information; for the log link, if some
    observed weight is negative, the Fisher weights are used instead -- Fisher scoring,
    which converges linearly rather than quadratically) (formed as :math:`A^\top A`,
    :math:`A = \tilde X\sqrt w`), direction :math:`\delta = I^{-1}g` by Cholesky, then
    :math:`\theta \leftarrow \theta + s\delta` with :math:`s = 1, \tfrac12, \tfrac14, \dots`
    halved while :math:`\ell` does not improve or is not finite. Stops when the Newton
    decrement per observation, :math:`g^\top I^{-1} g / 2m` (the predicted gain in mean
    log-likelihood), is at most ``tol``; that last step is still taken.

    Start (``theta0=None``): least squares on the working response :math:`g(\mu_0)`,
    :math:`\mu_0 = (T(y) + \bar T)/2`. Rank-deficient design: :class:`RankDeficientWarning`,
    and every step stays in the row space of :math:`\tilde X`, so the result is the
    minimum-norm maximiser. For the bernoulli, multinomial and poisson families, if the
    iteration did not settle, :func:`separation_direction` decides whether the estimate exists
    (:class:`PerfectSeparationWarning`, ``converged=False``). Otherwise reaching ``max_iter``
    warns :class:`~glmnotes.exceptions.ConvergenceWarning`.
    """
    family, link, X, t, theta0 = _prepare(family, X, y, theta0, link, fit_intercept)
    if not (int(max_iter) == max_iter and max_iter >= 1):
        raise ValueError(f"newton_irls: max_iter must be a positive integer; got {max_iter!r}.")
    if not (np.isfinite(tol) and tol > 0):
        raise ValueError(f"newton_irls: tol must be a positive number; got {tol!r}.")
    who = f"newton_irls({family.name})"
    y_checked = family.validate(y)
    n = X.shape[0]
    gram, basis, rank = _row_space(X, fit_intercept, who)
    if theta0 is None:
        theta = _starting_theta(family, link, X, t, fit_intercept, gram, basis)
    else:
        theta = theta0.copy()
    step_basis = _expand_basis(basis, family)
    log_base = float(np.sum(family.log_base_measure(y_checked)))

    lin = _design_dot(X, theta, fit_intercept)
    value = _objective(family, link, t, lin)
    if not np.isfinite(value):
        raise ValueError(f"{who}: the log-likelihood at theta0 is not finite; choose another.")
    history = [value + log_base]
    converged = False
    stalled = False
    last_step = np.zeros_like(theta)
    decrement = np.inf
    n_iter = 0
    for n_iter in range(1, int(max_iter) + 1):  # noqa: B007 (n_iter is reported)
        residual, weight = _residual_and_weight(family, link, t, lin)
        if link != "canonical":  # true Newton (quadratic) where the observed information is PSD
            observed = -_observed_weight(family, link, t, lin)
            weight = observed if np.all(observed >= 0) else weight
        gradient = _flat(_design_tdot(X, residual, fit_intercept))
        information = _information(X, weight, family, fit_intercept)
        if not (np.all(np.isfinite(gradient)) and np.all(np.isfinite(information))):
            stalled = True
            break
        direction = _newton_direction(information, gradient, step_basis)
        decrement = abs(float(gradient @ direction))
        small = decrement / (2 * n) <= tol
        direction = _unflat(direction, theta)
        change = _design_dot(X, direction, fit_intercept)
        size = 1.0
        for _ in range(60):
            new_lin = lin + size * change
            new_value = _objective(family, link, t, new_lin)
            if np.isfinite(new_value) and (
                small or new_value >= value - 1e-13 * (1.0 + abs(value))
            ):
                break
            size /= 2
        else:
            stalled = True
            break
        last_step = size * direction
        theta = theta + last_step
        lin, value = new_lin, new_value
        history.append(value + log_base)
        if small:
            converged = True
            break

    separation = None
    settled = np.max(np.abs(last_step)) <= 1e-4 * max(1.0, float(np.max(np.abs(theta))))
    if _mle_may_not_exist(family) and not (converged and settled):
        separation = _separation_check(family, X, y_checked, fit_intercept, who)
    if separation is not None:
        converged = False
    elif not converged:
        reason = (
            "no step along the Newton direction improved the log-likelihood"
            if stalled
            else f"max_iter={max_iter} iterations were not enough"
        )
        warnings.warn(
            f"{who}: did not converge: {reason} (Newton decrement per observation "
            f"{decrement / (2 * n):.3g} > tol={tol:g}). Raise max_iter, loosen tol, or "
            "standardise the features.",
            ConvergenceWarning,
            stacklevel=2,
        )
    return FitResult(theta, converged, n_iter, history, rank, separation)


def gradient_ascent(
    family: Any,
    X: Any,
    y: Any,
    theta0: Any = None,
    link: str | None = None,
    fit_intercept: bool = False,
    learning_rate: float = 1.0,
    max_iter: int = 10_000,
    tol: float = 1e-6,
) -> FitResult:
    r"""The notes' batch gradient ascent, with its slips fixed:

    .. math::
        \theta^{(t+1)} = \theta^{(t)} + \frac{\alpha}{m} \sum_{i=1}^{m}
        \big(T(y_i) - h(x_i)\big)\,x_i = \theta^{(t)} + \frac{\alpha}{m}
        X^\top\big(T(y) - A'(X\theta^{(t)})\big)

    (the sum runs over the :math:`m` examples, the iteration has its own counter, and the
    mean is :math:`h = A'`, not :math:`A`). For a non-canonical link the step is
    :math:`(\alpha/m)\nabla\ell`. One safeguard: when a step would lower the log-likelihood or
    make it non-finite, :math:`\alpha` is halved (for the rest of the run) and the step
    retried. Stops when :math:`\max_j |\partial\ell/\partial\theta_j| / m \le` ``tol``.

    Start (``theta0=None``): as :func:`newton_irls`; pass zeros to follow the notes. For the
    bernoulli, multinomial and poisson families the end point is checked with
    :func:`separation_direction` (:class:`PerfectSeparationWarning`).
    """
    family, link, X, t, theta0 = _prepare(family, X, y, theta0, link, fit_intercept)
    if not (int(max_iter) == max_iter and max_iter >= 1):
        raise ValueError(f"gradient_ascent: max_iter must be a positive integer; got {max_iter!r}.")
    for name, number in (("learning_rate", learning_rate), ("tol", tol)):
        if not (np.isfinite(number) and number > 0):
            raise ValueError(f"gradient_ascent: {name} must be a positive number; got {number!r}.")
    who = f"gradient_ascent({family.name})"
    y_checked = family.validate(y)
    n = X.shape[0]
    gram, basis, rank = _row_space(X, fit_intercept, who)
    if theta0 is None:
        theta = _starting_theta(family, link, X, t, fit_intercept, gram, basis)
    else:
        theta = theta0.copy()
    log_base = float(np.sum(family.log_base_measure(y_checked)))

    lin = _design_dot(X, theta, fit_intercept)
    value = _objective(family, link, t, lin)
    if not np.isfinite(value):
        raise ValueError(f"{who}: the log-likelihood at theta0 is not finite; choose another.")
    history = [value + log_base]
    alpha = float(learning_rate)
    converged = False
    stalled = False
    n_iter = 0
    gradient_size = np.inf
    for n_iter in range(1, int(max_iter) + 1):  # noqa: B007 (n_iter is reported)
        residual, _ = _residual_and_weight(family, link, t, lin)
        gradient = _design_tdot(X, residual, fit_intercept)
        gradient_size = float(np.max(np.abs(gradient))) / n
        if gradient_size <= tol:
            converged = True
            n_iter -= 1
            break
        change = _design_dot(X, gradient, fit_intercept) / n
        for _ in range(60):
            new_lin = lin + alpha * change
            new_value = _objective(family, link, t, new_lin)
            if np.isfinite(new_value) and new_value >= value - 1e-13 * (1.0 + abs(value)):
                break
            alpha /= 2
        else:
            stalled = True
            break
        theta = theta + alpha * gradient / n
        lin, value = new_lin, new_value
        history.append(value + log_base)

    separation = None
    if _mle_may_not_exist(family):
        separation = _separation_check(family, X, y_checked, fit_intercept, who)
    if separation is not None:
        converged = False
    elif not converged:
        reason = "no step improved the log-likelihood" if stalled else f"max_iter={max_iter}"
        warnings.warn(
            f"{who}: did not converge ({reason}; largest score / m = {gradient_size:.3g} > "
            f"tol={tol:g}). Raise max_iter or learning_rate, standardise the features, or use "
            "newton_irls.",
            ConvergenceWarning,
            stacklevel=2,
        )
    return FitResult(theta, converged, n_iter, history, rank, separation)


def separation_direction(
    family: Any, X: Any, y: Any, fit_intercept: bool = False
) -> np.ndarray | None:
    r"""A direction :math:`d` along which the log-likelihood rises without bound, or ``None``.

    For such a :math:`d`, :math:`\ell(\theta + s d)` increases with :math:`s` for every
    :math:`\theta`, so no maximiser exists (Albert and Anderson, 1984). Found by a linear
    program (HiGHS) with :math:`-1 \le d_j \le 1`:

    - bernoulli: maximise :math:`\sum_i s_i x_i^\top d` subject to :math:`s_i x_i^\top d \ge 0`,
      :math:`s_i = 2y_i - 1` (complete or quasi-complete separation);
    - multinomial: the score of the observed class beats every other class:
      :math:`x_i^\top(d_{y_i} - d_j) \ge 0` (with :math:`d_{k-1} = 0`);
    - poisson: :math:`x_i^\top d = 0` where :math:`y_i > 0` and :math:`x_i^\top d \le 0` where
      :math:`y_i = 0`.

    A strictly positive optimum means separation. Other families return ``None`` (their
    estimate exists whenever the log-likelihood is finite somewhere and :math:`X` has full
    rank). ``d`` has the shape of ``theta``.
    """
    family, _, X, _, _ = _prepare(family, X, y, None, None, fit_intercept)
    if not _mle_may_not_exist(family):
        return None
    y = family.validate(y)
    design = np.hstack([np.ones((X.shape[0], 1)), X]) if fit_intercept else X
    q = design.shape[1]
    equalities = None
    if isinstance(family, Bernoulli):
        margins = (2 * y - 1)[:, None] * design
    elif isinstance(family, Poisson):
        margins = -design[y == 0]
        equalities = design[y > 0]
    else:
        d = family.k - 1
        rows = []
        for j in range(family.k):
            chosen = y != j
            block = np.zeros((int(chosen.sum()), d * q))
            for c in range(d):
                sign = (y[chosen] == c).astype(float) - (j == c)
                block[:, c * q : (c + 1) * q] = sign[:, None] * design[chosen]
            rows.append(block)
        margins = np.vstack(rows)
    size = np.max(np.abs(margins), axis=1, keepdims=True) if len(margins) else None
    if size is None or not np.any(size > 0):
        return None
    margins = margins[size[:, 0] > 0] / size[size[:, 0] > 0]
    if equalities is not None and len(equalities):
        norms = np.max(np.abs(equalities), axis=1, keepdims=True)
        equalities = equalities[norms[:, 0] > 0] / norms[norms[:, 0] > 0]
    else:
        equalities = None
    result = linprog(
        c=-margins.sum(axis=0),
        A_ub=-margins,
        b_ub=np.zeros(len(margins)),
        A_eq=equalities,
        b_eq=None if equalities is None else np.zeros(len(equalities)),
        bounds=(-1, 1),
        method="highs",
    )
    if result.status != 0:
        return None
    direction = result.x
    achieved = margins @ direction
    violated = np.min(achieved) < -1e-7
    if equalities is not None:
        violated |= np.max(np.abs(equalities @ direction)) > 1e-7
    if violated or np.max(achieved) <= 1e-6:
        return None
    if isinstance(family, Multinomial):
        return direction.reshape(family.k - 1, q).T
    return direction


# ---------------------------------------------------------------------------------------------
# The scikit-learn estimator
# ---------------------------------------------------------------------------------------------


def _is_classifier(estimator: GLM) -> bool:
    family = estimator.family
    name = family.name if isinstance(family, ExponentialFamily) else str(family).lower()
    return name.lower() in ("bernoulli", "multinomial", "categorical")


class GLM(BaseEstimator):
    r"""A generalized linear model fitted by maximum likelihood, scikit-learn style.

    Parameters
    ----------
    family : str or ExponentialFamily, default "gaussian"
        ``"gaussian"``, ``"bernoulli"``, ``"multinomial"``, ``"poisson"``, ``"gamma"`` or
        ``"exponential"`` (or an instance of the matching family class, used as given). For
        the names ``"gaussian"`` and ``"gamma"`` the dispersion is estimated after the
        coefficients (which do not depend on it): gaussian :math:`\hat\sigma^2 = RSS/m`
        (maximum likelihood, as statsmodels' ``llf``), gamma
        :math:`\hat\phi = \sum_i ((y_i - \mu_i)/\mu_i)^2 / (m - \text{rank})` (Pearson, as
        statsmodels' default scale), shape :math:`1/\hat\phi`.
    link : None, "canonical" or "log", default None
        ``None`` is the canonical link (identity, logit, log, :math:`-1/\mu`); ``"log"`` is
        available for gaussian, poisson, gamma and exponential. With the canonical link the
        gamma/exponential coefficients are those of :math:`\eta = -1/\mu`, the negatives of
        statsmodels' default ``InversePower`` (:math:`1/\mu`) coefficients.
    solver : "newton" or "gradient", default "newton"
        :func:`newton_irls` or :func:`gradient_ascent`.
    fit_intercept : bool, default True
        Add an intercept (an implicit column of ones; ``X`` is not copied).
    max_iter : int or None
        Iteration limit; ``None`` means 100 for Newton and 10 000 for gradient ascent.
    tol : float or None
        Newton: Newton decrement per observation (default 1e-10). Gradient: largest score
        component per observation (default 1e-6).
    learning_rate : float, default 1.0
        :math:`\alpha` of gradient ascent (halved automatically when a step would lower the
        log-likelihood).

    Attributes
    ----------
    coef_ : ndarray
        ``(n_features,)``; multinomial ``(k-1, n_features)``, one row per class in
        ``classes_[:-1]``, relative to the reference class ``classes_[-1]`` (the notes'
        convention; statsmodels' ``MNLogit`` uses the first class instead).
    intercept_ : float or ndarray
        ``0.0`` (or zeros) when ``fit_intercept=False``.
    n_iter_, converged_, loglik_history_ :
        From the solver. ``loglik_history_`` is computed with unit dispersion for the names
        ``"gaussian"`` and ``"gamma"`` (the fit does not depend on it).
    family_ : ExponentialFamily
        The fitted family, with the estimated dispersion.
    dispersion_ : float
    rank_ : int
    classes_ : ndarray
        For bernoulli (``[0, 1]``) and multinomial (the sorted labels seen in ``fit``).
    n_features_in_ : int
    """

    def __init__(
        self,
        family: str | ExponentialFamily = "gaussian",
        link: str | None = None,
        solver: str = "newton",
        fit_intercept: bool = True,
        max_iter: int | None = None,
        tol: float | None = None,
        learning_rate: float = 1.0,
    ):
        self.family = family
        self.link = link
        self.solver = solver
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.learning_rate = learning_rate

    # -- fitting ------------------------------------------------------------------------------

    def _family_and_response(self, y: Any) -> tuple[ExponentialFamily, np.ndarray]:
        """The family to fit with and ``y`` as the family's labels/values."""
        name = self.family if isinstance(self.family, str) else None
        if name is not None and name.lower() in ("multinomial", "categorical"):
            y = np.asarray(y)
            values = _as_labels(y)
            self.classes_, indices = np.unique(values, return_inverse=True)
            if len(self.classes_) < 2:
                raise ValueError(
                    f"multinomial: y has a single class {self.classes_.tolist()}; "
                    "at least two are needed."
                )
            return Multinomial(len(self.classes_)), indices.reshape(-1)
        family = _glm_family(self.family, k=None)
        if isinstance(family, Multinomial):
            self.classes_ = np.arange(family.k)
        elif isinstance(family, Bernoulli):
            self.classes_ = np.array([0, 1])
        return family, family.validate(y)

    def fit(self, X: Any, y: Any) -> GLM:
        """Fit the coefficients by maximum likelihood; returns ``self``."""
        if self.solver not in ("newton", "gradient"):
            raise ValueError(f"GLM: solver must be 'newton' or 'gradient'; got {self.solver!r}.")
        X = _check_X(X, f"GLM(family={self.family!r})")
        if np.ndim(y) != 1 or len(y) != X.shape[0]:
            raise ValueError(
                f"GLM(family={self.family!r}): y must be 1-d with one entry per row of X "
                f"({X.shape[0]}); got shape {np.shape(y)}."
            )
        family, response = self._family_and_response(y)
        newton = self.solver == "newton"
        max_iter = self.max_iter if self.max_iter is not None else (100 if newton else 10_000)
        tol = self.tol if self.tol is not None else (1e-10 if newton else 1e-6)
        common = dict(link=self.link, fit_intercept=self.fit_intercept, max_iter=max_iter, tol=tol)
        if newton:
            result = newton_irls(family, X, response, **common)
        else:
            result = gradient_ascent(
                family, X, response, learning_rate=self.learning_rate, **common
            )
        self.link_ = _link_name(family, self.link)
        self.n_features_in_ = X.shape[1]
        theta = result.theta
        if self.fit_intercept:
            self.intercept_ = theta[0] if family.is_scalar else theta[0].copy()
            coefficients = theta[1:]
        else:
            self.intercept_ = 0.0 if family.is_scalar else np.zeros(family.eta_size)
            coefficients = theta
        self.intercept_ = float(self.intercept_) if family.is_scalar else self.intercept_
        self.coef_ = coefficients.copy() if family.is_scalar else coefficients.T.copy()
        self.n_iter_ = result.n_iter
        self.converged_ = result.converged
        self.loglik_history_ = result.loglik_history
        self.rank_ = result.rank
        self.family_ = self._with_dispersion(family, X, response, result.rank)
        self.dispersion_ = self.family_.dispersion
        return self

    def _with_dispersion(
        self, family: ExponentialFamily, X: np.ndarray, y: np.ndarray, rank: int
    ) -> ExponentialFamily:
        """For the names "gaussian" and "gamma": the family with the estimated dispersion."""
        if not isinstance(self.family, str) or not isinstance(family, (Gaussian, GammaDispersion)):
            return family
        mu = self._mean(X)
        tiny = np.finfo(float).tiny
        if isinstance(family, Gaussian):
            return Gaussian(sigma=np.sqrt(max(float(np.mean((y - mu) ** 2)), tiny)))
        degrees = X.shape[0] - rank if X.shape[0] > rank else X.shape[0]
        phi = float(np.sum(((y - mu) / mu) ** 2)) / degrees
        return GammaDispersion(shape=1.0 / max(phi, tiny))

    # -- prediction ---------------------------------------------------------------------------

    def _linear_predictor(self, X: np.ndarray) -> np.ndarray:
        if self.coef_.ndim == 1:
            return self.intercept_ + X @ self.coef_
        return self.intercept_ + X @ self.coef_.T

    def _mean(self, X: np.ndarray) -> np.ndarray:
        family = (
            self.family_
            if hasattr(self, "family_")
            else _glm_family(
                self.family, k=None if self.coef_.ndim == 1 else self.coef_.shape[0] + 1
            )
        )
        return _fitted_mean(family, self.link_, self._linear_predictor(X))

    def _check_fitted_X(self, X: Any) -> np.ndarray:
        if not hasattr(self, "coef_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("This GLM is not fitted yet; call fit(X, y) first.")
        X = _check_X(X, f"GLM(family={self.family!r})")
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"GLM: X has {X.shape[1]} features but the model was fitted with "
                f"{self.n_features_in_}."
            )
        return X

    def predict(self, X: Any) -> np.ndarray:
        r"""The fitted mean :math:`\mathbb E[y \mid x]` (``(n,)``); for the multinomial the
        expected one-hot vector, i.e. all :math:`k` class probabilities (``(n, k)``)."""
        return self._mean(self._check_fitted_X(X))

    @available_if(_is_classifier)
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities ``(n, k)``, columns in the order of ``classes_``."""
        X = self._check_fitted_X(X)
        lin = self._linear_predictor(X)
        if self.coef_.ndim == 1:
            from scipy.special import expit

            return np.column_stack([expit(-lin), expit(lin)])
        return self.family_.probabilities(lin)

    def score(self, X: Any, y: Any) -> float:
        """Mean log-likelihood per observation (with the estimated dispersion)."""
        X = self._check_fitted_X(X)
        family = self.family_
        if isinstance(family, Multinomial) and isinstance(self.family, str):
            values = _as_labels(np.asarray(y))
            unknown = ~np.isin(values, self.classes_)
            if unknown.any():
                raise ValueError(
                    f"multinomial: y has labels not seen in fit: {_offenders(values, unknown)}."
                )
            y = np.searchsorted(self.classes_, values)
        y = _check_y(family, y, X.shape[0])
        lin = self._linear_predictor(X)
        eta = _natural_parameter(family, self.link_, lin)
        return float(np.mean(family.log_density(y, eta)))


def _as_labels(y: np.ndarray) -> np.ndarray:
    """Integer-valued class labels as a float array, or ``ValueError``."""
    try:
        values = np.asarray(y, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            f"multinomial: y must be integer class labels; got {y[:5]!r}... Encode string "
            "labels with numpy.unique(y, return_inverse=True)."
        ) from None
    bad = ~np.isfinite(values) | (values != np.floor(values))
    if bad.any():
        raise ValueError(
            f"multinomial: y must be integer class labels; got {_offenders(values, bad)}."
        )
    return values
