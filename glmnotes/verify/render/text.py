"""How a derivation looks in plain text: the words of each mark, and the derivation line by line
(what a terminal, a log or ``print`` shows)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from glmnotes.verify.inputs import one_line
from glmnotes.verify.verdicts import Verdict, VerdictKind, points_text

if TYPE_CHECKING:
    from glmnotes.verify.derivation import Derivation, Step

__all__ = ["mark_text", "plain_text"]


def mark_text(verdict: Verdict, erratum: str | None = None) -> str:
    """The words of a mark: ``proved``, ``proved for m = 3``, ``by definition``,
    ``numeric, 16 points, 35 digits``, ``false``, ``not verified``."""
    if verdict.kind is VerdictKind.PROVED:
        return "proved" + verdict.scope_text()
    if verdict.kind is VerdictKind.BY_DEFINITION:
        return "by definition"
    if verdict.kind is VerdictKind.NUMERIC:
        return (
            f"numeric{verdict.scope_text()}, {points_text(verdict.points)}, {verdict.digits} digits"
            + verdict.undecided_summary()
        )
    if verdict.kind is VerdictKind.FAILED:
        return f"false [{erratum}]" if erratum else "false"
    return "not verified"


def _step_mark(step: Step) -> str:
    if step.erratum is not None:
        return one_line(f"erratum {step.erratum}: {step.verdict.describe(assuming=False)}")
    return one_line(step.verdict.describe(assuming=False))


def plain_text(derivation: Derivation) -> str:
    """The derivation as text: its title, scope and condition, then one numbered line per step
    with its justification and what its check established."""
    d = derivation
    lines = [f"Derivation {d.label!r}: {d.title}"]
    scope = d.scope_text()
    if scope:
        lines.append(f"  {scope}")
    if d.condition is not None:
        lines.append(f"  holds for {d.condition} (it fails outside its box)")
    if d.is_equation_chain:
        lines.append(
            f"  0. {one_line(d.start.lhs)} = {one_line(d.start.rhs)}"
            f"    [start] {one_line(d.start_verdict.describe(assuming=False))}"
        )
        for s in d.steps:
            relation = "!=" if s.erratum is not None else "="
            lines.append(
                f"  {s.number}. {one_line(s.expr.lhs)} {relation} {one_line(s.expr.rhs)}"
                f"    [{one_line(s.why)}] {_step_mark(s)}"
            )
    else:
        lines.append(f"     {one_line(d.start)}")
        for s in d.steps:
            relation = "!=" if s.erratum is not None else "="
            expression, why = one_line(s.expr), one_line(s.why)
            lines.append(f"  {s.number}. {relation} {expression}    [{why}] {_step_mark(s)}")
    return "\n".join(lines)
