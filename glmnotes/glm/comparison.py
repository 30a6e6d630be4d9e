r"""glmnotes beside statsmodels and scikit-learn: the same model fitted three ways, compared.

A chapter fits each model with :class:`~glmnotes.glm.GLM`, statsmodels and scikit-learn, without
a penalty and at tight tolerances (:data:`SKLEARN_TIGHT`, :data:`STATSMODELS_TIGHT`), and shows
the coefficients side by side (:func:`side_by_side`), after putting them in one order
(:func:`intercept_first`) and, for softmax regression, relative to one reference class
(:func:`relative_to_first_class`: statsmodels' ``MNLogit`` takes the first class as the
reference, :class:`~glmnotes.glm.GLM` the last, scikit-learn none). Differences are printed as
checked bounds (:func:`glmnotes.evidence.below`), never as their round-off size.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from glmnotes.evidence import below

__all__ = [
    "INFERENCE_NUMBERS",
    "SKLEARN_TIGHT",
    "STATSMODELS_PARAMS_TIGHT",
    "STATSMODELS_TIGHT",
    "fit_report",
    "inference_gaps",
    "intercept_first",
    "relative_to_first_class",
    "side_by_side",
]

#: scikit-learn's estimators, solved to the end: Newton-Cholesky, tight tolerance.
SKLEARN_TIGHT = {"solver": "newton-cholesky", "tol": 1e-12, "max_iter": 1000}
#: statsmodels' IRLS, solved to the end.
STATSMODELS_TIGHT = {"tol": 1e-13}
#: statsmodels' IRLS, stopped only when the coefficients stop changing (for inference).
STATSMODELS_PARAMS_TIGHT = {"tol": 1e-15, "tol_criterion": "params", "maxiter": 1000}

#: (our attribute, statsmodels' attribute) for the numbers compared one by one.
INFERENCE_NUMBERS = [
    ("params_", "params"),
    ("bse_", "bse"),
    ("zvalues_", "tvalues"),
    ("scale_", "scale"),
    ("deviance_", "deviance"),
    ("null_deviance_", "null_deviance"),
    ("pearson_chi2_", "pearson_chi2"),
    ("llf_", "llf"),
    ("aic_", "aic"),
    ("bic_", "bic_llf"),
]


def intercept_first(model: Any) -> np.ndarray:
    """A fitted model's coefficients as one vector, the intercept first (``intercept_`` then
    ``coef_`` flattened: the order of statsmodels' ``params`` with ``add_constant``)."""
    return np.r_[model.intercept_, np.ravel(model.coef_)]


def relative_to_first_class(intercepts: Any, coefficients: Any) -> np.ndarray:
    r"""Softmax coefficients relative to the first class: :math:`\theta_c - \theta_1` for the
    classes :math:`c = 2, \dots, k`, one column per class, the intercept in the first row.

    ``intercepts`` has one entry per class and ``coefficients`` one row per class, all
    :math:`k` of them (a reference class included, as a row of zeros). Softmax probabilities
    do not change when the same vector is subtracted from every class, so this is the one
    parametrisation every library can be brought to.
    """
    full = np.column_stack([intercepts, coefficients]).T
    return full[:, 1:] - full[:, [0]]


def side_by_side(
    terms: Sequence[str], coefficients: Mapping[str, Any], logliks: Mapping[str, float]
) -> Any:
    """A table with one column of coefficients per library (``{library: vector}``, glmnotes
    first) and their log-likelihoods as the last row, six significant digits. Printed first:
    the largest difference of each other library to glmnotes, as bounds (checked: an
    :class:`~glmnotes.evidence.EvidenceError` if a difference reaches ``1e-8``)."""
    import pandas as pd

    table = pd.DataFrame(dict(coefficients), index=list(terms))
    ours = table.iloc[:, 0].to_numpy()
    first = table.columns[0]
    for library in table.columns[1:]:
        gap = np.max(np.abs(table[library].to_numpy() - ours))
        loglik_gap = abs(logliks[library] - logliks[first])
        print(
            f"{library}: largest |coefficient difference| {below(gap, 1e-8)},\n"
            f"  log-likelihood difference {below(loglik_gap, 1e-8)}"
        )
    table.loc["log-likelihood"] = pd.Series(dict(logliks))
    return table.map(lambda value: f"{value:.6g}")


def inference_gaps(ours: Any, reference: Any, sign: float = 1.0) -> dict[str, float]:
    r"""The largest relative difference of every inference number of a fitted
    :class:`~glmnotes.glm.GLM` to a statsmodels ``GLMResults``, by name: coefficients, standard
    errors, z, scale, deviances, Pearson's :math:`X^2`, llf, AIC, BIC, the covariance (each
    entry relative to :math:`\sqrt{C_{ii}C_{jj}}`), the p-values (below 1e-10 their
    logarithms, so that a p-value of 1e-30 is compared digit for digit) and the 90% and 95%
    intervals (relative to the standard error). ``sign=-1`` compares coefficients of
    :math:`\eta = -1/\mu` with statsmodels' :math:`1/\mu`."""
    gaps = {}
    for mine, theirs in INFERENCE_NUMBERS:
        expected = np.atleast_1d(np.asarray(getattr(reference, theirs), dtype=float))
        if mine in ("params_", "zvalues_"):
            expected = sign * expected
        found = np.atleast_1d(np.asarray(getattr(ours, mine), dtype=float))
        gaps[mine] = float(np.max(np.abs(found - expected) / np.abs(expected)))
    covariance = np.asarray(reference.cov_params(), dtype=float)
    size = np.sqrt(np.outer(np.diag(covariance), np.diag(covariance)))
    gaps["cov_params_"] = float(np.max(np.abs(ours.cov_params_ - covariance) / size))
    expected, found = np.asarray(reference.pvalues, dtype=float), np.asarray(ours.pvalues_)
    tiny = expected < 1e-10  # beyond z = 6.5 the round-off of z is amplified: compare logs
    with np.errstate(all="ignore"):  # both 0 (z beyond 38): equal, gap 0 below
        relative = np.abs(found - expected) / expected
        logs = np.abs(np.log(found) - np.log(expected)) / np.abs(np.log(expected))
    gap = np.where(found == expected, 0.0, np.where(tiny, logs, relative))
    gaps["pvalues_"] = float(np.max(gap))
    bse = np.asarray(reference.bse, dtype=float)[:, None]
    for alpha in (0.05, 0.1):
        interval = np.asarray(reference.conf_int(alpha), dtype=float)
        expected = interval if sign > 0 else -interval[:, ::-1]
        gap = np.max(np.abs(ours.conf_int(alpha) - expected) / bse)
        gaps[f"conf_int({alpha:g})"] = float(gap)
    return gaps


def fit_report(model: Any) -> str:
    """One line on how a fitted :class:`~glmnotes.glm.GLM` got there: its Newton iterations and
    whether it converged."""
    return f"glmnotes: {model.n_iter_} Newton iteration(s), converged: {model.converged_}"
