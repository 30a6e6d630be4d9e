"""The whole book as one PDF (`make pdf`): complete, resolved, and showing what was checked.

`make test` builds the PDF (before the HTML, so the site links it) when TeX is installed; run
alone, this file builds it if it is missing. Without TeX (or poppler) these tests are skipped
with the reason, except in CI (``CI`` set, as on GitHub Actions), where .ci/run installs both and
a missing tool is a failure. What is compared comes from the chapters themselves: their titles,
their figures and the LaTeX of every derivation they display, as executed for this build.
"""

import os
import re
import shutil
import subprocess
import sys
import textwrap
import unicodedata
from functools import cache
from pathlib import Path

import chapters
import pytest

ROOT = chapters.ROOT
sys.path.insert(0, str(ROOT / "_ext"))
import pdf_build  # noqa: E402
import pdf_latex  # noqa: E402

PDF = pdf_build.PDF
LOG = pdf_build.LATEX / f"{pdf_build.NAME}.log"
POPPLER = ("pdftotext", "pdfinfo", "pdfimages")
HIDDEN_INPUT = {"hide-input", "remove-input", "hide-cell", "remove-cell"}
HIDDEN_OUTPUT = {"hide-output", "remove-output", "hide-cell", "remove-cell"}
GLUE = re.compile(r"^```\{glue(?::\w+)?\}\s+(\S+)|\{glue(?::\w+)?\}`([^`]+)`", re.MULTILINE)
WORST_OVERFULL_PT = 5.0


def unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (in CI, .ci/run installs it: this test is never skipped there)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def pdf() -> Path:
    missing = pdf_build.missing_tex()
    if missing:
        unavailable(
            f"TeX is not installed ({', '.join(missing)}): "
            f"apt-get install -y {' '.join(pdf_build.DEBIAN_PACKAGES)}"
        )
    if any(shutil.which(tool) is None for tool in POPPLER):
        unavailable("poppler-utils is not installed (pdftotext, pdfinfo, pdfimages)")
    if not PDF.exists():
        result = subprocess.run(
            [sys.executable, str(ROOT / "_ext" / "pdf_build.py")],
            capture_output=True,
            text=True,
            timeout=1200,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    return PDF


def pdf_text(path: Path, *options: str) -> str:
    return subprocess.run(
        ["pdftotext", *options, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture(scope="module")
def text(pdf) -> str:
    return pdf_text(pdf)


def squeeze(text: str) -> str:
    """Text compared without layout: no whitespace, no line-continuation marks, plain quotes,
    Unicode letters in their compatibility form (math italic 𝜂 is η), the minus sign as '-'."""
    text = unicodedata.normalize("NFKC", text)
    for fancy, plain in {"’": "'", "‘": "'", "“": '"', "”": '"', "−": "-", "↪": ""}.items():
        text = text.replace(fancy, plain)
    return re.sub(r"\s+", "", text)


def printed_sources() -> list[Path]:
    """The chapters of _toc.yml that the PDF prints, in book order (index excluded)."""
    names = re.findall(r"file:\s*(book/[\w-]+)", (ROOT / "_toc.yml").read_text())
    skipped = {Path(name).with_suffix("").as_posix() for name in pdf_latex.NOT_READ}
    skipped |= set(pdf_latex.NOT_PRINTED)
    return [ROOT / f"{name}.md" for name in names if name not in skipped]


def title(source: Path) -> str:
    heading = re.search(r"^# (.+)$", source.read_text(), re.MULTILINE)
    assert heading, f"{source.name} has no title"
    return re.sub(r"[`*_]", "", heading[1]).strip()


@cache
def executed(source: Path):
    """The chapter as this build executed it: myst-nb's notebook merged with its cached outputs
    (as _ext/ipynb_download.py does)."""
    import nbformat
    from jupyter_cache import get_cache

    path = ROOT / "_build" / "jupyter_execute" / source.relative_to(ROOT).with_suffix(".ipynb")
    notebook = nbformat.read(path, as_version=4)
    try:
        _, notebook = get_cache(str(ROOT / "_build" / ".jupyter_cache")).merge_match_into_notebook(
            notebook
        )
    except KeyError:
        pass  # not from the cache: the file has its outputs
    return notebook


def code_cells(source: Path):
    return [cell for cell in executed(source)["cells"] if cell["cell_type"] == "code"]


def tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def displayed_glue_keys(source: Path) -> set[str]:
    return {key or role for key, role in GLUE.findall(source.read_text())}


def derivation_latex(source: Path) -> list[str]:
    """The text/latex of every checked derivation the chapter displays (glued and pasted)."""
    shown = displayed_glue_keys(source)
    found = []
    for cell in code_cells(source):
        for output in cell.get("outputs", []):
            metadata = output.get("metadata", {})
            name = metadata.get("scrapbook", {}).get("name")
            if "glmnotes" not in metadata or (name is not None and name not in shown):
                continue
            for mime, data in output.get("data", {}).items():
                if mime.endswith("text/latex"):
                    found.append(data if isinstance(data, str) else "".join(data))
    return found


# --- the book is all there, in order ----------------------------------------------------------


def test_title_and_metadata(pdf):
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    book_title = re.search(r'^title:\s*"?(.+?)"?$', (ROOT / "_config.yml").read_text(), re.M)[1]
    assert re.search(rf"^Title:\s+{re.escape(book_title)}$", info, re.MULTILINE), info


def test_page_count_is_that_of_a_book(pdf):
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)[1])
    lines = sum(len(source.read_text().splitlines()) for source in printed_sources())
    # About 50 source lines a page today (126 pages for 6,100 lines): far fewer pages means
    # chapters are missing, far more means something is printed many times or one per page.
    assert lines / 150 < pages < lines / 15, f"{pages} pages for {lines} lines of chapters"


def test_every_chapter_is_in_the_contents_in_book_order(text):
    contents = squeeze(text[: text.index("ABOUT THIS BOOK")])
    position = 0
    for source in printed_sources():
        name = squeeze(title(source))
        assert name in contents[position:], (
            f"{source.name}: '{title(source)}' is not in the contents, or not in _toc.yml's order"
        )
        position = contents.index(name, position) + len(name)


def test_every_chapter_title_heads_a_chapter(text):
    body = squeeze(text[text.index("ABOUT THIS BOOK") :])
    for source in printed_sources():
        assert squeeze(title(source).upper()) in body, f"{source.name}: no chapter heading"


def test_the_bibliography_prints_every_entry(text):
    entries = len(re.findall(r"^@\w+\{", (ROOT / "book" / "references.bib").read_text(), re.M))
    bibliography = text[text.rindex("BIBLIOGRAPHY") :]
    numbers = {int(number) for number in re.findall(r"^\[(\d+)\] ", bibliography, re.MULTILINE)}
    assert numbers == set(range(1, entries + 1))


def test_no_unresolved_reference(text, pdf):
    assert "??" not in text, "an unresolved reference (??) is printed"
    log = LOG.read_text(errors="replace")
    assert "There were undefined references" not in log
    undefined = re.findall(r"LaTeX Warning: (?:Reference|Citation) `([^']+)' .*undefined", log)
    assert not undefined, f"undefined references: {sorted(set(undefined))}"


# --- what is on the pages ---------------------------------------------------------------------


def test_every_figure_is_embedded_with_its_caption(pdf, text):
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    images = [line.split() for line in listing if line.split()[2] == "image"]
    figures = 0
    for source in printed_sources():
        shown = displayed_glue_keys(source)
        for cell in code_cells(source):
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                name = output.get("metadata", {}).get("scrapbook", {}).get("name")
                # A raster figure (a vector one, application/pdf, which print would take first,
                # is no image for pdfimages; its caption is checked below).
                raster = any("image/" in mime for mime in data) and not any(
                    mime.endswith("application/pdf") for mime in data
                )
                if name is not None:  # glued: printed where a glue directive pastes it
                    figures += name in shown and raster
                elif not tags(cell) & HIDDEN_OUTPUT:
                    figures += raster
    assert len(images) == figures, f"{len(images)} images in the PDF, {figures} in the chapters"
    captions = [
        caption
        for source in printed_sources()
        for caption in re.findall(r"^\s+caption:\s*(.+)$", source.read_text(), re.MULTILINE)
    ]
    assert captions, "the chapters have no figure captions"
    assert len(re.findall(r"^Fig\. \d+\.\d+: ", text, re.MULTILINE)) >= len(captions)
    page = squeeze(text)
    for caption in captions:  # the first line of each, as far as it is plain text
        plain = squeeze(re.split(r"[$`*\\]", caption)[0])
        assert plain in page, f"caption not printed: {caption}"


def test_hidden_code_stays_out(text):
    hidden, shown = set(), set()
    for source in printed_sources():
        for cell in code_cells(source):
            lines = {line.strip() for line in cell["source"].splitlines() if len(line) > 30}
            (hidden if tags(cell) & HIDDEN_INPUT else shown).update(lines)
    hidden -= shown
    assert hidden and shown
    page = squeeze(text)
    assert any(squeeze(line) in page for line in shown), "no visible code cell is printed"
    shown_text = "\n".join(squeeze(line) for line in shown)
    leaked = [  # a hidden line that is not part of a shown one, found in the PDF
        line for line in hidden if squeeze(line) in page and squeeze(line) not in shown_text
    ]
    assert not leaked, f"hidden code printed: {leaked[:5]}"


def test_no_tex_source_is_printed_as_text(text):
    """Every printed word with a '$' or a TeX command comes from code: a cell's source or its
    printed output, or inline code in the prose."""
    code = []
    for source in printed_sources() + [ROOT / "book" / "index.md"]:
        code += re.findall(r"`([^`\n]+)`", source.read_text())
        if source.stem == "index":
            continue
        for cell in code_cells(source):
            code.append(cell["source"])
            for output in cell.get("outputs", []):
                code.append("".join(output.get("text", "")))
                code.append("".join(output.get("data", {}).get("text/plain", "")))
    code = squeeze("\n".join(code))
    suspicious = re.compile(r"\$|\\[A-Za-z]+|\\[()\[\]{}]")
    leaks = [
        word
        for word in text.split()
        if suspicious.search(word)
        and squeeze(word) not in code
        and squeeze(word.rstrip(".,;:")) not in code
    ]
    assert not leaks, "TeX printed as text:\n" + "\n".join(leaks[:10])


def test_derivations_print_their_marks_justifications_and_counterexamples(text):
    page = squeeze(text)
    derivations = [latex for source in printed_sources() for latex in derivation_latex(source)]
    assert len(derivations) > 20, "no checked derivations found in the chapters"
    latex = "\n".join(derivations)
    marks = {r"\checkmark": "✓", r"\times": "×"}
    for command, glyph in marks.items():
        expected = len(re.findall(re.escape(command) + r"(?![A-Za-z])", latex))
        assert text.count(glyph) >= expected, f"{glyph}: {text.count(glyph)} < {expected}"
    # Every text the derivations carry (justification, verdict, domain, counterexample) ...
    words = {
        squeeze(re.sub(r"\\([_%&#{}$])", r"\1", part).replace(r"\ ", " ").replace("~", " "))
        for part in re.findall(r"\\text\{((?:[^{}\\]|\\.)*)\}", latex)
    }
    missing = [word for word in words if word and word not in page]
    assert not missing, f"derivation text missing from the PDF: {missing[:10]}"
    assert any("false" in word for word in words), "no erratum among the derivations"
    # ... and every number (the counterexamples' points and values).
    numbers = set(re.findall(r"\d+\.\d+", latex))
    assert numbers
    missing = sorted(number for number in numbers if number not in page)
    assert not missing, f"numbers of derivations missing from the PDF: {missing[:10]}"


def test_solutions_follow_the_exercises_of_their_chapter(text):
    events = re.findall(
        r"^(?:(Exercise) \d+|(Solution) to Exercise \d+|\d+\.\d+ (Solutions))$",
        text,
        re.MULTILINE,
    )
    assert any(event[0] for event in events), "no exercise printed"
    heading_since_last_exercise = False
    for exercise, _, heading in events:
        if exercise:
            heading_since_last_exercise = False
        elif heading:
            heading_since_last_exercise = True
        else:
            assert heading_since_last_exercise, "a solution is printed among the exercises"


def test_every_character_has_a_glyph(pdf):
    log = LOG.read_text(errors="replace")
    missing = sorted(set(re.findall(r"Missing character: There is no (.+?) in font", log)))
    assert not missing, f"characters printed as blanks: {missing}"


def test_lines_fit_the_page(pdf):
    """No line (code output, display, derivation, table) runs into the margin by more than a
    few points; wide displays are scaled to the line instead."""
    log = LOG.read_text(errors="replace").splitlines()
    widths = [float(match[1]) for line in log if (match := pdf_build.OVERFULL.match(line))]
    assert max(widths, default=0) <= WORST_OVERFULL_PT, f"overfull lines (pt): {sorted(widths)}"


# --- the site offers the PDF --------------------------------------------------------------------


def test_the_site_offers_the_pdf_once_built(pdf, site):
    """Built after the PDF (as `make test` and the publishing workflow do), the site links it
    from the landing page and every chapter's download menu; built before, it has no link."""
    landing = (site / "book" / "index.html").read_text()
    chapter = (site / "book" / "checking.html").read_text()
    links = 'href="../glmnotes.pdf"' in landing, "download-book-pdf-button" in chapter
    if (site / ".buildinfo").stat().st_mtime > pdf.stat().st_mtime:  # written by every build
        assert all(links), "the site was built after the PDF but does not link it"
    if any(links):
        assert all(links)
        assert (site / "glmnotes.pdf").read_bytes() == pdf.read_bytes()


def test_tex_packages_are_named_alike_everywhere():
    makefile = (ROOT / "Makefile").read_text()
    in_make = re.search(r"^TEX_PACKAGES := ((?:.*\\\n)*.*)$", makefile, re.MULTILINE)[1]
    ci = (ROOT / ".ci" / "run").read_text()
    in_ci = re.search(r"command -v latexmk; \} .*?PACKAGES\+=\(([^)]*)\)", ci, re.DOTALL)[1]
    expected = set(pdf_build.DEBIAN_PACKAGES)
    assert set(in_make.replace("\\", " ").split()) == expected
    assert set(in_ci.replace("\\", " ").split()) == expected


def test_make_pdf_without_tex_names_the_packages_in_one_line():
    result = subprocess.run(
        ["make", "--no-print-directory", "pdf", "HAVE_TEX="],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "apt-get install -y " + " ".join(pdf_build.DEBIAN_PACKAGES) in lines[0]


@pytest.mark.book
def test_print_prefers_text_latex_over_text_html(root, tmp_path):
    """A glued object with both an HTML and a LaTeX form (a derivation on the site) prints its
    LaTeX: the configuration's mime priority for the latex builder, on a throw-away book. The
    verdict marks print in any font, code output included."""
    book = tmp_path / "book-under-test"
    (book / "book").mkdir(parents=True)
    shutil.copy(root / "_config.yml", book / "_config.yml")
    shutil.copytree(root / "_ext", book / "_ext")
    shutil.copytree(root / "_static", book / "_static")
    shutil.copy(root / "book" / "references.bib", book / "book" / "references.bib")
    (book / "book" / "index.md").write_text("# Index\n\n```{tableofcontents}\n```\n")
    chapter = textwrap.dedent(
        """\
        ---
        jupytext:
          text_representation:
            extension: .md
            format_name: myst
        kernelspec:
          display_name: Python 3
          language: python
          name: python3
        ---
        # Both forms

        ```{code-cell} ipython3
        from myst_nb import glue

        class Both:  # the markers are joined at run time: the code listing does not hold them
            def _repr_html_(self):
                return "<p>" + "HTML" + "FORM</p>"

            def _repr_latex_(self):
                return r"$$\\text{" + "LATEX" + r"FORM} \\checkmark$$"

        glue("both", Both(), display=False)
        print("verdicts: ✓ proved, ✔ numeric, ✗ false, ✘ false")
        ```

        ```{glue} both
        ```

        ```{glue:math} both
        ```
        """
    )
    (book / "book" / "both.md").write_text(chapter)
    (book / "_toc.yml").write_text(
        "format: jb-book\nroot: book/index\nchapters:\n  - file: book/both\n"
    )
    bin_dir = Path(sys.executable).parent
    result = subprocess.run(
        [str(bin_dir / "jupyter-book"), "build", str(book), "--builder", "latex", "-W"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    tex = (book / "_build" / "latex" / "glmnotes.tex").read_text()
    assert tex.count("LATEXFORM") == 2
    assert "HTMLFORM" not in tex
    # Typeset, the marks show in the code font too (FreeMono has none: glmnotes.sty borrows them).
    if pdf_build.missing_tex() or shutil.which("pdftotext") is None:
        return
    latex = book / "_build" / "latex"
    subprocess.run(
        ["latexmk", "-xelatex", "-interaction=nonstopmode", "-halt-on-error", "glmnotes.tex"],
        cwd=latex,
        capture_output=True,
        timeout=600,
        check=True,
    )
    printed = pdf_text(latex / "glmnotes.pdf")
    assert re.search(r"^verdicts: ✓ proved, \S numeric, ✗ false, \S false$", printed, re.M)
    assert len(re.findall(r"LATEXFORM\s*✓", printed)) == 2
    assert "Missing character" not in (latex / "glmnotes.log").read_text(errors="replace")


# --- how the LaTeX of a display is prepared (no TeX needed) -------------------------------------


def test_rows_and_cells_are_split_at_the_top_level_only():
    body = r"a &= \begin{matrix} 1 & 2 \\ 3 & 4 \end{matrix} \\[2pt] &\qquad {\small x \& y} \\ b"
    rows = pdf_latex._split_top_level(body)
    assert [[cell.strip() for cell in cells] for cells in rows] == [
        ["a", r"= \begin{matrix} 1 & 2 \\ 3 & 4 \end{matrix}"],
        ["", r"\qquad {\small x \& y}"],
        ["b"],
    ]


def test_a_long_annotation_row_is_made_breakable_and_steps_are_left_alone():
    row = r"\qquad {\small {\scriptstyle \text{at }a = 1.5,\ b = 2.5\text{, left }3}}"
    indent, content = pdf_latex._breakable(row)
    assert indent == r"\qquad"
    assert content == r"\small \scriptstyle \text{at }a = 1.5,\ \allowbreak b = 2.5\text{, left }3"
    measure, rows = pdf_latex._fitted_rows(r"x &= y \\ &" + row + r" \\ &\neq z")
    assert measure.count(r"\glmnotesMeasureLeft") == 3
    assert measure.count(r"\glmnotesMeasureStep") == 2
    assert rows.count(r"\glmnotesFitCell") == 1
    assert r"x&= y" in rows and r"&\neq z" in rows
