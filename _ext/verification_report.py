"""The ``{verification-report}`` directive: the book's audit, as a table, at build time.

It runs :func:`glmnotes.book.audit.audit_book` over the chapters (``book/``) and their reference
notebooks (``tests/notebooks/``) while the site is built, so the landing page always states what
the chapters actually check: display equations, how many are checked derivations, and how each
derivation step was verified. Nothing is copied by hand, so nothing goes stale.
"""

import re
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx import addnodes

from glmnotes.book.audit import (
    PROVED_GENERAL,
    PROVED_SIZED,
    audit_book,
    machine_checked_share,
    totals,
)

# Two narrow tables rather than one wide one: the display equations of each chapter, and the
# lines of its derivations by kind.
EQUATIONS = ("equations", "checked", "declared")
LINES = (
    "proved",
    "proved for fixed sizes",
    "by definition",
    "numeric",
    "errata",
    "unverified",
    "argued",
)
LEGEND = (
    "Equations: display equations in the prose; checked: those that are glued, checked "
    "derivations; declared: definitions and assumptions, stated rather than derived. Lines of "
    "the derivations: proved symbolically with no size fixed by the checker (a derivation "
    "written out for one network says which in its title); proved for fixed sizes only (a "
    "size given to the checker, such as m = 3, or explicit matrices); true by definition (both "
    "sides the same expression, "
    "or the same once a definition is put in: nothing to prove); verified numerically at random "
    "points at two precisions; errata (the notes' own false steps, shown false); not verified. "
    "Argued: results argued in prose or cited, and labelled so where they appear. The last row "
    "counts each derivation once, even when two chapters show it."
)


def _toc_order(root: Path) -> list[str]:
    """Chapter stems in the order of _toc.yml."""
    return re.findall(r"file:\s*book/([\w-]+)", (root / "_toc.yml").read_text())


def _cell(content) -> nodes.entry:
    entry = nodes.entry()
    entry += content if isinstance(content, nodes.Node) else nodes.paragraph(text=str(content))
    return entry


def _row(cells) -> nodes.row:
    row = nodes.row()
    for content in cells:
        row += _cell(content)
    return row


def _table(columns, links, rows, share, total_label) -> nodes.table:
    table = nodes.table(classes=["verification-report"])
    group = nodes.tgroup(cols=len(columns) + 1)
    table += group
    for _ in range(len(columns) + 1):
        group += nodes.colspec(colwidth=1)
    head = nodes.thead()
    head += _row(["chapter", *columns])
    group += head
    body = nodes.tbody()
    group += body
    for link, row in zip(links, rows, strict=True):
        body += _row([link, *(row[column] for column in columns)])
    body += _row([total_label, *(share[column] for column in columns)])
    return table


class VerificationReport(Directive):
    has_content = False

    def run(self):
        env = self.state.document.settings.env
        root = Path(env.srcdir)
        order = _toc_order(root)
        audits = sorted(
            (
                audit
                for audit in audit_book(root / "book", root / "tests" / "notebooks")
                if (audit.equations or audit.derivations) and Path(audit.file).stem in order
            ),
            key=lambda audit: order.index(Path(audit.file).stem),
        )
        rows, links = [], []
        for audit in audits:
            counts, steps = audit.counts(), audit.steps
            rows.append(
                {
                    "equations": counts["display"],
                    "checked": counts["covered"],
                    "declared": counts["declared"],
                    "proved": steps.get(PROVED_GENERAL, 0),
                    "proved for fixed sizes": steps.get(PROVED_SIZED, 0),
                    "by definition": steps.get("by definition", 0),
                    "numeric": steps.get("numeric", 0),
                    "errata": steps.get("errata", 0),
                    "unverified": steps.get("unverified", 0),
                    "argued": audit.argued + counts["argued_displays"],
                }
            )
            docname = Path(audit.file).stem
            link = nodes.paragraph()
            link += addnodes.pending_xref(
                "",
                nodes.inline(text=docname),
                refdomain="std",
                reftype="doc",
                reftarget=f"/book/{docname}",
                refexplicit=False,
                refdoc=env.docname,
            )
            links.append(link)
            env.note_dependency(str(root / "tests" / "notebooks" / f"{docname}.ipynb"))
            env.note_dependency(str(root / "book" / f"{docname}.md"))
        book = totals(audits)  # a derivation shown in two chapters counts once
        share = {
            "equations": book["display"],
            "checked": book["covered"],
            "declared": book["declared"],
            "proved": book[PROVED_GENERAL],
            "proved for fixed sizes": book[PROVED_SIZED],
            "by definition": book["by definition"],
            "numeric": book["numeric"],
            "errata": book["errata"],
            "unverified": book["unverified"],
            "argued": book["argued"] + book["argued_displays"],
        }
        total_label = nodes.paragraph()
        total_label += nodes.strong(text="the book")
        tables = [
            _table(EQUATIONS, links, rows, share, total_label),
            _table(LINES, [link.deepcopy() for link in links], rows, share, total_label.deepcopy()),
        ]
        checked, claims = machine_checked_share(book)
        headline = nodes.paragraph(classes=["verification-headline"])
        headline += nodes.strong(
            text=f"{checked} of {claims} claims ({100 * checked / max(claims, 1):.0f}%) are "
            "checked by machine"
        )
        headline += nodes.Text(
            f": {share['proved']} proved symbolically with no size fixed, "
            f"{share['proved for fixed sizes']} proved for fixed sizes only, "
            f"{share['numeric']} verified numerically, "
            f"{share['errata']} errata of the notes shown false. The other "
            f"{claims - checked}: {share['by definition']} true by definition (nothing to "
            f"prove), {share['argued']} argued in prose or cited, {share['unverified']} not "
            "verified."
        )
        legend = nodes.paragraph(text=LEGEND, classes=["verification-legend"])
        return [headline, *tables, legend]


def setup(app):
    app.add_directive("verification-report", VerificationReport)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
