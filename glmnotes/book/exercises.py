r"""Exercises that ask: a check cell the reader completes, and the verdicts it prints.

An exercise's check cell ships with a placeholder, ``answer = ...``, and a comment saying what to
put there. Run as shipped, it says what to replace; with an answer, it checks claims built from
the answer (never the answer compared with the solution written in the cell) and prints one
line per claim, ``✓`` or ``✗`` with the checker's verdict. The solution stays in its dropdown, as
a ``python`` code block ``answer = <solution>``: the tests run every check cell with that line,
and with a wrong answer, and require all ``✓`` and at least one ``✗``.

In a chapter::

    answer = ...  # <- replace ... with your A(eta), e.g. -sp.log(1 - sp.exp(eta))
    if exercises.waiting(answer):
        pass
    else:
        exercises.report({
            "the probabilities sum to 1": check_equal(total(answer), 1, domain=...),
            "A'(eta) is the mean": check_equal(sp.diff(answer, eta), mean, domain=...),
        })
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from glmnotes.verify import Verdict

__all__ = ["PLACEHOLDER_MESSAGE", "report", "waiting", "wrong"]

PLACEHOLDER_MESSAGE = (
    "Your turn: replace ... in `answer = ...` with your answer, then run this cell."
)


def waiting(answer: Any) -> bool:
    """True (and the reader told what to do) while ``answer`` is still the placeholder ``...``."""
    if answer is Ellipsis:
        print(PLACEHOLDER_MESSAGE)
        return True
    return False


def report(claims: Mapping[str, Verdict]) -> bool:
    """Print ``✓ <claim>: <verdict>`` or ``✗ <claim>: <verdict>`` per claim; True when every
    claim holds."""
    if not claims:
        raise ValueError("report needs at least one claim to check")
    every = True
    for claim, verdict in claims.items():
        if not isinstance(verdict, Verdict):
            raise ValueError(f"the claim {claim!r} needs a Verdict (from check_equal)")
        mark = "✓" if verdict.holds else "✗"
        every &= verdict.holds
        print(f"{mark} {claim}: {verdict.describe()}")
    return every


def wrong(answer: Any) -> Any:
    """A wrong answer made from a right one (twice it, plus one; plus a matrix of ones for a
    matrix): what the tests give every check cell, which must then print a ``✗``."""
    try:
        return answer * 2 + 1
    except TypeError:
        import sympy as sp

        return answer * 2 + sp.ones(*answer.shape)
