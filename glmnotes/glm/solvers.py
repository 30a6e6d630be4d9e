r"""The two solvers: Newton's method (IRLS) and the notes' gradient ascent, and where they start.

Both follow the same fixed sequence, as scikit-learn's Newton solver does: set up (a starting
point from one IRLS step, the rank of the design), then repeat -- score and information in one
pass over the data (:func:`glmnotes.glm.likelihood.accumulate`), the step, a line search that
halves the step while the log-likelihood does not improve, the convergence test -- and finally
the check that the maximum-likelihood estimate exists (:mod:`glmnotes.glm.separation`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.linalg

from glmnotes._validation import check_positive_integer, check_positive_number
from glmnotes.exceptions import ConvergenceWarning, RankDeficientWarning
from glmnotes.families import Bernoulli, ExponentialFamily, Gaussian, Multinomial
from glmnotes.glm.design import blocks, design_tdot, flat, information_block, unflat
from glmnotes.glm.likelihood import accumulate, linear_predictor_of_mean, residual_and_weight
from glmnotes.glm.model import is_canonical, prepare
from glmnotes.glm.separation import mle_may_not_exist, warn_if_separated
from glmnotes.links import Link

__all__ = ["FitResult", "fixed_step_path", "gradient_ascent", "newton_irls"]


@dataclass
class FitResult:
    """What a solver returns.

    Attributes
    ----------
    theta : ndarray
        Last iterate, shape ``(q,)`` or ``(q, k-1)``.
    converged : bool
        The stopping criterion was met (and the maximum-likelihood estimate exists).
    n_iter : int
        Iterations (steps) taken.
    loglik_history : list of float
        :math:`\\ell` at the start and after every step.
    rank : int
        Column rank of the design matrix (with the intercept column).
    separation : ndarray or None
        A direction along which the log-likelihood rises without bound (see
        :func:`separation_direction`), if one was found.
    """

    theta: np.ndarray
    converged: bool
    n_iter: int
    loglik_history: list[float]
    rank: int
    separation: np.ndarray | None = None


def _row_space(gram: np.ndarray, who: str, rtol: float = 1e-10) -> tuple[np.ndarray | None, int]:
    r"""An orthonormal basis of the row space of :math:`\tilde X` if it is rank deficient
    (else ``None``), and the rank, read from ``gram`` :math:`= \tilde X^\top W \tilde X` with
    positive weights (which has the null space of :math:`\tilde X`).

    The rank is read from the eigenvalues of :math:`D^{-1/2} G D^{-1/2}` (:math:`D` the
    diagonal of :math:`G`, so column scale does not matter): eigenvalues below ``rtol`` times
    the largest count as zero. Warns :class:`RankDeficientWarning` when deficient.
    """
    q = gram.shape[0]
    scale = np.sqrt(np.diag(gram))
    scale[scale == 0] = 1.0
    eigenvalues, eigenvectors = np.linalg.eigh(gram / np.outer(scale, scale))
    null = eigenvalues <= rtol * eigenvalues[-1]
    rank = q - int(null.sum())
    if rank == q:
        return None, rank
    complete, _ = np.linalg.qr(eigenvectors[:, null] / scale[:, None], mode="complete")
    warnings.warn(
        f"{who}: the design matrix has rank {rank} < {q} columns (collinear or constant "
        "columns): infinitely many coefficient vectors give the same fit. Returning the one of "
        "minimum Euclidean norm; drop redundant columns for an identified model.",
        RankDeficientWarning,
        stacklevel=3,
    )
    return complete[:, q - rank :], rank


def _newton_direction(
    information: np.ndarray, gradient: np.ndarray, basis: np.ndarray | None
) -> np.ndarray:
    r"""Solve :math:`I\,\delta = g` by Cholesky (within ``basis`` if given); if :math:`I` is
    numerically singular, the minimum-norm least-squares solution instead."""
    if basis is not None:
        information = basis.T @ information @ basis
        gradient = basis.T @ gradient
    try:
        factor = scipy.linalg.cho_factor(information)
        direction = scipy.linalg.cho_solve(factor, gradient)
    except (np.linalg.LinAlgError, ValueError):
        direction = np.linalg.lstsq(information, gradient, rcond=None)[0]
    return direction if basis is None else basis @ direction


def _expand_basis(basis: np.ndarray | None, family: ExponentialFamily) -> np.ndarray | None:
    """The row-space basis for the class-by-class coefficient vector of the multinomial."""
    if basis is None or family.is_scalar:
        return basis
    return np.kron(np.eye(family.eta_size), basis)


def _starting_mean(family: ExponentialFamily, link: Link, t: np.ndarray, floor: float):
    r""":math:`\mu_0`, a mean inside the mean space halfway between :math:`T(y)` and a central
    value (as statsmodels and R start IRLS); ``floor`` keeps positive means positive."""
    if isinstance(family, Bernoulli):
        return (t + 0.5) / 2
    if isinstance(family, Multinomial):
        return (t + 1.0 / family.k) / 2
    if isinstance(family, Gaussian) and is_canonical(family, link):
        return t
    return np.maximum((t + floor) / 2, floor)


def _starting_candidates(
    family: ExponentialFamily, link: Link, X: np.ndarray, t: np.ndarray, fit_intercept: bool, who
) -> tuple[list[np.ndarray], np.ndarray | None, int]:
    r"""Starting coefficients, best first, the row-space basis and the rank.

    The first candidate is one IRLS step from :math:`\mu_0` (:func:`_starting_mean`): weighted
    least squares of the working response :math:`z_0 = g(\mu_0) + (T(y) - \mu_0)\,g'(\mu_0)`
    with the Fisher weights :math:`W_0` at :math:`\mu_0`, i.e.
    :math:`\theta = (\tilde X^\top W_0\tilde X)^{-1}\tilde X^\top W_0 z_0` (for the Gaussian
    this is already the least-squares answer). The same pass gives the rank (the weights are
    positive, so :math:`\tilde X^\top W_0 \tilde X` has the null space of :math:`\tilde X`).
    Fallbacks, for a canonical link whose parameter space the first candidate leaves: the
    weighted fit of the constant :math:`g(\bar\mu_0)` (:math:`\bar\mu_0` the starting
    mean of :math:`\bar T`), then zero.
    """
    d = family.eta_size
    q = X.shape[1] + int(fit_intercept)
    floor = max(float(np.mean(t)), 1e-3) if family.is_scalar else 0.0
    central_mean = _starting_mean(family, link, np.mean(t, axis=0), floor)
    central = linear_predictor_of_mean(family, link, central_mean)
    matrix = np.zeros((q * d, q * d))
    rhs = np.zeros((q,) if family.is_scalar else (q, d))
    rhs_constant = np.zeros_like(rhs)
    for rows in blocks(len(X)):
        block = X[rows]
        s = linear_predictor_of_mean(family, link, _starting_mean(family, link, t[rows], floor))
        residual, weight = residual_and_weight(family, link, t[rows], s)
        matrix += information_block(block, weight, family.is_scalar, fit_intercept)
        if family.is_scalar:
            rhs += design_tdot(block, weight * s + residual, fit_intercept)
            rhs_constant += design_tdot(block, weight * central, fit_intercept)
        else:
            rhs += design_tdot(block, np.einsum("nij,nj->ni", weight, s) + residual, fit_intercept)
            rhs_constant += design_tdot(block, weight @ central, fit_intercept)
    basis, rank = _row_space(matrix[:q, :q], who)
    step_basis = _expand_basis(basis, family)
    candidates = [
        unflat(_newton_direction(matrix, flat(rhs), step_basis), rhs),
        unflat(_newton_direction(matrix, flat(rhs_constant), step_basis), rhs),
        np.zeros_like(rhs),
    ]
    return candidates, basis, rank


def _first_point(family, link, X, t, theta0, fit_intercept, who, evaluate):
    """The starting point and ``evaluate`` there, plus the row-space basis and the rank:
    ``theta0`` if given, else the first of :func:`_starting_candidates` with a finite
    log-likelihood."""
    candidates, basis, rank = _starting_candidates(family, link, X, t, fit_intercept, who)
    if theta0 is not None:
        candidates = [theta0.copy()]
    for theta in candidates:
        evaluation = evaluate(theta)
        if np.isfinite(evaluation[0]):
            return theta, evaluation, basis, rank
    if theta0 is not None:
        raise ValueError(f"{who}: the log-likelihood at theta0 is not finite; choose another.")
    raise ValueError(
        f"{who}: found no starting coefficients with a finite log-likelihood. With the "
        "canonical link the linear predictor must stay in the natural parameter space "
        f"({family.parameter_space}) for every row; pass theta0, or use link='log'."
    )


def newton_irls(
    family: Any,
    X: Any,
    y: Any,
    theta0: Any = None,
    link: str | Link | None = None,
    fit_intercept: bool = False,
    max_iter: int = 100,
    tol: float = 1e-10,
) -> FitResult:
    r"""Maximise :math:`\ell(\theta)` by Newton's method (IRLS).

    Each iteration: score :math:`g = \tilde X^\top r` and information
    :math:`I = \tilde X^\top W\tilde X` in one pass over blocks of rows (each block's
    :math:`\tilde X^\top W \tilde X` formed as :math:`A^\top A`, :math:`A = \sqrt w\,
    \tilde X`); :math:`I` is the observed information :math:`-\nabla^2\ell`, which for the
    canonical link is the Fisher information; for the log link, if some observed weight is
    negative, the Fisher weights are used instead (Fisher scoring, which converges linearly
    rather than quadratically). Then the direction :math:`\delta = I^{-1}g` by Cholesky, then
    :math:`\theta \leftarrow \theta + s\delta` with :math:`s = 1, \tfrac12, \tfrac14, \dots`
    halved while :math:`\ell` does not improve or is not finite (the pass that evaluates
    :math:`\ell` at a trial point also accumulates the next score and information). Stops
    when the Newton decrement per observation, :math:`g^\top I^{-1} g / 2m` (the predicted
    gain in mean log-likelihood), is at most ``tol``; that last step is still taken.

    Start (``theta0=None``): one IRLS step from the data, as statsmodels and R start --
    weighted least squares of the working response
    :math:`z_0 = g(\mu_0) + (T(y) - \mu_0)\,g'(\mu_0)` at :math:`\mu_0 = (T(y) + \bar T)/2`
    (for the Gaussian, :math:`\mu_0 = y`: the answer in one step). Rank-deficient design:
    :class:`RankDeficientWarning`, and every step stays in the row space of :math:`\tilde X`,
    so (with ``theta0=None``) the result is the minimum-norm maximiser. For the bernoulli,
    multinomial and poisson families, if the iteration did not settle,
    :func:`separation_direction` decides whether the estimate exists
    (:class:`PerfectSeparationWarning`, ``converged=False``). Otherwise reaching ``max_iter``
    warns :class:`~glmnotes.exceptions.ConvergenceWarning`.
    """
    family, link, X, t, theta0 = prepare(family, X, y, theta0, link, fit_intercept)
    check_positive_integer(max_iter, "newton_irls", "max_iter")
    check_positive_number(tol, "newton_irls", "tol")
    who = f"newton_irls({family.name})"
    y_checked = family.validate(y)
    n = X.shape[0]
    log_base = float(np.sum(family.log_base_measure(y_checked)))

    def evaluate(theta: np.ndarray, derivatives: bool = True):
        """(value, gradient, information) at theta, in one pass over the data."""
        return accumulate(
            family,
            link,
            X,
            t,
            theta,
            fit_intercept,
            objective=True,
            score=derivatives,
            information="newton" if derivatives else None,
        )

    theta, (value, gradient, information), basis, rank = _first_point(
        family, link, X, t, theta0, fit_intercept, who, evaluate
    )
    step_basis = _expand_basis(basis, family)
    history = [value + log_base]
    converged = False
    stalled = False
    last_step = np.zeros_like(theta)
    decrement = np.inf
    n_iter = 0
    for n_iter in range(1, int(max_iter) + 1):  # noqa: B007 (n_iter is reported)
        flat_gradient = flat(gradient)
        if not (np.all(np.isfinite(flat_gradient)) and np.all(np.isfinite(information))):
            stalled = True
            break
        direction = _newton_direction(information, flat_gradient, step_basis)
        decrement = abs(float(flat_gradient @ direction))
        small = decrement / (2 * n) <= tol
        direction = unflat(direction, theta)
        size = 1.0
        for _ in range(60):
            # the pass that tests a step also computes the next iteration's derivatives
            new_value, new_gradient, new_information = evaluate(
                theta + size * direction, derivatives=not small
            )
            if np.isfinite(new_value) and (
                small or new_value >= value - 1e-13 * (1.0 + abs(value))
            ):
                break
            size /= 2
        else:
            stalled = True
            break
        last_step = size * direction
        theta = theta + last_step
        value, gradient, information = new_value, new_gradient, new_information
        history.append(value + log_base)
        if small:
            converged = True
            break

    separation = None
    settled = np.max(np.abs(last_step)) <= 1e-4 * max(1.0, float(np.max(np.abs(theta))))
    if mle_may_not_exist(family) and not (converged and settled):
        separation = warn_if_separated(family, X, y_checked, fit_intercept, who)
    if separation is not None:
        converged = False
    elif not converged:
        reason = (
            "no step along the Newton direction improved the log-likelihood"
            if stalled
            else f"max_iter={max_iter} iterations were not enough"
        )
        warnings.warn(
            f"{who}: did not converge: {reason} (Newton decrement per observation "
            f"{decrement / (2 * n):.3g} > tol={tol:g}). Raise max_iter, loosen tol, or "
            "standardise the features.",
            ConvergenceWarning,
            stacklevel=2,
        )
    return FitResult(theta, converged, n_iter, history, rank, separation)


def gradient_ascent(
    family: Any,
    X: Any,
    y: Any,
    theta0: Any = None,
    link: str | Link | None = None,
    fit_intercept: bool = False,
    learning_rate: float = 1.0,
    max_iter: int = 10_000,
    tol: float = 1e-6,
) -> FitResult:
    r"""The notes' batch gradient ascent, with its slips fixed:

    .. math::
        \theta^{(t+1)} = \theta^{(t)} + \frac{\alpha}{m} \sum_{i=1}^{m}
        \big(T(y_i) - h(x_i)\big)\,x_i = \theta^{(t)} + \frac{\alpha}{m}
        X^\top\big(T(y) - A'(X\theta^{(t)})\big)

    (the sum runs over the :math:`m` examples, the iteration has its own counter, and the
    mean is :math:`h = A'`, not :math:`A`). For a non-canonical link the step is
    :math:`(\alpha/m)\nabla\ell`. One safeguard: when a step would lower the log-likelihood or
    make it non-finite, :math:`\alpha` is halved (for the rest of the run) and the step
    retried. Stops when :math:`\max_j |\partial\ell/\partial\theta_j| / m \le` ``tol``.

    Start (``theta0=None``): as :func:`newton_irls`; pass zeros to follow the notes. For the
    bernoulli, multinomial and poisson families the end point is checked with
    :func:`separation_direction` (:class:`PerfectSeparationWarning`).
    """
    family, link, X, t, theta0 = prepare(family, X, y, theta0, link, fit_intercept)
    check_positive_integer(max_iter, "gradient_ascent", "max_iter")
    check_positive_number(learning_rate, "gradient_ascent", "learning_rate")
    check_positive_number(tol, "gradient_ascent", "tol")
    who = f"gradient_ascent({family.name})"
    y_checked = family.validate(y)
    n = X.shape[0]
    log_base = float(np.sum(family.log_base_measure(y_checked)))

    def evaluate(theta: np.ndarray):
        """(value, gradient, None) at theta, in one pass over the data."""
        return accumulate(family, link, X, t, theta, fit_intercept, objective=True, score=True)

    theta, (value, gradient, _), _, rank = _first_point(
        family, link, X, t, theta0, fit_intercept, who, evaluate
    )
    history = [value + log_base]
    alpha = float(learning_rate)
    converged = False
    stalled = False
    n_iter = 0
    gradient_size = np.inf
    for n_iter in range(1, int(max_iter) + 1):  # noqa: B007 (n_iter is reported)
        gradient_size = float(np.max(np.abs(gradient))) / n
        if gradient_size <= tol:
            converged = True
            n_iter -= 1
            break
        for _ in range(60):
            candidate = theta + alpha * gradient / n
            new_value, new_gradient, _ = evaluate(candidate)
            if np.isfinite(new_value) and new_value >= value - 1e-13 * (1.0 + abs(value)):
                break
            alpha /= 2
        else:
            stalled = True
            break
        theta, value, gradient = candidate, new_value, new_gradient
        history.append(value + log_base)
    else:  # max_iter steps taken: test the last point too
        gradient_size = float(np.max(np.abs(gradient))) / n
        converged = gradient_size <= tol

    separation = None
    if mle_may_not_exist(family):
        separation = warn_if_separated(family, X, y_checked, fit_intercept, who)
    if separation is not None:
        converged = False
    elif not converged:
        reason = "no step improved the log-likelihood" if stalled else f"max_iter={max_iter}"
        warnings.warn(
            f"{who}: did not converge ({reason}; largest score / m = {gradient_size:.3g} > "
            f"tol={tol:g}). Raise max_iter or learning_rate, standardise the features, or use "
            "newton_irls.",
            ConvergenceWarning,
            stacklevel=2,
        )
    return FitResult(theta, converged, n_iter, history, rank, separation)


def fixed_step_path(
    X: Any, y: Any, mean: Any, step: float, iterations: int, theta0: Any = None
) -> np.ndarray:
    r"""The iterates of the notes' update with a fixed step and no safeguard,

    .. math::
        \theta^{(t+1)} = \theta^{(t)} + \text{step}\; X^\top\big(y - \text{mean}(X\theta^{(t)})
        \big),

    from ``theta0`` (zeros by default), one row per step. With ``mean`` :math:`= A'` and
    ``step`` :math:`= \beta/m` it is the corrected rule; with :math:`A` in place of :math:`A'`,
    or a unit step, it is what the notes' vectorised update does. ``X`` is used as given (add
    a column of ones for an intercept). The path stops at the first iterate that is not finite
    (overflow), which is then its last row.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    check_positive_integer(iterations, "fixed_step_path", "iterations")
    theta = np.zeros(X.shape[1]) if theta0 is None else np.asarray(theta0, dtype=float)
    path = []
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(int(iterations)):
            theta = theta + step * (X.T @ (y - mean(X @ theta)))
            path.append(theta)
            if not np.all(np.isfinite(theta)):
                break
    return np.array(path)
