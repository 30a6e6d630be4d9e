"""The Bernoulli family: one yes/no outcome, the family of logistic regression."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from glmnotes._validation import as_finite_array, offenders
from glmnotes.families.base import ExponentialFamily, generator
from glmnotes.families.symbolic import SymbolicFamily, symbolic_family
from glmnotes.links import Logit, sigmoid, softplus

__all__ = ["Bernoulli"]


class Bernoulli(ExponentialFamily):
    r"""Bernoulli: :math:`p(y \mid \phi) = \phi^y (1-\phi)^{1-y}`, :math:`y \in \{0, 1\}`.

    :math:`\eta = \log\frac{\phi}{1-\phi}` (logit), :math:`T(y) = y`, :math:`b(y) = 1`,
    :math:`A(\eta) = \log(1 + e^\eta)` (:func:`glmnotes.links.softplus`).
    Mean :math:`\sigma(\eta) = 1/(1+e^{-\eta})`; variance :math:`\sigma(\eta)\sigma(-\eta)`,
    which stays accurate where :math:`\phi(1-\phi)` rounds to 0. Canonical link: logit
    (:class:`glmnotes.links.Logit`, which computes both).
    """

    name = "Bernoulli"
    support = "0 or 1"
    parameter_space = "all real numbers"
    _mean_space = "the open interval (0, 1)"
    canonical_link = Logit()

    def validate(self, y: Any) -> np.ndarray:
        y = as_finite_array(y, self.name, "y")
        bad = (y != 0) & (y != 1)
        if bad.any():
            raise ValueError(
                f"Bernoulli: y must be 0 or 1; got {offenders(y, bad)}. Encode the two "
                "classes as 0 and 1 (for more than two classes use Multinomial)."
            )
        return y

    def in_mean_space(self, mu: np.ndarray) -> np.ndarray:
        return (mu > 0) & (mu < 1)

    def log_partition(self, eta: Any) -> np.ndarray:
        r""":math:`A(\eta) = \log(1 + e^\eta)` (:func:`glmnotes.links.softplus`)."""
        return softplus(self.validate_eta(eta))

    def mean(self, eta: Any) -> np.ndarray:
        r""":math:`A'(\eta) = \sigma(\eta) = 1/(1 + e^{-\eta})` (:func:`glmnotes.links.sigmoid`,
        accurate down to the subnormal tail, :math:`\eta > -745`)."""
        return self.canonical_link.inverse(self.validate_eta(eta))

    def variance(self, eta: Any) -> np.ndarray:
        r""":math:`A''(\eta) = \sigma(\eta)\,\sigma(-\eta)`, a (subnormal) positive float up to
        :math:`|\eta| \approx 745`. (For the canonical link, :math:`A''(\eta) =
        d\mu/d\eta`.)"""
        return self.canonical_link.inverse_derivative(self.validate_eta(eta))

    def sample(self, eta: Any, rng: Any = None) -> np.ndarray:
        """One 0/1 draw with :math:`P(y=1) = \\sigma(\\eta)` per entry of ``eta``."""
        eta = self.validate_eta(eta)
        return generator(rng).binomial(1, sigmoid(eta)).astype(float)

    def symbolic(self) -> SymbolicFamily:
        y = sp.Symbol("y", integer=True, nonnegative=True)
        eta = sp.Symbol("eta", real=True)
        phi = sp.Symbol("phi", positive=True)
        return symbolic_family(
            name=self.name,
            y=y,
            eta=eta,
            base_measure=sp.Integer(1),
            sufficient_statistic=y,
            log_partition=sp.log(1 + sp.exp(eta)),
            textbook_density=phi**y * (1 - phi) ** (1 - y),
            parameters=(phi,),
            natural_parameter={eta: sp.log(phi / (1 - phi))},
            support=sp.FiniteSet(0, 1),
            measure="counting",
            domain={eta: (-5.0, 5.0), phi: (0.01, 0.99)},
        )
