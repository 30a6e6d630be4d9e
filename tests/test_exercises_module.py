"""glmnotes.book.exercises: the placeholder asks, the report prints one verdict per claim."""

import pytest
import sympy as sp

from glmnotes.book import exercises
from glmnotes.verify import check_equal

x = sp.Symbol("x", real=True)


def test_the_placeholder_asks_and_an_answer_does_not(capsys):
    assert exercises.waiting(...) is True
    assert exercises.PLACEHOLDER_MESSAGE in capsys.readouterr().out
    assert exercises.waiting(x**2) is False
    assert capsys.readouterr().out == ""


def test_report_prints_a_mark_per_claim(capsys):
    ok = exercises.report({"expand": check_equal((x + 1) ** 2, x**2 + 2 * x + 1)})
    assert ok and capsys.readouterr().out.startswith("✓ expand: proved")
    mixed = exercises.report(
        {"right": check_equal(x + x, 2 * x), "wrong": check_equal((x + 1) ** 2, x**2 + 1)}
    )
    out = capsys.readouterr().out.splitlines()
    assert not mixed and out[0].startswith("✓ right") and out[1].startswith("✗ wrong: false")


def test_report_needs_verdicts():
    with pytest.raises(ValueError, match="at least one claim"):
        exercises.report({})
    with pytest.raises(ValueError, match="needs a Verdict"):
        exercises.report({"a number": 3})


def test_wrong_answers_differ_from_the_right_ones():
    import numpy as np

    assert exercises.wrong(x) == 2 * x + 1
    matrix = sp.Matrix([[1, 2], [3, 4]])
    assert exercises.wrong(matrix) == 2 * matrix + sp.ones(2, 2)
    assert (exercises.wrong(np.eye(2)) == 2 * np.eye(2) + 1).all()


def test_the_placeholder_message_fits_a_line():
    assert len(exercises.PLACEHOLDER_MESSAGE) <= 79
