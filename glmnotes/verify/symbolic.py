r"""The symbolic side of a check: preparing both sides, proving their difference zero, or
proving it never zero.

Preparation (:func:`definitions` then :func:`evaluate`): the derivation's ``given``
substitutions are put in, notation functions (:class:`glmnotes.notation.sigmoid`) are replaced
by their definitions — so that a proof never relies on a notation's own derivative rule — and
``doit()`` evaluates derivatives, integrals and sums.

Routes (:func:`prove_zero`), cheapest first, each bounded in time: powers too large to compute
compared by the prime factorizations of their bases (:func:`glmnotes.verify.exact_size.
prime_power_sum`), ``cancel``, ``expand``, a
gamma-function route :math:`\operatorname{cancel}(\operatorname{gammasimp}(\ldots))` (the digamma
recurrence and Beta ratios defeat ``simplify``), ``simplify``. A zero is a proof.

Non-zero (:func:`prove_nonzero`): when sympy's assumptions show that the difference, or one of
the forms the routes reached, is never zero (an exponential, a square plus a positive number, a
non-zero constant), the identity is false everywhere, however small the difference.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy as sp
from sympy.matrices.expressions import MatrixExpr

from glmnotes.verify.budgets import Deadline, run_bounded
from glmnotes.verify.exact_size import Floating, prime_power_sum

__all__ = ["definitions", "evaluate", "prove_nonzero", "prove_zero", "unfolded"]

SIMPLIFY_MAX_OPS = 400  # simplify() is skipped on larger expressions (count_ops)
UNBOUNDED_MAX_OPS = 150  # without a timer (not the main thread) only small expressions are tried
NONZERO_MAX_OPS = 300  # sympy's assumptions are only asked about smaller expressions

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
ROUTE_ORDER = ["prime powers", "cancel", "expand", "gamma", "simplify"]


def is_zero(value: Any) -> bool:
    """Structurally zero: 0, a ZeroMatrix, or a matrix of zeros. Nothing else counts."""
    if isinstance(value, sp.ZeroMatrix):
        return True
    if isinstance(value, sp.BlockMatrix):  # every block zero (symbolic sizes allowed)
        return all(is_zero(block) for block in value.blocks)
    if isinstance(value, sp.MatrixBase):
        return all(entry == 0 for entry in value)
    return value == 0


def _has_notation(expr: sp.Basic) -> bool:
    return any(hasattr(type(f), "notation_definition") for f in expr.atoms(sp.Function))


def definitions(expr: sp.Basic) -> tuple[sp.Basic, tuple[str, ...]]:
    """``expr`` with every notation function replaced by its definition (``notation_definition``
    of its class), and the LaTeX names of the notations replaced."""
    if not _has_notation(expr):
        return expr, ()
    names: set[str] = set()

    def unfold(function: sp.Basic) -> sp.Basic:
        names.add(getattr(type(function), "notation_name", type(function).__name__))
        return type(function).notation_definition(*function.args)

    unfolded = expr.replace(lambda e: hasattr(type(e), "notation_definition"), unfold)
    return unfolded, tuple(sorted(names))


#: How many rounds of unfolding :func:`unfolded` does (a definition may use another).
_UNFOLD_ROUNDS = 12


def unfolded(expr: sp.Basic) -> sp.Basic:
    r"""``expr`` with every notation (``notation_definition``) and every named formula
    (``unfolds_to``, e.g. :func:`glmnotes.families.identities.defined_function`) replaced by its
    definition, and nested matrix products and sums written flat (sums and entrywise products
    in a fixed order) — and nothing else: no derivative, integral, sum or product is evaluated.

    Two sides that become the same expression here differ only in what their names stand for
    and in how the terms are grouped: a line that holds *by definition*, with nothing proved.
    """
    for _ in range(_UNFOLD_ROUNDS):
        new = expr.replace(
            lambda e: hasattr(type(e), "notation_definition"),
            lambda f: type(f).notation_definition(*f.args),
        ).replace(
            lambda e: hasattr(type(e), "unfolds_to"),
            lambda f: type(f).unfolds_to(*f.args),
        )
        if new == expr:
            break
        expr = new
    return _flat(expr)


_ASSOCIATIVE = (sp.MatMul, sp.MatAdd, sp.HadamardProduct)
_COMMUTATIVE = (sp.MatAdd, sp.HadamardProduct)


def _flat(expr: sp.Basic) -> sp.Basic:
    """Nested ``MatMul``/``MatAdd``/``HadamardProduct`` flattened, the terms of the last two
    sorted; every other node rebuilt from its flattened arguments."""
    if not expr.args or isinstance(expr, sp.MatrixBase):
        return expr
    args = [_flat(arg) for arg in expr.args]
    if isinstance(expr, _ASSOCIATIVE):
        flat: list = []
        for arg in args:
            flat.extend(arg.args if type(arg) is type(expr) else [arg])
        if isinstance(expr, _COMMUTATIVE):
            flat = sorted(flat, key=sp.default_sort_key)
        return type(expr)(*flat)
    try:
        return expr.func(*args)
    except (TypeError, ValueError):  # classes whose constructor takes other arguments
        return expr


def evaluate(expr: sp.Basic, seconds: float) -> sp.Basic:
    """``expr.doit()`` (bounded; left undone if it does not finish), with the subclasses of
    Integral that ``doit`` returns turned back into plain Integrals (``evalf`` dispatches on the
    exact class and cannot evaluate them)."""
    ok, done = run_bounded(expr.doit, seconds, "doit")
    if not ok or done is None:
        return expr
    return done.replace(
        lambda e: isinstance(e, sp.Integral) and type(e) is not sp.Integral,
        lambda e: sp.Integral(*e.args),
    )


def expand_indexed_sums(expr: sp.Basic, seconds: float) -> sp.Basic:
    r"""Write out every sum and product over ``Indexed`` terms whose bounds are concrete
    integers, :math:`\sum_{i=1}^{3} x_i \to x_1 + x_2 + x_3`, so that each element can be
    sampled."""

    def concrete_over_indexed(e: sp.Basic) -> bool:
        return (
            isinstance(e, (sp.Sum, sp.Product))
            and e.function.has(sp.Indexed)
            and all(lo.is_Integer and hi.is_Integer for _, lo, hi in e.limits)
        )

    ok, expanded = run_bounded(
        lambda: expr.replace(concrete_over_indexed, lambda e: e.doit()),
        seconds,
        "writing out sums",
    )
    return expanded if ok else expr


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
    if e.has(Floating):  # powers too large to compute: compare their prime factorizations
        routes.insert(0, ("prime powers", lambda: prime_power_sum(e)))
    if e.has(*GAMMA_LIKE):
        routes.append(("gamma", lambda: _gamma_route(e)))
    if ops <= SIMPLIFY_MAX_OPS:
        routes.append(("simplify", lambda: sp.simplify(e)))
    return routes


class Attempt:
    """The routes tried on one difference: the proving route, if any, and every form reached
    (which :func:`prove_nonzero` then examines)."""

    def __init__(self) -> None:
        self.forms: list[sp.Basic] = []

    def prove_scalar(self, e: sp.Expr, deadline: Deadline, limit: float, bounded: bool):
        if e == 0:
            return "identical"
        self.forms.append(e)
        for name, route in _scalar_routes(e, bounded):
            if deadline.spent(f"route {name}"):
                return None
            ok, value = run_bounded(route, deadline.remaining(limit), f"route {name}")
            if ok and is_zero(value):
                return name
            if ok and value is not None and value != e:
                self.forms.append(value)
        return None

    def prove(self, diff: sp.Basic, deadline: Deadline, limit: float, bounded: bool):
        """Name of a route reducing ``diff`` (scalar, explicit matrix or matrix expression) to
        zero before the deadline, else None."""
        if is_zero(diff):
            return "identical"
        if isinstance(diff, sp.MatrixBase):
            routes = []
            for entry in diff:
                route = self.prove_scalar(entry, deadline, limit, bounded)
                if route is None:
                    return None
                routes.append(route)
            return max(routes, key=lambda r: (["identical", *ROUTE_ORDER]).index(r))
        if isinstance(diff, MatrixExpr):
            routes = [
                ("doit", diff.doit),
                ("expand", lambda: sp.expand(diff)),
                ("simplify", lambda: sp.simplify(diff)),
            ]
            if diff.has(sp.BlockMatrix):  # block products with symbolic sizes
                routes.insert(0, ("block_collapse", lambda: sp.block_collapse(diff)))
            for name, route in routes:
                if deadline.spent(f"route {name}"):
                    return None
                ok, value = run_bounded(route, deadline.remaining(limit), f"route {name}")
                if ok and is_zero(value):
                    return name
            concrete = all(isinstance(size, (int, sp.Integer)) for size in diff.shape)
            # Entrywise over generic symbols X[i, j] is a proof for that size; inverses would
            # expand into huge adjugate formulas, so they are left to the numeric route.
            if concrete and not diff.has(sp.Inverse, sp.MatPow):
                ok, entries = run_bounded(
                    lambda: sp.ImmutableMatrix(diff.as_explicit()),
                    deadline.remaining(limit),
                    "as_explicit",
                )
                if ok:
                    route = self.prove(entries, deadline, limit, bounded)
                    if route is not None:
                        return f"explicit {route}"
            return None
        return self.prove_scalar(diff, deadline, limit, bounded)


def prove_zero(
    left: sp.Basic, right: sp.Basic, deadline: Deadline, limit: float, bounded: bool
) -> tuple[str | None, Attempt]:
    """The route proving ``left == right`` (or None), and the attempt with the forms reached."""
    attempt = Attempt()
    if deadline.spent("symbolic routes"):
        return None, attempt
    ok, diff = run_bounded(lambda: left - right, deadline.remaining(limit), "forming left - right")
    if not ok:
        return None, attempt
    return attempt.prove(diff, deadline, limit, bounded), attempt


def _nonzero_candidates(forms: list, deadline: Deadline, limit: float) -> list:
    """The forms the routes reached, and the first one written in exponentials and cancelled
    (``1 - tanh x`` becomes ``2/(e^{2x} + 1)``, whose sign sympy knows)."""
    candidates = list(forms)
    if forms and not isinstance(forms[0], (sp.MatrixBase, MatrixExpr)):
        if sp.count_ops(forms[0]) <= NONZERO_MAX_OPS and not deadline.spent("rewriting in exp"):
            ok, rewritten = run_bounded(
                lambda: sp.cancel(forms[0].rewrite(sp.exp)),
                deadline.remaining(limit),
                "rewriting in exp",
            )
            if ok and rewritten is not None and rewritten not in candidates:
                candidates.append(rewritten)
    return candidates


def prove_nonzero(attempt: Attempt, deadline: Deadline, limit: float) -> str | None:
    """A reason why the difference is never zero, from sympy's assumptions on one of the forms
    the routes reached (``is_zero is False``), or None.

    The assumptions hold for every value the symbols' own assumptions allow, which includes every
    point of the sampling box; so a form that is never zero makes the identity false there."""
    for form in _nonzero_candidates(attempt.forms, deadline, limit):
        if isinstance(form, (sp.MatrixBase, MatrixExpr)) or sp.count_ops(form) > NONZERO_MAX_OPS:
            continue
        if deadline.spent("proving the difference non-zero"):
            return None
        ok, zero = run_bounded(
            lambda form=form: form.is_zero, deadline.remaining(limit), "sign of the difference"
        )
        if not ok or zero is not False:
            continue
        sign = ""
        if form.is_positive:
            sign = ", which is positive"
        elif form.is_negative:
            sign = ", which is negative"
        return f"left - right = {sp.sstr(form)}{sign}: never zero (sympy's assumptions)"
    return None
