r"""The records of the errata, and what every note's checks are built from.

:class:`Erratum` is one entry (a note's wording, what is wrong with it, and its machine check),
:class:`Source` one source note, :class:`NumericEvidence` the outcome of a numeric computation
behind an entry. :func:`derivation` and :func:`require` are the two tools every check uses: a
:class:`glmnotes.verify.Derivation` labelled for the errata chapter, and an asserted numeric
claim; :func:`shown_partial` writes a partial derivative as the errata display it.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from glmnotes.notation import partial, shown
from glmnotes.verify import Derivation, VerdictKind

__all__ = [
    "BOOK_CHAPTER",
    "CHAPTERS",
    "HALF",
    "KINDS",
    "SOURCES",
    "Erratum",
    "ErratumCheckError",
    "NumericEvidence",
    "Source",
    "closed",
    "derivation",
    "normalise_whitespace",
    "require",
    "shown_partial",
]

KINDS = ("error", "odd but true")
"""The kinds of entry: the step is false, or it looks wrong but holds."""
BOOK_CHAPTER = "errata"
"""The registry group (chapter) of every derivation built here."""

#: The chapters that treat the errata (file stem in ``book/`` -> subject).
CHAPTERS = {
    "backpropagation": "backpropagation",
    "deep-learning-mle": "deep learning as maximum likelihood",
    "linear-networks": "linear networks",
    "exponential-families": "exponential families",
    "glm": "generalized linear models",
}


class ErratumCheckError(Exception):
    """An erratum's machine check does not show what the catalogue claims (an error whose
    notes' step holds, a correction that fails, or a numeric claim that is not met)."""


@dataclass(frozen=True)
class Source:
    """One source note: its number, file name in ``sources/`` and a short name."""

    number: str
    file: str
    name: str


SOURCES = {
    "000": Source("000", "000_7c94c3b7f332e9d4.txt", "deep-learning notes"),
    "001": Source("001", "001_b6f2ab77bd62616e.txt", "linear-collapse thread"),
    "002": Source("002", "002_125ddd41b9bb0e98.txt", "GLM notes"),
}


@dataclass(frozen=True)
class NumericEvidence:
    """The outcome of a numeric computation that backs an entry (already asserted).

    ``values`` maps a description of each quantity to its value (a number or a short text).
    """

    description: str
    values: dict[str, Any]

    def __str__(self) -> str:
        width = max(len(name) for name in self.values)
        lines = textwrap.wrap(self.description, width=76, break_on_hyphens=False)
        for name, value in self.values.items():
            shown = f"{value:.6g}" if isinstance(value, float) else str(value)
            lines.append(f"  {name:<{width}}  {shown}")
        return "\n".join(lines)


_KEY_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Erratum:
    """One entry of the errata: a note's wording, what is wrong with it, and its check.

    ``build`` constructs the derivations (called by :meth:`check`); ``measure`` (optional) runs
    the numeric computation of :meth:`evidence`. ``chapter`` is the stem of the book chapter
    that treats the point (a key of :data:`CHAPTERS`); ``checked_by`` says in words how the
    check works (symbolic identity, numeric comparison, or both).
    """

    key: str
    label: str
    source: Source
    kind: str
    quote: str
    problem: str
    correction: str
    chapter: str
    checked_by: str
    build: Callable[[], tuple[Derivation, ...]] = field(repr=False, compare=False)
    seed_text: str | tuple[str, ...] | None = None
    measure: Callable[[], NumericEvidence] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not _KEY_PATTERN.match(self.key):
            raise ValueError(
                f"erratum key must be lower-case words joined by '-', got {self.key!r}"
            )
        if not self.label.startswith("erratum-"):
            raise ValueError(
                f"erratum {self.key!r}: label must start with 'erratum-', got {self.label!r}"
            )
        if self.kind not in KINDS:
            raise ValueError(
                f"erratum {self.key!r}: kind must be one of {KINDS}, got {self.kind!r}"
            )
        if self.chapter not in CHAPTERS:
            raise ValueError(
                f"erratum {self.key!r}: chapter must be one of {sorted(CHAPTERS)}, "
                f"got {self.chapter!r}"
            )
        for name in ("quote", "problem", "correction", "checked_by"):
            if not getattr(self, name).strip():
                raise ValueError(f"erratum {self.key!r}: {name} is empty")

    @property
    def reference(self) -> str:
        """The short reference written beside an erratum step: the label without ``erratum-``."""
        return self.label.removeprefix("erratum-")

    @property
    def seed_passages(self) -> tuple[str, ...]:
        """The exact passages of the source file this entry quotes (``seed_text``, else the
        quote itself)."""
        if self.seed_text is None:
            return (self.quote,)
        if isinstance(self.seed_text, str):
            return (self.seed_text,)
        return tuple(self.seed_text)

    def check(self) -> tuple[Derivation, ...]:
        """Build the derivations and confirm they show what the entry claims.

        An ``"error"`` needs at least one erratum step (referring to this entry) shown false by
        a counterexample, and at least one line that holds (the correction); an ``"odd but
        true"`` entry needs every line to hold. Anything else raises
        :class:`ErratumCheckError`.
        """
        derivations = tuple(self.build())
        if not derivations or not all(isinstance(d, Derivation) for d in derivations):
            raise ErratumCheckError(f"erratum {self.key!r}: its check built no derivation")
        lines = [line for d in derivations for line in d.lines()]
        shown_false = [
            verdict
            for verdict, reference in lines
            if reference is not None and verdict.kind is VerdictKind.FAILED
        ]
        holding = [verdict for verdict, reference in lines if reference is None and verdict.holds]
        foreign = {reference for _, reference in lines if reference not in (None, self.reference)}
        if foreign:
            raise ErratumCheckError(
                f"erratum {self.key!r}: erratum steps refer to {sorted(foreign)}, "
                f"expected {self.reference!r}"
            )
        if self.kind == "error":
            if not shown_false:
                raise ErratumCheckError(
                    f"erratum {self.key!r}: no step of the notes is shown false by a counterexample"
                )
            if not holding:
                raise ErratumCheckError(f"erratum {self.key!r}: no corrected step holds")
        elif shown_false or len(holding) != len(lines):
            raise ErratumCheckError(
                f"erratum {self.key!r} is 'odd but true', but not every checked line holds"
            )
        return derivations

    def evidence(self) -> NumericEvidence | None:
        """The numeric computation backing the entry (its claims asserted), or None."""
        return None if self.measure is None else self.measure()

    def markdown(self) -> str:
        """The entry as MyST Markdown: kind, source, the quoted wording, problem, correction."""
        kind = "Error" if self.kind == "error" else "Odd but true"
        wrong = "What is wrong" if self.kind == "error" else "What is odd"
        right = "Correction" if self.kind == "error" else "Why it holds"
        return (
            f"**{kind}** in the {self.source.name} (`sources/{self.source.file}`). "
            f"The note says:\n\n> {self.quote}\n\n"
            f"**{wrong}.** {self.problem}\n\n**{right}.** {self.correction}\n\n"
            f"**Checked by** {self.checked_by}\n"
        )


def normalise_whitespace(text: str) -> str:
    """``text`` with every run of whitespace (spaces, tabs, newlines) replaced by one space."""
    return " ".join(text.split())


# ---- building a check ----------------------------------------------------------------------


def derivation(start: Any, name: str, title: str, **options: Any) -> Derivation:
    """A derivation of the errata chapter, labelled ``errata-<name>``; the values of ``given``
    are written without one another first (:func:`closed`)."""
    if "given" in options:
        options["given"] = closed(options["given"])
    return Derivation(start, label=f"errata-{name}", title=title, chapter=BOOK_CHAPTER, **options)


def closed(given: dict) -> dict:
    """``given`` with every value written without the other keys (substitutions applied until
    none is left), so that the order in which sympy substitutes cannot matter."""
    result = dict(given)
    for _ in range(len(result) + 1):
        changed = False
        for key, value in result.items():
            new = sp.sympify(value).subs({k: v for k, v in result.items() if k != key})
            if new != value:
                result[key], changed = new, True
        if not changed:
            return result
    raise ValueError(f"the substitutions {given} refer to each other in a cycle")


def require(condition: bool, message: str) -> None:
    """Assert a claim of a numeric computation: :class:`ErratumCheckError` with ``message`` if
    ``condition`` is false."""
    if not condition:
        raise ErratumCheckError(message)


HALF = sp.Rational(1, 2)


def shown_partial(f: str, v: str) -> sp.Symbol:
    r"""The symbol :math:`\partial f/\partial v` (:func:`glmnotes.notation.partial`) as a
    :func:`glmnotes.notation.shown` placeholder, whose LaTeX is one group: how the errata's
    derivations have always displayed it (``{\frac{\partial f}{\partial v}}``)."""
    return shown(partial(f, v).name)
