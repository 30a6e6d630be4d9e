"""Input checks shared by :mod:`glmnotes.families` and :mod:`glmnotes.glm`.

Every check raises ``ValueError`` (``TypeError`` only for entries that are not numbers at all)
with a message that starts with who is complaining (a family's name, ``newton_irls``, ...),
names the offending values and, where one exists, says what to do about them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse

__all__ = [
    "as_finite_array",
    "as_integer_labels",
    "check_coefficients",
    "check_design_matrix",
    "check_last_axis",
    "check_positive_integer",
    "check_positive_number",
    "check_response",
    "offenders",
    "positive_finite",
]


def offenders(values: np.ndarray, bad: np.ndarray, limit: int = 3) -> str:
    """Describe the first few entries where ``bad`` is True, e.g. ``-1.0 at index 3``.

    ``bad`` has the shape of ``values`` or of its leading axes (then whole rows are shown).
    """
    positions = np.argwhere(bad)
    parts = []
    for position in positions[:limit]:
        key = tuple(int(i) for i in position)
        value = np.asarray(values[key]).tolist()
        where = "" if not key else f" at index {key[0] if len(key) == 1 else key}"
        parts.append(f"{value!r}{where}")
    if len(positions) > limit:
        parts.append(f"and {len(positions) - limit} more")
    return ", ".join(parts)


def as_finite_array(values: Any, who: str, what: str) -> np.ndarray:
    """``values`` as a float array, or ``ValueError`` if it is not numeric or not finite."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{who}: {what} must be numeric; got {values!r} ({error}).") from None
    bad = ~np.isfinite(array)
    if bad.any():
        raise ValueError(
            f"{who}: {what} must be finite; got {offenders(array, bad)}. "
            "Remove or impute missing (NaN) and infinite values first."
        )
    return array


def check_last_axis(array: np.ndarray, size: int, who: str, what: str) -> None:
    """``ValueError`` unless ``array`` has a last axis of length ``size`` (a vector per row)."""
    if array.ndim == 0 or array.shape[-1] != size:
        raise ValueError(
            f"{who}: {what} must have last axis of length {size}; got shape {array.shape}."
        )


def positive_finite(value: Any, who: str, name: str) -> float:
    """``value`` as a float, or ``ValueError`` unless it is a positive finite number."""
    value = float(value)
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{who}: {name} must be a positive finite number; got {value}.")
    return value


def check_positive_integer(value: Any, who: str, name: str) -> None:
    """``ValueError`` unless ``value`` is a whole number at least 1 (an iteration count)."""
    if not (int(value) == value and value >= 1):
        raise ValueError(f"{who}: {name} must be a positive integer; got {value!r}.")


def check_positive_number(value: Any, who: str, name: str) -> None:
    """``ValueError`` unless ``value`` is a positive finite number (a tolerance, a step)."""
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{who}: {name} must be a positive number; got {value!r}.")


def check_design_matrix(X: Any, who: str) -> np.ndarray:
    """``X`` as a 2-d float array with finite entries, or ``ValueError`` saying what to do
    (``TypeError`` for entries that are not numbers at all)."""
    if scipy.sparse.issparse(X):
        raise ValueError(f"{who}: sparse input is not supported; pass X.toarray().")
    try:
        X = np.asarray(X)  # first, so that numpy functions see an ndarray, not the array-like
        is_complex = np.iscomplexobj(X)
        X = X if is_complex else np.asarray(X, dtype=float)
    except TypeError as error:
        raise TypeError(f"{who}: X must be numeric: {error}.") from None
    except ValueError as error:
        raise ValueError(f"{who}: X must be numeric: {error}.") from None
    if is_complex:
        raise ValueError(f"{who}: Complex data not supported; X must be real.")
    if X.ndim != 2:
        raise ValueError(
            f"{who}: X must be a 2-d array of shape (n_samples, n_features); got shape "
            f"{X.shape}. Reshape your data: X.reshape(-1, 1) for a single feature."
        )
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(
            f"{who}: X has {X.shape[0]} sample(s) and {X.shape[1]} feature(s) "
            f"(shape={X.shape}) while a minimum of 1 is required."
        )
    if not np.isfinite(np.sum(X)):  # one cheap pass; locate the culprits only if it fails
        bad = ~np.isfinite(X)
        if bad.any():
            raise ValueError(
                f"{who}: X must be finite; got {offenders(X, bad)} (row, column). "
                "Remove or impute missing (NaN) and infinite values first."
            )
    return X


def check_response(y: Any, n: int, who: str) -> None:
    """``ValueError`` unless ``y`` is 1-d with one entry per row of ``X`` (``n`` rows)."""
    shape = np.shape(y)
    if len(shape) != 1:
        raise ValueError(f"{who}: y must be a 1-d array; got shape {shape}.")
    if shape[0] != n:
        raise ValueError(f"{who}: X has {n} rows but y has {shape[0]} entries.")


def check_coefficients(theta: Any, expected: tuple[int, ...], who: str) -> np.ndarray:
    """``theta`` as a finite float array of shape ``expected``, or ``ValueError``."""
    theta = np.asarray(theta, dtype=float)
    if theta.shape != expected:
        raise ValueError(
            f"{who}: theta must have shape {expected} (features + intercept, "
            f"classes - 1); got {theta.shape}."
        )
    bad = ~np.isfinite(theta)
    if bad.any():
        raise ValueError(f"{who}: theta must be finite; got {offenders(theta, bad)}.")
    return theta


def as_integer_labels(y: np.ndarray, who: str) -> np.ndarray:
    """Integer-valued class labels as a float array, or ``ValueError``."""
    try:
        values = np.asarray(y, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            f"{who}: y must be integer class labels; got {y[:5]!r}... Encode string "
            "labels with numpy.unique(y, return_inverse=True)."
        ) from None
    bad = ~np.isfinite(values) | (values != np.floor(values))
    if bad.any():
        raise ValueError(f"{who}: y must be integer class labels; got {offenders(values, bad)}.")
    return values
