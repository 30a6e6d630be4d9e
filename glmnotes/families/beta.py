"""The beta family: proportions strictly between 0 and 1."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp
from scipy.special import betaln, digamma, polygamma

from glmnotes._validation import as_finite_array, offenders
from glmnotes.families.base import (
    ExponentialFamily,
    diagonal_minus_constant,
    generator,
    solve_mean_equation,
)
from glmnotes.families.symbolic import SymbolicFamily, symbolic_family

__all__ = ["Beta"]


class Beta(ExponentialFamily):
    r"""Beta: :math:`p(y \mid \alpha, \beta) = y^{\alpha-1}(1-y)^{\beta-1}/B(\alpha, \beta)`,
    :math:`0 < y < 1`.

    :math:`\eta = (\alpha, \beta) > 0`, :math:`T(y) = (\log y, \log(1-y))`,
    :math:`b(y) = 1/(y(1-y))`, :math:`A(\eta) = \log B(\eta_1, \eta_2)` (``betaln``).

    .. math::
        \nabla A = \big(\psi(\eta_1) - \psi(\eta_1+\eta_2),\ \psi(\eta_2) - \psi(\eta_1+\eta_2)
        \big), \qquad
        \nabla^2 A = \begin{pmatrix} \psi'(\eta_1) - \psi'(s) & -\psi'(s) \\
        -\psi'(s) & \psi'(\eta_2) - \psi'(s) \end{pmatrix},\ s = \eta_1 + \eta_2.

    Note (the notes' table is loose here): :math:`\nabla A` predicts
    :math:`(\mathbb E[\log y], \mathbb E[\log(1-y)])`, not :math:`\mathbb E[y]`; "beta
    regression" in practice models :math:`\mathbb E[y]` through a logit link with a separate
    precision parameter, which is not a GLM with this canonical link.
    """

    name = "Beta"
    support = "real numbers strictly between 0 and 1"
    parameter_space = "eta = (alpha, beta) with alpha > 0 and beta > 0"
    _mean_space = "mu = (E[log y], E[log(1-y)]) with exp(mu_1) + exp(mu_2) < 1"
    is_scalar = False
    eta_size = 2

    def validate(self, y: Any) -> np.ndarray:
        y = as_finite_array(y, self.name, "y")
        bad = (y <= 0) | (y >= 1)
        if bad.any():
            raise ValueError(
                f"Beta: y must lie strictly between 0 and 1; got {offenders(y, bad)}. "
                "Proportions of exactly 0 or 1 have no beta density; shrink them inwards "
                "(e.g. (y (n - 1) + 0.5) / n) or model the counts with a binomial."
            )
        return y

    def in_parameter_space(self, eta: np.ndarray) -> np.ndarray:
        return np.all(eta > 0, axis=-1)

    def in_mean_space(self, mu: np.ndarray) -> np.ndarray:
        return np.all(mu < 0, axis=-1) & (np.sum(np.exp(mu), axis=-1) < 1)

    def log_partition(self, eta: Any) -> np.ndarray:
        r""":math:`A(\eta) = \log B(\eta_1, \eta_2)`."""
        eta = self.validate_eta(eta)
        return betaln(eta[..., 0], eta[..., 1])

    def mean(self, eta: Any) -> np.ndarray:
        r""":math:`\nabla A = (\psi(\eta_1) - \psi(s), \psi(\eta_2) - \psi(s))`."""
        eta = self.validate_eta(eta)
        return digamma(eta) - digamma(np.sum(eta, axis=-1))[..., None]

    def variance(self, eta: Any) -> np.ndarray:
        r""":math:`\nabla^2 A = \operatorname{diag}(\psi'(\eta)) - \psi'(s)\,\mathbf{1}
        \mathbf{1}^\top`, :math:`s = \eta_1 + \eta_2`."""
        eta = self.validate_eta(eta)
        return diagonal_minus_constant(polygamma(1, eta), polygamma(1, np.sum(eta, axis=-1)))

    def sufficient_statistic(self, y: Any) -> np.ndarray:
        r""":math:`T(y) = (\log y, \log(1 - y))`."""
        y = self.validate(y)
        return np.stack([np.log(y), np.log1p(-y)], axis=-1)

    def log_base_measure(self, y: Any) -> np.ndarray:
        r""":math:`\log b(y) = -\log y - \log(1 - y)`."""
        y = self.validate(y)
        return -np.log(y) - np.log1p(-y)

    def canonical_parameter(self, mu: Any) -> np.ndarray:
        r"""Solve :math:`\nabla A(\eta) = \mu` for :math:`\eta` (Newton's method from (1, 1))."""
        mu = self.validate_mean(mu)
        return solve_mean_equation(self, mu, np.ones(2))

    def sample(self, eta: Any, rng: Any = None) -> np.ndarray:
        """One draw from Beta(:math:`\\eta_1, \\eta_2`) per row of ``eta``."""
        eta = self.validate_eta(eta)
        return generator(rng).beta(eta[..., 0], eta[..., 1])

    def symbolic(self) -> SymbolicFamily:
        y = sp.Symbol("y", positive=True)
        eta = (sp.Symbol("eta_1", positive=True), sp.Symbol("eta_2", positive=True))
        alpha, beta = sp.Symbol("alpha", positive=True), sp.Symbol("beta", positive=True)
        log_beta = sp.log(sp.gamma(eta[0])) + sp.log(sp.gamma(eta[1])) - sp.log(sp.gamma(sum(eta)))
        return symbolic_family(
            name=self.name,
            y=y,
            eta=eta,
            base_measure=1 / (y * (1 - y)),
            sufficient_statistic=sp.Matrix([sp.log(y), sp.log(1 - y)]),
            log_partition=log_beta,
            textbook_density=y ** (alpha - 1) * (1 - y) ** (beta - 1) / sp.beta(alpha, beta),
            parameters=(alpha, beta),
            natural_parameter={eta[0]: alpha, eta[1]: beta},
            support=sp.Interval.open(0, 1),
            measure="lebesgue",
            domain={
                y: (0.01, 0.99),
                eta[0]: (0.5, 5.0),
                eta[1]: (0.5, 5.0),
                alpha: (0.5, 5.0),
                beta: (0.5, 5.0),
            },
        )
