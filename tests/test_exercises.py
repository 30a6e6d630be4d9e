"""Exercises that ask: every check cell ships with a placeholder, accepts the solution from its
dropdown, and rejects a wrong answer.

Convention (``glmnotes.exercises``): a check cell is tagged ``exercise-check`` and contains one
line ``answer = ...``; the solution that follows it holds a ``python`` code block whose first line
is ``answer = <solution>``. Each chapter with check cells is executed once in a fresh kernel, as
shipped, and then every check cell is run again in that kernel with the solution and with a
wrong answer (the solution times 2, plus 1).
"""

from __future__ import annotations

import re

import chapters
import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from glmnotes.exercises import PLACEHOLDER_MESSAGE

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


def stream_text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")


@pytest.mark.book
@pytest.mark.parametrize("source", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_every_check_cell_asks_accepts_the_solution_and_rejects_a_wrong_answer(source):
    cells = exercise_cells(source)
    for index, code, solution in cells:
        assert PLACEHOLDER.search(code), f"{source.name} cell {index}: no `answer = ...` line"
        assert solution, f"{source.name} cell {index}: no ```python answer = ...``` in a solution"
    notebook = jupytext.read(source)
    shipped = len(notebook.cells)
    for _, code, solution in cells:
        wrong = re.sub(r"^answer = (.*)$", r"answer = (\1) * 2 + 1", solution, count=1)
        for line in (solution, wrong):
            notebook.cells.append(nbformat.v4.new_code_cell(PLACEHOLDER.sub(line, code, count=1)))
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": "book"}}
    ).execute()
    for number, (index, _, _) in enumerate(cells):
        as_shipped = stream_text(notebook.cells[index])
        assert PLACEHOLDER_MESSAGE in as_shipped, f"cell {index} does not ask: {as_shipped!r}"
        assert "✓" not in as_shipped and "✗" not in as_shipped
        solved = stream_text(notebook.cells[shipped + 2 * number])
        assert "✓" in solved and "✗" not in solved, f"cell {index}, solution: {solved!r}"
        wrong = stream_text(notebook.cells[shipped + 2 * number + 1])
        assert "✗" in wrong, f"cell {index} accepts a wrong answer: {wrong!r}"
