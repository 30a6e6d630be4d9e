"""The book as one printed PDF (`make pdf`), and the site's links to it.

LaTeX builder (``_ext/pdf_build.py`` runs it):

- Sphinx's ``manual`` class with ``_static/latex/glmnotes.sty`` instead of
  sphinx-jupyterbook-latex's class (which needs ``bbm.sty`` from texlive-fonts-extra and sets a
  17.5 cm text width). sphinx-jupyterbook-latex still turns the table of contents' captions into
  parts and keeps hidden cell inputs out.
- Every display equation is set in ``equation``/``equation*`` around an ``aligned`` block and
  scaled down to the line width when it is wider (``\\glmnotesFitDisplay``): a checked derivation
  (myst-nb's glue, ``{glue:math}`` or ``{glue}``, from its ``text/latex``) prints whole, marks,
  justifications and counterexamples included, without running into the margin.
  Inside those displays ``\\small`` and its kin work in math mode as MathJax makes them work.
- A table of formulas (or of many columns) is set at its natural width and scaled down to the
  line when it is wider, instead of being squeezed into columns its formulas overflow.
- Proofs print as "*Proof.* ... ∎" (amsthm), not as boxes.
- The solutions of a chapter's exercises move to a "Solutions" section at the end of the chapter
  (on the site they are closed dropdowns beside their exercises).
- The API reference is not read and the one-sentence bibliography chapter is not printed (the
  bibliography itself prints at the end of the book); see ``NOT_READ`` and ``NOT_PRINTED``.
- Which output of a notebook cell prints is myst-nb's choice for the ``latex`` builder;
  ``_config.yml`` (``nb_mime_priority_overrides``) puts ``text/latex`` first.

HTML builder: when ``_build/pdf/glmnotes.pdf`` exists at build time, the site offers it (the
``{pdf-link}`` role on the landing page, and an entry in every page's download menu) and the PDF
is copied to the site's root. Without the PDF there is no link at all, so a plain ``make book``
never has a broken one. Whether the PDF is offered is an HTML configuration value, so the pages are
rewritten when that changes.
"""

import re
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxRole

PDF_NAME = "glmnotes.pdf"
STYLE = "_static/latex/glmnotes.sty"


def built_pdf(app: Sphinx) -> Path:
    """Where `make pdf` leaves the PDF: ``_build/pdf/`` beside ``_build/html/``."""
    return Path(app.outdir).parent / "pdf" / PDF_NAME


# --- LaTeX ------------------------------------------------------------------------------------


def configure_latex(app: Sphinx, config: Config) -> None:
    if config["glmnotes_print"]:  # set by _ext/pdf_build.py (make pdf) only
        config["exclude_patterns"] = [*config["exclude_patterns"], *NOT_READ]
        # sphinx-external-toc warns about a chapter of _toc.yml that is not read.
        config["suppress_warnings"] = [*config["suppress_warnings"], "etoc.ref"]
    # Runs after sphinx-jupyterbook-latex's own config-inited handler (priority 500), which
    # selects its class and appends unicode-math to the preamble: the book's style comes after.
    config["latex_theme"] = "manual"
    elements = dict(config["latex_elements"])
    elements["preamble"] = elements.get("preamble", "") + "\n\\usepackage{glmnotes}\n"
    config["latex_elements"] = elements
    if STYLE not in config["latex_additional_files"]:
        config["latex_additional_files"] = [*config["latex_additional_files"], STYLE]


def _split_top_level(latex: str) -> list[list[str]]:
    """Rows (``\\\\``) and their cells (``&``) of an aligned block's body, split only at the
    top level: not inside braces nor inside a nested environment (a matrix has its own)."""
    rows, cells, start, depth, i = [], [], 0, 0, 0
    while i < len(latex):
        char = latex[i]
        if char == "\\":
            command = re.match(r"\\([A-Za-z]+|.?)", latex[i:], re.DOTALL)[1]
            name = command
            if name in ("begin", "end"):
                depth += 1 if name == "begin" else -1
            elif name == "\\" and depth == 0:
                cells.append(latex[start:i])
                rows.append(cells)
                cells = []
                i += 2
                spacing = re.match(r"\s*\[[^\]]*\]", latex[i:])  # \\[2pt]
                i += spacing.end() if spacing else 0
                start = i
                continue
            i += 1 + len(name)
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "&" and depth == 0:
            cells.append(latex[start:i])
            start = i + 1
        elif char == "%":  # a comment runs to the end of the line
            i = latex.find("\n", i) % (len(latex) + 1)
            continue
        i += 1
    cells.append(latex[start:])
    rows.append(cells)
    return rows


RELATION = re.compile(
    r"(=|<|>|\\(neq|ne|leq?|geq?|approx|equiv|simeq|sim|propto|to|mapsto|Rightarrow|"
    r"Leftrightarrow|iff|implies|in|subseteq|subset|coloneqq)(?![A-Za-z]))"
)


SWITCH = re.compile(
    r"\\(small|footnotesize|scriptsize|tiny|normalsize|scriptstyle|scriptscriptstyle|"
    r"textstyle|displaystyle)(?![A-Za-z])"
)
SPACING = re.compile(r"\s*(\\q?quad(?![A-Za-z])|\\[ ,;:!])")


def _group_end(latex: str, start: int) -> int:
    """The index of the brace closing the group opened at ``latex[start]``."""
    depth = 0
    for index in range(start, len(latex)):
        if latex[index] == "\\":
            continue
        if latex[index] == "{" and (index == 0 or latex[index - 1] != "\\"):
            depth += 1
        elif latex[index] == "}" and (index == 0 or latex[index - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return index
    return -1


def _breakable(cell: str) -> tuple[str, str]:
    """A row that is not a step, as (leading space, content TeX can break into lines): groups
    that only switch size or style for the rest of the row (``{\\small {\\scriptstyle ...}}``)
    are opened up, so that their content is at the formula's top level, where TeX may break a
    line, and a break is allowed after every ``,\\ `` (a list of coordinates)."""
    indent, switches = "", ""
    while True:
        space = SPACING.match(cell)
        if space and not switches:
            indent += space[1]
            cell = cell[space.end() :]
            continue
        cell = cell.strip()
        switch = SWITCH.match(cell)
        if switch:  # a switch at the top level stays there, before what it applies to
            switches += switch[0] + " "
            cell = cell[switch.end() :]
            continue
        if cell.startswith("{") and _group_end(cell, 0) == len(cell) - 1:
            if SWITCH.match(cell[1:-1].lstrip()):
                cell = cell[1:-1]
                continue
        break
    cell = switches + cell
    # a break allowed after ", " and "; ", and between the words of a title (}\ \text{)
    return indent, re.sub(r"([,;}])\\ ", r"\1\\ \\allowbreak ", cell)


def _fitted_rows(body: str) -> tuple[str, str]:
    """The rows of an aligned block ready to fit the line, and the LaTeX that measures them.

    A step (a right-hand cell that starts with a relation) keeps its size: if steps are wider
    than the line, the whole display is scaled down, evenly. Any other row (a justification, a
    verdict, a counterexample's point, a domain) wider than the room the steps leave is broken
    into lines within that room (``_breakable``), so that one long line neither shrinks the
    whole derivation nor runs into the margin. A block with more
    than two columns is left to the whole-display scaling."""
    rows = [[cell.strip() for cell in cells] for cells in _split_top_level(body)]
    if any(len(cells) > 2 for cells in rows) or not any(len(cells) == 2 for cells in rows):
        return "", body
    measure, fitted = [r"\glmnotesStartMeasure"], []
    for cells in rows:
        measure.append(rf"\glmnotesMeasureLeft{{{cells[0]}}}")
        if len(cells) == 1:
            fitted.append(cells[0])
        elif RELATION.match(cells[1]):
            measure.append(rf"\glmnotesMeasureStep{{{cells[1]}}}")
            fitted.append(f"{cells[0]}&{cells[1]}")
        else:
            indent, content = _breakable(cells[1])
            fitted.append(rf"{cells[0]}&\glmnotesFitCell{{{indent}}}{{{content}}}")
    return "".join(measure) + "\n", " \\\\\n".join(fitted)


def display_latex(node: nodes.math_block, number_all: bool) -> str:
    """A display equation for the LaTeX writer that fits the line (see ``_fitted_rows``; a
    display still wider than the line is scaled down whole).

    Sphinx writes ``equation`` around ``split``; ``split`` cannot be boxed, ``aligned`` can and
    accepts the same rows.
    """
    label = f"equation:{node['docname']}:{node['label']}" if node.get("label") else ""
    label = rf"\label{{{label}}}" if label else ""
    text = node.astext()
    if node.get("nowrap"):  # a complete environment written by the author (amsmath extension)
        return label + text
    parts = [part.strip() for part in text.split("\n\n") if part.strip()]
    environment = "equation" if label or number_all else "equation*"
    body = " \\\\\n".join(parts)
    block = re.fullmatch(r"\\begin\{aligned\}(.*)\\end\{aligned\}", body, re.DOTALL)
    measure, rows = _fitted_rows(block[1] if block else body)
    return (
        f"\n\\begin{{{environment}}}{label}\n{measure}"
        f"\\glmnotesFitDisplay{{\\begin{{aligned}}\n{rows}\n\\end{{aligned}}}}\n"
        f"\\end{{{environment}}}\n"
    )


def _print_table_at_natural_width(table: nodes.table) -> None:
    """A table of formulas (a notebook's table of results), or a wide one (the verification
    report), is set with every column at its natural width and scaled down to the line if it is
    wider, rather than squeezed into columns that its formulas and headings overflow. A table
    whose cells hold more than one paragraph keeps Sphinx's layout (its cells must wrap)."""
    from sphinx import addnodes

    groups = list(table.findall(nodes.tgroup))
    if len(groups) != 1 or not (next(table.findall(nodes.math), None) or groups[0]["cols"] >= 6):
        return
    for entry in table.findall(nodes.entry):
        if len(entry.children) > 1 or any(
            not isinstance(child, nodes.paragraph) for child in entry.children
        ):
            return
    index = table.parent.index(table)
    table.parent.insert(
        index,
        [
            nodes.raw(
                "",
                r"\begin{adjustbox}{varwidth=3\linewidth, max width=\linewidth, center}",
                format="latex",
            ),
            addnodes.tabular_col_spec(spec="l" * groups[0]["cols"]),
        ],
    )
    table.parent.insert(index + 3, nodes.raw("", r"\end{adjustbox}", format="latex"))


class FitDisplaysToTheLine(SphinxPostTransform):
    """Every display equation (prose or notebook output) as LaTeX that fits the line, and every
    formula in a table cell fitted to its cell."""

    default_priority = 950
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        for table in list(self.document.findall(nodes.table)):
            _print_table_at_natural_width(table)
        for entry in list(self.document.findall(nodes.entry)):
            for node in list(entry.findall(nodes.math)):
                latex = rf"\glmnotesFitInline{{\({node.astext()}\)}}"
                node.replace_self(nodes.raw("", latex, format="latex"))
        for node in list(self.document.findall(nodes.math_block)):
            if not node.astext().strip():
                node.parent.remove(node)
                continue
            latex = display_latex(node, self.config.math_number_all)
            node.replace_self(nodes.raw("", latex, format="latex"))


class ProofsAsInPrint(SphinxPostTransform):
    """A proof (sphinx-proof) prints as a textbook's proof, "*Proof.* ... ∎", rather than as an
    empty-titled box: amsthm's ``proof`` environment around the proof's paragraphs."""

    default_priority = 900
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        from sphinx_proof.nodes import proof_node

        for proof in list(self.document.findall(proof_node)):
            body = [child for box in proof.children for child in box.children]
            first = next(iter(body[0].findall(nodes.Text)), None) if body else None
            if first is not None and first.astext().startswith("Proof. "):
                first.parent.replace(first, nodes.Text(first.astext()[len("Proof. ") :]))
            if body and isinstance(body[-1], nodes.paragraph):  # ∎ at the end of its last line
                body[-1] += nodes.raw("", "\\qedhere", format="latex")
            proof.replace_self(
                [
                    nodes.raw("", "\\begin{proof}", format="latex"),
                    *body,
                    nodes.raw("", "\\end{proof}", format="latex"),
                ]
            )


# Chapters of the site that the printed book leaves out. The API reference is generated from
# the package's docstrings (inherited sympy docstrings bring their own headings): reference
# material for the screen, not pages of a book; `make pdf` does not even read it, so the PDF does
# not depend on the docstrings. The bibliography chapter is only a heading and a sentence around
# the {bibliography} directive: the book's bibliography prints at its end, where
# sphinx-jupyterbook-latex puts it, under its own heading.
NOT_READ = ("book/api.md",)
NOT_PRINTED = ("book/bibliography",)


class PrintedChapters(SphinxPostTransform):
    """Leave ``NOT_PRINTED`` out of the PDF, and the landing page's list of chapters, which
    repeats the table of contents a few pages before it. Links to those chapters become text."""

    # After sphinx-jupyterbook-latex has arranged the book (700) and Sphinx has gathered the
    # citations (750). Docutils sorts priorities as three-digit strings: keep them below 1000.
    default_priority = 990
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        from sphinx import addnodes
        from sphinx_jupyterbook_latex.nodes import RootHeader

        for chapter in list(self.document.findall(addnodes.start_of_file)):
            if chapter.get("docname") in NOT_PRINTED:
                chapter.parent.remove(chapter)
        for reference in list(self.document.findall(nodes.reference)):
            target = reference.get("refuri", "").lstrip("%").split("#")[0]
            if target in NOT_PRINTED:
                reference.replace_self(nodes.inline("", "", *reference.children))
        # The list itself is off (jblatex_show_tocs: false in _config.yml); its heading goes too.
        for header in list(self.document.findall(RootHeader)):
            if header.astext().strip() == "Contents":
                header.parent.remove(header)


class SolutionsAtTheEndOfEachChapter(SphinxPostTransform):
    """Move every exercise solution of a chapter to a section "Solutions" at its end (print)."""

    default_priority = 900  # after sphinx-exercise has resolved the solutions' titles
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        from sphinx import addnodes

        for chapter in list(self.document.findall(addnodes.start_of_file)):
            # Walk down from the chapter: in the assembled book, parent links of the chapters'
            # top-level sections still point to their own documents.
            solutions = list(_solutions_in(chapter))
            top = next((child for child in chapter if isinstance(child, nodes.section)), None)
            if not solutions or top is None:
                continue
            section = nodes.section(ids=[f"solutions-{chapter['docname'].replace('/', '-')}"])
            section += nodes.title(text="Solutions")
            for parent, solution in solutions:
                parent.remove(solution)
                section += solution
            top += section


def _solutions_in(element: nodes.Element):
    """(parent, solution) pairs below ``element``, not inside a nested chapter."""
    from sphinx import addnodes
    from sphinx_exercise.nodes import solution_node

    for child in element.children:
        if isinstance(child, solution_node):
            yield element, child
        elif isinstance(child, nodes.Element) and not isinstance(child, addnodes.start_of_file):
            yield from _solutions_in(child)


# --- HTML ---------------------------------------------------------------------------------------


def offer_pdf_if_built(app: Sphinx, config: Config) -> None:
    config["glmnotes_pdf"] = PDF_NAME if built_pdf(app).is_file() else ""


class pdf_link(nodes.Inline, nodes.TextElement):
    """The ``{pdf-link}`` role's text: a link to the book's PDF when the site offers it."""


class PdfLinkRole(SphinxRole):
    def run(self):
        return [pdf_link(self.rawtext, self.text)], []


def resolve_pdf_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    offered = app.builder.format == "html" and app.config.glmnotes_pdf
    for node in list(doctree.findall(pdf_link)):
        if offered:
            uri = "../" * docname.count("/") + app.config.glmnotes_pdf
            replacement = nodes.reference("", node.astext(), refuri=uri, internal=False)
            replacement["classes"].append("glmnotes-pdf-link")
        else:
            replacement = nodes.literal(text=node.astext())
        node.replace_self(replacement)


def add_pdf_to_download_menu(app: Sphinx, pagename, templatename, context, doctree) -> None:
    if not app.config.glmnotes_pdf:
        return
    for button in context.get("header_buttons", []):
        if button.get("label") == "download-buttons":
            button["buttons"].append(
                {
                    "type": "link",
                    "url": context["pathto"](app.config.glmnotes_pdf, 1),
                    "text": "book .pdf",
                    "tooltip": "Download the whole book as one PDF",
                    "icon": "fas fa-book",
                    "label": "download-book-pdf-button",
                }
            )


def copy_pdf_into_site(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / PDF_NAME
    if app.config.glmnotes_pdf:
        target.write_bytes(built_pdf(app).read_bytes())
    else:  # no PDF to offer: no stale copy either
        target.unlink(missing_ok=True)


def setup(app: Sphinx):
    app.add_config_value("glmnotes_pdf", "", "html", types=[str])
    app.add_config_value("glmnotes_print", False, "env", types=[bool])
    app.connect("config-inited", configure_latex, priority=900)
    app.connect("config-inited", offer_pdf_if_built)
    app.add_post_transform(FitDisplaysToTheLine)
    app.add_post_transform(SolutionsAtTheEndOfEachChapter)
    app.add_post_transform(PrintedChapters)
    app.add_post_transform(ProofsAsInPrint)
    app.add_node(pdf_link)
    app.add_role("pdf-link", PdfLinkRole())
    app.connect("doctree-resolved", resolve_pdf_links)
    # After sphinx-book-theme has built the download menu (priority 501).
    app.connect("html-page-context", add_pdf_to_download_menu, priority=600)
    app.connect("build-finished", copy_pdf_into_site)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
