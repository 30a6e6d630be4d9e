"""The exponential family of waiting times (rate :math:`\\lambda`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from glmnotes._validation import as_finite_array, offenders
from glmnotes.families.base import ExponentialFamily, generator
from glmnotes.families.symbolic import SymbolicFamily, symbolic_family
from glmnotes.links import NegativeInverse

__all__ = ["Exponential"]


class Exponential(ExponentialFamily):
    r"""Exponential: :math:`p(y \mid \lambda) = \lambda e^{-\lambda y}`, :math:`y \ge 0`.

    :math:`\eta = -\lambda < 0`, :math:`T(y) = y`, :math:`b(y) = 1`,
    :math:`A(\eta) = -\log(-\eta)`. Mean :math:`-1/\eta = 1/\lambda`, variance
    :math:`1/\eta^2`. The canonical link :math:`\eta = -1/\mu` needs :math:`\theta^\top x < 0`
    for every observation, which an unconstrained linear predictor does not respect;
    practitioners use the log link :math:`\log\mu = \theta^\top x` instead.
    """

    name = "Exponential"
    support = "non-negative real numbers"
    parameter_space = "negative numbers, eta = -lambda < 0"
    _mean_space = "positive numbers"
    canonical_link = NegativeInverse()
    variance_power = 2

    def validate(self, y: Any) -> np.ndarray:
        y = as_finite_array(y, self.name, "y")
        bad = y < 0
        if bad.any():
            raise ValueError(
                f"Exponential: y must be non-negative; got {offenders(y, bad)}. "
                "Waiting times and sizes cannot be negative; check the data's sign or use "
                "the Gaussian family."
            )
        return y

    def in_parameter_space(self, eta: np.ndarray) -> np.ndarray:
        return eta < 0

    def in_mean_space(self, mu: np.ndarray) -> np.ndarray:
        return mu > 0

    def log_partition(self, eta: Any) -> np.ndarray:
        r""":math:`A(\eta) = -\log(-\eta)`."""
        return -np.log(-self.validate_eta(eta))

    def mean(self, eta: Any) -> np.ndarray:
        r""":math:`A'(\eta) = -1/\eta`."""
        return self.canonical_link.inverse(self.validate_eta(eta))

    def variance(self, eta: Any) -> np.ndarray:
        r""":math:`\phi A''(\eta) = \phi/\eta^2` (:math:`\phi = 1` for the exponential)."""
        return self.dispersion / self.validate_eta(eta) ** 2

    def sample(self, eta: Any, rng: Any = None) -> np.ndarray:
        """One draw with rate :math:`-\\eta` per entry of ``eta``."""
        eta = self.validate_eta(eta)
        return generator(rng).exponential(-1.0 / eta)

    def symbolic(self) -> SymbolicFamily:
        y = sp.Symbol("y", nonnegative=True)
        eta = sp.Symbol("eta", negative=True)
        lam = sp.Symbol("lambda", positive=True)
        return symbolic_family(
            name=self.name,
            y=y,
            eta=eta,
            base_measure=sp.Integer(1),
            sufficient_statistic=y,
            log_partition=-sp.log(-eta),
            textbook_density=lam * sp.exp(-lam * y),
            parameters=(lam,),
            natural_parameter={eta: -lam},
            support=sp.Interval(0, sp.oo),
            measure="lebesgue",
            domain={y: (0.0, 5.0), eta: (-5.0, -0.1), lam: (0.1, 5.0)},
        )
