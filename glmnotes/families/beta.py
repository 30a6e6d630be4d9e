"""The beta family: proportions strictly between 0 and 1 (the Dirichlet with ``k = 2``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from glmnotes._validation import as_finite_array, offenders
from glmnotes.families.base import generator
from glmnotes.families.dirichlet import Dirichlet, symbolic_log_partition
from glmnotes.families.symbolic import SymbolicFamily, symbolic_family

__all__ = ["Beta"]


class Beta(Dirichlet):
    r"""Beta: :math:`p(y \mid \alpha, \beta) = y^{\alpha-1}(1-y)^{\beta-1}/B(\alpha, \beta)`,
    :math:`0 < y < 1`: the :class:`~glmnotes.families.Dirichlet` with :math:`k = 2`, observed
    through :math:`y` alone (its proportions are :math:`(y, 1 - y)`).

    :math:`\eta = (\alpha, \beta) > 0`, :math:`T(y) = (\log y, \log(1-y))`,
    :math:`b(y) = 1/(y(1-y))`, :math:`A(\eta) = \log B(\eta_1, \eta_2)` (``betaln``).

    .. math::
        \nabla A = \big(\psi(\eta_1) - \psi(\eta_1+\eta_2),\ \psi(\eta_2) - \psi(\eta_1+\eta_2)
        \big), \qquad
        \nabla^2 A = \begin{pmatrix} \psi'(\eta_1) - \psi'(s) & -\psi'(s) \\
        -\psi'(s) & \psi'(\eta_2) - \psi'(s) \end{pmatrix},\ s = \eta_1 + \eta_2.

    These are the Dirichlet's formulas at :math:`k = 2`, inherited from it (``log_partition``,
    ``mean``, ``variance``, ``log_base_measure``, ``canonical_parameter`` and the parameter and
    mean spaces); the beta has only its own support, :math:`T(y)` written on :math:`y`, sampling
    and the symbolic view.

    Note (the notes' table is loose here): :math:`\nabla A` predicts
    :math:`(\mathbb E[\log y], \mathbb E[\log(1-y)])`, not :math:`\mathbb E[y]`; "beta
    regression" in practice models :math:`\mathbb E[y]` through a logit link with a separate
    precision parameter, which is not a GLM with this canonical link.
    """

    name = "Beta"

    def __init__(self) -> None:
        super().__init__(k=2)
        self.support = "real numbers strictly between 0 and 1"
        self.parameter_space = "eta = (alpha, beta) with alpha > 0 and beta > 0"
        self._mean_space = "mu = (E[log y], E[log(1-y)]) with exp(mu_1) + exp(mu_2) < 1"

    def __repr__(self) -> str:
        return "Beta()"

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

    def sufficient_statistic(self, y: Any) -> np.ndarray:
        r"""The Dirichlet's :math:`T = \log` of the proportions :math:`(y, 1 - y)`:
        :math:`T(y) = (\log y, \log(1 - y))`, the second as ``log1p(-y)``, exact where
        :math:`1 - y` would round."""
        y = self.validate(y)
        return np.stack([np.log(y), np.log1p(-y)], axis=-1)

    def sample(self, eta: Any, rng: Any = None) -> np.ndarray:
        """One draw from Beta(:math:`\\eta_1, \\eta_2`) per row of ``eta``."""
        eta = self.validate_eta(eta)
        return generator(rng).beta(eta[..., 0], eta[..., 1])

    def symbolic(self) -> SymbolicFamily:
        y = sp.Symbol("y", positive=True)
        eta = (sp.Symbol("eta_1", positive=True), sp.Symbol("eta_2", positive=True))
        alpha, beta = sp.Symbol("alpha", positive=True), sp.Symbol("beta", positive=True)
        return symbolic_family(
            name=self.name,
            y=y,
            eta=eta,
            base_measure=1 / (y * (1 - y)),
            sufficient_statistic=sp.Matrix([sp.log(y), sp.log(1 - y)]),
            log_partition=symbolic_log_partition(eta),
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
