r"""The log-likelihood of a GLM, its gradient (the score), its observed and expected information.

Names: the gradient :math:`\nabla_\theta\ell` is what statisticians call the *score* (and
statsmodels' ``GLM.score(params)`` computes); here it is :func:`log_likelihood_gradient`, because
for scikit-learn estimators -- :class:`glmnotes.glm.GLM` among them -- ``score(X, y)`` is a
goodness of fit (:math:`D^2` for GLMs). No function of :mod:`glmnotes.glm` is called ``score``;
the method ``GLM.score`` always means :math:`D^2`.

Per observation, as functions of the linear predictor :math:`s = x^\top\theta` (the link
:math:`g` gives the mean :math:`\mu = g^{-1}(s)`, and :math:`\eta` is the natural parameter):

- canonical link (:math:`\eta = s`): residual :math:`r = (T(y) - A'(\eta))/\phi` and weight
  :math:`w = A''(\eta)/\phi`, the same for the observed and the expected information;
- any other link, with :math:`\mu' = d\mu/ds`, :math:`\mu'' = d^2\mu/ds^2` (from the link
  object) and the variance function :math:`V(\mu) = \mu^p` (``family.variance_power``):
  :math:`r = (y - \mu)\,\mu'/(\phi V)`, expected weight :math:`w = \mu'^2/(\phi V)`, observed
  weight :math:`-\partial r/\partial s = \big(\mu'^2/V - (y - \mu)\,\partial_s(\mu'/V)\big)/\phi`
  with :math:`\partial_s(\mu'/V) = \mu''/V - (\mu'/V)\,\mu'\,p/\mu`.

The gradient is :math:`\tilde X^\top r` and the information :math:`\tilde X^\top W\tilde X`,
summed block by block (:mod:`glmnotes.glm.design`) in one pass over the data
(:func:`accumulate`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from glmnotes.families import ExponentialFamily, Multinomial
from glmnotes.glm.design import blocks, design_dot, design_tdot, information_block, weighted_gram
from glmnotes.glm.model import is_canonical, prepare
from glmnotes.links import Link

__all__ = [
    "Sums",
    "accumulate",
    "block_sums",
    "fisher_information",
    "fitted_mean",
    "hessian",
    "linear_predictor_of_mean",
    "log_likelihood",
    "natural_parameter",
    "log_likelihood_gradient",
    "residual_and_weight",
]


# ---------------------------------------------------------------------------------------------
# Per-observation quantities as functions of the linear predictor s
# ---------------------------------------------------------------------------------------------


def natural_parameter(family: ExponentialFamily, link: Link, s: np.ndarray) -> np.ndarray:
    r""":math:`\eta` from the linear predictor: :math:`s` itself (canonical link) or
    :math:`\eta = (A')^{-1}(g^{-1}(s))`."""
    if is_canonical(family, link):
        return s
    return family.canonical_parameter(link.inverse(s))


def linear_predictor_of_mean(family: ExponentialFamily, link: Link, mu: np.ndarray):
    """The linear predictor that has mean ``mu``: :math:`g(\\mu)` for the link in use."""
    if is_canonical(family, link):
        return family.canonical_parameter(mu)
    return link.link(mu)


def fitted_mean(family: ExponentialFamily, link: Link, s: np.ndarray) -> np.ndarray:
    r""":math:`\mu = g^{-1}(s)`; :math:`A'(\eta)` for the canonical link, and all :math:`k`
    class probabilities for the multinomial."""
    if not is_canonical(family, link):
        return link.inverse(s)
    if isinstance(family, Multinomial):
        return family.probabilities(s)
    return family.mean(s)


def _objective(family: ExponentialFamily, link: Link, t: np.ndarray, s: np.ndarray) -> float:
    r""":math:`\sum_i (\eta_i^\top T(y_i) - A(\eta_i))/\phi` over the given rows: the
    log-likelihood without the constant :math:`\sum_i \log b(y_i)`; :math:`-\infty` outside
    the parameter space, or (other links) where the mean leaves what the family and the link
    can take (e.g. :math:`e^s` overflowing, or underflowing to 0 for the log link)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if not is_canonical(family, link):
            mu = link.inverse(s)
            if not np.all(family.in_mean_space(mu) & np.isfinite(link.link(mu))):
                return -np.inf
        eta = natural_parameter(family, link, s)
        if not (np.all(np.isfinite(eta)) and np.all(family.in_parameter_space(eta))):
            return -np.inf
        inner = eta * t if family.is_scalar else np.sum(eta * t, axis=-1)
        value = float(np.sum(inner - family.log_partition(eta)) / family.dispersion)
    return value if np.isfinite(value) else -np.inf


def residual_and_weight(
    family: ExponentialFamily, link: Link, t: np.ndarray | None, s: np.ndarray
) -> tuple[np.ndarray | None, np.ndarray]:
    r"""``(r, w)`` with gradient :math:`\tilde X^\top r` and Fisher information
    :math:`\tilde X^\top W \tilde X` (``r`` is ``None`` when ``t`` is).

    Canonical: :math:`r = (T(y) - A'(\eta))/\phi`, :math:`w = A''(\eta)/\phi`.
    Other links: :math:`r = (y - \mu)\,\mu'/(\phi V(\mu))`, :math:`w = \mu'^2/(\phi V(\mu))`.
    """
    phi = family.dispersion
    if is_canonical(family, link):
        residual = None if t is None else (t - family.mean(s)) / phi
        weight = family.variance(s) / phi**2  # variance = phi A''
        return residual, weight
    mu = link.inverse(s)
    slope = link.inverse_derivative(s)
    slope_over_variance = slope / mu**family.variance_power
    residual = None if t is None else (t - mu) * slope_over_variance / phi
    weight = slope * slope_over_variance / phi
    return residual, weight


def _observed_weight(
    family: ExponentialFamily, link: Link, t: np.ndarray, s: np.ndarray
) -> np.ndarray:
    r"""Per-observation :math:`-\partial r_i/\partial s_i`, so that the observed information is
    :math:`-\nabla^2\ell = \tilde X^\top \operatorname{diag}(\cdot)\tilde X`.

    Canonical: the Fisher weight :math:`A''(\eta)/\phi`. Other links:
    :math:`\big(\mu'^2/V - (y-\mu)(\mu''/V - (\mu'/V)\,\mu'\,p/\mu)\big)/\phi`
    for :math:`V(\mu) = \mu^p` (with the log link, :math:`(\mu^{2-p} - (y-\mu)(1-p)\mu^{1-p})
    /\phi`).
    """
    if is_canonical(family, link):
        return residual_and_weight(family, link, None, s)[1]
    power = family.variance_power
    mu = link.inverse(s)
    slope = link.inverse_derivative(s)
    variance = mu**power
    slope_over_variance = slope / variance
    change = link.inverse_second_derivative(s) / variance - slope_over_variance * slope * power / mu
    return (slope * slope_over_variance - (t - mu) * change) / family.dispersion


# ---------------------------------------------------------------------------------------------
# Sums over the data, block by block
# ---------------------------------------------------------------------------------------------


@dataclass
class Sums:
    r"""What one pass over some rows adds up: the log-likelihood without
    :math:`\sum_i\log b(y_i)`, the gradient, the expected and observed information, and whether
    every observed weight was non-negative. Sums over disjoint rows add (``+``), so a pass over
    the whole data is the sum of passes over its blocks or chunks (:mod:`glmnotes.glm.rows`).
    ``value = -inf`` (and nothing else) when some row left the parameter space."""

    value: float | None = None
    gradient: np.ndarray | None = None
    fisher: np.ndarray | None = None
    observed: np.ndarray | None = None
    observed_is_psd: bool = True

    def __add__(self, other: Sums) -> Sums:
        if self.value == -np.inf or other.value == -np.inf:
            return Sums(value=-np.inf)
        return Sums(
            *(
                None if a is None else a + b
                for a, b in zip(self._parts(), other._parts(), strict=True)
            ),
            observed_is_psd=self.observed_is_psd and other.observed_is_psd,
        )

    def _parts(self) -> tuple:
        return self.value, self.gradient, self.fisher, self.observed

    def result(self, information: str | None) -> tuple:
        """``(value, gradient, matrix)``; ``matrix`` is the observed information for
        ``"observed"``, the Fisher information for ``"fisher"``, and for ``"newton"`` the observed
        one when it is safe for Newton's method -- all its weights non-negative, or the matrix
        positive definite (Cholesky succeeds) -- else Fisher's (Fisher scoring)."""
        if self.value == -np.inf:
            return -np.inf, None, None
        observed = self.observed is not None and (
            information == "observed"
            or (
                information == "newton"
                and (self.observed_is_psd or _is_positive_definite(self.observed))
            )
        )
        return self.value, self.gradient, self.observed if observed else self.fisher


def _is_positive_definite(matrix: np.ndarray) -> bool:
    """Whether a symmetric matrix is positive definite (its Cholesky factorisation exists)."""
    try:
        np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        return False
    return bool(np.all(np.isfinite(matrix)))


def block_sums(
    X: np.ndarray,
    t: np.ndarray | None,
    family: ExponentialFamily,
    link: Link,
    theta: np.ndarray,
    fit_intercept: bool,
    objective: bool = False,
    gradient: bool = False,
    information: str | None = None,
) -> Sums:
    r"""The :class:`Sums` over the rows of ``X`` (block by block, :data:`BLOCK_ROWS` rows at a
    time), of what is asked for:

    - ``objective``: :math:`\sum_i (\eta_i^\top T(y_i) - A(\eta_i))/\phi`; if a block leaves
      the parameter space the pass stops with ``value = -inf``;
    - ``gradient``: :math:`\tilde X^\top r`;
    - ``information``: ``"fisher"`` (expected), ``"observed"`` (:math:`-\nabla^2\ell`) or
      ``"newton"`` (both, for :meth:`Sums.result` to choose). For the canonical link they are
      one matrix, and only the Fisher one is formed.
    """
    size = (X.shape[1] + int(fit_intercept)) * family.eta_size
    need_observed = not is_canonical(family, link) and information in ("observed", "newton")
    need_fisher = information == "newton" or (information is not None and not need_observed)
    sums = Sums(
        value=0.0 if objective else None,
        gradient=np.zeros(np.shape(theta)) if gradient else None,
        fisher=np.zeros((size, size)) if need_fisher else None,
        observed=np.zeros((size, size)) if need_observed else None,
    )
    for rows in blocks(len(X)):
        block = X[rows]
        t_block = None if t is None else t[rows]
        s = design_dot(block, theta, fit_intercept)
        if objective:
            block_value = _objective(family, link, t_block, s)
            if block_value == -np.inf:
                return Sums(value=-np.inf)
            sums.value += block_value
        if gradient or need_fisher:
            residual, weight = residual_and_weight(family, link, t_block if gradient else None, s)
            if gradient:
                sums.gradient += design_tdot(block, residual, fit_intercept)
            if need_fisher:
                sums.fisher += information_block(block, weight, family.is_scalar, fit_intercept)
        if need_observed:
            weight = _observed_weight(family, link, t_block, s)
            sums.observed_is_psd &= bool(np.all(weight >= 0))
            sums.observed += weighted_gram(block, weight, fit_intercept)
    return sums


def accumulate(
    family: ExponentialFamily,
    link: Link,
    X: np.ndarray,
    t: np.ndarray | None,
    theta: np.ndarray,
    fit_intercept: bool,
    objective: bool = False,
    gradient: bool = False,
    information: str | None = None,
) -> tuple[float | None, np.ndarray | None, np.ndarray | None]:
    r"""One pass over the data: ``(value, gradient, matrix)`` (``None`` for what was not
    asked), the :meth:`Sums.result` of :func:`block_sums` (same arguments); ``(-inf, None,
    None)`` if some row leaves the parameter space."""
    sums = block_sums(X, t, family, link, theta, fit_intercept, objective, gradient, information)
    return sums.result(information)


# ---------------------------------------------------------------------------------------------
# The free functions the chapters show
# ---------------------------------------------------------------------------------------------


def log_likelihood(
    family: Any,
    X: Any,
    y: Any,
    theta: Any,
    link: str | Link | None = None,
    fit_intercept: bool = False,
) -> float:
    r""":math:`\ell(\theta) = \sum_i \log p(y_i \mid \eta_i)`, with :math:`\eta_i` from
    :math:`x_i^\top\theta` through the link. :math:`-\infty` if some :math:`\eta_i` falls
    outside the natural parameter space (e.g. :math:`x_i^\top\theta \ge 0` for the canonical
    gamma/exponential)."""
    family, link, X, t, theta = prepare(family, X, y, theta, link, fit_intercept)
    log_base = float(np.sum(family.log_base_measure(family.validate(y))))
    value, _, _ = accumulate(family, link, X, t, theta, fit_intercept, objective=True)
    return value + log_base


def log_likelihood_gradient(
    family: Any,
    X: Any,
    y: Any,
    theta: Any,
    link: str | Link | None = None,
    fit_intercept: bool = False,
) -> np.ndarray:
    r""":math:`\nabla_\theta\,\ell = X^\top r`, the gradient of :func:`log_likelihood` (the
    statisticians' *score*; statsmodels' ``GLM.score(params)``), same shape as ``theta``.

    Canonical link (the notes' identity):
    :math:`\partial\ell/\partial\theta_j = \sum_i (T(y_i) - h(x_i))\,x_{ij}/\phi`.
    Log link: :math:`r_i = (y_i - \mu_i)\,\mu_i^{1-p}/\phi` for :math:`V(\mu) = \mu^p`.
    """
    family, link, X, t, theta = prepare(family, X, y, theta, link, fit_intercept)
    return accumulate(family, link, X, t, theta, fit_intercept, gradient=True)[1]


def fisher_information(
    family: Any,
    X: Any,
    theta: Any,
    link: str | Link | None = None,
    fit_intercept: bool = False,
) -> np.ndarray:
    r"""Expected information :math:`I(\theta) = X^\top W X = \operatorname{Cov}[\nabla\ell]`.

    Canonical link: :math:`w_i = A''(\eta_i)/\phi` (:math:`I = -\nabla^2\ell`, no ``y``
    needed). Log link: :math:`w_i = \mu_i^{2-p}/\phi`. Multinomial: blocks
    :math:`X^\top \operatorname{diag}(\operatorname{Cov}[T]_{jl}) X` in class order.
    """
    family, link, X, _, theta = prepare(family, X, None, theta, link, fit_intercept)
    return accumulate(family, link, X, None, theta, fit_intercept, information="fisher")[2]


def hessian(
    family: Any,
    X: Any,
    y: Any,
    theta: Any,
    link: str | Link | None = None,
    fit_intercept: bool = False,
) -> np.ndarray:
    r"""Observed Hessian :math:`\nabla^2_\theta\,\ell`, a ``(q, q)`` matrix (class blocks for
    the multinomial).

    Canonical link: :math:`-X^\top W X` (equal to :math:`-I(\theta)`, concave).
    Log link: :math:`-X^\top \operatorname{diag}\big((\mu^{2-p} - (y-\mu)(1-p)\mu^{1-p})/\phi
    \big) X`, which depends on ``y`` and need not be negative definite.
    """
    family, link, X, t, theta = prepare(family, X, y, theta, link, fit_intercept)
    return -accumulate(family, link, X, t, theta, fit_intercept, information="observed")[2]
