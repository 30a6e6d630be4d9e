"""Errata of source ``002``, the GLM notes: its odd-but-true slips (lines that look wrong but
hold, or hold under a reading the notes leave implicit), listed in the book under one heading.

Each check is followed by its entry (:class:`~glmnotes.book.errata.records.Erratum`); the entries
are listed in :data:`ENTRIES` in the note's order. The note's errors are in
:mod:`glmnotes.book.errata.glm_notes`.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from glmnotes.book.errata.records import (
    HALF,
    SOURCES,
    Erratum,
    NumericEvidence,
    derivation,
    require,
)
from glmnotes.notation import Eq, shown, sigmoid, times
from glmnotes.verify import Derivation

__all__ = [
    "BERNOULLI_SIGN",
    "ENTRIES",
    "GAUSSIAN_A",
    "NEGATIVE_ETA",
    "PDOT",
    "SOFTMAX_REFERENCE",
    "SOURCE",
    "TABLE_LOG_MOMENTS",
]

SOURCE = SOURCES["002"]


def _exponential_density(y: sp.Expr, eta: sp.Expr) -> sp.Expr:
    r""":math:`p(y \mid \eta) = -\eta e^{\eta y}` on :math:`y > 0` (:math:`\eta = -\lambda < 0`)."""
    return -eta * sp.exp(eta * y)


def _check_table_log_moments() -> tuple[Derivation, ...]:
    from glmnotes.book.errata.glm_notes import _named
    from glmnotes.families import Beta, GammaShapeRate
    from glmnotes.quadrature import Quadrature

    beta, gamma = Beta().symbolic(), GammaShapeRate().symbolic()
    y = beta.y
    a, b = beta.parameters
    shape, rate = gamma.parameters
    A_beta = _named(r"A_{\mathrm{beta}}(\eta)", beta.log_partition, beta.eta)
    A_gamma = _named(r"A_{\Gamma}(\eta)", gamma.log_partition, gamma.eta)
    mean_beta = shown(r"h_1^{\mathrm{beta}}")
    mean_gamma_1, mean_gamma_2 = shown(r"h_1^{\Gamma}"), shown(r"h_2^{\Gamma}")
    log_moment = shown(r"\mathbb{E}_{\mathrm{beta}}[\log y]")
    psi_beta = shown(r"\psi(\alpha) - \psi(\alpha + \beta)")
    psi_gamma = shown(r"\psi(\alpha) - \log\beta")
    density = _named(r"p_{\mathrm{beta}}(y)", beta.textbook_density.rewrite(sp.gamma), (y, a, b))
    chain = derivation(
        Eq(mean_beta, psi_beta),
        "glm-table-log-moments",
        "What $h = \\partial A/\\partial\\eta$ predicts for the beta ($\\eta = (\\alpha, "
        "\\beta)$) and the gamma ($\\eta = (\\alpha, -\\beta)$); $A$ as in "
        "`glmnotes.families`",
        domain={a: (HALF, 4), b: (HALF, 4)},
        given={
            mean_beta: sp.Subs(sp.Derivative(A_beta, beta.eta[0]), beta.eta, (a, b)),
            log_moment: Quadrature(sp.Lambda(y, sp.log(y) * density), 0, 1),
            mean_gamma_1: sp.Subs(sp.Derivative(A_gamma, gamma.eta[0]), gamma.eta, (shape, -rate)),
            mean_gamma_2: sp.Subs(sp.Derivative(A_gamma, gamma.eta[1]), gamma.eta, (shape, -rate)),
            psi_beta: sp.digamma(a) - sp.digamma(a + b),
            psi_gamma: sp.digamma(shape) - sp.log(rate),
        },
    )
    chain.step(
        Eq(log_moment, psi_beta),
        "beta, $T_1(y) = \\log y$, by quadrature over the beta density $p_{\\mathrm{beta}}$",
    )
    chain.step(Eq(mean_gamma_1, psi_gamma), "gamma, $T_1(y) = \\log y$")
    chain.step(Eq(mean_gamma_2, shape / rate), "gamma, $T_2(y) = y$: the mean $\\alpha/\\beta$")
    return (chain,)


def _measure_table_log_moments() -> NumericEvidence:
    from scipy import integrate, special, stats

    a, b = 2.0, 3.0
    e_log, _ = integrate.quad(lambda t: np.log(t) * stats.beta.pdf(t, a, b), 0, 1)
    formula = float(special.digamma(a) - special.digamma(a + b))
    mean = float(stats.beta.mean(a, b))
    require(abs(e_log - formula) < 1e-10, "E[ln y] by quadrature differs from psi(a) - psi(a+b)")
    require(abs(e_log - mean) > 0.5, "E[ln y] was expected to differ from E[y]")
    return NumericEvidence(
        "the beta distribution with a = 2, b = 3 (scipy.stats and quadrature)",
        {
            "E[ln y] by quadrature": e_log,
            "psi(a) - psi(a + b), the GLM's prediction h": formula,
            "E[y] = a / (a + b), what the table's use case suggests": mean,
        },
    )


TABLE_LOG_MOMENTS = Erratum(
    key="glm-table-log-moments",
    label="erratum-glm-odd-but-true",
    source=SOURCE,
    kind="odd but true",
    quote=(
        "Gamma Regression · Gamma · Real Positive Number; Beta Regression · Beta · "
        "Probabilty Distribution; Dirichlet Regression · Dirichlet · Probabilty "
        "Distribution"
    ),
    seed_text=(
        "Gamma Regression\tGamma\tReal Positive Number",
        "Beta Regression\tBeta\tProbabilty Distribution",
        "Dirichlet Regression\tDirichlet\tProbabilty Distribution",
    ),
    problem=(
        r"Read with the notes' $h(x) = E[T(y) \mid x]$, these rows do not simply predict "
        r"the mean $E[y]$: the sufficient statistics are $(\ln y, \ln(1 - y))$ for the "
        r"beta, $(\ln y_1, \dots, \ln y_k)$ for the Dirichlet and $(\ln y, y)$ for the "
        r"two-parameter gamma, so $h$ returns expected logs (for the gamma, "
        r"$E[\ln y]$ and $E[y]$)."
    ),
    correction=(
        r"The rows are legitimate exponential families; their GLM predicts "
        r"$E[\ln y] = \psi(a) - \psi(a + b)$ for the beta, $(\psi(\alpha) - \ln\beta,\ "
        r"\alpha/\beta)$ for the gamma. Gamma regression as usually practised fixes the "
        r"shape, so that $T(y) = y$."
    ),
    chapter="exponential-families",
    checked_by="an equation chain ($\\partial A/\\partial\\eta$ of the package's beta and "
    "gamma families, and $E[\\ln y]$ of the beta by numerical quadrature with mpmath, at "
    "random parameters) and a numeric comparison by quadrature with scipy.stats.",
    build=_check_table_log_moments,
    measure=_measure_table_log_moments,
)


def _check_negative_eta() -> tuple[Derivation, ...]:
    y = sp.Symbol("y", positive=True)
    eta = sp.Symbol(r"\eta", negative=True)
    A = shown(r"A(\eta)")
    chain = derivation(
        Eq(sp.Integral(sp.exp(eta * y), (y, 0, sp.oo)), -1 / eta),
        "glm-negative-eta",
        "The exponential distribution's normaliser, for $\\eta < 0$",
        given={A: sp.log(sp.Integral(sp.exp(eta * y), (y, 0, sp.oo)))},
    )
    chain.step(Eq(A, -sp.log(-eta)), "$A(\\eta) = \\log \\int_0^\\infty e^{\\eta y}\\,dy$")
    chain.step(
        Eq(sp.Derivative(-sp.log(-eta), eta), -1 / eta),
        "$h = A'(\\eta)$, positive for $\\eta < 0$",
    )
    return (chain,)


def _measure_negative_eta() -> NumericEvidence:
    from glmnotes import glm

    eta = sp.Symbol("eta", positive=True)
    y = sp.Symbol("y", positive=True)
    diverges = sp.integrate(sp.exp(eta * y), (y, 0, sp.oo))
    require(diverges == sp.oo, "the integral was expected to diverge for eta > 0")
    X = np.array([[1.0, 0.5], [1.0, 2.0], [1.0, -1.0]])
    y_obs = np.array([0.3, 1.2, 0.7])
    inside = glm.log_likelihood("exponential", X, y_obs, np.array([-1.0, -0.2]))
    outside = glm.log_likelihood("exponential", X, y_obs, np.array([-1.0, 1.0]))
    require(
        np.isfinite(inside) and outside == -np.inf, "the log-likelihood's domain is not eta < 0"
    )
    return NumericEvidence(
        "sympy's integral for eta > 0, and glmnotes.glm.log_likelihood of an exponential GLM "
        "(canonical link) on 3 points",
        {
            "integral of exp(eta y) over y > 0, for eta > 0": str(diverges),
            "log-likelihood, every theta^T x < 0": float(inside),
            "log-likelihood, theta^T x = 1 for one point": float(outside),
        },
    )


NEGATIVE_ETA = Erratum(
    key="glm-negative-eta",
    label="erratum-glm-odd-but-true",
    source=SOURCE,
    kind="odd but true",
    quote="Exponential Regression · Exponential · Real Positive Number",
    seed_text="Exponential Regression\tExponential\tReal Positive Number",
    problem=(
        r"With the canonical link $\eta = \theta^\top x$, but the exponential (and gamma) "
        r"natural parameter $\eta = -\lambda$ must be negative: not every $\theta$ gives "
        r"a distribution."
    ),
    correction=(
        r"The model holds on $\theta^\top x < 0$, where $h(x) = -1/\theta^\top x > 0$; "
        r"in practice one uses the log link $\ln \mu = \theta^\top x$."
    ),
    chapter="exponential-families",
    checked_by="an equation chain (normaliser, $A$, $A'$ for $\\eta < 0$) and numeric "
    "checks: sympy's integral diverges for $\\eta > 0$, and "
    "`glmnotes.glm.log_likelihood` is $-\\infty$ once some $\\theta^\\top x \\ge 0$.",
    build=_check_negative_eta,
    measure=_measure_negative_eta,
)


def _check_pdot() -> tuple[Derivation, ...]:
    y = sp.Symbol("y", positive=True)
    eta = sp.Symbol(r"\eta", negative=True)
    A = -sp.log(-eta)
    density = _exponential_density(y, eta)
    chain = derivation(
        Eq(sp.Integral(y * density, (y, 0, sp.oo)), sp.Derivative(A, eta)),
        "glm-pdot",
        "The mean of the exponential distribution ($T(y) = y$, $A(\\eta) = -\\log(-\\eta)$)",
    )
    chain.step(
        Eq(sp.Integral(y * sp.Derivative(density, eta), (y, 0, sp.oo)), sp.Derivative(A, eta, 2)),
        "$\\dot p = \\partial p/\\partial\\eta$: the variance",
    )
    return (chain,)


PDOT = Erratum(
    key="glm-pdot",
    label="erratum-glm-odd-but-true",
    source=SOURCE,
    kind="odd but true",
    quote=r"$E[T(y)|\eta] = \int T(y)\dot{p}(y|\eta)dy$",
    seed_text=r"E[T(y)|\eta] &= \int T(y)\dot{p}(y|\eta)dy",
    problem=(
        r"The dot over $p$ reads as a derivative, and $\int T(y)\, \partial p/"
        r"\partial\eta\, dy$ is the variance $A''(\eta)$, not the mean."
    ),
    correction=(r"With $p$ in place of $\dot p$ it is the definition of the mean, $A'(\eta)$."),
    chapter="exponential-families",
    checked_by="an equation chain on the exponential distribution (both readings, "
    "integrals by sympy).",
    build=_check_pdot,
)


def _check_gaussian_a() -> tuple[Derivation, ...]:
    y, mu = sp.symbols(r"y \mu", real=True)
    eta = sp.Symbol(r"\eta", real=True)
    phi = sp.Symbol(r"\phi", positive=True)
    eta_b = sp.Symbol(r"\eta_{\mathrm{B}}", real=True)
    base = sp.exp(-(y**2) / 2) / sp.sqrt(2 * sp.pi)
    chain = derivation(
        Eq(sp.exp(-((y - mu) ** 2) / 2) / sp.sqrt(2 * sp.pi), base * sp.exp(eta * y - eta**2 / 2)),
        "glm-gaussian-a",
        "The log-partition functions, written in the natural parameter",
        domain={phi: (0, 1)},
        given={eta: mu, eta_b: sp.log(phi / (1 - phi))},
        # for phi > 1 the logarithms take their complex branches and differ by 2*pi*i
        condition=r"0 < \phi < 1",
    )
    chain.step(Eq(eta**2 / 2, mu**2 / 2), "the notes' $A$, at $\\eta = \\mu$")
    chain.step(
        Eq(sp.Derivative(eta**2 / 2, eta), eta),
        "as the notes find",
    )
    chain.step(Eq(sp.Derivative(eta**2 / 2, eta, 2), 1), "the variance $A''(\\eta)$")
    chain.step(
        Eq(-sp.log(1 - phi), sp.log(1 + sp.exp(eta_b))),
        "the Bernoulli's $A$",
    )
    return (chain,)


GAUSSIAN_A = Erratum(
    key="glm-gaussian-a",
    label="erratum-glm-odd-but-true",
    source=SOURCE,
    kind="odd but true",
    quote=r"$A(\eta) = \frac{\mu^2}{2}$",
    seed_text=r"A(\eta) = \frac{\mu^2}{2}",
    problem=(
        r"A function of $\eta$ is written in the mean parameter $\mu$ (the Bernoulli's "
        r"$A(\eta) = -\ln(1 - \phi)$ likewise in $\phi$)."
    ),
    correction=(
        r"Since $\eta = \mu$, $A(\eta) = \eta^2/2$ takes the same value, and the notes' "
        r"$\partial A/\partial\eta = \eta$ uses that form; the Bernoulli's is "
        r"$\ln(1 + e^\eta)$."
    ),
    chapter="exponential-families",
    checked_by="an equation chain (the density in canonical form, the two forms of "
    "$A$, its derivative).",
    build=_check_gaussian_a,
)


def _check_bernoulli_sign() -> tuple[Derivation, ...]:
    eta = sp.Symbol(r"\eta", real=True)
    s = sigmoid(eta)
    chain = derivation(
        sp.Derivative(-sp.log(1 - s), eta),
        "glm-bernoulli-sign",
        "The Bernoulli mean from $A(\\eta) = -\\log(1 - \\sigma(\\eta))$",
    )
    chain.step(
        times(1 / (1 - s), sp.Derivative(1 + s, eta)),
        "the notes: two sign slips",
    )
    chain.step(
        times(-1 / (1 - s), sp.Derivative(1 - s, eta)), "the chain rule with both signs kept"
    )
    chain.step(times(1 / (1 - s), s * (1 - s)), "$\\sigma' = \\sigma(1 - \\sigma)$")
    chain.step(s, "cancel")
    return (chain,)


BERNOULLI_SIGN = Erratum(
    key="glm-bernoulli-sign",
    label="erratum-glm-odd-but-true",
    source=SOURCE,
    kind="odd but true",
    quote=(
        r"$\frac{\partial A\eta}{\partial \eta} = \frac{1}{1 - \sigma(\eta)} "
        r"\frac{\partial}{\partial \eta} (1 + \sigma(\eta))$"
    ),
    seed_text=(
        r"\frac{\partial A\eta}{\partial \eta} = \frac{1}{1 - \sigma(\eta)} "
        r"\frac{\partial}{\partial \eta} (1 + \sigma(\eta))"
    ),
    problem=(
        r"The derivative of $-\ln(1 - \sigma)$ is $-\frac{1}{1-\sigma}"
        r"\frac{\partial}{\partial\eta}(1 - \sigma)$; the notes drop the leading minus "
        r"and write $1 + \sigma$."
    ),
    correction=(
        r"The two sign slips cancel, since "
        r"$\frac{\partial}{\partial\eta}(1 + \sigma) = "
        r"-\frac{\partial}{\partial\eta}(1 - \sigma)$, so the line and the result "
        r"$\sigma(\eta)$ hold."
    ),
    chapter="exponential-families",
    checked_by="an expression chain.",
    build=_check_bernoulli_sign,
)


def _check_softmax_reference() -> tuple[Derivation, ...]:
    phi = sp.symbols(r"\phi_1:4", positive=True)
    eta = sp.symbols(r"\eta_1:4", real=True)
    A = shown(r"A(\eta)")
    given = {
        phi[2]: 1 - phi[0] - phi[1],
        eta[0]: sp.log(phi[0] / phi[2]),
        eta[1]: sp.log(phi[1] / phi[2]),
        eta[2]: sp.Integer(0),
        A: sp.log(sum(sp.exp(e) for e in eta)),
    }
    chain = derivation(
        Eq(sp.exp(eta[0]) / sum(sp.exp(e) for e in eta), phi[0]),
        "glm-softmax-reference",
        "Softmax with $k - 1 = 2$ parameter rows: the last class has $\\theta_k = 0$",
        domain={phi[0]: (0, HALF), phi[1]: (0, HALF)},
        given=given,
        # probabilities: with phi_1 + phi_2 > 1 the logarithms take complex branches
        condition=r"\phi_1 + \phi_2 < 1",
    )
    chain.step(Eq(A, -sp.log(phi[2])), "$A(\\eta) = -\\log \\phi_k$")
    return (chain,)


SOFTMAX_REFERENCE = Erratum(
    key="glm-softmax-reference",
    label="erratum-glm-odd-but-true",
    source=SOURCE,
    kind="odd but true",
    quote=r"$x \in R^{n+1}, \theta \in R^{(k-1)x(n+1)}$",
    seed_text=r"x \in R^{n+1}, \theta \in R^{(k-1)x(n+1)}",
    problem=(
        r"$\theta$ has $k - 1$ rows, but the softmax beside it sums $e^{\theta_j^t x}$ "
        r"over $j = 1, \dots, k$."
    ),
    correction=(
        r"It is consistent with $\theta_k = 0$: then $\eta_k = \ln(\phi_k/\phi_k) = 0$, "
        r"the $k$-th term is $e^0 = 1$, and the softmax returns $\phi_i$."
    ),
    chapter="glm",
    checked_by="an equation chain for $k = 3$.",
    build=_check_softmax_reference,
)


#: The entries of this note in catalogue order: errors, then odd-but-true slips, each in the
#: note's order.


#: The odd-but-true slips of this note, in the note's order (the catalogue's order).
ENTRIES = (
    TABLE_LOG_MOMENTS,
    NEGATIVE_ETA,
    PDOT,
    GAUSSIAN_A,
    BERNOULLI_SIGN,
    SOFTMAX_REFERENCE,
)
