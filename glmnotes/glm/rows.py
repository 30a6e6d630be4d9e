r"""Where the rows are: a pass over the data as a sum of passes over its parts.

Every quantity the solvers and the inference need is a sum over observations -- the
log-likelihood, the gradient :math:`\tilde X^\top r`, the information
:math:`\tilde X^\top W\tilde X`, the deviance, Pearson's :math:`\chi^2` -- so a pass over the
data is ``function(X_part, t_part)`` added up over the parts. :class:`InMemoryRows` has one
part (the arrays in memory, which the functions walk in blocks of
:data:`~glmnotes.glm.design.BLOCK_ROWS` rows);
:class:`glmnotes.glm.dask_rows.DaskRows` has one part per row chunk of a ``dask.array``, computed
by whatever Dask scheduler is active and added up in memory.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from glmnotes.families import ExponentialFamily

__all__ = ["InMemoryRows", "add_up", "is_dask_array"]


def add_up(parts: Iterable[Any]) -> Any:
    """The sum of the parts' results: tuples add entry by entry (``None`` stays ``None``),
    anything else with ``+``."""
    parts = list(parts)
    if isinstance(parts[0], tuple):
        return tuple(
            None if column[0] is None else functools.reduce(operator.add, column)
            for column in zip(*parts, strict=True)
        )
    return functools.reduce(operator.add, parts)


class InMemoryRows:
    r"""``X`` ``(n, p)``, the validated ``y`` and ``t = T(y)``, held in memory.

    ``reduce(function, *args)`` is ``function(X, t, *args)``: one part, all rows.
    ``mean_t`` is :math:`\bar T`, ``log_base`` is :math:`\sum_i \log b(y_i)`.
    """

    in_memory = True

    def __init__(self, family: ExponentialFamily, X: np.ndarray, y: np.ndarray, t: np.ndarray):
        self.X, self.y, self.t = X, y, t
        self.n, self.n_features = X.shape
        self.mean_t = np.mean(t, axis=0)
        self.log_base = float(np.sum(family.log_base_measure(y)))

    def reduce(self, function: Callable, *args: Any) -> Any:
        return function(self.X, self.t, *args)


def is_dask_array(value: Any) -> bool:
    """Whether ``value`` is a Dask collection (it has ``__dask_graph__``), told without importing
    Dask."""
    return not isinstance(value, np.ndarray) and hasattr(value, "__dask_graph__")
