"""Tests for glmnotes.evidence: printed bounds hold, and a false bound fails loudly."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from glmnotes.evidence import EvidenceError, above, below, below_or_value


def test_below_prints_the_bound_not_the_value():
    assert below(3.552713678800501e-15, 1e-12) == "< 1e-12"
    assert below(-2e-13, 1e-12) == "< 1e-12"  # a signed difference: its size is compared


def test_below_refuses_a_false_claim():
    with pytest.raises(EvidenceError, match="1.93 is not below 1e-10"):
        below(1.93, 1e-10)
    with pytest.raises(EvidenceError):
        below(1e-12, 1e-12)  # the bound itself is not below the bound


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_a_non_finite_value_is_never_evidence(value):
    with pytest.raises(EvidenceError, match="not a finite number"):
        below(value, 1e-12)
    with pytest.raises(EvidenceError, match="not a finite number"):
        above(value, 1e-12)


@pytest.mark.parametrize("bound", [0, -1e-3, math.nan, math.inf])
def test_a_bound_must_be_positive_and_finite(bound):
    with pytest.raises(ValueError, match="positive finite"):
        below(1.0, bound)


def test_above_states_a_lower_bound():
    assert above(4e-8, 1e-8) == "> 1e-08"
    with pytest.raises(EvidenceError, match="is not above"):
        above(1e-9, 1e-8)


def test_below_or_value_prints_small_values_as_the_bound_and_others_rounded():
    assert below_or_value(2.9e-15, 1e-9) == "< 1e-09"
    assert below_or_value(1.9312345, 1e-9) == "1.93"
    assert below_or_value(0.000221456, 1e-9, digits=2) == "0.00022"


@given(st.floats(min_value=0, max_value=1e-13), st.floats(min_value=0, max_value=1e-13))
def test_rounding_level_differences_print_the_same_text(a, b):
    # two machines whose last bits differ print the same line
    assert below(a, 1e-12) == below(b, 1e-12)
