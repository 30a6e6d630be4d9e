r"""Exponential families in canonical form, as numerically stable functions of :math:`\eta`.

Every family here is written as

.. math::
    p(y \mid \eta) = b(y)\, \exp\big(\eta^\top T(y) - A(\eta)\big),

with natural parameter :math:`\eta`, sufficient statistic :math:`T(y)`, base measure
:math:`b(y)` and log-partition :math:`A(\eta)`. Two identities carry the whole GLM chapter:

.. math::
    \nabla A(\eta) = \mathbb E[T(y)], \qquad \nabla^2 A(\eta) = \operatorname{Cov}[T(y)].

Each family is a small class with the same methods (all vectorised over leading axes):

========================  ========================================================
``log_partition(eta)``    :math:`A(\eta)`
``mean(eta)``             :math:`\nabla A(\eta) = \mathbb E[T(y)]`
``variance(eta)``         :math:`\nabla^2 A(\eta) = \operatorname{Cov}[T(y)]` (elementwise
                          for scalar families, a full matrix for vector families)
``sufficient_statistic``  :math:`T(y)`
``log_base_measure``      :math:`\log b(y)`
``log_density(y, eta)``   :math:`\log b(y) + \eta^\top T(y) - A(\eta)`
``canonical_parameter``   the inverse of ``mean``: :math:`\mu \mapsto \eta` (canonical link)
``sample(eta, rng)``      one draw of :math:`y` per :math:`\eta`
``validate(y)``           ``ValueError`` naming the offending values, else ``y`` as an array
``symbolic()``            the same family as sympy objects (:class:`SymbolicFamily`)
========================  ========================================================

The families of the notes' table: :class:`Gaussian`, :class:`Bernoulli`, :class:`Multinomial`,
:class:`Poisson`, :class:`Exponential`, :class:`Gamma`, :class:`Beta`, :class:`Dirichlet`; and,
for gamma *regression*, :class:`GammaDispersion` (the gamma with a fixed shape, written in
exponential-dispersion form). :func:`get_family` looks a family up by name.

Dispersion. :class:`Gaussian` with a known :math:`\sigma \ne 1` and :class:`GammaDispersion` are
written with a dispersion :math:`\phi` (``family.dispersion``):

.. math::
    p(y \mid \eta) = b_\phi(y) \exp\Big(\frac{\eta\, T(y) - A(\eta)}{\phi}\Big).

For fixed :math:`\phi` this is still an exponential family (natural parameter :math:`\eta/\phi`,
log-partition :math:`A(\eta)/\phi`), and then ``mean`` is :math:`A'(\eta)` and ``variance`` is
:math:`\phi A''(\eta)`. We keep :math:`\eta` as the argument because it is what a GLM's linear
predictor models, and its maximum-likelihood estimate does not depend on :math:`\phi`. For
every other family :math:`\phi = 1` and this is the notes' form.

Numerics: everything is computed from :math:`\eta` with ``logaddexp``, ``expit``,
max-subtracted log-sum-exp, ``gammaln``, ``betaln``, ``digamma`` and ``polygamma``, never from
clipped probabilities, so values stay finite wherever the true value is representable
(checked for :math:`|\eta|` up to 700 in the tests).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp
from scipy.special import betaln, digamma, expit, gammaln, polygamma

__all__ = [
    "FAMILIES",
    "Bernoulli",
    "Beta",
    "Dirichlet",
    "Exponential",
    "ExponentialFamily",
    "Gamma",
    "GammaDispersion",
    "Gaussian",
    "Multinomial",
    "Poisson",
    "SymbolicFamily",
    "get_family",
]


# ---------------------------------------------------------------------------------------------
# Input checks shared by all families
# ---------------------------------------------------------------------------------------------


def _offenders(values: np.ndarray, bad: np.ndarray, limit: int = 3) -> str:
    """Describe the first few entries where ``bad`` is True, e.g. ``-1.0 at index 3``.

    ``bad`` has the shape of ``values`` or of its leading axes (then whole rows are shown).
    """
    positions = np.argwhere(bad)
    parts = []
    for position in positions[:limit]:
        key = tuple(int(i) for i in position)
        value = np.asarray(values[key]).tolist()
        where = "" if not key else f" at index {key[0] if len(key) == 1 else key}"
        parts.append(f"{value!r}{where}")
    if len(positions) > limit:
        parts.append(f"and {len(positions) - limit} more")
    return ", ".join(parts)


def _as_finite_array(values: Any, family: str, what: str) -> np.ndarray:
    """``values`` as a float array, or ``ValueError`` if it is not numeric or not finite."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{family}: {what} must be numeric; got {values!r} ({error}).") from None
    bad = ~np.isfinite(array)
    if bad.any():
        raise ValueError(
            f"{family}: {what} must be finite; got {_offenders(array, bad)}. "
            "Remove or impute missing (NaN) and infinite values first."
        )
    return array


def _rng(rng: Any) -> np.random.Generator:
    """A ``numpy.random.Generator`` from a generator, a seed or ``None``."""
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


# ---------------------------------------------------------------------------------------------
# Symbolic view
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SymbolicFamily:
    r"""A family as sympy objects, for a chapter to check the algebra of its numerics.

    Attributes
    ----------
    name : str
    y : Symbol or tuple of Symbols
        The observation (a tuple for the Dirichlet), with sympy assumptions matching the support.
    eta : Symbol or tuple of Symbols
        The natural parameter, with assumptions matching the natural parameter space.
    base_measure, sufficient_statistic, log_partition : sympy expressions
        :math:`b(y)`, :math:`T(y)` (a column ``Matrix`` for vector families), :math:`A(\eta)`.
    dispersion : sympy expression
        :math:`\phi` (``1`` except for the Gaussian and :class:`GammaDispersion`).
    density : sympy expression
        :math:`b(y)\exp((\eta^\top T(y) - A(\eta))/\phi)`, built from the fields above.
    textbook_density : sympy expression
        The density in its usual parameters (``parameters``).
    parameters : tuple of Symbols
        The usual parameters (e.g. ``(lambda,)`` for the Poisson), declared positive/real.
    natural_parameter : dict
        ``{eta_symbol: expression in parameters}``: substituting it into ``density`` gives
        ``textbook_density``.
    support : sympy Set
        ``FiniteSet``, ``Naturals0``, ``Range``, ``Interval``, ``Reals`` or a ``ConditionSet``.
    measure : str
        ``"counting"`` (sum over the support) or ``"lebesgue"`` (integrate over it).
    domain : dict
        ``{symbol: (lo, hi)}`` for every free symbol: a box to sample numeric test points from.
    constants : dict
        ``{symbol: value}`` for the constants the numeric family fixed (``sigma``, ``nu``).
    """

    name: str
    y: Any
    eta: Any
    base_measure: sp.Expr
    sufficient_statistic: Any
    log_partition: sp.Expr
    dispersion: sp.Expr
    density: sp.Expr
    textbook_density: sp.Expr
    parameters: tuple
    natural_parameter: dict
    support: sp.Set
    measure: str
    domain: dict
    constants: dict = field(default_factory=dict)

    def expectation(self, g: Any = 1) -> sp.Expr:
        r""":math:`\mathbb E[g(y)]` in the usual parameters, by sympy.

        Substitutes ``natural_parameter`` into ``density`` (so the result tests :math:`b`,
        :math:`T` and :math:`A` together), rewrites :math:`e^{c \log z}` as :math:`z^c` (sympy
        integrates powers far better), then sums or integrates over the support and simplifies.
        ``expectation()`` is the total probability, which must be 1. Sympy manages every
        scalar family and the multinomial; it does not do the Dirichlet's simplex integral
        (``NotImplementedError``): check that one numerically.
        """
        if isinstance(self.y, tuple):
            raise NotImplementedError(
                f"{self.name}: sympy cannot integrate over the simplex; integrate numerically."
            )
        integrand = sp.powsimp(_exp_log_to_power(sp.sympify(g) * self.density))
        integrand = integrand.subs(self.natural_parameter)
        integrand = sp.powsimp(_exp_log_to_power(sp.expand_power_exp(integrand)))
        if self.measure == "counting":
            if isinstance(self.support, sp.FiniteSet):
                total = sp.Add(*[integrand.subs(self.y, value) for value in self.support])
            else:
                low = self.support.inf
                high = self.support.sup
                total = sp.summation(integrand, (self.y, low, high))
        else:
            total = sp.integrate(integrand, (self.y, self.support.inf, self.support.sup))
            total = sp.hyperexpand(total)
        return sp.simplify(sp.gammasimp(total))


def _exp_log_to_power(expr: sp.Expr) -> sp.Expr:
    r"""Rewrite every :math:`\exp(c \log z)` in ``expr`` as :math:`z^c`."""
    expr = sp.expand_power_exp(sp.sympify(expr))
    return expr.replace(
        lambda e: isinstance(e, sp.exp) and e.args[0].has(sp.log),
        lambda e: sp.exp(sp.expand(e.args[0])).rewrite(sp.Pow),
    )


def _symbolic(
    name: str,
    y: Any,
    eta: Any,
    base_measure: sp.Expr,
    sufficient_statistic: Any,
    log_partition: sp.Expr,
    textbook_density: sp.Expr,
    parameters: tuple,
    natural_parameter: dict,
    support: sp.Set,
    measure: str,
    domain: dict,
    dispersion: sp.Expr = sp.S.One,
    constants: dict | None = None,
) -> SymbolicFamily:
    """Assemble a :class:`SymbolicFamily`, building the canonical-form density."""
    if isinstance(sufficient_statistic, sp.MatrixBase):
        inner = (sp.Matrix(eta).T * sufficient_statistic)[0, 0]
    else:
        inner = eta * sufficient_statistic
    density = base_measure * sp.exp((inner - log_partition) / dispersion)
    return SymbolicFamily(
        name=name,
        y=y,
        eta=eta,
        base_measure=base_measure,
        sufficient_statistic=sufficient_statistic,
        log_partition=log_partition,
        dispersion=dispersion,
        density=density,
        textbook_density=textbook_density,
        parameters=parameters,
        natural_parameter=natural_parameter,
        support=support,
        measure=measure,
        domain=domain,
        constants=constants or {},
    )


# ---------------------------------------------------------------------------------------------
# The base class
# ---------------------------------------------------------------------------------------------


class ExponentialFamily:
    r"""Base class: :math:`p(y \mid \eta) = b(y) \exp(\eta^\top T(y) - A(\eta))`.

    Subclasses set the class attributes and implement the formulas; this class holds what is
    the same for all of them: :meth:`log_density` and the checks of :math:`\eta` and
    :math:`\mu`.

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
        :math:`\phi` (see the module docstring); 1 for most families.
    """

    name: str = "exponential family"
    support: str = ""
    parameter_space: str = ""
    is_scalar: bool = True
    eta_size: int = 1
    dispersion: float = 1.0

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    # -- checks -------------------------------------------------------------------------------

    def validate(self, y: Any) -> np.ndarray:
        """Return ``y`` as an array, or raise ``ValueError`` naming values outside the support."""
        raise NotImplementedError

    def in_parameter_space(self, eta: np.ndarray) -> np.ndarray:
        """Boolean mask (per observation) of the finite ``eta`` inside the parameter space."""
        inside = np.ones(np.shape(eta), dtype=bool)
        return inside if self.is_scalar else inside.all(axis=-1)

    def in_mean_space(self, mu: np.ndarray) -> np.ndarray:
        """Boolean mask (per observation) of the means reachable by a finite ``eta``."""
        inside = np.ones(np.shape(mu), dtype=bool)
        return inside if self.is_scalar else inside.all(axis=-1)

    def _check_vector_shape(self, array: np.ndarray, what: str) -> None:
        if not self.is_scalar and (array.ndim == 0 or array.shape[-1] != self.eta_size):
            raise ValueError(
                f"{self.name}: {what} must have last axis of length {self.eta_size}; "
                f"got shape {array.shape}."
            )

    def validate_eta(self, eta: Any) -> np.ndarray:
        """Return ``eta`` as a float array, or ``ValueError`` if non-finite or outside the space."""
        eta = _as_finite_array(eta, self.name, "eta")
        self._check_vector_shape(eta, "eta")
        outside = ~self.in_parameter_space(eta)
        if outside.any():
            raise ValueError(
                f"{self.name}: eta must lie in the natural parameter space "
                f"({self.parameter_space}); got {_offenders(eta, outside)}."
            )
        return eta

    def validate_mean(self, mu: Any) -> np.ndarray:
        """Return ``mu`` as a float array, or ``ValueError`` if no finite ``eta`` has this mean."""
        mu = _as_finite_array(mu, self.name, "mu")
        self._check_vector_shape(mu, "mu")
        outside = ~self.in_mean_space(mu)
        if outside.any():
            raise ValueError(
                f"{self.name}: mu must be a mean that a finite eta reaches "
                f"({self._mean_space}); got {_offenders(mu, outside)}."
            )
        return mu

    _mean_space: str = ""

    # -- the formulas (subclasses) ------------------------------------------------------------

    def log_partition(self, eta: Any) -> np.ndarray:
        raise NotImplementedError

    def mean(self, eta: Any) -> np.ndarray:
        raise NotImplementedError

    def variance(self, eta: Any) -> np.ndarray:
        raise NotImplementedError

    def sufficient_statistic(self, y: Any) -> np.ndarray:
        raise NotImplementedError

    def log_base_measure(self, y: Any) -> np.ndarray:
        raise NotImplementedError

    def canonical_parameter(self, mu: Any) -> np.ndarray:
        raise NotImplementedError

    def sample(self, eta: Any, rng: Any = None) -> np.ndarray:
        raise NotImplementedError

    def symbolic(self) -> SymbolicFamily:
        raise NotImplementedError

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


def _solve_mean_equation(
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


# ---------------------------------------------------------------------------------------------
# Scalar families
# ---------------------------------------------------------------------------------------------


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

    def __init__(self, sigma: float = 1.0):
        sigma = float(sigma)
        if not (np.isfinite(sigma) and sigma > 0):
            raise ValueError(f"Gaussian: sigma must be a positive finite number; got {sigma}.")
        self.sigma = sigma
        self.dispersion = sigma**2

    def __repr__(self) -> str:
        return f"Gaussian(sigma={self.sigma!r})"

    def validate(self, y: Any) -> np.ndarray:
        return _as_finite_array(y, self.name, "y")

    def log_partition(self, eta: Any) -> np.ndarray:
        r""":math:`A(\eta) = \eta^2 / 2`."""
        eta = self.validate_eta(eta)
        return 0.5 * eta**2

    def mean(self, eta: Any) -> np.ndarray:
        r""":math:`A'(\eta) = \eta`."""
        return self.validate_eta(eta).copy()

    def variance(self, eta: Any) -> np.ndarray:
        r""":math:`\phi A''(\eta) = \sigma^2`."""
        return np.full_like(self.validate_eta(eta), self.dispersion)

    def sufficient_statistic(self, y: Any) -> np.ndarray:
        r""":math:`T(y) = y`."""
        return self.validate(y).copy()

    def log_base_measure(self, y: Any) -> np.ndarray:
        r""":math:`\log b_\phi(y) = -y^2/2\sigma^2 - \log\sigma - \tfrac12\log 2\pi`."""
        y = self.validate(y)
        return -0.5 * (y / self.sigma) ** 2 - np.log(self.sigma) - 0.5 * np.log(2 * np.pi)

    def canonical_parameter(self, mu: Any) -> np.ndarray:
        r"""Identity link: :math:`\eta = \mu`."""
        return self.validate_mean(mu).copy()

    def sample(self, eta: Any, rng: Any = None) -> np.ndarray:
        """One draw from :math:`N(\\eta, \\sigma^2)` per entry of ``eta``."""
        eta = self.validate_eta(eta)
        return _rng(rng).normal(eta, self.sigma)

    def symbolic(self) -> SymbolicFamily:
        y = sp.Symbol("y", real=True)
        eta = sp.Symbol("eta", real=True)
        mu = sp.Symbol("mu", real=True)
        sigma = sp.Symbol("sigma", positive=True)
        return _symbolic(
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


#: Beyond this |eta| the Bernoulli mean and variance use e^{-|eta|} directly: 1/(1 + e^{-eta})
#: overflows in e^{-eta} at eta < -709.8, where the true value is still a subnormal float.
_SIGMOID_TAIL = 700.0


class Bernoulli(ExponentialFamily):
    r"""Bernoulli: :math:`p(y \mid \phi) = \phi^y (1-\phi)^{1-y}`, :math:`y \in \{0, 1\}`.

    :math:`\eta = \log\frac{\phi}{1-\phi}` (logit), :math:`T(y) = y`, :math:`b(y) = 1`,
    :math:`A(\eta) = \log(1 + e^\eta)` (softplus, computed as ``logaddexp(0, eta)``).
    Mean :math:`\sigma(\eta) = 1/(1+e^{-\eta})`; variance :math:`\sigma(\eta)\sigma(-\eta)`,
    which stays accurate where :math:`\phi(1-\phi)` rounds to 0. Canonical link: logit.
    """

    name = "Bernoulli"
    support = "0 or 1"
    parameter_space = "all real numbers"
    _mean_space = "the open interval (0, 1)"

    def validate(self, y: Any) -> np.ndarray:
        y = _as_finite_array(y, self.name, "y")
        bad = (y != 0) & (y != 1)
        if bad.any():
            raise ValueError(
                f"Bernoulli: y must be 0 or 1; got {_offenders(y, bad)}. Encode the two "
                "classes as 0 and 1 (for more than two classes use Multinomial)."
            )
        return y

    def in_mean_space(self, mu: np.ndarray) -> np.ndarray:
        return (mu > 0) & (mu < 1)

    def log_partition(self, eta: Any) -> np.ndarray:
        r""":math:`A(\eta) = \log(1 + e^\eta)`."""
        return np.logaddexp(0.0, self.validate_eta(eta))

    def mean(self, eta: Any) -> np.ndarray:
        r""":math:`A'(\eta) = \sigma(\eta) = 1/(1 + e^{-\eta})`; for
        :math:`\eta < -700` as :math:`e^{\eta}/(1 + e^{\eta})`, since :math:`e^{-\eta}`
        overflows past :math:`\eta \approx -709.8` while the mean is still a subnormal float."""
        eta = self.validate_eta(eta)
        mean = np.asarray(expit(eta))
        tail = eta < -_SIGMOID_TAIL
        if tail.any():
            small = np.exp(eta[tail])
            mean[tail] = small / (1.0 + small)
        return mean[()]  # a scalar for a scalar eta, as expit returns

    def variance(self, eta: Any) -> np.ndarray:
        r""":math:`A''(\eta) = \sigma(\eta)\,\sigma(-\eta)`; for :math:`|\eta| > 700` as
        :math:`e^{-|\eta|}/(1 + e^{-|\eta|})^2`, which stays a (subnormal) positive float up to
        :math:`|\eta| \approx 745` where one of the two sigmoids would round to 0."""
        eta = self.validate_eta(eta)
        variance = np.asarray(expit(eta) * expit(-eta))
        tail = np.abs(eta) > _SIGMOID_TAIL
        if tail.any():
            small = np.exp(-np.abs(eta[tail]))
            variance[tail] = small / (1.0 + small) ** 2
        return variance[()]  # a scalar for a scalar eta

    def sufficient_statistic(self, y: Any) -> np.ndarray:
        r""":math:`T(y) = y`."""
        return self.validate(y).copy()

    def log_base_measure(self, y: Any) -> np.ndarray:
        r""":math:`\log b(y) = 0`."""
        return np.zeros_like(self.validate(y))

    def canonical_parameter(self, mu: Any) -> np.ndarray:
        r"""Logit link: :math:`\eta = \log\mu - \log(1-\mu)`, for :math:`0 < \mu < 1`."""
        mu = self.validate_mean(mu)
        return np.log(mu) - np.log1p(-mu)

    def sample(self, eta: Any, rng: Any = None) -> np.ndarray:
        """One 0/1 draw with :math:`P(y=1) = \\sigma(\\eta)` per entry of ``eta``."""
        eta = self.validate_eta(eta)
        return _rng(rng).binomial(1, expit(eta)).astype(float)

    def symbolic(self) -> SymbolicFamily:
        y = sp.Symbol("y", integer=True, nonnegative=True)
        eta = sp.Symbol("eta", real=True)
        phi = sp.Symbol("phi", positive=True)
        return _symbolic(
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


class Poisson(ExponentialFamily):
    r"""Poisson: :math:`p(y \mid \lambda) = \lambda^y e^{-\lambda} / y!`, :math:`y = 0, 1, \dots`

    :math:`\eta = \log\lambda`, :math:`T(y) = y`, :math:`b(y) = 1/y!` (``-gammaln(y + 1)``),
    :math:`A(\eta) = e^\eta`. Mean and variance :math:`e^\eta`. Canonical link: log.
    """

    name = "Poisson"
    support = "non-negative integers 0, 1, 2, ..."
    parameter_space = "all real numbers"
    _mean_space = "positive numbers"

    def validate(self, y: Any) -> np.ndarray:
        y = _as_finite_array(y, self.name, "y")
        bad = (y < 0) | (y != np.floor(y))
        if bad.any():
            raise ValueError(
                f"Poisson: y must be non-negative integers (counts); got {_offenders(y, bad)}. "
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
        return np.exp(self.validate_eta(eta))

    def variance(self, eta: Any) -> np.ndarray:
        r""":math:`A''(\eta) = e^\eta = \lambda`."""
        return np.exp(self.validate_eta(eta))

    def sufficient_statistic(self, y: Any) -> np.ndarray:
        r""":math:`T(y) = y`."""
        return self.validate(y).copy()

    def log_base_measure(self, y: Any) -> np.ndarray:
        r""":math:`\log b(y) = -\log y! = -\log\Gamma(y + 1)`."""
        return -gammaln(self.validate(y) + 1.0)

    def canonical_parameter(self, mu: Any) -> np.ndarray:
        r"""Log link: :math:`\eta = \log\mu`, for :math:`\mu > 0`."""
        return np.log(self.validate_mean(mu))

    def sample(self, eta: Any, rng: Any = None) -> np.ndarray:
        """One count with mean :math:`e^\\eta` per entry of ``eta`` (mean at most 1e18)."""
        eta = self.validate_eta(eta)
        lam = np.exp(eta)
        too_large = lam > 1e18
        if too_large.any():
            raise ValueError(
                f"Poisson: cannot draw counts with mean above 1e18 (eta above 41.4); "
                f"got eta {_offenders(eta, too_large)}."
            )
        return _rng(rng).poisson(lam).astype(float)

    def symbolic(self) -> SymbolicFamily:
        y = sp.Symbol("y", integer=True, nonnegative=True)
        eta = sp.Symbol("eta", real=True)
        lam = sp.Symbol("lambda", positive=True)
        return _symbolic(
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

    def validate(self, y: Any) -> np.ndarray:
        y = _as_finite_array(y, self.name, "y")
        bad = y < 0
        if bad.any():
            raise ValueError(
                f"Exponential: y must be non-negative; got {_offenders(y, bad)}. "
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
        return -1.0 / self.validate_eta(eta)

    def variance(self, eta: Any) -> np.ndarray:
        r""":math:`\phi A''(\eta) = \phi/\eta^2` (:math:`\phi = 1` for the exponential)."""
        return self.dispersion / self.validate_eta(eta) ** 2

    def sufficient_statistic(self, y: Any) -> np.ndarray:
        r""":math:`T(y) = y`."""
        return self.validate(y).copy()

    def log_base_measure(self, y: Any) -> np.ndarray:
        r""":math:`\log b(y) = 0`."""
        return np.zeros_like(self.validate(y))

    def canonical_parameter(self, mu: Any) -> np.ndarray:
        r"""Canonical link: :math:`\eta = -1/\mu`, for :math:`\mu > 0`."""
        return -1.0 / self.validate_mean(mu)

    def sample(self, eta: Any, rng: Any = None) -> np.ndarray:
        """One draw with rate :math:`-\\eta` per entry of ``eta``."""
        eta = self.validate_eta(eta)
        return _rng(rng).exponential(-1.0 / eta)

    def symbolic(self) -> SymbolicFamily:
        y = sp.Symbol("y", nonnegative=True)
        eta = sp.Symbol("eta", negative=True)
        lam = sp.Symbol("lambda", positive=True)
        return _symbolic(
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


class GammaDispersion(Exponential):
    r"""Gamma with known shape :math:`\nu`, parametrised by its mean: for gamma regression.

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
    with :math:`T(y) = (\log y, y)`, see :class:`Gamma`.
    """

    name = "GammaDispersion"
    support = "positive real numbers"
    parameter_space = "negative numbers, eta = -1/mu < 0"
    _mean_space = "positive numbers"

    def __init__(self, shape: float = 1.0):
        shape = float(shape)
        if not (np.isfinite(shape) and shape > 0):
            raise ValueError(
                f"GammaDispersion: shape must be a positive finite number; got {shape}."
            )
        self.shape = shape
        self.dispersion = 1.0 / shape

    def __repr__(self) -> str:
        return f"GammaDispersion(shape={self.shape!r})"

    def validate(self, y: Any) -> np.ndarray:
        y = _as_finite_array(y, self.name, "y")
        bad = y <= 0
        if bad.any():
            raise ValueError(
                f"GammaDispersion: y must be positive; got {_offenders(y, bad)}. The gamma "
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
        return _rng(rng).gamma(self.shape, -1.0 / (eta * self.shape))

    def symbolic(self) -> SymbolicFamily:
        y = sp.Symbol("y", positive=True)
        eta = sp.Symbol("eta", negative=True)
        mu = sp.Symbol("mu", positive=True)
        nu = sp.Symbol("nu", positive=True)
        return _symbolic(
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


# ---------------------------------------------------------------------------------------------
# Vector families
# ---------------------------------------------------------------------------------------------


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
        y = _as_finite_array(y, self.name, "y")
        bad = (y < 0) | (y > self.k - 1) | (y != np.floor(y))
        if bad.any():
            raise ValueError(
                f"Multinomial: y must be integer class labels 0, ..., {self.k - 1}; got "
                f"{_offenders(y, bad)}. Encode the classes as 0..k-1 (e.g. with "
                "numpy.unique(y, return_inverse=True))."
            )
        return y.astype(np.int64)

    def in_mean_space(self, mu: np.ndarray) -> np.ndarray:
        return np.all(mu > 0, axis=-1) & (np.sum(mu, axis=-1) < 1)

    def log_partition(self, eta: Any) -> np.ndarray:
        r""":math:`A(\eta) = \log(1 + \sum_i e^{\eta_i}) = m + \log(e^{-m} +
        \sum_i e^{\eta_i - m})` with :math:`m = \max(0, \max_i \eta_i)`."""
        eta = self.validate_eta(eta)
        m = np.maximum(np.max(eta, axis=-1), 0.0)
        return m + np.log(np.exp(-m) + np.sum(np.exp(eta - m[..., None]), axis=-1))

    def probabilities(self, eta: Any) -> np.ndarray:
        r"""All :math:`k` class probabilities :math:`e^{\eta_i - A(\eta)}` (with
        :math:`\eta_{k-1} = 0`), shape ``eta.shape[:-1] + (k,)``."""
        eta = self.validate_eta(eta)
        full = np.concatenate([eta, np.zeros(eta.shape[:-1] + (1,))], axis=-1)
        return np.exp(full - self.log_partition(eta)[..., None])

    def mean(self, eta: Any) -> np.ndarray:
        r""":math:`\nabla A(\eta)_i = e^{\eta_i}/(1 + \sum_j e^{\eta_j}) = \phi_i`,
        :math:`i < k-1`."""
        return self.probabilities(eta)[..., :-1]

    def variance(self, eta: Any) -> np.ndarray:
        r""":math:`\nabla^2 A(\eta) = \operatorname{diag}(\phi) - \phi\phi^\top`.

        The diagonal :math:`\phi_i(1 - \phi_i)` uses :math:`1 - \phi_i = \sum_{j\ne i}\phi_j`,
        accurate when :math:`\phi_i` is near 1.
        """
        probabilities = self.probabilities(eta)
        phi = probabilities[..., :-1]
        covariance = -phi[..., :, None] * phi[..., None, :]
        for i in range(self.k - 1):
            others = np.sum(np.delete(probabilities, i, axis=-1), axis=-1)
            covariance[..., i, i] = phi[..., i] * others
        return covariance

    def sufficient_statistic(self, y: Any) -> np.ndarray:
        r""":math:`T(y)_i = 1\{y = i\}`, :math:`i = 0..k-2` (one-hot without the reference)."""
        y = self.validate(y)
        return (y[..., None] == np.arange(self.k - 1)).astype(float)

    def log_base_measure(self, y: Any) -> np.ndarray:
        r""":math:`\log b(y) = 0`."""
        return np.zeros(np.shape(self.validate(y)))

    def canonical_parameter(self, mu: Any) -> np.ndarray:
        r"""Inverse of the softmax: :math:`\eta_i = \log\mu_i - \log(1 - \sum_j \mu_j)`."""
        mu = self.validate_mean(mu)
        return np.log(mu) - np.log1p(-np.sum(mu, axis=-1))[..., None]

    def sample(self, eta: Any, rng: Any = None) -> np.ndarray:
        """One class label per row of ``eta`` (inverse-CDF sampling)."""
        cumulative = np.cumsum(self.probabilities(eta), axis=-1)
        u = _rng(rng).random(cumulative.shape[:-1])
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
        return _symbolic(
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


class Gamma(ExponentialFamily):
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
    predictor for the mean use :class:`GammaDispersion`. ``canonical_parameter`` solves
    :math:`\nabla A(\eta) = \mu` by Newton's method (no closed form).
    """

    name = "Gamma"
    support = "positive real numbers"
    parameter_space = "eta = (alpha, -beta) with alpha > 0 and beta > 0"
    _mean_space = "mu = (E[log y], E[y]) with E[y] > 0 and E[log y] < log E[y]"
    is_scalar = False
    eta_size = 2

    def validate(self, y: Any) -> np.ndarray:
        y = _as_finite_array(y, self.name, "y")
        bad = y <= 0
        if bad.any():
            raise ValueError(
                f"Gamma: y must be positive; got {_offenders(y, bad)}. The gamma family "
                "models positive quantities; drop or recode zeros and negatives."
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
        return _solve_mean_equation(self, mu, start)

    def sample(self, eta: Any, rng: Any = None) -> np.ndarray:
        """One draw with shape :math:`\\eta_1` and rate :math:`-\\eta_2` per row of ``eta``."""
        eta = self.validate_eta(eta)
        return _rng(rng).gamma(eta[..., 0], -1.0 / eta[..., 1])

    def symbolic(self) -> SymbolicFamily:
        y = sp.Symbol("y", positive=True)
        eta = (sp.Symbol("eta_1", positive=True), sp.Symbol("eta_2", negative=True))
        alpha, beta = sp.Symbol("alpha", positive=True), sp.Symbol("beta", positive=True)
        return _symbolic(
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
        y = _as_finite_array(y, self.name, "y")
        bad = (y <= 0) | (y >= 1)
        if bad.any():
            raise ValueError(
                f"Beta: y must lie strictly between 0 and 1; got {_offenders(y, bad)}. "
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
        return _diagonal_minus_constant(polygamma(1, eta), polygamma(1, np.sum(eta, axis=-1)))

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
        return _solve_mean_equation(self, mu, np.ones(2))

    def sample(self, eta: Any, rng: Any = None) -> np.ndarray:
        """One draw from Beta(:math:`\\eta_1, \\eta_2`) per row of ``eta``."""
        eta = self.validate_eta(eta)
        return _rng(rng).beta(eta[..., 0], eta[..., 1])

    def symbolic(self) -> SymbolicFamily:
        y = sp.Symbol("y", positive=True)
        eta = (sp.Symbol("eta_1", positive=True), sp.Symbol("eta_2", positive=True))
        alpha, beta = sp.Symbol("alpha", positive=True), sp.Symbol("beta", positive=True)
        log_beta = sp.log(sp.gamma(eta[0])) + sp.log(sp.gamma(eta[1])) - sp.log(sp.gamma(sum(eta)))
        return _symbolic(
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


def _diagonal_minus_constant(diagonal: np.ndarray, constant: np.ndarray) -> np.ndarray:
    """Matrices ``diag(diagonal) - constant * ones`` batched over leading axes."""
    size = diagonal.shape[-1]
    matrix = np.broadcast_to(-constant[..., None, None], diagonal.shape + (size,)).copy()
    index = np.arange(size)
    matrix[..., index, index] += diagonal
    return matrix


class Dirichlet(ExponentialFamily):
    r"""Dirichlet over the open simplex of ``k`` proportions:
    :math:`p(y \mid \alpha) = \frac{\Gamma(\sum_i \alpha_i)}{\prod_i \Gamma(\alpha_i)}
    \prod_i y_i^{\alpha_i - 1}`.

    :math:`\eta = \alpha \in (0, \infty)^k`, :math:`T(y) = \log y` (elementwise),
    :math:`b(y) = 1/\prod_i y_i`,
    :math:`A(\eta) = \sum_i \log\Gamma(\eta_i) - \log\Gamma(\sum_i \eta_i)`.
    The density is with respect to Lebesgue measure on the first :math:`k-1` coordinates
    (:math:`y_k = 1 - \sum_{i<k} y_i`).

    .. math::
        \nabla A = \psi(\eta) - \psi(\textstyle\sum_i\eta_i), \qquad
        \nabla^2 A = \operatorname{diag}(\psi'(\eta)) - \psi'(\textstyle\sum_i\eta_i)
        \,\mathbf 1\mathbf 1^\top.

    Note (the notes' table is loose here): :math:`\nabla A` predicts :math:`\mathbb E[\log y]`,
    not the expected proportions :math:`\mathbb E[y] = \alpha/\sum_i\alpha_i`.
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
        y = _as_finite_array(y, self.name, "y")
        self._check_vector_shape(y, "y")
        bad = np.any(y <= 0, axis=-1) | (np.abs(np.sum(y, axis=-1) - 1.0) > 1e-8)
        if bad.any():
            raise ValueError(
                f"Dirichlet: each y must have {self.k} positive entries summing to 1; got "
                f"{_offenders(y, bad)}. Divide by the row sums, and replace exact zeros by "
                "small positive proportions."
            )
        return y

    def in_parameter_space(self, eta: np.ndarray) -> np.ndarray:
        return np.all(eta > 0, axis=-1)

    def in_mean_space(self, mu: np.ndarray) -> np.ndarray:
        return np.all(mu < 0, axis=-1) & (np.sum(np.exp(mu), axis=-1) < 1)

    def log_partition(self, eta: Any) -> np.ndarray:
        r""":math:`A(\eta) = \sum_i\log\Gamma(\eta_i) - \log\Gamma(\sum_i\eta_i)`."""
        eta = self.validate_eta(eta)
        return np.sum(gammaln(eta), axis=-1) - gammaln(np.sum(eta, axis=-1))

    def mean(self, eta: Any) -> np.ndarray:
        r""":math:`\nabla A = \psi(\eta) - \psi(\sum_i\eta_i) = \mathbb E[\log y]`."""
        eta = self.validate_eta(eta)
        return digamma(eta) - digamma(np.sum(eta, axis=-1))[..., None]

    def variance(self, eta: Any) -> np.ndarray:
        r""":math:`\nabla^2 A = \operatorname{diag}(\psi'(\eta)) - \psi'(\sum_i\eta_i)`."""
        eta = self.validate_eta(eta)
        return _diagonal_minus_constant(polygamma(1, eta), polygamma(1, np.sum(eta, axis=-1)))

    def sufficient_statistic(self, y: Any) -> np.ndarray:
        r""":math:`T(y) = \log y`."""
        return np.log(self.validate(y))

    def log_base_measure(self, y: Any) -> np.ndarray:
        r""":math:`\log b(y) = -\sum_i \log y_i`."""
        return -np.sum(np.log(self.validate(y)), axis=-1)

    def canonical_parameter(self, mu: Any) -> np.ndarray:
        r"""Solve :math:`\psi(\eta) - \psi(\sum\eta) = \mu` for :math:`\eta` (Newton from 1)."""
        mu = self.validate_mean(mu)
        return _solve_mean_equation(self, mu, np.ones(self.k))

    def sample(self, eta: Any, rng: Any = None) -> np.ndarray:
        """One draw per row of ``eta``: independent Gamma(:math:`\\eta_i`, 1) normalised to sum 1.

        For very small :math:`\\eta_i` a coordinate can underflow to exactly 0.
        """
        eta = self.validate_eta(eta)
        draws = _rng(rng).gamma(eta)
        return draws / np.sum(draws, axis=-1, keepdims=True)

    def symbolic(self) -> SymbolicFamily:
        k = self.k
        y = tuple(sp.Symbol(f"y_{i}", positive=True) for i in range(k))
        eta = tuple(sp.Symbol(f"eta_{i}", positive=True) for i in range(k))
        alpha = tuple(sp.Symbol(f"alpha_{i}", positive=True) for i in range(k))
        textbook = sp.gamma(sum(alpha)) / sp.Mul(*[sp.gamma(a) for a in alpha])
        textbook *= sp.Mul(*[yi ** (a - 1) for yi, a in zip(y, alpha, strict=True)])
        log_partition = sum(sp.log(sp.gamma(e)) for e in eta) - sp.log(sp.gamma(sum(eta)))
        domain = {s: (0.5, 5.0) for s in eta + alpha}
        domain.update({s: (0.01, 1.0) for s in y})
        return _symbolic(
            name=self.name,
            y=y,
            eta=eta,
            base_measure=1 / sp.Mul(*y),
            sufficient_statistic=sp.Matrix([sp.log(yi) for yi in y]),
            log_partition=log_partition,
            textbook_density=textbook,
            parameters=alpha,
            natural_parameter=dict(zip(eta, alpha, strict=True)),
            support=sp.ConditionSet(
                sp.Tuple(*y), sp.Eq(sum(y), 1), sp.ProductSet(*[sp.Interval.open(0, 1)] * k)
            ),
            measure="lebesgue",
            domain=domain,
        )


# ---------------------------------------------------------------------------------------------
# Lookup
# ---------------------------------------------------------------------------------------------

FAMILIES: dict[str, type[ExponentialFamily]] = {
    "gaussian": Gaussian,
    "bernoulli": Bernoulli,
    "multinomial": Multinomial,
    "poisson": Poisson,
    "exponential": Exponential,
    "gamma": Gamma,
    "gamma_dispersion": GammaDispersion,
    "beta": Beta,
    "dirichlet": Dirichlet,
}
"""Family classes by name (the names :func:`get_family` accepts)."""

_ALIASES = {"normal": "gaussian", "categorical": "multinomial"}


def get_family(name: str | ExponentialFamily, **parameters: Any) -> ExponentialFamily:
    """The family called ``name`` (case-insensitive), built with ``parameters``.

    ``get_family("poisson")``, ``get_family("gaussian", sigma=2.0)``,
    ``get_family("multinomial", k=3)``, ``get_family("dirichlet", k=4)``,
    ``get_family("gamma_dispersion", shape=2.0)``. An :class:`ExponentialFamily` instance is
    returned unchanged. Note: ``"gamma"`` is the two-parameter gamma of the notes' table; the
    gamma used for regression is ``"gamma_dispersion"`` (what ``GLM(family="gamma")`` fits).
    """
    if isinstance(name, ExponentialFamily):
        return name
    if not isinstance(name, str):
        raise ValueError(f"family must be a name or an ExponentialFamily; got {name!r}.")
    key = _ALIASES.get(name.lower(), name.lower())
    if key not in FAMILIES:
        raise ValueError(f"unknown family {name!r}; choose one of {sorted(FAMILIES)}.")
    try:
        return FAMILIES[key](**parameters)
    except TypeError as error:
        raise ValueError(f"{name}: bad parameters {parameters!r} ({error}).") from None
