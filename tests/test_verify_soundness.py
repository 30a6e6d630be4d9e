"""The checker cannot be fooled: false near-misses of every kind are rejected with a real
counterexample, and true identities are accepted.

Each family below is a kind of false identity that a numeric check with an absolute tolerance, a
fixed sampling grid or too few digits accepts: values below an absolute floor, near misses
smaller than a tolerance, asymptotic identities far from zero, Taylor truncations at small
arguments, functions vanishing on a grid, differences provably non-zero but too small to see,
and differences confined to a narrow region. Hypothesis draws the parameters.

A false identity must come out FAILED, with a counterexample that is one: both sides are
evaluated again at its exact point, independently of the checker (exact substitution, then
mpmath at rising precision), and must differ there. A true identity must hold (PROVED,
BY_DEFINITION or NUMERIC): every true identity here is a closed-form expression of sympy's own
functions on a box where it is finite, which the numeric route evaluates to any precision at
exact points, so the checker must decide each one, and no family is allowed an UNVERIFIED
answer. A checker that always answers the same (UNVERIFIED, NUMERIC, FAILED) fails this suite:
``test_the_helpers_reject_a_checker_that_always_answers_the_same`` shows it. References: the
mathematics of each family (every false identity below is false at every point of its box, or on
an interval the sampling is told nothing about), and mpmath.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import mpmath
import pytest
import sympy as sp
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from glmnotes import verify
from glmnotes.verify import Counterexample, Verdict, VerdictKind, check_equal
from glmnotes.verify.numeric import MIN_DIGITS

x = sp.Symbol("x", real=True)
xp = sp.Symbol("x", positive=True)
FAMILY = settings(max_examples=6, deadline=None)
HOLDS = (VerdictKind.PROVED, VerdictKind.BY_DEFINITION, VerdictKind.NUMERIC)
# The most digits a counterexample is re-evaluated with: the smallest relative difference below
# (1 - tanh(320) ~ 10^-278, a Taylor remainder x^4/24 ~ 10^-157 beside 1) needs about 300.
CONFIRM_DIGITS = 2000


# simplify() expands sin(2 10^30 x) by double angles until its budget ends: a short budget keeps
# these tests quick. A clock cut only ever makes a check give up a route (the numeric route then
# decides), never accept or reject: whether a route finishes in time changes how an identity is
# decided, never the kinds these tests accept, so the outcome does not depend on the machine.
QUICK = {"time_limit": 1.0, "symbolic_budget": 2.0}
DEFAULT_BUDGETS = {"time_limit": verify.ROUTE_TIME_LIMIT, "symbolic_budget": verify.SYMBOLIC_BUDGET}


def checked(left, right, checker=None, **options) -> Verdict:
    """The verdict of ``checker`` (default: this module's ``check_equal``, looked up at each call
    so that a test can replace it) with the quick budgets."""
    return (checker or check_equal)(left, right, **{**QUICK, **options})


def rejected(left, right, checker=None, **options) -> Verdict:
    """``left = right`` is false: it must come out FAILED, with a counterexample that is one."""
    verdict = checked(left, right, checker, **options)
    claim = f"{left} = {right} (domain {options.get('domain')})"
    assert not verdict.holds, f"false identity accepted: {claim}: {verdict.describe()}"
    assert verdict.kind is VerdictKind.FAILED, f"false identity not rejected: {claim}: {verdict}"
    assert verdict.counterexample is not None, f"no counterexample for {claim}: {verdict}"
    confirm_counterexample(left, right, verdict.counterexample, options.get("domain"))
    return verdict


def accepted(left, right, checker=None, **options) -> Verdict:
    """``left = right`` is true: it must hold (PROVED, BY_DEFINITION or NUMERIC)."""
    verdict = checked(left, right, checker, **options)
    claim = f"{left} = {right} (domain {options.get('domain')})"
    assert verdict.kind is not VerdictKind.FAILED, f"true identity rejected: {claim}: {verdict}"
    assert verdict.kind in HOLDS, f"true identity not decided: {claim}: {verdict}"
    return verdict


@contextmanager
def without_closed_forms() -> Iterator[None]:
    """sympy's ``Integral.doit`` finds no closed form (it returns the integral): whether it finds
    one within a time budget (about a second, for the quadratures below) would depend on the
    machine's speed; this way the numeric route decides, on any machine."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sp.Integral, "doit", lambda self, **hints: self)
        yield


def independent_value(exact: sp.Basic, digits: int) -> mpmath.mpc:
    """A closed-form number (no free symbols) evaluated by mpmath at ``digits`` digits."""
    with mpmath.workdps(digits):
        return mpmath.mpmathify(sp.lambdify([], exact, "mpmath")())


def confirm_counterexample(left, right, counterexample: Counterexample, domain=None) -> None:
    """The two sides differ at the counterexample's exact point, evaluated independently of the
    checker: the point's exact values are put in (sympy settles conditions, floors and exact
    zeros such as sin(1000 pi/10) exactly), and the difference (with sympy's automatic
    cancellation of equal terms) is evaluated by mpmath at doubling precision until two
    evaluations agree to 10 digits; it must not be zero at any precision up to
    ``CONFIRM_DIGITS``. The point lies in the domain box and within the symbols' assumptions."""
    left, right = sp.sympify(left), sp.sympify(right)
    difference = left - right
    symbols = {str(s): s for s in left.free_symbols | right.free_symbols}
    point = {}
    for name, text in counterexample.exact_point:
        assert name in symbols, f"the counterexample names {name}, not a symbol of the identity"
        point[symbols[name]] = sp.Rational(text)
    assert set(point) == set(symbols.values()), f"the counterexample misses symbols: {point}"
    for symbol, value in point.items():
        assert symbol.is_positive is not True or value > 0, f"{symbol} = {value} is not positive"
        if domain and symbol in domain:
            lo, hi = (sp.Rational(bound) for bound in domain[symbol])
            assert lo <= value <= hi, f"{symbol} = {value} is outside its box {domain[symbol]}"
    gap_at_point = difference.xreplace(point)
    assert not gap_at_point.free_symbols, gap_at_point
    where = f"{left} = {right} at {counterexample.exact_point}"
    if gap_at_point == 0:
        raise AssertionError(f"not a counterexample: the sides are exactly equal at {where}")
    digits, previous = 30, mpmath.mpf(0)
    while True:
        gap = independent_value(gap_at_point, digits)
        if gap != 0 and abs(gap - previous) <= abs(gap) * mpmath.mpf(10) ** -10:
            return
        if 2 * digits > CONFIRM_DIGITS:
            raise AssertionError(
                f"not a counterexample: the sides agree to {digits} digits at {where}"
            )
        previous, digits = gap, 2 * digits


# --- values below an absolute floor ----------------------------------------------------------


@FAMILY
@given(st.integers(30, 700))
def test_a_tiny_constant_is_not_zero(k):
    rejected(sp.exp(-k), 0)
    rejected(sp.exp(-k), 2 * sp.exp(-k))  # a factor of 2 between two tiny numbers


@FAMILY
@given(st.integers(25, 300))
def test_a_tiny_function_is_not_zero(k):
    rejected(sp.exp(-k * xp), 0, domain={xp: (1, 2)})
    rejected(x / sp.Integer(10) ** k, 0)


# --- near misses smaller than any fixed tolerance ---------------------------------------------


@FAMILY
@given(st.integers(15, 90), st.sampled_from(["pi", "E", "sqrt2"]))
def test_a_rational_matching_a_constant_to_many_digits_is_not_the_constant(digits, name):
    constant = {"pi": sp.pi, "E": sp.E, "sqrt2": sp.sqrt(2)}[name]
    approximation = sp.Rational(str(sp.N(constant, digits)))
    rejected(constant, approximation)
    rejected(constant * x, approximation * x)


@FAMILY
@given(st.integers(15, 80))
def test_a_relative_perturbation_far_below_double_precision_is_found(k):
    rejected(x, x * (1 + sp.Rational(1, 10**k)))


@FAMILY
@given(st.integers(20, 300), st.integers(1, 20))
def test_asymptotic_identities_far_from_zero_are_false(a, width):
    box = {x: (a, a + width)}
    rejected(sp.log(1 + sp.exp(x)), x, domain=box)
    rejected(sp.tanh(x), 1, domain=box)
    rejected(sp.sqrt(x**2 + 1), x, domain=box)


# --- Taylor truncations at small arguments ----------------------------------------------------


@FAMILY
@given(st.integers(3, 40))
def test_taylor_truncations_at_small_arguments_are_false(k):
    box = {x: (sp.Rational(1, 10**k), sp.Rational(10, 10**k))}
    rejected(sp.exp(x) - 1 - x - x**2 / 2, x**3 / 6, domain=box)
    rejected(sp.sin(x), x - x**3 / 6, domain=box)
    rejected(sp.log(1 + x), x - x**2 / 2, domain=box)


# --- functions vanishing on a sampling grid ---------------------------------------------------


@FAMILY
@given(st.integers(1, 40))
def test_functions_periodic_on_a_decimal_grid_do_not_vanish_everywhere(j):
    rejected(sp.sin(10**j * sp.pi * x), 0)
    rejected(sp.cos(2 * 10**j * sp.pi * x), 1, domain={x: (0, 1)})


# --- differences provably non-zero but too small to see ---------------------------------------


@FAMILY
@given(st.integers(3, 9))
def test_differences_too_small_to_evaluate_are_proved_non_zero(k):
    rejected(x + sp.exp(-(10**k)), x, **DEFAULT_BUDGETS)
    rejected(x, x + sp.exp(-(x**2) - 10**k))


# --- differences confined to a narrow region --------------------------------------------------


# A kink at a centre that is not a decimal (3/7) is reported in the counterexample's exact_point
# rounded to 15 digits (glmnotes.verify.inputs.decimal_text), which can put the reported point
# outside a narrow window, where the sides are equal: the counterexample is then not one.
DECIMAL_CENTRES = st.integers(-(2 * 10**6), 2 * 10**6).map(lambda n: sp.Rational(n, 10**6))
CENTRES = st.fractions(-2, 2).map(lambda f: sp.Rational(f.numerator, f.denominator))


@FAMILY
@given(st.integers(2, 9), CENTRES)
def test_a_tent_confined_to_a_narrow_region_is_found(k, c):
    rejected(x + sp.Max(0, 1 - 10**k * sp.Abs(x - c)), x)  # a tent of width 2 10^-k


@FAMILY
@given(st.integers(2, 9), CENTRES)
def test_a_bump_tiny_away_from_a_narrow_region_is_found(k, c):
    rejected(x + sp.exp(-(10**k) * (x - c) ** 2), x)  # a bump: never zero, tiny away from c


def window(k: int, c: sp.Rational) -> sp.Expr:
    """1 on (c, c + 10^-k), else 0."""
    return sp.Piecewise((1, (x > c) & (x < c + sp.Rational(1, 10**k))), (0, True))


@FAMILY
@given(st.integers(2, 9), DECIMAL_CENTRES)
def test_a_window_at_a_decimal_is_found(k, c):
    rejected(x + window(k, c), x)


@FAMILY
@given(st.integers(2, 9), CENTRES)
def test_a_window_anywhere_is_found(k, c):
    # e.g. k = 4, c = 11371/182904: the counterexample's exact point is a fraction in the window
    # (it was once rounded to 15 digits, 0.0621692253859948, outside it)
    rejected(x + window(k, c), x)


def test_the_tent_identity_of_the_linear_networks_chapter_holds_only_for_s_at_least_0():
    s = sp.Symbol("s", real=True)
    relu = lambda t: sp.Max(0, t)  # noqa: E731
    left, right = relu(s) - 2 * relu(s - 1), 1 - sp.Abs(s - 1)
    rejected(left, right, domain={s: (-3, 3)})  # false for s < 0
    verdict = accepted(left, right, domain={s: (0, 3)}, **DEFAULT_BUDGETS)
    assert verdict.outside_box is not None  # and the verdict says where it fails outside
    found = re.search(r"s = (?:≈ )?(-?[0-9.]+(?:e-?[0-9]+)?)", verdict.outside_box)
    assert found, verdict.outside_box
    value = sp.Rational(found.group(1))
    assert value < 0 and (left - right).subs(s, value) != 0


# --- true identities are never rejected -------------------------------------------------------


@FAMILY
@given(st.integers(30, 700))
def test_tiny_true_values_agree(k):
    accepted(sp.exp(-2 * k), sp.exp(-k) ** 2)
    accepted(sp.exp(x - k) * sp.exp(k), sp.exp(x))


@FAMILY
@given(st.integers(20, 300), st.integers(1, 20))
def test_true_identities_far_from_zero_agree(a, width):
    box = {x: (a, a + width)}
    accepted(sp.log(1 + sp.exp(x)), x + sp.log(1 + sp.exp(-x)), domain=box)
    accepted(sp.tanh(x), 1 - 2 / (sp.exp(2 * x) + 1), domain=box)


@FAMILY
@given(st.integers(1, 40))
def test_true_identities_with_fast_oscillation_agree(j):
    accepted(sp.sin(10**j * sp.pi * x) ** 2 + sp.cos(10**j * sp.pi * x) ** 2, 1)
    accepted(sp.sin(2 * 10**j * x), 2 * sp.sin(10**j * x) * sp.cos(10**j * x))


@FAMILY
@given(st.integers(3, 40))
def test_true_identities_at_small_arguments_agree(k):
    box = {x: (sp.Rational(1, 10**k), sp.Rational(10, 10**k))}
    accepted(sp.exp(x) - 1, 2 * sp.exp(x / 2) * sp.sinh(x / 2), domain=box)
    accepted(sp.log(1 + x), 2 * sp.atanh(x / (2 + x)), domain=box)


@FAMILY
@given(st.integers(2, 9), st.fractions(-2, 2))
def test_true_piecewise_identities_agree(k, centre):
    c = sp.Rational(centre.numerator, centre.denominator)
    accepted(sp.Max(x, c) + sp.Min(x, c), x + c)
    accepted(sp.Abs(x - c) ** 2, (x - c) ** 2)
    accepted(sp.Max(0, 10**k * (x - c)) - sp.Max(0, 10**k * (c - x)), 10**k * (x - c))


def test_numeric_agreement_claims_no_more_digits_than_it_established():
    # Quadratures (no closed form: decided numerically) agree to the digits the checker claims:
    # at least MIN_DIGITS for the true identity (linearity of the integral) and, once the right
    # side is moved by 10^-40, no more than the digits to which the sides really agree.
    t = sp.Symbol("t", real=True)
    left = sp.Integral(sp.exp(-(t**4)) * (1 + xp * t), (t, 0, 1))
    right = sp.Integral(sp.exp(-(t**4)), (t, 0, 1)) + xp * sp.Integral(
        t * sp.exp(-(t**4)), (t, 0, 1)
    )
    domain = {xp: (0, 2)}
    with without_closed_forms():
        verdict = accepted(left, right, domain=domain, numeric_first=True)
    assert verdict.kind is VerdictKind.NUMERIC and verdict.digits >= MIN_DIGITS, verdict
    # On the box the left side lies between 0.84 (x = 0) and 1.6 (x = 2) (mpmath), so the
    # moved sides differ by between 10^-40 / 1.6 and 10^-40 / 0.84, relative to their size:
    # they agree to at most 40 digits at any point (or they are found to differ).
    with mpmath.workdps(30):
        sizes = [
            mpmath.quad(lambda s, a=a: mpmath.exp(-(s**4)) * (1 + a * s), [0, 1]) for a in (0, 2)
        ]
    assert 0.84 < sizes[0] < sizes[1] < 1.6
    moved_right = right + sp.Rational(1, 10**40)
    with without_closed_forms():
        moved = checked(left, moved_right, domain=domain, numeric_first=True)
    if moved.kind is VerdictKind.FAILED:
        assert moved.counterexample is not None, moved
        confirm_counterexample(left, moved_right, moved.counterexample, domain)
    else:
        assert moved.kind is VerdictKind.NUMERIC and moved.digits <= 40, moved


def test_constants_that_differ_below_any_fixed_tolerance_are_false():
    for left, right in [
        (sp.exp(-60), 0),
        (sp.log(1 + sp.exp(55 * sp.Integer(1))), 55),
        (sp.pi, sp.Rational(314159265358979323846264338327950, 10**32)),
    ]:
        rejected(left, right, **DEFAULT_BUDGETS)


# --- identities written as "difference = 0" ----------------------------------------------------


@FAMILY
@given(st.integers(3, 40))
def test_a_taylor_remainder_written_as_zero_is_still_false(k):
    box = {x: (sp.Rational(1, 10**k), sp.Rational(10, 10**k))}
    rejected(sp.exp(x) - 1 - x - x**2 / 2 - x**3 / 6, 0, domain=box, numeric_first=True)
    rejected(sp.log(1 + sp.exp(x)) - x, 0, domain={x: (k, k + 10)}, numeric_first=True)


def test_true_differences_written_as_zero_are_decided_numerically():
    # sympy's routes are skipped (numeric_first and a numeric verdict), and doit finds no closed
    # form for the integrals (it would, in about a second, or not within a short budget): the
    # numeric route alone decides
    t = sp.Symbol("t", real=True)
    a, b = sp.symbols("a b", positive=True)
    for difference, domain in [
        (sp.log(a * b) - sp.log(a) - sp.log(b), None),
        (
            sp.Integral(sp.exp(-(t**4)) * (1 + xp * t), (t, 0, 1))
            - sp.Integral(sp.exp(-(t**4)), (t, 0, 1))
            - xp * sp.Integral(t * sp.exp(-(t**4)), (t, 0, 1)),
            {xp: (0, 2)},
        ),
    ]:
        # three points: each takes seconds for the quadratures, and one is enough to show it
        with without_closed_forms():
            verdict = accepted(difference, 0, domain=domain, numeric_first=True, n_points=3)
        assert verdict.kind is VerdictKind.NUMERIC, verdict.describe()


def test_differences_at_a_single_point_or_at_the_integers_are_found():
    rejected(x + sp.Piecewise((1, sp.Eq(x, sp.Rational(3, 8))), (0, True)), x)  # at 3/8 only
    rejected(sp.ceiling(x) - sp.floor(x), 1)  # false at the integers only
    rejected(sp.floor(2 * x) - 2 * sp.floor(x), 0, domain={x: (0, 5)})  # true on half of each
    accepted(sp.floor(x) + sp.frac(x), x)
    accepted(sp.Heaviside(x) + sp.Heaviside(-x), 1)  # Heaviside(0) = 1/2 in sympy


def test_a_difference_at_a_single_point_that_is_not_a_decimal_is_found():
    # the exact point is 3/7 (it was once rounded to 0.428571428571429, where both sides are x)
    rejected(x + sp.Piecewise((1, sp.Eq(x, sp.Rational(3, 7))), (0, True)), x)


# --- the helpers themselves: a checker that always answers the same fails this suite ----------

# The tests above with a true identity, and those with a false one (some have both).
WITH_TRUE = {
    "test_the_tent_identity_of_the_linear_networks_chapter_holds_only_for_s_at_least_0",
    "test_tiny_true_values_agree",
    "test_true_identities_far_from_zero_agree",
    "test_true_identities_with_fast_oscillation_agree",
    "test_true_identities_at_small_arguments_agree",
    "test_true_piecewise_identities_agree",
    "test_numeric_agreement_claims_no_more_digits_than_it_established",
    "test_true_differences_written_as_zero_are_decided_numerically",
    "test_differences_at_a_single_point_or_at_the_integers_are_found",
}
WITH_FALSE = {
    "test_a_tiny_constant_is_not_zero",
    "test_a_tiny_function_is_not_zero",
    "test_a_rational_matching_a_constant_to_many_digits_is_not_the_constant",
    "test_a_relative_perturbation_far_below_double_precision_is_found",
    "test_asymptotic_identities_far_from_zero_are_false",
    "test_taylor_truncations_at_small_arguments_are_false",
    "test_functions_periodic_on_a_decimal_grid_do_not_vanish_everywhere",
    "test_differences_too_small_to_evaluate_are_proved_non_zero",
    "test_a_tent_confined_to_a_narrow_region_is_found",
    "test_a_bump_tiny_away_from_a_narrow_region_is_found",
    "test_a_window_at_a_decimal_is_found",
    "test_a_window_anywhere_is_found",
    "test_the_tent_identity_of_the_linear_networks_chapter_holds_only_for_s_at_least_0",
    "test_numeric_agreement_claims_no_more_digits_than_it_established",
    "test_constants_that_differ_below_any_fixed_tolerance_are_false",
    "test_a_taylor_remainder_written_as_zero_is_still_false",
    "test_differences_at_a_single_point_or_at_the_integers_are_found",
    "test_a_difference_at_a_single_point_that_is_not_a_decimal_is_found",
}
HELPER_TESTS = {
    "test_the_helpers_reject_a_checker_that_always_answers_the_same",
    "test_a_counterexample_that_is_not_one_is_refused",
}
# Tests whose false identities are not false at x = 1, or not on a box containing it: a fake
# counterexample there is not one (sin(10^j pi) = 0 exactly: a grid point), or lies outside.
NOT_FALSE_AT_ONE = {
    "test_functions_periodic_on_a_decimal_grid_do_not_vanish_everywhere",
    "test_asymptotic_identities_far_from_zero_are_false",
    "test_taylor_truncations_at_small_arguments_are_false",
    "test_a_taylor_remainder_written_as_zero_is_still_false",
}


def always(kind: VerdictKind, at_one: bool = False):
    """A fake checker that answers ``kind`` whatever it is asked; a FAILED answer carries a
    counterexample at the point where every symbol is 1 when ``at_one``."""

    def fake(left, right, **options) -> Verdict:
        if kind is not VerdictKind.FAILED:
            return Verdict(kind, route="fake", points=12, digits=105, reason="fake")
        if not at_one:
            return Verdict(kind, reason="fake: never zero")
        symbols = sp.sympify(left).free_symbols | sp.sympify(right).free_symbols
        point = tuple(sorted((str(symbol), "1") for symbol in symbols))
        counterexample = Counterexample(
            point=point,
            left="1",
            right="2",
            exact_point=point,
        )
        return Verdict(kind, counterexample=counterexample)

    return fake


def fails(test) -> bool:
    """Whether calling the test raises an assertion (hypothesis may report several at once)."""
    try:
        test()
    except AssertionError:
        return True
    except ExceptionGroup as group:  # hypothesis reports distinct failures together
        _, others = group.split(AssertionError)
        assert others is None, others
        return True
    return False


@pytest.mark.parametrize(
    ("fake", "must_fail"),
    [
        (always(VerdictKind.UNVERIFIED), WITH_TRUE | WITH_FALSE),
        (always(VerdictKind.NUMERIC), WITH_FALSE),
        (always(VerdictKind.PROVED), WITH_FALSE),
        (always(VerdictKind.BY_DEFINITION), WITH_FALSE),
        (always(VerdictKind.FAILED), WITH_TRUE | WITH_FALSE),
        (always(VerdictKind.FAILED, at_one=True), WITH_TRUE | NOT_FALSE_AT_ONE),
    ],
    ids=["unverified", "numeric", "proved", "by-definition", "failed", "failed-at-one"],
)
def test_the_helpers_reject_a_checker_that_always_answers_the_same(monkeypatch, fake, must_fail):
    module = sys.modules[__name__]
    tests = {
        name: test
        for name, test in vars(module).items()
        if name.startswith("test_") and callable(test) and name not in HELPER_TESTS
    }
    assert set(tests) == WITH_TRUE | WITH_FALSE, "classify every test above"
    monkeypatch.setattr(module, "check_equal", fake)
    for test in tests.values():  # a failure is enough: no shrinking (slow for fractions)
        current = getattr(test, "_hypothesis_internal_use_settings", None)
        if current is not None:
            quick = settings(current, phases=[Phase.explicit, Phase.generate])
            monkeypatch.setattr(test, "_hypothesis_internal_use_settings", quick)
    failed = {name for name, test in tests.items() if fails(test)}
    assert must_fail <= failed, sorted(must_fail - failed)


def test_a_counterexample_that_is_not_one_is_refused():
    # sin(10 pi x) vanishes at every point of a decimal grid: a FAILED verdict pointing at one
    # is refused, and so is a point outside the box; a real counterexample is accepted, however
    # small the difference
    grid = Counterexample((("x", "0.1"),), "0", "1", exact_point=(("x", "0.1"),))
    fake = lambda *args, **options: Verdict(VerdictKind.FAILED, counterexample=grid)  # noqa: E731
    with pytest.raises(AssertionError, match="not a counterexample"):
        rejected(sp.sin(10 * sp.pi * x), 0, checker=fake)
    with pytest.raises(AssertionError, match="outside its box"):
        rejected(sp.sin(10 * sp.pi * x), 0, checker=fake, domain={x: (1, 2)})
    # 1 - tanh(140) ~ 10^-121: zero at double precision, not at 160 digits
    far = Counterexample((("x", "140"),), "1", "1", exact_point=(("x", "140"),))
    fake = lambda *args, **options: Verdict(VerdictKind.FAILED, counterexample=far)  # noqa: E731
    rejected(sp.tanh(x), 1, checker=fake)
    with pytest.raises(AssertionError, match="agree to"):  # equal, not structurally
        rejected(sp.tanh(x), (sp.exp(2 * x) - 1) / (sp.exp(2 * x) + 1), checker=fake)
    rejected(sp.sin(10 * sp.pi * x), 0)
