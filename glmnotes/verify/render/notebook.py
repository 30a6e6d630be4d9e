"""What a notebook shows for a derivation or an argued claim: HTML for the page, LaTeX for print,
plain text for a terminal, and the record of what was checked in the metadata (key
``"glmnotes"``), which the book's build and audit read.

:func:`install` makes these the renderers of :class:`~glmnotes.verify.Derivation` and
:class:`~glmnotes.verify.Argued`; ``import glmnotes.verify`` calls it.
"""

from __future__ import annotations

from typing import Any

from glmnotes.verify.derivation import Derivation
from glmnotes.verify.registry import Argued
from glmnotes.verify.render.latex import derivation_latex
from glmnotes.verify.render.page import argued_html, derivation_html
from glmnotes.verify.render.text import plain_text

__all__ = ["argued_mimebundle", "install", "mimebundle"]

Bundle = tuple[dict[str, str], dict[str, Any]]


def mimebundle(derivation: Derivation) -> Bundle:
    """text/html for the page, text/latex for print, text/plain; the record in the metadata.
    Nothing is checked here: the steps were checked when they were added."""
    data = {
        "text/plain": plain_text(derivation),
        "text/html": derivation_html(derivation),
        "text/latex": "$$" + derivation_latex(derivation) + "$$",
    }
    return data, {"glmnotes": derivation.record()}


def argued_mimebundle(argued: Argued) -> Bundle:
    """An argued claim: its text, and HTML whose mark says it is not machine-checked."""
    return {"text/plain": argued.text(), "text/html": argued_html(argued)}, {
        "glmnotes": argued.record()
    }


def install() -> None:
    """Show derivations and argued claims with these renderers (the core draws nothing)."""
    Derivation.renderer = staticmethod(mimebundle)
    Argued.renderer = staticmethod(argued_mimebundle)
