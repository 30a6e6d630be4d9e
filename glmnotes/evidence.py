r"""Numbers a chapter prints as evidence: verdicts and bounds, never the size of round-off.

The last bits of a floating-point result change with the CPU (OpenBLAS and numpy pick their
kernels per processor), with the number of threads and with the order of a sum. A chapter that
printed ``3.6e-15`` for a difference at rounding level would print ``4.4e-15`` on another
machine, and the re-executed book would no longer match its recorded outputs. So a difference
that should be at rounding level is printed as a bound far above it, after the bound is checked:
``below(gap, 1e-12)`` prints ``< 1e-12`` and raises :class:`EvidenceError` (failing the chapter)
when the claim is false. A number that is large compared with its round-off is printed rounded
to the digits that are certain.
"""

from __future__ import annotations

import math
from numbers import Real

__all__ = ["EvidenceError", "above", "below", "below_or_value"]


class EvidenceError(AssertionError):
    """A bound printed as evidence in the book does not hold."""


def _finite_magnitude(value: Real, what: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise EvidenceError(f"{what} is {number}, not a finite number")
    return abs(number)


def _bound(bound: Real) -> float:
    number = float(bound)
    if not (math.isfinite(number) and number > 0):
        raise ValueError(f"a bound must be a positive finite number, got {bound!r}")
    return number


def below(value: Real, bound: Real) -> str:
    r"""``"< bound"`` once :math:`|value| < bound` is checked (else :class:`EvidenceError`).

    For differences that should vanish up to rounding: choose ``bound`` far above the rounding
    level (``1e-12`` for double-precision results of moderate size), so that the printed text is
    the same on every machine.
    """
    limit = _bound(bound)
    magnitude = _finite_magnitude(value, "the value")
    if not magnitude < limit:
        raise EvidenceError(f"{magnitude:.3g} is not below {limit:g}")
    return f"< {limit:g}"


def above(value: Real, bound: Real) -> str:
    r"""``"> bound"`` once :math:`|value| > bound` is checked (else :class:`EvidenceError`).

    For an error that is known to be large (a naive formula losing digits), stated by a lower
    bound that does not depend on how the machine rounds.
    """
    limit = _bound(bound)
    magnitude = _finite_magnitude(value, "the value")
    if not magnitude > limit:
        raise EvidenceError(f"{magnitude:.3g} is not above {limit:g}")
    return f"> {limit:g}"


def below_or_value(value: Real, bound: Real, digits: int = 3) -> str:
    """``"< bound"`` if :math:`|value| < bound`, else ``value`` to ``digits`` significant digits.

    For a quantity that may or may not vanish (a gap that an optimiser may close): a value that
    is not small is printed, one that is small is printed as the bound.
    """
    limit = _bound(bound)
    magnitude = _finite_magnitude(value, "the value")
    if magnitude < limit:
        return f"< {limit:g}"
    return f"{float(value):.{digits}g}"
