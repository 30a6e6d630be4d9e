r"""sympy notation for writing a derivation as the notes write it.

sympy normalises what it builds: ``Eq(a, a)`` becomes ``True``, ``2 * (x / 2)`` becomes ``x``, a
derivative is a symbol tree rather than :math:`\partial L/\partial c`. A derivation shown step
by step must keep each line as written, so the chapters and :mod:`glmnotes.book.errata` build their
lines from the small helpers here. Each one displays the notes' notation and keeps its
mathematical value, so that :mod:`glmnotes.verify` can still check the line: an unevaluated
product equals the product after ``.doit()``, an indexed quantity becomes a plain symbol at an
integer index, the sigmoid differentiates as :math:`\sigma(1 - \sigma)`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp

__all__ = [
    "Eq",
    "Indicator",
    "function_named",
    "indexed",
    "partial",
    "per_example",
    "shown",
    "sigmoid",
    "times",
]


def Eq(left: Any, right: Any) -> sp.Equality:  # noqa: N802 - sympy's name for an equation
    """The equation ``left = right``, unevaluated: shown as written even when both sides are
    equal (sympy's ``Eq`` would print ``True``)."""
    return sp.Eq(left, right, evaluate=False)


def times(*factors: Any) -> sp.Expr:
    """The product of ``factors``, unevaluated: kept in the order written, nothing cancelled.
    ``.doit()`` gives the ordinary product."""
    return sp.Mul(*factors, evaluate=False)


def shown(latex: str) -> sp.Symbol:
    """A placeholder symbol displayed as the LaTeX ``latex`` (a derivation's ``given`` supplies
    its value). The braces keep sympy from reading ``_`` or ``^`` in ``latex`` as its own."""
    return sp.Symbol("{" + latex + "}")


def partial(f: str, v: str) -> sp.Symbol:
    r"""A symbol displayed as :math:`\partial f/\partial v`. It is a name, not a derivative: a
    derivation's ``given`` supplies the derivative it stands for."""
    return sp.Symbol(rf"\frac{{\partial {f}}}{{\partial {v}}}")


def indexed(name: str, tex: str, **assumptions: Any) -> type[sp.Function]:
    r"""A sympy function ``x(j, a)`` displayed as :math:`x_{ja}` that, once every index is an
    integer, becomes the plain symbol :math:`x_{ja}` (with ``assumptions``).

    A sum over an index is thus shown for a general bound and, expanded at a fixed bound, is
    an ordinary expression in plain symbols that can be checked: ``y(1)`` is the symbol
    ``y_{1}``, ``x(1, 2)`` the symbol ``x_{12}``.
    """

    def eval_(cls, *k):
        if all(index.is_Integer for index in k):
            return sp.Symbol(f"{tex}_{{{''.join(map(str, k))}}}", **assumptions)
        return None

    def latex_(self, printer, exp=None):
        out = f"{tex}_{{{''.join(printer._print(index) for index in self.args)}}}"
        return out if exp is None else f"{out}^{{{exp}}}"

    return type(name, (sp.Function,), {"eval": classmethod(eval_), "_latex": latex_})


def function_named(tex: str, sort_name: str) -> type[sp.Function]:
    r"""An unknown function of one argument displayed as :math:`\mathrm{tex}(t)`.

    sympy orders the terms of a sum by class name; ``sort_name`` (the class name) is chosen so
    that the terms print in the order the text uses."""

    def latex_(self, printer, exp=None):
        return rf"{tex}\left({printer._print(self.args[0])}\right)"

    return type(sort_name, (sp.Function,), {"_latex": latex_})


def per_example(
    name: str,
    tex: str,
    value: Callable[[int], sp.Expr],
    depends_on: Sequence[sp.Symbol] = (),
) -> Callable[[Any], sp.Expr]:
    r"""A quantity of example :math:`j`, such as :math:`x^{(j)}_1` or :math:`\eta^{(j)}`.

    ``per_example(...)(j)`` is displayed as ``tex`` with ``{j}`` replaced by the index, and at
    an integer :math:`k` becomes the concrete expression ``value(k)``. A sum over :math:`j` is
    thus shown for a general :math:`m` and checked, once :math:`m` has a value, as that many
    terms. ``depends_on`` lists the parameters it depends on, so that sympy can differentiate
    it inside a sum over :math:`j`: :math:`\partial/\partial s` of it is the per-example
    quantity :math:`\partial_s` ``tex`` with value ``diff(value(k), s)``, and 0 for any other
    symbol.
    """

    def make(name: str, tex: str, value: Callable[[int], sp.Expr]) -> type[sp.Function]:
        def eval_(cls, k, *parameters):
            if k.is_Integer:
                return value(int(k))
            return None

        def latex_(self, printer, exp=None):
            out = tex.format(j=printer._print(self.args[0]))
            return out if exp is None else rf"\left({out}\right)^{{{exp}}}"

        def derivative_(self, s):
            if s not in depends_on:
                return sp.S.Zero
            derivative = make(
                f"d{name}_d{s}", rf"\partial_{{{sp.latex(s)}}}{tex}", lambda k: sp.diff(value(k), s)
            )
            return derivative(*self.args)

        return type(
            name,
            (sp.Function,),
            {"eval": classmethod(eval_), "_latex": latex_, "_eval_derivative": derivative_},
        )

    function = make(name, tex, value)
    return lambda j: function(j, *depends_on)


class sigmoid(sp.Function):  # noqa: N801 - named like the sympy functions it sits beside
    r"""The logistic function :math:`\sigma(t) = 1/(1 + e^{-t})`, displayed as :math:`\sigma(t)`.

    It differentiates as :math:`\sigma' = \sigma(1 - \sigma)` and evaluates numerically through
    :math:`1/(1 + e^{-t})`, so checked derivations can show :math:`\sigma` rather than its
    formula; ``rewrite(sp.exp)`` gives the formula. The checker replaces it by that definition
    (``notation_definition``) before proving anything, so no proof relies on the derivative rule
    above; the rule itself is checked against the definition in the tests and in the book.
    """

    notation_name = "σ"

    @staticmethod
    def notation_definition(t):
        return 1 / (1 + sp.exp(-t))

    @classmethod
    def eval(cls, t):
        if t.is_zero:
            return sp.Rational(1, 2)
        return None

    def fdiff(self, argindex=1):
        t = self.args[0]
        return sigmoid(t) * (1 - sigmoid(t))

    def _eval_rewrite_as_exp(self, t, **kwargs):
        return 1 / (1 + sp.exp(-t))

    def _eval_evalf(self, prec):
        return (1 / (1 + sp.exp(-self.args[0])))._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        text = rf"\sigma\left({printer._print(self.args[0])}\right)"
        return text if exp is None else rf"{text}^{{{exp}}}"


class Indicator(sp.Function):
    r"""The indicator :math:`1\{y = i\}`: 1 or 0 once both arguments are integers, otherwise
    unevaluated and displayed as the notes write it (a number argument is shown on the right).
    """

    @classmethod
    def eval(cls, a, b):
        if a.is_Integer and b.is_Integer:
            return sp.Integer(1) if a == b else sp.Integer(0)
        return None

    def _latex(self, printer, exp=None):
        first, second = self.args
        variable, value = (second, first) if first.is_Number else (first, second)
        text = rf"1\{{{printer._print(variable)} = {printer._print(value)}\}}"
        return text if exp is None else rf"\left({text}\right)^{{{exp}}}"
