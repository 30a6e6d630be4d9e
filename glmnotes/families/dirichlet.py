"""The Dirichlet family: vectors of ``k`` proportions that sum to 1."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp
from scipy.special import betaln, digamma, polygamma

from glmnotes._validation import offenders
from glmnotes.families.base import (
    ExponentialFamily,
    diagonal_minus_constant,
    generator,
    solve_mean_equation,
)
from glmnotes.families.symbolic import SymbolicFamily, symbolic_family

__all__ = ["Dirichlet", "symbolic_log_partition"]


class Dirichlet(ExponentialFamily):
    r"""Dirichlet over the open simplex of ``k`` proportions:
    :math:`p(y \mid \alpha) = \frac{\Gamma(\sum_i \alpha_i)}{\prod_i \Gamma(\alpha_i)}
    \prod_i y_i^{\alpha_i - 1}`.

    :math:`\eta = \alpha \in (0, \infty)^k`, :math:`T(y) = \log y` (elementwise),
    :math:`b(y) = 1/\prod_i y_i`,
    :math:`A(\eta) = \log B(\eta) = \sum_i \log\Gamma(\eta_i) - \log\Gamma(\sum_i \eta_i)`
    (the multivariate beta function). The density is with respect to Lebesgue measure on the
    first :math:`k-1` coordinates (:math:`y_k = 1 - \sum_{i<k} y_i`).

    .. math::
        \nabla A = \psi(\eta) - \psi(\textstyle\sum_i\eta_i), \qquad
        \nabla^2 A = \operatorname{diag}(\psi'(\eta)) - \psi'(\textstyle\sum_i\eta_i)
        \,\mathbf 1\mathbf 1^\top.

    Note (the notes' table is loose here): :math:`\nabla A` predicts :math:`\mathbb E[\log y]`,
    not the expected proportions :math:`\mathbb E[y] = \alpha/\sum_i\alpha_i`. With
    :math:`k = 2` this is the beta family (:class:`~glmnotes.families.Beta` inherits these
    formulas).
    """

    name = "Dirichlet"
    is_scalar = False

    def __init__(self, k: int):
        if int(k) != k or k < 2:
            raise ValueError(f"Dirichlet: k (the number of proportions) must be >= 2; got {k!r}.")
        self.k = int(k)
        self.eta_size = self.k
        self.support = f"vectors of {self.k} positive proportions summing to 1"
        self.parameter_space = f"positive vectors of length {self.k}"
        self._mean_space = "mu = E[log y] with sum(exp(mu)) < 1"

    def __repr__(self) -> str:
        return f"Dirichlet(k={self.k})"

    def validate(self, y: Any) -> np.ndarray:
        y = self._as_finite(y, "y")
        bad = np.any(y <= 0, axis=-1) | (np.abs(np.sum(y, axis=-1) - 1.0) > 1e-8)
        if bad.any():
            raise ValueError(
                f"Dirichlet: each y must have {self.k} positive entries summing to 1; got "
                f"{offenders(y, bad)}. Divide by the row sums, and replace exact zeros by "
                "small positive proportions."
            )
        return y

    def in_parameter_space(self, eta: np.ndarray) -> np.ndarray:
        return np.all(eta > 0, axis=-1)

    def in_mean_space(self, mu: np.ndarray) -> np.ndarray:
        return np.all(mu < 0, axis=-1) & (np.sum(np.exp(mu), axis=-1) < 1)

    def log_partition(self, eta: Any) -> np.ndarray:
        r""":math:`A(\eta) = \sum_i\log\Gamma(\eta_i) - \log\Gamma(\sum_i\eta_i)
        = \sum_{j=2}^{k} \log B(s_{j-1}, \eta_j)` with :math:`s_j = \eta_1 + \dots + \eta_j`
        (the product telescopes), summed from ``betaln``: this avoids the cancellation
        between large :math:`\log\Gamma` values, and at :math:`k = 2` it is exactly
        :math:`\log B(\eta_1, \eta_2)`, the beta's log-partition."""
        eta = self.validate_eta(eta)
        partial_sums = np.cumsum(eta, axis=-1)
        return np.sum(betaln(partial_sums[..., :-1], eta[..., 1:]), axis=-1)

    def mean(self, eta: Any) -> np.ndarray:
        r""":math:`\nabla A = \psi(\eta) - \psi(\sum_i\eta_i) = \mathbb E[\log y]`."""
        eta = self.validate_eta(eta)
        return digamma(eta) - digamma(np.sum(eta, axis=-1))[..., None]

    def variance(self, eta: Any) -> np.ndarray:
        r""":math:`\nabla^2 A = \operatorname{diag}(\psi'(\eta)) - \psi'(\sum_i\eta_i)`."""
        eta = self.validate_eta(eta)
        return diagonal_minus_constant(polygamma(1, eta), polygamma(1, np.sum(eta, axis=-1)))

    def sufficient_statistic(self, y: Any) -> np.ndarray:
        r""":math:`T(y) = \log y`."""
        return np.log(self.validate(y))

    def log_base_measure(self, y: Any) -> np.ndarray:
        r""":math:`\log b(y) = -\sum_i \log y_i = -\sum_i T(y)_i`."""
        return -np.sum(self.sufficient_statistic(y), axis=-1)

    def canonical_parameter(self, mu: Any) -> np.ndarray:
        r"""Solve :math:`\psi(\eta) - \psi(\sum\eta) = \mu` for :math:`\eta` (Newton from 1)."""
        mu = self.validate_mean(mu)
        return solve_mean_equation(self, mu, np.ones(self.k))

    def sample(self, eta: Any, rng: Any = None) -> np.ndarray:
        """One draw per row of ``eta``: independent Gamma(:math:`\\eta_i`, 1) normalised to sum 1.

        For very small :math:`\\eta_i` a coordinate can underflow to exactly 0.
        """
        eta = self.validate_eta(eta)
        draws = generator(rng).gamma(eta)
        return draws / np.sum(draws, axis=-1, keepdims=True)

    def symbolic(self) -> SymbolicFamily:
        k = self.k
        y = tuple(sp.Symbol(f"y_{i}", positive=True) for i in range(k))
        eta = tuple(sp.Symbol(f"eta_{i}", positive=True) for i in range(k))
        alpha = tuple(sp.Symbol(f"alpha_{i}", positive=True) for i in range(k))
        textbook = sp.gamma(sum(alpha)) / sp.Mul(*[sp.gamma(a) for a in alpha])
        textbook *= sp.Mul(*[yi ** (a - 1) for yi, a in zip(y, alpha, strict=True)])
        domain = {s: (0.5, 5.0) for s in eta + alpha}
        domain.update({s: (0.01, 1.0) for s in y})
        return symbolic_family(
            name=self.name,
            y=y,
            eta=eta,
            base_measure=1 / sp.Mul(*y),
            sufficient_statistic=sp.Matrix([sp.log(yi) for yi in y]),
            log_partition=symbolic_log_partition(eta),
            textbook_density=textbook,
            parameters=alpha,
            natural_parameter=dict(zip(eta, alpha, strict=True)),
            support=sp.ConditionSet(
                sp.Tuple(*y), sp.Eq(sum(y), 1), sp.ProductSet(*[sp.Interval.open(0, 1)] * k)
            ),
            measure="lebesgue",
            domain=domain,
        )


def symbolic_log_partition(eta: tuple) -> sp.Expr:
    r""":math:`\log B(\eta) = \sum_i \log\Gamma(\eta_i) - \log\Gamma(\sum_i \eta_i)` in sympy
    symbols: the log-partition of the Dirichlet, and of the beta at :math:`k = 2`."""
    return sum(sp.log(sp.gamma(e)) for e in eta) - sp.log(sp.gamma(sum(eta)))
