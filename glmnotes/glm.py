r"""Generalized linear models: the notes' log-likelihood, its score, and two ways to climb it.

The model (the notes' three assumptions): observations are independent,
:math:`y_i \mid x_i` follows an exponential family (:mod:`glmnotes.families`), and a linear
predictor :math:`x_i^\top\theta` drives its natural parameter. With the *canonical link*
:math:`\eta_i = x_i^\top\theta`, and the prediction is :math:`h(x) = \mathbb E[T(y) \mid x] =
A'(x^\top\theta)`. With the *log link* (gaussian, poisson, exponential, gamma)
:math:`\log\mu_i = x_i^\top\theta` and :math:`\eta_i = g(\mu_i)`, :math:`g` the canonical link.

Forward and backward, side by side (:math:`\phi` the dispersion, 1 unless stated):

.. math::
    \ell(\theta) &= \textstyle\sum_i \log b(y_i) + \big(\eta_i^\top T(y_i) - A(\eta_i)\big)/\phi
    \qquad \text{(log-likelihood)}\\
    \nabla\ell(\theta) &= X^\top r,\quad r_i = (T(y_i) - A'(\eta_i))/\phi
    \qquad \text{(score, canonical link)}\\
    I(\theta) &= X^\top W X,\quad w_i = A''(\eta_i)/\phi = -\nabla^2\ell(\theta)
    \qquad \text{(Fisher information)}\\
    \theta &\leftarrow \theta + \tfrac{\alpha}{m}\, X^\top\big(T(y) - h(X\theta)\big)
    \qquad \text{(gradient ascent, the notes' rule)}\\
    \theta &\leftarrow \theta + I(\theta)^{-1}\nabla\ell(\theta)
    \qquad \text{(Newton / IRLS)}

For a non-canonical link the score picks up the chain-rule factor
:math:`r_i = (y_i - \mu_i)\,\mu_i'/(\phi V(\mu_i))` and the Fisher weights become
:math:`w_i = \mu_i'^2/(\phi V(\mu_i))`, with :math:`\mu_i' = d\mu_i/d(x_i^\top\theta)` and
:math:`V(\mu) = A''(\eta)`; then :func:`hessian` (observed) and :func:`fisher_information`
(expected) differ. :func:`newton_irls` uses the observed information when it is positive
semi-definite (true Newton) and the expected one otherwise (Fisher scoring, the classic IRLS).

Every pass over the data works on blocks of rows (:data:`_BLOCK_ROWS`): the score, the
information and the log-likelihood of a block are added up, so no array of ``X``'s size is
ever allocated and ``X`` is never copied.

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
import scipy.sparse
from scipy.optimize import linprog
from sklearn.base import BaseEstimator
from sklearn.utils.metaestimators import available_if

from glmnotes._validation import offenders as _offenders
from glmnotes.exceptions import ConvergenceWarning, PerfectSeparationWarning, RankDeficientWarning
from glmnotes.families import (
    Bernoulli,
    Exponential,
    ExponentialFamily,
    GammaDispersion,
    Gaussian,
    Multinomial,
    Poisson,
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

_BLOCK_ROWS = 8192
"""Rows per block. Every pass over the data works on blocks of rows, so temporaries stay small
(on fresh multi-megabyte arrays the page faults cost more than the arithmetic) and the memory
used is a small fraction of ``X``."""


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
    """``X`` as a 2-d float array with finite entries, or ``ValueError`` saying what to do
    (``TypeError`` for entries that are not numbers at all)."""
    if scipy.sparse.issparse(X):
        raise ValueError(f"{who}: sparse input is not supported; pass X.toarray().")
    if np.iscomplexobj(X):
        raise ValueError(f"{who}: Complex data not supported; X must be real.")
    try:
        X = np.asarray(X, dtype=float)
    except TypeError as error:
        raise TypeError(f"{who}: X must be numeric: {error}.") from None
    except ValueError as error:
        raise ValueError(f"{who}: X must be numeric: {error}.") from None
    if X.ndim != 2:
        raise ValueError(
            f"{who}: X must be a 2-d array of shape (n_samples, n_features); got shape "
            f"{X.shape}. Reshape your data: X.reshape(-1, 1) for a single feature."
        )
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(
            f"{who}: X has {X.shape[0]} sample(s) and {X.shape[1]} feature(s) "
            f"(shape={X.shape}) while a minimum of 1 is required."
        )
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


def _blocks(n: int) -> list[slice]:
    """Slices that cover rows ``0..n-1`` in blocks of ``_BLOCK_ROWS``."""
    return [slice(start, min(start + _BLOCK_ROWS, n)) for start in range(0, n, _BLOCK_ROWS)]


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


def _design(X: np.ndarray, fit_intercept: bool) -> np.ndarray:
    """:math:`\\tilde X` itself (a copy with the ones column); used only on blocks of rows."""
    return np.hstack([np.ones((len(X), 1)), X]) if fit_intercept else X


def _weighted_gram(X: np.ndarray, w: np.ndarray, fit_intercept: bool) -> np.ndarray:
    r""":math:`\tilde X^\top \operatorname{diag}(w)\, \tilde X` for a block of rows.

    For :math:`w \ge 0` the inner part is :math:`A^\top A` with :math:`A = \sqrt{w}\,X` (a
    symmetric rank-k update) and the intercept's row and column are :math:`\sum_i w_i` and
    :math:`A^\top\sqrt{w} = X^\top w`; signed weights use :math:`\tilde X^\top (w\tilde X)`.
    """
    if np.min(w) < 0:
        design = _design(X, fit_intercept)
        return design.T @ (design * w[:, None])
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


def _weighted_gram_blocks(X: np.ndarray, W: np.ndarray, fit_intercept: bool) -> np.ndarray:
    r"""The block matrix :math:`[\tilde X^\top \operatorname{diag}(W_{:,j,l}) \tilde X]_{j,l}`
    for per-observation ``d x d`` weight matrices ``W`` (the multinomial's information), for a
    block of rows."""
    design = _design(X, fit_intercept)
    q, d = design.shape[1], W.shape[-1]
    gram = np.empty((d * q, d * q))
    for j in range(d):
        for l in range(j, d):
            block = design.T @ (design * W[:, j, l][:, None])
            gram[j * q : (j + 1) * q, l * q : (l + 1) * q] = block
            gram[l * q : (l + 1) * q, j * q : (j + 1) * q] = block.T
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
    r""":math:`\sum_i (\eta_i^\top T(y_i) - A(\eta_i))/\phi` over the given rows: the
    log-likelihood without the constant :math:`\sum_i \log b(y_i)`; :math:`-\infty` outside
    the parameter space."""
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
    family: ExponentialFamily, link: str, t: np.ndarray | None, lin: np.ndarray
) -> tuple[np.ndarray | None, np.ndarray]:
    r"""``(r, w)`` with score :math:`\tilde X^\top r` and Fisher information
    :math:`\tilde X^\top W \tilde X` (``r`` is ``None`` when ``t`` is).

    Canonical: :math:`r = (T(y) - A'(\eta))/\phi`, :math:`w = A''(\eta)/\phi`.
    Log link with :math:`V(\mu) = \mu^p`: :math:`r = (y - \mu)\mu^{1-p}/\phi`,
    :math:`w = \mu^{2-p}/\phi` (from :math:`\mu' = \mu`).
    """
    phi = family.dispersion
    if link == "canonical":
        residual = None if t is None else (t - family.mean(lin)) / phi
        weight = family.variance(lin) / phi**2  # variance = phi A''
        return residual, weight
    power = _LOG_LINK_VARIANCE_POWER[type(family)]
    residual = None if t is None else (t - np.exp(lin)) * np.exp((1 - power) * lin) / phi
    weight = np.exp((2 - power) * lin) / phi
    return residual, weight


def _observed_weight(
    family: ExponentialFamily, link: str, t: np.ndarray, lin: np.ndarray
) -> np.ndarray:
    r"""Per-observation :math:`-\partial r_i/\partial\,\text{lin}_i`, so that the observed
    information is :math:`-\nabla^2\ell = \tilde X^\top \operatorname{diag}(\cdot)\tilde X`.

    Canonical: the Fisher weight :math:`A''(\eta)/\phi`. Log link:
    :math:`(\mu^{2-p} - (y-\mu)(1-p)\mu^{1-p})/\phi`.
    """
    if link == "canonical":
        return _residual_and_weight(family, link, None, lin)[1]
    power = _LOG_LINK_VARIANCE_POWER[type(family)]
    mu = np.exp(lin)
    value = np.exp((2 - power) * lin) - (t - mu) * (1 - power) * np.exp((1 - power) * lin)
    return value / family.dispersion


def _information_block(
    X: np.ndarray, weight: np.ndarray, family: ExponentialFamily, fit_intercept: bool
) -> np.ndarray:
    """The weighted Gram matrix of a block, for scalar (``w`` per row) or multinomial weights."""
    if family.is_scalar:
        return _weighted_gram(X, weight, fit_intercept)
    return _weighted_gram_blocks(X, weight, fit_intercept)


# ---------------------------------------------------------------------------------------------
# Sums over the data, block by block
# ---------------------------------------------------------------------------------------------


def _accumulate(
    family: ExponentialFamily,
    link: str,
    X: np.ndarray,
    t: np.ndarray | None,
    theta: np.ndarray,
    fit_intercept: bool,
    objective: bool = False,
    score: bool = False,
    information: str | None = None,
) -> tuple[float | None, np.ndarray | None, np.ndarray | None]:
    r"""One pass over the data, block by block, summing what is asked for.

    Returns ``(value, gradient, matrix)`` (``None`` for what was not asked):

    - ``objective``: :math:`\sum_i (\eta_i^\top T(y_i) - A(\eta_i))/\phi`, the log-likelihood
      without :math:`\sum_i \log b(y_i)`; if a block leaves the parameter space the pass stops
      and returns ``(-inf, None, None)``;
    - ``score``: :math:`\tilde X^\top r`;
    - ``information``: ``"fisher"`` (expected), ``"observed"`` (:math:`-\nabla^2\ell`) or
      ``"newton"`` (observed if all its weights are non-negative, else Fisher). For the
      canonical link the three are the same matrix.
    """
    q = X.shape[1] + int(fit_intercept)
    size = q * family.eta_size
    value = 0.0 if objective else None
    gradient = np.zeros(np.shape(theta)) if score else None
    need_observed = link != "canonical" and information in ("observed", "newton")
    need_fisher = information == "newton" or (information is not None and not need_observed)
    fisher = np.zeros((size, size)) if need_fisher else None
    observed = np.zeros((size, size)) if need_observed else None
    observed_is_psd = True
    for rows in _blocks(len(X)):
        block = X[rows]
        t_block = None if t is None else t[rows]
        lin = _design_dot(block, theta, fit_intercept)
        if objective:
            block_value = _objective(family, link, t_block, lin)
            if block_value == -np.inf:
                return -np.inf, None, None
            value += block_value
        if score or need_fisher:
            residual, weight = _residual_and_weight(family, link, t_block if score else None, lin)
            if score:
                gradient += _design_tdot(block, residual, fit_intercept)
            if need_fisher:
                fisher += _information_block(block, weight, family, fit_intercept)
        if need_observed:
            weight = _observed_weight(family, link, t_block, lin)
            observed_is_psd &= bool(np.all(weight >= 0))
            observed += _weighted_gram(block, weight, fit_intercept)
    if information == "newton" and need_observed and observed_is_psd:
        fisher = observed
    matrix = observed if information == "observed" and need_observed else fisher
    return value, gradient, matrix


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
    log_base = float(np.sum(family.log_base_measure(family.validate(y))))
    value, _, _ = _accumulate(family, link, X, t, theta, fit_intercept, objective=True)
    return value + log_base


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
    return _accumulate(family, link, X, t, theta, fit_intercept, score=True)[1]


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
    return _accumulate(family, link, X, None, theta, fit_intercept, information="fisher")[2]


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
    Log link: :math:`-X^\top \operatorname{diag}\big((\mu^{2-p} - (y-\mu)(1-p)\mu^{1-p})/\phi
    \big) X`, which depends on ``y`` and need not be negative definite.
    """
    family, link, X, t, theta = _prepare(family, X, y, theta, link, fit_intercept)
    return -_accumulate(family, link, X, t, theta, fit_intercept, information="observed")[2]


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


def _row_space(gram: np.ndarray, who: str, rtol: float = 1e-10) -> tuple[np.ndarray | None, int]:
    r"""An orthonormal basis of the row space of :math:`\tilde X` if it is rank deficient
    (else ``None``), and the rank, read from ``gram`` :math:`= \tilde X^\top W \tilde X` with
    positive weights (which has the null space of :math:`\tilde X`).

    The rank is read from the eigenvalues of :math:`D^{-1/2} G D^{-1/2}` (:math:`D` the
    diagonal of :math:`G`, so column scale does not matter): eigenvalues below ``rtol`` times
    the largest count as zero. Warns :class:`RankDeficientWarning` when deficient.
    """
    q = gram.shape[0]
    scale = np.sqrt(np.diag(gram))
    scale[scale == 0] = 1.0
    eigenvalues, eigenvectors = np.linalg.eigh(gram / np.outer(scale, scale))
    null = eigenvalues <= rtol * eigenvalues[-1]
    rank = q - int(null.sum())
    if rank == q:
        return None, rank
    complete, _ = np.linalg.qr(eigenvectors[:, null] / scale[:, None], mode="complete")
    warnings.warn(
        f"{who}: the design matrix has rank {rank} < {q} columns (collinear or constant "
        "columns): infinitely many coefficient vectors give the same fit. Returning the one of "
        "minimum Euclidean norm; drop redundant columns for an identified model.",
        RankDeficientWarning,
        stacklevel=3,
    )
    return complete[:, q - rank :], rank


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


def _starting_mean(family: ExponentialFamily, link: str, t: np.ndarray, floor: float):
    r""":math:`\mu_0`, a mean inside the mean space halfway between :math:`T(y)` and a central
    value (as statsmodels and R start IRLS); ``floor`` keeps positive means positive."""
    if isinstance(family, Bernoulli):
        return (t + 0.5) / 2
    if isinstance(family, Multinomial):
        return (t + 1.0 / family.k) / 2
    if isinstance(family, Gaussian) and link == "canonical":
        return t
    return np.maximum((t + floor) / 2, floor)


def _starting_candidates(
    family: ExponentialFamily, link: str, X: np.ndarray, t: np.ndarray, fit_intercept: bool, who
) -> tuple[list[np.ndarray], np.ndarray | None, int]:
    r"""Starting coefficients, best first, the row-space basis and the rank.

    The first candidate is one IRLS step from :math:`\mu_0` (:func:`_starting_mean`): weighted
    least squares of the working response :math:`z_0 = g(\mu_0) + (T(y) - \mu_0)\,g'(\mu_0)`
    with the Fisher weights :math:`W_0` at :math:`\mu_0`, i.e.
    :math:`\theta = (\tilde X^\top W_0\tilde X)^{-1}\tilde X^\top W_0 z_0` (for the Gaussian
    this is already the least-squares answer). The same pass gives the rank (the weights are
    positive, so :math:`\tilde X^\top W_0 \tilde X` has the null space of :math:`\tilde X`).
    Fallbacks, for a canonical link whose parameter space the first candidate leaves: the
    weighted fit of the constant :math:`g(\bar\mu_0)` (:math:`\bar\mu_0` the starting
    mean of :math:`\bar T`), then zero.
    """
    d = family.eta_size
    q = X.shape[1] + int(fit_intercept)
    floor = max(float(np.mean(t)), 1e-3) if family.is_scalar else 0.0
    central_mean = _starting_mean(family, link, np.mean(t, axis=0), floor)
    central = _natural_parameter_of_mean(family, link, central_mean)
    matrix = np.zeros((q * d, q * d))
    rhs = np.zeros((q,) if family.is_scalar else (q, d))
    rhs_constant = np.zeros_like(rhs)
    for rows in _blocks(len(X)):
        block = X[rows]
        lin = _natural_parameter_of_mean(family, link, _starting_mean(family, link, t[rows], floor))
        residual, weight = _residual_and_weight(family, link, t[rows], lin)
        matrix += _information_block(block, weight, family, fit_intercept)
        if family.is_scalar:
            rhs += _design_tdot(block, weight * lin + residual, fit_intercept)
            rhs_constant += _design_tdot(block, weight * central, fit_intercept)
        else:
            rhs += _design_tdot(
                block, np.einsum("nij,nj->ni", weight, lin) + residual, fit_intercept
            )
            rhs_constant += _design_tdot(block, weight @ central, fit_intercept)
    basis, rank = _row_space(matrix[:q, :q], who)
    step_basis = _expand_basis(basis, family)
    candidates = [
        _unflat(_newton_direction(matrix, _flat(rhs), step_basis), rhs),
        _unflat(_newton_direction(matrix, _flat(rhs_constant), step_basis), rhs),
        np.zeros_like(rhs),
    ]
    return candidates, basis, rank


def _natural_parameter_of_mean(family: ExponentialFamily, link: str, mu: np.ndarray):
    """The linear predictor that has mean ``mu``: :math:`g(\\mu)` for the link in use."""
    return np.log(mu) if link == "log" else family.canonical_parameter(mu)


def _first_point(family, link, X, t, theta0, fit_intercept, who, evaluate):
    """The starting point and ``evaluate`` there, plus the row-space basis and the rank:
    ``theta0`` if given, else the first of :func:`_starting_candidates` with a finite
    log-likelihood."""
    candidates, basis, rank = _starting_candidates(family, link, X, t, fit_intercept, who)
    if theta0 is not None:
        candidates = [theta0.copy()]
    for theta in candidates:
        evaluation = evaluate(theta)
        if np.isfinite(evaluation[0]):
            return theta, evaluation, basis, rank
    if theta0 is not None:
        raise ValueError(f"{who}: the log-likelihood at theta0 is not finite; choose another.")
    raise ValueError(
        f"{who}: found no starting coefficients with a finite log-likelihood. With the "
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

    Each iteration: score :math:`g = \tilde X^\top r` and information
    :math:`I = \tilde X^\top W\tilde X` in one pass over blocks of rows (each block's
    :math:`\tilde X^\top W \tilde X` formed as :math:`A^\top A`, :math:`A = \sqrt w\,
    \tilde X`); :math:`I` is the observed information :math:`-\nabla^2\ell`, which for the
    canonical link is the Fisher information; for the log link, if some observed weight is
    negative, the Fisher weights are used instead (Fisher scoring, which converges linearly
    rather than quadratically). Then the direction :math:`\delta = I^{-1}g` by Cholesky, then
    :math:`\theta \leftarrow \theta + s\delta` with :math:`s = 1, \tfrac12, \tfrac14, \dots`
    halved while :math:`\ell` does not improve or is not finite (the pass that evaluates
    :math:`\ell` at a trial point also accumulates the next score and information). Stops
    when the Newton decrement per observation, :math:`g^\top I^{-1} g / 2m` (the predicted
    gain in mean log-likelihood), is at most ``tol``; that last step is still taken.

    Start (``theta0=None``): one IRLS step from the data, as statsmodels and R start --
    weighted least squares of the working response
    :math:`z_0 = g(\mu_0) + (T(y) - \mu_0)\,g'(\mu_0)` at :math:`\mu_0 = (T(y) + \bar T)/2`
    (for the Gaussian, :math:`\mu_0 = y`: the answer in one step). Rank-deficient design:
    :class:`RankDeficientWarning`, and every step stays in the row space of :math:`\tilde X`,
    so (with ``theta0=None``) the result is the minimum-norm maximiser. For the bernoulli,
    multinomial and poisson families, if the iteration did not settle,
    :func:`separation_direction` decides whether the estimate exists
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
    log_base = float(np.sum(family.log_base_measure(y_checked)))

    def evaluate(theta: np.ndarray, derivatives: bool = True):
        """(value, gradient, information) at theta, in one pass over the data."""
        return _accumulate(
            family,
            link,
            X,
            t,
            theta,
            fit_intercept,
            objective=True,
            score=derivatives,
            information="newton" if derivatives else None,
        )

    theta, (value, gradient, information), basis, rank = _first_point(
        family, link, X, t, theta0, fit_intercept, who, evaluate
    )
    step_basis = _expand_basis(basis, family)
    history = [value + log_base]
    converged = False
    stalled = False
    last_step = np.zeros_like(theta)
    decrement = np.inf
    n_iter = 0
    for n_iter in range(1, int(max_iter) + 1):  # noqa: B007 (n_iter is reported)
        flat_gradient = _flat(gradient)
        if not (np.all(np.isfinite(flat_gradient)) and np.all(np.isfinite(information))):
            stalled = True
            break
        direction = _newton_direction(information, flat_gradient, step_basis)
        decrement = abs(float(flat_gradient @ direction))
        small = decrement / (2 * n) <= tol
        direction = _unflat(direction, theta)
        size = 1.0
        for _ in range(60):
            # the pass that tests a step also computes the next iteration's derivatives
            new_value, new_gradient, new_information = evaluate(
                theta + size * direction, derivatives=not small
            )
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
        value, gradient, information = new_value, new_gradient, new_information
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
    log_base = float(np.sum(family.log_base_measure(y_checked)))

    def evaluate(theta: np.ndarray):
        """(value, gradient, None) at theta, in one pass over the data."""
        return _accumulate(family, link, X, t, theta, fit_intercept, objective=True, score=True)

    theta, (value, gradient, _), _, rank = _first_point(
        family, link, X, t, theta0, fit_intercept, who, evaluate
    )
    history = [value + log_base]
    alpha = float(learning_rate)
    converged = False
    stalled = False
    n_iter = 0
    gradient_size = np.inf
    for n_iter in range(1, int(max_iter) + 1):  # noqa: B007 (n_iter is reported)
        gradient_size = float(np.max(np.abs(gradient))) / n
        if gradient_size <= tol:
            converged = True
            n_iter -= 1
            break
        for _ in range(60):
            candidate = theta + alpha * gradient / n
            new_value, new_gradient, _ = evaluate(candidate)
            if np.isfinite(new_value) and new_value >= value - 1e-13 * (1.0 + abs(value)):
                break
            alpha /= 2
        else:
            stalled = True
            break
        theta, value, gradient = candidate, new_value, new_gradient
        history.append(value + log_base)
    else:  # max_iter steps taken: test the last point too
        gradient_size = float(np.max(np.abs(gradient))) / n
        converged = gradient_size <= tol

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
            _as_labels(y)  # integer-valued, else ValueError
            self.classes_, indices = np.unique(y, return_inverse=True)
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
                f"GLM: X has {X.shape[1]} features, but GLM is expecting "
                f"{self.n_features_in_} features as input."
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
