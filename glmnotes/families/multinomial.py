"""The multinomial (categorical) family: one of ``k`` classes, the family of softmax
regression."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from glmnotes._validation import as_finite_array, offenders
from glmnotes.families.base import ExponentialFamily, generator
from glmnotes.families.symbolic import SymbolicFamily, symbolic_family
from glmnotes.links import MultinomialLogit, log1p_sum_exp

__all__ = ["Multinomial"]


class Multinomial(ExponentialFamily):
    r"""Categorical (multinomial with one trial) over ``k`` classes, labelled ``0, ..., k-1``.

    As in the notes, the last class (label ``k-1``) is the reference and :math:`\eta` has the
    :math:`k-1` free entries :math:`\eta_i = \log(\phi_i/\phi_{k-1})`:

    .. math::
        p(y \mid \phi) = \prod_{i=0}^{k-1} \phi_i^{1\{y=i\}}
        = \exp\Big(\sum_{i=0}^{k-2} 1\{y=i\}\,\eta_i - A(\eta)\Big),

    :math:`T(y)_i = 1\{y = i\}` for :math:`i < k-1`, :math:`b(y) = 1`,
    :math:`A(\eta) = \log(1 + \sum_i e^{\eta_i})` (log-sum-exp of :math:`(\eta, 0)` with the
    maximum subtracted). Mean: the first :math:`k-1` softmax probabilities
    :math:`\phi_i = e^{\eta_i - A(\eta)}`; variance
    :math:`\operatorname{diag}(\phi) - \phi\phi^\top`. (The notes number classes
    :math:`1..k`; here they are :math:`0..k-1`.) statsmodels' ``MNLogit`` takes the *first*
    class as reference: subtract its coefficients from the others to compare.
    """

    name = "Multinomial"
    is_scalar = False
    canonical_link = MultinomialLogit()

    def __init__(self, k: int):
        if int(k) != k or k < 2:
            raise ValueError(f"Multinomial: k (the number of classes) must be >= 2; got {k!r}.")
        self.k = int(k)
        self.eta_size = self.k - 1
        self.support = f"integer class labels 0, ..., {self.k - 1}"
        self.parameter_space = f"all real vectors of length {self.k - 1}"
        self._mean_space = f"{self.k - 1} positive probabilities with sum below 1"

    def __repr__(self) -> str:
        return f"Multinomial(k={self.k})"

    def validate(self, y: Any) -> np.ndarray:
        y = as_finite_array(y, self.name, "y")
        bad = (y < 0) | (y > self.k - 1) | (y != np.floor(y))
        if bad.any():
            raise ValueError(
                f"Multinomial: y must be integer class labels 0, ..., {self.k - 1}; got "
                f"{offenders(y, bad)}. Encode the classes as 0..k-1 (e.g. with "
                "numpy.unique(y, return_inverse=True))."
            )
        return y.astype(np.int64)

    def in_mean_space(self, mu: np.ndarray) -> np.ndarray:
        return np.all(mu > 0, axis=-1) & (np.sum(mu, axis=-1) < 1)

    def log_partition(self, eta: Any) -> np.ndarray:
        r""":math:`A(\eta) = \log(1 + \sum_i e^{\eta_i}) = m + \log(e^{-m} +
        \sum_i e^{\eta_i - m})` with :math:`m = \max(0, \max_i \eta_i)`
        (:func:`glmnotes.links.log1p_sum_exp`)."""
        return log1p_sum_exp(self.validate_eta(eta))

    def probabilities(self, eta: Any) -> np.ndarray:
        r"""All :math:`k` class probabilities :math:`e^{\eta_i - A(\eta)}` (with
        :math:`\eta_{k-1} = 0`), shape ``eta.shape[:-1] + (k,)``."""
        return self.canonical_link.probabilities(self.validate_eta(eta))

    def mean(self, eta: Any) -> np.ndarray:
        r""":math:`\nabla A(\eta)_i = e^{\eta_i}/(1 + \sum_j e^{\eta_j}) = \phi_i`,
        :math:`i < k-1`."""
        return self.canonical_link.inverse(self.validate_eta(eta))

    def variance(self, eta: Any) -> np.ndarray:
        r""":math:`\nabla^2 A(\eta) = \operatorname{diag}(\phi) - \phi\phi^\top`, the
        Jacobian of the mean (:meth:`glmnotes.links.MultinomialLogit.inverse_derivative`).

        The diagonal :math:`\phi_i(1 - \phi_i)` uses :math:`1 - \phi_i = \sum_{j\ne i}\phi_j`,
        accurate when :math:`\phi_i` is near 1.
        """
        return self.canonical_link.inverse_derivative(self.validate_eta(eta))

    def sufficient_statistic(self, y: Any) -> np.ndarray:
        r""":math:`T(y)_i = 1\{y = i\}`, :math:`i = 0..k-2` (one-hot without the reference)."""
        y = self.validate(y)
        return (y[..., None] == np.arange(self.k - 1)).astype(float)

    def sample(self, eta: Any, rng: Any = None) -> np.ndarray:
        """One class label per row of ``eta`` (inverse-CDF sampling)."""
        cumulative = np.cumsum(self.probabilities(eta), axis=-1)
        u = generator(rng).random(cumulative.shape[:-1])
        labels = np.sum(u[..., None] > cumulative, axis=-1)
        return np.minimum(labels, self.k - 1).astype(np.int64)

    def symbolic(self) -> SymbolicFamily:
        k = self.k
        y = sp.Symbol("y", integer=True, nonnegative=True)
        eta = tuple(sp.Symbol(f"eta_{i}", real=True) for i in range(k - 1))
        phi = tuple(sp.Symbol(f"phi_{i}", positive=True) for i in range(k - 1))
        phi_reference = 1 - sum(phi)
        statistic = sp.Matrix([sp.KroneckerDelta(y, i) for i in range(k - 1)])
        textbook = sp.Mul(
            *[p ** sp.KroneckerDelta(y, i) for i, p in enumerate(phi)],
            phi_reference ** sp.KroneckerDelta(y, k - 1),
        )
        domain = {e: (-3.0, 3.0) for e in eta}
        domain.update({p: (0.05, 0.9 / (k - 1)) for p in phi})
        return symbolic_family(
            name=self.name,
            y=y,
            eta=eta,
            base_measure=sp.Integer(1),
            sufficient_statistic=statistic,
            log_partition=sp.log(1 + sum(sp.exp(e) for e in eta)),
            textbook_density=textbook,
            parameters=phi,
            natural_parameter={e: sp.log(p / phi_reference) for e, p in zip(eta, phi, strict=True)},
            support=sp.Range(0, k),
            measure="counting",
            domain=domain,
        )
