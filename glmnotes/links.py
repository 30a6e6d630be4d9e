r"""Link functions: how a GLM ties the mean :math:`\mu` to the linear predictor.

A link :math:`g` maps a mean to the linear predictor, :math:`\eta = g(\mu) = x^\top\theta`, and
its inverse maps back, :math:`\mu = g^{-1}(\eta)`. In this module :math:`\eta` is the *linear
predictor* (McCullagh and Nelder's :math:`\eta`, scikit-learn's ``raw_prediction``). It is the
family's natural parameter exactly when :math:`g` is the family's *canonical link*, the inverse
of :math:`\mu = A'(\eta)`; every family in :mod:`glmnotes.families` names its own as
``canonical_link``.

Every link has the same methods (elementwise, vectorised over any shape):

==================================  ===================================================
``link(mu)``                        :math:`\eta = g(\mu)`
``inverse(eta)``                    :math:`\mu = g^{-1}(\eta)`
``derivative(mu)``                  :math:`d\eta/d\mu = g'(\mu)`
``inverse_derivative(eta)``         :math:`d\mu/d\eta = 1/g'(\mu)`
``inverse_second_derivative(eta)``  :math:`d^2\mu/d\eta^2` (the observed information of a
                                    non-canonical GLM needs it)
==================================  ===================================================

The links: :class:`Identity`, :class:`Logit`, :class:`Log`, :class:`Inverse`,
:class:`NegativeInverse`, and the vector link :class:`MultinomialLogit`. :func:`get_link`
looks a scalar link up by name. The links do not check their arguments (the families and the
solvers of :mod:`glmnotes.glm` do); they are computed from :math:`\eta` without cancellation,
never from clipped probabilities.

This module is also the one home of the stable functions of :math:`\eta` that the families,
the networks (:mod:`glmnotes.nn`) and the autodiff engine (:mod:`glmnotes.autodiff`) share:

=============================  ===========================================================
:func:`sigmoid`                :math:`\sigma(\eta) = 1/(1 + e^{-\eta})`, the logit's inverse
:func:`softplus`               :math:`\log(1 + e^\eta)`, the Bernoulli's log-partition
:func:`softmax`                :math:`e^{\eta_k}/\sum_j e^{\eta_j}` over the last axis
:func:`log_softmax`            :math:`\eta_k - \log\sum_j e^{\eta_j}` over the last axis
:func:`log1p_sum_exp`          :math:`\log(1 + \sum_i e^{\eta_i})`, the multinomial's
                               log-partition
=============================  ===========================================================
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "LINKS",
    "Identity",
    "Inverse",
    "Link",
    "Log",
    "Logit",
    "MultinomialLogit",
    "NegativeInverse",
    "get_link",
    "log1p_sum_exp",
    "log_softmax",
    "sigmoid",
    "softmax",
    "softplus",
]


# ---- the stable functions of eta (one home each) ---------------------------------------------


def sigmoid(eta: Any) -> np.ndarray:
    r"""The logistic function :math:`\sigma(\eta) = 1/(1 + e^{-\eta})`, elementwise.

    Computed from :math:`z = e^{-|\eta|} \le 1`, which cannot overflow:

    .. math::
        \sigma(\eta) = \frac{1}{1 + z} \ (\eta \ge 0), \qquad
        \sigma(\eta) = \frac{z}{1 + z} \ (\eta < 0).

    Each branch is one exponential, one sum and one quotient, so the value is within a few
    units in the last place of :math:`\sigma(\eta)` for every finite :math:`\eta`, including
    the subnormal tail :math:`-745 < \eta < -708`, where :math:`1/(1 + e^{-\eta})` overflows in
    :math:`e^{-\eta}` and gives 0 (as ``scipy.special.expit`` does). Keeps a float32 argument's
    dtype; a scalar gives a scalar.
    """
    eta = np.asarray(eta)
    if eta.dtype.kind != "f":
        eta = eta.astype(float)
    if eta.ndim == 0:  # the same steps on one number, without the array machinery (autodiff)
        x = eta[()]
        z = np.exp(-abs(x))
        return (1.0 if x >= 0 else z) / (1.0 + z)
    z = np.exp(-np.abs(eta))
    return np.where(eta >= 0, 1.0, z) / (1.0 + z)


def softplus(eta: Any) -> np.ndarray:
    r"""The softplus :math:`\log(1 + e^\eta) = \max(\eta, 0) + \log(1 + e^{-|\eta|})`,
    elementwise (numpy's ``logaddexp(0, eta)``, which computes the right-hand side): it
    cannot overflow, and keeps full relative accuracy in the tail
    :math:`\log(1 + e^\eta) \approx e^\eta` for :math:`\eta \to -\infty`. Its derivative is
    :func:`sigmoid`."""
    return np.logaddexp(0.0, eta)


def _log_sum_exp_parts(eta: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""The pieces of :math:`\log\sum_j e^{\eta_j}` over the last axis, kept apart:
    :math:`m = \max_j \eta_j = \eta_{j^*}`, the shifted :math:`\eta - m` and
    :math:`\log(1 + \sum_{j \ne j^*} e^{\eta_j - m})` (``log1p``), with ``keepdims``."""
    eta = np.asarray(eta, dtype=float)
    top = np.argmax(eta, axis=-1)[..., None]
    m = np.take_along_axis(eta, top, axis=-1)
    shifted = eta - m
    others = np.exp(shifted)
    np.put_along_axis(others, top, 0.0, axis=-1)
    return m, shifted, np.log1p(np.sum(others, axis=-1, keepdims=True))


def log_softmax(eta: Any) -> np.ndarray:
    r""":math:`\log \mathrm{softmax}(\eta)_k = \eta_k - \log\sum_j e^{\eta_j}
    = (\eta_k - m) - \log\big(1 + \sum_{j \ne j^*} e^{\eta_j - m}\big)` over the last axis,
    with :math:`m = \eta_{j^*} = \max_j \eta_j`.

    Subtracting :math:`m` first avoids both overflow and the cancellation between two large
    numbers; ``log1p`` of the sum without the maximum's own term :math:`e^0 = 1` keeps full
    relative accuracy when that sum is tiny (a confident prediction, :math:`\log p \approx 0`).
    """
    _, shifted, log1p_rest = _log_sum_exp_parts(eta)
    return shifted - log1p_rest


def softmax(eta: Any) -> np.ndarray:
    r""":math:`\mathrm{softmax}(\eta)_k = e^{\eta_k - m} / \sum_j e^{\eta_j - m}` over the last
    axis, with :math:`m = \max_j \eta_j` (the shift changes nothing but prevents overflow)."""
    eta = np.asarray(eta)
    z = np.exp(eta - eta.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def log1p_sum_exp(eta: Any) -> np.ndarray:
    r""":math:`\log(1 + \sum_i e^{\eta_i})` over the last axis (the multinomial's log-partition
    function): the log-sum-exp of :math:`(\eta, 0)`, computed as in :func:`log_softmax`,
    :math:`m + \log(1 + \sum_{j \ne j^*} e^{\eta_j - m})` with :math:`m = \max(0, \max_i
    \eta_i)`, so that no exponential overflows."""
    eta = np.asarray(eta, dtype=float)
    full = np.concatenate([eta, np.zeros(eta.shape[:-1] + (1,))], axis=-1)
    m, _, log1p_rest = _log_sum_exp_parts(full)
    return (m + log1p_rest)[..., 0]


# ---- the links ------------------------------------------------------------------------------


class Link(ABC):
    r"""A link function :math:`g`, :math:`\eta = g(\mu)`, with what a GLM solver needs of it."""

    name: str = ""

    @abstractmethod
    def link(self, mu: Any) -> np.ndarray:
        r""":math:`\eta = g(\mu)`."""

    @abstractmethod
    def inverse(self, eta: Any) -> np.ndarray:
        r""":math:`\mu = g^{-1}(\eta)`."""

    @abstractmethod
    def derivative(self, mu: Any) -> np.ndarray:
        r""":math:`d\eta/d\mu = g'(\mu)`."""

    @abstractmethod
    def inverse_derivative(self, eta: Any) -> np.ndarray:
        r""":math:`d\mu/d\eta`."""

    @abstractmethod
    def inverse_second_derivative(self, eta: Any) -> np.ndarray:
        r""":math:`d^2\mu/d\eta^2`."""


@dataclass(frozen=True)
class Identity(Link):
    r"""Identity link :math:`\eta = \mu`: canonical for the Gaussian."""

    name = "identity"

    def link(self, mu: Any) -> np.ndarray:
        r""":math:`\eta = \mu` (a copy)."""
        return np.array(mu, dtype=float)

    def inverse(self, eta: Any) -> np.ndarray:
        r""":math:`\mu = \eta` (a copy)."""
        return np.array(eta, dtype=float)

    def derivative(self, mu: Any) -> np.ndarray:
        r""":math:`d\eta/d\mu = 1`."""
        return np.ones_like(mu, dtype=float)

    def inverse_derivative(self, eta: Any) -> np.ndarray:
        r""":math:`d\mu/d\eta = 1`."""
        return np.ones_like(eta, dtype=float)

    def inverse_second_derivative(self, eta: Any) -> np.ndarray:
        r""":math:`d^2\mu/d\eta^2 = 0`."""
        return np.zeros_like(eta, dtype=float)


@dataclass(frozen=True)
class Logit(Link):
    r"""Logit link :math:`\eta = \log\frac{\mu}{1-\mu}`, :math:`0 < \mu < 1`: canonical for the
    Bernoulli. Its inverse is the logistic function :math:`\sigma(\eta) = 1/(1 + e^{-\eta})`."""

    name = "logit"

    def link(self, mu: Any) -> np.ndarray:
        r""":math:`\eta = \log\mu - \log(1 - \mu)` (``log1p``, accurate for small :math:`\mu`)."""
        mu = np.asarray(mu, dtype=float)
        return np.log(mu) - np.log1p(-mu)

    def inverse(self, eta: Any) -> np.ndarray:
        r""":math:`\mu = \sigma(\eta) = 1/(1 + e^{-\eta})` (:func:`sigmoid`, accurate down
        to the subnormal tail)."""
        return sigmoid(np.asarray(eta, dtype=float))

    def derivative(self, mu: Any) -> np.ndarray:
        r""":math:`d\eta/d\mu = 1/(\mu(1 - \mu))`."""
        mu = np.asarray(mu, dtype=float)
        return 1.0 / (mu * (1.0 - mu))

    def inverse_derivative(self, eta: Any) -> np.ndarray:
        r""":math:`d\mu/d\eta = \sigma(\eta)\,\sigma(-\eta)`, which stays accurate where
        :math:`\mu(1-\mu)` rounds to 0, and is a (subnormal) positive float up to
        :math:`|\eta| \approx 745` (:func:`sigmoid` is accurate in its tail)."""
        eta = np.asarray(eta, dtype=float)
        return sigmoid(eta) * sigmoid(-eta)

    def inverse_second_derivative(self, eta: Any) -> np.ndarray:
        r""":math:`d^2\mu/d\eta^2 = \sigma(\eta)\sigma(-\eta)\,(1 - 2\sigma(\eta))
        = -\sigma(\eta)\sigma(-\eta)\tanh(\eta/2)` (``tanh`` keeps the factor accurate near
        :math:`\eta = 0`)."""
        eta = np.asarray(eta, dtype=float)
        return -self.inverse_derivative(eta) * np.tanh(0.5 * eta)


@dataclass(frozen=True)
class Log(Link):
    r"""Log link :math:`\eta = \log\mu`, :math:`\mu > 0`: canonical for the Poisson, and the
    usual choice for the gamma and exponential families (:math:`\mu = e^\eta` is positive for
    every :math:`\eta`)."""

    name = "log"

    def link(self, mu: Any) -> np.ndarray:
        r""":math:`\eta = \log\mu`."""
        return np.log(mu)

    def inverse(self, eta: Any) -> np.ndarray:
        r""":math:`\mu = e^\eta`."""
        return np.exp(eta)

    def derivative(self, mu: Any) -> np.ndarray:
        r""":math:`d\eta/d\mu = 1/\mu`."""
        return 1.0 / np.asarray(mu, dtype=float)

    def inverse_derivative(self, eta: Any) -> np.ndarray:
        r""":math:`d\mu/d\eta = e^\eta`."""
        return np.exp(eta)

    def inverse_second_derivative(self, eta: Any) -> np.ndarray:
        r""":math:`d^2\mu/d\eta^2 = e^\eta`."""
        return np.exp(eta)


@dataclass(frozen=True)
class Inverse(Link):
    r"""Inverse link :math:`\eta = 1/\mu`, :math:`\mu \ne 0` (statsmodels' ``InversePower``,
    the default link of its gamma family): the negative of :class:`NegativeInverse`."""

    name = "inverse"

    def link(self, mu: Any) -> np.ndarray:
        r""":math:`\eta = 1/\mu`."""
        return 1.0 / np.asarray(mu, dtype=float)

    def inverse(self, eta: Any) -> np.ndarray:
        r""":math:`\mu = 1/\eta`."""
        return 1.0 / np.asarray(eta, dtype=float)

    def derivative(self, mu: Any) -> np.ndarray:
        r""":math:`d\eta/d\mu = -1/\mu^2`."""
        return -1.0 / np.asarray(mu, dtype=float) ** 2

    def inverse_derivative(self, eta: Any) -> np.ndarray:
        r""":math:`d\mu/d\eta = -1/\eta^2`."""
        return -1.0 / np.asarray(eta, dtype=float) ** 2

    def inverse_second_derivative(self, eta: Any) -> np.ndarray:
        r""":math:`d^2\mu/d\eta^2 = 2/\eta^3`."""
        return 2.0 / np.asarray(eta, dtype=float) ** 3


@dataclass(frozen=True)
class NegativeInverse(Link):
    r"""Negative inverse link :math:`\eta = -1/\mu`: canonical for the exponential and the
    gamma with fixed shape, whose natural parameter :math:`\eta = -1/\mu` is negative for every
    positive mean."""

    name = "negative_inverse"

    def link(self, mu: Any) -> np.ndarray:
        r""":math:`\eta = -1/\mu`."""
        return -1.0 / np.asarray(mu, dtype=float)

    def inverse(self, eta: Any) -> np.ndarray:
        r""":math:`\mu = -1/\eta`."""
        return -1.0 / np.asarray(eta, dtype=float)

    def derivative(self, mu: Any) -> np.ndarray:
        r""":math:`d\eta/d\mu = 1/\mu^2`."""
        return 1.0 / np.asarray(mu, dtype=float) ** 2

    def inverse_derivative(self, eta: Any) -> np.ndarray:
        r""":math:`d\mu/d\eta = 1/\eta^2`."""
        return 1.0 / np.asarray(eta, dtype=float) ** 2

    def inverse_second_derivative(self, eta: Any) -> np.ndarray:
        r""":math:`d^2\mu/d\eta^2 = -2/\eta^3`."""
        return -2.0 / np.asarray(eta, dtype=float) ** 3


@dataclass(frozen=True)
class MultinomialLogit(Link):
    r"""The multinomial logit link over :math:`k` classes, the last one the reference: canonical
    for the multinomial.

    The mean :math:`\mu` holds the first :math:`k-1` class probabilities and
    :math:`\eta_i = \log(\mu_i/\mu_k)` with :math:`\mu_k = 1 - \sum_j \mu_j`; the inverse is
    the softmax of :math:`(\eta, 0)` without its last entry. Vectors lie along the last axis
    (``k - 1`` entries, taken from the argument); derivatives are Jacobian matrices
    (``(..., k-1, k-1)``) and the second derivative a ``(..., k-1, k-1, k-1)`` array.
    """

    name = "logit"

    def link(self, mu: Any) -> np.ndarray:
        r""":math:`\eta_i = \log\mu_i - \log(1 - \sum_j \mu_j)`."""
        mu = np.asarray(mu, dtype=float)
        return np.log(mu) - np.log1p(-np.sum(mu, axis=-1))[..., None]

    def probabilities(self, eta: Any) -> np.ndarray:
        r"""All :math:`k` class probabilities :math:`e^{\eta_i - A(\eta)}` with
        :math:`\eta_k = 0` and :math:`A(\eta) = \log(1 + \sum_j e^{\eta_j})`: the
        :func:`softmax` of :math:`(\eta, 0)`, shape ``eta.shape[:-1] + (k,)``."""
        eta = np.asarray(eta, dtype=float)
        return softmax(np.concatenate([eta, np.zeros(eta.shape[:-1] + (1,))], axis=-1))

    def inverse(self, eta: Any) -> np.ndarray:
        r""":math:`\mu_i = e^{\eta_i}/(1 + \sum_j e^{\eta_j})`, :math:`i < k`."""
        return self.probabilities(eta)[..., :-1]

    def derivative(self, mu: Any) -> np.ndarray:
        r""":math:`\partial\eta_i/\partial\mu_j = \delta_{ij}/\mu_i + 1/\mu_k`, with
        :math:`\mu_k = 1 - \sum_j \mu_j`."""
        mu = np.asarray(mu, dtype=float)
        reference = 1.0 - np.sum(mu, axis=-1)
        jacobian = np.broadcast_to(
            (1.0 / reference)[..., None, None], mu.shape + (mu.shape[-1],)
        ).copy()
        index = np.arange(mu.shape[-1])
        jacobian[..., index, index] += 1.0 / mu
        return jacobian

    def inverse_derivative(self, eta: Any) -> np.ndarray:
        r""":math:`\partial\mu_i/\partial\eta_j = \mu_i(\delta_{ij} - \mu_j)`, i.e.
        :math:`\operatorname{diag}(\mu) - \mu\mu^\top`.

        The diagonal :math:`\mu_i(1 - \mu_i)` uses :math:`1 - \mu_i = \sum_{j\ne i}\mu_j` (over
        all :math:`k` classes), accurate when :math:`\mu_i` is near 1.
        """
        probabilities = self.probabilities(eta)
        mu = probabilities[..., :-1]
        jacobian = -mu[..., :, None] * mu[..., None, :]
        for i in range(mu.shape[-1]):
            others = np.sum(np.delete(probabilities, i, axis=-1), axis=-1)
            jacobian[..., i, i] = mu[..., i] * others
        return jacobian

    def inverse_second_derivative(self, eta: Any) -> np.ndarray:
        r""":math:`\partial^2\mu_i/\partial\eta_j\partial\eta_l = \mu_i(\delta_{ij} - \mu_j)
        (\delta_{il} - \mu_l) - \mu_i\mu_j(\delta_{jl} - \mu_l)`."""
        mu = self.inverse(eta)
        size = mu.shape[-1]
        centred = np.eye(size) - mu[..., None, :]  # [i, j] = delta_ij - mu_j
        first = mu[..., :, None, None] * centred[..., :, :, None] * centred[..., :, None, :]
        second = mu[..., :, None, None] * mu[..., None, :, None] * centred[..., None, :, :]
        return first - second


LINKS: dict[str, type[Link]] = {
    "identity": Identity,
    "logit": Logit,
    "log": Log,
    "inverse": Inverse,
    "negative_inverse": NegativeInverse,
}
"""The scalar links by name (the names :func:`get_link` accepts)."""


def get_link(name: str | Link) -> Link:
    """The link called ``name`` (a key of :data:`LINKS`); a :class:`Link` is returned unchanged.

    ``ValueError`` names the known links otherwise.
    """
    if isinstance(name, Link):
        return name
    if not isinstance(name, str) or name not in LINKS:
        raise ValueError(f"unknown link {name!r}; choose one of {sorted(LINKS)}.")
    return LINKS[name]()
