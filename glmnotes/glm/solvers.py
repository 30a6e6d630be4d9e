r"""The two solvers: Newton's method (IRLS) and the notes' gradient ascent, and where they start.

Both have scikit-learn's Newton-solver shape (``sklearn/linear_model/_glm/_newton_solver.py``),
written once in :class:`_Solver`: ``setup`` (a starting point from one IRLS step, the rank of the
design), then repeat -- ``step`` (the direction, from the gradient and information of the last pass,
:func:`glmnotes.glm.likelihood.block_sums`), ``line_search`` (halve the step while the
log-likelihood does not improve), ``check_convergence`` -- and ``finalize`` (does the
maximum-likelihood estimate exist, :mod:`glmnotes.glm.separation`; the warnings; the
:class:`FitResult`). :class:`_Newton` and :class:`_GradientAscent` write only their step, line
search and stopping rule. Every pass over the data goes through a rows object
(:mod:`glmnotes.glm.rows`), so Newton's method runs unchanged on a row-chunked ``dask.array``
(:mod:`glmnotes.glm.dask_rows`).
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
from glmnotes.glm.likelihood import block_sums, linear_predictor_of_mean, residual_and_weight
from glmnotes.glm.model import is_canonical, prepare
from glmnotes.glm.rows import InMemoryRows
from glmnotes.glm.separation import mle_may_not_exist, warn_if_separated
from glmnotes.links import Link

__all__ = [
    "FitResult",
    "fixed_step_path",
    "gradient_ascent",
    "in_memory_rows",
    "make_solver",
    "newton_irls",
]


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


def _starting_sums(X, t, family, link, fit_intercept, floor, central):
    r"""Over the given rows: :math:`\tilde X^\top W_0\tilde X`, :math:`\tilde X^\top W_0 z_0` and
    :math:`\tilde X^\top W_0\,g(\bar\mu_0)` (see :func:`_starting_candidates`)."""
    d = family.eta_size
    q = X.shape[1] + int(fit_intercept)
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
    return matrix, rhs, rhs_constant


def _starting_candidates(
    family: ExponentialFamily, link: Link, rows: Any, fit_intercept: bool, who: str
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
    q = rows.n_features + int(fit_intercept)
    floor = max(float(rows.mean_t), 1e-3) if family.is_scalar else 0.0
    central_mean = _starting_mean(family, link, rows.mean_t, floor)
    central = linear_predictor_of_mean(family, link, central_mean)
    matrix, rhs, rhs_constant = rows.reduce(
        _starting_sums, family, link, fit_intercept, floor, central
    )
    basis, rank = _row_space(matrix[:q, :q], who)
    step_basis = _expand_basis(basis, family)
    candidates = [
        unflat(_newton_direction(matrix, flat(rhs), step_basis), rhs),
        unflat(_newton_direction(matrix, flat(rhs_constant), step_basis), rhs),
        np.zeros_like(rhs),
    ]
    return candidates, basis, rank


class _Solver:
    r"""The shape every solver shares (after scikit-learn's ``NewtonSolver``):

    ``setup`` (the starting point, the rank) -> repeat { ``step`` (a direction, or ``None``
    when there is nothing left to do) -> ``line_search`` -> ``check_convergence`` } ->
    ``finalize`` (does the estimate exist? did it converge? a :class:`FitResult`).

    A subclass writes its ``step``, ``line_search`` and ``check_convergence`` only. Where the
    rows are is ``rows`` (:mod:`glmnotes.glm.rows`): every pass over the data is
    ``rows.reduce(...)``, so the same solver runs in memory and on a ``dask.array``.
    """

    name = "solver"
    information: str | None = None  # what a pass computes besides value and gradient

    def __init__(self, family, link, rows, fit_intercept, max_iter, tol):
        self.family, self.link, self.rows = family, link, rows
        self.fit_intercept, self.max_iter, self.tol = fit_intercept, max_iter, tol
        self.who = f"{self.name}({family.name})"
        self.n = rows.n
        self.converged = self.stalled = False
        self.n_iter = 0

    def evaluate(self, theta: np.ndarray, derivatives: bool = True) -> tuple:
        """``(value, gradient, information)`` at ``theta``, in one pass over the data."""
        information = self.information if derivatives else None
        sums = self.rows.reduce(
            block_sums, self.family, self.link, theta, self.fit_intercept,
            True, derivatives, information,
        )  # fmt: skip
        return sums.result(information)

    def setup(self, theta0: np.ndarray | None) -> None:
        """The starting point (``theta0`` if given, else the first of
        :func:`_starting_candidates` with a finite log-likelihood), the rank, the row space."""
        candidates, basis, self.rank = _starting_candidates(
            self.family, self.link, self.rows, self.fit_intercept, self.who
        )
        self.step_basis = _expand_basis(basis, self.family)
        for theta in [theta0.copy()] if theta0 is not None else candidates:
            evaluation = self.evaluate(theta)
            if np.isfinite(evaluation[0]):
                self.theta, (self.value, self.gradient, self.matrix) = theta, evaluation
                self.history = [self.value + self.rows.log_base]
                return
        if theta0 is not None:
            raise ValueError(
                f"{self.who}: the log-likelihood at theta0 is not finite; choose another."
            )
        raise ValueError(
            f"{self.who}: found no starting coefficients with a finite log-likelihood. With the "
            "canonical link the linear predictor must stay in the natural parameter space "
            f"({self.family.parameter_space}) for every row; pass theta0, or use link='log'."
        )

    def accept(self, theta: np.ndarray, evaluation: tuple) -> None:
        """Move to ``theta``, where ``evaluate`` gave ``evaluation``."""
        self.last_step = theta - self.theta
        self.theta, (self.value, self.gradient, self.matrix) = theta, evaluation
        self.history.append(self.value + self.rows.log_base)

    def improves(self, value: float) -> bool:
        """``value`` is finite and not below the current one (up to round-off)."""
        return bool(np.isfinite(value)) and value >= self.value - 1e-13 * (1.0 + abs(self.value))

    def solve(self, theta0: np.ndarray | None) -> FitResult:
        self.setup(theta0)
        self.last_step = np.zeros_like(self.theta)
        for n_iter in range(1, int(self.max_iter) + 1):
            self.n_iter = n_iter
            direction = self.step()
            if direction is None:
                break
            if not self.line_search(direction):
                self.stalled = True
                break
            if self.check_convergence():
                self.converged = True
                break
        else:
            self.after_last_iteration()
        return self.finalize()

    def after_last_iteration(self) -> None:
        """``max_iter`` steps were taken (a subclass may test the last point)."""

    def check_separation(self) -> bool:
        """Whether ``finalize`` looks for a direction of unbounded likelihood."""
        return mle_may_not_exist(self.family)

    def finalize(self) -> FitResult:
        """The existence check (in memory: :func:`warn_if_separated`), the convergence warning,
        the :class:`FitResult`."""
        separation = None
        if self.check_separation():
            if self.rows.in_memory:
                rows = self.rows
                separation = warn_if_separated(
                    self.family, rows.X, rows.y, self.fit_intercept, self.who
                )
            elif not self.converged:
                self.reason = f"{self.not_converged_reason()}; out of core, the check for " + (
                    "separation (no estimate) is not run: it needs X in memory"
                )
        if separation is not None:
            self.converged = False
        elif not self.converged:
            warnings.warn(self.not_converged_message(), ConvergenceWarning, stacklevel=4)
        return FitResult(
            self.theta, self.converged, self.n_iter, self.history, self.rank, separation
        )


class _Newton(_Solver):
    r"""Newton's method: direction :math:`\delta = I^{-1}g`, step halved until :math:`\ell`
    improves, stop on the Newton decrement :math:`g^\top I^{-1}g / 2m \le` ``tol``."""

    name = "newton_irls"
    information = "newton"
    decrement = np.inf

    def step(self) -> np.ndarray | None:
        gradient = flat(self.gradient)
        if not (np.all(np.isfinite(gradient)) and np.all(np.isfinite(self.matrix))):
            self.stalled = True
            return None
        direction = _newton_direction(self.matrix, gradient, self.step_basis)
        self.decrement = abs(float(gradient @ direction))
        self.small = self.decrement / (2 * self.n) <= self.tol
        return unflat(direction, self.theta)

    def line_search(self, direction: np.ndarray) -> bool:
        r"""Halve the step while :math:`\ell` does not improve; the pass that tests a step also
        computes the next iteration's derivatives (none after the last step)."""
        size = 1.0
        for _ in range(60):
            candidate = self.theta + size * direction
            evaluation = self.evaluate(candidate, derivatives=not self.small)
            if np.isfinite(evaluation[0]) and (self.small or self.improves(evaluation[0])):
                self.accept(candidate, evaluation)
                return True
            size /= 2
        return False

    def check_convergence(self) -> bool:
        return self.small

    def check_separation(self) -> bool:
        scale = max(1.0, float(np.max(np.abs(self.theta))))
        settled = np.max(np.abs(self.last_step)) <= 1e-4 * scale
        return super().check_separation() and not (self.converged and settled)

    def not_converged_reason(self) -> str:
        if self.stalled:
            return "no step along the Newton direction improved the log-likelihood"
        return f"max_iter={self.max_iter} iterations were not enough"

    def not_converged_message(self) -> str:
        reason = getattr(self, "reason", self.not_converged_reason())
        return (
            f"{self.who}: did not converge: {reason} (Newton decrement per observation "
            f"{self.decrement / (2 * self.n):.3g} > tol={self.tol:g}). Raise max_iter, loosen "
            "tol, or standardise the features."
        )


class _GradientAscent(_Solver):
    r"""The notes' rule :math:`\theta \leftarrow \theta + (\alpha/m)\nabla\ell`, :math:`\alpha`
    halved for the rest of the run when a step would lower :math:`\ell`; stop when
    :math:`\max_j|\partial_j\ell|/m \le` ``tol``."""

    name = "gradient_ascent"
    gradient_size = np.inf

    def __init__(self, *args, learning_rate: float = 1.0):
        super().__init__(*args)
        self.alpha = float(learning_rate)

    def step(self) -> np.ndarray | None:
        self.gradient_size = float(np.max(np.abs(self.gradient))) / self.n
        if self.gradient_size <= self.tol:
            self.converged = True
            self.n_iter -= 1  # nothing was done in this iteration
            return None
        return self.gradient / self.n

    def line_search(self, direction: np.ndarray) -> bool:
        for _ in range(60):
            candidate = self.theta + self.alpha * direction
            evaluation = self.evaluate(candidate)
            if self.improves(evaluation[0]):
                self.accept(candidate, evaluation)
                return True
            self.alpha /= 2
        return False

    def check_convergence(self) -> bool:
        return False  # tested by the next step, before it moves

    def after_last_iteration(self) -> None:
        self.gradient_size = float(np.max(np.abs(self.gradient))) / self.n
        self.converged = self.gradient_size <= self.tol

    def not_converged_reason(self) -> str:
        return (
            "no step improved the log-likelihood" if self.stalled else f"max_iter={self.max_iter}"
        )

    def not_converged_message(self) -> str:
        reason = getattr(self, "reason", self.not_converged_reason())
        return (
            f"{self.who}: did not converge ({reason}; largest gradient component / m = "
            f"{self.gradient_size:.3g} > tol={self.tol:g}). Raise max_iter or learning_rate, "
            "standardise the features, or use newton_irls."
        )


def make_solver(
    kind: str,
    family: ExponentialFamily,
    link: Link,
    rows: Any,
    fit_intercept: bool,
    max_iter: int,
    tol: float,
    learning_rate: float = 1.0,
) -> _Solver:
    """The solver ``kind`` (``"newton"`` or ``"gradient"``) over ``rows``, its settings checked
    (``ValueError`` for a non-positive ``max_iter``, ``tol`` or ``learning_rate``)."""
    who = "newton_irls" if kind == "newton" else "gradient_ascent"
    check_positive_integer(max_iter, who, "max_iter")
    if kind == "gradient":
        check_positive_number(learning_rate, who, "learning_rate")
    check_positive_number(tol, who, "tol")
    if kind == "newton":
        return _Newton(family, link, rows, fit_intercept, max_iter, tol)
    return _GradientAscent(
        family, link, rows, fit_intercept, max_iter, tol, learning_rate=learning_rate
    )


def in_memory_rows(family, X, y, theta0, link, fit_intercept):
    """Check a solver's arguments; return (family, link, rows, theta0)."""
    family, link, X, t, theta0 = prepare(family, X, y, theta0, link, fit_intercept)
    return family, link, InMemoryRows(family, X, family.validate(y), t), theta0


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

    Each iteration: gradient :math:`g = \tilde X^\top r` and information
    :math:`I = \tilde X^\top W\tilde X` in one pass over blocks of rows (each block's
    :math:`\tilde X^\top W \tilde X` formed as :math:`A^\top A`, :math:`A = \sqrt w\,
    \tilde X`); :math:`I` is the observed information :math:`-\nabla^2\ell`, which for the
    canonical link is the Fisher information; for the log link, if the observed information is
    not positive definite (some observed weight negative, and Cholesky fails), the Fisher
    weights are used instead (Fisher scoring, which converges linearly rather than
    quadratically). Then the direction :math:`\delta = I^{-1}g` by Cholesky, then
    :math:`\theta \leftarrow \theta + s\delta` with :math:`s = 1, \tfrac12, \tfrac14, \dots`
    halved while :math:`\ell` does not improve or is not finite (the pass that evaluates
    :math:`\ell` at a trial point also accumulates the next gradient and information). Stops
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
    family, link, rows, theta0 = in_memory_rows(family, X, y, theta0, link, fit_intercept)
    return make_solver("newton", family, link, rows, fit_intercept, max_iter, tol).solve(theta0)


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
    family, link, rows, theta0 = in_memory_rows(family, X, y, theta0, link, fit_intercept)
    solver = make_solver(
        "gradient", family, link, rows, fit_intercept, max_iter, tol, learning_rate
    )
    return solver.solve(theta0)


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
