"""Tests of glmnotes._validation, the input checks that families and GLMs share: each raises a
ValueError that names who complains, the offending values and what to do."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse

from glmnotes._validation import (
    as_finite_array,
    as_integer_labels,
    check_coefficients,
    check_design_matrix,
    check_last_axis,
    check_positive_integer,
    check_positive_number,
    check_response,
    offenders,
    positive_finite,
)


def test_offenders_names_values_and_positions():
    values = np.array([1.0, -1.0, 2.0, -3.0, -4.0, -5.0])
    assert (
        offenders(values, values < 0) == "-1.0 at index 1, -3.0 at index 3, -4.0 at index 4, "
        "and 1 more"
    )
    matrix = np.array([[0.0, np.nan], [1.0, 2.0]])
    assert offenders(matrix, np.isnan(matrix)) == "nan at index (0, 1)"
    rows = np.array([[0.2, 0.8], [0.5, 0.6]])
    assert offenders(rows, np.array([False, True])) == "[0.5, 0.6] at index 1"  # whole rows
    assert offenders(np.array(7.0), np.array(True)) == "7.0"


def test_as_finite_array():
    np.testing.assert_array_equal(as_finite_array([1, 2], "Poisson", "y"), [1.0, 2.0])
    with pytest.raises(ValueError, match=r"Poisson: y must be finite; got nan at index 1\. "):
        as_finite_array([1.0, np.nan], "Poisson", "y")
    with pytest.raises(ValueError, match=r"Poisson: y must be numeric; got \['a'\]"):
        as_finite_array(["a"], "Poisson", "y")


def test_shapes_and_lengths():
    check_last_axis(np.zeros((4, 3)), 3, "Dirichlet", "y")
    with pytest.raises(ValueError, match=r"Dirichlet: y must have last axis of length 3; got "):
        check_last_axis(np.zeros(2), 3, "Dirichlet", "y")
    with pytest.raises(ValueError, match="got shape \\(\\)"):
        check_last_axis(np.zeros(()), 3, "Dirichlet", "eta")
    check_response(np.zeros(5), 5, "Poisson")
    with pytest.raises(ValueError, match=r"Poisson: y must be a 1-d array; got shape \(5, 1\)"):
        check_response(np.zeros((5, 1)), 5, "Poisson")
    with pytest.raises(ValueError, match="Poisson: X has 5 rows but y has 4 entries"):
        check_response(np.zeros(4), 5, "Poisson")


@pytest.mark.parametrize(
    "X, error, message",
    [
        (scipy.sparse.eye(3), ValueError, "who: sparse input is not supported; pass X.toarray()"),
        (np.ones((2, 2)) * 1j, ValueError, "who: Complex data not supported"),
        (np.ones(3), ValueError, r"who: X must be a 2-d array .* X.reshape\(-1, 1\)"),
        (np.ones((0, 2)), ValueError, r"who: X has 0 sample\(s\) and 2 feature\(s\)"),
        ([[1.0, np.inf]], ValueError, r"who: X must be finite; got inf at index \(0, 1\)"),
        ([[1.0, "a"]], ValueError, "who: X must be numeric"),
        ([[1.0, object()]], TypeError, "who: X must be numeric"),
    ],
)
def test_design_matrix_is_refused_with_a_reason(X, error, message):
    with pytest.raises(error, match=message):
        check_design_matrix(X, "who")


def test_design_matrix_is_returned_as_floats_without_copying():
    X = np.arange(6.0).reshape(3, 2)
    assert check_design_matrix(X, "who") is X
    assert check_design_matrix([[1, 2]], "who").dtype == float


def test_coefficients():
    np.testing.assert_array_equal(check_coefficients([1, 2], (2,), "Poisson"), [1.0, 2.0])
    with pytest.raises(ValueError, match=r"Poisson: theta must have shape \(3,\) .*got \(2,\)"):
        check_coefficients([1, 2], (3,), "Poisson")
    with pytest.raises(ValueError, match="Poisson: theta must be finite; got nan at index 0"):
        check_coefficients([np.nan, 2], (2,), "Poisson")


def test_numbers():
    assert positive_finite("2.5", "Gaussian", "sigma") == 2.5
    for bad in (0.0, -1.0, np.inf, np.nan):
        with pytest.raises(ValueError, match="Gaussian: sigma must be a positive finite number"):
            positive_finite(bad, "Gaussian", "sigma")
    check_positive_integer(3, "newton_irls", "max_iter")
    check_positive_integer(3.0, "newton_irls", "max_iter")
    for bad in (0, 2.5, -1):
        with pytest.raises(ValueError, match="newton_irls: max_iter must be a positive integer"):
            check_positive_integer(bad, "newton_irls", "max_iter")
    check_positive_number(1e-12, "newton_irls", "tol")
    for bad in (0.0, -1.0, np.nan, np.inf):
        with pytest.raises(ValueError, match="newton_irls: tol must be a positive number"):
            check_positive_number(bad, "newton_irls", "tol")


def test_integer_labels():
    np.testing.assert_array_equal(as_integer_labels(np.array([3, 5, 3]), "multinomial"), [3, 5, 3])
    with pytest.raises(ValueError, match=r"multinomial: y must be integer class labels; got 0.5"):
        as_integer_labels(np.array([1.0, 0.5]), "multinomial")
    with pytest.raises(ValueError, match="Encode string labels with numpy.unique"):
        as_integer_labels(np.array(["a", "b"]), "multinomial")
