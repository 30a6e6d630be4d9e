r"""The abstract base class of every family, and the numerical helpers families share.

:class:`ExponentialFamily` says what a family must provide (the abstract methods: the formulas
of its :math:`A`, its mean and variance, sampling and the symbolic view) and holds what is the
same for all of them: :meth:`~ExponentialFamily.log_density`, the checks of :math:`\eta` and
:math:`\mu`, and the defaults most families share -- :math:`T(y) = y`, :math:`\log b(y) = 0`
and :math:`\eta = g(\mu)` through the family's ``canonical_link`` :math:`g` -- which a family
overrides only where it differs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from glmnotes._validation import as_finite_array, check_last_axis, offenders
from glmnotes.families.symbolic import SymbolicFamily
from glmnotes.links import Link

__all__ = ["ExponentialFamily", "diagonal_minus_constant", "generator", "solve_mean_equation"]


class ExponentialFamily(ABC):
    r"""Abstract base class: :math:`p(y \mid \eta) = b(y) \exp(\eta^\top T(y) - A(\eta))`.

    Subclasses set the class attributes and implement the abstract methods (the formulas);
    a subclass that leaves one out cannot be instantiated (``TypeError`` names it). The
    defaults :meth:`sufficient_statistic` (:math:`T(y) = y`), :meth:`log_base_measure`
    (:math:`\log b(y) = 0`) and :meth:`canonical_parameter` (the canonical link) are overridden
    where a family differs; a family without a ``canonical_link`` must define
    :meth:`canonical_parameter` (``TypeError`` when the class is defined).

    Attributes
    ----------
    name : str
        The family's name, used in every error message.
    support : str
        Plain-text description of the values :math:`y` can take.
    parameter_space : str
        Plain-text description of the natural parameter space.
    is_scalar : bool
        True when :math:`\eta` is a number per observation; False when it is a vector of
        length ``eta_size`` (the last axis of ``eta`` arrays).
    eta_size : int
        Length of :math:`\eta` (1 for scalar families).
    dispersion : float
        :math:`\phi` (see :mod:`glmnotes.families`); 1 for most families.
    canonical_link : Link or None
        The link :math:`g = (A')^{-1}` (:mod:`glmnotes.links`), or None when it has no closed
        form (then :meth:`canonical_parameter` solves :math:`\nabla A(\eta) = \mu`).
    variance_power : float or None
        :math:`p` when the variance function is a power of the mean,
        :math:`V(\mu) = A''(\eta) = \mu^p` (0 Gaussian, 1 Poisson, 2 exponential and gamma);
        None otherwise. A GLM accepts the log link for exactly these families.
    """

    name: str = "exponential family"
    support: str = ""
    parameter_space: str = ""
    is_scalar: bool = True
    eta_size: int = 1
    dispersion: float = 1.0
    canonical_link: Link | None = None
    variance_power: float | None = None
    _mean_space: str = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """``TypeError`` for a complete family with neither a canonical link nor its own
        :meth:`canonical_parameter` (the default needs the link). A family that still has
        abstract methods is left to ``abc``, which refuses to instantiate it."""
        super().__init_subclass__(**kwargs)
        abstract = any(
            getattr(getattr(cls, n, None), "__isabstractmethod__", False) for n in dir(cls)
        )
        default = ExponentialFamily.canonical_parameter
        if not abstract and cls.canonical_link is None and cls.canonical_parameter is default:
            raise TypeError(
                f"{cls.__name__} has no canonical_link, so it must define canonical_parameter "
                "(the inverse of its mean, e.g. with solve_mean_equation)."
            )

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    # -- the formulas (each family implements them) -------------------------------------------

    @abstractmethod
    def validate(self, y: Any) -> np.ndarray:
        """Return ``y`` as an array, or raise ``ValueError`` naming values outside the support."""

    @abstractmethod
    def log_partition(self, eta: Any) -> np.ndarray:
        r""":math:`A(\eta)`."""

    @abstractmethod
    def mean(self, eta: Any) -> np.ndarray:
        r""":math:`\nabla A(\eta) = \mathbb E[T(y)]`."""

    @abstractmethod
    def variance(self, eta: Any) -> np.ndarray:
        r""":math:`\phi\nabla^2 A(\eta) = \operatorname{Cov}[T(y)]`."""

    @abstractmethod
    def sample(self, eta: Any, rng: Any = None) -> np.ndarray:
        r"""One draw of :math:`y` per :math:`\eta`."""

    @abstractmethod
    def symbolic(self) -> SymbolicFamily:
        """The same family as sympy objects."""

    # -- the defaults most families share ------------------------------------------------------

    def sufficient_statistic(self, y: Any) -> np.ndarray:
        r""":math:`T(y) = y` (a copy of the validated ``y``)."""
        return self.validate(y).astype(float)

    def log_base_measure(self, y: Any) -> np.ndarray:
        r""":math:`\log b(y) = 0`, one zero per observation."""
        return np.zeros(np.shape(self.validate(y)))

    def canonical_parameter(self, mu: Any) -> np.ndarray:
        r"""The inverse of ``mean``, :math:`\mu \mapsto \eta = g(\mu)` with :math:`g` the
        family's ``canonical_link`` (:math:`g = (A')^{-1}`), for a mean a finite :math:`\eta`
        reaches."""
        return self.canonical_link.link(self.validate_mean(mu))

    # -- checks -------------------------------------------------------------------------------

    def in_parameter_space(self, eta: np.ndarray) -> np.ndarray:
        """Boolean mask (per observation) of the finite ``eta`` inside the parameter space."""
        inside = np.ones(np.shape(eta), dtype=bool)
        return inside if self.is_scalar else inside.all(axis=-1)

    def in_mean_space(self, mu: np.ndarray) -> np.ndarray:
        """Boolean mask (per observation) of the means reachable by a finite ``eta``."""
        inside = np.ones(np.shape(mu), dtype=bool)
        return inside if self.is_scalar else inside.all(axis=-1)

    def _as_finite(self, values: Any, what: str) -> np.ndarray:
        """``values`` as a finite float array with, for a vector family, ``eta_size`` entries
        along the last axis (``what`` names them in the error message)."""
        array = as_finite_array(values, self.name, what)
        if not self.is_scalar:
            check_last_axis(array, self.eta_size, self.name, what)
        return array

    def validate_eta(self, eta: Any) -> np.ndarray:
        """Return ``eta`` as a float array, or ``ValueError`` if non-finite or outside the space."""
        eta = self._as_finite(eta, "eta")
        outside = ~self.in_parameter_space(eta)
        if outside.any():
            raise ValueError(
                f"{self.name}: eta must lie in the natural parameter space "
                f"({self.parameter_space}); got {offenders(eta, outside)}."
            )
        return eta

    def validate_mean(self, mu: Any) -> np.ndarray:
        """Return ``mu`` as a float array, or ``ValueError`` if no finite ``eta`` has this mean."""
        mu = self._as_finite(mu, "mu")
        outside = ~self.in_mean_space(mu)
        if outside.any():
            raise ValueError(
                f"{self.name}: mu must be a mean that a finite eta reaches "
                f"({self._mean_space}); got {offenders(mu, outside)}."
            )
        return mu

    # -- shared -------------------------------------------------------------------------------

    def log_density(self, y: Any, eta: Any) -> np.ndarray:
        r""":math:`\log p(y \mid \eta) = \log b(y) + (\eta^\top T(y) - A(\eta)) / \phi`.

        ``y`` and ``eta`` broadcast against each other (over the leading axes for vector
        families).
        """
        y = self.validate(y)
        eta = self.validate_eta(eta)
        t = self.sufficient_statistic(y)
        inner = eta * t if self.is_scalar else np.sum(eta * t, axis=-1)
        return self.log_base_measure(y) + (inner - self.log_partition(eta)) / self.dispersion


def generator(rng: Any) -> np.random.Generator:
    """A ``numpy.random.Generator`` from a generator, a seed or ``None``."""
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def solve_mean_equation(
    family: ExponentialFamily, mu: np.ndarray, eta0: np.ndarray, max_iter: int = 200
) -> np.ndarray:
    r"""Solve :math:`\nabla A(\eta) = \mu` for a vector family by damped Newton steps.

    :math:`\eta^* = \arg\max_\eta\, \eta^\top\mu - A(\eta)` is a strictly concave problem with
    gradient :math:`\mu - \nabla A(\eta)` and Hessian :math:`-\nabla^2 A(\eta)`. Each row takes
    the Newton step :math:`\nabla^2 A^{-1}(\mu - \nabla A)`, halved until it stays inside the
    parameter space and does not lower the objective.
    """
    batch = mu.shape[:-1]
    mu = mu.reshape(-1, family.eta_size)
    eta = np.broadcast_to(eta0, mu.shape).reshape(-1, family.eta_size).copy()

    def objective(eta_: np.ndarray, mu_: np.ndarray) -> np.ndarray:
        return np.sum(eta_ * mu_, axis=-1) - family.log_partition(eta_)

    value = objective(eta, mu)
    for _ in range(max_iter):
        gradient = mu - family.mean(eta)
        if np.all(np.abs(gradient) <= 1e-13 * (1.0 + np.abs(mu))):
            break
        step = np.linalg.solve(family.variance(eta), gradient[..., None])[..., 0]
        t = np.ones(len(eta))
        for _ in range(60):
            candidate = eta + t[:, None] * step
            inside = np.all(np.isfinite(candidate), axis=-1) & family.in_parameter_space(
                np.where(np.isfinite(candidate), candidate, 1.0)
            )
            new_value = np.full(len(eta), -np.inf)
            new_value[inside] = objective(candidate[inside], mu[inside])
            accept = new_value >= value - 1e-14 * np.abs(value)
            if accept.all():
                break
            t = np.where(accept, t, t / 2)
        eta = np.where(accept[:, None], candidate, eta)
        value = np.where(accept, new_value, value)
    return eta.reshape(*batch, family.eta_size)


def diagonal_minus_constant(diagonal: np.ndarray, constant: np.ndarray) -> np.ndarray:
    """Matrices ``diag(diagonal) - constant * ones`` batched over leading axes (the Hessian of
    the beta's and the Dirichlet's log-partition)."""
    size = diagonal.shape[-1]
    matrix = np.broadcast_to(-constant[..., None, None], diagonal.shape + (size,)).copy()
    index = np.arange(size)
    matrix[..., index, index] += diagonal
    return matrix
