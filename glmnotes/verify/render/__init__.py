"""How checked derivations look: renderers above the checker's core.

The core (:mod:`glmnotes.verify`'s other modules) checks and records and imports nothing from
here; these modules read what it recorded and draw it.

- :mod:`~glmnotes.verify.render.text` -- the words of each mark; a derivation in plain text;
- :mod:`~glmnotes.verify.render.latex` -- the one LaTeX printer (:class:`BookPrinter`), boxes,
  counterexamples, and a derivation as an aligned block for MathJax and print;
- :mod:`~glmnotes.verify.render.page` -- a derivation as the reader sees it on a page (HTML);
- :mod:`~glmnotes.verify.render.notebook` -- what a notebook shows, and :func:`install`, which
  makes these the renderers of :class:`~glmnotes.verify.Derivation`.
"""

from glmnotes.verify.render.latex import derivation_latex, expr_latex
from glmnotes.verify.render.notebook import argued_mimebundle, install, mimebundle
from glmnotes.verify.render.page import derivation_html, verdict_html
from glmnotes.verify.render.text import mark_text, plain_text

__all__ = [
    "argued_mimebundle",
    "derivation_html",
    "derivation_latex",
    "expr_latex",
    "install",
    "mark_text",
    "mimebundle",
    "plain_text",
    "verdict_html",
]
