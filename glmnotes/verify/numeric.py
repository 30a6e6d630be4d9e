r"""The numeric route: the difference of the two sides evaluated at random points, at two
precisions, judged relative to the size of the terms — never against an absolute floor.

At each point the sampled values are substituted exactly (so :math:`1 - y` at :math:`y = 1` is
exactly 0) and the difference :math:`D = \text{left} - \text{right}` is evaluated by sympy's
``evalf``, which tracks the accuracy of every term and raises its working precision where terms
cancel. Three outcomes:

* :math:`D` is exactly 0, or ``evalf`` finds no significant digit up to ``MAX_DIGITS`` (a *scaled
  zero*: the difference is below :math:`10^{-\text{MAX\_DIGITS}}` relative to its terms) — the
  two sides agree at the point, to the number of digits the bound establishes;
* :math:`D` is resolved to a non-zero number — it is evaluated again at twice the precision, and
  if the value stands, the point is a counterexample, however small :math:`D` is compared with the
  sides (:math:`e^{-60} \ne 0`; a rational matching :math:`\pi` to 30 digits is not :math:`\pi`);
  a value that falls with the precision was an artefact of the evaluation and the point agrees;
* a side is not finite there: nothing is decided at the point.

A point that decides nothing (a side not finite, or neither agreement nor a difference
established) is never dropped silently: a numeric verdict names it (``Verdict.undecided``) and
does not claim it. A value's accuracy is that of its resolved parts, so sides that differ only
by an imaginary amount differ.

Both sides exactly 0 is the only way to agree at 0: a side that is merely tiny is compared like
any other number. The verdict claims the fewest digits established over the points, and agreement
below ``MIN_DIGITS`` digits does not count.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy as sp
import sympy.core.evalf as sympy_evalf
from sympy.core.function import AppliedUndef
from sympy.matrices.exceptions import NonInvertibleMatrixError
from sympy.matrices.expressions import MatrixExpr

from glmnotes.verify.budgets import MemoryCut, run_timed
from glmnotes.verify.exact_size import (
    FLOATING_PRECISION_CAP,
    Floating,
    PrecisionCut,
    guard,
    guarded,
    note_memory_cut,
)
from glmnotes.verify.inputs import Box, default_box, exact_text, shape
from glmnotes.verify.sampling import (
    NONSMOOTH,
    STEPS,
    kinks,
    point_text,
    sample_matrix,
    sample_near,
    sample_scalar,
    strategy,
)
from glmnotes.verify.verdicts import Counterexample, Verdict, VerdictKind, points_text

__all__ = ["MAX_DIGITS", "MIN_DIGITS", "N_POINTS", "WORKING_DIGITS", "numeric_check"]

N_POINTS = 7  # points for expressions that are costly to evaluate (integrals, sums, matrices)
N_POINTS_CHEAP = 12  # points for small closed-form scalar expressions
CHEAP_OPS = 120  # count_ops of both sides below which an expression is cheap
WORKING_DIGITS = 35  # significant digits of the first evaluation
MAX_DIGITS = 105  # working precision evalf may reach while resolving a cancellation
ESCALATED_DIGITS = 420  # ... and for cheap expressions, when that did not resolve it
CHEAP_REACH = (MAX_DIGITS, ESCALATED_DIGITS)
COSTLY_REACH = (50, 50)  # integrals, sums, matrices and functions defined outside sympy
MIN_DIGITS = 25  # fewer established digits than this do not count as agreement
OUTSIDE_POINTS = 4  # points outside the box where a numeric identity is probed (half if costly)

_UNEVALUATED = (sp.Integral, sp.Sum, sp.Product, sp.Derivative, sp.Subs, sp.Limit)
_BINDING = (sp.Integral, sp.Sum, sp.Product, sp.Derivative, sp.Subs, sp.Limit, sp.Lambda)


class NotNumeric(Exception):
    """An expression could not be reduced to a number at a point."""


@dataclass(frozen=True)
class Evaluated:
    """A number from ``evalf``: its value, and the bits of it that are certain (0 for a
    scaled zero, which only bounds the magnitude; ``None`` for an exact number)."""

    number: mpmath.mpc
    accuracy: int | None

    @property
    def exact_zero(self) -> bool:
        return self.accuracy is None and self.number == 0

    @property
    def resolved(self) -> bool:
        """Known to be non-zero: an exact non-zero number, or at least 8 certain bits."""
        return self.number != 0 and (self.accuracy is None or self.accuracy >= 8)


class _NumericPower(sp.Function):
    r""":math:`b^e` for rationals :math:`b`, :math:`e` whose exact power sympy would try to
    simplify by extracting perfect roots — hopeless for an exponent whose denominator has 30
    digits (a sampled point). Kept whole, and evaluated by mpmath at the requested precision."""

    nargs = 2

    def _eval_evalf(self, prec):
        base, exponent = self.args
        with mpmath.workprec(prec + 20):
            value = mpmath.power(
                mpmath.mpf(int(base.p)) / int(base.q), mpmath.mpf(int(exponent.p)) / int(exponent.q)
            )
        if isinstance(value, mpmath.mpc):
            real = sp.Float._new(value.real._mpf_, prec)
            imag = sp.Float._new(value.imag._mpf_, prec)
            return real + sp.I * imag
        return sp.Float._new(value._mpf_, prec)

    def _eval_is_zero(self):
        return self.args[0].is_zero and self.args[1].is_positive


def _awkward_power(base: sp.Basic, exponent: sp.Basic) -> bool:
    return (
        base.is_Rational
        and exponent.is_Rational
        and not exponent.is_Integer
        and base not in (0, 1, -1)
        and max(abs(int(exponent.q)), abs(int(exponent.p))) > 10**4
    )


def _rebuild(expr: sp.Basic, point: dict) -> sp.Basic:
    """``expr.xreplace(point)``, rebuilt bottom-up, with awkward numeric powers kept whole."""
    if expr in point:
        return point[expr]
    if not expr.args or not (expr.free_symbols & point.keys()):
        return expr
    args = [_rebuild(arg, point) for arg in expr.args]
    if isinstance(expr, sp.Pow) and _awkward_power(*args):
        return _NumericPower(*args)
    return guarded(expr.func, tuple(args))


def substitute(expr: sp.Basic, point: dict) -> sp.Basic:
    """``expr`` with the sampled exact values put in for its symbols (``subs`` when it binds
    variables, which leaves bound variables alone; else one exact bottom-up pass)."""
    if not point:
        return expr
    if expr.has(*_BINDING):
        return guard(expr, point).subs(point)
    return _rebuild(expr, point)


def _evaluated(value: sp.Basic) -> bool:
    if value.free_symbols or value.has(*_UNEVALUATED):
        return False
    if value.is_Number:
        return True
    return bool(value.is_number) and all(part.is_Number for part in value.as_real_imag())


def _evalf(exact: sp.Basic, digits: int, maxn: int) -> sp.Basic:
    """``evalf`` of an expression without free symbols; ``doit`` first if that is needed."""
    with _precision_capped(exact.has(Floating)):
        value = exact.evalf(digits, maxn=maxn)
        if not _evaluated(value):
            value = exact.doit().evalf(digits, maxn=maxn)
    return value


@contextmanager
def _precision_capped(active: bool) -> Iterator[None]:
    """Inside the block (when ``active``), any evalf step asked for more than
    ``FLOATING_PRECISION_CAP`` bits raises :class:`PrecisionCut` (a memory cut). evalf raises
    its precision by the size of a cancellation, and huge values kept in floating precision
    (:class:`Floating`) cancelling beside a small term would ask for billions of bits of every
    term, in whatever order evalf takes them; no other check needs more than a few thousand."""
    if not active:
        yield
        return
    original = sympy_evalf.evalf

    def capped(expr, prec, options):
        if prec > FLOATING_PRECISION_CAP:
            note_memory_cut(
                f"an evaluation beside a value too large to compute exactly asked for {prec} "
                f"bits of precision (more than {FLOATING_PRECISION_CAP}): stopped"
            )
            raise PrecisionCut(prec)
        return original(expr, prec, options)

    sympy_evalf.evalf = capped
    try:
        yield
    finally:
        sympy_evalf.evalf = original


def _to_value(value: sp.Basic) -> Evaluated | None:
    """An evaluated sympy number as a :class:`Evaluated` (None if it is not finite).

    Its accuracy is that of its resolved parts: a real part known to 40 bits and an imaginary part
    evalf could only bound (a scaled zero) make a number known to 40 bits, whose imaginary part is
    negligible; a difference whose real part is a scaled zero and whose imaginary part is resolved
    is a resolved, non-zero difference."""
    if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return None
    if value.free_symbols or not value.is_number:
        raise NotNumeric(f"the value {value} still contains symbols")
    parts, accuracies = [], []
    for part in value.as_real_imag():
        if not part.is_Number:
            raise NotNumeric(f"could not evaluate {value} numerically")
        if part.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            return None
        if isinstance(part, sp.Float):
            bits = 0 if part._prec <= 1 else int(part._prec)
            accuracies.append(bits)
            parts.append(mpmath.mpf(part._mpf_))
        else:
            if part != 0:
                accuracies.append(None)
            parts.append(mpmath.mpf(sp.Rational(part).p) / sp.Rational(part).q)
    resolved = [a for a in accuracies if a is None or a > 0]
    if not accuracies:
        accuracy = None  # exactly zero
    elif not resolved:
        accuracy = 0  # scaled zeros only: a bound on the magnitude
    else:
        known = [a for a in resolved if a is not None]
        accuracy = min(known) if known else None
    return Evaluated(mpmath.mpc(*parts), accuracy)


def explicit(expr: sp.Basic) -> sp.ImmutableMatrix:
    """An explicit matrix from a matrix expression whose leaves are explicit matrices, evaluated
    bottom-up (``as_explicit()`` would build each entry as a symbolic sum and is far slower)."""
    if isinstance(expr, sp.MatrixBase):
        return sp.ImmutableMatrix(expr)
    if isinstance(expr, sp.Identity):
        return sp.ImmutableMatrix(sp.eye(int(expr.rows)))
    if isinstance(expr, sp.ZeroMatrix):
        return sp.ImmutableMatrix(sp.zeros(int(expr.rows), int(expr.cols)))
    if isinstance(expr, sp.MatAdd):
        terms = [explicit(term) for term in expr.args]
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return sp.ImmutableMatrix(total)
    if isinstance(expr, sp.MatMul):
        product: Any = sp.Integer(1)
        for factor in expr.args:
            product = product * (explicit(factor) if factor.is_Matrix else factor)
        return sp.ImmutableMatrix(product)
    if isinstance(expr, sp.Inverse):
        return sp.ImmutableMatrix(explicit(expr.arg).inv())
    if isinstance(expr, sp.Transpose):
        return sp.ImmutableMatrix(explicit(expr.arg).T)
    if isinstance(expr, sp.MatPow):
        return sp.ImmutableMatrix(explicit(expr.base) ** expr.exp)
    done = expr.doit()
    if isinstance(done, sp.MatrixBase):
        return sp.ImmutableMatrix(done)
    return sp.ImmutableMatrix(done.as_explicit())


def entries_at(expr: sp.Basic, scalars: dict, matrices: dict) -> list[sp.Basic]:
    """The entries of ``expr`` (one for a scalar) with the point substituted exactly."""
    if matrices:
        expr = expr.xreplace(matrices)
    if isinstance(expr, MatrixExpr):
        expr = explicit(expr)
    if isinstance(expr, sp.MatrixBase):
        return [substitute(entry, scalars) for entry in expr]
    return [substitute(expr, scalars)]


@dataclass(frozen=True)
class PointOutcome:
    """What the evaluation of one entry at one point showed."""

    kind: str  # "agree", "differ", "undefined", "undecided"
    digits: int = 0
    left: Evaluated | None = None
    right: Evaluated | None = None
    difference: Evaluated | None = None


def _closer(expr: sp.Basic, digits: int, first_maxn: int, last_maxn: int) -> Evaluated | None:
    """``expr`` evaluated with ``evalf`` allowed ``first_maxn`` digits to resolve cancellations,
    and ``last_maxn`` if that did not resolve it."""
    value = _to_value(_evalf(expr, digits, first_maxn))
    if value is not None and not value.exact_zero and not value.resolved and last_maxn > first_maxn:
        value = _to_value(_evalf(expr, digits, last_maxn))
    return value


def compare_entry(
    left: sp.Basic, right: sp.Basic, digits: int, reach: tuple[int, int] = CHEAP_REACH
) -> PointOutcome:
    """Compare two exact (substituted) entries; see the module docstring.

    ``reach``: how many digits ``evalf`` may use to resolve a side or the difference, first and
    then, if that did not resolve it, at most (less for costly expressions: integrals).
    """
    first_maxn, escalated = reach
    with mpmath.workdps(2 * escalated + 20):
        left_value = _closer(left, digits, first_maxn, escalated)
        right_value = _closer(right, digits, first_maxn, escalated)
        if left_value is None or right_value is None:
            return PointOutcome("undefined")
        if left_value.exact_zero and right_value.exact_zero:
            return PointOutcome("agree", MAX_DIGITS, left_value, right_value)
        for value in (left_value, right_value):
            if not (value.exact_zero or value.resolved):
                # A side evalf cannot tell from zero: its size is unknown, and nothing can be
                # said relative to it (both sides exactly 0 is the only way to agree at 0). A
                # sum t_1 + ... + t_n = 0 is the same claim as t_1 = -(t_2 + ... + t_n), whose
                # sides have a size: that is compared instead.
                rearranged = _rearranged(left, right, left_value, right_value)
                if rearranged is not None:
                    return compare_entry(*rearranged, digits, reach)
                return PointOutcome("undecided", 0, left_value, right_value)
        scale = max(abs(left_value.number), abs(right_value.number))
        difference = sp.Add(left, -right)
        if difference == 0:
            return PointOutcome("agree", MAX_DIGITS, left_value, right_value)
        first = _closer(difference, digits, first_maxn, escalated)
        if first is None:
            return PointOutcome("undefined")
        if first.exact_zero:
            return PointOutcome("agree", MAX_DIGITS, left_value, right_value, first)
        if not first.resolved:
            return PointOutcome(
                "agree", _digits(first.number, scale), left_value, right_value, first
            )
        # A resolved difference must stand when the precision is doubled.
        second = _to_value(_evalf(difference, 2 * digits, 2 * escalated))
        if second is None:
            return PointOutcome("undefined")
        if second.resolved and abs(second.number - first.number) <= abs(first.number) / 100:
            return PointOutcome("differ", 0, left_value, right_value, second)
        if not second.resolved or abs(second.number) <= abs(first.number) * mpmath.mpf(10) ** (
            -digits // 2
        ):
            return PointOutcome(
                "agree", _digits(second.number, scale), left_value, right_value, second
            )
        return PointOutcome("undecided", 0, left_value, right_value, second)


def _rearranged(left, right, left_value: Evaluated, right_value: Evaluated):
    """For ``sum = 0`` (either way round) with the sum not resolved: ``(its largest term, minus
    the other terms)``; else None."""
    if right_value.exact_zero and isinstance(left, sp.Add):
        terms = list(left.args)
    elif left_value.exact_zero and isinstance(right, sp.Add):
        terms = list(right.args)
    else:
        return None
    sizes = []
    for term in terms:
        value = _to_value(_evalf(term, 15, 15))
        sizes.append(abs(value.number) if value is not None else mpmath.mpf(0))
    largest = max(range(len(terms)), key=lambda index: sizes[index])
    rest = terms[:largest] + terms[largest + 1 :]
    return terms[largest], -sp.Add(*rest)


def _digits(gap: mpmath.mpc, scale: mpmath.mpf) -> int:
    """Decimal digits to which a difference of size at most ``|gap|`` vanishes, relative to
    ``scale`` (the larger side), capped at ``MAX_DIGITS``."""
    if gap == 0:
        return MAX_DIGITS
    if scale == 0:
        return 0
    return int(max(0, min(MAX_DIGITS, mpmath.floor(-mpmath.log10(abs(gap) / scale)))))


def format_number(value: mpmath.mpc, significant: int) -> str:
    """A complex value as short text (``1.5e-7``, ``2 + 3i``), dropping a zero imaginary part."""

    def real_text(x: mpmath.mpf) -> str:
        if x == 0:
            return "0"
        if x == mpmath.floor(x) and abs(x) < 10**15:
            return str(int(x))
        return mpmath.nstr(x, significant, min_fixed=-4, max_fixed=significant)

    re_part, im_part = value.real, value.imag
    if im_part == 0 or abs(im_part) <= mpmath.mpf(10) ** -30 * abs(re_part):
        return real_text(re_part)
    sign = "-" if im_part < 0 else "+"
    return f"{real_text(re_part)} {sign} {real_text(abs(im_part))}i"


def counterexample(
    scalars: dict, matrices: dict, outcome: PointOutcome, entry: tuple | None
) -> Counterexample:
    point, exact = [], []
    for symbol, value in scalars.items():
        point.append((str(symbol), point_text(value)))
        exact.append((str(symbol), exact_text(value)))
    for symbol, value in matrices.items():
        rows, cols = value.shape
        point.append((str(symbol), f"random {rows}x{cols} matrix"))
        exact.append((str(symbol), sp.sstr(value.tolist())))
    left, right = outcome.left.number, outcome.right.number
    gap = outcome.difference.number if outcome.difference is not None else left - right
    return Counterexample(
        point=tuple(point),
        left=format_number(left, 15),
        right=format_number(right, 15),
        left_short=format_number(left, 6),
        right_short=format_number(right, 6),
        entry=entry,
        exact_point=tuple(exact),
        difference=format_number(gap, 6),
        symbols=(*scalars, *matrices),
    )


def free_scalars(expr: sp.Basic) -> set[sp.Basic]:
    """The free symbols to sample: sympy counts the label ``x`` of an element ``x[2]`` as free,
    but only a label that also occurs outside the elements is a symbol of its own."""
    free = expr.free_symbols
    elements = {e for e in free if isinstance(e, sp.Indexed)}
    if not elements:
        return free
    outside = expr.xreplace({e: sp.Dummy() for e in expr.atoms(sp.Indexed)}).free_symbols
    return elements | {s for s in free if s in outside}


def _concrete_element(element: sp.Indexed) -> bool:
    return all(index.is_Integer for index in element.indices)


def _entry_index(expr: sp.Basic, flat_index: int) -> tuple[int, ...] | None:
    expr_shape = shape(expr)
    if expr_shape is None:
        return None
    cols = int(expr_shape[1])
    return (flat_index // cols, flat_index % cols)


def cheap(left: sp.Basic, right: sp.Basic) -> bool:
    """Small closed-form scalar expressions of sympy's own functions: they get more points and a
    longer reach (decided by structure, never by time). An integral, a sum, a matrix or a
    function defined elsewhere (a quadrature in a chapter) may be slow at high precision."""
    both = (left, right)
    if any(shape(side) is not None or side.has(*_UNEVALUATED) for side in both):
        return False
    for side in both:
        for function in side.atoms(sp.Function):
            module = type(function).__module__
            if not (module.startswith("sympy.") or module == "glmnotes.notation"):
                return False
    return sum(sp.count_ops(side) for side in both) <= CHEAP_OPS


@dataclass
class Sampler:
    """The symbols of a check and how to draw a point for them."""

    scalars: list
    elements: list
    matrices: list
    boxes: dict
    kinked: bool

    @classmethod
    def of(cls, left: sp.Basic, right: sp.Basic, boxes: dict) -> Sampler | Verdict:
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
        scalars = set().union(*(free_scalars(side) for side in both)) - matrix_symbols
        symbolic_index = sorted(
            (s for s in scalars if isinstance(s, sp.Indexed) and not _concrete_element(s)),
            key=str,
        )
        if symbolic_index:
            return Verdict(
                VerdictKind.UNVERIFIED,
                reason=(
                    f"{', '.join(map(str, symbolic_index))} has a symbolic index: give the sum "
                    "concrete bounds (given={n: 4} or dims={n: 4}) so that its elements can be "
                    "sampled"
                ),
            )
        elements = sorted(
            (s for s in scalars if isinstance(s, sp.Indexed)),
            key=lambda e: (str(e.base), [int(i) for i in e.indices]),
        )
        plain = sorted((s for s in scalars if isinstance(s, sp.Symbol)), key=str)
        kinked = any(side.has(*NONSMOOTH, *STEPS) for side in both)
        return cls(plain, elements, sorted(matrix_symbols, key=str), boxes, kinked)

    def box(self, symbol: sp.Basic) -> Box:
        if isinstance(symbol, sp.Indexed):
            return self.boxes.get(symbol.base) or default_box(symbol)
        return self.boxes.get(symbol) or default_box(symbol)

    @property
    def empty(self) -> bool:
        return not (self.scalars or self.elements or self.matrices)

    def draw(self, index: int, rng: random.Random, both: tuple, seconds: float | None):
        how = strategy(index, rng)
        scalars = {}
        for symbol in [*self.scalars, *self.elements]:
            mixed = how if index < 4 else strategy(index + 4, rng)
            scalars[symbol] = sample_scalar(self.box(symbol), rng, mixed)
        matrices = {
            m: sample_matrix(self.box(m), tuple(map(int, m.shape)), rng) for m in self.matrices
        }
        if self.kinked and index >= 4 and self.scalars:
            # next to a kink, on either side in turn, each kink of each symbol in turn
            symbol = self.scalars[(index // 2) % len(self.scalars)]
            box = self.box(symbol)
            if not box.integer:
                places = kinks(sp.Add(*both), symbol, scalars, seconds)
                inside = sorted(p for p in places if box.lo < p < box.hi)
                if inside:
                    at = (index // (2 * len(self.scalars))) % len(inside)
                    place = inside[at]
                    side = 1 if index % 2 else -1
                    edges = [box.lo, *inside, box.hi]  # the next kink (or the box's end)
                    gap = abs(edges[at + 1 + side] - place)
                    if index % 3 == 0:
                        scalars[symbol] = place  # at the kink itself
                    else:
                        near = sample_near(place, box, rng, side=side, gap=gap)
                        if near is not None:
                            scalars[symbol] = near
        return scalars, matrices

    def draw_outside(self, rng: random.Random, index: int) -> dict | None:
        """A point outside the box for at least one real symbol, within its assumptions."""
        reals = [s for s in self.scalars if not self.box(s).integer]
        if not reals:
            return None
        scalars = {s: sample_scalar(self.box(s), rng) for s in [*self.scalars, *self.elements]}
        symbol = reals[index % len(reals)]
        box = self.box(symbol)
        width = box.hi - box.lo
        below = Box(box.lo - 2 * width, box.lo)
        above = Box(box.hi, box.hi + 2 * width)
        sides = []
        if not ((symbol.is_nonnegative and box.lo <= 0) or (symbol.is_positive and box.lo <= 0)):
            lower = sp.Integer(0) if (symbol.is_positive or symbol.is_nonnegative) else below.lo
            sides.append(Box(max(lower, below.lo), below.hi))
        if not ((symbol.is_nonpositive or symbol.is_negative) and box.hi >= 0):
            sides.append(above)
        sides = [side for side in sides if side.lo < side.hi]
        if not sides:
            return None
        scalars[symbol] = sample_scalar(sides[(index // len(reals)) % len(sides)], rng)
        return scalars


def _evaluate_point(both, scalars, matrices, digits, seconds, reach) -> tuple[str, Any]:
    """``("ok", [outcome per entry])``, ``("undefined", None)``, ``("slow", None)`` or
    ``("memory", None)`` (stopped at the memory ceiling)."""

    def compare_all():
        left_entries = entries_at(both[0], scalars, matrices)
        right_entries = entries_at(both[1], scalars, matrices)
        if len(left_entries) != len(right_entries):
            raise ValueError(
                f"the two sides have different numbers of entries "
                f"({len(left_entries)} and {len(right_entries)})"
            )
        pairs = zip(left_entries, right_entries, strict=True)
        return [compare_entry(a, b, digits, reach) for a, b in pairs]

    try:
        ok, outcomes = run_timed(compare_all, seconds, "numeric evaluation")
    except ValueError:
        raise
    except (NonInvertibleMatrixError, ZeroDivisionError):
        return "undefined", None
    except (MemoryCut, PrecisionCut):
        return "memory", None
    except NotNumeric:
        raise
    except (Exception, RecursionError) as exc:
        raise NotNumeric(f"numeric evaluation failed: {type(exc).__name__}: {exc}") from None
    if not ok:
        return "slow", None
    return "ok", outcomes


def numeric_check(
    left: sp.Basic,
    right: sp.Basic,
    boxes: dict[sp.Basic, Box],
    seed: int,
    n_points: int | None,
    digits: int,
    time_limit: float | None,
    probe_outside: bool = True,
) -> Verdict:
    """Compare both sides at random points of the domain boxes (see the module docstring)."""
    sampler = Sampler.of(left, right, boxes)
    if isinstance(sampler, Verdict):
        return sampler
    both = (left, right)
    if n_points is None:
        n_points = N_POINTS_CHEAP if cheap(left, right) else N_POINTS
    reach = CHEAP_REACH if cheap(left, right) else COSTLY_REACH
    if sampler.empty:
        n_points = 1  # constants: one evaluation is all there is
    rng = random.Random(seed)
    agreed, fewest, tries = 0, MAX_DIGITS, 0
    undecided: list[tuple[str, str]] = []  # (point, why) where nothing could be decided
    for index in range(4 * n_points):
        if agreed >= n_points:
            break
        tries += 1
        scalars, matrices = sampler.draw(index, rng, both, time_limit)
        try:
            status, outcomes = _evaluate_point(both, scalars, matrices, digits, time_limit, reach)
        except NotNumeric as exc:
            return Verdict(VerdictKind.UNVERIFIED, reason=str(exc))
        if status == "slow":
            return Verdict(
                VerdictKind.UNVERIFIED,
                reason=f"numeric evaluation took longer than {time_limit:.3g} s",
            )
        if status == "memory":
            return Verdict(
                VerdictKind.UNVERIFIED,
                reason="numeric evaluation stopped by a memory bound (see the memory cuts)",
            )
        if status == "undefined":
            undecided.append((_where(scalars, matrices), "no finite value"))
            continue
        for position, outcome in enumerate(outcomes):
            if outcome.kind == "differ":
                entry = _entry_index(left, position)
                return Verdict(
                    VerdictKind.FAILED,
                    counterexample=counterexample(scalars, matrices, outcome, entry),
                )
        why = _undecided_reason(outcomes)
        if why:
            undecided.append((_where(scalars, matrices), why))
            continue
        agreed += 1
        fewest = min(fewest, min(o.digits for o in outcomes))
    if agreed < n_points:
        return Verdict(
            VerdictKind.UNVERIFIED,
            reason=(
                f"only {agreed} of {n_points} random points could be decided (undecided "
                f"{_undecided_text(undecided)}): check the domain"
            ),
        )
    outside = (
        _probe_outside(both, sampler, rng, digits, time_limit, reach) if probe_outside else None
    )
    return Verdict(
        VerdictKind.NUMERIC,
        points=agreed,
        digits=fewest,
        outside_box=outside,
        undecided=_undecided_text(undecided) if undecided else "",
    )


def _undecided_reason(outcomes: list[PointOutcome]) -> str:
    """Why a point decided nothing (no entry differed), or "" if every entry agreed."""
    if any(o.kind == "undefined" for o in outcomes):
        return "a side is not finite"
    if any(o.kind == "undecided" for o in outcomes):
        return "neither agreed nor differed at two precisions"
    if min(o.digits for o in outcomes) < MIN_DIGITS:
        return f"agreed to fewer than {MIN_DIGITS} digits"
    return ""


def _where(scalars: dict, matrices: dict) -> str:
    parts = [f"{s} = {point_text(v)}" for s, v in scalars.items()]
    parts += [f"{m} random" for m in matrices]
    return ", ".join(parts) or "the point"


def _undecided_text(undecided: list[tuple[str, str]]) -> str:
    """``at 2 points: x = 0 (a side is not finite); ...`` (the first three named)."""
    if not undecided:
        return "at no point"
    named = "; ".join(f"{where} ({why})" for where, why in undecided[:3])
    more = f"; and {len(undecided) - 3} more" if len(undecided) > 3 else ""
    return f"at {points_text(len(undecided))}: {named}{more}"


def _probe_outside(both, sampler: Sampler, rng, digits, seconds, reach) -> str | None:
    """A point outside the sampling box where the identity fails, as text (None if none of
    ``OUTSIDE_POINTS`` probes fails): a numeric identity may hold on its box only."""
    probes = OUTSIDE_POINTS if reach == CHEAP_REACH else OUTSIDE_POINTS // 2
    for index in range(probes):
        scalars = sampler.draw_outside(rng, index)
        if scalars is None:
            return None
        matrices = {
            m: sample_matrix(sampler.box(m), tuple(map(int, m.shape)), rng)
            for m in sampler.matrices
        }
        try:
            status, outcomes = _evaluate_point(both, scalars, matrices, digits, seconds, reach)
        except (NotNumeric, ValueError):
            continue
        if status == "ok" and any(o.kind == "differ" for o in outcomes):
            return ", ".join(f"{s} = {point_text(v)}" for s, v in scalars.items())
    return None
