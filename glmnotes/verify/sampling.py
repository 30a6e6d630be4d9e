r"""Where a numeric check looks: random points of the sampling boxes, drawn so that they cannot
be gamed.

* No grid: a real value is :math:`lo + (hi - lo)\,u` with :math:`u` a random fraction of
  ``SAMPLE_DIGITS`` (30) decimal digits, so that no function periodic on a lattice (such as
  :math:`\sin(1000\pi x)`) vanishes at every point.
* Both ends: some points lie within a relative distance :math:`10^{-12}`–:math:`10^{-3}` of
  each end of the box, where Taylor truncations and asymptotic identities are tested hardest.
* Orders of magnitude: a box that spans several (``(0, 3)``, ``(1e-9, 1e-3)``) is also sampled
  with log-uniform magnitudes.
* Kinks: for ``Abs``, ``Max``, ``Min``, ``Heaviside``, ``sign`` and ``Piecewise``, points are
  also placed at and next to the values where their arguments change sign (at relative distances
  :math:`10^{-15}`–:math:`10^{-3}`, on either side in turn), so that a difference confined to a
  narrow region around a kink, or to the kink itself, is found; for ``floor``, ``ceiling`` and
  ``frac``, where their argument is an integer.

Everything is drawn from Python's ``random.Random`` seeded by the derivation label and step, so
the points are the same on every machine (and in the browser, under Pyodide).
"""

from __future__ import annotations

import math
import random

import sympy as sp

from glmnotes.verify.budgets import run_bounded
from glmnotes.verify.inputs import Box, decimal_text

__all__ = ["SAMPLE_DIGITS", "point_text", "sample_matrix", "sample_scalar"]

SAMPLE_DIGITS = 30  # decimal digits of a sampled fraction of the box
MATRIX_DIGITS = 12  # decimal digits of a random matrix entry (exact inverses stay cheap)
STRATEGIES = ("uniform", "near lo", "near hi", "spread")
NONSMOOTH = (sp.Abs, sp.Max, sp.Min, sp.Heaviside, sp.sign, sp.Piecewise)
STEPS = (sp.floor, sp.ceiling, sp.frac)  # jump where their argument is an integer


def _fraction(rng: random.Random, digits: int) -> sp.Rational:
    """A random fraction strictly between 0 and 1 with ``digits`` decimal digits."""
    return sp.Rational(rng.randrange(1, 10**digits), 10**digits)


def strategy(index: int, rng: random.Random) -> str:
    """How point ``index`` is placed: uniform first, then next to each end, then spread over the
    orders of magnitude, then a random mixture."""
    if index < len(STRATEGIES):
        return STRATEGIES[index]
    return rng.choice(("uniform", "uniform", "near lo", "near hi", "spread"))


def sample_scalar(box: Box, rng: random.Random, how: str = "uniform") -> sp.Rational:
    """A value strictly inside ``box`` (an exact decimal), or an integer of its range."""
    if box.integer:
        return _sample_integer(box, rng, how)
    lo, hi = box.lo, box.hi
    width = hi - lo
    if how == "near lo":
        return lo + width * _fraction(rng, SAMPLE_DIGITS) / 10 ** rng.randint(3, 12)
    if how == "near hi":
        return hi - width * _fraction(rng, SAMPLE_DIGITS) / 10 ** rng.randint(3, 12)
    if how == "spread":
        value = _spread(lo, hi, rng)
        if value is not None:
            return value
    return lo + width * _fraction(rng, SAMPLE_DIGITS)


def _sample_integer(box: Box, rng: random.Random, how: str) -> sp.Integer:
    lo, hi = int(box.lo), int(box.hi)
    if how == "near lo":
        return sp.Integer(lo)
    if how == "near hi":
        return sp.Integer(hi)
    if how == "spread" and lo >= 1 and hi >= 100 * lo:
        exponent = rng.uniform(math.log10(lo), math.log10(hi))
        return sp.Integer(min(hi, max(lo, round(10**exponent))))
    return sp.Integer(rng.randint(lo, hi))


def _spread(lo: sp.Rational, hi: sp.Rational, rng: random.Random) -> sp.Rational | None:
    """A value whose order of magnitude is uniform over those the box spans (None when the box
    spans less than two orders of magnitude)."""
    if lo >= 0:
        sign, small, large = 1, max(lo, hi / 10**12), hi
    elif hi <= 0:
        sign, small, large = -1, max(-hi, -lo / 10**12), -lo
    else:
        sign = rng.choice((-1, 1))
        large = hi if sign > 0 else -lo
        small = (hi - lo) / 10**12
    if small <= 0 or large / small < 100:
        return None
    low_decade = math.floor(math.log10(float(small)))
    high_decade = math.ceil(math.log10(float(large)))
    for _ in range(8):
        decade = rng.randint(low_decade, high_decade - 1)
        mantissa = 1 + 9 * _fraction(rng, SAMPLE_DIGITS)
        value = sign * mantissa * sp.Rational(10) ** decade
        if lo < value < hi:
            return value
    return None


def sample_near(
    value: sp.Rational, box: Box, rng: random.Random, side: int = 1, gap: sp.Rational | None = None
) -> sp.Rational | None:
    """A point of ``box`` within a relative distance 1e-15..1e-3 of ``value``, above it
    (``side=1``) or below it (``side=-1``) if that side is in the box (None if neither is).

    ``gap``: the distance to the next kink on that side; the point then falls strictly between the
    two (a difference confined to the interval between two kinks, however narrow, is sampled)."""
    if gap is not None and gap > 0:
        offset = gap * _fraction(rng, SAMPLE_DIGITS) / 10 ** rng.randint(0, 12)
        candidate = value + side * offset
        if box.lo < candidate < box.hi:
            return candidate
    offset = (box.hi - box.lo) * _fraction(rng, SAMPLE_DIGITS) / 10 ** rng.randint(3, 15)
    for candidate in (value + side * offset, value - side * offset):
        if box.lo < candidate < box.hi:
            return candidate
    return None


def kinks(expr: sp.Basic, symbol: sp.Symbol, point: dict, seconds: float) -> list[sp.Rational]:
    """Values of ``symbol`` (the other symbols at ``point``) where an argument of a non-smooth
    function of ``expr`` changes sign: the places a difference confined to a narrow region
    would hide. Bounded in time; exact rationals near each real solution."""
    arguments = []
    for atom in expr.atoms(*STEPS):
        # the integer nearest the argument at the point: the jump a random real never hits
        ok, here = run_bounded(
            lambda a=atom.args[0]: sp.N(a.xreplace(point), 20), seconds, "finding kinks"
        )
        if ok and here is not None and here.is_real and here.is_finite:
            arguments.append(atom.args[0] - sp.Integer(round(float(here))))
    for atom in expr.atoms(*NONSMOOTH):
        if isinstance(atom, sp.Piecewise):
            for _, condition in atom.args:
                if isinstance(condition, sp.Basic):
                    for relation in condition.atoms(sp.core.relational.Relational):
                        arguments.append(relation.lhs - relation.rhs)
        elif isinstance(atom, (sp.Max, sp.Min)):
            args = atom.args
            arguments += [a - b for i, a in enumerate(args) for b in args[i + 1 :]]
        else:
            arguments.append(atom.args[0])
    others = {s: v for s, v in point.items() if s != symbol}
    found: list[sp.Rational] = []
    for argument in arguments:
        argument = argument.xreplace(others)
        if argument.free_symbols != {symbol}:
            continue
        ok, roots = run_bounded(lambda a=argument: sp.solve(a, symbol), seconds, "finding kinks")
        if not ok:
            continue
        for root in roots:
            if root.is_real is False:
                continue
            if root.is_Rational:
                found.append(root)  # exactly: a difference at the kink alone is found there
                continue
            value = sp.N(root, SAMPLE_DIGITS)
            if value.is_real and value.is_finite:
                found.append(sp.Rational(str(value)))
    return found


def sample_matrix(box: Box, shape: tuple[int, int], rng: random.Random) -> sp.ImmutableMatrix:
    """A random exact matrix: uniform entries (``MATRIX_DIGITS`` digits), or spd / positive
    diagonal / symmetric."""
    rows, cols = shape
    lo, hi = (box.lo, box.hi) if box.matrix == "uniform" else (sp.Integer(-1), sp.Integer(1))

    def entry() -> sp.Rational:
        return lo + (hi - lo) * _fraction(rng, MATRIX_DIGITS)

    entries = sp.Matrix(rows, cols, lambda i, j: entry())
    if box.matrix in ("spd", "symmetric", "diagonal") and rows != cols:
        raise ValueError(f"a {box.matrix!r} matrix must be square, got shape {shape}")
    if box.matrix == "spd":
        return sp.ImmutableMatrix(entries * entries.T + rows * sp.eye(rows))
    if box.matrix == "symmetric":
        return sp.ImmutableMatrix((entries + entries.T) / 2)
    if box.matrix == "diagonal":
        return sp.ImmutableMatrix(
            sp.diag(
                *[sp.Rational(1, 2) + 3 * _fraction(rng, MATRIX_DIGITS) / 2 for _ in range(rows)]
            )
        )
    return sp.ImmutableMatrix(entries)


def point_text(value: sp.Rational) -> str:
    """A sampled value for display: exact when short (a decimal, or a fraction such as ``3/7``),
    else 12 significant digits after ``≈``."""
    value = sp.Rational(value)
    q = int(value.q)
    while q % 2 == 0:
        q //= 2
    while q % 5 == 0:
        q //= 5
    if q != 1:  # not a finite decimal
        fraction = f"{value.p}/{value.q}"
        return fraction if len(fraction) <= 15 else "≈ " + decimal_text(value, significant=12)
    exact = decimal_text(value)
    digits = sum(char.isdigit() for char in exact.lstrip("-0.").replace(".", ""))
    if digits <= 15:
        return exact
    return "≈ " + decimal_text(value, significant=12)
