"""Exercises that ask: every check cell ships with a placeholder, accepts the solution from its
dropdown, and rejects a wrong answer.

Convention (``glmnotes.book.exercises``): a check cell is tagged ``exercise-check`` and contains one
line ``answer = ...``; the solution that follows it holds a ``python`` code block whose first line
is ``answer = <solution>``. For each chapter with check cells, a fresh kernel runs the chapter's
first code cell and the check cells as shipped (the whole chapter up to its last check cell if a
check cell needs more), then every check cell again with the solution and with a wrong answer
(``glmnotes.book.exercises.wrong``: the solution times 2, plus 1).

The chapter itself runs in the book build and in the portability run; here only what the check
cells need of it runs: the cells that define, directly or through each other, a name a check cell
reads (read from their syntax trees). Where that slice is not enough (a name missing, or a verdict
that differs), the whole chapter up to the last check cell runs instead, and decides.
"""

from __future__ import annotations

import ast
import re

import chapters
import jupytext
import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from glmnotes.book.exercises import PLACEHOLDER_MESSAGE

PLACEHOLDER = re.compile(r"^answer = \.\.\.(\s*#.*)?$", re.M)
SOLUTION = re.compile(r"```python\n(answer = .*?)\n```", re.S)


def exercise_cells(source):
    """(check cell index, the cell's source, the solution's answer line) for every check cell."""
    notebook = jupytext.read(source)
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or "exercise-check" not in cell.metadata.get("tags", []):
            continue
        later = "\n".join(
            c.source for c in notebook.cells[index + 1 :] if c.cell_type == "markdown"
        )
        solution = SOLUTION.search(later)
        found.append((index, cell.source, solution.group(1) if solution else None))
    return found


CHAPTERS = [source for source in chapters.chapter_sources() if exercise_cells(source)]


def names(source: str) -> tuple[set[str], set[str]]:
    """(the names a cell defines, the names it reads), from its syntax tree."""
    defined, read = set(), set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else defined).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            defined.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return defined, read


def needed_cells(chapter, code: list[int], checks: list[int]) -> list[int]:
    """The first code cell, the check cells, and every earlier code cell that defines a name
    they read, or that a cell already taken reads (walking back from the last check cell)."""
    wanted = set().union(*(names(chapter.cells[index].source)[1] for index in checks))
    taken = {code[0], *checks}
    for index in reversed([i for i in code if i < max(checks) and i not in taken]):
        defined, read = names(chapter.cells[index].source)
        if defined & wanted:
            taken.add(index)
            wanted |= read
    return sorted(taken)


def stream_text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")


def run_variants(source, cells, context_cells):
    """Execute ``context_cells`` (cell indices of the chapter, in order), then every check cell
    with its solution and with a wrong answer; return the notebook, or None if a check cell
    needed more of the chapter than the context gave it (a NameError)."""
    chapter = jupytext.read(source)
    notebook = nbformat.v4.new_notebook(metadata=chapter.metadata)
    notebook.cells = [chapter.cells[index] for index in context_cells]
    for _, code, solution in cells:
        wrong = re.sub(
            r"^answer = (.*)$",
            r"answer = __import__('glmnotes.book.exercises').book.exercises.wrong(\1)",
            solution,
            count=1,
        )
        for line in (solution, wrong):
            notebook.cells.append(nbformat.v4.new_code_cell(PLACEHOLDER.sub(line, code, count=1)))
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": "book"}}
    )
    try:
        client.execute()
    except CellExecutionError as error:
        if "NameError" in str(error):
            return None
        raise
    return notebook


@pytest.mark.book
@pytest.mark.parametrize("source", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_every_check_cell_asks_accepts_the_solution_and_rejects_a_wrong_answer(source):
    cells = exercise_cells(source)
    for index, code, solution in cells:
        assert PLACEHOLDER.search(code), f"{source.name} cell {index}: no `answer = ...` line"
        assert solution, f"{source.name} cell {index}: no ```python answer = ...``` in a solution"
    chapter = jupytext.read(source)
    code = [index for index, cell in enumerate(chapter.cells) if cell.cell_type == "code"]
    checks = [index for index, _, _ in cells]
    context = needed_cells(chapter, code, checks)
    try:
        notebook = run_variants(source, cells, context)
    except CellExecutionError:  # the slice lacked some state: the whole chapter decides
        notebook = None
    problems = ["the slice failed"] if notebook is None else verdicts(notebook, cells, context)
    if problems:  # the slice was not enough: the whole chapter up to the last check cell decides
        context = [index for index in code if index <= max(checks)]
        notebook = run_variants(source, cells, context)
        assert notebook is not None, "a check cell needs a name the chapter never defines"
        problems = verdicts(notebook, cells, context)
    assert not problems, "\n".join(problems)


def verdicts(notebook, cells, context) -> list[str]:
    """What is wrong with the executed variants: a check cell that does not ask as shipped, does
    not accept its solution, or accepts a wrong answer."""
    shipped = {chapter_index: position for position, chapter_index in enumerate(context)}
    variants = len(context)
    problems = []
    for number, (index, _, _) in enumerate(cells):
        as_shipped = stream_text(notebook.cells[shipped[index]])
        if PLACEHOLDER_MESSAGE not in as_shipped or "✓" in as_shipped or "✗" in as_shipped:
            problems.append(f"cell {index} does not ask: {as_shipped!r}")
        solved = stream_text(notebook.cells[variants + 2 * number])
        if "✓" not in solved or "✗" in solved:
            problems.append(f"cell {index}, solution: {solved!r}")
        wrong = stream_text(notebook.cells[variants + 2 * number + 1])
        if "✗" not in wrong:
            problems.append(f"cell {index} accepts a wrong answer: {wrong!r}")
    return problems
