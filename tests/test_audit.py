"""Tests for glmnotes.book.audit on small fake books: chapters (MyST Markdown) written in
tmp_path and reference notebooks written with nbformat, carrying records produced by real
Derivations."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap

import chapters
import nbformat
import pytest
import sympy as sp

from glmnotes.book import audit
from glmnotes.verify import Derivation

eta = sp.Symbol("eta", real=True)

HEADER = """\
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
"""

CHAPTER = (
    HEADER
    + """\
# A chapter

```{code-cell} ipython3
x = 1  # $$ in code is not prose
```

The mean is

```{glue:math} bernoulli-mean
:label: eq-mean
```

An uncovered one: $$A(\\eta) = \\log(1 + e^\\eta)$$ inline in a paragraph.

$$
\\mu = A'(\\eta)
$$ (eq-mu)

```{math}
:label: def-softplus
\\operatorname{softplus}(\\eta) = \\log(1 + e^{\\eta})
```

% glmnotes: assumption

$$ y_i \\sim \\text{Bernoulli}(\\mu_i) $$

% glmnotes: definition
Some words in between break the marker.

$$ \\sigma(\\eta) = 1/(1+e^{-\\eta}) $$

\\begin{align}
a &= b \\\\
  &= c
\\end{align}

````{admonition} Inside an admonition
$$ \\text{prose inside directives counts} $$

```{math}
:label: asm-iid
\\text{independent}
```
````

:::{note}
$$ \\text{colon fences are prose too} $$
:::

```python
print("$$ not math in a code block $$")
```

Inline code `$$` is not math, and neither is $x$.

```{glue:math} not-a-derivation
```

```{glue:math} never-glued
```

% glmnotes: definition
$$ \\ell(\\theta) = \\sum_i y_i \\log \\mu_i $$ (def-loglik)
"""
)


def line_of(text: str, needle: str, start: int = 0) -> int:
    """1-based line number of the first line at or after ``start`` containing ``needle``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if number > start and needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


def derivation_records() -> list[dict]:
    """Records of real derivations: 2 proved steps; 1 proved + 1 erratum shown false."""
    mean = Derivation(
        sp.Derivative(sp.log(1 + sp.exp(eta)), eta), domain={eta: (-30, 30)}, label="bernoulli-mean"
    )
    mean.step(sp.exp(eta) / (1 + sp.exp(eta)), "chain rule")
    mean.step(1 / (1 + sp.exp(-eta)), "divide by e^eta")
    variance = Derivation(1 / (1 + sp.exp(-eta)), domain={eta: (-30, 30)}, label="variance")
    variance.step(sp.exp(eta), "the notes' step", erratum="000: variance")
    variance.step(sp.exp(eta) / (sp.exp(eta) + 1), "multiply by e^eta")
    return [mean.record(), variance.record()]


def write_notebook(path, outputs: list[dict]) -> None:
    cell = nbformat.v4.new_code_cell("# outputs recorded by the build", outputs=outputs)
    cell.execution_count = 1
    notebook = nbformat.v4.new_notebook(cells=[cell])
    nbformat.write(notebook, str(path))


def glue_output(name: str, record: dict | None) -> dict:
    metadata = {"scrapbook": {"name": name, "mime_prefix": "application/papermill.record/"}}
    if record is not None:
        metadata["glmnotes"] = record
    data = {"application/papermill.record/text/plain": name}
    return nbformat.v4.new_output("display_data", data=data, metadata=metadata)


def displayed_output(record: dict) -> dict:
    data = {"text/plain": record["label"], "text/latex": "$$x$$"}
    return nbformat.v4.new_output(
        "execute_result", data=data, metadata={"glmnotes": record}, execution_count=1
    )


@pytest.fixture
def book(tmp_path):
    """A book with one chapter (CHAPTER) and its notebook; returns (book dir, notebooks dir)."""
    book_dir, notebooks = tmp_path / "book", tmp_path / "notebooks"
    book_dir.mkdir()
    notebooks.mkdir()
    (book_dir / "chapter.md").write_text(CHAPTER)
    mean, variance = derivation_records()
    write_notebook(
        notebooks / "chapter.ipynb",
        [
            glue_output("bernoulli-mean", mean),
            glue_output("not-a-derivation", None),
            displayed_output(variance),
        ],
    )
    return book_dir, notebooks


def test_display_equations_are_found_and_classified(book):
    book_dir, notebooks = book
    result = audit.audit_chapter(book_dir / "chapter.md", notebooks)
    text = CHAPTER
    got = [(e.line, e.kind, e.status) for e in result.equations]
    expected = [
        (line_of(text, "{glue:math} bernoulli-mean"), "glue-math", "covered"),
        (line_of(text, "An uncovered one"), "dollar", "uncovered"),
        (line_of(text, "\\mu = A'") - 1, "dollar", "uncovered"),
        (line_of(text, "{math}"), "math-directive", "definition"),
        (line_of(text, "y_i \\sim"), "dollar", "assumption"),
        (line_of(text, "\\sigma(\\eta)"), "dollar", "uncovered"),
        (line_of(text, "\\begin{align}"), "environment", "uncovered"),
        (line_of(text, "prose inside directives"), "dollar", "uncovered"),
        (
            line_of(text, "{math}", start=line_of(text, "admonition")),
            "math-directive",
            "assumption",
        ),
        (line_of(text, "colon fences"), "dollar", "uncovered"),
        (line_of(text, "not-a-derivation"), "glue-math", "bad-glue"),
        (line_of(text, "never-glued"), "glue-math", "bad-glue"),
        (line_of(text, "\\ell(\\theta)"), "dollar", "definition"),
    ]
    assert got == expected
    by_line = {e.line: e for e in result.equations}
    assert by_line[line_of(text, "\\mu = A'") - 1].label == "eq-mu"
    assert by_line[line_of(text, "\\mu = A'") - 1].text == "\\mu = A'(\\eta)"
    assert by_line[line_of(text, "{math}")].label == "def-softplus"
    assert by_line[line_of(text, "\\begin{align}")].text.startswith("\\begin{align} a &= b")
    assert "not a checked Derivation" in by_line[line_of(text, "not-a-derivation")].reason
    assert "not glued" in by_line[line_of(text, "never-glued")].reason
    assert result.counts() == {
        "display": 13,
        "covered": 1,
        "declared": 4,
        "definitions": 2,
        "assumptions": 2,
        "uncovered": 6,
        "bad_glue": 2,
        "argued_displays": 0,
    }


def test_steps_are_counted_from_the_notebook_records(book):
    book_dir, notebooks = book
    result = audit.audit_chapter(book_dir / "chapter.md", notebooks)
    assert result.notebook_status == "ok"
    assert result.derivations == 2
    assert result.steps == {
        "steps": 4,
        "proved": 3,
        "by definition": 0,
        "numeric": 0,
        "errata": 1,
        "unverified": 0,
        "failed": 0,
        "proved, no size fixed": 3,
        "proved for fixed sizes": 0,
    }


def test_equation_chain_start_and_numeric_and_unverified_steps_are_counted():
    f = sp.Function("f")
    x = sp.Symbol("x", real=True)
    m = sp.Symbol("m", integer=True)
    chain = Derivation(sp.Eq(sp.floor(m / 2) + sp.ceiling(m / 2), m, evaluate=False), label="c")
    loose = Derivation(sp.Abs(f(x)) ** 2, label="loose")
    loose.step(f(x) * sp.conjugate(f(x)), "modulus", allow_unverified=True)
    counts = audit.step_counts([chain.record(), loose.record()])
    assert counts == {
        "steps": 2,
        "proved": 0,
        "by definition": 0,
        "numeric": 1,
        "errata": 0,
        "unverified": 1,
        "failed": 0,
        "proved, no size fixed": 0,
        "proved for fixed sizes": 0,
    }


def test_proved_lines_are_split_by_the_sizes_they_hold_for():
    m = sp.Symbol("m", integer=True, positive=True)
    k = sp.Symbol("k", integer=True)
    x = sp.IndexedBase("x")
    general = Derivation((x[1] + 1) ** 2, label="general")
    general.step(x[1] ** 2 + 2 * x[1] + 1, "expand")
    sized = Derivation(sp.Sum(x[k], (k, 1, m)) ** 2, given={m: 2}, label="sized")
    sized.step((x[1] + x[2]) ** 2, "m = 2")
    row, column = sp.ImmutableMatrix([[x[1], 1]]), sp.ImmutableMatrix([[2], [3]])
    explicit = Derivation(sp.MatMul(row, column, evaluate=False), label="explicit")
    explicit.step(sp.ImmutableMatrix([[2 * x[1] + 3]]), "multiply out")
    counts = audit.step_counts([general.record(), sized.record(), explicit.record()])
    assert counts["proved"] == 3
    assert counts["proved, no size fixed"] == 1  # the general identity only
    assert counts["proved for fixed sizes"] == 2  # m = 2, and explicit 1 x 2 and 2 x 1 matrices


def test_table_lists_uncovered_equations_with_file_and_line(book, capsys):
    book_dir, notebooks = book
    status = audit.main(["--book", str(book_dir), "--notebooks", str(notebooks)])
    assert status == 0  # not strict
    out = capsys.readouterr().out
    header = out.splitlines()[0].split()
    assert header[:3] == ["chapter", "display", "covered"]
    row = next(line for line in out.splitlines() if line.startswith("chapter.md"))
    # display covered declared uncovered bad-glue proved (no size fixed) proved-for-sizes
    # by-definition numeric errata unverified argued notebook
    assert row.split()[1:14] == ["13", "1", "4", "6", "2", "3", "0", "0", "0", "1", "0", "0", "ok"]
    sigma_line = line_of(CHAPTER, "\\sigma(\\eta)")
    assert f"chapter.md:{sigma_line}: \\sigma(\\eta) = 1/(1+e^{{-\\eta}})" in out
    assert "Uncovered display equations (6):" in out
    assert "glue:math 'never-glued' is not glued" in out


def test_strict_fails_on_uncovered_and_json_is_machine_readable(book, capsys):
    book_dir, notebooks = book
    status = audit.main(
        ["--book", str(book_dir), "--notebooks", str(notebooks), "--strict", "--json"]
    )
    assert status == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    (chapter,) = report["chapters"]
    assert chapter["counts"]["uncovered"] == 6
    assert chapter["steps"]["errata"] == 1
    assert report["totals"]["covered"] == 1
    uncovered = [e for e in chapter["equations"] if e["status"] == "uncovered"]
    assert all(isinstance(e["line"], int) and e["file"].endswith("chapter.md") for e in uncovered)
    assert len(chapter["problems"]) == 8  # 6 uncovered + 2 bad glue


def clean_book(tmp_path, notebook_outputs=None):
    book_dir, notebooks = tmp_path / "book", tmp_path / "notebooks"
    book_dir.mkdir()
    notebooks.mkdir()
    chapter = HEADER + textwrap.dedent(
        """\
        # Clean

        ```{code-cell} ipython3
        pass
        ```

        % glmnotes: definition
        $$ A(\\eta) = \\log(1 + e^\\eta) $$

        ```{glue:math} bernoulli-mean
        ```
        """
    )
    (book_dir / "clean.md").write_text(chapter)
    (book_dir / "prose-only.md").write_text("# Prose\n\nNo display math, no code.\n")
    if notebook_outputs is not None:
        write_notebook(notebooks / "clean.ipynb", notebook_outputs)
    return book_dir, notebooks


def test_strict_passes_on_a_clean_book(tmp_path, capsys):
    mean, _ = derivation_records()
    book_dir, notebooks = clean_book(tmp_path, [glue_output("bernoulli-mean", mean)])
    assert audit.main(["--book", str(book_dir), "--notebooks", str(notebooks), "--strict"]) == 0
    out = capsys.readouterr().out
    assert "not needed (no code cells)" in out
    assert "Every display equation is covered" in out


def test_strict_fails_on_a_missing_notebook(tmp_path, capsys):
    book_dir, notebooks = clean_book(tmp_path, notebook_outputs=None)
    assert audit.main(["--book", str(book_dir), "--notebooks", str(notebooks)]) == 0
    assert audit.main(["--book", str(book_dir), "--notebooks", str(notebooks), "--strict"]) == 1
    out = capsys.readouterr().out
    assert "missing" in out
    result = audit.audit_chapter(book_dir / "clean.md", notebooks)
    assert result.notebook_status == "missing"
    assert result.equations[1].status == "bad-glue"  # cannot be confirmed without the notebook


def test_strict_fails_on_an_unreadable_notebook(tmp_path):
    book_dir, notebooks = clean_book(tmp_path, notebook_outputs=None)
    (notebooks / "clean.ipynb").write_text("{ this is not json")
    result = audit.audit_chapter(book_dir / "clean.md", notebooks)
    assert result.notebook_status.startswith("unreadable")
    assert audit.main(["--book", str(book_dir), "--notebooks", str(notebooks), "--strict"]) == 1


def test_strict_fails_when_glue_math_names_something_that_is_not_a_derivation(tmp_path):
    book_dir, notebooks = clean_book(tmp_path, [glue_output("bernoulli-mean", None)])
    assert audit.main(["--book", str(book_dir), "--notebooks", str(notebooks), "--strict"]) == 1
    malformed = {"label": "bernoulli-mean", "steps": "not a list"}
    (notebooks / "clean.ipynb").unlink()
    write_notebook(notebooks / "clean.ipynb", [glue_output("bernoulli-mean", malformed)])
    assert audit.main(["--book", str(book_dir), "--notebooks", str(notebooks), "--strict"]) == 1


def test_missing_book_directory_is_a_usage_error(tmp_path, capsys):
    assert audit.main(["--book", str(tmp_path / "nope")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_module_runs_as_a_script(tmp_path):
    mean, _ = derivation_records()
    book_dir, notebooks = clean_book(tmp_path, [glue_output("bernoulli-mean", mean)])
    command = [sys.executable, "-m", "glmnotes.book.audit", "--book", str(book_dir)]
    command += ["--notebooks", str(notebooks), "--strict", "--json"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["ok"] is True


def test_scanner_edge_cases():
    text = textwrap.dedent(
        """\
        Two on a line: $$a$$ and $$b$$ here.

        $$ c
        d $$ then $$ e
        $$

        \\begin{equation} f \\end{equation}

        ```{code-cell} ipython3
        s = "$$ inside code $$"
        ```

        ``````{exercise}
        `````{solution}
        ````{dropdown} Nested
        $$ deep $$
        ````
        `````
        ``````
        """
    )
    found = audit.find_display_equations(text, file="t.md")
    assert [(e.line, e.kind, e.text) for e in found] == [
        (1, "dollar", "a"),
        (1, "dollar", "b"),
        (3, "dollar", "c d"),
        (4, "dollar", "e"),
        (7, "environment", "\\begin{equation} f \\end{equation}"),
        (16, "dollar", "deep"),
    ]


def test_display_math_in_html_comments_is_skipped(tmp_path):
    text = textwrap.dedent(
        """\
        Kept $$a$$ <!-- $$hidden$$ --> kept $$b$$.

        <!-- a draft, over several lines:
        $$
        hidden
        $$
        ```{math}
        hidden
        ```
        \\begin{align} hidden \\end{align}
        % glmnotes: definition
        -->

        Inline code `<!--` opens no comment: $$c$$

        <!-- one --> $$d$$ <!-- two $$hidden$$
        still hidden --> $$e$$
        <!--> $$f$$ <!---> $$g$$

        ```{code-cell} ipython3
        s = "<!-- in code, not a comment"
        ```

        $$h$$
        """
    )
    found = audit.find_display_equations(text, file="t.md")
    assert [(e.line, e.text) for e in found] == [
        (1, "a"),
        (1, "b"),
        (14, "c"),
        (16, "d"),
        (17, "e"),
        (18, "f"),
        (18, "g"),
        (24, "h"),
    ]
    assert all(e.kind == "dollar" and e.declared is None for e in found)
    # a chapter whose only uncovered display equation is commented out passes --strict
    mean, _ = derivation_records()
    book_dir, notebooks = clean_book(tmp_path, [glue_output("bernoulli-mean", mean)])
    chapter = book_dir / "clean.md"
    chapter.write_text(chapter.read_text() + "\n<!--\n$$ \\text{a draft} $$\n-->\n")
    assert audit.main(["--book", str(book_dir), "--notebooks", str(notebooks), "--strict"]) == 0
    chapter.write_text(chapter.read_text() + "\n$$ \\text{not a draft} $$\n")
    assert audit.main(["--book", str(book_dir), "--notebooks", str(notebooks), "--strict"]) == 1


def test_a_declared_display_that_chains_relations_is_a_derivation_not_a_definition(tmp_path):
    chapter = tmp_path / "book" / "chain.md"
    chapter.parent.mkdir()
    chapter.write_text(
        HEADER
        + "# Chain\n\n```{math}\n:label: def-loglik\n\n\\begin{aligned}\n"
        + "\\ell &= \\log \\prod_{j=1}^{m} p_j \\\\\n&= \\sum_{j=1}^{m} \\log p_j\n"
        + "\\end{aligned}\n```\n\n"
        + "% glmnotes: definition\n$$ P(Y = y \\mid X = x) = \\hat y^{y} $$\n\n"
        + "% glmnotes: definition\n$$ p(y) = \\begin{cases} 1 & y \\le 0 \\\\ 0 & y > 0"
        + " \\end{cases} \\qquad \\eta = \\theta x $$\n\n"
        + "% glmnotes: argued\n$$ \\lVert A - A_r \\rVert \\le \\lVert A - B \\rVert $$\n"
    )
    result = audit.audit_chapter(chapter, tmp_path / "notebooks")
    statuses = [e.status for e in result.equations]
    assert statuses == ["uncovered", "definition", "definition", "argued"]
    assert "states 2 relations" in result.equations[0].reason
    assert "def-loglik" not in [e.label for e in result.equations if e.status == "definition"]
    assert any("states 2 relations" in problem for problem in result.problems())
    assert result.counts()["argued_displays"] == 1


def test_rows_with_their_own_left_side_are_separate_statements():
    rows = r"h_j &= \sigma(a_j), \\ \hat y &= \sigma(b), \\ \sigma(t) &= \frac{1}{1 + e^{-t}}"
    assert audit.relations(rows) == 3 and audit.chained_relations(rows) == 1
    assert audit.chained_relations(r"\ell &= a \\ &= b \\ m &= c") == 2  # a continued row
    assert audit.chained_relations(r"a = b = c") == 2
    cases = r"p(y) = \begin{cases} 1 & y \le 0 \\ 0 & y > 0 \end{cases}"
    assert audit.chained_relations(cases) == 1


def test_relations_are_counted_at_the_top_level_only():
    assert audit.relations(r"a = b = c") == 2
    assert audit.relations(r"f(x) = \sum_{j=1}^{m} x_j") == 1  # subscripts do not count
    assert audit.relations(r"P(Y = y \mid X = x) = q") == 1  # nor arguments
    assert audit.relations(r"\ell &= a \\ &= b, \qquad \eta = \theta x") == 2  # nor qualifiers
    assert audit.relations(r"a \le b = c") == 2


def test_machine_checked_share_counts_what_a_machine_established():
    total = {"steps": 10, "proved": 4, "numeric": 2, "errata": 1, "by definition": 3}
    assert audit.machine_checked_share({**total, "argued": 2, "argued_displays": 0}) == (7, 12)
    assert audit.machine_checked_share({}) == (0, 0)


def test_argued_records_in_a_notebook_are_counted(tmp_path):
    from IPython.core.formatters import format_display_data

    from glmnotes.verify import Registry

    item = Registry("x").argued("thm-x", "the induction for every depth")
    data, metadata = format_display_data(item)
    path = tmp_path / "x.ipynb"
    write_notebook(path, [nbformat.v4.new_output("display_data", data=data, metadata=metadata)])
    records = audit.read_notebook(path)
    assert records.argued["thm-x"]["claim"] == "the induction for every depth"
    assert records.derivations == {}


def test_markers_survive_other_comments_and_html_comments():
    text = textwrap.dedent(
        """\
        % glmnotes: definition
        % a note to the authors (consecutive comment lines are one token for MyST)
        $$ a $$

        % glmnotes: assumption
        <!-- a draft -->

        $$ b $$

        - item $$li$$
        \\begin{align} lazy \\end{align}
        """
    )
    found = audit.find_display_equations(text, file="t.md")
    assert [(e.line, e.text, e.declared) for e in found] == [
        (3, "a", "definition"),
        (8, "b", "assumption"),
        (10, "li", None),
        # line 11 continues the list item's paragraph: MyST typesets no display there
    ]


@pytest.mark.parametrize("chapter", sorted(chapters.ROOT.glob("book/*.md")), ids=lambda p: p.stem)
def test_every_display_of_the_real_chapters_is_found_where_it_is_written(chapter):
    """The displays found in each chapter of the book against an independent reading of its
    lines: every ``{glue:math}`` and ``{math}`` fence is found on its line, in order, with its
    name or label; every ``$$`` display starts on a line holding ``$$``."""
    text = chapter.read_text(encoding="utf-8")
    lines = text.splitlines()
    found = audit.find_display_equations(text, file=chapter.name)
    fences = {
        number: (match["name"], match["argument"].strip())
        for number, line in enumerate(lines, start=1)
        if (match := re.match(r"^\s*(?:`{3,}|:{3,})\{(?P<name>[^}]+)\}\s*(?P<argument>.*)$", line))
        and match["name"] in ("math", "glue:math")
    }
    glued = [(e.line, e.name) for e in found if e.kind == "glue-math"]
    assert glued == [(n, arg) for n, (name, arg) in fences.items() if name == "glue:math"]
    directives = [e.line for e in found if e.kind == "math-directive"]
    assert directives == [n for n, (name, _) in fences.items() if name == "math"]
    for equation in found:
        assert equation.text and equation.file == chapter.name
        if equation.kind == "dollar":
            assert "$$" in lines[equation.line - 1], equation.location()
        if equation.kind == "math-directive" and equation.label:
            label = f":label: {equation.label}"
            assert label in "\n".join(lines[equation.line : equation.line + 4]), label
    assert [e.line for e in found] == sorted(e.line for e in found)


def test_the_real_book_has_the_displays_it_is_known_to_have():
    """A few displays of the book, as the audit found them when it moved to MyST's parser (the
    old line scanner found the same 124 displays, identically)."""
    book = {
        path.name: audit.find_display_equations(path.read_text(encoding="utf-8"), path.name)
        for path in chapters.ROOT.glob("book/*.md")
    }
    assert sum(len(found) for found in book.values()) >= 100
    checking = [(e.kind, e.name) for e in book["checking.md"]]
    assert ("glue-math", "softplus-derivative") in checking
    labels = {e.label for found in book.values() for e in found}
    assert {"def-bp-toy", "asm-dl-iid", "def-ef-density", "def-glm-loglik"} <= labels
    declared = [e for e in book["linear-networks.md"] if e.declared]
    assert declared and all(e.kind == "dollar" for e in declared)
