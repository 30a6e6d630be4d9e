r"""Does the maximum-likelihood estimate exist? Separation, found by a linear program.

For the bernoulli, multinomial and poisson families the log-likelihood can rise without bound
along a direction of the coefficients (classes perfectly separated, zero counts fitted
exactly); then no estimate exists and the solvers say so (:class:`~glmnotes.exceptions.
PerfectSeparationWarning`) instead of reporting the last iterate as one.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy.optimize import linprog

from glmnotes.exceptions import PerfectSeparationWarning
from glmnotes.families import Bernoulli, ExponentialFamily, Multinomial, Poisson
from glmnotes.glm.design import with_ones_column
from glmnotes.glm.model import prepare

__all__ = ["mle_may_not_exist", "separation_direction", "warn_if_separated"]


def mle_may_not_exist(family: ExponentialFamily) -> bool:
    """Whether the log-likelihood of ``family`` can rise without bound (no estimate): bernoulli,
    multinomial and poisson."""
    return isinstance(family, (Bernoulli, Multinomial, Poisson))


def warn_if_separated(
    family: ExponentialFamily,
    X: np.ndarray,
    y: np.ndarray,
    fit_intercept: bool,
    who: str,
) -> np.ndarray | None:
    """Run :func:`separation_direction`; warn :class:`PerfectSeparationWarning` if found."""
    direction = separation_direction(family, X, y, fit_intercept=fit_intercept)
    if direction is not None:
        what = (
            "the zero counts can be fitted exactly (mean -> 0)"
            if isinstance(family, Poisson)
            else "the classes are perfectly separated (some fitted probabilities -> 0 or 1)"
        )
        warnings.warn(
            f"{who}: the maximum-likelihood estimate does not exist: {what}, so the "
            "log-likelihood keeps rising along a direction of the coefficients and they "
            "diverge. The coefficients returned are the last iterate, not an estimate; remove "
            "the separating features, merge classes, or add a penalty.",
            PerfectSeparationWarning,
            stacklevel=3,
        )
    return direction


def separation_direction(
    family: Any, X: Any, y: Any, fit_intercept: bool = False
) -> np.ndarray | None:
    r"""A direction :math:`d` along which the log-likelihood rises without bound, or ``None``.

    For such a :math:`d`, :math:`\ell(\theta + s d)` increases with :math:`s` for every
    :math:`\theta`, so no maximiser exists (Albert and Anderson, 1984). Found by a linear
    program (HiGHS) with :math:`-1 \le d_j \le 1`:

    - bernoulli: maximise :math:`\sum_i s_i x_i^\top d` subject to :math:`s_i x_i^\top d \ge 0`,
      :math:`s_i = 2y_i - 1` (complete or quasi-complete separation);
    - multinomial: along :math:`d` the observed class's linear predictor grows at least as fast
      as every other class's:
      :math:`x_i^\top(d_{y_i} - d_j) \ge 0` (with :math:`d_{k-1} = 0`);
    - poisson: :math:`x_i^\top d = 0` where :math:`y_i > 0` and :math:`x_i^\top d \le 0` where
      :math:`y_i = 0`.

    A strictly positive optimum means separation. Other families return ``None`` (their
    estimate exists whenever the log-likelihood is finite somewhere and :math:`X` has full
    rank). ``d`` has the shape of ``theta``.
    """
    family, _, X, _, _ = prepare(family, X, y, None, None, fit_intercept)
    if not mle_may_not_exist(family):
        return None
    y = family.validate(y)
    design = with_ones_column(X, fit_intercept)
    q = design.shape[1]
    equalities = None
    if isinstance(family, Bernoulli):
        margins = (2 * y - 1)[:, None] * design
    elif isinstance(family, Poisson):
        margins = -design[y == 0]
        equalities = design[y > 0]
    else:
        d = family.k - 1
        rows = []
        for j in range(family.k):
            chosen = y != j
            block = np.zeros((int(chosen.sum()), d * q))
            for c in range(d):
                sign = (y[chosen] == c).astype(float) - (j == c)
                block[:, c * q : (c + 1) * q] = sign[:, None] * design[chosen]
            rows.append(block)
        margins = np.vstack(rows)
    size = np.max(np.abs(margins), axis=1, keepdims=True) if len(margins) else None
    if size is None or not np.any(size > 0):
        return None
    margins = margins[size[:, 0] > 0] / size[size[:, 0] > 0]
    if equalities is not None and len(equalities):
        norms = np.max(np.abs(equalities), axis=1, keepdims=True)
        equalities = equalities[norms[:, 0] > 0] / norms[norms[:, 0] > 0]
    else:
        equalities = None
    result = linprog(
        c=-margins.sum(axis=0),
        A_ub=-margins,
        b_ub=np.zeros(len(margins)),
        A_eq=equalities,
        b_eq=None if equalities is None else np.zeros(len(equalities)),
        bounds=(-1, 1),
        method="highs",
    )
    if result.status != 0:
        return None
    direction = result.x
    achieved = margins @ direction
    violated = np.min(achieved) < -1e-7
    if equalities is not None:
        violated |= np.max(np.abs(equalities @ direction)) > 1e-7
    if violated or np.max(achieved) <= 1e-6:
        return None
    if isinstance(family, Multinomial):
        return direction.reshape(family.k - 1, q).T
    return direction
