r"""Tables the chapters display, built from the package and narrow enough for the page.

- :func:`families_tables`: what each exponential family is (:math:`T`, :math:`b`,
  :math:`\eta`), its log-partition :math:`A`, and its moments :math:`\nabla A`,
  :math:`\nabla^2 A`, as three Markdown tables computed by sympy from the families' symbolic
  views (a vector family is written as a pattern over its coordinates, and the pattern is
  checked against sympy's result);
- :func:`sample_moments`: the mean and variance of every coordinate of :math:`T(y)` on random
  draws, beside :math:`\nabla A` and the diagonal of :math:`\nabla^2 A`, with standard errors
  and :math:`z`-scores;
- :func:`naive_versus_stable`: textbook formulas evaluated naively in floating point beside the
  package's stable ones, with the package's relative error against an mpmath reference printed
  as a checked bound (:func:`glmnotes.evidence.below`) and the warnings numpy raised.

Classes and coordinates are numbered from 1 in these tables, as in the notes (the package
counts from 0: its class 0 is the notes' class 1).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import sympy as sp
from sympy.printing.latex import LatexPrinter

from glmnotes.evidence import below
from glmnotes.families.canonical import counted_from_one

__all__ = ["families_tables", "naive_versus_stable", "sample_moments"]


class _BookLatex(LatexPrinter):
    r"""sympy's LaTeX with the book's names: :math:`\psi`, :math:`\psi'`, :math:`\log\Gamma`
    and :math:`1\{y = i\}`."""

    def _print_polygamma(self, expr: sp.Expr, exp: Any = None) -> str:
        order, argument = expr.args
        name = {0: r"\psi", 1: r"\psi'"}.get(int(order), rf"\psi^{{({order})}}")
        text = rf"{name}({self._print(argument)})"
        return text if exp is None else rf"\left({text}\right)^{{{exp}}}"

    def _print_log(self, expr: sp.Expr, exp: Any = None) -> str:
        (argument,) = expr.args
        if isinstance(argument, sp.gamma):
            text = rf"\log\Gamma({self._print(argument.args[0])})"
            return text if exp is None else rf"\left({text}\right)^{{{exp}}}"
        return super()._print_log(expr, exp)

    def _print_KroneckerDelta(self, expr: sp.Expr, exp: Any = None) -> str:
        variable, value = sorted(expr.args, key=lambda a: a.is_Number)
        text = rf"1\{{{self._print(variable)} = {self._print(value)}\}}"
        return text if exp is None else rf"\left({text}\right)^{{{exp}}}"


def _tex(expr: Any) -> str:
    """``$...$`` of ``expr`` (a LaTeX string is kept; a vector is written as a tuple)."""
    if isinstance(expr, str):
        return f"${expr}$"
    if isinstance(expr, sp.MatrixBase) and 1 in expr.shape:
        entries = ", ".join(_BookLatex().doprint(entry) for entry in expr)
        return rf"$\big({entries}\big)$"
    return f"${_BookLatex().doprint(expr)}$"


def _pattern_checked(name: str, computed: sp.Matrix, pattern: sp.Matrix) -> None:
    """Raise ``ValueError`` unless sympy shows ``computed - pattern`` to be zero."""
    difference = sp.simplify(sp.expand_func(computed - pattern))
    if difference != sp.zeros(*difference.shape):
        raise ValueError(f"{name}: the pattern shown is not sympy's result: {difference}")


#: How a vector family's moments are written: a pattern over the coordinate i, and the pattern
#: as a function of the coordinates of eta (to check it against sympy).
_DIGAMMA_MOMENTS = (
    r"\big(\psi(\eta_i) - \psi(\textstyle\sum_j \eta_j)\big)_i",
    r"\operatorname{diag}\big(\psi'(\eta_i)\big) - \psi'(\textstyle\sum_j \eta_j)",
    lambda etas: sp.Matrix([sp.polygamma(0, e) - sp.polygamma(0, sum(etas)) for e in etas]),
    lambda etas: (
        sp.diag(*[sp.polygamma(1, e) for e in etas])
        - sp.ones(len(etas)) * sp.polygamma(1, sum(etas))
    ),
)


def _softmax(etas: Sequence[sp.Symbol]) -> sp.Matrix:
    return sp.Matrix([sp.exp(e) / (1 + sum(sp.exp(f) for f in etas)) for e in etas])


_PATTERNS: dict[str, tuple[str, str, Callable, Callable]] = {
    "Multinomial": (
        r"\phi_i = \frac{e^{\eta_i}}{1 + \sum_{j<k} e^{\eta_j}}",
        r"\operatorname{diag}(\phi) - \phi\phi^\top",
        _softmax,
        lambda etas: sp.diag(*_softmax(etas)) - _softmax(etas) * _softmax(etas).T,
    ),
    "Beta": _DIGAMMA_MOMENTS,
    "Dirichlet": _DIGAMMA_MOMENTS,
}

#: T(y) and eta of the vector families whose length depends on k, written over i.
_STATISTIC_PATTERNS = {
    "Multinomial": (
        r"\big(1\{{y = i\}}\big)_{{i < {k}}}",
        r"\big(\log(\phi_i/\phi_{k})\big)_{{i < {k}}}",
    ),
    "Dirichlet": (r"(\log y_i)_{{i \le {k}}}", r"(\alpha_i)_{{i \le {k}}}"),
}


def families_tables(families: Mapping[str, Any]) -> tuple[str, str, str]:
    r"""Three Markdown tables, one row per family of ``families`` (``{name: family}``): what
    each family is (:math:`T(y)`, :math:`b(y)`, and :math:`\eta` in the usual parameters), its
    log-partition :math:`A(\eta)`, and its moments :math:`\nabla A(\eta)`,
    :math:`\nabla^2 A(\eta)`.

    :math:`A` is the family's ``symbolic()`` view (constants such as the Gaussian's
    :math:`\sigma = 1` substituted); :math:`\nabla A` and :math:`\nabla^2 A` are sympy's
    derivatives of it. The multinomial, beta and Dirichlet moments are written as patterns
    over :math:`i` (softmax; digamma :math:`\psi` and trigamma :math:`\psi'`), each checked
    against sympy's derivatives first (``ValueError`` if they differ). Coordinates and classes
    are numbered from 1.
    """
    what = ["| family | $T(y)$ | $b(y)$ | $\\eta$ |", "| --- | --- | --- | --- |"]
    partition = ["| family | $A(\\eta)$ |", "| --- | --- |"]
    moments = ["| family | $\\nabla A(\\eta)$ | $\\nabla^2 A(\\eta)$ |", "| --- | --- | --- |"]
    for name, family in families.items():
        view = counted_from_one(family.symbolic())
        constants = {s: sp.nsimplify(v) for s, v in view.constants.items()}
        etas = view.eta if isinstance(view.eta, tuple) else (view.eta,)
        log_partition = view.log_partition.subs(constants)
        gradient = sp.simplify(sp.Matrix([sp.diff(log_partition, e) for e in etas]))
        curvature = sp.simplify(sp.hessian(log_partition, etas))
        statistic = view.sufficient_statistic
        natural = sp.Matrix([view.natural_parameter[e] for e in etas])
        if len(etas) == 1:
            natural, gradient, curvature = natural[0], gradient[0], sp.factor(curvature[0])
        if view.name in _STATISTIC_PATTERNS:
            k = len(etas) + (view.name == "Multinomial")
            statistic, natural = (p.format(k=k) for p in _STATISTIC_PATTERNS[view.name])
        if view.name in _PATTERNS:
            gradient_tex, curvature_tex, gradient_of, curvature_of = _PATTERNS[view.name]
            _pattern_checked(name, gradient, gradient_of(etas))
            _pattern_checked(name, curvature, curvature_of(etas))
            gradient, curvature = gradient_tex, curvature_tex
        base = view.base_measure.subs(constants)
        cells = (statistic, base, natural, log_partition, gradient, curvature)
        what.append(f"| {name} | {_tex(cells[0])} | {_tex(cells[1])} | {_tex(cells[2])} |")
        partition.append(f"| {name} | {_tex(cells[3])} |")
        moments.append(f"| {name} | {_tex(cells[4])} | {_tex(cells[5])} |")
    return tuple("\n".join(table) for table in (what, partition, moments))


def sample_moments(families: Mapping[str, Any], etas: Mapping[str, Any], n: int, seed: int) -> Any:
    r"""Sample means and variances of every coordinate of :math:`T(y)` beside the identities.

    For each family, ``n`` draws at the natural parameter ``etas[name]`` (``family.sample``,
    seeded ``seed``): per coordinate :math:`T_i`, :math:`\partial A/\partial\eta_i` and the
    sample mean with its standard error :math:`s/\sqrt n`, :math:`\partial^2
    A/\partial\eta_i^2` and the sample variance with its standard error
    :math:`\sqrt{(m_4 - s^4)/n}` (:math:`m_4` the fourth central moment), and both
    :math:`z`-scores. A DataFrame indexed by (family, :math:`T_i`) with column groups
    ``"mean"`` and ``"variance"``, each holding ``identity``, ``sample``, ``se`` and ``z``.
    """
    import pandas as pd

    rows = {}
    for name, family in families.items():
        point = etas[name]
        draws = family.sample(np.broadcast_to(point, (n, *np.shape(point))), rng=seed)
        t = family.sufficient_statistic(draws).reshape(n, -1)
        mean = np.atleast_1d(family.mean(point))
        variance = np.diag(np.atleast_2d(family.variance(point)))
        centred = t - t.mean(axis=0)
        sample_variance = (centred**2).mean(axis=0)
        variance_se = np.sqrt((centred**4).mean(axis=0) - sample_variance**2) / np.sqrt(n)
        mean_se = t.std(axis=0) / np.sqrt(n)
        for i in range(t.shape[1]):
            label = f"T_{i + 1}" if t.shape[1] > 1 else "T"
            rows[name, label] = {
                ("mean", "identity"): mean[i],
                ("mean", "sample"): t[:, i].mean(),
                ("mean", "se"): mean_se[i],
                ("mean", "z"): (t[:, i].mean() - mean[i]) / mean_se[i],
                ("variance", "identity"): variance[i],
                ("variance", "sample"): sample_variance[i],
                ("variance", "se"): variance_se[i],
                ("variance", "z"): (sample_variance[i] - variance[i]) / variance_se[i],
            }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.names = ["family", "T"]
    table.columns = pd.MultiIndex.from_tuples(table.columns)
    return table


def naive_versus_stable(
    cases: Sequence[tuple[str, Any, Callable, Callable, Callable]], digits: int = 50
) -> Any:
    r"""Textbook formulas in floating point beside the package's, at extreme :math:`\eta`.

    Each case is ``(quantity, eta, naive, package, reference)``: ``naive(eta)`` and
    ``package(eta)`` are evaluated in double precision (numpy's warnings caught and named),
    ``reference`` with mpmath at ``digits`` digits (its argument converted to ``mpf``). A
    DataFrame indexed by (quantity, :math:`\eta`) with the naive and the package's values (6
    significant digits), the package's relative error against the reference as a bound
    (``< 1e-12``, checked: :class:`glmnotes.evidence.EvidenceError` if it does not hold), and
    the warnings numpy raised during the naive evaluation.
    """
    import mpmath
    import pandas as pd

    rows = []
    with mpmath.workdps(digits):
        for quantity, point, naive, package, reference in cases:
            with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
                warnings.simplefilter("always")
                naive_value = float(naive(point))
            argument = [mpmath.mpf(v) for v in point] if np.ndim(point) else mpmath.mpf(point)
            exact = float(reference(argument))
            value = float(package(point))
            rows.append(
                {
                    "quantity": quantity,
                    "eta": ", ".join(f"{v:g}" for v in np.atleast_1d(point)),
                    "naive": f"{naive_value:.6g}",
                    "glmnotes": f"{value:.6g}",
                    "relative error": below(abs(value - exact) / abs(exact), 1e-12),
                    "naive: numpy warned": ", ".join(
                        sorted({str(w.message).split(" encountered")[0] for w in caught})
                    ),
                }
            )
    return pd.DataFrame(rows).set_index(["quantity", "eta"])
