"""Warning classes raised by :mod:`glmnotes.glm`.

Each warning names a situation in which a maximum-likelihood fit cannot be trusted as it stands.
All of them derive from :class:`GLMWarning`, so ``warnings.simplefilter("error", GLMWarning)``
turns every one of them into an exception. :class:`ConvergenceWarning` also derives from
scikit-learn's ``ConvergenceWarning``, so code that already filters scikit-learn's warning
catches ours too.
"""

from __future__ import annotations

from sklearn.exceptions import ConvergenceWarning as _SklearnConvergenceWarning

__all__ = [
    "ConvergenceWarning",
    "GLMWarning",
    "PerfectSeparationWarning",
    "RankDeficientWarning",
]


class GLMWarning(UserWarning):
    """Base class of the warnings of :mod:`glmnotes.glm`."""


class ConvergenceWarning(GLMWarning, _SklearnConvergenceWarning):
    """The solver stopped (``max_iter`` reached or no step improved the log-likelihood) before
    its convergence criterion was met. The coefficients are the last iterate, not an optimum."""


class PerfectSeparationWarning(GLMWarning):
    """The maximum-likelihood estimate does not exist: some direction of the coefficients raises
    the log-likelihood without bound (classes perfectly separated, or zero counts fitted exactly),
    so the coefficients diverge along it. The reported coefficients are the last iterate."""


class RankDeficientWarning(GLMWarning):
    """The design matrix does not have full column rank: infinitely many coefficient vectors give
    the same fit. The solver returns the one of minimum Euclidean norm."""
