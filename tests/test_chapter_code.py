"""Chapters only teach: their code is short, linted, and leaves machinery to the package.

A chapter shows the mathematics and calls ``glmnotes``; what two chapters need, or what needs a
test of its own, lives in the package. These tests hold every chapter to that: no class
definitions, a handful of small functions at most, no visible code cell longer than about 25
lines, and ruff passes over the chapters' code (``tools/lint_chapters.py``, also run by
``make lint``).
"""

from __future__ import annotations

import ast

import chapters
import jupytext
import lint_chapters
import pytest

SOURCES = chapters.chapter_sources()
HIDDEN = {"hide-input", "remove-input", "remove-cell", "hide-cell"}
MAX_VISIBLE_LINES = 25
MAX_FUNCTIONS = 5


def code_cells(source):
    return [cell for cell in jupytext.read(source).cells if cell.cell_type == "code"]


def definitions(source, kind):
    found = []
    for index, cell in enumerate(code_cells(source)):
        tree = ast.parse(cell.source.replace("%", "#"))  # magics are not Python
        found += [(index, node.name) for node in ast.walk(tree) if isinstance(node, kind)]
    return found


@pytest.mark.parametrize("source", SOURCES, ids=[path.stem for path in SOURCES])
def test_a_chapter_defines_no_class(source):
    classes = definitions(source, ast.ClassDef)
    assert not classes, f"{source.name}: classes belong in glmnotes: {classes}"


@pytest.mark.parametrize("source", SOURCES, ids=[path.stem for path in SOURCES])
def test_a_chapter_defines_a_handful_of_small_functions_at_most(source):
    functions = definitions(source, (ast.FunctionDef, ast.AsyncFunctionDef))
    assert len(functions) <= MAX_FUNCTIONS, (
        f"{source.name} defines {len(functions)} functions (at most {MAX_FUNCTIONS}): "
        f"{[name for _, name in functions]}; move them to glmnotes"
    )


@pytest.mark.parametrize("source", SOURCES, ids=[path.stem for path in SOURCES])
def test_visible_code_cells_are_short(source):
    long_cells = []
    for index, cell in enumerate(code_cells(source)):
        tags = set(cell.metadata.get("tags", []))
        lines = [line for line in cell.source.splitlines() if line.strip()]
        if not tags & HIDDEN and len(lines) > MAX_VISIBLE_LINES:
            long_cells.append((index, len(lines)))
    assert not long_cells, (
        f"{source.name}: visible cells over {MAX_VISIBLE_LINES} lines: {long_cells}"
    )


def test_the_chapters_code_passes_ruff(capsys):
    assert lint_chapters.main([]) == 0, capsys.readouterr().out


def test_the_chapter_lint_catches_a_problem(tmp_path, monkeypatch):
    # it can fail: an unused import in a chapter's code is reported
    chapter = tmp_path / "bad.md"
    chapter.write_text(
        "---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
        "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n"
        "# Bad\n\n```{code-cell} ipython3\nimport os\nx = 1\n```\n"
    )
    monkeypatch.setattr(lint_chapters.chapters, "chapter_sources", lambda: [chapter])
    assert lint_chapters.main([]) == 1


MAX_LINE = 79


@pytest.mark.parametrize("source", SOURCES, ids=[path.stem for path in SOURCES])
def test_visible_code_lines_fit_the_column(source):
    # 79 characters of code fit the book's column at 1280 px; a longer line wraps or scrolls
    long_lines = []
    for index, cell in enumerate(code_cells(source)):
        if set(cell.metadata.get("tags", [])) & HIDDEN:
            continue
        long_lines += [
            (index, line[:40]) for line in cell.source.splitlines() if len(line) > MAX_LINE
        ]
    assert not long_lines, f"{source.name}: code lines over {MAX_LINE} characters: {long_lines}"
