r"""The mean and covariance identities of an exponential family, checked on concrete families.

For :math:`p(y \mid \eta) = b(y) \exp(\eta^\top T(y) - A(\eta))` the notes prove

.. math::
    \frac{\partial A}{\partial \eta_i} = \mathbb E[T_i(y)] = \int T_i(y)\, p(y \mid \eta)\, dy,

and differentiating once more gives the covariance,

.. math::
    \frac{\partial^2 A}{\partial \eta_i \partial \eta_j}
    = \int \big(T_i - \tfrac{\partial A}{\partial \eta_i}\big)
           \big(T_j - \tfrac{\partial A}{\partial \eta_j}\big)\, p\, dy
    = \operatorname{Cov}[T_i(y), T_j(y)].

An integral of an undefined function cannot be evaluated, so the integral steps are checked on
one family at a time. :class:`ConcreteFamily` gives sympy the functions :math:`b`, :math:`T_i`,
:math:`A`, :math:`p` and the integral over the support, *printed* in the notes' notation and
*evaluated* (``doit``) through the family's own formulas (its ``symbolic()`` view). The
integral is computed exactly, term by term, in the family's usual parameters (where sympy
recognises gamma-function integrals) and written back in :math:`\eta`: an exact change of the
free parameters, not of the variable of integration.

:func:`mean_identity` and :func:`covariance_identity` build the notes' chains as
:class:`~glmnotes.verify.Derivation` objects; :func:`lines_checked` summarises how their lines
were checked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import sympy as sp

from glmnotes.families.base import ExponentialFamily
from glmnotes.families.symbolic import exp_log_to_power
from glmnotes.notation import Eq
from glmnotes.verify import Derivation, Registry
from glmnotes.verify.registry import KINDS

__all__ = [
    "ConcreteFamily",
    "covariance_identity",
    "defined_function",
    "lines_checked",
    "mean_identity",
]


def defined_function(name: str, latex: str, formula: Callable[..., Any]) -> type[sp.Function]:
    r"""A sympy function class that prints as ``latex`` and evaluates (``doit``) to
    ``formula(*args)``, its arguments evaluated first; its derivative in an argument is the
    formula's.

    ``defined_function("p", r"p(y;\eta)", sp.Lambda((y, eta), density))(y, eta)`` shows
    :math:`p(y;\eta)` in a derivation and is the density when the checker evaluates it.
    """

    def doit(self, **hints):
        value = formula(*[arg.doit(**hints) for arg in self.args])
        return value.doit(**hints) if isinstance(value, sp.Basic) else value

    def fdiff(self, argindex=1):
        # the derivative in one argument is that of the formula, at the arguments
        dummies = [sp.Dummy() for _ in self.args]
        value = sp.sympify(formula(*dummies)).doit()
        derivative = sp.diff(value, dummies[argindex - 1])
        return derivative.subs(dict(zip(dummies, self.args, strict=True)))

    def _latex(self, printer, exp=None):
        return latex if exp is None else rf"\left({latex}\right)^{{{exp}}}"

    def unfolds_to(*args):  # the formula, nothing evaluated: what the checker calls a definition
        return formula(*args)

    return type(
        name,
        (sp.Function,),
        {"doit": doit, "fdiff": fdiff, "_latex": _latex, "unfolds_to": staticmethod(unfolds_to)},
    )


def _power_form(expr: sp.Expr) -> sp.Expr:
    r""":math:`e^{c \log z} \to z^c` after expanding the logs: the form in which sympy
    recognises gamma and beta integrals."""
    return sp.powsimp(exp_log_to_power(sp.expand_log(expr, force=True)))


class ConcreteFamily:
    r"""One family as sympy functions printed in the notes' notation and evaluated by its
    formulas.

    Attributes: ``view`` (the family's :class:`~glmnotes.families.SymbolicFamily`), ``y``,
    ``etas`` (a tuple, one symbol per coordinate), ``domain`` (sampling boxes of the free
    symbols), ``T`` (a list: :math:`T(y)`, or :math:`T_1(y), T_2(y), \dots`), ``A``
    (:math:`A(\eta)`), ``p`` (:math:`p`, the density :math:`b(y) e^{\eta^\top T(y) -
    A(\eta)}`) and ``over``, the function class of the integral over the support (printed
    :math:`\int \cdot\, dy`, a sum when :math:`y` is discrete).

    Only families of dispersion 1 are handled (the Gaussian takes the notes' :math:`\sigma = 1`:
    its constants are substituted).
    """

    def __init__(self, family: ExponentialFamily) -> None:
        view = family.symbolic()
        constants = {s: sp.nsimplify(v) for s, v in view.constants.items()}
        if sp.simplify(view.dispersion.subs(constants) - 1) != 0:
            raise ValueError(f"{view.name}: only dispersion 1 is handled here")
        if isinstance(view.y, tuple):
            raise ValueError(f"{view.name}: sympy cannot integrate over the simplex")
        self.view, self.y = view, view.y
        self.domain = {s: box for s, box in view.domain.items() if s not in constants}
        self.etas = view.eta if isinstance(view.eta, tuple) else (view.eta,)
        statistic = view.sufficient_statistic
        stats = list(statistic) if isinstance(statistic, sp.MatrixBase) else [statistic]
        log_partition = view.log_partition.subs(constants)
        inner = sum((e * t for e, t in zip(self.etas, stats, strict=True)), sp.Integer(0))
        density = view.base_measure.subs(constants) * sp.exp(inner - log_partition)
        y, etas, scalar = self.y, self.etas, len(stats) == 1
        self.T = [
            defined_function(f"T{i}", "T(y)" if scalar else f"T_{{{i + 1}}}(y)", sp.Lambda(y, t))(y)
            for i, t in enumerate(stats)
        ]
        self.A = defined_function("A", r"A(\eta)", sp.Lambda(etas, log_partition))(*etas)
        self.p = defined_function("p", "p", sp.Lambda((y, *etas), density))(y, *etas)
        self.over = self._integral()

    def __repr__(self) -> str:
        return f"ConcreteFamily({self.view.name})"

    def _integral(self) -> type[sp.Function]:
        view, y = self.view, self.y
        if isinstance(view.support, sp.FiniteSet):
            low, high = min(view.support), max(view.support)
        else:
            low, high = view.support.inf, view.support.sup
        total = sp.Sum if view.measure == "counting" else sp.Integral
        forward = view.natural_parameter  # eta -> the usual parameters
        equations = [sp.Eq(e, value) for e, value in forward.items()]
        inverse = sp.solve(equations, list(view.parameters), dict=True)[0]  # and back
        cache: dict[sp.Expr, sp.Expr] = {}

        def moment(factor):
            if factor not in cache:
                value = total(_power_form(factor.subs(forward)), (y, low, high)).doit()
                cache[factor] = sp.simplify(sp.gammasimp(value)).subs(inverse)
            return cache[factor]

        def doit(self, **hints):
            result = sp.Integer(0)
            for term in sp.Add.make_args(sp.expand(self.args[0].doit(**hints))):
                constant, factor = term.as_independent(y, as_Add=False)
                result += constant * moment(factor)
            return result

        def _latex(self, printer, exp=None):
            text = r"\int " + printer._print(self.args[0]) + r"\, dy"
            return text if exp is None else rf"\left({text}\right)^{{{exp}}}"

        return type("over", (sp.Function,), {"doit": doit, "_latex": _latex, "nargs": 1})


def mean_identity(
    c: ConcreteFamily,
    i: int = 0,
    *,
    label: str | None = None,
    registry: Registry | None = None,
) -> Derivation:
    r"""The notes' proof of :math:`\partial A/\partial\eta_i = \mathbb E[T_i(y)]` as an
    equation chain, with the formulas of ``c``: differentiate :math:`\int p\, dy = 1` under the
    integral, use :math:`\partial p/\partial\eta_i = p\,(T_i - \partial A/\partial\eta_i)`,
    and rearrange."""
    eta_i, p, T_i, over = c.etas[i], c.p, c.T[i], c.over
    dA = sp.Derivative(c.A, eta_i)
    expectation = defined_function(
        "E", r"\mathbb{E}[T(y) \mid \eta]", sp.Lambda((), over(T_i * p))
    )()
    d_total = sp.Derivative(over(p), eta_i)
    d = Derivation(
        Eq(expectation, over(T_i * p)),
        label=label or f"ef-mean-{c.view.name}-{i}",
        title=(
            f"The notes' proof of the mean identity, computed for the {c.view.name} family "
            f"($b$, $T$, $A$ and $p$ are its formulas; coordinate {i + 1})"
        ),
        domain=c.domain,
        registry=registry,
    )
    d.step(Eq(d_total, over(sp.Derivative(p, eta_i))), "under the integral")
    d.step(Eq(d_total, over(p * (T_i - dA))), "pointwise derivative")
    d.step(Eq(d_total, over(p * T_i) - over(p * dA)), "linearity")
    d.step(Eq(d_total + over(p * dA), over(p * T_i)), "rearrange")
    one = sp.Derivative(sp.Integer(1), eta_i, evaluate=False)
    d.step(Eq(one + dA * over(p), over(p * T_i)), "$\\int p\\, dy = 1$")
    d.step(Eq(dA, over(p * T_i)), "$\\int p\\, dy = 1$")
    d.step(Eq(dA, expectation), "definition")
    return d


def covariance_identity(
    c: ConcreteFamily,
    i: int = 0,
    j: int = 0,
    *,
    label: str | None = None,
    registry: Registry | None = None,
) -> Derivation:
    r""":math:`\partial^2 A/\partial\eta_i\partial\eta_j = \operatorname{Cov}[T_i, T_j]` as an
    expression chain, with the formulas of ``c``: differentiate the mean identity under the
    integral and use the pointwise derivative again."""
    eta_i, eta_j, p, over = c.etas[i], c.etas[j], c.p, c.over
    T_i, T_j = c.T[i], c.T[j]
    dA_i, dA_j = sp.Derivative(c.A, eta_i), sp.Derivative(c.A, eta_j)
    d = Derivation(
        sp.Derivative(c.A, eta_i, eta_j),
        label=label or f"ef-cov-{c.view.name}-{i}{j}",
        title=(
            f"The covariance identity, computed for the {c.view.name} family "
            f"($b$, $T$, $A$ and $p$ are its formulas; entry {i + 1}, {j + 1})"
        ),
        domain=c.domain,
        registry=registry,
    )
    d.step(sp.Derivative(over(T_i * p), eta_j), "the mean identity")
    d.step(over(T_i * sp.Derivative(p, eta_j)), "under the integral")
    d.step(over(T_i * p * (T_j - dA_j)), "pointwise derivative")
    d.step(over(T_i * T_j * p) - dA_i * dA_j, "mean identity")
    d.step(over((T_i - dA_i) * (T_j - dA_j) * p), "expand; $\\int p\\, dy = 1$")
    return d


def lines_checked(derivations: Iterable[Derivation]) -> str:
    """How the lines of ``derivations`` were checked, in a few words: ``"8 lines: 8 proved"``,
    ``"16 lines: 14 proved, 2 numeric"`` (kinds that did not occur are left out)."""
    total: dict[str, int] = {}
    for derivation in derivations:
        for kind, number in derivation.counts().items():
            total[kind] = total.get(kind, 0) + number
    kinds = [f"{total[kind]} {kind}" for kind in KINDS if kind != "steps" and total.get(kind)]
    return f"{total.get('steps', 0)} lines: " + (", ".join(kinds) or "none checked")
