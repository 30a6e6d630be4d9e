r"""A derivation: a chain of steps, each checked when it is added.

A chapter writes a derivation as a chain of sympy expressions, one justification per step::

    d = Derivation(sp.Derivative(sp.log(1 + sp.exp(eta)), eta),
                   domain={eta: (-30, 30)}, title="Bernoulli mean", label="bernoulli-mean",
                   registry=checked)
    d.step(sp.exp(eta) / (1 + sp.exp(eta)), "chain rule")
    d.step(1 / (1 + sp.exp(-eta)), r"divide by $e^\eta$")

Each step is checked against the last true expression (an *expression chain*), or, when the
derivation starts with ``sp.Eq(l, r, evaluate=False)``, each step is an equation checked on its
own (an *equation chain*). A false step raises :class:`DerivationError` at once, unless it is
marked as an ``erratum`` (a mistake reproduced from the source notes), which must then be shown
false. :meth:`Derivation.record` is a machine-readable record of what was checked.

This module checks and records; it draws nothing. How a derivation looks (LaTeX, plain text, the
page's HTML) is :mod:`glmnotes.verify.render`, which ``import glmnotes.verify`` installs as the
derivation's :attr:`Derivation.renderer` (what a notebook calls to show it).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import sympy as sp

from glmnotes.verify import budgets
from glmnotes.verify.check import check_equal, same
from glmnotes.verify.inputs import (
    Box,
    as_expression,
    default_box,
    is_size,
    one_line,
    parse_dims,
    parse_domain,
    parse_given,
)
from glmnotes.verify.numeric import free_scalars
from glmnotes.verify.symbolic import unfolded
from glmnotes.verify.verdicts import KINDS, DerivationError, Verdict, VerdictKind, kind_of

__all__ = ["DEFAULT_LAYOUT", "LAYOUTS", "Derivation", "Step"]

#: Where each step's justification and mark go when a derivation is shown (a renderer's choice,
#: recorded with the derivation).
LAYOUTS = ("inline", "stacked")

#: How a derivation is displayed when ``Derivation(layout=...)`` is not given: ``"stacked"``
#: (justification and mark on a small line below each step: the book's column is narrow) or
#: ``"inline"`` (on the row of the step).
DEFAULT_LAYOUT = "stacked"
_LABEL_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")


@dataclass(frozen=True)
class Step:
    """One checked line: the expression as written, its justification and verdict.

    ``compared_with`` is the expression the step was checked against (the last true expression
    of an expression chain; None in an equation chain, where each line stands alone).
    """

    number: int
    expr: sp.Basic
    why: str
    verdict: Verdict
    erratum: str | None = None
    time: float = 0.0
    compared_with: sp.Basic | None = None

    def to_record(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "why": self.why,
            "erratum": self.erratum,
            "verdict": self.verdict.to_record(),
            "expr": one_line(self.expr),
        }


def _explicit_matrix(expr: Any) -> bool:
    if isinstance(expr, sp.MatrixBase):
        return True
    if isinstance(expr, sp.BlockMatrix) or not isinstance(expr, sp.Basic):
        return False
    return any(_explicit_matrix(arg) for arg in expr.args)


class Derivation:
    r"""A chain of steps, each checked when it is added.

    Parameters: ``domain`` maps symbols to sampling boxes ``(lo, hi)`` (integer symbols get
    integer points; MatrixSymbols may use ``"spd"``, ``"diagonal"``, ``"symmetric"`` or an entry
    range); ``given`` maps symbols to substitutions applied before checking (an integer symbol
    given an integer is a size: ``m = 3``); ``dims`` gives concrete matrix sizes; ``label`` is a
    unique id (used in messages, the audit, and as the seed of the random points); ``registry``
    (a :class:`~glmnotes.verify.Registry`) records the derivation for the chapter's summary;
    ``chapter`` names the chapter in the record (by default the registry's name);
    ``condition`` (LaTeX, e.g. ``r"s \ge 0"``) states where the identities hold when a numeric
    step holds on its box but not beyond it — such a step raises unless a condition is given;
    ``layout`` is ``"stacked"`` or ``"inline"``.
    """

    def __init__(
        self,
        start: Any,
        *,
        label: str,
        domain: Mapping | None = None,
        given: Mapping | None = None,
        title: str | None = None,
        dims: Mapping | None = None,
        chapter: str | None = None,
        registry: Any = None,
        condition: str | None = None,
        n_points: int | None = None,
        time_limit: float = budgets.ROUTE_TIME_LIMIT,
        symbolic_budget: float = budgets.SYMBOLIC_BUDGET,
        allow_unverified: bool = False,
        layout: str | None = None,
    ) -> None:
        layout = DEFAULT_LAYOUT if layout is None else layout
        if layout not in LAYOUTS:
            raise ValueError(
                f"layout must be one of {LAYOUTS} (justifications beside or below each "
                f"step), got {layout!r}"
            )
        if not isinstance(label, str) or not _LABEL_PATTERN.match(label):
            raise ValueError(
                f"label must be a non-empty string of letters, digits, '-', '_', '.', ':' "
                f"(it names the derivation in messages and the audit), got {label!r}"
            )
        if title is not None and not isinstance(title, str):
            raise ValueError(f"title must be a string, got {title!r}")
        if registry is not None and not (
            callable(getattr(registry, "add", None))
            and isinstance(getattr(registry, "name", None), str)
        ):
            raise ValueError(f"registry must be a glmnotes.verify.Registry, got {registry!r}")
        if condition is not None and (not isinstance(condition, str) or not condition.strip()):
            raise ValueError(f"condition must be LaTeX text such as 's \\ge 0', got {condition!r}")
        self.label = label
        self.title = title if title else label
        self.chapter = chapter if chapter is not None else (registry.name if registry else None)
        self.condition = condition
        self.layout = layout
        self.start = as_expression(start, f"the start of derivation {label!r}")
        self.domain = parse_domain(domain)
        self.given = parse_given(given)
        self.dims = parse_dims(dims)
        self.n_points = n_points
        self.time_limit = time_limit
        self.symbolic_budget = symbolic_budget
        self.steps: list[Step] = []
        self.start_verdict: Verdict | None = None
        if isinstance(self.start, sp.Equality):
            self.is_equation_chain = True
            self._last_true: sp.Basic | None = None
            verdict = self._check(self.start.lhs, self.start.rhs, 0, numeric_first=False)
            self._raise_unless_accepted(verdict, 0, "start", None, allow_unverified, self.start)
            self.start_verdict = verdict
        elif isinstance(self.start, sp.core.relational.Relational):
            raise ValueError(
                f"the start of derivation {label!r} is the relation {self.start}; only sp.Eq "
                "(an equation chain) or an expression (an expression chain) can be checked"
            )
        else:
            self.is_equation_chain = False
            self._last_true = self.start
        if registry is not None:
            registry.add(self)

    # -- checking --

    @property
    def last_true(self) -> sp.Basic | None:
        """The expression the next step of an expression chain is checked against (None for an
        equation chain, whose steps stand alone)."""
        return self._last_true

    def domain_spec(self) -> dict[sp.Basic, Any]:
        """The domain in the form ``check_equal(domain=...)`` accepts."""
        return {symbol: box.spec() for symbol, box in self.domain.items()}

    def _check(self, left: sp.Basic, right: sp.Basic, number: int, numeric_first: bool) -> Verdict:
        return check_equal(
            left,
            right,
            domain=self.domain_spec(),
            given=self.given,
            dims=self.dims,
            seed=f"{self.label}#{number}",
            n_points=self.n_points,
            time_limit=self.time_limit,
            symbolic_budget=self.symbolic_budget,
            numeric_first=numeric_first,
        )

    def step(
        self,
        expr: Any,
        why: str,
        *,
        erratum: str | None = None,
        allow_unverified: bool = False,
    ) -> None:
        """Add and check one step; raise :class:`DerivationError` if it is false.

        ``erratum="<reference>"`` marks a step reproducing a mistake of the notes: it must be
        shown false (it raises if it holds or cannot be decided), and the chain continues from
        the last true expression. ``allow_unverified=True`` accepts a step that neither route can
        decide; it is displayed as not verified.
        """
        number = len(self.steps) + 1
        if not isinstance(why, str) or not why.strip():
            raise ValueError(
                f"derivation {self.label!r}, step {number}: every step needs a justification "
                f"string `why`, got {why!r}"
            )
        if erratum is not None and (not isinstance(erratum, str) or not erratum.strip()):
            raise ValueError(
                f"derivation {self.label!r}, step {number}: erratum must be a short reference "
                f"string (e.g. '000: log-likelihood'), got {erratum!r}"
            )
        expr = as_expression(expr, f"step {number} of derivation {self.label!r}")
        if self.is_equation_chain:
            if not isinstance(expr, sp.Equality):
                raise ValueError(
                    f"derivation {self.label!r} is an equation chain (it starts with sp.Eq): "
                    f"step {number} must be sp.Eq(left, right, evaluate=False), got {expr}"
                )
            left, right, compared_with = expr.lhs, expr.rhs, None
        else:
            if isinstance(expr, sp.core.relational.Relational):
                raise ValueError(
                    f"derivation {self.label!r} is an expression chain: step {number} must be an "
                    f"expression (the next right-hand side), got the relation {expr}"
                )
            left, right, compared_with = self._last_true, expr, self._last_true
        started = time.perf_counter()
        verdict = self._check(left, right, number, numeric_first=erratum is not None)
        elapsed = time.perf_counter() - started
        self._raise_unless_accepted(verdict, number, why, erratum, allow_unverified, expr)
        if erratum is None and verdict.holds and self._restates_the_line_above(expr):
            verdict = Verdict(
                VerdictKind.BY_DEFINITION, route="the line above, with the definitions put in"
            )
        self.steps.append(
            Step(number, expr, why, verdict, erratum, elapsed, compared_with=compared_with)
        )
        if erratum is None and not self.is_equation_chain:
            self._last_true = expr

    def _restates_the_line_above(self, expr: sp.Basic) -> bool:
        """An equation-chain line that is the last line that holds, once every definition is
        put in (:func:`~glmnotes.verify.symbolic.unfolded`): it restates that line, so it holds
        by definition, whatever proving it on its own would take."""
        if not self.is_equation_chain:
            return False
        above = [s.expr for s in self.steps if s.erratum is None and s.verdict.holds]
        if not above and self.start_verdict is not None and self.start_verdict.holds:
            above = [self.start]
        if not above:
            return False
        previous = above[-1]
        sides = unfolded(expr.lhs), unfolded(expr.rhs)
        before = unfolded(previous.lhs), unfolded(previous.rhs)
        return (same(*[sides[0], before[0]]) and same(sides[1], before[1])) or (
            same(sides[0], before[1]) and same(sides[1], before[0])
        )

    def _raise_unless_accepted(
        self,
        verdict: Verdict,
        number: int,
        why: str,
        erratum: str | None,
        allow_unverified: bool,
        expr: sp.Basic,
    ) -> None:
        where = f"derivation {self.label!r}, step {number} ({why})"
        if erratum is None:
            if verdict.kind is VerdictKind.FAILED:
                left = (
                    self.start.lhs
                    if number == 0
                    else (expr.lhs if self.is_equation_chain else self._last_true)
                )
                right = expr.rhs if self.is_equation_chain else expr
                if verdict.counterexample is not None:
                    c = verdict.counterexample
                    what = (
                        f"at {c.describe()} the left side is {c.left} and the right side is "
                        f"{c.right}"
                    )
                else:
                    what = verdict.reason
                raise DerivationError(
                    f"{where} is false: {what}.\n  left side:  {one_line(left)}\n"
                    f"  right side: {one_line(right)}"
                )
            if verdict.kind is VerdictKind.UNVERIFIED and not allow_unverified:
                raise DerivationError(
                    f"{where} could not be verified: {verdict.reason}. Pass "
                    "allow_unverified=True to show it marked as not verified."
                )
            if verdict.outside_box is not None and self.condition is None:
                raise DerivationError(
                    f"{where} holds on the sampling box but not beyond it (false at "
                    f"{verdict.outside_box}): state where it holds, "
                    "Derivation(..., condition=r'...'), so that the page says so"
                )
            return
        if verdict.holds:
            raise DerivationError(
                f"{where}, erratum {erratum!r}: expected the notes' step to be false but it "
                f"holds ({verdict.describe()})"
            )
        if verdict.kind is VerdictKind.UNVERIFIED:
            raise DerivationError(
                f"{where}, erratum {erratum!r}: the notes' step could not be shown false "
                f"({verdict.reason})"
            )

    # -- what was checked --

    def lines(self) -> list[tuple[Verdict, str | None]]:
        """(verdict, erratum) of every checked line: the start of an equation chain, then steps."""
        checked = [(self.start_verdict, None)] if self.start_verdict is not None else []
        return checked + [(s.verdict, s.erratum) for s in self.steps]

    def counts(self) -> dict[str, int]:
        """Checked lines by kind: proved, by definition, numeric, errata (shown false),
        unverified."""
        counts = {"steps": 0, **dict.fromkeys(KINDS, 0)}
        for verdict, erratum in self.lines():
            counts["steps"] += 1
            counts[kind_of(verdict, erratum)] += 1
        return counts

    def scope_boxes(self) -> dict[sp.Basic, Box]:
        """The boxes the derivation was checked on: the declared domain, and the default box of
        every other sampled symbol when a line was decided at points."""
        boxes = dict(self.domain)
        sampled = any(
            v.kind is VerdictKind.NUMERIC or v.counterexample is not None for v, _ in self.lines()
        )
        if sampled:
            expressions = [self.start] + [s.expr for s in self.steps]
            free: set = set()
            for expr in expressions:
                free |= {
                    s
                    for s in free_scalars(expr.subs(self.given))
                    if isinstance(s, sp.Symbol) and s not in self.dims
                }
            for symbol in sorted(free - set(boxes), key=str):
                boxes[symbol] = default_box(symbol)
        return boxes

    def has_explicit_matrices(self) -> bool:
        """Whether a line or a definition holds an explicit matrix (entries written out, so of
        one size: what is proved of it holds for that size). Block matrices, whose blocks may
        have symbolic sizes, do not count."""
        expressions = [self.start, *(s.expr for s in self.steps), *self.given.values()]
        return any(_explicit_matrix(expr) for expr in expressions)

    def checked_sizes(self) -> list[tuple[sp.Basic, sp.Basic]]:
        """The ``given`` sizes (``m = 3``) and the ``dims`` that some line was checked with, as
        (symbol, value) pairs (none when every line was proved for all sizes)."""
        used = {text for verdict, _ in self.lines() for text in verdict.concrete}
        sizes = [(k, v) for k, v in self.given.items() if is_size(k, v)]
        return [(k, v) for k, v in sizes + list(self.dims.items()) if f"{k} = {v}" in used]

    def definitions(self) -> list[tuple[sp.Basic, sp.Basic]]:
        """The ``given`` substitutions that are not sizes: what a symbol of the lines stands for."""
        return [(k, v) for k, v in self.given.items() if not is_size(k, v)]

    def scope_text(self) -> str:
        """``checked for eta in (-30, 30), m = 3; with mu := ...``: the boxes, the sizes and the
        definitions the lines were checked with, in plain text."""
        parts = [box.text(symbol) for symbol, box in self.scope_boxes().items()]
        parts += [f"{k} = {v}" for k, v in self.checked_sizes()]
        text = ("checked for " + ", ".join(parts)) if parts else ""
        definitions = [f"{k} := {one_line(v)}" for k, v in self.definitions()]
        if definitions:
            text += ("; " if text else "") + "with " + "; ".join(definitions)
        return text

    def record(self) -> dict[str, Any]:
        """Machine-readable record (JSON-serialisable), attached to display outputs."""
        record: dict[str, Any] = {
            "version": 2,
            "label": self.label,
            "title": self.title,
            "chapter": self.chapter,
            "chain": "equation" if self.is_equation_chain else "expression",
            "start": one_line(self.start),
            "domain": {str(s): box.record() for s, box in self.scope_boxes().items()},
            "given": {str(k): one_line(v) for k, v in self.given.items()},
            "dims": {str(k): int(v) for k, v in self.dims.items()},
            "condition": self.condition,
            "scope": self.scope_text(),
            "explicit_matrices": self.has_explicit_matrices(),
            "steps": [s.to_record() for s in self.steps],
            "counts": self.counts(),
        }
        if self.start_verdict is not None:
            record["start_verdict"] = self.start_verdict.to_record()
        return record

    # -- showing: the core draws nothing --

    #: What shows a derivation in a notebook: ``renderer(derivation)`` returns IPython's
    #: ``(data, metadata)``. ``import glmnotes.verify`` installs
    #: :func:`glmnotes.verify.render.mimebundle`; without a renderer a derivation shows as text.
    renderer: ClassVar[Any] = None

    def _repr_mimebundle_(self, include=None, exclude=None):
        """What the installed renderer draws; showing a derivation checks nothing (its steps
        were checked when they were added)."""
        if Derivation.renderer is None:
            return {"text/plain": repr(self)}, {"glmnotes": self.record()}
        return Derivation.renderer(self)

    def __str__(self) -> str:
        """The derivation line by line as the installed renderer writes it in plain text."""
        data, _ = self._repr_mimebundle_()
        return data["text/plain"]

    def __repr__(self) -> str:
        counts = self.counts()
        kinds = ", ".join(f"{counts[kind]} {kind}" for kind in KINDS if counts[kind])
        return f"<Derivation {self.label!r}: {counts['steps']} checked lines ({kinds or 'none'})>"
