r"""Numerical integrals for the families sympy cannot integrate: the beta and the Dirichlet.

Their integrands carry :math:`\log y` and :math:`y^{\alpha - 1}`, singular at the ends of
:math:`(0, 1)`. The tanh-sinh (double-exponential) rule of Takahasi and Mori (1974) substitutes
:math:`u = \operatorname{expit}(\pi \sinh t)` and samples :math:`t` evenly:

.. math::
    \int_0^1 f(u)\, du = \int_{-\infty}^{\infty} f(u(t))\, \pi \cosh t\; u (1 - u)\, dt
    \approx h \sum_{|t_n| \le t_{\max}} f(u_n)\, \pi \cosh t_n\, u_n (1 - u_n),

whose weights fall off double-exponentially at both ends, so endpoint singularities cost
nothing. :func:`tanh_sinh` gives the nodes, with :math:`1 - u` computed directly (no
cancellation next to 1), and :func:`quadrature_errors` checks a family's normalisation, mean
and covariance identities with it (the simplex of the Dirichlet mapped to the unit square).

:class:`Quadrature` is the same kind of integral for the checker: a sympy function that prints
as sympy's ``Integral`` and evaluates numerically with mpmath's quadrature at the working
precision.
"""

from __future__ import annotations

from typing import Any

import mpmath
import numpy as np
import sympy as sp
from mpmath.libmp import prec_to_dps
from scipy.special import expit

__all__ = ["Quadrature", "quadrature_errors", "tanh_sinh"]


def tanh_sinh(h: float = 1 / 8, t_max: float = 4.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Nodes :math:`u_n`, :math:`1 - u_n` and weights :math:`w_n` of the tanh-sinh rule on
    :math:`(0, 1)`: :math:`u_n = \operatorname{expit}(\pi\sinh t_n)`,
    :math:`w_n = h\pi\cosh t_n\, u_n(1 - u_n)`, :math:`t_n = -t_{\max}, \dots, t_{\max}` in
    steps of ``h``; :math:`\int_0^1 f \approx \sum_n w_n f(u_n)`."""
    t = np.arange(-t_max, t_max + h / 2, h)
    s = np.pi * np.sinh(t)
    u, one_minus_u = expit(s), expit(-s)
    return u, one_minus_u, h * np.pi * np.cosh(t) * u * one_minus_u


def _nodes_and_weights(family: Any) -> tuple[np.ndarray, np.ndarray]:
    """Points of the support and quadrature weights: (0, 1) for the beta, the simplex (mapped
    to the unit square) for the Dirichlet with three coordinates."""
    from glmnotes.families import Beta, Dirichlet

    u, u_bar, w = tanh_sinh()
    inside = u < 1  # near the right end u rounds to 1: those nodes carry no mass at this h
    u, u_bar, w = u[inside], u_bar[inside], w[inside]
    if isinstance(family, Beta):
        return u, w
    if not (isinstance(family, Dirichlet) and family.eta_size == 3):
        raise ValueError(f"{family!r}: the rule is written for Beta() and Dirichlet(3)")
    # y = (u, (1 - u) v, (1 - u)(1 - v)) on the unit square, Jacobian 1 - u
    U, V = np.meshgrid(u, u, indexing="ij")
    U_bar, V_bar = np.meshgrid(u_bar, u_bar, indexing="ij")
    points = np.stack([U, U_bar * V, U_bar * V_bar], axis=-1).reshape(-1, 3)
    return points, (np.outer(w, w) * U_bar).ravel()


def quadrature_errors(family: Any, eta: Any) -> tuple[float, float, float]:
    r"""The largest absolute errors of :math:`\int p = 1`, :math:`\int T p = \nabla A(\eta)` and
    :math:`\int (T - \nabla A)(T - \nabla A)^\top p = \nabla^2 A(\eta)`, by the tanh-sinh rule,
    for a family on :math:`(0, 1)` (the beta) or on the simplex of three coordinates (the
    Dirichlet), at the natural parameter ``eta``; the density is ``family.log_density``."""
    points, weights = _nodes_and_weights(family)
    weights = weights * np.exp(family.log_density(points, eta))
    t = family.sufficient_statistic(points)
    mean, covariance = family.mean(eta), family.variance(eta)
    centred = t - mean
    return (
        float(abs(weights.sum() - 1)),
        float(np.abs(weights @ t - mean).max()),
        float(np.abs(np.einsum("n,ni,nj->ij", weights, centred, centred) - covariance).max()),
    )


class Quadrature(sp.Function):
    r"""``Quadrature(Lambda(y, f), low, high)``: :math:`\int_{\text{low}}^{\text{high}} f(y)\,
    dy`, printed as sympy's ``Integral`` and evaluated numerically by ``mpmath.quad`` at the
    working precision (tanh-sinh, endpoint singularities included).

    sympy's own ``Integral.evalf`` does the same but evaluates the integrand through sympy,
    about 30 times slower; here the factors that do not depend on :math:`y` (a normalisation
    such as :math:`\Gamma(a + b)/(\Gamma(a)\Gamma(b))`) are evaluated once, not at every node.
    Unevaluated (``None``) while the integrand has free parameters; functions in the integrand
    that are defined by a formula are written out (``doit``) first.
    """

    nargs = 3

    def _latex(self, printer: Any, exp: Any = None) -> str:
        f, low, high = self.args
        (variable,) = f.variables
        text = printer._print(sp.Integral(f.expr, (variable, low, high)))
        return text if exp is None else rf"\left({text}\right)^{{{exp}}}"

    def _eval_evalf(self, prec: int) -> sp.Float | None:
        f, low, high = self.args
        if f.expr.free_symbols - set(f.variables):
            return None  # parameters not substituted yet
        (variable,) = f.variables
        expr = f.expr.doit()  # a function defined by a formula is written out
        constant, varying = expr.as_independent(variable, as_Add=False)
        scale = constant.evalf(prec_to_dps(prec) + 10)
        integrand = sp.lambdify(f.variables, scale * varying, "mpmath")
        with mpmath.workprec(prec):
            return sp.Float(mpmath.quad(integrand, [low, high]), precision=prec)
