r"""Exact numbers too large to compute: found before they are computed, evaluated in floating
precision instead.

sympy evaluates :math:`3^{10^{10}}`, :math:`\binom{10^9}{5 \cdot 10^8}` or :math:`(10^9)!` exactly
as soon as their arguments are numbers: one C-level operation on a number of billions of bits,
which runs for minutes, takes gigabytes, and cannot be stopped by a time budget (a signal is
handled only between bytecodes). The size of such a result is known from its arguments before
anything is computed:

* :math:`b^e` for a rational :math:`b = p/q` and rational :math:`e`: about
  :math:`\lfloor |e| \rfloor \log_2 \max(|p|, q)` bits (a fractional part only adds a root);
* :math:`(a_1 + \dots + a_t)^n` for symbols: its expansion, :math:`\binom{n + t - 1}{t - 1}`
  terms of about :math:`n \log_2 t` bits (a route that expands it would build them);
* :math:`n!` and :math:`\Gamma(n + 1)`: about :math:`n \log_2 n` bits;
  :math:`\binom{n}{k}`: about :math:`\min(k, n - k) \log_2 n`;
  rising and falling factorials :math:`x^{(k)}`: about :math:`k \log_2 (|x| + k)`;
  Fibonacci and Lucas numbers: about :math:`0.7 n`.

A node whose exact value would exceed :data:`EXACT_BITS_LIMIT` bits is replaced, before sympy can
evaluate it, by :class:`Floating`: the same function of the same arguments, which no operation
evaluates exactly and ``evalf`` evaluates with mpmath at the requested precision (mpmath keeps
the exponent of a float as an integer, so :math:`3^{10^{10}}` is an ordinary number there). Each
replacement is a *memory cut*, named in the verdict like a clock cut: the check went on without
the exact value. A power whose exponent alone exceeds the limit is replaced even when its base
is a symbol, since any later substitution of a number would compute it.

This works wherever Python does (CPython, Pyodide in the browser): it refuses the computation
instead of interrupting it.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Mapping

import mpmath
import sympy as sp
from sympy.core.symbol import Str
from sympy.functions.combinatorial.numbers import fibonacci, lucas

from glmnotes.verify.collectors import Collector

__all__ = [
    "EXACT_BITS_LIMIT",
    "Floating",
    "PrecisionCut",
    "collect_memory_cuts",
    "exact_bits",
    "guard",
    "guarded_operators",
]

#: The most bits of precision a :class:`Floating` value is computed with (about 20,000 digits;
#: the checker's own evaluations reach 420).
FLOATING_PRECISION_CAP = 2**16

#: The largest exact result (in bits) a check lets sympy compute: 2^20 bits, about 315,000
#: decimal digits (128 KiB); such a number takes milliseconds. Beyond it, floating precision.
EXACT_BITS_LIMIT = 2**20

#: The memory cuts of the current check (see Verdict.memory_cuts): exact values not computed,
#: operations stopped at the memory ceiling; each named once.
MEMORY_CUTS: Collector[str] = Collector("memory_cuts", unique=True)

collect_memory_cuts = MEMORY_CUTS.collect
note_memory_cut = MEMORY_CUTS.note


# The functions whose exact values are guarded, with how to evaluate them in floating precision.
_MPMATH = {
    sp.Pow: mpmath.power,
    sp.factorial: mpmath.factorial,
    sp.gamma: mpmath.gamma,
    sp.binomial: mpmath.binomial,
    sp.RisingFactorial: mpmath.rf,
    sp.FallingFactorial: mpmath.ff,
    fibonacci: mpmath.fib,
    lucas: lambda n: mpmath.fib(n - 1) + mpmath.fib(n + 1),
}
_NAMES = {function: getattr(function, "__name__", str(function)) for function in _MPMATH}


def _magnitude(value: sp.Basic) -> float | None:
    """``|value|`` as a float (``inf`` if larger than a float), or None if not a number."""
    if isinstance(value, sp.Integer):
        return float(abs(int(value))) if abs(int(value)).bit_length() < 1000 else math.inf
    if value.is_Rational:
        return abs(float(value.p) / float(value.q)) if value.q.bit_length() < 1000 else 0.0
    if value.is_number and value.is_finite:
        try:
            return abs(complex(value.evalf(15)))
        except (TypeError, ValueError):
            return None
    return None


def _rational_bits(value: sp.Basic) -> int:
    """Bits of the numerator or denominator (the larger) of the rationals in ``value``."""
    rationals = [value] if value.is_Rational else list(value.atoms(sp.Rational))
    return max([max(abs(int(r.p)).bit_length(), int(r.q).bit_length()) for r in rationals] + [0])


def _log2_factorial(n: float) -> float:
    return 0.0 if n < 2 else n * math.log2(n)


def exact_bits(function, args: tuple) -> float | None:
    """About how many bits the exact value of ``function(*args)`` has, if sympy would compute
    it (all arguments numbers), else None. A power with a symbolic base and an exponent larger
    than :data:`EXACT_BITS_LIMIT` counts as that exponent's size (a number put in later would be
    raised to it)."""
    if function is sp.Pow:
        base, exponent = args
        if not exponent.is_Rational:
            return None
        # b^(p/q) is computed as b^(p // q) times a root: the integer part sets the size
        size = abs(int(exponent.p)) // int(exponent.q)
        if not base.is_number:
            if isinstance(base, sp.Add) and exponent.is_Integer and size > 1:
                # the expansion: binomial(n + t - 1, t - 1) terms of about n*log2(t) bits each
                terms = len(base.args)
                expansion = math.exp(
                    math.lgamma(size + terms) - math.lgamma(terms) - math.lgamma(size + 1)
                )
                return max(float(size), expansion * size * math.log2(terms))
            return float(size) if size > EXACT_BITS_LIMIT else None
        if base in (0, 1, -1) or base.is_Float:
            return None
        return float(size) * max(_rational_bits(base), 1)
    values = [_magnitude(arg) for arg in args]
    if any(v is None for v in values) or not all(arg.is_Rational for arg in args):
        return None
    if function in (sp.factorial, sp.gamma):
        return _log2_factorial(values[0])
    if function is sp.binomial:
        n, k = args
        if not (n.is_Integer and k.is_Integer):
            return None
        smaller = min(int(k), int(n) - int(k))
        return smaller * math.log2(max(values[0], 2.0)) if smaller > 0 else None
    if function in (sp.RisingFactorial, sp.FallingFactorial):
        x, k = values
        if not args[1].is_Integer:
            return None
        return k * math.log2(x + k + 2) * max(_rational_bits(args[0]), 1)
    if function in (fibonacci, lucas):
        return 0.7 * values[0]
    return None


class PrecisionCut(Exception):
    """A :class:`Floating` value was asked for more than :data:`FLOATING_PRECISION_CAP` bits:
    the evaluation stops (a memory cut) instead of computing it."""


class Floating(sp.Function):
    r"""``function(*args)`` kept whole: never evaluated exactly (its exact value would be too
    large), evaluated by mpmath at the precision ``evalf`` asks for.

    ``Floating(Str("binomial"), n, k)``: the first argument names the function; the others
    are its arguments, which substitutions reach as usual.
    """

    @classmethod
    def eval(cls, name, *args):
        return None

    @property
    def is_number(self):
        # the first argument only names the function: a number when its arguments are
        return all(arg.is_number for arg in self.args[1:])

    @property
    def free_symbols(self):
        return set().union(*(arg.free_symbols for arg in self.args[1:]))

    def _eval_is_extended_real(self):
        if self._positive_by_construction():
            return True
        return None

    def _eval_is_extended_positive(self):
        return True if self._positive_by_construction() else None

    def _eval_is_finite(self):
        return True if self._positive_by_construction() else None

    def _positive_by_construction(self) -> bool:
        """A power of a positive base with a real exponent, or a factorial, Gamma, binomial,
        rising factorial or Fibonacci number of positive integers: positive and finite."""
        args = self.args[1:]
        if self.function is sp.Pow:
            return bool(args[0].is_positive and args[1].is_extended_real)
        return all(arg.is_integer and arg.is_positive for arg in args) and self.function in (
            sp.factorial,
            sp.gamma,
            sp.RisingFactorial,
            fibonacci,
            lucas,
        )

    @property
    def function(self):
        name = str(self.args[0])
        return next(f for f, f_name in _NAMES.items() if f_name == name)

    def doit(self, **hints):
        if hints.get("deep", True):
            return self.func(self.args[0], *[arg.doit(**hints) for arg in self.args[1:]])
        return self

    def _eval_evalf(self, prec):
        # evalf raises the precision by the size of a cancellation: 3^(10^10) - 9^(5*10^9)
        # beside a term of size 1 asks for billions of bits, the exact computation again.
        if prec > FLOATING_PRECISION_CAP:
            note_memory_cut(
                f"{sp.sstr(self)[:60]} was asked for {prec} bits of precision (more than "
                f"{FLOATING_PRECISION_CAP}): not evaluated"
            )
            raise PrecisionCut(prec)
        args = self.args[1:]
        # The logarithm of the result is as large as its exponent: that many more bits of
        # working precision keep its relative error at 2^-prec.
        extra = 30 + max((abs(int(a.p)).bit_length() for a in args if a.is_Rational), default=0)
        with mpmath.workprec(prec + extra):
            numbers = [_to_mpmath(arg, prec + extra) for arg in args]
            if any(n is None for n in numbers):
                return None
            value = _MPMATH[self.function](*numbers)
        if isinstance(value, mpmath.mpc):
            real = sp.Float._new(value.real._mpf_, prec)
            imag = sp.Float._new(value.imag._mpf_, prec)
            return real + sp.I * imag
        return sp.Float._new(mpmath.mpmathify(value)._mpf_, prec)  # no rounding

    def as_original(self, evaluate: bool = False) -> sp.Basic:
        """The guarded expression itself (unevaluated unless asked)."""
        return self.function(*self.args[1:], evaluate=evaluate)

    def describe(self) -> str:
        """What was not computed, as a memory cut names it."""
        original = self.as_original()
        bits = exact_bits(self.function, self.args[1:])
        shown = sp.sstr(original)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        size = f" (about {bits:.2g} bits)" if bits is not None else ""
        return f"the exact value of {shown}{size} was not computed: evaluated in floating precision"

    def _latex(self, printer):
        return printer._print(self.as_original())

    def _sympystr(self, printer):
        return printer._print(self.as_original())


def _to_mpmath(arg: sp.Basic, prec: int):
    """``arg`` as an mpmath number at ``prec`` bits (exactly, for a rational); None if it is not
    a finite number."""
    if arg.is_Rational:
        return mpmath.mpf(int(arg.p)) / int(arg.q)
    value = arg.evalf(mpmath.libmp.prec_to_dps(prec))
    if not (value.is_number and value.is_finite):
        return None
    real, imag = value.as_real_imag()
    if not (real.is_Number and imag.is_Number):
        return None
    real, imag = mpmath.mpf(sp.Float(real, 15 + prec // 3)), mpmath.mpf(sp.Float(imag, 15))
    return real if imag == 0 else mpmath.mpc(real, imag)


def guarded(function, args: tuple) -> sp.Basic:
    """``function(*args)``, or a :class:`Floating` node (a memory cut noted) if its exact value
    would exceed :data:`EXACT_BITS_LIMIT` bits."""
    if function in _MPMATH:
        bits = exact_bits(function, args)
        if bits is not None and bits > EXACT_BITS_LIMIT:
            note_memory_cut(
                f"the exact value of a {_NAMES[function]} at a sampled point was not computed "
                "(too large): evaluated in floating precision"
            )
            return Floating(Str(_NAMES[function]), *args)
    return function(*args)


def numbers_of(values: Mapping | None) -> dict:
    """The entries of ``values`` (``given``) that are numbers."""
    numbers = {}
    for symbol, value in (values or {}).items():
        value = sp.sympify(value)
        if value.is_number:
            numbers[symbol] = value
    return numbers


def guard(expr: sp.Basic, values: Mapping | None = None) -> sp.Basic:
    """``expr`` with every node whose exact value would be too large replaced by
    :class:`Floating`, judged with the numbers of ``values`` (``given``) put in for its symbols
    but without putting them in: ``binomial(n, k)`` with ``n = 10**9`` is guarded before the
    substitution that would evaluate it."""
    return _guard(expr, numbers_of(values))


def note_floating(expr: sp.Basic, values: Mapping | None = None) -> None:
    """A memory cut for each :class:`Floating` node of ``expr`` (described with the numbers of
    ``values`` put in)."""
    numbers = numbers_of(values)
    for node in sorted(expr.atoms(Floating), key=sp.default_sort_key):
        note_memory_cut((node.xreplace(numbers) if numbers else node).describe())


def _guard(expr: sp.Basic, numbers: dict) -> sp.Basic:
    if not expr.args or isinstance(expr, (Floating, sp.MatrixBase)):
        return expr
    args = tuple(_guard(arg, numbers) for arg in expr.args)
    function = expr.func
    if function in _MPMATH:
        judged = tuple(arg.xreplace(numbers) if numbers else arg for arg in args)
        bits = exact_bits(function, judged)
        if bits is not None and bits > EXACT_BITS_LIMIT:
            return Floating(Str(_NAMES[function]), *args)
    if args == expr.args:
        return expr
    try:
        return expr.func(*args, evaluate=False)
    except TypeError:
        return expr.func(*args)


#: Bases factored by the prime-power route: at most this many bits (factoring is then instant).
FACTOR_BITS_LIMIT = 64


def _add_factorization(exponents: dict, number: int, power: sp.Rational) -> bool:
    if abs(number).bit_length() > FACTOR_BITS_LIMIT:
        return False
    for prime, multiplicity in sp.factorint(abs(number)).items():
        exponents[prime] = exponents.get(prime, sp.Integer(0)) + multiplicity * power
    return True


def _prime_power_monomial(term: sp.Basic) -> tuple[sp.Rational, frozenset] | None:
    r"""``term`` as :math:`c \prod_p p^{e_p}` (``c`` a sign, ``p`` primes, ``e_p`` rationals)
    when it is a product of rationals and powers of positive rationals, else None. No power is
    computed: only the bases are factored."""
    sign, exponents = sp.Integer(1), {}
    for factor in sp.Mul.make_args(term):
        if isinstance(factor, Floating) and factor.function is sp.Pow:
            base, power = factor.args[1:]
        elif isinstance(factor, sp.Pow):
            base, power = factor.base, factor.exp
        else:
            base, power = factor, sp.Integer(1)
        if not (base.is_Rational and power.is_Rational) or base == 0:
            return None
        if base < 0:
            if not power.is_Integer:
                return None
            sign *= (-1) ** int(power % 2)
            base = -base
        if not (
            _add_factorization(exponents, int(base.p), power)
            and _add_factorization(exponents, int(base.q), -power)
        ):
            return None
    return sign, frozenset((p, e) for p, e in exponents.items() if e != 0)


def prime_power_sum(expr: sp.Basic) -> sp.Basic:
    r"""``expr`` with its terms that are products of powers of positive rationals collected by
    their prime-power normal form :math:`\prod_p p^{e_p}` (unique, by unique factorization):
    :math:`3^{10^{10}} - 9^{5 \cdot 10^9}` is 0 without computing either power. Returns 0 when
    every term cancels, else ``expr`` unchanged."""
    totals: dict[frozenset, sp.Rational] = {}
    for term in sp.Add.make_args(expr):
        monomial = _prime_power_monomial(term)
        if monomial is None:
            return expr
        sign, key = monomial
        totals[key] = totals.get(key, sp.Integer(0)) + sign
    return sp.Integer(0) if all(total == 0 for total in totals.values()) else expr


def guarded_operators() -> dict:
    """``Add``, ``Mul``, ``Pow`` and the guarded functions for sympy's parser with
    ``evaluate=False`` (which writes ``a ** b`` as ``Pow(a, b, evaluate=False)``): each node is
    evaluated as Python's operators would (a product of matrices is a MatMul), except that one
    whose exact value would be too large becomes :class:`Floating` instead of being computed."""

    def add(*args, evaluate=True):
        return functools.reduce(operator.add, args)

    def mul(*args, evaluate=True):
        return functools.reduce(operator.mul, args)

    def power(base, exponent, evaluate=True):
        if getattr(base, "is_Matrix", False) or getattr(exponent, "is_Matrix", False):
            return base**exponent
        return guarded(sp.Pow, (sp.sympify(base), sp.sympify(exponent)))

    return {"Add": add, "Mul": mul, "Pow": power, **guarded_functions(_MPMATH)}


def guarded_functions(functions) -> dict:
    """``{name: callable}`` for each of ``functions`` that :func:`guarded` knows (by its
    sympy name): calling it guards the result."""
    result = {}
    for function in functions:
        if function in _MPMATH and function is not sp.Pow:

            def call(*args, function=function):
                return guarded(function, tuple(sp.sympify(arg) for arg in args))

            result[_NAMES[function]] = call
    return result
