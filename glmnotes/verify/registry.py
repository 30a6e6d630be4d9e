"""A chapter's record of what it checked: the derivations it built and the claims it argued in
prose, counted by kind for the chapter's closing summary.

A registry is explicit: a chapter (or a test) creates one and passes it to each
:class:`~glmnotes.verify.Derivation` it builds (``registry=checked``), or adds a derivation built
elsewhere (``checked.add(d)``, for the errata). Nothing is recorded behind anyone's back.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import sympy as sp

from glmnotes.verify.verdicts import KINDS, DerivationWarning

if TYPE_CHECKING:
    from glmnotes.verify.derivation import Derivation

__all__ = ["KINDS", "Argued", "Registry", "Summary"]


class Summary(dict):
    """Counts of checked lines by kind (and of claims argued in prose); ``str()`` gives the
    sentences that close a chapter."""

    def __str__(self) -> str:
        steps = "1 step" if self["steps"] == 1 else f"{self['steps']} steps"
        derivations = (
            "1 derivation" if self["derivations"] == 1 else f"{self['derivations']} derivations"
        )
        lines = [
            f"{steps} in {derivations}:",
            f"  {self['proved']} proved symbolically",
            f"  {self['by definition']} true by definition (nothing to prove)",
            f"  {self['numeric']} verified numerically",
            f"  {self['errata']} errata from the notes shown false",
            f"  {self['unverified']} not verified",
        ]
        if self["argued"]:
            lines.append(f"{self['argued']} claim(s) argued in prose or cited, not machine-checked")
        return "\n".join(lines)


@dataclass(frozen=True)
class Argued:
    """A claim the book argues in prose or cites instead of checking by machine."""

    label: str
    claim: str
    how: str  # "argued in prose" or "cited: <reference>"

    def record(self) -> dict[str, Any]:
        return {"argued": {"label": self.label, "claim": self.claim, "how": self.how}}

    #: What shows an argued claim in a notebook, as :attr:`Derivation.renderer` does for a
    #: derivation (installed by ``import glmnotes.verify``).
    renderer: ClassVar[Any] = None

    def text(self) -> str:
        return f"Not machine-checked ({self.how}): {self.claim}"

    def _repr_mimebundle_(self, include=None, exclude=None):
        if Argued.renderer is None:
            return {"text/plain": self.text()}, {"glmnotes": self.record()}
        return Argued.renderer(self)


class Registry:
    """The derivations (and prose arguments) of one chapter, in the order they were made."""

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"a registry needs a name (the chapter), got {name!r}")
        self.name = name
        self._derivations: dict[str, Derivation] = {}
        self._argued: dict[str, Argued] = {}

    def add(self, derivation: Derivation) -> Derivation:
        """Record ``derivation`` (one per label: a reused label warns, and the newer wins)."""
        previous = self._derivations.pop(derivation.label, None)
        if (
            previous is not None
            and previous is not derivation
            and (
                sp.srepr(previous.start) != sp.srepr(derivation.start)
                or previous.title != derivation.title
            )
        ):
            warnings.warn(
                f"derivation label {derivation.label!r} reused for a different derivation in "
                f"{self.name!r}; the registry keeps the newer one (labels must be unique)",
                DerivationWarning,
                stacklevel=3,
            )
        self._derivations[derivation.label] = derivation
        return derivation

    def argued(self, label: str, claim: str, how: str = "argued in prose") -> Argued:
        """Record (and return, for display) a claim that is argued in prose or cited, not
        checked: it is counted apart from the checked steps."""
        if not (how == "argued in prose" or how.startswith("cited")):
            raise ValueError(f"how must be 'argued in prose' or 'cited: <reference>', got {how!r}")
        item = Argued(label, claim, how)
        self._argued[label] = item
        return item

    def derivations(self) -> list[Derivation]:
        return list(self._derivations.values())

    def summary(self) -> Summary:
        """Counts per kind over the derivations with at least one checked line."""
        total = Summary(derivations=0, steps=0, **dict.fromkeys(KINDS, 0))
        for derivation in self._derivations.values():
            counts = derivation.counts()
            if counts["steps"] == 0:
                continue
            total["derivations"] += 1
            for key in ("steps", *KINDS):
                total[key] += counts[key]
        total["argued"] = len(self._argued)
        return total
