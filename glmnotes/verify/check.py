r"""One claimed identity checked: :func:`check_equal`.

The order of the work, and what each stage can conclude:

1. both sides the same expression — *by definition*; the same once the ``given`` definitions, a
   notation's definition or a named formula (``unfolds_to``) are put in and nested matrix
   products and sums are regrouped, with no derivative, integral or sum evaluated — *by
   definition* (decided by the step, whatever API wrote it);
2. ``doit()`` (derivatives, integrals, sums) makes them the same — *proved* (by evaluation);
3. symbolic routes prove the difference zero for every size — *proved* (tried only when no
   derivative, integral, sum or product would need the size); then, with the concrete sizes of
   ``given`` (``m = 3``) and ``dims`` substituted — *proved for m = 3*;
4. sympy's assumptions prove the difference never zero — *failed* (with that reason);
5. the numeric route (:mod:`glmnotes.verify.numeric`) — *numeric*, or *failed* with a
   counterexample, or *unverified*.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from typing import Any

import sympy as sp
from sympy.matrices.exceptions import ShapeError

from glmnotes.verify import budgets
from glmnotes.verify.budgets import (
    Deadline,
    collect_clock_cuts,
    memory_ceiling,
    memory_cut_text,
    time_scale,
    timer_available,
)
from glmnotes.verify.exact_size import (
    collect_memory_cuts,
    guard,
    note_floating,
    note_memory_cut,
)
from glmnotes.verify.inputs import (
    as_expression,
    is_size,
    parse_dims,
    parse_domain,
    parse_given,
    shape,
)
from glmnotes.verify.numeric import WORKING_DIGITS, numeric_check
from glmnotes.verify.symbolic import (
    definitions,
    evaluate,
    expand_indexed_sums,
    prove_nonzero,
    prove_zero,
    unfolded,
)
from glmnotes.verify.verdicts import Verdict, VerdictKind

__all__ = ["check_equal"]

# Operations whose result sympy may get wrong while a size is still a symbol: a proof "for
# every size" is only attempted on sides without them.
_SIZE_SENSITIVE = (sp.Derivative, sp.Integral, sp.Sum, sp.Product, sp.Subs, sp.Limit)


def seed_of(seed: int | str) -> int:
    """An integer seed from a label such as ``"bernoulli-mean#2"`` (stable across machines)."""
    if isinstance(seed, str):
        return int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "little")
    return int(seed)


def check_equal(
    a: Any,
    b: Any,
    domain: Mapping | None = None,
    given: Mapping | None = None,
    dims: Mapping | None = None,
    *,
    seed: int | str | None = None,
    n_points: int | None = None,
    digits: int = WORKING_DIGITS,
    time_limit: float = budgets.ROUTE_TIME_LIMIT,
    symbolic_budget: float = budgets.SYMBOLIC_BUDGET,
    evaluation_time_limit: float = budgets.EVALUATION_TIME_LIMIT,
    numeric_first: bool = False,
    probe_outside: bool = True,
) -> Verdict:
    r"""Check the identity ``a == b`` on the ``domain`` box and return a :class:`Verdict`.

    See the module docstring for the stages. ``domain`` maps symbols to sampling boxes
    ``(lo, hi)``; symbols it does not name get a box from their assumptions (positive:
    ``(0, 3)``, real: ``(-3, 3)``, integer: ``-6..6``). An ``IndexedBase`` ``x`` as key gives
    the box of each element ``x[k]`` that occurs (sums over elements with concrete bounds are
    written out). ``given`` substitutions are applied first; an integer symbol given an integer
    (``m = 3``) is a size, and a verdict that needs it says so. ``dims`` gives concrete sizes for
    symbolic MatrixSymbol shapes (random matrices are substituted). ``seed`` (an int, or a string
    such as a label) makes the points reproducible; by default it is derived from the two
    expressions. ``n_points``: how many points must agree (default: 7, or 16 for small
    closed-form scalar expressions). ``digits``: the first evaluation's significant digits.

    Time: each symbolic route (and ``doit``) gets at most ``time_limit`` seconds and all of them
    together ``symbolic_budget``; one numeric evaluation gets ``evaluation_time_limit``; every
    budget is multiplied by ``GLMNOTES_TIME_SCALE``. An operation a budget stopped is named in
    the verdict's ``clock_cuts``: only a verdict without clock cuts is independent of the
    machine's speed. ``numeric_first`` tries the numeric route before the symbolic routes (used
    for errata, which are expected to be false). ``probe_outside=False`` skips the probe of
    points outside the box (a numeric verdict then says nothing of them), for callers that only
    need whether the identity holds on the box.
    """
    left = _side(a, "left")
    right = _side(b, "right")
    boxes = parse_domain(domain)
    given_map = parse_given(given)
    dims_map = parse_dims(dims)
    _check_options(n_points, digits, time_limit, symbolic_budget, evaluation_time_limit)
    if seed is None:
        seed = sp.srepr(left) + "|" + sp.srepr(right)
    scale = time_scale()
    task = _Check(
        boxes,
        given_map,
        dims_map,
        seed_of(seed),
        n_points,
        digits,
        time_limit * scale,
        symbolic_budget * scale,
        evaluation_time_limit * scale,
        probe_outside,
    )
    with collect_clock_cuts() as cuts, collect_memory_cuts() as memory:
        try:
            with memory_ceiling():
                left, right = guard(left, given_map), guard(right, given_map)
                note_floating(left, given_map)
                note_floating(right, given_map)
                verdict = task.run(left, right, numeric_first)
        except MemoryError:
            note_memory_cut(memory_cut_text("the check"))
            verdict = Verdict(
                VerdictKind.UNVERIFIED,
                reason="the check stopped at the memory ceiling before it could decide",
            )
    return dataclasses.replace(verdict, clock_cuts=tuple(cuts), memory_cuts=tuple(memory))


def _side(value: Any, name: str) -> sp.Basic:
    """One side of the identity as an expression (a relation is refused: pass its sides)."""
    side = as_expression(value, f"the {name} side")
    if isinstance(side, sp.core.relational.Relational):
        raise ValueError(
            f"check_equal compares two expressions, but the {name} side is the relation "
            f"{side}; for an equation pass its sides: check_equal(eq.lhs, eq.rhs)"
        )
    return side


def _check_options(
    n_points: Any, digits: Any, time_limit: Any, symbolic_budget: Any, evaluation_time_limit: Any
) -> None:
    """A ValueError naming the first option of :func:`check_equal` that is out of range."""
    if n_points is not None and (
        isinstance(n_points, bool) or not isinstance(n_points, int) or n_points < 1
    ):
        raise ValueError(f"n_points must be a positive integer, got {n_points!r}")
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 30:
        raise ValueError(f"digits must be an integer >= 30, got {digits!r}")
    for name, value in (
        ("time_limit", time_limit),
        ("symbolic_budget", symbolic_budget),
        ("evaluation_time_limit", evaluation_time_limit),
    ):
        if not (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and value == value
            and 0 < value < float("inf")
        ):
            raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")


@dataclasses.dataclass
class _Check:
    boxes: dict
    given: dict
    dims: dict
    seed: int
    n_points: int | None
    digits: int
    time_limit: float
    symbolic_budget: float
    evaluation_time_limit: float
    probe_outside: bool = True

    def run(self, left: sp.Basic, right: sp.Basic, numeric_first: bool) -> Verdict:
        """The verdict, with every ``given`` substitution that reached a side in its scope: a
        size in ``concrete`` (``m = 3``: proved for that size), any other value or definition
        in ``assuming`` (``eta = theta*x``: what the symbol stood for)."""
        if left == right:
            return Verdict(VerdictKind.BY_DEFINITION, route="the same expression")
        if canonical(left) == canonical(right):
            return Verdict(VerdictKind.PROVED, route="sympy's automatic simplification")
        verdict = self._decide(left, right, numeric_first)
        assuming = tuple(
            f"{symbol} = {value}"
            for symbol, value in self.given.items()
            # sizes are in concrete already, where the verdict needs them
            if not is_size(symbol, value) and (left.has(symbol) or right.has(symbol))
        )
        return dataclasses.replace(verdict, assuming=assuming)

    def _decide(self, left: sp.Basic, right: sp.Basic, numeric_first: bool) -> Verdict:
        sizes = {k: v for k, v in self.given.items() if is_size(k, v)}
        defined = {k: v for k, v in self.given.items() if k not in sizes}
        if defined:
            left, right = left.subs(defined), right.subs(defined)
            if same(left, right):
                return Verdict(VerdictKind.BY_DEFINITION, route="the same once given is put in")
        (left, named_left), (right, named_right) = definitions(left), definitions(right)
        notations = tuple(sorted(set(named_left) | set(named_right)))
        if notations and same(left, right):
            return Verdict(
                VerdictKind.BY_DEFINITION, route=f"the definition of {', '.join(notations)}"
            )
        if same(unfolded(left), unfolded(right)):
            # the same once every named formula is put in and the products are regrouped:
            # nothing evaluated (no derivative, integral or sum), so nothing proved
            return Verdict(
                VerdictKind.BY_DEFINITION, route="the same once the definitions are put in"
            )
        deadline = Deadline(self.symbolic_budget)
        bounded = timer_available()
        concrete = self._concrete(left, right)
        general = None
        if concrete and not any(side.has(*_SIZE_SENSITIVE) for side in (left, right)):
            general = left, right  # provable for every size (matrix shapes, plain symbols)
        # Sizes go in before doit: sympy differentiates a sum over a symbolic range of notation
        # functions (eta(i), 0 unless i is an integer) as if no term depended on eta_1.
        sizes = {k: v for k, v in self.given.items() if is_size(k, v)}
        put_in = ()
        if sizes and (left.has(*sizes) or right.has(*sizes)):
            put_in = tuple(f"{k} = {v}" for k, v in sizes.items() if left.has(k) or right.has(k))
            left, right = left.subs(sizes), right.subs(sizes)
        evaluated_left = evaluate(left, deadline.remaining(self.time_limit))
        evaluated_right = evaluate(right, deadline.remaining(self.time_limit))
        if evaluated_left == evaluated_right:
            # sizes put in before doit: the evaluation holds for them only
            return Verdict(VerdictKind.PROVED, route="evaluation (doit)", concrete=put_in)
        left, right = self._substitute_dims(evaluated_left, evaluated_right, deadline)
        shape_check(left, right)

        if numeric_first:
            verdict = self._numeric(left, right, concrete)
            if verdict.kind is not VerdictKind.UNVERIFIED:
                return verdict
            deadline = Deadline(self.symbolic_budget)
        if general is not None:
            route, _ = prove_zero(*general, deadline, self.time_limit, bounded)
            if route is not None:
                return Verdict(VerdictKind.PROVED, route=route)
        route, attempt = prove_zero(left, right, deadline, self.time_limit, bounded)
        if route is not None:
            return Verdict(VerdictKind.PROVED, route=route, concrete=concrete)
        reason = prove_nonzero(attempt, deadline, self.time_limit)
        if reason is not None:
            found = self._numeric(left, right, concrete)
            if found.kind is VerdictKind.FAILED:
                return dataclasses.replace(found, reason=reason)
            return Verdict(VerdictKind.FAILED, reason=reason, concrete=concrete)
        if numeric_first:
            return verdict
        return self._numeric(left, right, concrete)

    def _concrete(self, left: sp.Basic, right: sp.Basic) -> tuple[str, ...]:
        """The sizes (``m = 3``, matrix ``n = 4``) that occur in the two sides."""
        used = []
        for size, value in [*self.given.items(), *self.dims.items()]:
            if (size in self.dims or is_size(size, value)) and (
                left.has(size) or right.has(size) or _in_shapes(size, left, right)
            ):
                used.append(f"{size} = {value}")
        return tuple(dict.fromkeys(used))

    def _substitute_dims(self, left, right, deadline: Deadline):
        if self.dims:
            try:
                left, right = left.subs(self.dims), right.subs(self.dims)
            except ShapeError as exc:
                raise ValueError(
                    f"shapes do not match once dims={self.dims} are substituted: {exc}"
                ) from None
            self.boxes = {
                (s.subs(self.dims) if isinstance(s, sp.MatrixSymbol) else s): box
                for s, box in self.boxes.items()
            }
        if left.has(sp.Indexed) or right.has(sp.Indexed):
            left = expand_indexed_sums(left, deadline.remaining(self.time_limit))
            right = expand_indexed_sums(right, deadline.remaining(self.time_limit))
        return left, right

    def _numeric(self, left, right, concrete) -> Verdict:
        verdict = numeric_check(
            left,
            right,
            self.boxes,
            self.seed,
            self.n_points,
            self.digits,
            self.evaluation_time_limit,
            probe_outside=self.probe_outside,
        )
        return dataclasses.replace(verdict, concrete=concrete) if concrete else verdict


def canonical(expr: sp.Basic) -> sp.Basic:
    r"""``expr`` rebuilt with sympy's automatic simplifications (``1 \cdot x \to x``, an
    unevaluated product written for display), and nothing more: no derivative, integral or sum
    is evaluated."""
    if not expr.args or isinstance(expr, (sp.MatrixBase, sp.Indexed)):
        return expr
    try:
        return expr.func(*[canonical(arg) for arg in expr.args])
    except (TypeError, ValueError):  # classes whose constructor takes other arguments
        return expr


def same(left: sp.Basic, right: sp.Basic) -> bool:
    r"""Both sides the same expression, as written or once sympy's automatic simplifications
    apply. Once the ``given`` definitions are put in, that makes a line true by definition:
    nothing is proved (``X = 1 \cdot X``, with X defined, included)."""
    return left == right or canonical(left) == canonical(right)


def _in_shapes(size: sp.Symbol, *sides: sp.Basic) -> bool:
    for side in sides:
        for m in side.atoms(sp.MatrixSymbol):
            if any(sp.sympify(dim).has(size) for dim in m.shape):
                return True
    return False


def shape_check(left: sp.Basic, right: sp.Basic) -> None:
    left_shape, right_shape = shape(left), shape(right)
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
