"""Errata of source ``001``, the linear-collapse thread: is a deep network with linear
activations one linear regression, and what do convolutions, residuals and ReLUs change?

Each check is followed by its entry (:class:`~glmnotes.book.errata.records.Erratum`); the entries
are listed in :data:`ENTRIES` in catalogue order.
"""

from __future__ import annotations

from collections.abc import Callable

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
from glmnotes.evidence import below
from glmnotes.notation import Eq, shown, sigmoid
from glmnotes.verify import Derivation, VerdictKind, check_equal

__all__ = [
    "CLOSED_FORM_LOSS",
    "CONV_RESIDUAL",
    "ENTRIES",
    "NONLINEAR_TECHNIQUES",
    "OLS_ASSUMPTIONS",
    "ORDERED_PRODUCT",
    "POLYNOMIAL",
    "REDUCED_RANK",
    "SOURCE",
    "STRAIGHT_LINE",
]

SOURCE = SOURCES["001"]


def _relu(t: sp.Expr) -> sp.Expr:
    return sp.Max(0, t)


def _check_conv_residual() -> tuple[Derivation, ...]:
    x = sp.Matrix(sp.symbols("x_1:6", real=True))
    k = sp.symbols("k_0:3", real=True)
    convolution_sum = sp.ImmutableMatrix(
        [[sum(k[j] * x[i + j] for j in range(3))] for i in range(3)]
    )
    C = sp.ImmutableMatrix(3, 5, lambda i, col: k[col - i] if 0 <= col - i < 3 else 0)
    convolution = derivation(
        convolution_sum,
        "lin-conv-residual-matrix",
        "A convolution is a matrix times the input",
    )
    convolution.step(
        sp.MatMul(C, sp.ImmutableMatrix(x), evaluate=False),
        "a banded (Toeplitz) matrix $C$ times $x$",
    )
    q = sp.Symbol("q", integer=True, positive=True)  # the width of every layer
    W1, W2 = sp.MatrixSymbol("W_1", q, q), sp.MatrixSymbol("W_2", q, q)
    v, b1, b2 = (sp.MatrixSymbol(name, q, 1) for name in ("x", "b_1", "b_2"))
    residual = derivation(
        W2 * (v + W1 * v + b1) + b2,
        "lin-conv-residual",
        "A residual block, then a layer, with identity activations",
        dims={q: 3},
    )
    residual.step(
        W2 * ((sp.Identity(q) + W1) * v + b1) + b2,
        "the block is affine: $x + W_1 x + b_1 = (I + W_1) x + b_1$",
    )
    residual.step(
        W2 * W1 * v + W2 * b1 + b2,
        "$W_z = \\prod_i W_i$ over the layers' weights",
        erratum="lin-conv-residual",
    )
    residual.step(
        W2 * (sp.Identity(q) + W1) * v + (W2 * b1 + b2),
        "corrected: $W_z = W_2(I + W_1)$",
    )
    return (convolution, residual)


def _measure_conv_residual() -> NumericEvidence:
    from glmnotes import nn

    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 8))
    C = nn.conv1d_matrix(np.array([0.5, -1.0, 2.0]), 8)  # 6 x 8
    W_res, b_res = rng.normal(size=(6, 6)), rng.normal(size=6)
    W_out, b_out = rng.normal(size=(6, 2)), rng.normal(size=2)

    def network(inputs: np.ndarray, activation: str) -> np.ndarray:
        hidden = inputs @ C.T  # the convolution layer
        hidden = nn.residual_block(hidden, W_res, b_res, activation)
        return hidden @ W_out + b_out

    W_z = C.T @ (np.eye(6) + W_res) @ W_out
    b_z = b_res @ W_out + b_out
    gap = float(np.max(np.abs(network(X, "identity") - (X @ W_z + b_z))))
    X2 = rng.normal(size=X.shape)
    zero = np.zeros_like(X)

    def defect(activation: str) -> float:
        f = lambda inputs: network(inputs, activation)  # noqa: E731
        return float(np.max(np.abs(f(X + X2) + f(zero) - f(X) - f(X2))))

    relu_defect = defect("relu")
    require(relu_defect > 1e-2, "the ReLU network was expected to fail the affine test")
    return NumericEvidence(
        "a 1-D convolution (kernel 0.5, -1, 2) on 8 inputs, a residual block of width 6 and a "
        "dense layer to 2 outputs; 50 random inputs (seed 1)",
        {
            "max |network(x) - (x W_z + b_z)|, identity activations": below(gap, 1e-10),
            "max |f(x + x') + f(0) - f(x) - f(x')|, identity": below(defect("identity"), 1e-10),
            "max |f(x + x') + f(0) - f(x) - f(x')|, ReLU in the block": relu_defect,
        },
    )


CONV_RESIDUAL = Erratum(
    key="lin-conv-residual",
    label="erratum-lin-conv-residual",
    source=SOURCE,
    kind="error",
    quote=(
        "only if we do not use any neural network specific techniques such as "
        "convolution, residuals, etc."
    ),
    problem=(
        r"A convolution is multiplication by a banded matrix and a residual connection "
        r"adds the identity, $x \mapsto x + Wx = (I + W)x$: both are linear, so with "
        r"identity activations the network still collapses to one affine map. Only "
        r"the formula $W_z = \prod_i W_i$ must count the skip connections."
    ),
    correction=(
        r"With linear activations every such network is $W_z x + b_z$; for a residual "
        r"block followed by a layer, $W_z = W_2(I + W_1)$."
    ),
    chapter="linear-networks",
    checked_by="symbolic identities (a 1-D convolution equals a Toeplitz matrix times "
    "$x$; a residual network with matrix symbols) and a numeric computation with "
    "`glmnotes.nn.conv1d_matrix` and `residual_block` (agreement with the collapsed "
    "map, and the affine test).",
    build=_check_conv_residual,
    measure=_measure_conv_residual,
)


def _check_reduced_rank() -> tuple[Derivation, ...]:
    W1, W2 = sp.MatrixSymbol("W_1", 1, 2), sp.MatrixSymbol("W_2", 2, 1)
    W_ols = sp.MatrixSymbol(r"W_{\mathrm{ols}}", 2, 2)
    V1 = sp.MatrixSymbol("V_1", 2, 1)
    W_r = sp.MatrixSymbol("W_r", 2, 2)
    W_ols_value = sp.ImmutableMatrix(sp.diag(2, 1))
    V1_value = sp.ImmutableMatrix([[1], [0]])  # the leading right singular vector of W_ols
    chain = derivation(
        Eq(sp.Determinant(W2 * W1), 0),
        "lin-reduced-rank",
        "A $2 \\to 1 \\to 2$ linear network against the least-squares fit $W_{\\mathrm{ols}} = "
        "\\mathrm{diag}(2, 1)$ (orthonormal inputs)",
        given={
            W1: sp.ImmutableMatrix([sp.symbols("v_1:3", real=True)]),
            W2: sp.ImmutableMatrix(sp.symbols("u_1:3", real=True)),
            W_ols: W_ols_value,
            V1: V1_value,
            W_r: sp.ImmutableMatrix(W_ols_value * V1_value * V1_value.T),  # Eckart-Young
        },
    )
    chain.step(
        Eq(sp.Determinant(W2 * W1), sp.Determinant(W_ols)),
        "the thread: the network reaches $W_{\\mathrm{ols}}$",
        erratum="lin-reduced-rank",
    )
    chain.step(
        Eq(W_r, sp.MatMul(sp.ImmutableMatrix([[2], [0]]), sp.ImmutableMatrix([[1, 0]]))),
        "corrected: the rank-1 fit is reachable",
    )
    chain.step(
        Eq(sp.Trace((W_ols - W_r).T * (W_ols - W_r)), 1),
        "its extra RSS: $\\sigma_2^2 = 1$",
    )
    return (chain,)


def _measure_reduced_rank() -> NumericEvidence:
    from glmnotes import linear, nn

    rng = np.random.default_rng(1)
    n, d, K = 200, 3, 3
    X = rng.normal(size=(n, d))
    Y = X @ rng.normal(size=(d, K)) + 0.1 * rng.normal(size=(n, K))
    rss_ols = linear.residual_sum_of_squares(X, Y, *linear.ordinary_least_squares(X, Y))
    rss_rank1 = linear.residual_sum_of_squares(X, Y, *linear.reduced_rank_regression(X, Y, rank=1))
    results = {}
    for width in (1, 3):
        network = nn.Network([d, width, K], hidden_activation="identity", output="gaussian")
        network.fit(X, Y, epochs=300, batch_size=n, learning_rate=0.1, seed=0)
        W_z, b_z = network.collapse()
        results[width] = (
            linear.residual_sum_of_squares(X, Y, W_z, b_z),
            linear.numerical_rank(W_z),
        )
    require(results[1][1] == 1, "the width-1 network's collapsed map does not have rank 1")
    require(
        abs(results[1][0] - rss_rank1) <= 1e-6 * rss_rank1,
        "the trained width-1 network did not reach the reduced-rank fit",
    )
    require(rss_rank1 > 10 * rss_ols, "the rank-1 fit was expected to be far worse than OLS")
    require(
        abs(results[3][0] - rss_ols) <= 1e-3 * rss_ols,
        "the trained width-3 network did not reach the least-squares fit",
    )
    return NumericEvidence(
        "3 inputs, 3 outputs, 200 points (seed 1); linear networks trained by full-batch "
        "gradient ascent (300 epochs, rate 0.1)",
        {
            "RSS of least squares (OLS)": rss_ols,
            "RSS of reduced-rank regression, rank 1": rss_rank1,
            "RSS of the trained 3-1-3 network": results[1][0],
            "RSS of the trained 3-3-3 network": results[3][0],
            "rank of the 3-1-3 network's W_z": results[1][1],
        },
    )


REDUCED_RANK = Erratum(
    key="lin-reduced-rank",
    label="erratum-lin-reduced-rank",
    source=SOURCE,
    kind="error",
    quote=(
        "you can analytically solve for $W_z$ and $b_z$ using linear regression "
        "techniques, and no longer need gradient descent."
    ),
    problem=(
        r"$W_z = W_n \cdots W_1$ has rank at most the narrowest layer's width $r$. "
        r"When $r$ is smaller than both the input and the output dimension, the "
        r"least-squares matrix is usually out of reach, and the network's best fit is "
        r"not the linear regression."
    ),
    correction=(
        r"A linear network with a layer of width $r$ fits at best the reduced-rank "
        r"regression (Izenman 1975): least squares subject to "
        r"$\operatorname{rank} W_z \le r$, also in closed form (from the SVD of the "
        r"fitted values)."
    ),
    chapter="linear-networks",
    checked_by="an equation chain with symbolic weights ($\\det(W_2 W_1) = 0$ for every "
    "$2 \\to 1 \\to 2$ network) and a numeric computation: 3-1-3 and 3-3-3 linear "
    "networks trained with `glmnotes.nn`, against `glmnotes.linear`'s reduced-rank "
    "and least-squares fits.",
    build=_check_reduced_rank,
    measure=_measure_reduced_rank,
)


#: The small data set of the closed-form check: an intercept and one input, labels 0 and 1
#: that overlap (so the logistic maximum-likelihood estimate exists).
_CLOSED_FORM_X = ((1, 0), (1, 1), (1, 2), (1, 3))
_CLOSED_FORM_Y = (0, 1, 0, 1)


def _check_closed_form_loss() -> tuple[Derivation, ...]:
    X_value = sp.ImmutableMatrix(_CLOSED_FORM_X)
    y_value = sp.ImmutableMatrix(_CLOSED_FORM_Y)
    theta_value = sp.ImmutableMatrix((X_value.T * X_value).inv() * X_value.T * y_value)
    X, y = sp.MatrixSymbol("X", 4, 2), sp.MatrixSymbol("y", 4, 1)
    theta = sp.MatrixSymbol(r"\hat{\theta}", 2, 1)
    fitted = sp.MatrixSymbol(r"\sigma(X\hat{\theta})", 4, 1)
    chain = derivation(
        Eq(X.T * (y - X * theta), sp.ZeroMatrix(2, 1)),
        "lin-closed-form-loss",
        "Four points, an intercept and one input: the least-squares "
        "$\\hat\\theta = (X^\\top X)^{-1} X^\\top y$ and the logistic score",
        given={
            X: X_value,
            y: y_value,
            theta: theta_value,
            fitted: sp.ImmutableMatrix([sigmoid(e) for e in X_value * theta_value]),
        },
    )
    chain.step(
        Eq(X.T * (y - fitted), sp.ZeroMatrix(2, 1)),
        "a sigmoid output: the same closed form solves its score equation",
        erratum="lin-closed-form-loss",
    )
    return (chain,)


def _measure_closed_form_loss() -> NumericEvidence:
    from glmnotes import glm

    X = np.array(_CLOSED_FORM_X, dtype=float)
    y = np.array(_CLOSED_FORM_Y, dtype=float)
    least_squares = np.linalg.solve(X.T @ X, X.T @ y)
    fit = glm.newton_irls("bernoulli", X, y)
    score_ls = float(np.max(np.abs(glm.log_likelihood_gradient("bernoulli", X, y, least_squares))))
    score_mle = float(np.max(np.abs(glm.log_likelihood_gradient("bernoulli", X, y, fit.theta))))
    require(score_ls > 0.05, "the least-squares solution was expected to miss the score's zero")
    require(fit.converged and score_mle < 1e-10, "Newton/IRLS was expected to solve it")
    return NumericEvidence(
        "the four points above; logistic regression fitted by Newton/IRLS (iterative: the "
        "score equation has no closed-form solution)",
        {
            "max |logistic score| at the least-squares theta": score_ls,
            "max |logistic score| at the Newton/IRLS fit": below(score_mle, 1e-10),
            "Newton/IRLS iterations": fit.n_iter,
        },
    )


CLOSED_FORM_LOSS = Erratum(
    key="lin-closed-form-loss",
    label="erratum-lin-closed-form-loss",
    source=SOURCE,
    kind="error",
    quote=("you can analytically solve for $W_z$ and $b_z$ using linear regression techniques"),
    problem=(
        r"A closed form needs the squared-error loss (a Gaussian output). A classifier's "
        r"output is a sigmoid or softmax trained by log-likelihood (cross-entropy): with "
        r"linear hidden layers it collapses to a logistic or softmax regression on "
        r"$W_z x + b_z$, whose score equation $X^\top(y - \sigma(X\theta)) = 0$ has no "
        r"closed-form solution; the least-squares formula does not solve it."
    ),
    correction=(
        r"With squared error, least squares in closed form (subject to the rank bound of a "
        r"narrow layer); with a sigmoid or softmax output, a GLM fitted "
        r"iteratively (Newton/IRLS, or gradient ascent)."
    ),
    chapter="linear-networks",
    checked_by="an equation chain on four points with exact arithmetic: the least-squares "
    "$\\hat\\theta$ solves the normal equations (proved) and not the logistic score "
    "equation (false); and a numeric computation: Newton/IRLS (`glmnotes.glm`) solves "
    "the score equation where the least-squares solution does not.",
    build=_check_closed_form_loss,
    measure=_measure_closed_form_loss,
)


def _check_ols_assumptions() -> tuple[Derivation, ...]:
    X_value = sp.ImmutableMatrix([[1, 0], [1, 1], [1, 2]])
    y_value = sp.ImmutableMatrix(sp.symbols("y_1:4", real=True))
    W_value = sp.ImmutableMatrix(sp.symbols("w_0:2", real=True))
    tau = sp.symbols(r"\tau_1:4", positive=True)
    gram_inverse = (X_value.T * X_value).inv()

    def fit(response: sp.Matrix) -> sp.ImmutableMatrix:
        return sp.ImmutableMatrix(gram_inverse * X_value.T * response)

    # Errors: two independent fair signs u, v; e = (tau_1 u, tau_2 u, tau_3 v): unequal
    # variances (heteroskedastic), e_1 and e_2 correlated, two-point laws (not normal).
    outcomes = [
        sp.ImmutableMatrix([tau[0] * u, tau[1] * u, tau[2] * v]) for u in (-1, 1) for v in (-1, 1)
    ]
    mean_fit = sum((fit(X_value * W_value + e) for e in outcomes), sp.zeros(2, 1)) / 4
    deviations = [fit(X_value * W_value + e) - W_value for e in outcomes]
    variance = sum((dev * dev.T for dev in deviations), sp.zeros(2, 2)) / 4
    Sigma_value = sum((e * e.T for e in outcomes), sp.zeros(3, 3)) / 4

    X, y, W = sp.MatrixSymbol("X", 3, 2), sp.MatrixSymbol("y", 3, 1), sp.MatrixSymbol("W", 2, 1)
    W_hat = sp.MatrixSymbol(r"\hat{W}", 2, 1)
    mean_shown = sp.MatrixSymbol(r"\mathbb{E}[\hat{W}]", 2, 1)
    var_shown = sp.MatrixSymbol(r"\operatorname{Var}[\hat{W}]", 2, 2)
    Sigma = sp.MatrixSymbol(r"\Sigma", 3, 3)
    sigma2 = shown(r"\bar\sigma^2")
    given = {
        X: X_value,
        y: y_value,
        W: W_value,
        W_hat: fit(y_value),
        mean_shown: sp.ImmutableMatrix(mean_fit),
        var_shown: sp.ImmutableMatrix(variance),
        Sigma: sp.ImmutableMatrix(Sigma_value),
        sigma2: sum(t**2 for t in tau) / 3,
    }
    gram = X.T * X
    chain = derivation(
        Eq(X.T * (y - X * W_hat), sp.ZeroMatrix(2, 1)),
        "lin-ols-assumptions",
        "Least squares with errors that break every listed assumption",
        given=given,
    )
    chain.step(
        Eq(mean_shown, W),
        "unbiased under these errors",
    )
    chain.step(
        Eq(var_shown, sigma2 * gram.I),
        "where the assumptions matter: classical variance",
        erratum="lin-ols-assumptions",
    )
    chain.step(
        Eq(var_shown, gram.I * X.T * Sigma * X * gram.I),
        "corrected inference: the sandwich",
    )
    return (chain,)


OLS_ASSUMPTIONS = Erratum(
    key="lin-ols-assumptions",
    label="erratum-lin-ols-assumptions",
    source=SOURCE,
    kind="error",
    quote=(
        "you need to check for the OLS data assumptions, such as making sure the "
        "regressors have no collinearity, the residuals have no heteroskedasticity, "
        "there's no auto-regression, and that the errors are roughly normally distributed"
    ),
    problem=(
        r"None of these is needed to compute the least-squares fit: it solves the "
        r"normal equations for every $y$, and it stays unbiased when the errors are "
        r"heteroskedastic, correlated and far from normal. (Collinear regressors make "
        r"the coefficients non-unique, not the fitted values.) The conditions are needed "
        r"for inference: the classical variance $\bar\sigma^2 (X^\top X)^{-1}$, standard "
        r"errors and tests. A network trained on squared error inherits the same "
        r"dependence, universal approximator or not."
    ),
    correction=(
        r"Fit by least squares (minimum-norm if collinear); for inference under "
        r"heteroskedastic errors use the sandwich "
        r"$(X^\top X)^{-1} X^\top \Sigma X (X^\top X)^{-1}$ (e.g. HC0/HC1 standard errors)."
    ),
    chapter="linear-networks",
    checked_by="an equation chain with exact expectations over a discrete error law "
    "(four equally likely outcomes); the step marked false is the classical variance, "
    "where the thread's conditions belong.",
    build=_check_ols_assumptions,
)


def _check_nonlinear_techniques() -> tuple[Derivation, ...]:
    k = sp.symbols("k_0:3", real=True)
    w = sp.symbols("w_1:4", real=True)
    b1 = sp.symbols("b_1:4", real=True)
    b2 = sp.Symbol("c", real=True)
    C = sp.Matrix(3, 3, lambda i, j: k[j - i + 1] if abs(j - i) <= 1 else 0)  # 'same' padding

    def linear_network(point: sp.Matrix) -> sp.Expr:
        hidden = point + C * point + sp.Matrix(b1)  # convolution with a residual connection
        return (sp.Matrix([w]) * hidden)[0, 0] + b2

    def relu_network(point: sp.Matrix) -> sp.Expr:
        return _relu(point[0]) + _relu(-point[0])  # two ReLU units, output weights 1 and 1

    e1, origin = sp.Matrix([1, 0, 0]), sp.Matrix([0, 0, 0])

    def second_difference(f: Callable[[sp.Matrix], sp.Expr]) -> sp.Expr:
        return f(e1) + f(-e1) - 2 * f(origin)

    shown_linear = shown(r"\Delta f_{\text{conv+res}}")
    shown_relu = shown(r"\Delta f_{\text{ReLU}}")
    shown_target = shown(r"\Delta |x_1|")
    chain = derivation(
        Eq(shown_linear, 0),
        "lin-nonlinear-techniques",
        "Second differences $\\Delta f = f(e_1) + f(-e_1) - 2 f(0)$",
        given={
            shown_linear: second_difference(linear_network),
            shown_relu: second_difference(relu_network),
            shown_target: second_difference(lambda point: sp.Abs(point[0])),
        },
    )
    chain.step(
        Eq(shown_target, 0),
        "the thread: such a network learns $|x_1|$",
        erratum="lin-nonlinear-techniques",
    )
    chain.step(Eq(shown_relu, shown_target), "corrected: two ReLU units")
    t = sp.Symbol("t", real=True)
    chain.step(Eq(_relu(t) + _relu(-t), sp.Abs(t)), "$\\max(0, t) + \\max(0, -t) = |t|$")
    return (chain,)


NONLINEAR_TECHNIQUES = Erratum(
    key="lin-nonlinear-techniques",
    label="erratum-lin-nonlinear-techniques",
    source=SOURCE,
    kind="error",
    quote=(
        "The neural network specific techniques, such as ReLu, convolutions, "
        "residuals, etc., is what allows the network to learn non-linear relationships"
    ),
    problem=(
        r"Of the three, only the ReLU is non-linear. A network made of convolutions and "
        r"residual connections with identity activations is affine, so it cannot learn "
        r"a non-linear relationship such as $y = |x_1|$: the second difference "
        r"$f(e_1) + f(-e_1) - 2f(0)$ of an affine map is 0, that of $|x_1|$ is 2."
    ),
    correction=(
        r"The nonlinearity comes from the activation: two ReLU units represent "
        r"$|x_1| = \max(0, x_1) + \max(0, -x_1)$ exactly."
    ),
    chapter="linear-networks",
    checked_by="an equation chain with symbolic weights (3 inputs, a 'same' "
    "convolution, a residual connection, a linear output).",
    build=_check_nonlinear_techniques,
)


def _check_ordered_product() -> tuple[Derivation, ...]:
    # The commenter's widths 2 -> 3 -> 2 -> 1, as symbols: proved for every shape.
    m = sp.symbols("m_0:4", integer=True, positive=True)
    x = sp.MatrixSymbol("x", m[0], 1)
    W1, W2, W3 = (sp.MatrixSymbol(f"W_{k}", m[k], m[k - 1]) for k in (1, 2, 3))
    b1, b2, b3 = (sp.MatrixSymbol(f"b_{k}", m[k], 1) for k in (1, 2, 3))
    W_z, b_z = sp.MatrixSymbol("W_z", m[3], m[0]), sp.MatrixSymbol("b_z", m[3], 1)
    collapse = derivation(
        W3 * (W2 * (W1 * x + b1) + b2) + b3,
        "lin-ordered-product",
        "Three linear layers collapse, with the product taken in layer order",
        given={W_z: W3 * W2 * W1, b_z: W3 * W2 * b1 + W3 * b2 + b3},
        dims={m[0]: 2, m[1]: 3, m[2]: 2, m[3]: 1},
    )
    collapse.step(W3 * W2 * W1 * x + W3 * W2 * b1 + W3 * b2 + b3, "distribute")
    collapse.step(W_z * x + b_z, "name the ordered product $W_z$ and the bias $b_z$")
    return (collapse,)


def _measure_ordered_product() -> NumericEvidence:
    W1, W2, W3 = (sp.MatrixSymbol(f"W_{i}", 2, 2) for i in (1, 2, 3))
    verdict = check_equal(W3 * W2 * W1, W1 * W2 * W3, seed="lin-ordered-product")
    require(
        verdict.kind is VerdictKind.FAILED, "W_3 W_2 W_1 was expected to differ from W_1 W_2 W_3"
    )
    c = verdict.counterexample
    require(c is not None, "check_equal found no point where the two orders differ")
    return NumericEvidence(
        "the other order is a different matrix: check_equal on random 2x2 matrices "
        f"W_1, W_2, W_3, entry {c.entry} of each product",
        {
            "W_3 W_2 W_1 = W_1 W_2 W_3 ?": "false",
            "W_3 W_2 W_1": f"{float(c.left):.6g}",
            "W_1 W_2 W_3": f"{float(c.right):.6g}",
        },
    )


ORDERED_PRODUCT = Erratum(
    key="lin-ordered-product",
    label="erratum-lin-odd-but-true",
    source=SOURCE,
    kind="odd but true",
    quote=r"where $W_z = \displaystyle \prod_i W_i$ is a weight matrix",
    problem=(
        r"Matrix products do not commute, so $\prod_i W_i$ does not say in which order "
        r"the factors go."
    ),
    correction=(
        r"With the ordered product $W_z = W_n W_{n-1} \cdots W_1$ (as in the thread's own "
        r"chain of equalities) the collapse holds."
    ),
    chapter="linear-networks",
    checked_by="an expression chain with matrix symbols of any shape (three layers), and a "
    "numeric check that $W_3 W_2 W_1 \\ne W_1 W_2 W_3$.",
    build=_check_ordered_product,
    measure=_measure_ordered_product,
)


def _check_straight_line() -> tuple[Derivation, ...]:
    theta = sp.symbols(r"\theta_0:3", real=True)
    x1, x2 = sp.symbols("x_1 x_2", real=True)
    boundary = derivation(
        sigmoid(theta[0] + theta[1] * x1 + theta[2] * x2),
        "lin-straight-line",
        "The decision boundary of a linear classifier",
        domain={theta[2]: (HALF, 3)},
        given={x2: -(theta[0] + theta[1] * x1) / theta[2]},
    )
    boundary.step(
        HALF,
        "on the line $\\theta^\\top x = 0$",
    )
    return (boundary,)


STRAIGHT_LINE = Erratum(
    key="lin-straight-line",
    label="erratum-lin-odd-but-true",
    source=SOURCE,
    kind="odd but true",
    quote=(
        "So it can only separate points on a plane which can be separated by a "
        "straight line drawn on that plane."
    ),
    problem=(
        "Linear regression fits values; it does not separate points. The sentence "
        "describes a linear classifier."
    ),
    correction=(
        r"For a classifier built on a linear predictor, such as logistic regression, it "
        r"holds: the boundary $\sigma(\theta^\top x) = 1/2$ is the straight line "
        r"$\theta^\top x = 0$."
    ),
    chapter="linear-networks",
    checked_by="an expression chain: the predicted probability on the line is 1/2.",
    build=_check_straight_line,
)


def _check_polynomial() -> tuple[Derivation, ...]:
    x = sp.Symbol("x", real=True)
    theta = sp.symbols(r"\theta_0:3", real=True)
    model = theta[0] + theta[1] * x + theta[2] * x**2
    features = shown(r"(1, x, x^2)\,\theta")
    hessian = shown(r"\nabla^2_\theta f")
    chain = derivation(
        Eq(model, features),
        "lin-polynomial",
        "Polynomial regression is linear in its parameters",
        given={
            features: (sp.ImmutableMatrix([[1, x, x**2]]) * sp.ImmutableMatrix(theta))[0, 0],
            hessian: sp.ImmutableMatrix(
                3, 3, lambda i, j: sp.Derivative(model, theta[i], theta[j])
            ),
        },
    )
    chain.step(Eq(hessian, sp.ZeroMatrix(3, 3)), "no curvature in $\\theta$: a linear model")
    return (chain,)


def _measure_polynomial() -> NumericEvidence:
    from glmnotes import linear

    rng = np.random.default_rng(2)
    x = rng.uniform(-2, 2, size=100)
    y = 1 - x + 0.5 * x**2 + 0.1 * rng.normal(size=100)
    W, b = linear.ordinary_least_squares(np.column_stack([x, x**2]), y)
    ours = np.array([b, W[0], W[1]])
    numpy_fit = np.polyfit(x, y, 2)[::-1]
    gap = float(np.max(np.abs(ours - numpy_fit)))
    return NumericEvidence(
        "100 points (seed 2): least squares on the features (x, x^2) against numpy.polyfit",
        {"max |coefficient difference|": below(gap, 1e-10)},
    )


POLYNOMIAL = Erratum(
    key="lin-polynomial",
    label="erratum-lin-odd-but-true",
    source=SOURCE,
    kind="odd but true",
    quote=(
        "linear regression and polynomial regression aren't - strictly speaking - the same thing"
    ),
    problem=("It suggests that polynomial regression goes beyond linear regression."),
    correction=(
        r"Polynomial regression is linear regression on the features $x, x^2, \dots$: "
        r"the model is linear in $\theta$. So it is not the same thing only in the sense "
        r"that it is a special case."
    ),
    chapter="linear-networks",
    checked_by="an equation chain (the model is a row of features times $\\theta$; its "
    "Hessian in $\\theta$ is 0) and a numeric comparison of `glmnotes.linear` least "
    "squares on $(x, x^2)$ with `numpy.polyfit`.",
    build=_check_polynomial,
    measure=_measure_polynomial,
)


#: The entries of this note in catalogue order: errors, then odd-but-true slips, each in the
#: note's order.
ENTRIES = (
    CONV_RESIDUAL,
    REDUCED_RANK,
    CLOSED_FORM_LOSS,
    OLS_ASSUMPTIONS,
    NONLINEAR_TECHNIQUES,
    ORDERED_PRODUCT,
    STRAIGHT_LINE,
    POLYNOMIAL,
)
