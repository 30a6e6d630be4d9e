"""The gamma family: for regression, with a fixed shape and a dispersion (:class:`Gamma`, the
``Gamma`` of statsmodels and R), and with both natural parameters free, as in the notes' table
(:class:`GammaShapeRate`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp
from scipy.special import digamma, gammaln, polygamma

from glmnotes._validation import as_finite_array, offenders, positive_finite
from glmnotes.families.base import ExponentialFamily, generator, solve_mean_equation
from glmnotes.families.exponential import Exponential
from glmnotes.families.symbolic import SymbolicFamily, symbolic_family

__all__ = ["Gamma", "GammaShapeRate"]


class Gamma(Exponential):
    r"""Gamma with known shape :math:`\nu`, parametrised by its mean: for gamma regression
    (``get_family("gamma")``, ``GLM(family="gamma")``, statsmodels' ``Gamma`` family).

    With :math:`y \sim \mathrm{Gamma}(\text{shape } \nu, \text{scale } \mu/\nu)`
    (mean :math:`\mu`, variance :math:`\mu^2/\nu`):

    .. math::
        p(y \mid \mu) = \frac{y^{\nu-1}}{\Gamma(\nu)} \Big(\frac{\nu}{\mu}\Big)^{\nu}
        e^{-\nu y/\mu} = b_\phi(y) \exp\Big(\frac{\eta y - A(\eta)}{\phi}\Big),

    :math:`\eta = -1/\mu < 0`, :math:`T(y) = y`, :math:`A(\eta) = -\log(-\eta)`,
    dispersion :math:`\phi = 1/\nu`, :math:`\log b_\phi(y) = \nu\log\nu + (\nu - 1)\log y -
    \log\Gamma(\nu)`. Mean :math:`-1/\eta`, variance :math:`\phi/\eta^2 = \mu^2/\nu`.
    ``shape=1`` is :class:`Exponential`, whose log-partition, mean, canonical link and
    parameter space it inherits.

    This is the exponential-dispersion gamma that GLM software (statsmodels, R) fits: the
    score :math:`X^\top(y - \mu)/\phi` vanishes at the same coefficients for every
    :math:`\phi`, so the coefficients are estimated first and :math:`\phi` afterwards.
    The canonical link needs :math:`\theta^\top x < 0`; statsmodels' default
    ``InversePower`` link is :math:`1/\mu = -\eta` (coefficients of opposite sign), and
    practitioners mostly use the log link. For the two-parameter gamma of the notes' table,
    with :math:`T(y) = (\log y, y)`, see :class:`GammaShapeRate`.
    """

    name = "Gamma"
    support = "positive real numbers"
    parameter_space = "negative numbers, eta = -1/mu < 0"
    _mean_space = "positive numbers"

    def __init__(self, shape: float = 1.0):
        self.shape = positive_finite(shape, self.name, "shape")
        self.dispersion = 1.0 / self.shape

    def __repr__(self) -> str:
        return f"Gamma(shape={self.shape!r})"

    def validate(self, y: Any) -> np.ndarray:
        y = as_finite_array(y, self.name, "y")
        bad = y <= 0
        if bad.any():
            raise ValueError(
                f"Gamma: y must be positive; got {offenders(y, bad)}. The gamma "
                "family models positive quantities; drop or recode zeros and negatives."
            )
        return y

    def log_base_measure(self, y: Any) -> np.ndarray:
        r""":math:`\log b_\phi(y) = \nu\log\nu + (\nu-1)\log y - \log\Gamma(\nu)`."""
        y = self.validate(y)
        nu = self.shape
        return nu * np.log(nu) + (nu - 1.0) * np.log(y) - gammaln(nu)

    def sample(self, eta: Any, rng: Any = None) -> np.ndarray:
        """One draw with shape :math:`\\nu` and mean :math:`-1/\\eta` per entry of ``eta``."""
        eta = self.validate_eta(eta)
        return generator(rng).gamma(self.shape, -1.0 / (eta * self.shape))

    def symbolic(self) -> SymbolicFamily:
        y = sp.Symbol("y", positive=True)
        eta = sp.Symbol("eta", negative=True)
        mu = sp.Symbol("mu", positive=True)
        nu = sp.Symbol("nu", positive=True)
        return symbolic_family(
            name=self.name,
            y=y,
            eta=eta,
            base_measure=nu**nu * y ** (nu - 1) / sp.gamma(nu),
            sufficient_statistic=y,
            log_partition=-sp.log(-eta),
            dispersion=1 / nu,
            textbook_density=y ** (nu - 1) * (nu / mu) ** nu * sp.exp(-nu * y / mu) / sp.gamma(nu),
            parameters=(mu,),
            natural_parameter={eta: -1 / mu},
            support=sp.Interval.open(0, sp.oo),
            measure="lebesgue",
            domain={y: (0.01, 5.0), eta: (-5.0, -0.1), mu: (0.2, 10.0), nu: (0.5, 5.0)},
            constants={nu: self.shape},
        )


class GammaShapeRate(ExponentialFamily):
    r"""Two-parameter gamma: :math:`p(y \mid \alpha, \beta) = \frac{\beta^\alpha}{\Gamma(\alpha)}
    y^{\alpha-1} e^{-\beta y}`, :math:`y > 0`.

    :math:`\eta = (\alpha, -\beta)` with :math:`\eta_1 > 0 > \eta_2`,
    :math:`T(y) = (\log y, y)`, :math:`b(y) = 1/y`,
    :math:`A(\eta) = \log\Gamma(\eta_1) - \eta_1\log(-\eta_2)`.

    .. math::
        \nabla A = \big(\psi(\eta_1) - \log(-\eta_2),\; -\eta_1/\eta_2\big)
        = (\mathbb E[\log y],\, \mathbb E[y]), \qquad
        \nabla^2 A = \begin{pmatrix} \psi'(\eta_1) & -1/\eta_2 \\
        -1/\eta_2 & \eta_1/\eta_2^2 \end{pmatrix}.

    Note (the notes' table is loose here): the first coordinate of :math:`\nabla A` is
    :math:`\mathbb E[\log y]`, not a mean of :math:`y`. For gamma *regression* with a linear
    predictor for the mean use :class:`Gamma`. ``canonical_parameter`` solves
    :math:`\nabla A(\eta) = \mu` by Newton's method (no closed form).
    """

    name = "GammaShapeRate"
    support = "positive real numbers"
    parameter_space = "eta = (alpha, -beta) with alpha > 0 and beta > 0"
    _mean_space = "mu = (E[log y], E[y]) with E[y] > 0 and E[log y] < log E[y]"
    is_scalar = False
    eta_size = 2

    def validate(self, y: Any) -> np.ndarray:
        y = as_finite_array(y, self.name, "y")
        bad = y <= 0
        if bad.any():
            raise ValueError(
                f"GammaShapeRate: y must be positive; got {offenders(y, bad)}. The gamma "
                "family models positive quantities; drop or recode zeros and negatives."
            )
        return y

    def in_parameter_space(self, eta: np.ndarray) -> np.ndarray:
        return (eta[..., 0] > 0) & (eta[..., 1] < 0)

    def in_mean_space(self, mu: np.ndarray) -> np.ndarray:
        positive = mu[..., 1] > 0
        return positive & (mu[..., 0] < np.log(np.where(positive, mu[..., 1], 1.0)))

    def log_partition(self, eta: Any) -> np.ndarray:
        r""":math:`A(\eta) = \log\Gamma(\eta_1) - \eta_1 \log(-\eta_2)`."""
        eta = self.validate_eta(eta)
        return gammaln(eta[..., 0]) - eta[..., 0] * np.log(-eta[..., 1])

    def mean(self, eta: Any) -> np.ndarray:
        r""":math:`\nabla A = (\psi(\eta_1) - \log(-\eta_2),\ -\eta_1/\eta_2)`."""
        eta = self.validate_eta(eta)
        a, b = eta[..., 0], eta[..., 1]
        return np.stack([digamma(a) - np.log(-b), -a / b], axis=-1)

    def variance(self, eta: Any) -> np.ndarray:
        r""":math:`\nabla^2 A = [[\psi'(\eta_1), -1/\eta_2], [-1/\eta_2, \eta_1/\eta_2^2]]`."""
        eta = self.validate_eta(eta)
        a, b = eta[..., 0], eta[..., 1]
        covariance = np.empty(eta.shape + (2,))
        covariance[..., 0, 0] = polygamma(1, a)
        covariance[..., 0, 1] = covariance[..., 1, 0] = -1.0 / b
        covariance[..., 1, 1] = a / b**2
        return covariance

    def sufficient_statistic(self, y: Any) -> np.ndarray:
        r""":math:`T(y) = (\log y, y)`."""
        y = self.validate(y)
        return np.stack([np.log(y), y], axis=-1)

    def log_base_measure(self, y: Any) -> np.ndarray:
        r""":math:`\log b(y) = -\log y`."""
        return -np.log(self.validate(y))

    def canonical_parameter(self, mu: Any) -> np.ndarray:
        r"""Solve :math:`\nabla A(\eta) = (\mathbb E\log y, \mathbb E y)` for :math:`\eta`
        (Newton's method from :math:`\alpha = 1`, :math:`\beta = 1/\mathbb E y`)."""
        mu = self.validate_mean(mu)
        start = np.stack([np.ones(mu.shape[:-1]), -1.0 / mu[..., 1]], axis=-1)
        return solve_mean_equation(self, mu, start)

    def sample(self, eta: Any, rng: Any = None) -> np.ndarray:
        """One draw with shape :math:`\\eta_1` and rate :math:`-\\eta_2` per row of ``eta``."""
        eta = self.validate_eta(eta)
        return generator(rng).gamma(eta[..., 0], -1.0 / eta[..., 1])

    def symbolic(self) -> SymbolicFamily:
        y = sp.Symbol("y", positive=True)
        eta = (sp.Symbol("eta_1", positive=True), sp.Symbol("eta_2", negative=True))
        alpha, beta = sp.Symbol("alpha", positive=True), sp.Symbol("beta", positive=True)
        return symbolic_family(
            name=self.name,
            y=y,
            eta=eta,
            base_measure=1 / y,
            sufficient_statistic=sp.Matrix([sp.log(y), y]),
            log_partition=sp.log(sp.gamma(eta[0])) - eta[0] * sp.log(-eta[1]),
            textbook_density=beta**alpha / sp.gamma(alpha) * y ** (alpha - 1) * sp.exp(-beta * y),
            parameters=(alpha, beta),
            natural_parameter={eta[0]: alpha, eta[1]: -beta},
            support=sp.Interval.open(0, sp.oo),
            measure="lebesgue",
            domain={
                y: (0.01, 10.0),
                eta[0]: (0.5, 5.0),
                eta[1]: (-5.0, -0.2),
                alpha: (0.5, 5.0),
                beta: (0.2, 5.0),
            },
        )
