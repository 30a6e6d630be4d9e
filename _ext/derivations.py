"""Glued derivations as HTML on the page, LaTeX in print, one numbered equation in both.

A chapter pastes a checked derivation with ``{glue:math} name`` and ``:label:``. myst-nb makes a
numbered math block of its ``text/latex`` (what the PDF prints, what ``{eq}`` references number).
For the HTML builder this extension renders that block from the derivation's ``text/html`` instead
(``glmnotes.verify.render.page``: typeset steps, readable justifications, coloured marks that open
their details), keeping the equation number, its anchor ``#equation-<label>`` and its permalink.
The derivation's record for the reader's own next step (the output metadata ``glmnotes_reader``) is
put on the wrapper as ``data-glmnotes-reader``, where the "Check your own step" control
(``_ext/playground.py``) finds it.
"""

from __future__ import annotations

import html
import json

from docutils import nodes
from myst_nb.ext.glue.directives import PasteMathDirective
from myst_nb.ext.glue.utils import retrieve_glue_data
from sphinx.util.math import get_node_equation_number

WRAPPER = '<div class="glmnotes-derivation"'


class PasteDerivationDirective(PasteMathDirective):
    """``{glue:math}``, which also keeps a glued derivation's HTML for the HTML builder."""

    def run(self) -> list[nodes.Node]:
        result = super().run()
        try:
            glued = retrieve_glue_data(self.document, self.arguments[0])
        except Exception:  # the parent has already reported a missing key
            return result
        page = str(glued.data.get("text/html", ""))
        if WRAPPER not in page:
            return result
        reader = (glued.metadata or {}).get("glmnotes_reader")
        if reader is not None:
            attribute = html.escape(json.dumps(reader, sort_keys=True), quote=True)
            page = page.replace(WRAPPER, f"{WRAPPER} data-glmnotes-reader='{attribute}'", 1)
        for node in result:
            if isinstance(node, nodes.math_block):
                node["glmnotes_html"] = page
        return result


def _wrap_math_renderer(app) -> None:
    """Render math blocks that carry a derivation's HTML as that HTML; others as before."""
    renderers = app.registry.html_block_math_renderers
    name = getattr(app.builder, "math_renderer_name", None)
    if name not in renderers:
        return
    visit, depart = renderers[name]
    if getattr(visit, "glmnotes_wrapped", False):
        return

    def visit_derivation_or_math(self, node: nodes.math_block) -> None:
        page = node.get("glmnotes_html")
        if not page:
            visit(self, node)
            return
        self.body.append(self.starttag(node, "div", CLASS="glmnotes-display"))
        if node["number"]:
            number = get_node_equation_number(self, node)
            self.body.append(f'<span class="eqno">({number})')
            self.add_permalink_ref(node, "Link to this derivation")
            self.body.append("</span>")
        self.body.append(page)
        self.body.append("</div>\n")
        raise nodes.SkipNode

    visit_derivation_or_math.glmnotes_wrapped = True
    renderers[name] = (visit_derivation_or_math, depart)


def setup(app):
    app.add_directive_to_domain("glue", "math", PasteDerivationDirective, override=True)
    app.connect("builder-inited", _wrap_math_renderer)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
