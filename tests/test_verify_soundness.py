"""The checker cannot be fooled: false near-misses of every kind are never accepted, and true
identities are never rejected.

Each family below is a kind of false identity that a numeric check with an absolute tolerance, a
fixed sampling grid or too few digits accepts: values below an absolute floor, near misses
smaller than a tolerance, asymptotic identities far from zero, Taylor truncations at small
arguments, functions vanishing on a grid, differences provably non-zero but too small to see,
and differences confined to a narrow region. Hypothesis draws the parameters. A false identity
must come out FAILED or UNVERIFIED (never PROVED, BY_DEFINITION or NUMERIC); a true one must
never come out FAILED. References: the mathematics of each family (every false identity below is
false at every point of its box, or on an interval the sampling is told nothing about).
"""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from glmnotes.verify import VerdictKind, check_equal

x = sp.Symbol("x", real=True)
xp = sp.Symbol("x", positive=True)
FAMILY = settings(max_examples=6, deadline=None)


# simplify() expands sin(2 10^30 x) by double angles until its budget ends: a short budget keeps
# these tests quick (a clock cut only ever makes a check give up a route, never accept)
QUICK = {"time_limit": 1.0, "symbolic_budget": 2.0}


def rejected(left, right, **options) -> None:
    verdict = check_equal(left, right, **{**QUICK, **options})
    assert not verdict.holds, f"false identity accepted: {left} = {right}: {verdict.describe()}"
    assert verdict.kind in (VerdictKind.FAILED, VerdictKind.UNVERIFIED)


def accepted(left, right, **options) -> None:
    verdict = check_equal(left, right, **{**QUICK, **options})
    assert verdict.kind is not VerdictKind.FAILED, (
        f"true identity rejected: {left} = {right}: {verdict.describe()}"
    )


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
    verdict = check_equal(x + sp.exp(-(10**k)), x)
    assert verdict.kind is VerdictKind.FAILED
    rejected(x, x + sp.exp(-(x**2) - 10**k))


# --- differences confined to a narrow region --------------------------------------------------


@FAMILY
@given(st.integers(2, 9), st.fractions(-2, 2))
def test_a_difference_confined_to_a_narrow_region_is_found(k, centre):
    c = sp.Rational(centre.numerator, centre.denominator)
    rejected(x + sp.Max(0, 1 - 10**k * sp.Abs(x - c)), x)  # a tent of width 2 10^-k
    rejected(x + sp.exp(-(10**k) * (x - c) ** 2), x)  # a bump: never zero, tiny away from c
    window = sp.Piecewise((1, (x > c) & (x < c + sp.Rational(1, 10**k))), (0, True))
    rejected(x + window, x)


def test_the_tent_identity_of_the_linear_networks_chapter_holds_only_for_s_at_least_0():
    s = sp.Symbol("s", real=True)
    relu = lambda t: sp.Max(0, t)  # noqa: E731
    left, right = relu(s) - 2 * relu(s - 1), 1 - sp.Abs(s - 1)
    rejected(left, right, domain={s: (-3, 3)})  # false for s < 0
    verdict = check_equal(left, right, domain={s: (0, 3)})
    assert verdict.holds and verdict.outside_box is not None  # and the verdict says so


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
    # both sides agree to 30 digits only where evaluated at 35: the claim must not exceed that
    t = sp.Symbol("t", real=True)
    left = sp.Integral(sp.exp(-(t**4)) * (1 + xp * t), (t, 0, 1))
    right = sp.Integral(sp.exp(-(t**4)), (t, 0, 1)) + xp * sp.Integral(
        t * sp.exp(-(t**4)), (t, 0, 1)
    )
    verdict = check_equal(left, right, domain={xp: (0, 2)}, numeric_first=True)
    assert verdict.kind is VerdictKind.NUMERIC
    # the two sides at a sampled point really agree to the claimed number of digits (mpmath)
    with mpmath.workdps(verdict.digits + 10):
        point = mpmath.mpf("1.3")
        a = mpmath.quad(lambda s: mpmath.exp(-(s**4)) * (1 + point * s), [0, 1])
        b = mpmath.quad(lambda s: mpmath.exp(-(s**4)), [0, 1]) + point * mpmath.quad(
            lambda s: s * mpmath.exp(-(s**4)), [0, 1]
        )
        assert abs(a - b) <= abs(a) * mpmath.mpf(10) ** (-min(verdict.digits, 40) + 2)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (sp.exp(-60), 0),
        (sp.log(1 + sp.exp(55 * sp.Integer(1))), 55),
        (sp.pi, sp.Rational(314159265358979323846264338327950, 10**32)),
    ],
)
def test_constants_that_differ_below_any_fixed_tolerance_are_false(left, right):
    assert check_equal(left, right).kind is VerdictKind.FAILED


# --- identities written as "difference = 0" ----------------------------------------------------


@FAMILY
@given(st.integers(3, 40))
def test_a_taylor_remainder_written_as_zero_is_still_false(k):
    box = {x: (sp.Rational(1, 10**k), sp.Rational(10, 10**k))}
    rejected(sp.exp(x) - 1 - x - x**2 / 2 - x**3 / 6, 0, domain=box, numeric_first=True)
    rejected(sp.log(1 + sp.exp(x)) - x, 0, domain={x: (k, k + 10)}, numeric_first=True)


def test_true_differences_written_as_zero_are_decided_numerically():
    # sympy's routes are skipped (numeric_first and a numeric verdict): the numeric route alone
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
        verdict = check_equal(difference, 0, domain=domain, numeric_first=True)
        assert verdict.kind is VerdictKind.NUMERIC, verdict.describe()


def test_differences_at_a_single_point_or_at_the_integers_are_found():
    c = sp.Rational(3, 7)
    rejected(x + sp.Piecewise((1, sp.Eq(x, c)), (0, True)), x)  # only at x = 3/7
    rejected(sp.ceiling(x) - sp.floor(x), 1)  # false at the integers only
    rejected(sp.floor(2 * x) - 2 * sp.floor(x), 0, domain={x: (0, 5)})  # true on half of each
    accepted(sp.floor(x) + sp.frac(x), x)
    accepted(sp.Heaviside(x) + sp.Heaviside(-x), 1)  # Heaviside(0) = 1/2 in sympy
