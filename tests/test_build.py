"""The build and the notebook tests fail loudly: a raising cell, a changed output.

These tests build small throw-away books with the project's own _config.yml and extensions,
so they check the real configuration, not a copy of it.
"""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.book

BIN = Path(sys.executable).parent
HEADER = textwrap.dedent(
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
    """
)


def make_book(root: Path, tmp_path: Path, chapters: dict[str, str]) -> Path:
    book = tmp_path / "book-under-test"
    (book / "book").mkdir(parents=True)
    shutil.copy(root / "_config.yml", book / "_config.yml")
    shutil.copytree(root / "_ext", book / "_ext")
    shutil.copytree(root / "_static", book / "_static")  # the favicon, CSS and scripts it names
    shutil.copy(root / "book" / "references.bib", book / "book" / "references.bib")
    (book / "book" / "index.md").write_text("# Index\n\n```{tableofcontents}\n```\n")
    for name, body in chapters.items():
        (book / "book" / f"{name}.md").write_text(HEADER + body)
    toc = "format: jb-book\nroot: book/index\nchapters:\n"
    toc += "".join(f"  - file: book/{name}\n" for name in chapters)
    (book / "_toc.yml").write_text(toc)
    # Tool folders that a test run leaves behind must not become pages (or build warnings).
    for leftover in (".pytest_cache", ".hypothesis", "sources"):
        (book / leftover).mkdir()
        (book / leftover / "README.md").write_text("# not a chapter\n")
    return book


def build(book: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "jupyter-book"), "build", str(book), "-W", "--keep-going"],
        capture_output=True,
        text=True,
        timeout=600,
    )


GOOD = "# Good\n\n```{code-cell} ipython3\n1 + 1\n```\n"
BROKEN = "# Broken\n\n```{code-cell} ipython3\nratio = 1 / 0\n```\n"


def test_a_raising_cell_fails_the_build_naming_chapter_and_cell(root, tmp_path):
    book = make_book(root, tmp_path, {"good": GOOD, "broken_chapter": BROKEN})
    result = build(book)
    log = result.stdout + result.stderr
    assert result.returncode != 0, "a chapter with a raising cell must fail the build"
    assert "broken_chapter" in log
    assert "ZeroDivisionError" in log
    assert "ratio = 1 / 0" in log, "the failing cell's source should be in the build log"


def test_an_unchanged_chapter_is_not_executed_again(root, tmp_path):
    book = make_book(root, tmp_path, {"good": GOOD})
    first = build(book)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Executed notebook" in first.stdout
    second = build(book)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Executed notebook" not in second.stdout
    assert "Using cached notebook" in second.stdout or "0 source files that are out of date" in (
        second.stdout
    )


def run_nbval(tmp_path: Path, recorded: str) -> subprocess.CompletedProcess:
    import nbformat

    cell = nbformat.v4.new_code_cell("1 + 2", execution_count=1)
    cell.outputs = [
        nbformat.v4.new_output("execute_result", {"text/plain": recorded}, execution_count=1)
    ]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    path = tmp_path / "reference.ipynb"
    nbformat.write(notebook, path)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "--nbval",
            "--nbval-current-env",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )


def test_nbval_passes_when_outputs_match(tmp_path):
    result = run_nbval(tmp_path, "3")
    assert result.returncode == 0, result.stdout


def test_nbval_fails_when_an_output_changes(tmp_path):
    result = run_nbval(tmp_path, "4")
    assert result.returncode == 1, result.stdout
    assert "1 failed" in result.stdout
