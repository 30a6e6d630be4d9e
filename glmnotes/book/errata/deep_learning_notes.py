"""Errata of source ``000``, the deep-learning notes: deep learning as maximum likelihood,
and backpropagation on a toy graph.

Each check is followed by its entry (:class:`~glmnotes.book.errata.records.Erratum`); the entries
are listed in :data:`ENTRIES` in catalogue order.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from glmnotes.book.errata.records import (
    SOURCES,
    Erratum,
    NumericEvidence,
    derivation,
    require,
    shown_partial,
)
from glmnotes.notation import Eq, Indicator, indexed, sigmoid, times
from glmnotes.verify import Derivation

__all__ = [
    "ENTRIES",
    "INDEX_REUSE",
    "LOGLIK_PRODUCT",
    "LOG_INSTABILITY",
    "NO_BIASES",
    "SOURCE",
    "SUM_NOTATION",
    "TOY_CHAIN",
    "TOY_CHAIN_CIRCULAR",
    "TOY_STEPS",
]

SOURCE = SOURCES["000"]


def _toy_symbols():
    r"""The toy graph's variables: inputs :math:`a, b, c`, intermediates :math:`d = 2b`,
    :math:`e = a + d`, and :math:`L = c\,e`."""
    return sp.symbols("a b c d e", real=True)


def _toy_partials():
    """The toy graph's derivatives as display symbols, with their values from sympy."""
    a, b, c, d, e = _toy_symbols()
    values = {d: 2 * b, e: a + 2 * b}
    given = {
        shown_partial("L", "L"): sp.Derivative(sp.Symbol("L"), sp.Symbol("L")),
        shown_partial("L", "c"): sp.Derivative(c * (a + 2 * b), c),
        shown_partial("L", "e"): sp.Derivative(c * e, e),
        shown_partial("L", "d"): sp.Derivative(c * (a + d), d),
        shown_partial("L", "b"): sp.Derivative(c * (a + 2 * b), b),
        shown_partial("e", "d"): sp.Derivative(a + d, d),
        shown_partial("d", "b"): sp.Derivative(2 * b, b),
        **values,
    }
    return given


def _check_toy_steps() -> tuple[Derivation, ...]:
    a, b, c, d, e = _toy_symbols()
    L = sp.Symbol("L", real=True)
    steps = derivation(
        L,
        "dl-toy-steps",
        "The toy function's three steps",
        given={L: c * (a + 2 * b), d: 2 * b, e: a + 2 * b},
    )
    steps.step(c * (a + 2 * b), "the notes' definition")
    steps.step(c * (a + d), "step 1: $d = 2b$")
    steps.step(c * e, "step 2, $e = a + d$; step 3 as it must read")
    steps.step(
        sp.Mul(e, e, evaluate=False), "the notes' step 3: $L = e \\cdot e$", erratum="dl-toy-steps"
    )
    return (steps,)


TOY_STEPS = Erratum(
    key="dl-toy-steps",
    label="erratum-dl-toy-steps",
    source=SOURCE,
    kind="error",
    quote=r"$L = e\cdot e$",
    seed_text=r"\(L = e\cdot e\)",
    problem=(
        r"The toy function is $L(a, b, c) = c(a + 2b)$, so after $d = 2b$ and "
        r"$e = a + d$ the last step must multiply by $c$; $e \cdot e = (a + 2b)^2$ is "
        r"a different function (and $c$ would drop out of the graph)."
    ),
    correction=r"The third step is $L = c \cdot e$.",
    chapter="backpropagation",
    checked_by="an expression chain from the definition; the notes' step fails at a random point.",
    build=_check_toy_steps,
)


def _check_toy_chain() -> tuple[Derivation, ...]:
    a, b, c, d, e = _toy_symbols()
    P = shown_partial
    chain = derivation(
        Eq(P("L", "L"), 1),
        "dl-toy-chain",
        "The toy graph's chain rule, from right to left",
        given=_toy_partials(),
    )
    chain.step(
        Eq(P("L", "e"), times(P("L", "L"), P("L", "c"))),
        "the notes' line for $e$",
        erratum="dl-toy-chain",
    )
    chain.step(
        Eq(P("L", "e"), times(P("L", "L"), c)),
        "corrected: the seed times the local derivative $\\partial (c e)/\\partial e = c$",
    )
    chain.step(
        Eq(P("L", "d"), times(P("L", "L"), P("L", "e"), P("e", "d"))),
        "the notes' line for $d$ (right)",
    )
    chain.step(Eq(P("L", "b"), times(P("L", "d"), P("d", "b"))), "one more edge: $d = 2b$")
    return (chain,)


TOY_CHAIN = Erratum(
    key="dl-toy-chain",
    label="erratum-dl-toy-chain",
    source=SOURCE,
    kind="error",
    quote=(
        r"$\frac{\partial L}{\partial e} = \frac{\partial L}{\partial L}"
        r"\frac{\partial L}{\partial c}$"
    ),
    seed_text=r"\(\pdv{L}{e} = \pdv{L}{L}\pdv{L}{c}\)",
    problem=(
        r"$\partial L/\partial c = e$ is not a factor on the way from $L$ to $e$: the "
        r"edge $e \to L$ of $L = c \cdot e$ has local derivative "
        r"$\partial L/\partial e = c$, and $c \ne e$ in general."
    ),
    correction=(
        r"$\frac{\partial L}{\partial e} = \frac{\partial L}{\partial L} \cdot c$ "
        r"(the seed times the local derivative), and then "
        r"$\frac{\partial L}{\partial d} = \frac{\partial L}{\partial L}"
        r"\frac{\partial L}{\partial e}\frac{\partial e}{\partial d}$ as the notes write."
    ),
    chapter="backpropagation",
    checked_by="an equation chain whose partial derivatives are computed by sympy from "
    "the toy function; the notes' line fails at a random point.",
    build=_check_toy_chain,
)


def _check_loglik_product() -> tuple[Derivation, ...]:
    i, n = sp.symbols("i n", integer=True, positive=True)
    n_checked = 4
    # The braces in {\hat{y}} only make sympy print y - yhat in that order.
    y_hat = indexed("yhat", r"{\hat{y}}", positive=True)
    y = indexed("y", "y", real=True)
    probabilities = {symbol(k): (0, 1) for k in range(1, n_checked + 1) for symbol in (y, y_hat)}
    term = y_hat(i) ** y(i) * (1 - y_hat(i)) ** (1 - y(i))
    loglik = derivation(
        sp.log(sp.Product(term, (i, 1, n))),
        "dl-loglik-product",
        "The log-likelihood of independent Bernoulli labels",
        given={n: n_checked},
        domain=probabilities,
    )
    loglik.step(sp.Sum(sp.log(term), (i, 1, n)), "the log of a product")
    loglik.step(
        sp.Sum(y(i) * sp.log(y_hat(i)) + (1 - y(i)) * sp.log(1 - y_hat(i)), (i, 1, n)),
        "the log of powers",
    )
    loglik.step(
        sp.Sum(y(i) * sp.log(y_hat(i)) * (1 - y(i)) * sp.log(1 - y_hat(i)), (i, 1, n)),
        "the notes' LL",
        erratum="dl-loglik-product",
    )
    label = indexed("label", "y", integer=True)
    labels = {
        **{label(k): (0, 1) for k in range(1, n_checked + 1)},
        **{y_hat(k): (0, 1) for k in range(1, n_checked + 1)},
    }
    notes = sp.Sum(label(i) * sp.log(y_hat(i)) * (1 - label(i)) * sp.log(1 - y_hat(i)), (i, 1, n))
    vanishing = derivation(
        notes,
        "dl-loglik-product-zero",
        "The notes' expression is zero whenever the labels are 0 or 1",
        given={n: n_checked},
        domain=labels,
    )
    vanishing.step(sp.Integer(0), "$y_i(1 - y_i) = 0$ for $y_i \\in \\{0, 1\\}$")
    return (loglik, vanishing)


LOGLIK_PRODUCT = Erratum(
    key="dl-loglik-product",
    label="erratum-dl-loglik-product",
    source=SOURCE,
    kind="error",
    quote=(
        r"$LL(\theta) = \sum_{i=1}^{n}{y_{i}}\log (\hat{y_{i}}) \cdot ( 1-y_{i} )"
        r"\log (1-\hat{y_{i}})$"
    ),
    seed_text=(
        r"LL(\theta) = \sum_{i=1}^{n}{y_{i}}\log (\hat{y_{i}}) \cdot ( 1-y_{i} )"
        r"\log (1-\hat{y_{i}})"
    ),
    problem=(
        r"The log of $\hat y^{y}(1 - \hat y)^{1-y}$ is a sum of two terms, not their "
        r"product. As written, every term contains $y_i(1 - y_i) = 0$ for "
        r"$y_i \in \{0, 1\}$, so the notes' $LL$ is identically zero."
    ),
    correction=(r"$LL(\theta) = \sum_{i=1}^{n} y_i \log \hat y_i + (1 - y_i)\log(1 - \hat y_i)$."),
    chapter="deep-learning-mle",
    checked_by="two expression chains over $n$ data points, checked for $n = 4$: with labels "
    "and probabilities anywhere in $(0, 1)$ the log of the likelihood is the sum and not the "
    "product; with labels 0 or 1 (sampled as integers) the product is 0.",
    build=_check_loglik_product,
)


def _check_no_biases() -> tuple[Derivation, ...]:
    x = sp.symbols("x_0:4", real=True)
    theta = sp.symbols(r"\theta_0:4", real=True)
    bias = sp.Symbol("b", real=True)
    with_bias = sigmoid(sum(x[i] * theta[i] for i in range(1, 4)) + bias)
    absorbed = derivation(
        with_bias,
        "dl-no-biases",
        "A bias is a weight on a constant input",
        given={x[0]: sp.Integer(1), theta[0]: bias},
    )
    absorbed.step(
        sigmoid(sum(x[i] * theta[i] for i in range(4))),
        "$x_0 = 1$, $\\theta_0 = b$",
    )
    return (absorbed,)


NO_BIASES = Erratum(
    key="dl-no-biases",
    label="erratum-dl-odd-but-true",
    source=SOURCE,
    kind="odd but true",
    quote=r"$h_{j} = \sigma\left[\sum_{i}^{} x_{i} \theta_{i,j}^{(h)}\right]$",
    seed_text=r"h_{j} = \sigma\qty[\sum_{i}^{} x_{i} \theta_{i,j}^{(h)}]",
    problem="The units have no bias terms, which logistic regression normally has.",
    correction=(
        r"No generality is lost when the input carries a constant $x_0 = 1$: its "
        r"weight $\theta_{0,j}$ is the bias. (For the output unit, the hidden layer "
        r"needs a constant unit $h_0 = 1$ in the same way.)"
    ),
    chapter="deep-learning-mle",
    checked_by="an expression chain with a constant input.",
    build=_check_no_biases,
)


def _check_toy_chain_circular() -> tuple[Derivation, ...]:
    a, b, c, d, e = _toy_symbols()
    P = shown_partial
    chain = derivation(
        Eq(P("L", "c"), times(P("L", "L"), P("L", "c"))),
        "dl-toy-chain-circular",
        "The notes' first chain-rule line",
        given=_toy_partials(),
    )
    chain.step(
        Eq(P("L", "c"), times(P("L", "L"), sp.Derivative(c * e, c))),
        "the useful form: seed times local derivative",
    )
    return (chain,)


TOY_CHAIN_CIRCULAR = Erratum(
    key="dl-toy-chain-circular",
    label="erratum-dl-odd-but-true",
    source=SOURCE,
    kind="odd but true",
    quote=(
        r"$\frac{\partial L}{\partial c} = \frac{\partial L}{\partial L}"
        r"\frac{\partial L}{\partial c}$"
    ),
    seed_text=r"\(\pdv{L}{c} = \pdv{L}{L}\pdv{L}{c}\)",
    problem=(
        r"The right-hand side contains the derivative it is meant to compute, so the "
        r"line says nothing."
    ),
    correction=(
        r"It holds because $\partial L/\partial L = 1$. The useful form is "
        r"$\frac{\partial L}{\partial c} = \frac{\partial L}{\partial L} \cdot e$: the "
        r"seed times the local derivative of $L = c \cdot e$."
    ),
    chapter="backpropagation",
    checked_by="an equation chain with sympy's partial derivatives.",
    build=_check_toy_chain_circular,
)


def _check_log_instability() -> tuple[Derivation, ...]:
    theta = sp.Symbol(r"\theta", real=True)
    x = sp.symbols("x_1:4", real=True)
    p = sp.symbols("p_1:4", positive=True)
    product_to_sum = derivation(
        sp.log(p[0] * p[1] * p[2]),
        "dl-log-instability",
        "The log turns the likelihood's product into a sum",
        domain={p_i: (0, 1) for p_i in p},
    )
    product_to_sum.step(
        sp.log(p[0]) + sp.log(p[1]) + sp.log(p[2]), "$\\log(ab) = \\log a + \\log b$"
    )
    likelihood = sp.Mul(*[sigmoid(theta * x_i) for x_i in x])
    derivative = derivation(
        sp.Derivative(sp.log(likelihood), theta),
        "dl-log-instability-derivative",
        "and its derivative into a sum of simple terms",
    )
    derivative.step(
        sp.Add(*[sp.Derivative(sp.log(sigmoid(theta * x_i)), theta) for x_i in x]),
        "the log of the product is the sum of the logs",
    )
    derivative.step(
        sp.Add(*[(1 - sigmoid(theta * x_i)) * x_i for x_i in x]),
        "$(\\log \\sigma)' = 1 - \\sigma$",
    )
    return (product_to_sum, derivative)


def _measure_log_instability() -> NumericEvidence:
    rng = np.random.default_rng(0)
    probabilities = rng.uniform(0.3, 0.9, size=2000)
    product = float(np.prod(probabilities))
    sum_of_logs = float(np.sum(np.log(probabilities)))
    require(product == 0.0, "the product of 2000 probabilities was expected to underflow to 0")
    require(np.isfinite(sum_of_logs), "the sum of 2000 log-probabilities is not finite")
    # The log is increasing: on a grid, the likelihood and the log-likelihood peak together.
    x = rng.normal(size=20)
    y = (rng.uniform(size=20) < 1 / (1 + np.exp(-0.7 * x))).astype(float)
    grid = np.linspace(-3, 3, 601)
    eta = np.outer(grid, x)
    log_lik = np.sum(y * eta - np.logaddexp(0, eta), axis=1)
    lik = np.prod(np.where(y == 1, 1 / (1 + np.exp(-eta)), 1 / (1 + np.exp(eta))), axis=1)
    require(
        int(np.argmax(lik)) == int(np.argmax(log_lik)),
        "the likelihood and the log-likelihood peak at different grid points",
    )
    return NumericEvidence(
        "2000 probabilities drawn from U(0.3, 0.9) (seed 0), and a 20-point logistic fit on a "
        "grid of 601 values of theta",
        {
            "product of the 2000 probabilities (float64)": product,
            "sum of their logs": sum_of_logs,
            "argmax of the likelihood on the grid": float(grid[int(np.argmax(lik))]),
            "argmax of the log-likelihood on the grid": float(grid[int(np.argmax(log_lik))]),
        },
    )


LOG_INSTABILITY = Erratum(
    key="dl-log-instability",
    label="erratum-dl-odd-but-true",
    source=SOURCE,
    kind="odd but true",
    quote="to prevent calculus and derivative instability, we take the log",
    problem=("The reason is vague: the log is not needed for the calculus to be correct."),
    correction=(
        "The log is increasing, so it keeps the maximiser; it turns the product into a "
        "sum whose derivative is a sum of simple terms; and a product of many "
        "probabilities underflows in floating point while the sum of their logs does not."
    ),
    chapter="deep-learning-mle",
    checked_by="two expression chains (product to sum; its derivative) and a numeric "
    "computation: 2000 probabilities multiply to 0.0 in float64, their logs sum to a "
    "finite number, and likelihood and log-likelihood peak at the same grid point.",
    build=_check_log_instability,
    measure=_measure_log_instability,
)


def _check_sum_notation() -> tuple[Derivation, ...]:
    x = sp.Symbol("x", real=True)
    i = sp.Symbol("i", integer=True, nonnegative=True)
    n = sp.Symbol("N", integer=True, positive=True)
    literal = derivation(
        sp.Derivative(sp.Sum(x, (i, 0, n)), x),
        "dl-sum-notation",
        "The notes' derivative of a sum, with an upper limit $N$",
        domain={n: (1, 6)},
    )
    literal.step(sp.Sum(sp.Derivative(x, x), (i, 0, n)), "the notes' step")
    literal.step(sp.Sum(1, (i, 0, n)), "$dx/dx = 1$")
    literal.step(n + 1, "$N + 1$ terms")
    term = x**i / sp.factorial(i)
    linear = derivation(
        sp.Derivative(sp.Sum(term, (i, 0, 4)), x),
        "dl-sum-notation-linearity",
        "What the rule is for: terms that depend on the index",
    )
    linear.step(sp.Sum(sp.Derivative(term, x), (i, 0, 4)), "differentiation is linear")
    linear.step(
        sp.Sum(x ** (i - 1) / sp.factorial(i - 1), (i, 1, 4)),
        "term by term",
    )
    return (literal, linear)


SUM_NOTATION = Erratum(
    key="dl-sum-notation",
    label="erratum-dl-odd-but-true",
    source=SOURCE,
    kind="odd but true",
    quote=r"$\frac{d}{dx} \sum_{i=0}^{} x = \sum_{i=0}^{}\frac{d}{dx} x$",
    seed_text=r"\dv x \sum_{i=0}^{} x = \sum_{i=0}^{}\dv x x",
    problem=(
        r"The sum has no upper limit and its summand does not depend on $i$, so the rule "
        r"is shown on a sum of identical terms."
    ),
    correction=(
        r"With an upper limit $N$ it holds (both sides are $N + 1$), and the rule it "
        r"stands for is linearity: $\frac{d}{dx}\sum_i f_i(x) = \sum_i f_i'(x)$."
    ),
    chapter="deep-learning-mle",
    checked_by="two expression chains (symbolic $N$ sampled as an integer; a sum of $x^i/i!$).",
    build=_check_sum_notation,
)


def _check_index_reuse() -> tuple[Derivation, ...]:
    i, j, m = sp.symbols("i j m", integer=True, positive=True)
    h, theta = sp.IndexedBase("h", real=True), sp.IndexedBase(r"\theta^{(y)}", real=True)
    reuse = derivation(
        sp.Derivative(sp.Sum(h[i] * theta[i], (i, 1, m)), h[j]),
        "dl-index-reuse",
        "Differentiating the output unit's sum by one hidden unit",
        given={m: 4, j: 2},
    )
    reuse.step(
        sp.Sum(Indicator(i, j) * theta[i], (i, 1, m)),
        "term by term: $\\partial h_i/\\partial h_j$ is 1 for $i = j$, else 0",
    )
    reuse.step(theta[j], "only the term $i = j$ is left")
    return (reuse,)


INDEX_REUSE = Erratum(
    key="dl-index-reuse",
    label="erratum-dl-odd-but-true",
    source=SOURCE,
    kind="odd but true",
    quote=(
        r"$\frac{\partial}{\partial h_{i}} "
        r"\left[\sum_{i}^{} h_{i}\theta_{i}^{(y)}\right]$"
    ),
    seed_text=r"\pdv{h_{i}} \qty[\sum_{i}^{} h_{i}\theta_{i}^{(y)}]",
    problem=(r"The index $i$ is both the summation variable and the unit differentiated by."),
    correction=(
        r"With the free index renamed, "
        r"$\frac{\partial}{\partial h_j}\sum_i h_i\theta_i^{(y)} = \theta_j^{(y)}$: only "
        r"the term $i = j$ depends on $h_j$."
    ),
    chapter="deep-learning-mle",
    checked_by="an expression chain over $m$ hidden units, checked for $m = 4$ and $j = 2$.",
    build=_check_index_reuse,
)


#: The entries of this note in catalogue order: errors, then odd-but-true slips, each in the
#: note's order.
ENTRIES = (
    TOY_STEPS,
    TOY_CHAIN,
    LOGLIK_PRODUCT,
    NO_BIASES,
    TOY_CHAIN_CIRCULAR,
    LOG_INSTABILITY,
    SUM_NOTATION,
    INDEX_REUSE,
)
