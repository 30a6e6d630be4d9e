"""What a check is given: two expressions, sampling boxes, substitutions and matrix sizes.

Everything is validated here, once, with a ``ValueError`` that says what was wrong and what to
do: floats (16 digits cannot be checked to 30), numpy arrays, relations where an expression is
expected, boxes that contradict a symbol's assumptions (the proofs rely on them).
"""

from __future__ import annotations

import decimal
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.matrices.expressions import MatrixExpr

__all__ = ["Box", "default_box", "parse_dims", "parse_domain", "parse_given"]

MATRIX_KINDS = ("spd", "diagonal", "symmetric")


def _is_numpy(value: Any) -> bool:
    """True for numpy scalars and arrays, without importing numpy (not available everywhere)."""
    return type(value).__module__.split(".")[0] == "numpy"


def as_expression(value: Any, what: str) -> sp.Basic:
    """Sympify ``value`` strictly: sympy objects, Python ints/Fractions and sympy matrices only."""
    if isinstance(value, (bool, str)):
        raise ValueError(f"{what} must be a sympy expression, not {type(value).__name__} {value!r}")
    if isinstance(value, float) or (_is_numpy(value) and hasattr(value, "dtype")):
        if _is_numpy(value) and getattr(value, "ndim", 0) > 0:
            raise ValueError(f"{what} is a numpy array; use sp.Matrix for explicit matrices")
        if _is_numpy(value) and value.dtype.kind in "iu":
            value = int(value)
        else:
            raise ValueError(
                f"{what} is the float {value!r}: floats carry only ~16 digits and cannot be "
                "checked to 30; use sp.Rational or sp.Integer"
            )
    try:
        expr = sp.sympify(value, strict=True)
    except (sp.SympifyError, TypeError) as exc:
        raise ValueError(
            f"{what} must be a sympy expression, not {type(value).__name__}: {exc}"
        ) from None
    if isinstance(expr, sp.MatrixBase):
        expr = sp.ImmutableMatrix(expr)
    if isinstance(expr, sp.logic.boolalg.BooleanAtom):
        raise ValueError(
            f"{what} evaluated to {expr}: sympy decided an sp.Eq on creation; "
            "write sp.Eq(left, right, evaluate=False) so that both sides can be shown and checked"
        )
    if expr.atoms(sp.Float):
        raise ValueError(
            f"{what} contains floating-point numbers {sorted(map(str, expr.atoms(sp.Float)))}: "
            "floats carry only ~16 digits and cannot be checked to 30; use sp.Rational"
        )
    if expr.has(sp.nan):
        raise ValueError(f"{what} contains nan")
    return expr


def shape(expr: sp.Basic) -> tuple | None:
    """Shape of a matrix (explicit or MatrixExpr), None for a scalar."""
    if isinstance(expr, (sp.MatrixBase, MatrixExpr)):
        return tuple(expr.shape)
    return None


def finite_number(value: Any, what: str) -> sp.Rational:
    """A finite real number as an exact Rational (floats are converted by their shortest repr)."""
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a number, not {value!r}")
    if isinstance(value, float) or (_is_numpy(value) and hasattr(value, "dtype")):
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"{what} must be finite, got {value!r}: give a finite sampling box")
        return sp.Rational(repr(value))
    try:
        number = sp.sympify(value, strict=True)
    except (sp.SympifyError, TypeError):
        raise ValueError(f"{what} must be a number, not {value!r}") from None
    if not (number.is_number and number.is_real and number.is_finite):
        raise ValueError(f"{what} must be a finite real number, got {value!r}")
    if not number.is_Rational:
        number = sp.Rational(str(sp.N(number, 30)))
    return number


def exact_text(value: sp.Rational) -> str:
    """An exact value as text that reads back to the same number: a decimal when its denominator
    divides a power of ten, else a fraction ``p/q`` (``3/7``, never ``0.428571428571429``)."""
    value = sp.Rational(value)
    q = int(value.q)
    for prime in (2, 5):
        while q % prime == 0:
            q //= prime
    return decimal_text(value) if q == 1 else f"{value.p}/{value.q}"


def one_line(value: Any) -> str:
    """Plain text on one line, for messages and records (sympy prints explicit matrices over
    several lines)."""
    text = value if isinstance(value, str) else sp.sstr(value)
    return re.sub(r"\s*\n\s*", " ", text).replace("[ [", "[[")


def decimal_text(value: sp.Rational, significant: int | None = None) -> str:
    """An exact value as decimal text: exact when its denominator divides a power of ten (and
    ``significant`` is None), else rounded to ``significant`` (default 15) digits."""
    value = sp.Rational(value)
    if value.q == 1:
        return str(value.p)
    q, twos, fives = int(value.q), 0, 0
    while q % 2 == 0:
        q, twos = q // 2, twos + 1
    while q % 5 == 0:
        q, fives = q // 5, fives + 1
    if q == 1 and significant is None:
        places = max(twos, fives)
        scaled = abs(int(value.p)) * 10**places // int(value.q)
        text = str(scaled).rjust(places + 1, "0")
        text = f"{text[:-places]}.{text[-places:]}".rstrip("0").rstrip(".")
        return ("-" if value < 0 else "") + text
    with decimal.localcontext() as context:
        context.prec = significant or 15
        number = decimal.Decimal(int(value.p)) / decimal.Decimal(int(value.q))
    text = format(number, "g")
    return text


@dataclass(frozen=True)
class Box:
    """Sampling box for one symbol: an open interval, or an inclusive integer range, or a kind of
    random matrix (``"uniform"`` entries in ``(lo, hi)``, ``"spd"``, ``"diagonal"``,
    ``"symmetric"``)."""

    lo: sp.Rational
    hi: sp.Rational
    integer: bool = False
    matrix: str | None = None

    def text(self, symbol: sp.Basic) -> str:
        """Where ``symbol`` is sampled, in words: ``eta in (-30, 30)``."""
        if isinstance(symbol, sp.IndexedBase):
            symbol = f"{symbol}[...]"
        if self.matrix in MATRIX_KINDS:
            return f"{symbol}: random {self.matrix} matrix"
        if self.matrix == "uniform":
            entries = f"({decimal_text(self.lo)}, {decimal_text(self.hi)})"
            return f"{symbol}: random matrix, entries in {entries}"
        if self.integer:
            return f"{symbol} in {{{self.lo}, ..., {self.hi}}}"
        return f"{symbol} in ({decimal_text(self.lo)}, {decimal_text(self.hi)})"

    def record(self) -> list | str:
        if self.matrix in MATRIX_KINDS:
            return self.matrix
        return [decimal_text(self.lo), decimal_text(self.hi)]

    def spec(self) -> Any:
        """The box as ``check_equal(domain=...)`` accepts it."""
        if self.matrix in MATRIX_KINDS:
            return self.matrix
        return (self.lo, self.hi)


def default_box(symbol: sp.Basic) -> Box:
    """A box consistent with the symbol's assumptions, used when ``domain`` does not name it."""
    if isinstance(symbol, sp.MatrixSymbol):
        return Box(sp.Integer(-1), sp.Integer(1), matrix="uniform")
    if symbol.is_integer:
        if symbol.is_positive:
            return Box(sp.Integer(1), sp.Integer(6), integer=True)
        if symbol.is_nonnegative:
            return Box(sp.Integer(0), sp.Integer(6), integer=True)
        if symbol.is_negative:
            return Box(sp.Integer(-6), sp.Integer(-1), integer=True)
        return Box(sp.Integer(-6), sp.Integer(6), integer=True)
    if symbol.is_positive or symbol.is_nonnegative:
        return Box(sp.Integer(0), sp.Integer(3))
    if symbol.is_negative or symbol.is_nonpositive:
        return Box(sp.Integer(-3), sp.Integer(0))
    return Box(sp.Integer(-3), sp.Integer(3))


def parse_domain(domain: Mapping | None) -> dict[sp.Basic, Box]:
    """Validate ``{symbol: (lo, hi)}`` (or a matrix kind for MatrixSymbols) into boxes.

    An ``IndexedBase`` key gives the box of every element ``x[k]`` of that family.
    """
    if domain is None:
        return {}
    if not isinstance(domain, Mapping):
        raise ValueError(f"domain must be a dict {{symbol: (lo, hi)}}, not {type(domain).__name__}")
    boxes: dict[sp.Basic, Box] = {}
    for symbol, spec in domain.items():
        if not isinstance(symbol, (sp.Symbol, sp.MatrixSymbol, sp.IndexedBase)):
            hint = (
                f": give the box of the whole family, domain={{{symbol.base}: (lo, hi)}}"
                if isinstance(symbol, sp.Indexed)
                else ""
            )
            raise ValueError(
                f"domain keys must be sympy Symbols, MatrixSymbols or IndexedBases, got "
                f"{symbol!r} ({type(symbol).__name__}){hint}"
            )
        if isinstance(symbol, sp.MatrixSymbol) and isinstance(spec, str):
            if spec not in MATRIX_KINDS:
                raise ValueError(
                    f"domain of matrix {symbol}: unknown kind {spec!r}; "
                    "use 'spd', 'diagonal', 'symmetric' or an entry range (lo, hi)"
                )
            boxes[symbol] = Box(sp.Integer(-1), sp.Integer(1), matrix=spec)
            continue
        if not (isinstance(spec, (tuple, list)) and len(spec) == 2):
            raise ValueError(f"domain of {symbol} must be a pair (lo, hi), got {spec!r}")
        lo = finite_number(spec[0], f"lower end of the domain of {symbol}")
        hi = finite_number(spec[1], f"upper end of the domain of {symbol}")
        integer = bool(getattr(symbol, "is_integer", False))
        if integer:
            lo, hi = sp.ceiling(lo), sp.floor(hi)
            if symbol.is_positive:
                lo = max(lo, sp.Integer(1))
            if symbol.is_negative:
                hi = min(hi, sp.Integer(-1))
            if lo > hi:
                raise ValueError(f"domain of integer {symbol} contains no integer: {spec!r}")
        elif not lo < hi:
            raise ValueError(f"domain of {symbol} must have lo < hi, got {spec!r}")
        _check_assumptions(symbol, lo, hi, spec)
        kind = "uniform" if isinstance(symbol, sp.MatrixSymbol) else None
        boxes[symbol] = Box(lo, hi, integer=integer, matrix=kind)
    return boxes


def _check_assumptions(symbol: sp.Basic, lo: sp.Rational, hi: sp.Rational, spec: Any) -> None:
    """Refuse a box that contradicts the symbol's sign assumptions (proofs rely on them)."""
    if isinstance(symbol, sp.MatrixSymbol):
        return
    if (symbol.is_positive or symbol.is_nonnegative) and lo < 0:
        raise ValueError(
            f"domain {spec!r} of {symbol} contains negative values but {symbol} is declared "
            "positive/nonnegative; shrink the box or change the assumption"
        )
    if (symbol.is_negative or symbol.is_nonpositive) and hi > 0:
        raise ValueError(
            f"domain {spec!r} of {symbol} contains positive values but {symbol} is declared "
            "negative/nonpositive; shrink the box or change the assumption"
        )


def parse_given(given: Mapping | None) -> dict[sp.Basic, sp.Basic]:
    """Validate ``{old: new}`` substitutions (sympy objects on both sides)."""
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        raise ValueError(f"given must be a dict {{old: new}}, not {type(given).__name__}")
    parsed = {}
    for old, new in given.items():
        if not isinstance(old, sp.Basic):
            raise ValueError(f"given keys must be sympy objects, got {old!r}")
        parsed[old] = as_expression(new, f"given[{old}]")
    return parsed


def parse_dims(dims: Mapping | None) -> dict[sp.Symbol, sp.Integer]:
    """Validate ``{n: 3}``: concrete sizes for the symbolic shapes of MatrixSymbols."""
    if dims is None:
        return {}
    if not isinstance(dims, Mapping):
        raise ValueError(f"dims must be a dict {{n: 3}}, not {type(dims).__name__}")
    parsed = {}
    for size, value in dims.items():
        if not isinstance(size, sp.Symbol):
            raise ValueError(f"dims keys must be sympy Symbols (matrix sizes), got {size!r}")
        if isinstance(value, bool) or not (
            isinstance(value, (int, sp.Integer))
            or (
                _is_numpy(value)
                and getattr(value, "dtype", None) is not None
                and value.dtype.kind in "iu"
            )
        ):
            raise ValueError(f"dims[{size}] must be a positive integer, got {value!r}")
        if int(value) < 1:
            raise ValueError(f"dims[{size}] must be a positive integer, got {value!r}")
        parsed[size] = sp.Integer(int(value))
    return parsed


def is_size(old: sp.Basic, new: sp.Basic) -> bool:
    """A ``given`` entry that fixes a size or a bound (``m = 3``): an integer symbol set to an
    integer. A verdict that needed it holds for that value only."""
    return isinstance(old, sp.Symbol) and bool(old.is_integer) and isinstance(new, sp.Integer)
