r"""What a check concludes: a :class:`Verdict` of one of five kinds.

* ``PROVED``: a symbolic route reduced :math:`\text{left} - \text{right}` to zero (or sympy
  evaluated a derivative, integral or sum and both sides became the same expression);
* ``BY_DEFINITION``: both sides were already the same expression, or became the same once the
  derivation's ``given`` definitions or a notation's definition (:math:`\sigma`) were put in —
  nothing was proved;
* ``NUMERIC``: the difference was evaluated at random points of the sampling box, at two
  precisions, and vanished at every one (``digits``: how many digits were established);
* ``FAILED``: a point where the two sides differ (``counterexample``), or a proof that their
  difference is never zero (``reason``);
* ``UNVERIFIED``: neither route decided (``reason`` says why).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, ClassVar

__all__ = [
    "Counterexample",
    "DerivationError",
    "DerivationWarning",
    "Verdict",
    "VerdictKind",
]


class DerivationError(Exception):
    """A step of a derivation is false (or an erratum step is unexpectedly true, or unverified)."""


class DerivationWarning(UserWarning):
    """Something about a derivation deserves attention but is not an error (e.g. a reused label)."""


class VerdictKind(enum.Enum):
    """How a claimed equality was settled."""

    PROVED = "proved"
    BY_DEFINITION = "by definition"
    NUMERIC = "numeric"
    FAILED = "failed"
    UNVERIFIED = "unverified"


@dataclass(frozen=True)
class Counterexample:
    """A point where the two sides differ, with both values.

    ``point`` holds ``(name, value)`` pairs as shown (at most 15 significant digits, with ``≈``
    when the sampled value has more; a matrix as ``random 3x3 matrix``), and ``symbols`` the
    sampled sympy symbols in the same order; ``exact_point`` holds the exact sampled values (a
    decimal or a fraction), so that the check can be repeated. ``left``/``right`` are the values
    of the two sides to 15 significant digits and ``left_short``/``right_short`` to 6 (as a
    derivation shows them), ``difference`` their difference (which may be far smaller than the
    values' last digit), ``entry`` the matrix entry that differs, if any. It holds text, not
    markup: the renderers (:mod:`glmnotes.verify.render`) typeset it.
    """

    point: tuple[tuple[str, str], ...]
    left: str
    right: str
    left_short: str = ""
    right_short: str = ""
    entry: tuple[int, ...] | None = None
    exact_point: tuple[tuple[str, str], ...] = ()
    difference: str = ""
    symbols: tuple[Any, ...] = field(default=(), compare=False)

    def describe(self) -> str:
        """``eta = 1.3`` style text for the point (and the entry, for matrices)."""
        where = (
            ", ".join(
                f"{name} ≈ {value[2:]}" if value.startswith("≈ ") else f"{name} = {value}"
                for name, value in self.point
            )
            or "the point"
        )
        if self.entry is not None:
            where += f", entry {self.entry}"
        return where


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking ``left == right``.

    ``kind`` is a :class:`VerdictKind`; ``route`` names the symbolic route of a proof (or why a
    line holds by definition); ``points`` and ``digits`` describe a numeric agreement
    (``digits``: the fewest significant digits to which the difference was shown to vanish,
    relative to the size of the terms, over the points); ``counterexample`` is set for a
    ``FAILED`` verdict found at a point, ``reason`` for one proved false symbolically and for an
    ``UNVERIFIED`` verdict. ``concrete`` lists the substitutions the verdict depends on (``m =
    3``: proved for that size only). ``outside_box`` is a point outside the sampling box where
    a numeric identity fails (so it holds only where the box says). ``clock_cuts`` names the
    operations that a time budget stopped (empty when the verdict does not depend on the
    machine's speed); ``memory_cuts`` names what a memory bound stopped or refused: an exact
    value too large to compute (evaluated in floating precision instead), an operation stopped at
    the memory ceiling. ``assuming`` lists the other ``given`` substitutions the verdict used
    (``eta = theta*x``, ``y = 1``): like ``concrete``, the verdict holds with them put in.
    ``undecided`` describes the points of the box where the check could decide nothing (a side
    not finite, or neither agreement nor a difference established): a numeric verdict does not
    claim them.
    """

    kind: VerdictKind
    route: str | None = None
    points: int = 0
    digits: int | None = None
    counterexample: Counterexample | None = None
    reason: str = ""
    concrete: tuple[str, ...] = ()
    outside_box: str | None = None
    clock_cuts: tuple[str, ...] = ()
    memory_cuts: tuple[str, ...] = ()
    assuming: tuple[str, ...] = ()
    undecided: str = ""

    PROVED: ClassVar[VerdictKind] = VerdictKind.PROVED
    BY_DEFINITION: ClassVar[VerdictKind] = VerdictKind.BY_DEFINITION
    NUMERIC: ClassVar[VerdictKind] = VerdictKind.NUMERIC
    FAILED: ClassVar[VerdictKind] = VerdictKind.FAILED
    UNVERIFIED: ClassVar[VerdictKind] = VerdictKind.UNVERIFIED

    @property
    def holds(self) -> bool:
        """True when the equality was proved, holds by definition, or agreed numerically."""
        return self.kind in (VerdictKind.PROVED, VerdictKind.BY_DEFINITION, VerdictKind.NUMERIC)

    def undecided_summary(self) -> str:
        """``, undecided at 2 points`` when a numeric verdict leaves points of its box
        undecided, else ``""``."""
        return f", undecided {self.undecided.split(':')[0]}" if self.undecided else ""

    def scope_text(self) -> str:
        """`` for m = 3`` when the verdict holds for the given values only, else ``""``."""
        return f" for {', '.join(self.concrete)}" if self.concrete else ""

    def describe(self, assuming: bool = True) -> str:
        """One line of plain text, e.g. ``proved symbolically (cancel)``, with what the verdict
        assumed (``assuming=False`` leaves out the definitions, for a derivation that lists
        them once) and what a budget cut."""
        text = self._describe_kind()
        if assuming and self.assuming:
            text += f"; with {', '.join(self.assuming)}"
        if self.undecided:
            text += f"; undecided {self.undecided}"
        if self.memory_cuts:
            text += f"; memory cut: {'; '.join(self.memory_cuts)}"
        if self.clock_cuts:
            text += f"; clock cut: {', '.join(self.clock_cuts)}"
        return text

    def _describe_kind(self) -> str:
        if self.kind is VerdictKind.PROVED:
            return f"proved symbolically{self.scope_text()} ({self.route})"
        if self.kind is VerdictKind.BY_DEFINITION:
            return f"holds by definition{self.scope_text()} ({self.route})"
        if self.kind is VerdictKind.NUMERIC:
            return (
                f"agrees numerically{self.scope_text()} at {points_text(self.points)} "
                f"(difference zero to {self.digits} digits)"
            )
        if self.kind is VerdictKind.FAILED:
            if self.counterexample is None:
                return f"false: {self.reason}"
            c = self.counterexample
            text = (
                f"false: at {c.describe()} the left side is {c.left}, the right side is {c.right}"
            )
            if c.difference and c.left == c.right:
                text += f" (they differ by {c.difference})"
            return text + (f"; {self.reason}" if self.reason else "")
        return f"not verified ({self.reason})"

    def to_record(self) -> dict[str, Any]:
        """A JSON-serialisable dictionary."""
        record: dict[str, Any] = {"kind": self.kind.value}
        if self.route is not None:
            record["route"] = self.route
        if self.kind is VerdictKind.NUMERIC:
            record["points"] = self.points
            record["digits"] = self.digits
        if self.counterexample is not None:
            c = self.counterexample
            record["counterexample"] = {
                "point": dict(c.point),
                "exact_point": dict(c.exact_point),
                "left": c.left,
                "right": c.right,
                "difference": c.difference,
                "entry": list(c.entry) if c.entry is not None else None,
            }
        if self.reason:
            record["reason"] = self.reason
        if self.concrete:
            record["concrete"] = list(self.concrete)
        if self.outside_box is not None:
            record["outside_box"] = self.outside_box
        if self.clock_cuts:
            record["clock_cuts"] = list(self.clock_cuts)
        if self.memory_cuts:
            record["memory_cuts"] = list(self.memory_cuts)
        if self.assuming:
            record["assuming"] = list(self.assuming)
        if self.undecided:
            record["undecided"] = self.undecided
        return record


def points_text(points: int) -> str:
    return "1 point" if points == 1 else f"{points} points"


#: The kinds of checked line, in the order summaries list them.
KINDS = ("proved", "by definition", "numeric", "errata", "unverified")


def kind_of(verdict: Verdict, erratum: str | None) -> str:
    """The summary kind of a checked line (one of :data:`KINDS`): an erratum is counted as
    ``errata`` whatever its verdict, every other line by its verdict's kind."""
    if erratum is not None:
        return "errata"
    return verdict.kind.value
