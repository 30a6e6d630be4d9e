"""The Gaussian family with known standard deviation."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from glmnotes._validation import as_finite_array, positive_finite
from glmnotes.families.base import ExponentialFamily, generator
from glmnotes.families.symbolic import SymbolicFamily, symbolic_family
from glmnotes.links import Identity

__all__ = ["Gaussian"]


class Gaussian(ExponentialFamily):
    r"""Gaussian with known standard deviation :math:`\sigma` (the notes take :math:`\sigma=1`).

    .. math::
        p(y \mid \mu) = \frac{1}{\sigma\sqrt{2\pi}} e^{-(y-\mu)^2 / 2\sigma^2}
        = b_\phi(y) \exp\Big(\frac{\eta y - \eta^2/2}{\sigma^2}\Big),

    :math:`\eta = \mu`, :math:`T(y) = y`, :math:`A(\eta) = \eta^2/2`, dispersion
    :math:`\phi = \sigma^2`, :math:`b_\phi(y) = e^{-y^2/2\sigma^2}/(\sigma\sqrt{2\pi})`.
    Mean :math:`A'(\eta) = \eta`, variance :math:`\phi A''(\eta) = \sigma^2`.
    Canonical link: identity.
    """

    name = "Gaussian"
    support = "all real numbers"
    parameter_space = "all real numbers"
    _mean_space = "all real numbers"
    canonical_link = Identity()
    variance_power = 0

    def __init__(self, sigma: float = 1.0):
        self.sigma = positive_finite(sigma, self.name, "sigma")
        self.dispersion = self.sigma**2

    def __repr__(self) -> str:
        return f"Gaussian(sigma={self.sigma!r})"

    def validate(self, y: Any) -> np.ndarray:
        return as_finite_array(y, self.name, "y")

    def log_partition(self, eta: Any) -> np.ndarray:
        r""":math:`A(\eta) = \eta^2 / 2`."""
        eta = self.validate_eta(eta)
        return 0.5 * eta**2

    def mean(self, eta: Any) -> np.ndarray:
        r""":math:`A'(\eta) = \eta`."""
        return self.canonical_link.inverse(self.validate_eta(eta))

    def variance(self, eta: Any) -> np.ndarray:
        r""":math:`\phi A''(\eta) = \sigma^2`."""
        return np.full_like(self.validate_eta(eta), self.dispersion)

    def log_base_measure(self, y: Any) -> np.ndarray:
        r""":math:`\log b_\phi(y) = -y^2/2\sigma^2 - \log\sigma - \tfrac12\log 2\pi`."""
        y = self.validate(y)
        return -0.5 * (y / self.sigma) ** 2 - np.log(self.sigma) - 0.5 * np.log(2 * np.pi)

    def sample(self, eta: Any, rng: Any = None) -> np.ndarray:
        """One draw from :math:`N(\\eta, \\sigma^2)` per entry of ``eta``."""
        eta = self.validate_eta(eta)
        return generator(rng).normal(eta, self.sigma)

    def symbolic(self) -> SymbolicFamily:
        y = sp.Symbol("y", real=True)
        eta = sp.Symbol("eta", real=True)
        mu = sp.Symbol("mu", real=True)
        sigma = sp.Symbol("sigma", positive=True)
        return symbolic_family(
            name=self.name,
            y=y,
            eta=eta,
            base_measure=sp.exp(-(y**2) / (2 * sigma**2)) / (sigma * sp.sqrt(2 * sp.pi)),
            sufficient_statistic=y,
            log_partition=eta**2 / 2,
            dispersion=sigma**2,
            textbook_density=sp.exp(-((y - mu) ** 2) / (2 * sigma**2))
            / (sigma * sp.sqrt(2 * sp.pi)),
            parameters=(mu,),
            natural_parameter={eta: mu},
            support=sp.S.Reals,
            measure="lebesgue",
            domain={y: (-5.0, 5.0), eta: (-3.0, 3.0), mu: (-3.0, 3.0), sigma: (0.5, 2.0)},
            constants={sigma: self.sigma},
        )
