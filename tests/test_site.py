"""Checks of the built site (_build/html): complete, offline, downloadable.

`make test` builds the book with warnings as errors before these run.
"""

import json
import re

import chapters
import pytest

LOADING_ATTRIBUTE = re.compile(
    r"<(?:script|link|img|iframe|source|video|audio|embed)\b[^>]*?\b(?:src|href)\s*=\s*"
    r"[\"']((?:https?:)?//[^\"']+)",
    re.IGNORECASE,
)
CSS_URL = re.compile(r"(?:url\(|@import\s+)[\"']?((?:https?:)?//[^\"')\s]+)", re.IGNORECASE)


def pages(site):
    return sorted(site.rglob("*.html"))


def test_every_chapter_has_a_page(site):
    for source in chapters.chapter_sources():
        page = site / source.relative_to(chapters.ROOT).with_suffix(".html")
        assert page.exists(), f"{source.name} has no built page {page}"


def test_no_page_loads_anything_from_another_host(site):
    offenders = {
        str(page.relative_to(site)): LOADING_ATTRIBUTE.findall(page.read_text(errors="replace"))
        for page in pages(site)
    }
    offenders = {page: urls for page, urls in offenders.items() if urls}
    assert not offenders, f"pages that load from other hosts: {offenders}"


def test_no_stylesheet_loads_anything_from_another_host(site):
    offenders = {
        str(sheet.relative_to(site)): CSS_URL.findall(sheet.read_text(errors="replace"))
        for sheet in site.rglob("*.css")
    }
    offenders = {sheet: urls for sheet, urls in offenders.items() if urls}
    assert not offenders, f"stylesheets that load from other hosts: {offenders}"


def test_mathjax_is_served_by_the_site_itself(site):
    page = (site / "book" / "checking.html").read_text()
    sources = re.findall(r"<script[^>]+src=\"([^\"]*mathjax[^\"]*)\"", page, re.IGNORECASE)
    assert sources, "no MathJax script on a page with mathematics"
    for source in sources:
        assert not source.startswith(("http:", "https:", "//")), source
        assert (site / "book" / source.split("?")[0]).resolve().exists(), source
    fonts = list((site / "_static" / "mathjax" / "output" / "chtml" / "fonts").rglob("*.woff"))
    assert fonts, "MathJax's fonts are missing from the built site"


def test_mathjax_is_not_a_pile_of_script_tags(site):
    # Jupyter Book adds a <script> for every .js under the source _static/: never put MathJax there.
    page = (site / "book" / "checking.html").read_text()
    assert len(re.findall(r"<script", page)) < 40


@pytest.mark.parametrize("source", chapters.chapter_sources(), ids=lambda path: path.stem)
def test_each_chapter_offers_its_notebook_with_outputs(site, source):
    docname = source.relative_to(chapters.ROOT).with_suffix("")
    page = (site / docname).with_suffix(".html").read_text()
    assert f'href="../_sources/{docname}.ipynb"' in page
    notebook = json.loads((site / "_sources" / f"{docname}.ipynb").read_text())
    outputs = [output for cell in notebook["cells"] for output in cell.get("outputs", [])]
    assert outputs, f"the downloadable {docname}.ipynb has no outputs"


def test_landing_page_reports_what_the_audit_counts(site, root):
    from glmnotes.book.audit import audit_book, machine_checked_share, totals

    page = (site / "book" / "index.html").read_text()
    assert "verification-report" in page, "the landing page has no verification report"
    audits = [
        audit
        for audit in audit_book(root / "book", root / "tests" / "notebooks")
        if (audit.equations or audit.derivations)
        and f"book/{audit.file.split('/')[-1][:-3]}" in (root / "_toc.yml").read_text()
    ]
    book = totals(audits)
    # two tables, each ending with the book's row: equations first, then the lines by kind
    report = page[page.index("verification-report") :]
    rows = report.split("<strong>the book</strong>")[1:3]
    assert len(rows) == 2, "the report's two tables do not end with the book's row"
    first, second = (row.split("</tr>")[0] for row in rows)
    equations = re.findall(r"<p>(\d+)</p>", first)
    lines = re.findall(r"<p>(\d+)</p>", second)
    assert equations[:3] == [str(book["display"]), str(book["covered"]), str(book["declared"])]
    kinds = [
        "proved, no size fixed",
        "proved for fixed sizes",
        "by definition",
        "numeric",
        "errata",
        "unverified",
    ]
    assert lines[:6] == [str(book[kind]) for kind in kinds]
    checked, claims = machine_checked_share(book)
    assert f"{checked} of {claims} claims" in page  # the headline states the same counts


def test_no_launch_button_without_a_named_repository(site, root):
    """_config.yml configures Binder, but names no repository: no page links a launch service
    (README, "Three ways to run a chapter")."""
    import yaml

    config = yaml.safe_load((root / "_config.yml").read_text())
    assert config["launch_buttons"]["binderhub_url"]  # configured...
    assert not config.get("repository", {}).get("url")  # ...but no repository named
    offenders = [
        str(page.relative_to(site))
        for page in pages(site)
        if re.search(r"mybinder\.org|colab\.research\.google\.com", page.read_text())
    ]
    assert not offenders, f"pages with a launch button: {offenders}"


#: What MathJax typesets (Sphinx marks math ``class="math ..."``) and what is shown as typed
#: (code, literals): everything else on a page is prose, where TeX would be shown raw.
TYPESET_OR_LITERAL = re.compile(
    r'<(span|div) class="math[^"]*">.*?</\1>|<(code|pre)\b[^>]*>.*?</\2>|<script\b.*?</script>',
    re.DOTALL,
)


def raw_tex_in_prose(page: str) -> list[str]:
    """The ``$$`` and ``\\begin{`` on a page outside MathJax's math and code, with their
    surroundings."""
    prose = TYPESET_OR_LITERAL.sub(" ", page[page.find("<body") :])
    return [
        re.sub(r"\s+", " ", prose[max(0, m.start() - 60) : m.end() + 40])
        for m in re.finditer(r"\$\$|\\begin\{", prose)
    ]


def test_the_api_reference_typesets_the_docstrings_mathematics(site):
    """book/api.md is autodoc of the package: docstrings' mathematics is :math: and
    '.. math::' (tests/test_docstrings.py), which MathJax typesets; none shows as raw TeX."""
    page = (site / "book" / "api.html").read_text()
    assert page.count('class="math notranslate nohighlight"') > 500  # the formulas are typeset
    assert raw_tex_in_prose(page) == []
    assert raw_tex_in_prose('<body><p>x</p><div class="math">$$a$$</div>') == []
    assert raw_tex_in_prose("<body><p>the mean $$\\mu$$</p>") != []
