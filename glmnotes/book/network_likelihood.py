r"""What the log-likelihood of a network with a hidden layer is not: concave, or identifiable.

The book's concavity and uniqueness results are about a GLM: the output unit with the hidden
layer held fixed. With the hidden weights free, the log-likelihood of a network of logistic
units loses both properties, and this module builds the two checked derivations that show it,
on the smallest networks where it happens (one input :math:`x`, logistic hidden units
:math:`h_j = \sigma(\theta^{(h)}_j x + b^{(h)}_j)`, one logistic output
:math:`\hat y = \sigma(\eta)`, :math:`\eta = \sum_j \theta^{(y)}_j h_j + b^{(y)}`, and one data
point's log-likelihood :math:`\ell = y\eta - \log(1 + e^{\eta})`):

- :func:`concavity_counterexample`: with one hidden unit and no biases, at :math:`x = y = 1`,
  along the line :math:`(\theta^{(h)}, \theta^{(y)}) = (t, t)` through the origin,
  :math:`d^2\ell/dt^2 = 3/16 > 0` at :math:`t = 0`: not concave. Along
  :math:`(0, t)` (the hidden weight held at 0, only the output weight moving) it is
  :math:`-1/16`: the output GLM is concave;
- :func:`hidden_symmetries`: with two hidden units, swapping them, or flipping the sign of one
  unit's weight and bias while its outgoing weight changes sign and the output bias absorbs it
  (:math:`\sigma(-a) = 1 - \sigma(a)`), gives another weight vector with the same
  log-likelihood at every data point.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from glmnotes.notation import Eq, sigmoid
from glmnotes.symbolic_networks import defined
from glmnotes.verify import Derivation, Registry

__all__ = [
    "LINE_CURVATURE",
    "OUTPUT_CURVATURE",
    "concavity_counterexample",
    "hidden_symmetries",
    "log_likelihood",
]

#: :math:`d^2\ell/dt^2` at :math:`t = 0` along :math:`(t, t)`, and along :math:`(0, t)`.
LINE_CURVATURE = sp.Rational(3, 16)
OUTPUT_CURVATURE = sp.Rational(-1, 16)


def log_likelihood(
    x: sp.Expr,
    y: sp.Expr,
    theta_h: Sequence[sp.Expr],
    b_h: Sequence[sp.Expr],
    theta_y: Sequence[sp.Expr],
    b_y: sp.Expr,
) -> sp.Expr:
    r""":math:`\ell = y\eta - \log(1 + e^{\eta})`, :math:`\eta = \sum_j \theta^{(y)}_j
    \sigma(\theta^{(h)}_j x + b^{(h)}_j) + b^{(y)}`: one data point, one input, logistic units."""
    eta = sum(
        (v * sigmoid(w * x + c) for w, c, v in zip(theta_h, b_h, theta_y, strict=True)),
        sp.Integer(0),
    )
    eta = eta + b_y
    return y * eta - sp.log(1 + sp.exp(eta))


def concavity_counterexample(registry: Registry | None = None) -> Derivation:
    r"""The second derivative of :math:`\ell` along two lines through the origin, one hidden
    unit, no biases, :math:`x = y = 1`: :math:`3/16` when both weights move (so :math:`\ell`
    is not concave), :math:`-1/16` when only the output weight does."""
    t = sp.Symbol("t", real=True)

    def curvature(theta_h: sp.Expr, theta_y: sp.Expr) -> sp.Subs:
        ell = log_likelihood(1, 1, [theta_h], [0], [theta_y], 0)
        return sp.Subs(sp.Derivative(ell, (t, 2)), t, 0)

    d = Derivation(
        Eq(curvature(t, t), LINE_CURVATURE),
        label="dl-not-concave",
        title=(
            "One hidden unit, $x = y = 1$, no biases: the curvature of $\\ell$ along "
            "$(\\theta^{(h)}, \\theta^{(y)}) = (t, t)$ and $(0, t)$ at $t = 0$"
        ),
        registry=registry,
    )
    d.step(
        Eq(curvature(sp.Integer(0), t), OUTPUT_CURVATURE),
        "the hidden weight held at 0: only the output GLM moves",
    )
    return d


def hidden_symmetries(registry: Registry | None = None) -> Derivation:
    r"""Two hidden units: :math:`\ell(\theta)` equals :math:`\ell` at the weights with the units
    swapped, and at the weights with unit 1's sign flipped (:math:`\theta^{(h)}_1, b^{(h)}_1,
    \theta^{(y)}_1 \to -\theta^{(h)}_1, -b^{(h)}_1, -\theta^{(y)}_1` and :math:`b^{(y)} \to
    b^{(y)} + \theta^{(y)}_1`), for every input, label and weights."""
    x, y = sp.Symbol("x", real=True), sp.Symbol("y", real=True)
    w = sp.symbols(r"\theta^{(h)}_1 \theta^{(h)}_2", real=True)
    c = sp.symbols(r"b^{(h)}_1 b^{(h)}_2", real=True)
    v = sp.symbols(r"\theta^{(y)}_1 \theta^{(y)}_2", real=True)
    b = sp.Symbol("b^{(y)}", real=True)
    ell = defined(r"\ell(\theta)", log_likelihood(x, y, w, c, v, b), text="l(theta)")
    swapped = defined(
        r"\ell(\theta_{\text{swap}})",
        log_likelihood(x, y, w[::-1], c[::-1], v[::-1], b),
        text="l(theta_swap)",
    )
    flipped = defined(
        r"\ell(\theta_{\text{flip}})",
        log_likelihood(x, y, (-w[0], w[1]), (-c[0], c[1]), (-v[0], v[1]), b + v[0]),
        text="l(theta_flip)",
    )
    d = Derivation(
        Eq(ell, swapped),
        label="dl-not-identifiable",
        title="Two hidden units: other weights, the same log-likelihood",
        domain={y: (0, 1)},
        registry=registry,
    )
    d.step(Eq(ell, flipped), "$\\sigma(-a) = 1 - \\sigma(a)$")
    return d
