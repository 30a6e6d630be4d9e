r"""The symbolic view of a family: the same formulas as sympy objects.

A chapter checks the algebra behind a family's numerics on :class:`SymbolicFamily`, which every
family returns from its ``symbolic()`` method: the density is rebuilt from :math:`b(y)`,
:math:`T(y)` and :math:`A(\eta)`, so sympy tests the three together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp

__all__ = ["SymbolicFamily", "exp_log_to_power", "symbolic_family"]


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
        :math:`\phi` (``1`` except for the Gaussian and the regression :class:`Gamma`).
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
        integrand = sp.powsimp(exp_log_to_power(sp.sympify(g) * self.density))
        integrand = integrand.subs(self.natural_parameter)
        integrand = sp.powsimp(exp_log_to_power(sp.expand_power_exp(integrand)))
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


def exp_log_to_power(expr: sp.Expr) -> sp.Expr:
    r"""Rewrite every :math:`\exp(c \log z)` in ``expr`` as :math:`z^c`."""
    expr = sp.expand_power_exp(sp.sympify(expr))
    return expr.replace(
        lambda e: isinstance(e, sp.exp) and e.args[0].has(sp.log),
        lambda e: sp.exp(sp.expand(e.args[0])).rewrite(sp.Pow),
    )


def symbolic_family(
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
