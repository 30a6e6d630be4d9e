r"""Derivations checked step by step: symbolically when sympy can prove a step, else numerically.

A chapter writes a derivation as a chain of sympy expressions, one justification per step::

    d = Derivation(sp.Derivative(sp.log(1 + sp.exp(eta)), eta),
                   domain={eta: (-30, 30)}, title="Bernoulli mean", label="bernoulli-mean")
    d.step(sp.exp(eta) / (1 + sp.exp(eta)), "chain rule")
    d.step(1 / (1 + sp.exp(-eta)), "divide by $e^\eta$")

Every step is checked when it is added (:func:`check_equal`):

1. ``given`` substitutions and ``.doit()`` (derivatives, integrals, sums) are applied;
2. symbolic routes, each bounded in time, try to reduce ``left - right`` to zero
   (``cancel``, ``expand``, a gamma-function route, ``simplify``): a zero is a proof;
3. otherwise both sides are evaluated with at least 30 significant digits at random points
   of the ``domain`` box (seeded by the derivation label, so runs are reproducible; the point is
   substituted exactly, so that :math:`1 - y` at :math:`y = 1` is exactly 0) and compared
   with tolerance :math:`|l - r| \le 10^{-20} + 10^{-20} \max(|l|, |r|)`. Elements ``x[k]`` of
   an ``IndexedBase`` are sampled from the box given for ``x``; sums over them with concrete
   bounds are written out first.

A step is false only when a numeric counterexample shows it; if neither route decides, the step
is *not verified* and says so. A false step raises :class:`DerivationError` at once, unless it is
marked as an ``erratum`` (a mistake reproduced from the source notes), which must then be shown
false by a counterexample. The derivation displays in a notebook as an aligned LaTeX block with
one line per step and a mark per verdict (by default, ``"stacked"``, the justification and mark
sit on a small line below each step, for narrow pages; ``layout="inline"`` puts them on the
step's row), carries a machine-readable record in its output
metadata (key ``"glmnotes"``), and records itself in a module registry
(:func:`registry_summary`).
"""

from __future__ import annotations

import contextvars
import dataclasses
import decimal
import enum
import hashlib
import math
import os
import re
import signal
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

import mpmath
import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.matrices.exceptions import NonInvertibleMatrixError, ShapeError
from sympy.matrices.expressions import MatrixExpr

__all__ = [
    "Counterexample",
    "Derivation",
    "DerivationError",
    "DerivationWarning",
    "Step",
    "Summary",
    "Verdict",
    "VerdictKind",
    "check_equal",
    "clear_registry",
    "registry",
    "registry_summary",
]

# --- tolerances and budgets ------------------------------------------------------------------

N_POINTS = 7  # numeric points that must agree
WORKING_DIGITS = 35  # significant digits of each numeric evaluation
CONFIRM_DIGITS = 70  # a disagreement is re-evaluated at this precision before it counts
RTOL = 1e-20
ATOL = 1e-20
# Time budgets are a safety net, not a judge: no step of the book may be cut by one (each
# verdict reports its ``clock_cuts``; the tests require none), so a slower machine reaches the
# same verdicts. The slowest operation of the book takes about 1 s here: the budgets leave a
# margin of 10 or more, and 2.5 at GLMNOTES_TIME_SCALE=0.25 (``make bench`` prints it).
ROUTE_TIME_LIMIT = 10.0  # seconds for one symbolic route (and for .doit())
SYMBOLIC_BUDGET = 20.0  # seconds for all symbolic routes of one check
EVALUATION_TIME_LIMIT = 20.0  # seconds for evaluating one side at one point
TIME_SCALE_VARIABLE = "GLMNOTES_TIME_SCALE"
SIMPLIFY_MAX_OPS = 400  # simplify() is skipped on larger expressions (count_ops)
UNBOUNDED_MAX_OPS = 150  # without a timer (not the main thread) only small expressions are tried

LAYOUTS = ("inline", "stacked")
#: How a derivation is displayed when ``Derivation(layout=...)`` is not given: ``"inline"`` (the
#: justification and mark on the row of the step) or ``"stacked"`` (on a small line below it).
#: Stacked, because the book's content column (about 530 px) is too narrow for most inline rows.
DEFAULT_LAYOUT = "stacked"

GAMMA_LIKE = (
    sp.gamma,
    sp.loggamma,
    sp.lowergamma,
    sp.uppergamma,
    sp.beta,
    sp.polygamma,
    sp.digamma,
    sp.trigamma,
    sp.factorial,
    sp.factorial2,
    sp.binomial,
    sp.RisingFactorial,
    sp.FallingFactorial,
)


class DerivationError(Exception):
    """A step of a derivation is false (or an erratum step is unexpectedly true, or unverified)."""


class DerivationWarning(UserWarning):
    """Something about a derivation deserves attention but is not an error (e.g. a reused label)."""


class _Timeout(BaseException):
    """Raised by the interval timer; a BaseException so that sympy's ``except Exception`` cannot
    swallow it."""


# --- verdicts --------------------------------------------------------------------------------


class VerdictKind(enum.Enum):
    """How a claimed equality was settled."""

    PROVED = "proved"  # a symbolic route reduced left - right to zero
    NUMERIC = "numeric"  # both sides agree at N random points to >= 20 digits
    FAILED = "failed"  # a numeric counterexample
    UNVERIFIED = "unverified"  # neither route could decide


@dataclass(frozen=True)
class Counterexample:
    """A point where the two sides differ, with both values (formatted, 15 significant digits)."""

    point: tuple[tuple[str, str], ...]  # (symbol name, value) pairs
    point_latex: str
    left: str
    right: str
    left_latex: str
    right_latex: str
    entry: tuple[int, ...] | None = None  # the matrix entry that differs, if any

    def describe(self) -> str:
        """``eta = 1.3`` style text for the point (and the entry, for matrices)."""
        where = ", ".join(f"{name} = {value}" for name, value in self.point) or "the point"
        if self.entry is not None:
            where += f", entry {self.entry}"
        return where


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking ``left == right``.

    ``kind`` is a :class:`VerdictKind`; ``route`` names the symbolic route of a proof; ``points``
    and ``digits`` describe a numeric agreement (``digits``: the fewest significant digits in which
    the two sides agreed over the points); ``counterexample`` is set for ``FAILED``; ``reason``
    explains an ``UNVERIFIED`` verdict. ``clock_cuts`` names the operations that a time budget
    stopped (empty when the verdict does not depend on the machine's speed).
    """

    kind: VerdictKind
    route: str | None = None
    points: int = 0
    digits: int | None = None
    counterexample: Counterexample | None = None
    reason: str = ""
    clock_cuts: tuple[str, ...] = ()

    PROVED: ClassVar[VerdictKind] = VerdictKind.PROVED
    NUMERIC: ClassVar[VerdictKind] = VerdictKind.NUMERIC
    FAILED: ClassVar[VerdictKind] = VerdictKind.FAILED
    UNVERIFIED: ClassVar[VerdictKind] = VerdictKind.UNVERIFIED

    @property
    def holds(self) -> bool:
        """True when the equality was proved or agreed numerically."""
        return self.kind in (VerdictKind.PROVED, VerdictKind.NUMERIC)

    def describe(self) -> str:
        """One line of plain text, e.g. ``proved symbolically (cancel)``."""
        if self.kind is VerdictKind.PROVED:
            return f"proved symbolically ({self.route})"
        if self.kind is VerdictKind.NUMERIC:
            return f"agrees numerically at {_points_text(self.points)} (>= {self.digits} digits)"
        if self.kind is VerdictKind.FAILED:
            c = self.counterexample
            return (
                f"false: at {c.describe()} the left side is {c.left}, the right side is {c.right}"
            )
        return f"not verified ({self.reason})"

    def to_record(self) -> dict[str, Any]:
        """A JSON-serialisable dictionary."""
        record: dict[str, Any] = {"kind": self.kind.value}
        if self.route is not None:
            record["route"] = self.route
        if self.kind is VerdictKind.NUMERIC:
            record["points"] = self.points
            record["digits"] = self.digits
        if self.counterexample is not None:
            c = self.counterexample
            record["counterexample"] = {
                "point": dict(c.point),
                "left": c.left,
                "right": c.right,
                "entry": list(c.entry) if c.entry is not None else None,
            }
        if self.reason:
            record["reason"] = self.reason
        if self.clock_cuts:
            record["clock_cuts"] = list(self.clock_cuts)
        return record


def _points_text(points: int) -> str:
    return "1 point" if points == 1 else f"{points} points"


# --- time bounds -----------------------------------------------------------------------------


def time_scale() -> float:
    """The factor applied to every time budget: the environment variable ``GLMNOTES_TIME_SCALE``
    (a positive float, default 1). ``0.25`` behaves like a machine four times slower."""
    text = os.environ.get(TIME_SCALE_VARIABLE, "").strip()
    if not text:
        return 1.0
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(
            f"{TIME_SCALE_VARIABLE}={text!r}: it must be a positive number that multiplies "
            "every time budget of glmnotes.verify (e.g. 0.25 for a machine four times slower); "
            "unset it for the default 1"
        )
    return value


#: Names of the operations of the current check that a time budget stopped (see Verdict).
_CLOCK_CUTS: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "clock_cuts", default=None
)


def _note_clock_cut(what: str) -> None:
    cuts = _CLOCK_CUTS.get()
    if cuts is not None:
        cuts.append(what)


#: (operation, seconds it took, its budget) of every bounded operation, while ``timings()`` runs.
_TIMINGS: contextvars.ContextVar[list[tuple[str, float, float | None]] | None] = (
    contextvars.ContextVar("timings", default=None)
)


@contextmanager
def timings() -> Iterator[list[tuple[str, float, float | None]]]:
    """Collect ``(operation, seconds, budget)`` for every time-bounded operation in the block:
    how close the slowest one comes to its budget (``bench/bench_verify.py`` prints it)."""
    collected: list[tuple[str, float, float | None]] = []
    token = _TIMINGS.set(collected)
    try:
        yield collected
    finally:
        _TIMINGS.reset(token)


def _timed_call(function: Callable[[], Any], seconds: float | None, what: str) -> Any:
    """``function()`` under the timer (when one is usable), its duration noted if collected."""
    log = _TIMINGS.get()
    started = time.perf_counter()
    try:
        if seconds is not None and _timer_available():
            with _alarm(seconds):
                return function()
        return function()
    finally:
        if log is not None:
            log.append((what, time.perf_counter() - started, seconds))


def _timer_available() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _raise_timeout(signum, frame):
    raise _Timeout


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Raise :class:`_Timeout` inside the block after ``seconds`` (main thread only).

    A timer that was already running is restored afterwards (minus the time spent here).
    """
    previous_handler = signal.signal(signal.SIGALRM, _raise_timeout)
    previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, max(seconds, 1e-3))
    started = time.perf_counter()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay > 0:
            remaining = max(previous_delay - (time.perf_counter() - started), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, remaining, previous_interval)


def _run_bounded(
    function: Callable[[], Any], seconds: float | None, what: str = "a symbolic operation"
) -> tuple[bool, Any]:
    """``(True, function())``, or ``(False, None)`` if it ran out of time or raised.

    Without a usable timer (not the main thread, or ``seconds is None``) the call is unbounded;
    callers then avoid routes that can take long. A timeout is noted as a clock cut of ``what``.
    """
    try:
        return True, _timed_call(function, seconds, what)
    except _Timeout:
        _note_clock_cut(what)
        return False, None
    except (Exception, RecursionError):  # sympy raises many kinds; a failed route proves nothing
        return False, None


# --- input validation ------------------------------------------------------------------------


def _as_expression(value: Any, what: str) -> sp.Basic:
    """Sympify ``value`` strictly: sympy objects, Python ints/Fractions and sympy matrices only."""
    if isinstance(value, bool) or isinstance(value, str):
        raise ValueError(f"{what} must be a sympy expression, not {type(value).__name__} {value!r}")
    if isinstance(value, float) or isinstance(value, np.floating):
        raise ValueError(
            f"{what} is the float {value!r}: floats carry only ~16 digits and cannot be checked "
            "to 1e-20; use sp.Rational or sp.Integer"
        )
    if isinstance(value, np.ndarray):
        raise ValueError(f"{what} is a numpy array; use sp.Matrix for explicit matrices")
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
            "floats carry only ~16 digits and cannot be checked to 1e-20; use sp.Rational"
        )
    if expr.has(sp.nan):
        raise ValueError(f"{what} contains nan")
    return expr


def _shape(expr: sp.Basic) -> tuple | None:
    """Shape of a matrix (explicit or MatrixExpr), None for a scalar."""
    if isinstance(expr, (sp.MatrixBase, MatrixExpr)):
        return tuple(expr.shape)
    return None


def _finite_number(value: Any, what: str) -> sp.Rational:
    """A finite real number as an exact Rational (floats are converted exactly)."""
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a number, not {value!r}")
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise ValueError(f"{what} must be finite, got {value!r}: give a finite sampling box")
        return sp.Rational(str(float(value)))
    try:
        number = sp.sympify(value, strict=True)
    except (sp.SympifyError, TypeError):
        raise ValueError(f"{what} must be a number, not {value!r}") from None
    if not (number.is_number and number.is_real and number.is_finite):
        raise ValueError(f"{what} must be a finite real number, got {value!r}")
    if not number.is_Rational:
        number = sp.Rational(str(sp.N(number, 30)))
    return number


@dataclass(frozen=True)
class _Box:
    """Sampling box for one symbol: an open interval, or an inclusive integer range, or a kind of
    random matrix (``"uniform"`` entries in ``(lo, hi)``, ``"spd"``, ``"diagonal"``,
    ``"symmetric"``)."""

    lo: sp.Rational
    hi: sp.Rational
    integer: bool = False
    matrix: str | None = None

    def latex(self, symbol: sp.Basic) -> str:
        name = sp.latex(symbol)
        if isinstance(symbol, sp.IndexedBase):
            name = rf"{name}_{{\dots}}"  # every element of the indexed family
        if self.matrix in ("spd", "diagonal", "symmetric"):
            return rf"{name}\ \text{{random {self.matrix}}}"
        if self.integer:
            return rf"{name} \in \{{{self.lo}, \dots, {self.hi}\}}"
        return rf"{name} \in ({sp.latex(self.lo)}, {sp.latex(self.hi)})"

    def text(self, symbol: sp.Basic) -> str:
        if isinstance(symbol, sp.IndexedBase):
            symbol = f"{symbol}[...]"
        if self.matrix in ("spd", "diagonal", "symmetric"):
            return f"{symbol}: random {self.matrix} matrix"
        if self.integer:
            return f"{symbol} in {{{self.lo}, ..., {self.hi}}}"
        return f"{symbol} in ({_decimal_text(self.lo)}, {_decimal_text(self.hi)})"

    def record(self) -> list | str:
        if self.matrix in ("spd", "diagonal", "symmetric"):
            return self.matrix
        return [_decimal_text(self.lo), _decimal_text(self.hi)]


def _default_box(symbol: sp.Symbol) -> _Box:
    """A box consistent with the symbol's assumptions, used when ``domain`` does not name it."""
    if isinstance(symbol, sp.MatrixSymbol):
        return _Box(sp.Integer(-1), sp.Integer(1), matrix="uniform")
    if symbol.is_integer:
        if symbol.is_positive:
            return _Box(sp.Integer(1), sp.Integer(6), integer=True)
        if symbol.is_nonnegative:
            return _Box(sp.Integer(0), sp.Integer(6), integer=True)
        if symbol.is_negative:
            return _Box(sp.Integer(-6), sp.Integer(-1), integer=True)
        return _Box(sp.Integer(-6), sp.Integer(6), integer=True)
    if symbol.is_positive or symbol.is_nonnegative:
        return _Box(sp.Integer(0), sp.Integer(3))
    if symbol.is_negative or symbol.is_nonpositive:
        return _Box(sp.Integer(-3), sp.Integer(0))
    return _Box(sp.Integer(-3), sp.Integer(3))


def _parse_domain(domain: Mapping | None) -> dict[sp.Basic, _Box]:
    """Validate ``{symbol: (lo, hi)}`` (or a matrix kind for MatrixSymbols) into boxes.

    An ``IndexedBase`` key gives the box of every element ``x[k]`` of that family.
    """
    if domain is None:
        return {}
    if not isinstance(domain, Mapping):
        raise ValueError(f"domain must be a dict {{symbol: (lo, hi)}}, not {type(domain).__name__}")
    boxes: dict[sp.Basic, _Box] = {}
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
            if spec not in ("spd", "diagonal", "symmetric"):
                raise ValueError(
                    f"domain of matrix {symbol}: unknown kind {spec!r}; "
                    "use 'spd', 'diagonal', 'symmetric' or an entry range (lo, hi)"
                )
            boxes[symbol] = _Box(sp.Integer(-1), sp.Integer(1), matrix=spec)
            continue
        if not (isinstance(spec, (tuple, list)) and len(spec) == 2):
            raise ValueError(f"domain of {symbol} must be a pair (lo, hi), got {spec!r}")
        lo = _finite_number(spec[0], f"lower end of the domain of {symbol}")
        hi = _finite_number(spec[1], f"upper end of the domain of {symbol}")
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
        boxes[symbol] = _Box(lo, hi, integer=integer, matrix=None)
        if isinstance(symbol, sp.MatrixSymbol):
            boxes[symbol] = _Box(lo, hi, matrix="uniform")
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


def _parse_given(given: Mapping | None) -> dict[sp.Basic, sp.Basic]:
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        raise ValueError(f"given must be a dict {{old: new}}, not {type(given).__name__}")
    parsed = {}
    for old, new in given.items():
        if not isinstance(old, sp.Basic):
            raise ValueError(f"given keys must be sympy objects, got {old!r}")
        parsed[old] = _as_expression(new, f"given[{old}]")
    return parsed


def _parse_dims(dims: Mapping | None) -> dict[sp.Symbol, sp.Integer]:
    if dims is None:
        return {}
    if not isinstance(dims, Mapping):
        raise ValueError(f"dims must be a dict {{n: 3}}, not {type(dims).__name__}")
    parsed = {}
    for size, value in dims.items():
        if not isinstance(size, sp.Symbol):
            raise ValueError(f"dims keys must be sympy Symbols (matrix sizes), got {size!r}")
        if isinstance(value, bool) or not isinstance(value, (int, np.integer, sp.Integer)):
            raise ValueError(f"dims[{size}] must be a positive integer, got {value!r}")
        if int(value) < 1:
            raise ValueError(f"dims[{size}] must be a positive integer, got {value!r}")
        parsed[size] = sp.Integer(int(value))
    return parsed


# --- preparation: given, doit ----------------------------------------------------------------


def _prepare(expr: sp.Basic, given: Mapping, time_limit: float | None) -> sp.Basic:
    """Apply ``given`` substitutions, then ``.doit()`` (bounded in time; left undone if slow)."""
    if given:
        expr = expr.subs(given)
    ok, done = _run_bounded(expr.doit, time_limit, "doit")
    return _plain_integrals(done) if ok and done is not None else expr


def _plain_integrals(expr: sp.Basic) -> sp.Basic:
    """Turn subclasses of Integral (risch's ``NonElementaryIntegral``, returned by ``doit``) back
    into plain Integrals: ``evalf`` dispatches on the exact class and cannot evaluate them."""
    return expr.replace(
        lambda e: isinstance(e, sp.Integral) and type(e) is not sp.Integral,
        lambda e: sp.Integral(*e.args),
    )


# --- symbolic routes -------------------------------------------------------------------------


def _is_zero(value: Any) -> bool:
    """Structurally zero: 0, a ZeroMatrix, or a matrix of zeros. Nothing else counts."""
    if isinstance(value, sp.ZeroMatrix):
        return True
    if isinstance(value, sp.MatrixBase):
        return all(entry == 0 for entry in value)
    return value == 0


def _gamma_route(e: sp.Expr) -> sp.Expr:
    r"""``cancel(gammasimp(expand_func(e.rewrite(gamma))))``: settles the digamma recurrence
    :math:`\psi(x+1) - \psi(x) = 1/x` and Beta-function ratios, which defeat ``simplify``."""
    return sp.cancel(sp.gammasimp(sp.expand_func(e.rewrite(sp.gamma))))


def _scalar_routes(e: sp.Expr, bounded: bool) -> list[tuple[str, Callable[[], Any]]]:
    """The symbolic routes worth trying on the scalar ``e = left - right``, cheapest first."""
    ops = sp.count_ops(e)
    if not bounded and ops > UNBOUNDED_MAX_OPS:
        return []
    routes: list[tuple[str, Callable[[], Any]]] = [
        ("cancel", lambda: sp.cancel(e)),
        ("expand", lambda: sp.expand(e)),
    ]
    if e.has(*GAMMA_LIKE):
        routes.append(("gamma", lambda: _gamma_route(e)))
    if ops <= SIMPLIFY_MAX_OPS:
        routes.append(("simplify", lambda: sp.simplify(e)))
    return routes


def _prove_scalar_zero(e: sp.Expr, deadline: float, route_limit: float) -> str | None:
    """Name of the first route that reduces ``e`` to 0 before ``deadline``, else None."""
    if e == 0:
        return "identical"
    bounded = _timer_available()
    for name, route in _scalar_routes(e, bounded):
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            _note_clock_cut(f"route {name} (symbolic budget spent)")
            return None
        ok, value = _run_bounded(route, min(route_limit, remaining), f"route {name}")
        if ok and _is_zero(value):
            return name
    return None


def _prove_zero(diff: sp.Basic, deadline: float, route_limit: float) -> str | None:
    """Try to prove ``diff == 0`` for a scalar, an explicit matrix, or a matrix expression."""
    if _is_zero(diff):
        return "identical"
    if isinstance(diff, sp.MatrixBase):
        routes = []
        for entry in diff:
            route = _prove_scalar_zero(entry, deadline, route_limit)
            if route is None:
                return None
            routes.append(route)
        order = ["identical", "cancel", "expand", "gamma", "simplify"]
        return max(routes, key=order.index)
    if isinstance(diff, MatrixExpr):
        for name, route in (
            ("doit", diff.doit),
            ("expand", lambda: sp.expand(diff)),
            ("simplify", lambda: sp.simplify(diff)),
        ):
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                _note_clock_cut(f"route {name} (symbolic budget spent)")
                return None
            ok, value = _run_bounded(route, min(route_limit, remaining), f"route {name}")
            if ok and _is_zero(value):
                return name
        concrete = all(isinstance(size, (int, sp.Integer)) for size in diff.shape)
        # Entrywise over generic symbols X[i, j] is a proof for that size; inverses would
        # expand into huge adjugate formulas, so they are left to the numeric route.
        if concrete and not diff.has(sp.Inverse, sp.MatPow):
            ok, explicit = _run_bounded(
                lambda: sp.ImmutableMatrix(diff.as_explicit()),
                min(route_limit, max(deadline - time.perf_counter(), 0)),
                "as_explicit",
            )
            if ok:
                route = _prove_zero(explicit, deadline, route_limit)
                if route is not None:
                    return f"explicit {route}"
        return None
    return _prove_scalar_zero(diff, deadline, route_limit)


# --- numeric route ---------------------------------------------------------------------------


class _NotNumeric(Exception):
    """An expression could not be reduced to a number at a point."""


def _seed(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")


def _quantum(lo: sp.Rational, hi: sp.Rational) -> sp.Rational:
    """Grid step for sampled values: about four significant digits of the box width."""
    exponent = math.floor(math.log10(float(hi - lo))) - 3
    return sp.Integer(10) ** exponent


def _sample_scalar(box: _Box, rng: np.random.Generator) -> sp.Rational:
    """A value strictly inside the box (a short decimal), or an integer in the inclusive range."""
    if box.integer:
        return sp.Integer(int(rng.integers(int(box.lo), int(box.hi) + 1)))
    quantum = _quantum(box.lo, box.hi)
    while True:
        value = box.lo + (box.hi - box.lo) * sp.Rational(str(rng.uniform(0.0, 1.0)))
        value = sp.Rational(round(value / quantum)) * quantum
        if box.lo < value < box.hi:
            return value


def _sample_matrix(box: _Box, shape: tuple[int, int], rng: np.random.Generator) -> sp.Matrix:
    """A random exact matrix: uniform short-decimal entries, or spd / positive diagonal /
    symmetric."""
    rows, cols = shape
    entry_box = _Box(box.lo, box.hi) if box.matrix == "uniform" else _Box(-sp.Integer(1), 1)
    entries = sp.Matrix(rows, cols, lambda i, j: _sample_scalar(entry_box, rng))
    if box.matrix == "spd":
        if rows != cols:
            raise ValueError(f"an 'spd' matrix must be square, got shape {shape}")
        return entries * entries.T + rows * sp.eye(rows)
    if box.matrix == "symmetric":
        if rows != cols:
            raise ValueError(f"a 'symmetric' matrix must be square, got shape {shape}")
        return (entries + entries.T) / 2
    if box.matrix == "diagonal":
        if rows != cols:
            raise ValueError(f"a 'diagonal' matrix must be square, got shape {shape}")
        positive = _Box(sp.Rational(1, 2), sp.Integer(2))
        return sp.diag(*[_sample_scalar(positive, rng) for _ in range(rows)])
    return entries


def _to_mpc(value: sp.Basic, digits: int) -> mpmath.mpc | None:
    """An evaluated sympy number as an mpmath complex; None if it is not finite.

    ``evalf`` reports a cancellation that left no significant digit as a *scaled zero*: a Float
    of 1-bit precision that prints as ``0.e-153`` but holds the bound :math:`2^{-508}` as its
    value. Such a part is 0 (to within far less than the tolerance) and is taken as 0, not as
    its bound.
    """
    if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return None
    if value.free_symbols or not value.is_number:
        raise _NotNumeric(f"the value {value} still contains symbols")
    re_part, im_part = value.as_real_imag()
    parts = []
    for part in (re_part, im_part):
        if not part.is_Number:
            part = part.evalf(digits)
            if not part.is_Number:
                raise _NotNumeric(f"could not evaluate {value} numerically")
        if part.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            return None
        if _is_scaled_zero(part):
            part = sp.Integer(0)
        parts.append(mpmath.mpf(sp.Float(part, digits)._mpf_))
    return mpmath.mpc(*parts)


def _is_scaled_zero(number: sp.Number) -> bool:
    """True for evalf's "zero to within a bound" (precision of 1 bit, bound below 1e-30)."""
    return (
        isinstance(number, sp.Float)
        and number._prec <= 1
        and abs(mpmath.mpf(number._mpf_)) <= ATOL * 1e-10
    )


_UNEVALUATED = (sp.Integral, sp.Sum, sp.Product, sp.Derivative, sp.Subs, sp.Limit)
_BINDING = (sp.Integral, sp.Sum, sp.Product, sp.Derivative, sp.Subs, sp.Limit, sp.Lambda)


def _evaluated(value: sp.Basic) -> bool:
    """True when ``value`` is a plain number ``a + b i`` (no symbols, integrals, sums, traces,
    ... left)."""
    if value.free_symbols or value.has(*_UNEVALUATED):
        return False
    if value.is_Number:
        return True
    return bool(value.is_number) and all(part.is_Number for part in value.as_real_imag())


def _substitute(expr: sp.Basic, point: dict) -> sp.Basic:
    """``expr`` with the sampled exact values (Rationals, Integers) put in for its symbols.

    Exact arithmetic makes exact cancellations exact: :math:`1 - y` at :math:`y = 1` is the
    Integer 0, where ``evalf(subs=...)`` can only bound it (``0.e-153``). ``xreplace`` is one
    pass; ``subs`` is used when the expression binds variables (sums, integrals, ...), because
    it leaves bound variables alone.
    """
    if not point:
        return expr
    return expr.subs(point) if expr.has(*_BINDING) else expr.xreplace(point)


def _evaluate_scalar(expr: sp.Expr, point: dict, digits: int) -> mpmath.mpc | None:
    """``expr`` at ``point`` to ``digits`` significant digits (None if not finite there).

    The point is substituted exactly (:func:`_substitute`), then ``evalf`` evaluates (numeric
    quadrature and summation included); if something is left unevaluated, ``doit`` before
    ``evalf``; as a last resort ``evalf(subs=point)`` on the original expression.
    """
    exact = _substitute(expr, point)
    value = exact.evalf(digits)
    if not _evaluated(value):
        value = exact.doit().evalf(digits)
    if not _evaluated(value) and point:
        value = expr.evalf(digits, subs=point)
    return _to_mpc(value, digits)


def _evaluate(
    expr: sp.Basic, scalars: dict, matrices: dict, digits: int
) -> list[mpmath.mpc | None]:
    """Entrywise values of a scalar or matrix expression at a point."""
    with mpmath.workdps(digits + 10):
        if matrices:
            expr = expr.xreplace(matrices)
        if isinstance(expr, MatrixExpr):
            expr = _explicit(expr)
        if isinstance(expr, sp.MatrixBase):
            return [_evaluate_scalar(entry, scalars, digits) for entry in expr]
        return [_evaluate_scalar(expr, scalars, digits)]


def _explicit(expr: sp.Basic) -> sp.ImmutableMatrix:
    """An explicit matrix from a matrix expression whose leaves are explicit matrices, evaluated
    bottom-up (sums, products, inverses, transposes, powers); ``as_explicit()`` would build each
    entry as a symbolic sum and is far slower."""
    if isinstance(expr, sp.MatrixBase):
        return sp.ImmutableMatrix(expr)
    if isinstance(expr, sp.Identity):
        return sp.ImmutableMatrix(sp.eye(int(expr.rows)))
    if isinstance(expr, sp.ZeroMatrix):
        return sp.ImmutableMatrix(sp.zeros(int(expr.rows), int(expr.cols)))
    if isinstance(expr, sp.MatAdd):
        terms = [_explicit(term) for term in expr.args]
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return sp.ImmutableMatrix(total)
    if isinstance(expr, sp.MatMul):
        product: Any = sp.Integer(1)
        for factor in expr.args:
            product = product * (_explicit(factor) if factor.is_Matrix else factor)
        return sp.ImmutableMatrix(product)
    if isinstance(expr, sp.Inverse):
        return sp.ImmutableMatrix(_explicit(expr.arg).inv())
    if isinstance(expr, sp.Transpose):
        return sp.ImmutableMatrix(_explicit(expr.arg).T)
    if isinstance(expr, sp.MatPow):
        return sp.ImmutableMatrix(_explicit(expr.base) ** expr.exp)
    done = expr.doit()
    if isinstance(done, sp.MatrixBase):
        return sp.ImmutableMatrix(done)
    return sp.ImmutableMatrix(done.as_explicit())


def _agreement(left: mpmath.mpc, right: mpmath.mpc, digits: int) -> tuple[bool, int]:
    """Whether ``|l - r| <= ATOL + RTOL max(|l|, |r|)``, and the number of agreeing digits."""
    with mpmath.workdps(digits + 10):
        gap = abs(left - right)
        scale = max(abs(left), abs(right))
        agree = gap <= ATOL + RTOL * scale
        if gap == 0:
            return agree, digits
        if scale == 0:
            return agree, 0
        return agree, max(0, min(digits, int(mpmath.floor(-mpmath.log10(gap / scale)))))


def _format_number(value: mpmath.mpc, significant: int, latex: bool) -> str:
    """A complex value as short text (or LaTeX), dropping a zero imaginary part."""

    def real_text(x: mpmath.mpf) -> str:
        text = mpmath.nstr(x, significant, min_fixed=-4, max_fixed=significant)
        if latex and "e" in text:
            mantissa, exponent = text.split("e")
            return rf"{mantissa} \times 10^{{{int(exponent)}}}"
        return text

    re_part, im_part = value.real, value.imag
    if im_part == 0 or abs(im_part) <= 1e-30 * abs(re_part):
        return real_text(re_part)
    sign = "-" if im_part < 0 else "+"
    unit = r"\,i" if latex else "i"
    return f"{real_text(re_part)} {sign} {real_text(abs(im_part))}{unit}"


def _decimal_text(value: sp.Rational) -> str:
    """An exact short decimal for a sampled Rational (whose denominator divides a power of 10)."""
    value = sp.Rational(value)
    if value.q == 1:
        return str(value.p)
    with decimal.localcontext() as context:
        context.prec = 60
        text = str(decimal.Decimal(int(value.p)) / decimal.Decimal(int(value.q)))
    return text if len(text) < 25 else str(sp.Float(value, 15))


def _counterexample(
    scalars: dict, matrices: dict, left: mpmath.mpc, right: mpmath.mpc, entry: tuple | None
) -> Counterexample:
    point = []
    point_latex = []
    for symbol, value in scalars.items():
        point.append((str(symbol), _decimal_text(value)))
        point_latex.append(f"{sp.latex(symbol)} = {_decimal_text(value)}")
    for symbol, value in matrices.items():
        rows, cols = value.shape
        point.append((str(symbol), f"random {rows}x{cols} matrix"))
        point_latex.append(rf"{sp.latex(symbol)}\ \text{{random }} {rows}\times {cols}")
    return Counterexample(
        point=tuple(point),
        point_latex=r",\ ".join(point_latex),
        left=_format_number(left, 15, latex=False),
        right=_format_number(right, 15, latex=False),
        left_latex=_format_number(left, 6, latex=True),
        right_latex=_format_number(right, 6, latex=True),
        entry=entry,
    )


def _numeric_check(
    left: sp.Basic,
    right: sp.Basic,
    boxes: dict[sp.Basic, _Box],
    seed: int,
    n_points: int,
    digits: int,
    time_limit: float | None,
) -> Verdict:
    """Compare both sides at ``n_points`` random points of the domain boxes."""
    both = (left, right)
    undefined = set().union(*(side.atoms(AppliedUndef) for side in both))
    if undefined:
        names = ", ".join(sorted(str(f.func) for f in undefined))
        return Verdict(
            VerdictKind.UNVERIFIED,
            reason=f"undefined function(s) {names} cannot be evaluated numerically",
        )
    matrix_symbols = set().union(*(side.atoms(sp.MatrixSymbol) for side in both))
    for m in matrix_symbols:
        if not all(isinstance(size, (int, sp.Integer)) for size in m.shape):
            raise ValueError(
                f"matrix {m} has symbolic shape {m.shape}: pass dims={{size symbol: integer}} "
                "so that random matrices of concrete size can be substituted"
            )
    scalar_symbols = set().union(*(_free_scalars(side) for side in both)) - matrix_symbols
    symbolic_index = sorted(
        (s for s in scalar_symbols if isinstance(s, sp.Indexed) and not _concrete_element(s)),
        key=str,
    )
    if symbolic_index:
        return Verdict(
            VerdictKind.UNVERIFIED,
            reason=(
                f"{', '.join(map(str, symbolic_index))} has a symbolic index: give the sum "
                "concrete bounds (given={n: 4} or dims={n: 4}) so that its elements can be sampled"
            ),
        )
    element_order = sorted(
        (s for s in scalar_symbols if isinstance(s, sp.Indexed)),
        key=lambda e: (str(e.base), [int(i) for i in e.indices]),
    )
    scalar_symbols = {s for s in scalar_symbols if isinstance(s, sp.Symbol)}
    scalar_order = sorted(scalar_symbols, key=str)
    matrix_order = sorted(matrix_symbols, key=str)

    if not scalar_order and not matrix_order and not element_order:
        n_points = 1  # constants: one evaluation is all there is
    rng = np.random.default_rng(seed)
    agreed, fewest_digits, undefined_points = 0, digits, 0
    max_attempts = 4 * n_points
    for _attempt in range(max_attempts):
        if agreed >= n_points:
            break
        scalars = {s: _sample_scalar(boxes.get(s) or _default_box(s), rng) for s in scalar_order}
        for element in element_order:
            box = boxes.get(element.base) or _default_box(element)
            scalars[element] = _sample_scalar(box, rng)
        matrices = {
            m: _sample_matrix(boxes.get(m) or _default_box(m), tuple(map(int, m.shape)), rng)
            for m in matrix_order
        }
        values = []
        for side in both:
            try:
                ok, value = _run_bounded_numeric(
                    lambda side=side, scalars=scalars, matrices=matrices: _evaluate(
                        side, scalars, matrices, digits
                    ),
                    time_limit,
                )
            except _NotNumeric as exc:
                return Verdict(VerdictKind.UNVERIFIED, reason=str(exc))
            if not ok:
                return Verdict(
                    VerdictKind.UNVERIFIED,
                    reason=f"numeric evaluation took longer than {time_limit} s",
                )
            values.append(value)
        left_values, right_values = values
        if left_values is None or right_values is None or None in left_values + right_values:
            undefined_points += 1
            continue
        if len(left_values) != len(right_values):
            raise ValueError(
                f"the two sides have different numbers of entries "
                f"({len(left_values)} and {len(right_values)})"
            )
        point_digits = digits
        for index, (lv, rv) in enumerate(zip(left_values, right_values, strict=True)):
            agree, entry_digits = _agreement(lv, rv, digits)
            if not agree:
                # A real disagreement survives a doubling of the working precision.
                confirmed = _confirm(both, scalars, matrices, index, time_limit)
                if confirmed is None:
                    entry = _entry_index(left, index)
                    return Verdict(
                        VerdictKind.FAILED,
                        counterexample=_counterexample(scalars, matrices, lv, rv, entry),
                    )
                entry_digits = confirmed
            point_digits = min(point_digits, entry_digits)
        agreed += 1
        fewest_digits = min(fewest_digits, point_digits)
    if agreed < n_points:
        return Verdict(
            VerdictKind.UNVERIFIED,
            reason=(
                f"only {agreed} of {n_points} random points could be evaluated "
                f"({undefined_points} gave non-finite values): check the domain"
            ),
        )
    return Verdict(VerdictKind.NUMERIC, points=agreed, digits=fewest_digits)


def _free_scalars(expr: sp.Basic) -> set[sp.Basic]:
    """The free symbols to sample: sympy counts the label ``x`` of an element ``x[2]`` as free,
    but only a label that also occurs outside the elements is a symbol of its own."""
    free = expr.free_symbols
    elements = {e for e in free if isinstance(e, sp.Indexed)}
    if not elements:
        return free
    outside = expr.xreplace({e: sp.Dummy() for e in expr.atoms(sp.Indexed)}).free_symbols
    return elements | {s for s in free if s in outside}


def _concrete_element(element: sp.Indexed) -> bool:
    """True for an element ``x[2]`` or ``A[1, 3]`` (integer indices), not ``x[i]``."""
    return all(index.is_Integer for index in element.indices)


def _run_bounded_numeric(function: Callable[[], Any], seconds: float | None) -> tuple[bool, Any]:
    """Like :func:`_run_bounded` for one numeric evaluation: ``(False, None)`` on timeout;
    ``(True, None)`` when the point is outside where the expression is defined (a singular
    matrix, a division by zero); other failures become :class:`_NotNumeric`."""
    try:
        return True, _timed_call(function, seconds, "numeric evaluation")
    except _Timeout:
        _note_clock_cut("numeric evaluation")
        return False, None
    except _NotNumeric:
        raise
    except (NonInvertibleMatrixError, ZeroDivisionError):
        return True, None
    except (Exception, RecursionError) as exc:
        raise _NotNumeric(f"numeric evaluation failed: {type(exc).__name__}: {exc}") from None


def _confirm(both, scalars, matrices, index, time_limit) -> int | None:
    """Re-evaluate entry ``index`` at CONFIRM_DIGITS; the agreeing digits if the disagreement
    was a precision artefact, None if it is real."""
    values = []
    for side in both:
        ok, value = _run_bounded_numeric(
            lambda side=side: _evaluate(side, scalars, matrices, CONFIRM_DIGITS), time_limit
        )
        if not ok or value is None or value[index] is None:
            return None
        values.append(value[index])
    agree, agreed_digits = _agreement(values[0], values[1], CONFIRM_DIGITS)
    return agreed_digits if agree else None


def _entry_index(expr: sp.Basic, flat_index: int) -> tuple[int, ...] | None:
    shape = _shape(expr)
    if shape is None:
        return None
    cols = int(shape[1])
    return (flat_index // cols, flat_index % cols)


# --- the single-pair check -------------------------------------------------------------------


def check_equal(
    a: Any,
    b: Any,
    domain: Mapping | None = None,
    given: Mapping | None = None,
    dims: Mapping | None = None,
    *,
    seed: int | str | None = None,
    n_points: int = N_POINTS,
    digits: int = WORKING_DIGITS,
    time_limit: float = ROUTE_TIME_LIMIT,
    symbolic_budget: float = SYMBOLIC_BUDGET,
    evaluation_time_limit: float = EVALUATION_TIME_LIMIT,
    numeric_first: bool = False,
) -> Verdict:
    r"""Check the identity ``a == b`` on the ``domain`` box and return a :class:`Verdict`.

    ``given`` substitutions and ``.doit()`` are applied to both sides; then symbolic routes try to
    reduce :math:`a - b` to zero (``PROVED``); else both sides are evaluated with ``digits``
    significant digits at ``n_points`` random points and compared with
    :math:`|a - b| \le 10^{-20}(1 + \max(|a|, |b|))` (``NUMERIC``, or ``FAILED`` with a
    counterexample). If neither decides, the verdict is ``UNVERIFIED``.

    ``domain`` maps symbols to sampling boxes ``(lo, hi)``; symbols it does not name get a box
    from their assumptions (positive: ``(0, 3)``, real: ``(-3, 3)``, integer: ``-6..6``). An
    ``IndexedBase`` ``x`` as key gives the box of each element ``x[k]`` that occurs (sums and
    products over elements with concrete bounds, from ``given`` or ``dims``, are written out).
    ``dims`` gives concrete sizes for symbolic MatrixSymbol shapes (random matrices are
    substituted). ``seed`` (an int, or a string such as a label) makes the points reproducible;
    by default it is derived from the two expressions. Time: each symbolic route (and ``doit``)
    gets at most ``time_limit`` seconds and all of them together ``symbolic_budget``; one
    numeric evaluation gets ``evaluation_time_limit``; every budget is multiplied by
    :func:`time_scale` (``GLMNOTES_TIME_SCALE``). An operation a budget stopped is named in the
    verdict's ``clock_cuts``: only a verdict without clock cuts is independent of the machine's
    speed. ``numeric_first`` tries the numeric route first (used for errata, which are expected
    to be false).
    """
    left = _as_expression(a, "the left side")
    right = _as_expression(b, "the right side")
    for side, name in ((left, "left"), (right, "right")):
        if isinstance(side, sp.core.relational.Relational):
            raise ValueError(
                f"check_equal compares two expressions, but the {name} side is the relation "
                f"{side}; for an equation pass its sides: check_equal(eq.lhs, eq.rhs)"
            )
    boxes = _parse_domain(domain)
    given_map = _parse_given(given)
    dims_map = _parse_dims(dims)
    if isinstance(n_points, bool) or not isinstance(n_points, int) or n_points < 1:
        raise ValueError(f"n_points must be a positive integer, got {n_points!r}")
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 30:
        raise ValueError(f"digits must be an integer >= 30, got {digits!r}")
    for name, value in (
        ("time_limit", time_limit),
        ("symbolic_budget", symbolic_budget),
        ("evaluation_time_limit", evaluation_time_limit),
    ):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    if seed is None:
        seed = sp.srepr(left) + "|" + sp.srepr(right)
    seed_int = _seed(seed) if isinstance(seed, str) else int(seed)
    scale = time_scale()
    cuts: list[str] = []
    token = _CLOCK_CUTS.set(cuts)
    try:
        verdict = _check_prepared(
            left,
            right,
            boxes,
            given_map,
            dims_map,
            seed_int,
            n_points,
            digits,
            time_limit * scale,
            symbolic_budget * scale,
            evaluation_time_limit * scale,
            numeric_first,
        )
    finally:
        _CLOCK_CUTS.reset(token)
    return dataclasses.replace(verdict, clock_cuts=tuple(cuts)) if cuts else verdict


def _check_prepared(
    left: sp.Basic,
    right: sp.Basic,
    boxes: dict,
    given_map: dict,
    dims_map: dict,
    seed_int: int,
    n_points: int,
    digits: int,
    time_limit: float,
    symbolic_budget: float,
    evaluation_time_limit: float,
    numeric_first: bool,
) -> Verdict:
    """:func:`check_equal` once its inputs are validated and its budgets scaled."""
    deadline = time.perf_counter() + symbolic_budget
    left = _prepare(left, given_map, _remaining(deadline, time_limit))
    right = _prepare(right, given_map, _remaining(deadline, time_limit))
    if dims_map:
        try:
            left, right = left.subs(dims_map), right.subs(dims_map)
        except ShapeError as exc:
            raise ValueError(
                f"shapes do not match once dims={dims_map} are substituted: {exc}"
            ) from None
        boxes = {
            (s.subs(dims_map) if isinstance(s, sp.MatrixSymbol) else s): box
            for s, box in boxes.items()
        }
    if left.has(sp.Indexed) or right.has(sp.Indexed):
        left = _expand_indexed_sums(left, _remaining(deadline, time_limit))
        right = _expand_indexed_sums(right, _remaining(deadline, time_limit))
    _check_shapes(left, right)

    def numeric() -> Verdict:
        return _numeric_check(left, right, boxes, seed_int, n_points, digits, evaluation_time_limit)

    if numeric_first:
        verdict = numeric()
        if verdict.kind is not VerdictKind.UNVERIFIED:
            return verdict
        deadline = time.perf_counter() + symbolic_budget
    route = _symbolic_route(left, right, time_limit, deadline)
    if route is not None:
        return Verdict(VerdictKind.PROVED, route=route)
    return verdict if numeric_first else numeric()


def _expand_indexed_sums(expr: sp.Basic, time_limit: float | None) -> sp.Basic:
    r"""Write out every sum and product over ``Indexed`` terms whose bounds are concrete
    integers, :math:`\sum_{i=1}^{3} x_i \to x_1 + x_2 + x_3`, so that each element that occurs
    can be sampled (bounds made concrete by ``dims`` after ``doit`` are expanded here)."""

    def concrete_over_indexed(e: sp.Basic) -> bool:
        return (
            isinstance(e, (sp.Sum, sp.Product))
            and e.function.has(sp.Indexed)
            and all(lo.is_Integer and hi.is_Integer for _, lo, hi in e.limits)
        )

    ok, expanded = _run_bounded(
        lambda: expr.replace(concrete_over_indexed, lambda e: e.doit()),
        time_limit,
        "writing out sums",
    )
    return expanded if ok else expr


def _remaining(deadline: float, limit: float) -> float:
    return max(min(limit, deadline - time.perf_counter()), 1e-3)


def _check_shapes(left: sp.Basic, right: sp.Basic) -> None:
    left_shape, right_shape = _shape(left), _shape(right)
    if (left_shape is None) != (right_shape is None):
        raise ValueError(
            f"cannot compare a matrix with a scalar (shapes {left_shape} and {right_shape}); "
            "for a 1x1 matrix expression compare its entry M[0, 0]"
        )
    if left_shape is not None and right_shape is not None:
        for l_size, r_size in zip(left_shape, right_shape, strict=True):
            difference = sp.simplify(sp.sympify(l_size) - sp.sympify(r_size))
            if difference.is_number and difference != 0:
                raise ValueError(
                    f"the two sides have different shapes {left_shape} and {right_shape}"
                )


def _symbolic_route(
    left: sp.Basic, right: sp.Basic, route_limit: float, deadline: float
) -> str | None:
    """The name of a symbolic route proving ``left == right`` before ``deadline``."""
    if time.perf_counter() >= deadline:
        _note_clock_cut("symbolic routes (symbolic budget spent)")
        return None
    ok, diff = _run_bounded(
        lambda: left - right, _remaining(deadline, route_limit), "forming left - right"
    )
    if not ok:
        return None
    return _prove_zero(diff, deadline, route_limit)


# --- derivations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One checked line: the expression as written, its justification and verdict.

    ``compared_with`` is the expression the step was checked against (the last true expression
    of an expression chain; None in an equation chain, where each line stands alone).
    """

    number: int
    expr: sp.Basic
    why: str
    verdict: Verdict
    erratum: str | None = None
    time: float = 0.0
    compared_with: sp.Basic | None = None

    def to_record(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "why": self.why,
            "erratum": self.erratum,
            "verdict": self.verdict.to_record(),
            "expr": _one_line(self.expr),
            "latex": _expr_latex(self.expr),
        }


_REGISTRY: dict[str, Derivation] = {}
_LABEL_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")


class Derivation:
    r"""A chain of steps, each checked when it is added.

    Expression chain: ``start`` is an expression; ``step(expr, why)`` checks ``expr`` against the
    last true expression. Equation chain: ``start`` is ``sp.Eq(l, r, evaluate=False)``; every step
    is an ``sp.Eq`` checked as an identity on its own (and so is the start).

    Parameters: ``domain`` maps symbols to sampling boxes ``(lo, hi)`` (integer symbols get
    integer points; MatrixSymbols may use ``"spd"``, ``"diagonal"``, ``"symmetric"`` or an entry
    range); ``given`` maps symbols to substitutions applied before checking; ``dims`` gives
    concrete matrix sizes; ``label`` is a unique id (used in messages, the registry, the audit
    and as the seed of the random points); ``chapter`` groups derivations in
    :func:`registry_summary`; ``layout`` is ``"inline"`` (justification and mark on the row of
    each step) or ``"stacked"`` (on a small indented line below the step, for narrow pages);
    by default ``glmnotes.verify.DEFAULT_LAYOUT`` (``"stacked"``).
    """

    def __init__(
        self,
        start: Any,
        *,
        label: str,
        domain: Mapping | None = None,
        given: Mapping | None = None,
        title: str | None = None,
        dims: Mapping | None = None,
        chapter: str | None = None,
        n_points: int = N_POINTS,
        time_limit: float = ROUTE_TIME_LIMIT,
        symbolic_budget: float = SYMBOLIC_BUDGET,
        allow_unverified: bool = False,
        layout: str | None = None,
    ) -> None:
        if layout is None:
            layout = DEFAULT_LAYOUT
        if layout not in LAYOUTS:
            raise ValueError(
                f"layout must be one of {LAYOUTS} (justifications beside or below each step), "
                f"got {layout!r}"
            )
        if not isinstance(label, str) or not _LABEL_PATTERN.match(label):
            raise ValueError(
                f"label must be a non-empty string of letters, digits, '-', '_', '.', ':' "
                f"(it names the derivation in messages and the audit), got {label!r}"
            )
        if title is not None and not isinstance(title, str):
            raise ValueError(f"title must be a string, got {title!r}")
        self.label = label
        self.title = title if title else label
        self.chapter = chapter
        self.layout = layout
        self.start = _as_expression(start, f"the start of derivation {label!r}")
        self.domain = _parse_domain(domain)
        self.given = _parse_given(given)
        self.dims = _parse_dims(dims)
        self.n_points = n_points
        self.time_limit = time_limit
        self.symbolic_budget = symbolic_budget
        self.steps: list[Step] = []
        self.start_verdict: Verdict | None = None
        if isinstance(self.start, sp.Equality):
            self.is_equation_chain = True
            self._last_true: sp.Basic | None = None
            verdict = self._check(self.start.lhs, self.start.rhs, 0, numeric_first=False)
            self._raise_unless_accepted(verdict, 0, "start", None, allow_unverified, self.start)
            self.start_verdict = verdict
        elif isinstance(self.start, sp.core.relational.Relational):
            raise ValueError(
                f"the start of derivation {label!r} is the relation {self.start}; only sp.Eq "
                "(an equation chain) or an expression (an expression chain) can be checked"
            )
        else:
            self.is_equation_chain = False
            self._last_true = self.start
        self._register()

    # -- checking --

    def _check(self, left: sp.Basic, right: sp.Basic, number: int, numeric_first: bool) -> Verdict:
        return check_equal(
            left,
            right,
            domain={s: _box_spec(b) for s, b in self.domain.items()},
            given=self.given,
            dims=self.dims,
            seed=f"{self.label}#{number}",
            n_points=self.n_points,
            time_limit=self.time_limit,
            symbolic_budget=self.symbolic_budget,
            numeric_first=numeric_first,
        )

    def step(
        self,
        expr: Any,
        why: str,
        *,
        erratum: str | None = None,
        allow_unverified: bool = False,
    ) -> None:
        """Add and check one step; raise :class:`DerivationError` if it is false.

        ``erratum="<reference>"`` marks a step reproducing a mistake of the notes: it must be
        shown false by a counterexample (it raises if it holds or cannot be decided), and the
        chain continues from the last true expression. ``allow_unverified=True`` accepts a step
        that neither route can decide; it is displayed as not verified.
        """
        number = len(self.steps) + 1
        if not isinstance(why, str) or not why.strip():
            raise ValueError(
                f"derivation {self.label!r}, step {number}: every step needs a justification "
                f"string `why`, got {why!r}"
            )
        if erratum is not None and (not isinstance(erratum, str) or not erratum.strip()):
            raise ValueError(
                f"derivation {self.label!r}, step {number}: erratum must be a short reference "
                f"string (e.g. '000: log-likelihood'), got {erratum!r}"
            )
        expr = _as_expression(expr, f"step {number} of derivation {self.label!r}")
        if self.is_equation_chain:
            if not isinstance(expr, sp.Equality):
                raise ValueError(
                    f"derivation {self.label!r} is an equation chain (it starts with sp.Eq): "
                    f"step {number} must be sp.Eq(left, right, evaluate=False), got {expr}"
                )
            left, right, compared_with = expr.lhs, expr.rhs, None
        else:
            if isinstance(expr, sp.core.relational.Relational):
                raise ValueError(
                    f"derivation {self.label!r} is an expression chain: step {number} must be an "
                    f"expression (the next right-hand side), got the relation {expr}"
                )
            left, right, compared_with = self._last_true, expr, self._last_true
        started = time.perf_counter()
        verdict = self._check(left, right, number, numeric_first=erratum is not None)
        elapsed = time.perf_counter() - started
        self._raise_unless_accepted(verdict, number, why, erratum, allow_unverified, expr)
        self.steps.append(
            Step(number, expr, why, verdict, erratum, elapsed, compared_with=compared_with)
        )
        if erratum is None and not self.is_equation_chain:
            self._last_true = expr

    def _raise_unless_accepted(
        self,
        verdict: Verdict,
        number: int,
        why: str,
        erratum: str | None,
        allow_unverified: bool,
        expr: sp.Basic,
    ) -> None:
        where = f"derivation {self.label!r}, step {number} ({why})"
        if erratum is None:
            if verdict.kind is VerdictKind.FAILED:
                c = verdict.counterexample
                left = (
                    self.start.lhs
                    if number == 0
                    else (expr.lhs if self.is_equation_chain else self._last_true)
                )
                right = expr.rhs if self.is_equation_chain else expr
                raise DerivationError(
                    f"{where} is false: at {c.describe()} the left side is {c.left} and the "
                    f"right side is {c.right}.\n  left side:  {_one_line(left)}\n"
                    f"  right side: {_one_line(right)}"
                )
            if verdict.kind is VerdictKind.UNVERIFIED and not allow_unverified:
                raise DerivationError(
                    f"{where} could not be verified: {verdict.reason}. Pass "
                    "allow_unverified=True to show it marked as not verified."
                )
            return
        if verdict.holds:
            raise DerivationError(
                f"{where}, erratum {erratum!r}: expected the notes' step to be false but it "
                f"holds ({verdict.describe()})"
            )
        if verdict.kind is VerdictKind.UNVERIFIED:
            raise DerivationError(
                f"{where}, erratum {erratum!r}: the notes' step could not be shown false by a "
                f"numeric counterexample ({verdict.reason})"
            )

    # -- registry --

    def _register(self) -> None:
        previous = _REGISTRY.pop(self.label, None)
        if previous is not None and (
            sp.srepr(previous.start) != sp.srepr(self.start) or previous.title != self.title
        ):
            warnings.warn(
                f"derivation label {self.label!r} reused for a different derivation; the "
                "registry keeps the newer one (labels must be unique)",
                DerivationWarning,
                stacklevel=3,
            )
        _REGISTRY[self.label] = self

    def lines(self) -> list[tuple[Verdict, str | None]]:
        """(verdict, erratum) of every checked line: the start of an equation chain, then steps."""
        checked = [(self.start_verdict, None)] if self.start_verdict is not None else []
        return checked + [(s.verdict, s.erratum) for s in self.steps]

    def counts(self) -> dict[str, int]:
        """Checked lines by outcome: proved, numeric, errata (shown false), unverified."""
        counts = {"steps": 0, "proved": 0, "numeric": 0, "errata": 0, "unverified": 0}
        for verdict, erratum in self.lines():
            counts["steps"] += 1
            if erratum is not None:
                counts["errata"] += 1
            else:
                counts[verdict.kind.value] += 1
        return counts

    # -- display --

    def domain_latex(self) -> str:
        """The sampling boxes as LaTeX, e.g. ``\\eta \\in (-30, 30)``."""
        return r",\quad ".join(box.latex(s) for s, box in self.domain.items())

    def latex(self) -> str:
        r"""The aligned block (without ``$$``): one line per checked step.

        Inline layout: ``left &= right && \text{(why)}\ <mark>``. Stacked layout: the step
        ``left &= right``, then ``&\qquad {\small \text{(why)}\ <mark>}`` on the row below
        (and a counterexample on a further row).
        """
        rows = []  # (relation row, why, verdict, erratum)
        if self.is_equation_chain:
            start = rf"{_expr_latex(self.start.lhs)} &= {_expr_latex(self.start.rhs)}"
            rows.append((start, "start", self.start_verdict, None))
            for s in self.steps:
                relation = r"\neq" if s.erratum is not None else "="
                row = rf"{_expr_latex(s.expr.lhs)} &{relation} {_expr_latex(s.expr.rhs)}"
                rows.append((row, s.why, s.verdict, s.erratum))
        else:
            previous_shown = self.start
            for index, s in enumerate(self.steps):
                relation = r"\neq" if s.erratum is not None else "="
                left = ""
                if index == 0 or s.compared_with is not previous_shown:
                    left = _expr_latex(s.compared_with)
                rows.append(
                    (rf"{left} &{relation} {_expr_latex(s.expr)}", s.why, s.verdict, s.erratum)
                )
                previous_shown = s.expr
        lines = []
        for row, why, verdict, erratum in rows:
            if self.layout == "stacked":
                lines += [row, *_stacked_annotation_lines(why, verdict, erratum)]
            else:
                lines.append(f"{row} && {_annotation_latex(why, verdict, erratum)}")
        if not rows:
            lines = [rf"{_expr_latex(self.start)} &"]
        return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"

    def _repr_latex_(self) -> str:
        return "$$" + self.latex() + "$$"

    def record(self) -> dict[str, Any]:
        """Machine-readable record (JSON-serialisable), attached to display outputs."""
        record: dict[str, Any] = {
            "version": 1,
            "label": self.label,
            "title": self.title,
            "chapter": self.chapter,
            "chain": "equation" if self.is_equation_chain else "expression",
            "start": _one_line(self.start),
            "domain": {str(s): box.record() for s, box in self.domain.items()},
            "steps": [s.to_record() for s in self.steps],
            "counts": self.counts(),
        }
        if self.start_verdict is not None:
            record["start_verdict"] = self.start_verdict.to_record()
        return record

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"text/plain": str(self), "text/latex": self._repr_latex_()}
        return data, {"glmnotes": self.record()}

    def __str__(self) -> str:
        lines = [f"Derivation {self.label!r}: {self.title}"]
        if self.domain:
            lines.append("  domain: " + ", ".join(b.text(s) for s, b in self.domain.items()))
        if self.given:
            lines.append("  given: " + ", ".join(f"{k} = {v}" for k, v in self.given.items()))
        if self.is_equation_chain:
            lines.append(
                f"  0. {_one_line(self.start.lhs)} = {_one_line(self.start.rhs)}"
                f"    [start] {_one_line(self.start_verdict.describe())}"
            )
            for s in self.steps:
                relation = "!=" if s.erratum is not None else "="
                lines.append(
                    f"  {s.number}. {_one_line(s.expr.lhs)} {relation} {_one_line(s.expr.rhs)}"
                    f"    [{_one_line(s.why)}] {_plain_mark(s)}"
                )
        else:
            lines.append(f"     {_one_line(self.start)}")
            for s in self.steps:
                relation = "!=" if s.erratum is not None else "="
                expression, why = _one_line(s.expr), _one_line(s.why)
                lines.append(f"  {s.number}. {relation} {expression}    [{why}] {_plain_mark(s)}")
        return "\n".join(lines)

    __repr__ = __str__


def _box_spec(box: _Box) -> Any:
    """Turn a parsed box back into the user-level spec (for check_equal)."""
    if box.matrix in ("spd", "diagonal", "symmetric"):
        return box.matrix
    return (box.lo, box.hi)


def _one_line(value: Any) -> str:
    """Plain text on one line (sympy prints explicit matrices over several lines)."""
    text = value if isinstance(value, str) else sp.sstr(value)
    return re.sub(r"\s*\n\s*", " ", text).replace("[ [", "[[")


def _plain_mark(s: Step) -> str:
    if s.erratum is not None:
        return _one_line(f"erratum {s.erratum}: {s.verdict.describe()}")
    return _one_line(s.verdict.describe())


def _expr_latex(expr: sp.Basic) -> str:
    return sp.latex(expr)


_TEXT_SPECIALS = {
    "\\": r"\backslash ",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "^": r"\hat{}",
    "~": r"\sim ",
}


def _text_latex(text: str) -> str:
    r"""Plain text as math-mode LaTeX: ``\text{...}`` runs, with TeX specials set as symbols and
    ``$...$`` segments kept as math (so a justification may contain inline math)."""
    text = " ".join(text.split())  # no newlines: a blank line would split sphinx's math block
    pieces = text.split("$")
    if len(pieces) % 2 == 0 or any(not _balanced(m) for m in pieces[1::2]):
        pieces = [text]  # unbalanced dollars or braces: everything is text
    out = []
    for index, piece in enumerate(pieces):
        if index % 2 == 1:
            out.append("{" + piece + "}")
            continue
        run = []
        for char in piece:
            if char in _TEXT_SPECIALS:
                if run:
                    out.append(r"\text{" + "".join(run) + "}")
                    run = []
                out.append(_TEXT_SPECIALS[char])
            else:
                run.append(char)
        if run:
            out.append(r"\text{" + "".join(run) + "}")
    return "".join(out)


def _balanced(latex: str) -> bool:
    depth = 0
    escaped = False
    for char in latex:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _annotation_latex(why: str, verdict: Verdict, erratum: str | None) -> str:
    r"""``\text{(why)}`` followed by the mark of the verdict."""
    annotation = _text_latex(f"({why})")
    if verdict.kind is VerdictKind.PROVED:
        mark = r"\checkmark\,{\scriptstyle\text{symbolic}}"
    elif verdict.kind is VerdictKind.NUMERIC:
        mark = rf"\checkmark\,{{\scriptstyle\text{{numeric, {_points_text(verdict.points)}}}}}"
    elif verdict.kind is VerdictKind.FAILED:
        where = _counterexample_latex(verdict.counterexample)
        mark = rf"\times\,{{\scriptstyle {_false_latex(erratum)}\text{{: at }}{where}}}"
    else:
        mark = r"?\,{\scriptstyle\text{not verified}}"
    return annotation + r"\ " + mark


def _stacked_annotation_lines(why: str, verdict: Verdict, erratum: str | None) -> list[str]:
    r"""The annotation of one step for the stacked layout, as rows of the aligned block: one
    small indented row, ``&\qquad {\small \text{(why)}\ <mark>}``; a counterexample (long: a
    point and two values) gets a row of its own below it."""
    if verdict.kind is not VerdictKind.FAILED:
        return [rf"&\qquad {{\small {_annotation_latex(why, verdict, erratum)}}}"]
    where = _counterexample_latex(verdict.counterexample)
    return [
        rf"&\qquad {{\small {_text_latex(f'({why})')}\ \times\,{{\scriptstyle "
        rf"{_false_latex(erratum)}}}}}",
        rf"&\qquad {{\small {{\scriptstyle \text{{at }}{where}}}}}",
    ]


def _false_latex(erratum: str | None) -> str:
    return _text_latex(f"false [{erratum}]") if erratum else r"\text{false}"


def _counterexample_latex(c: Counterexample) -> str:
    r"""``<point>, left <value>, right <value>`` (with the matrix entry, if any) in LaTeX."""
    entry = rf"\text{{, entry }}{c.entry}" if c.entry is not None else ""
    return rf"{c.point_latex}{entry}\text{{, left }}{c.left_latex}\text{{, right }}{c.right_latex}"


# --- registry --------------------------------------------------------------------------------


class Summary(dict):
    """Counts of checked lines by outcome; ``str()`` gives a sentence for the end of a chapter.

    ``derivations`` counts the derivations with at least one checked line (a derivation whose
    only step raised has none and is not counted).
    """

    def __str__(self) -> str:
        steps = "1 step" if self["steps"] == 1 else f"{self['steps']} steps"
        derivations = (
            "1 derivation" if self["derivations"] == 1 else f"{self['derivations']} derivations"
        )
        return (
            f"{steps} checked in {derivations}: "
            f"{self['proved']} proved symbolically, {self['numeric']} verified numerically, "
            f"{self['errata']} errata from the notes shown false, "
            f"{self['unverified']} not verified"
        )


def registry() -> list[Derivation]:
    """All derivations created in this session (one per label, newest wins), in creation order."""
    return list(_REGISTRY.values())


def clear_registry() -> None:
    """Forget all registered derivations (for tests and fresh starts)."""
    _REGISTRY.clear()


def registry_summary(chapter: str | None = None) -> Summary:
    """Counts per outcome over the registered derivations (of one ``chapter`` if given):
    ``derivations`` (those with at least one checked line: one whose only step was false and
    raised checked nothing), ``steps`` (checked lines), ``proved``, ``numeric``, ``errata``,
    ``unverified``, and ``by_chapter`` (the same counts per chapter)."""
    keys = ("steps", "proved", "numeric", "errata", "unverified")
    total = Summary(derivations=0, **dict.fromkeys(keys, 0))
    by_chapter: dict[str | None, dict[str, int]] = {}
    for derivation in _REGISTRY.values():
        if chapter is not None and derivation.chapter != chapter:
            continue
        counts = derivation.counts()
        if counts["steps"] == 0:
            continue
        bucket = by_chapter.setdefault(
            derivation.chapter, {"derivations": 0, **dict.fromkeys(keys, 0)}
        )
        bucket["derivations"] += 1
        total["derivations"] += 1
        for key in keys:
            bucket[key] += counts[key]
            total[key] += counts[key]
    total["by_chapter"] = by_chapter
    return total
