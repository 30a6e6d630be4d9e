"""Show a computed result where it is computed, and hand it to the book's text.

A chapter computes a derivation in a code cell and the page shows it further down, in the text,
with myst-nb's ``{glue:math}`` directive. In the book build that directive needs the cell's output
to be *glued* (``myst_nb.glue``); a chapter opened anywhere else (a downloaded notebook in
JupyterLab, VS Code or Colab, with or without myst-nb installed) has no such directive, so the
result must be displayed by the cell that computes it.

:func:`glue` does both: it always displays the value, and, where myst-nb is installed, it displays
it as a glued output, which the ``{glue:...}`` directives of the book find. On the page the cell is
tagged ``remove-output``, so the result is shown once, in the text; in a notebook it is shown under
the cell. Either way the same mimebundle is published: the downloaded notebook's stored outputs and
a fresh run without myst-nb compare equal.

A glued derivation also carries, in its output's metadata (``glmnotes_reader``), what a reader's
own next step is checked against on the page ("Check your own step": ``glmnotes.book.playground``,
``_ext/derivations.py``). The book adds it here; showing a derivation anywhere else checks nothing.
"""

from __future__ import annotations

from typing import Any


class WithReaderSpec:
    """A derivation displayed with the playground's description of its next step."""

    def __init__(self, derivation: Any):
        self.derivation = derivation

    def _repr_mimebundle_(self, include=None, exclude=None):
        from glmnotes.book.playground import reader_spec

        data, metadata = self.derivation._repr_mimebundle_(include, exclude)
        return data, {**metadata, "glmnotes_reader": reader_spec(self.derivation)}


def glue(name: str, value: Any) -> None:
    """Display ``value`` under the cell; with myst-nb installed, glued under ``name`` as well
    (a derivation with what a reader's next step is checked against)."""
    from glmnotes.verify import Derivation

    if isinstance(value, Derivation):
        value = WithReaderSpec(value)
    try:
        from myst_nb import glue as myst_nb_glue
    except ModuleNotFoundError:
        from IPython.display import display

        display(value)
    else:
        myst_nb_glue(name, value, display=True)
