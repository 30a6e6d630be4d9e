"""Errata of source ``002``, the GLM notes: its errors -- in the multinomial's canonical form,
the hypothesis, the likelihood, the score and the gradient-ascent update.

Each check is followed by its entry (:class:`~glmnotes.book.errata.records.Erratum`); the entries
are listed in :data:`ENTRIES` in the note's order. The note's odd-but-true slips are in
:mod:`glmnotes.book.errata.glm_notes_odd_but_true`.
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
    shown_partial,
)
from glmnotes.evidence import below
from glmnotes.families.canonical import NOTES_MULTINOMIAL, exp_as_written
from glmnotes.families.identities import defined_function
from glmnotes.notation import Eq, per_example, shown, sigmoid, times
from glmnotes.verify import Derivation

__all__ = [
    "ENTRIES",
    "GRADIENT_INDICES",
    "HYPOTHESIS_CONDITIONAL",
    "IID",
    "LEARNING_RATE_SIGN",
    "LIKELIHOOD_INDICES",
    "MULTINOMIAL",
    "SCORE_SINGLE_ETA",
    "SOFTMAX_TYPO",
    "SOURCE",
    "VECTORISED_UPDATE",
]

SOURCE = SOURCES["002"]


def _bernoulli_density(y: sp.Expr, eta: sp.Expr) -> sp.Expr:
    return sigmoid(eta) ** y * (1 - sigmoid(eta)) ** (1 - y)


def _named(tex: str, value: sp.Expr, arguments: tuple) -> sp.Expr:
    """``value`` as a function of ``arguments`` printed as ``tex`` (evaluated by ``doit``): a
    long formula shown by name in a derivation's definitions."""
    name = "".join(ch for ch in tex if ch.isalnum()) or "f"
    return defined_function(name, tex, sp.Lambda(arguments, value))(*arguments)


def _per_example(name: str, tex: str, values: list, depends_on: tuple = ()):
    """``per_example`` for a list of values: ``f(j)`` printed ``tex`` (with ``{j}``) and
    ``values[k - 1]`` at an integer ``k``."""
    return per_example(name, tex, lambda k: values[k - 1], depends_on)


def _examples(m: int, n: int):
    """Symbols for ``m`` examples with ``n`` features: ``x[j][i]`` and ``y[j]``."""
    x = [
        [sp.Symbol(f"x^{{({j})}}_{i}", real=True) for i in range(1, n + 1)] for j in range(1, m + 1)
    ]
    y = [sp.Symbol(f"y^{{({j})}}", integer=True) for j in range(1, m + 1)]
    return x, y


def _check_multinomial() -> tuple[Derivation, ...]:
    notes = NOTES_MULTINOMIAL
    phi, i, k, phi_k, upto = notes.phi, notes.i, notes.k, notes.phi_k, notes.upto
    one, log, e = notes.indicator(), sp.log, exp_as_written
    last_class = phi_k ** notes.indicator(k)
    product = sp.Product(phi(i) ** one, (i, 1, k - 1)) * last_class
    chain = derivation(
        product,
        "glm-multinomial",
        "The multinomial in canonical form: the notes' lines and the completion",
        domain=notes.domain,
        given=notes.given,
    )
    chain.step(e(log(product)), "$a = e^{\\log a}$")
    chain.step(e(upto(one * log(phi(i))) + notes.indicator(k) * log(phi_k)), "log of a product")
    chain.step(
        e(upto(one * log(phi(i))) + (1 - upto(one * log(phi_k)))),
        "the notes",
        erratum="glm-multinomial",
    )
    chain.step(e(upto(one * log(phi(i))) + (1 - upto(one)) * log(phi_k)), "corrected")
    chain.step(e(upto(one * log(phi(i))) + log(phi_k) - upto(one * log(phi_k))), "the notes")
    chain.step(e(upto(one * log(phi(i) / phi_k)) + log(phi_k)), "the notes")
    chain.step(e(upto(one * log(phi(i))) + log(phi_k)), "the notes", erratum="glm-multinomial")
    chain.step(e(upto(one * log(phi_k)) + log(phi_k)), "the notes", erratum="glm-multinomial")
    eta_i = notes.eta_of_phi(i)
    chain.step(e(upto(one * eta_i) - log(1 + upto(sp.exp(eta_i)))), "completed")
    return (chain,)


MULTINOMIAL = Erratum(
    key="glm-multinomial",
    label="erratum-glm-multinomial",
    source=SOURCE,
    kind="error",
    quote=(
        r"$p(y;\phi) = e^{\sum_{i=1}^{k-1} 1} \{y=i\} ln(\phi_i) + "
        r"(1-\sum_{i=1}^{k-1} 1 \{y=i\} ln(\phi_k))$"
    ),
    seed_text=(
        r"p(y;\phi) = e^{\sum_{i=1}^{k-1} 1} \{y=i\} ln(\phi_i) + "
        r"(1-\sum_{i=1}^{k-1} 1 \{y=i\} ln(\phi_k))"
    ),
    problem=(
        r"Three lines are false: $(1 - \sum 1\{y=i\} \ln\phi_k)$ puts $\ln\phi_k$ inside "
        r"the sum (it should multiply $1 - \sum 1\{y=i\}$); later the ratios "
        r"$\phi_i/\phi_k$ are dropped, and the line after that replaces $\phi_i$ by "
        r"$\phi_k$; and the derivation stops mid-formula, before the natural parameter is "
        r"named. "
        r"(The exponents' braces are also garbled throughout.)"
    ),
    correction=(
        r"$p(y; \phi) = \exp\big(\sum_{i=1}^{k-1} 1\{y=i\} \ln(\phi_i/\phi_k) + "
        r"\ln \phi_k\big)$: $\eta_i = \ln(\phi_i/\phi_k)$, $T_i(y) = 1\{y = i\}$, "
        r"$b(y) = 1$ and $A(\eta) = -\ln\phi_k = \ln(1 + \sum_{i=1}^{k-1} e^{\eta_i})$."
    ),
    chapter="exponential-families",
    checked_by="an expression chain written as the notes write it, for any $k$ (sums over "
    "$i < k$), checked with $k = 3$ and the class $y$ sampled as an integer; the three false "
    "lines fail, the others and the completion hold.",
    build=_check_multinomial,
)


def _check_hypothesis_conditional() -> tuple[Derivation, ...]:
    x, theta = sp.symbols(r"x \theta", real=True)
    y = sp.Symbol("y", integer=True)
    eta = sp.Symbol(r"\eta", real=True)
    conditional = shown(r"\mathbb{E}[T(y) \mid x; \theta]")
    notes = shown(r"\mathbb{E}[T(y) - x; \theta]")
    density = _bernoulli_density(y, theta * x)
    chain = derivation(
        Eq(conditional, sigmoid(theta * x)),
        "glm-hypothesis-conditional",
        "The hypothesis of logistic regression (one feature, $T(y) = y$)",
        domain={x: (HALF, 3)},
        given={
            conditional: sp.Sum(y * density, (y, 0, 1)),
            notes: sp.Sum((y - x) * density, (y, 0, 1)),
        },
    )
    chain.step(
        Eq(notes, sigmoid(theta * x)),
        "the notes, as written",
        erratum="glm-hypothesis-conditional",
    )
    chain.step(Eq(notes, sigmoid(theta * x) - x), "what the notes' expression is")
    chain.step(
        Eq(conditional, sp.Subs(sp.Derivative(sp.log(1 + sp.exp(eta)), eta), eta, theta * x)),
        "corrected: $A'(\\eta)$ at $\\eta = \\theta x$",
    )
    return (chain,)


HYPOTHESIS_CONDITIONAL = Erratum(
    key="glm-hypothesis-conditional",
    label="erratum-glm-hypothesis-conditional",
    source=SOURCE,
    kind="error",
    quote=r"our hypothesis function is equal to $E[T(y) - x; \theta]$",
    problem=(
        r"A minus sign stands where the conditioning bar belongs: "
        r"$E[T(y) - x; \theta] = E[T(y); \theta] - x$ is a different quantity."
    ),
    correction=(
        r"$h(x) = E[T(y) \mid x; \theta] = \partial A/\partial\eta$ at "
        r"$\eta = \theta^\top x$."
    ),
    chapter="glm",
    checked_by="an equation chain for logistic regression with one feature, the "
    "expectations as sums over $y \\in \\{0, 1\\}$.",
    build=_check_hypothesis_conditional,
)


def _check_softmax_typo() -> tuple[Derivation, ...]:
    x = sp.Symbol("x", real=True)
    theta = sp.symbols(r"\theta_1:4", real=True)
    eta = sp.symbols(r"\eta_1:4", real=True)
    mean = shown_partial("A", r"\eta_1")
    A = _named(r"A(\eta)", sp.log(sum(sp.exp(e) for e in eta)), eta)
    chain = derivation(
        Eq(mean, sp.exp(theta[0] * x) / sum(sp.exp(t * x) for t in theta)),
        "glm-softmax-typo",
        "The softmax hypothesis ($k = 3$ classes, one feature, "
        "$A(\\eta) = \\log \\sum_{l=1}^{3} e^{\\eta_l}$)",
        domain={x: (HALF, 3)},
        given={mean: sp.Subs(sp.Derivative(A, eta[0]), eta, [t * x for t in theta])},
    )
    chain.step(
        Eq(mean, sp.exp(theta[0] * x) / sum(times(sp.exp(t), x) for t in theta)),
        "the notes: $e^{\\theta_j^t} x$",
        erratum="glm-softmax-typo",
    )
    return (chain,)


SOFTMAX_TYPO = Erratum(
    key="glm-softmax-typo",
    label="erratum-glm-softmax-typo",
    source=SOURCE,
    kind="error",
    quote=r"$\frac{e^{\theta_i^t x}}{\sum_{j=1}^k e^{\theta_j^t} x}$",
    seed_text=r"\frac{e^{\theta_i^t x}}{\sum_{j=1}^k e^{\theta_j^t} x}",
    problem=r"The $x$ slipped out of the exponent in the denominator.",
    correction=r"$h_i(x) = e^{\theta_i^\top x} / \sum_{j=1}^{k} e^{\theta_j^\top x}$.",
    chapter="glm",
    checked_by="an equation chain with three classes and one feature.",
    build=_check_softmax_typo,
)


def _check_likelihood_indices() -> tuple[Derivation, ...]:
    theta = sp.Symbol(r"\theta", real=True)
    x_free = sp.Symbol("x", real=True)
    y_free = sp.Symbol("y", integer=True)
    x, y = _examples(2, 1)
    x = [row[0] for row in x]
    likelihood = shown(r"\mathcal{L}(\theta)")
    p = [shown(f"p(y^{{({j})}} \\mid x^{{({j})}}; \\theta)") for j in (1, 2)]
    p_free = shown(r"p(y \mid x; \theta)")
    j = sp.Symbol("j", integer=True, positive=True)
    x_j = _per_example("xj", "x^{{({j})}}", x)
    y_j = _per_example("yj", "y^{{({j})}}", y)
    given = {
        likelihood: sp.Product(_bernoulli_density(y_j(j), theta * x_j(j)), (j, 1, 2)),
        p[0]: _bernoulli_density(y[0], theta * x[0]),
        p[1]: _bernoulli_density(y[1], theta * x[1]),
        p_free: _bernoulli_density(y_free, theta * x_free),
    }
    chain = derivation(
        Eq(likelihood, times(p[0], p[1])),
        "glm-likelihood-indices",
        "The likelihood of $m = 2$ independent examples (logistic regression)",
        domain={y_j: (0, 1) for y_j in [*y, y_free]},
        given=given,
    )
    chain.step(
        Eq(likelihood, p_free**2),
        "the notes: one factor, $m = 2$ times",
        erratum="glm-likelihood-indices",
    )
    chain.step(
        Eq(sp.log(likelihood), sp.log(p[0]) + sp.log(p[1])),
        "the log-likelihood: one term per example",
    )
    return (chain,)


LIKELIHOOD_INDICES = Erratum(
    key="glm-likelihood-indices",
    label="erratum-glm-likelihood-indices",
    source=SOURCE,
    kind="error",
    quote=r"$\mathcal{L}(\theta) = \prod_{i=1}^{m} p(y|x;\theta)$",
    seed_text=r"\mathcal{L}(\theta) = \prod_{i=1}^{m} p(y|x;\theta)",
    problem=(
        r"The factors carry no example index, so the product is $p(y \mid x; "
        r"\theta)^m$, one example counted $m$ times (and so is the log-likelihood below "
        r"it). The score's proof keeps this single $(y, x)$, with one $\eta$."
    ),
    correction=(
        r"$\mathcal{L}(\theta) = \prod_{i=1}^{m} p(y^{(i)} \mid x^{(i)}; \theta)$ and "
        r"$\ln \mathcal{L}(\theta) = \sum_{i=1}^{m} \ln p(y^{(i)} \mid x^{(i)}; \theta)$."
    ),
    chapter="glm",
    checked_by="an equation chain for logistic regression with two examples.",
    build=_check_likelihood_indices,
)


def _check_gradient_indices() -> tuple[Derivation, ...]:
    m, n = 3, 2
    x, y = _examples(m, n)
    theta = sp.symbols(r"\theta_1:3", real=True)
    eta = [sum(theta[i] * x[j][i] for i in range(n)) for j in range(m)]
    j = sp.Symbol("j", integer=True, positive=True)
    eta_j = _per_example("eta", r"\eta^{{({j})}}", eta, theta)
    y_j = _per_example("y", "y^{{({j})}}", y)
    log_likelihood = sp.Sum(y_j(j) * eta_j(j) - sp.log(1 + sp.exp(eta_j(j))), (j, 1, m))
    residual = [shown(f"(T(y^{{({j})}}) - h(x^{{({j})}}))") for j in range(1, m + 1)]
    derivative = shown_partial(r"\ell", r"\theta_1")
    given = {derivative: sp.Derivative(log_likelihood, theta[0])}
    given |= {residual[j]: y[j] - sigmoid(eta[j]) for j in range(m)}
    chain = derivation(
        Eq(derivative, sum(residual[j] * x[j][0] for j in range(m))),
        "glm-gradient-indices",
        "The gradient's sum, $m = 3$ examples and $n = 2$ features (logistic regression)",
        domain={y_j: (0, 1) for y_j in y},
        given=given,
    )
    chain.step(
        Eq(derivative, sum(residual[j] * x[j][0] for j in range(n))),
        "the notes: sum to $n = 2$",
        erratum="glm-gradient-indices",
    )
    return (chain,)


GRADIENT_INDICES = Erratum(
    key="glm-gradient-indices",
    label="erratum-glm-gradient-indices",
    source=SOURCE,
    kind="error",
    quote=r"$\theta_j = \theta_{j-1} + \alpha \sum_{j=1}^n (T(y^j) - h(x^j)) x_i^j$",
    seed_text=r"\theta_j = \theta_{j-1} + \alpha \sum_{j=1}^n (T(y^j) - h(x^j)) x_i^j",
    problem=(
        r"The index $j$ counts both the iterations and the examples, the coefficient "
        r"updated should be $\theta_i$, and the sum runs to $n$ (the number of "
        r"features) instead of $m$ (the number of examples). The least-squares rule "
        r"after it has the same slips."
    ),
    correction=(
        r"$\theta_i^{(t+1)} = \theta_i^{(t)} + \alpha \sum_{j=1}^{m} "
        r"(T(y^{(j)}) - h(x^{(j)}))\, x_i^{(j)}$."
    ),
    chapter="glm",
    checked_by="an equation chain for logistic regression with $m = 3$, $n = 2$: the "
    "sum to $n$ fails.",
    build=_check_gradient_indices,
)


def _check_score_single_eta() -> tuple[Derivation, ...]:
    m = 2
    theta = sp.Symbol(r"\theta", real=True)
    x_free = sp.Symbol("x", real=True)
    x, y = _examples(m, 1)
    x = [row[0] for row in x]
    eta = sp.Symbol(r"\eta", real=True)
    j_ = sp.Symbol("j", integer=True, positive=True)
    x_j = _per_example("xj", "x^{{({j})}}", x)
    y_j = _per_example("yj", "y^{{({j})}}", y)
    log_likelihood = sp.Sum(
        y_j(j_) * theta * x_j(j_) - sp.log(1 + sp.exp(theta * x_j(j_))), (j_, 1, m)
    )
    score = shown_partial(r"\ell", r"\theta")
    per_example = [shown_partial(rf"\ell_{j}", rf"\eta^{{({j})}}") for j in range(1, m + 1)]
    eta_slope = [shown_partial(rf"\eta^{{({j})}}", r"\theta") for j in range(1, m + 1)]
    h = [shown(f"h(x^{{({j})}})") for j in range(1, m + 1)]
    h_free = shown("h(x)")
    given = {score: sp.Derivative(log_likelihood, theta), h_free: sigmoid(theta * x_free)}
    for j in range(m):
        given[per_example[j]] = sp.Subs(
            sp.Derivative(y[j] * eta - sp.log(1 + sp.exp(eta)), eta), eta, theta * x[j]
        )
        given[eta_slope[j]] = sp.Derivative(theta * x[j], theta)
        given[h[j]] = sigmoid(theta * x[j])
    chain = derivation(
        Eq(score, sum(times(per_example[j], eta_slope[j]) for j in range(m))),
        "glm-score-single-eta",
        "The score of logistic regression, two examples, one feature",
        domain={y_j: (0, 1) for y_j in y},
        given=given,
    )
    chain.step(
        Eq(score, sum((y[j] - h[j]) * x[j] for j in range(m))),
        "the notes' result",
    )
    chain.step(
        Eq(score, sum((y[j] - h_free) * x[j] for j in range(m))),
        "the notes' proof: one $\\eta$",
        erratum="glm-score-single-eta",
    )
    return (chain,)


SCORE_SINGLE_ETA = Erratum(
    key="glm-score-single-eta",
    label="erratum-glm-score-single-eta",
    source=SOURCE,
    kind="error",
    quote=(
        r"$\frac{\partial ln(\mathcal{L}(\theta))}{\partial \theta_i} = "
        r"\frac{\partial ln(\mathcal{L}(\theta))}{\partial \eta} "
        r"\frac{\partial \eta}{\partial \theta_i}$"
    ),
    seed_text=(
        r"\frac{\partial ln(\mathcal{L}(\theta))}{\partial \theta_i} = "
        r"\frac{\partial ln(\mathcal{L}(\theta))}{\partial \eta} "
        r"\frac{\partial \eta}{\partial \theta_i}"
    ),
    problem=(
        r"Each example has its own natural parameter $\eta^{(j)} = \theta^\top x^{(j)}$; "
        r"the proof uses one $\eta$ and one $h(x)$ for all of them, which is "
        r"inconsistent with the $x_i^j$ it ends with."
    ),
    correction=(
        r"$\frac{\partial \ell}{\partial \theta_i} = \sum_{j=1}^{m} "
        r"\frac{\partial \ell_j}{\partial \eta^{(j)}}\frac{\partial \eta^{(j)}}"
        r"{\partial \theta_i} = \sum_{j=1}^{m} (T(y^{(j)}) - h(x^{(j)}))\, x_i^{(j)}$: "
        r"the notes' result is right, their proof is not."
    ),
    chapter="glm",
    checked_by="an equation chain for logistic regression with two examples; the "
    "single-$\\eta$ line fails.",
    build=_check_score_single_eta,
)


def _check_vectorised_update() -> tuple[Derivation, ...]:
    m, n = 3, 2
    X_value = sp.ImmutableMatrix(
        m, n, lambda j, i: sp.Symbol(f"x^{{({j + 1})}}_{i + 1}", real=True)
    )
    theta_value = sp.ImmutableMatrix(sp.symbols(r"\theta_1:3", real=True))
    y_value = sp.ImmutableMatrix([sp.Symbol(f"y^{{({j + 1})}}", integer=True) for j in range(m)])
    thetas = tuple(theta_value)
    eta = [_named(rf"\eta^{{({j + 1})}}", e, thetas) for j, e in enumerate(X_value * theta_value)]
    log_likelihood = sum(y_value[j] * eta[j] - sp.log(1 + sp.exp(eta[j])) for j in range(m))
    ell = _named(r"\ell(\theta)", log_likelihood, thetas)
    X, Y = sp.MatrixSymbol("X", m, n), sp.MatrixSymbol("Y", m, 1)
    gradient = sp.MatrixSymbol(r"\nabla_{\theta} \ell", n, 1)
    mean = sp.MatrixSymbol(r"A'(X\theta)", m, 1)
    partition = sp.MatrixSymbol(r"A(X\theta)", m, 1)
    chain = derivation(
        Eq(gradient, X.T * (Y - mean)),
        "glm-vectorised-update",
        "The gradient of the logistic log-likelihood "
        "$\\ell(\\theta) = \\sum_j \\big(y^{(j)}\\eta^{(j)} - \\log(1 + e^{\\eta^{(j)}})\\big)$, "
        "$\\eta^{(j)} = x^{(j)\\top}\\theta$, $m = 3$ examples, $n = 2$ features",
        domain={symbol: (-2, 2) for symbol in X_value} | {y_j: (0, 1) for y_j in y_value},
        given={
            X: X_value,
            Y: y_value,
            gradient: sp.ImmutableMatrix([sp.Derivative(ell, theta_i) for theta_i in thetas]),
            mean: sp.ImmutableMatrix([sigmoid(eta_j) for eta_j in eta]),
            partition: sp.ImmutableMatrix([sp.log(1 + sp.exp(eta_j)) for eta_j in eta]),
        },
    )
    chain.step(
        Eq(gradient, X.T * (Y - partition)),
        "the notes' vectorised step",
        erratum="glm-vectorised-update",
    )
    return (chain,)


def _measure_vectorised_update() -> NumericEvidence:
    from scipy.special import expit

    from glmnotes import glm

    rng = np.random.default_rng(0)
    m = 200
    X = np.column_stack([np.ones(m), rng.normal(size=m)])
    y = (rng.uniform(size=m) < expit(X @ np.array([-0.5, 1.0]))).astype(float)
    mle = glm.newton_irls("bernoulli", X, y).theta

    def softplus(eta: np.ndarray) -> np.ndarray:
        return np.logaddexp(0, eta)

    literal = glm.fixed_step_path(X, y, softplus, 1.0, 500)[-1]
    unit_path = glm.fixed_step_path(X, y, expit, 1.0, 500)
    wrong_mean = glm.fixed_step_path(X, y, softplus, 1.0 / m, 5000)[-1]
    corrected = glm.fixed_step_path(X, y, expit, 1.0 / m, 2000)[-1]
    score_wrong = float(np.max(np.abs(glm.log_likelihood_gradient("bernoulli", X, y, wrong_mean))))
    loglik_mle = glm.log_likelihood("bernoulli", X, y, mle)
    # The unit step oscillates chaotically, so only a bound on its best value is reported.
    best_unit = max(glm.log_likelihood("bernoulli", X, y, theta) for theta in unit_path[100:])
    require(not np.all(np.isfinite(literal)), "the notes' literal update was expected to diverge")
    require(best_unit < loglik_mle - 40, "the unit step was expected to miss the maximum")
    require(score_wrong > 1.0, "A(X theta) was expected to stop away from the score's zero")
    return NumericEvidence(
        "logistic regression, 200 points (seed 0), intercept and one feature, from theta = 0; "
        "maximum-likelihood fit by Newton/IRLS",
        {
            "notes' update, A and unit step, 500 steps": "diverges (overflow to nan)",
            "mean A', unit step: best log-likelihood, steps 101-500": "< maximum - 40",
            "maximum log-likelihood": loglik_mle,
            "A and step 1/m, 5000 steps: max |score| where it stops": score_wrong,
            "A' and step 1/m, 2000 steps: max |theta - MLE|": below(
                float(np.max(np.abs(corrected - mle))), 1e-10
            ),
        },
    )


VECTORISED_UPDATE = Erratum(
    key="glm-vectorised-update",
    label="erratum-glm-vectorised-update",
    source=SOURCE,
    kind="error",
    quote=r"$\theta = \theta + X^{t}(Y - A(X\theta))$",
    seed_text=r"\theta = \theta + X^{t}(Y - A(X\theta))",
    problem=(
        r"The prediction is the mean $h = A'(\eta)$, not the log-partition function "
        r"$A$; and the learning rate $\alpha$ of the scalar rule has vanished (a unit "
        r"step on the summed gradient overshoots)."
    ),
    correction=(
        r"$\theta \leftarrow \theta + \alpha X^\top (Y - A'(X\theta))$, "
        r"e.g. $\alpha = \beta/m$."
    ),
    chapter="glm",
    checked_by="an equation chain with explicit $3 \\times 2$ symbols (the gradient by "
    "sympy) and a numeric computation on logistic regression: the notes' update "
    "diverges, the unit step misses the maximum, $A$ in place of $A'$ stops where the "
    "score is not 0, the corrected update reaches `glmnotes.glm.newton_irls`' fit.",
    build=_check_vectorised_update,
    measure=_measure_vectorised_update,
)


def _check_iid() -> tuple[Derivation, ...]:
    theta = sp.Symbol(r"\theta", real=True)
    x1, x2 = sp.Symbol("x^{(1)}", real=True), sp.Symbol("x^{(2)}", real=True)
    eta = sp.Symbol(r"\eta", real=True)
    mean_of_eta = sp.Derivative(sp.log(1 + sp.exp(eta)), eta)  # A'(eta), Bernoulli
    mu1, mu2 = (
        shown(r"\mathbb{E}[y^{(1)} \mid x^{(1)}]"),
        shown(r"\mathbb{E}[y^{(2)} \mid x^{(2)}]"),
    )
    chain = derivation(
        Eq(mu1, sp.Subs(mean_of_eta, eta, theta * x1)),
        "glm-iid",
        "Two examples of one logistic regression: the mean of each is $A'(\\theta x^{(j)})$",
        given={mu1: sigmoid(theta * x1), mu2: sigmoid(theta * x2)},
    )
    chain.step(
        Eq(mu2, sp.Subs(mean_of_eta, eta, theta * x2)),
        "the second example: its own $\\eta^{(2)} = \\theta x^{(2)}$",
    )
    chain.step(Eq(mu1, mu2), "identically distributed: the same mean", erratum="glm-iid")
    return (chain,)


IID = Erratum(
    key="glm-iid",
    label="erratum-glm-iid",
    source=SOURCE,
    kind="error",
    quote="Each example is independently and identically distributed",
    problem=(
        r"A GLM gives each example its own natural parameter "
        r"$\eta^{(j)} = \theta^\top x^{(j)}$, hence its own mean $A'(\eta^{(j)})$: two "
        r"examples with different inputs have different distributions. If the examples "
        r"were identically distributed, the inputs could not matter and there would be "
        r"nothing to regress."
    ),
    correction=(
        r"The responses are independent given the inputs, "
        r"$p(y^{(1)}, \dots, y^{(m)} \mid x^{(1)}, \dots, x^{(m)}) = "
        r"\prod_j p(y^{(j)} \mid x^{(j)}; \theta)$, each from the same family with its "
        r"own $\eta^{(j)}$ (independent, not identically distributed); the likelihood "
        r"is still the product."
    ),
    chapter="glm",
    checked_by="an equation chain for logistic regression with two examples: each mean "
    "is $A'$ at its own $\\eta^{(j)}$ (proved), and the two means differ at a random "
    "point.",
    build=_check_iid,
)


def _check_learning_rate_sign() -> tuple[Derivation, ...]:
    theta, x = sp.Symbol(r"\theta", real=True), sp.Symbol("x", real=True)
    y, alpha, s = sp.Symbol("y", real=True), sp.Symbol(r"\alpha", real=True), sp.Symbol("s")
    ell = _named(r"\ell(\theta)", y * theta * x - sp.log(1 + sp.exp(theta * x)), (theta,))
    g = shown(r"\ell'(\theta)")
    step = theta + s * alpha * sp.Derivative(ell, theta)
    slope = shown(r"\tfrac{d}{ds}\ell(\theta + s\alpha\ell'(\theta))\big|_{s=0}")
    chain = derivation(
        Eq(slope, alpha * g**2),
        "glm-learning-rate-sign",
        "The slope of the log-likelihood along one update step (logistic regression, one example)",
        domain={y: (0, 1), alpha: (-1, 1)},
        given={
            slope: sp.Subs(sp.Derivative(ell.func(step), s), s, 0),
            g: sp.Derivative(ell, theta),
        },
    )
    chain.step(
        Eq(slope, sp.Abs(alpha) * g**2),
        "the notes: any $\\beta \\in \\mathbb{R}$ climbs",
        erratum="glm-learning-rate-sign",
    )
    return (chain,)


def _measure_learning_rate_sign() -> NumericEvidence:
    from scipy.special import expit

    from glmnotes import glm

    rng = np.random.default_rng(0)
    m = 200
    X = np.column_stack([np.ones(m), rng.normal(size=m)])
    y = (rng.uniform(size=m) < expit(X @ np.array([-0.5, 1.0]))).astype(float)
    start = glm.log_likelihood("bernoulli", X, y, np.zeros(2))
    after = {
        beta: glm.log_likelihood(
            "bernoulli", X, y, glm.fixed_step_path(X, y, expit, beta / m, 20)[-1]
        )
        for beta in (1.0, -1.0)
    }
    require(after[1.0] > start, "a positive step was expected to increase the log-likelihood")
    require(after[-1.0] < start, "a negative step was expected to decrease it")
    return NumericEvidence(
        "logistic regression, 200 points (seed 0), intercept and one feature, 20 steps "
        "of the update with alpha = beta/m from theta = 0",
        {
            "log-likelihood at theta = 0": start,
            "after 20 steps, beta = 1": after[1.0],
            "after 20 steps, beta = -1": after[-1.0],
        },
    )


LEARNING_RATE_SIGN = Erratum(
    key="glm-learning-rate-sign",
    label="erratum-glm-learning-rate-sign",
    source=SOURCE,
    kind="error",
    quote=r"$\alpha = \frac{\beta}{m}$ . Where $\beta \in \mathbb{R}$",
    problem=(
        r"Gradient *ascent* needs a positive learning rate. Along the step "
        r"$\theta + s\alpha\nabla\ell$ the log-likelihood changes at the rate "
        r"$\alpha\lVert\nabla\ell\rVert^2$: with $\beta < 0$ (so $\alpha < 0$) a small "
        r"step goes downhill, away from the maximum; $\beta = 0$ does not move."
    ),
    correction=(
        r"$\alpha = \beta/m$ with $\beta > 0$ (and small enough for the step not to "
        r"overshoot: see the erratum on the vectorised update)."
    ),
    chapter="glm",
    checked_by="an equation chain for logistic regression with one example (the slope "
    "along the step, by sympy, is $\\alpha\\,\\ell'(\\theta)^2$; the notes' any-sign "
    "claim, $|\\alpha|\\,\\ell'(\\theta)^2$, fails at a negative $\\alpha$) and a numeric "
    "computation: 20 steps with $\\beta = 1$ raise the log-likelihood, with "
    "$\\beta = -1$ lower it.",
    build=_check_learning_rate_sign,
    measure=_measure_learning_rate_sign,
)


#: The errors of this note, in the note's order (the catalogue's order).
ENTRIES = (
    MULTINOMIAL,
    IID,
    HYPOTHESIS_CONDITIONAL,
    SOFTMAX_TYPO,
    LIKELIHOOD_INDICES,
    GRADIENT_INDICES,
    LEARNING_RATE_SIGN,
    SCORE_SINGLE_ETA,
    VECTORISED_UPDATE,
)
