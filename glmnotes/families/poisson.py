"""The Poisson family: counts."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp
from scipy.special import gammaln

from glmnotes._validation import as_finite_array, offenders
from glmnotes.families.base import ExponentialFamily, generator
from glmnotes.families.symbolic import SymbolicFamily, symbolic_family
from glmnotes.links import Log

__all__ = ["Poisson"]


class Poisson(ExponentialFamily):
    r"""Poisson: :math:`p(y \mid \lambda) = \lambda^y e^{-\lambda} / y!`, :math:`y = 0, 1, \dots`

    :math:`\eta = \log\lambda`, :math:`T(y) = y`, :math:`b(y) = 1/y!` (``-gammaln(y + 1)``),
    :math:`A(\eta) = e^\eta`. Mean and variance :math:`e^\eta`. Canonical link: log.
    """

    name = "Poisson"
    support = "non-negative integers 0, 1, 2, ..."
    parameter_space = "all real numbers"
    _mean_space = "positive numbers"
    canonical_link = Log()
    variance_power = 1

    def validate(self, y: Any) -> np.ndarray:
        y = as_finite_array(y, self.name, "y")
        bad = (y < 0) | (y != np.floor(y))
        if bad.any():
            raise ValueError(
                f"Poisson: y must be non-negative integers (counts); got {offenders(y, bad)}. "
                "For positive non-integer responses use the gamma or exponential family."
            )
        return y

    def in_mean_space(self, mu: np.ndarray) -> np.ndarray:
        return mu > 0

    def log_partition(self, eta: Any) -> np.ndarray:
        r""":math:`A(\eta) = e^\eta`."""
        return np.exp(self.validate_eta(eta))

    def mean(self, eta: Any) -> np.ndarray:
        r""":math:`A'(\eta) = e^\eta = \lambda`."""
        return self.canonical_link.inverse(self.validate_eta(eta))

    def variance(self, eta: Any) -> np.ndarray:
        r""":math:`A''(\eta) = e^\eta = \lambda`."""
        return np.exp(self.validate_eta(eta))

    def log_base_measure(self, y: Any) -> np.ndarray:
        r""":math:`\log b(y) = -\log y! = -\log\Gamma(y + 1)`."""
        return -gammaln(self.validate(y) + 1.0)

    def sample(self, eta: Any, rng: Any = None) -> np.ndarray:
        """One count with mean :math:`e^\\eta` per entry of ``eta`` (mean at most 1e18)."""
        eta = self.validate_eta(eta)
        lam = np.exp(eta)
        too_large = lam > 1e18
        if too_large.any():
            raise ValueError(
                f"Poisson: cannot draw counts with mean above 1e18 (eta above 41.4); "
                f"got eta {offenders(eta, too_large)}."
            )
        return generator(rng).poisson(lam).astype(float)

    def symbolic(self) -> SymbolicFamily:
        y = sp.Symbol("y", integer=True, nonnegative=True)
        eta = sp.Symbol("eta", real=True)
        lam = sp.Symbol("lambda", positive=True)
        return symbolic_family(
            name=self.name,
            y=y,
            eta=eta,
            base_measure=1 / sp.factorial(y),
            sufficient_statistic=y,
            log_partition=sp.exp(eta),
            textbook_density=lam**y * sp.exp(-lam) / sp.factorial(y),
            parameters=(lam,),
            natural_parameter={eta: sp.log(lam)},
            support=sp.S.Naturals0,
            measure="counting",
            domain={eta: (-3.0, 3.0), lam: (0.05, 20.0)},
        )
