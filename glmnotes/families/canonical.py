r"""Writing a family in canonical form, line by line as the notes do.

A family is in canonical form when its density reads

.. math::
    p(y \mid \eta) = b(y)\, \exp\big(\eta^\top T(y) - A(\eta)\big).

The helpers here keep each line of such a derivation as written (sympy would pull factors out of
an exponent or cancel a fraction): :func:`exp_as_written` and :func:`half`;
:func:`canonical_form` writes the last line from a family's ``symbolic()`` view, and
:func:`canonical_derivation` checks the three-line chain *usual density* :math:`\to`
:math:`e^{\log(\cdot)}` :math:`\to` *canonical form*, with the natural parameter substituted.
:func:`counted_from_one` numbers a vector family's coordinates from 1, as the notes do (the
package counts from 0).

:class:`MultinomialNotation` holds the notes' symbols for the multinomial (classes
:math:`1, \dots, k`, the last one the reference, :math:`\phi_k = 1 - \sum_{i<k} \phi_i`), for
the check of the notes' multinomial lines (:mod:`glmnotes.book.errata.glm_notes`) and the chapter's
log-partition and softmax; :data:`NOTES_MULTINOMIAL` is the instance with :math:`k = 3`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

import sympy as sp

from glmnotes.families.symbolic import SymbolicFamily
from glmnotes.notation import Indicator, indexed, times
from glmnotes.verify import Derivation, Registry

__all__ = [
    "NOTES_MULTINOMIAL",
    "MultinomialNotation",
    "canonical_derivation",
    "canonical_form",
    "counted_from_one",
    "exp_as_written",
    "half",
]


def exp_as_written(exponent: Any) -> sp.Expr:
    r""":math:`e^{\text{exponent}}`, unevaluated: no factor is pulled out of the exponent."""
    return sp.exp(exponent, evaluate=False)


def half(expr: Any) -> sp.Expr:
    r""":math:`\text{expr}/2`, kept as one fraction."""
    return sp.Mul(expr, sp.Pow(2, -1, evaluate=False), evaluate=False)


def canonical_form(
    view: SymbolicFamily, constants: dict | None = None, named_partition: bool = False
) -> sp.Expr:
    r""":math:`b(y)\, e^{\eta^\top T(y) - A(\eta)}` from a family's symbolic view, as written
    (the factor :math:`b(y)` left out when it is 1; ``constants`` substituted into :math:`b`
    and :math:`A`, e.g. the Gaussian's :math:`\sigma = 1`). With ``named_partition``,
    :math:`A(\eta)` is printed by name (and evaluated, ``doit``, as the family's formula): the
    line stays short when :math:`A` is long."""
    from glmnotes.families.identities import defined_function

    constants = constants or {}
    etas = view.eta if isinstance(view.eta, tuple) else (view.eta,)
    statistic = view.sufficient_statistic
    stats = list(statistic) if isinstance(statistic, sp.MatrixBase) else [statistic]
    inner = sp.Add(*[eta_i * t for eta_i, t in zip(etas, stats, strict=True)])
    log_partition = view.log_partition.subs(constants)
    if named_partition:
        log_partition = defined_function("A", r"A(\eta)", sp.Lambda(etas, log_partition))(*etas)
    exponent = exp_as_written(inner - log_partition)
    base = view.base_measure.subs(constants)
    return exponent if base == 1 else times(base, exponent)


def canonical_derivation(
    view: SymbolicFamily,
    middle: sp.Expr,
    why: str,
    *,
    label: str,
    registry: Registry | None = None,
    title: str | None = None,
    start: sp.Expr | None = None,
    named_partition: bool = False,
) -> Derivation:
    r"""The chain *usual density* :math:`\to` ``middle`` (the density as
    :math:`e^{\log(\cdot)}`) :math:`\to` :func:`canonical_form`, checked with the natural
    parameter substituted (``view.natural_parameter``); ``why`` justifies the last line
    (e.g. ``"$\\eta = \\log\\lambda$"``). ``start`` is the usual density as it is shown (by
    default the family's ``textbook_density`` with gamma functions); ``named_partition`` prints
    :math:`A(\eta)` by name in the last line."""
    d = Derivation(
        view.textbook_density.rewrite(sp.gamma) if start is None else start,
        given=view.natural_parameter,
        domain=view.domain,
        label=label,
        title=title or f"The {view.name} distribution in canonical form",
        registry=registry,
    )
    d.step(middle, "$a = e^{\\log a}$")
    d.step(canonical_form(view, named_partition=named_partition), why)
    return d


_NUMBERED = re.compile(r"^(.*)_(\d+)$")


def counted_from_one(view: SymbolicFamily) -> SymbolicFamily:
    r"""``view`` with its numbered symbols counted from 1: :math:`y_0, y_1, \dots` renamed
    :math:`y_1, y_2, \dots` (same assumptions), and likewise :math:`\eta_i`, :math:`\alpha_i`,
    :math:`\phi_i`; a view whose symbols are not numbered from 0 is returned unchanged.

    Only names change, not values: a multinomial's classes stay labelled as the package labels
    them (its :math:`T_1(y)` is still :math:`1\{y = 0\}`).
    """
    symbols = [*_as_tuple(view.y), *_as_tuple(view.eta), *view.parameters]
    groups: dict[str, list[tuple[sp.Symbol, int]]] = {}
    for symbol in symbols:
        match = _NUMBERED.match(symbol.name)
        if match:
            groups.setdefault(match.group(1), []).append((symbol, int(match.group(2))))
    renamed = {
        symbol: sp.Symbol(f"{stem}_{number + 1}", **symbol.assumptions0)
        for stem, members in groups.items()
        if min(number for _, number in members) == 0
        for symbol, number in members
    }
    if not renamed:
        return view

    def new(value: Any) -> Any:
        if isinstance(value, tuple):
            return tuple(new(v) for v in value)
        if isinstance(value, dict):
            return {new(key): new(v) for key, v in value.items()}
        return value.xreplace(renamed) if hasattr(value, "xreplace") else value

    fields = (
        "y", "eta", "base_measure", "sufficient_statistic", "log_partition", "density",
        "textbook_density", "parameters", "natural_parameter", "support", "domain",
    )  # fmt: skip
    return replace(view, **{name: new(getattr(view, name)) for name in fields})


def _as_tuple(value: Any) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def _eta_of_phi(phi: type[sp.Function], reference: sp.Expr) -> type[sp.Function]:
    r"""The class of :math:`\eta_i`, printed so and evaluated (``doit``) as
    :math:`\log(\phi_i/\phi_k)` with :math:`\phi_k` = ``reference``."""

    def doit(self, **hints):
        return sp.log(phi(self.args[0].doit(**hints)) / reference)

    def _latex(self, printer, exp=None):
        text = rf"\eta_{{{printer._print(self.args[0])}}}"
        return text if exp is None else rf"{text}^{{{exp}}}"

    return type("eta_phi", (sp.Function,), {"doit": doit, "_latex": _latex})


@dataclass(frozen=True)
class MultinomialNotation:
    r"""The notes' multinomial with ``classes`` classes :math:`1, \dots, k`, class :math:`k`
    the reference.

    ``phi(i)`` and ``eta(i)`` print as :math:`\phi_i`, :math:`\eta_i` (plain symbols at an
    integer :math:`i`); ``y`` is the class, ``i`` and ``k`` the index and the number of classes
    (symbols, given :math:`k` = ``classes``), ``phi_k`` the symbol :math:`\phi_k` (given
    ``reference`` :math:`= 1 - \sum_{i<k}\phi_i`), ``eta_of_phi(i)`` prints :math:`\eta_i` and
    evaluates to :math:`\log(\phi_i/\phi_k)`. ``given`` and ``domain`` are what a derivation
    in these symbols is checked with.
    """

    classes: int = 3
    phi: type[sp.Function] = field(init=False)
    eta: type[sp.Function] = field(init=False)
    i: sp.Symbol = field(init=False)
    k: sp.Symbol = field(init=False)
    y: sp.Symbol = field(init=False)
    phi_k: sp.Symbol = field(init=False)
    reference: sp.Expr = field(init=False)
    eta_of_phi: type[sp.Function] = field(init=False)

    def __post_init__(self) -> None:
        phi = indexed("phi", r"\phi", positive=True)
        reference = 1 - sum(phi(c) for c in range(1, self.classes))
        values = {
            "phi": phi,
            "eta": indexed("eta", r"\eta", real=True),
            "i": sp.Symbol("i", integer=True, positive=True),
            "k": sp.Symbol("k", integer=True, positive=True),
            "y": sp.Symbol("y", integer=True, positive=True),
            "phi_k": sp.Symbol(r"\phi_k", positive=True),
            "reference": reference,
            "eta_of_phi": _eta_of_phi(phi, reference),
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @property
    def given(self) -> dict:
        """:math:`k` and :math:`\\phi_k` for the checker."""
        return {self.k: self.classes, self.phi_k: self.reference}

    @property
    def domain(self) -> dict:
        r"""The class :math:`y \in \{1, \dots, k\}` and :math:`0 < \phi_i < 1/(k - 1)`, so
        that :math:`\phi_k > 0`."""
        bound = sp.Rational(1, self.classes - 1)
        box = {self.phi(c): (0, bound) for c in range(1, self.classes)}
        return {self.y: (1, self.classes)} | box

    def indicator(self, value: Any = None) -> sp.Expr:
        r""":math:`1\{y = \text{value}\}` (``value`` defaults to the index :math:`i`)."""
        return Indicator(self.y, self.i if value is None else value)

    def upto(self, term: Any, top: Any = None) -> sp.Sum:
        r""":math:`\sum_{i=1}^{k-1} \text{term}` (or up to ``top``)."""
        return sp.Sum(term, (self.i, 1, self.k - 1 if top is None else top))


#: The notes' multinomial, checked with :math:`k = 3` classes.
NOTES_MULTINOMIAL = MultinomialNotation(3)
