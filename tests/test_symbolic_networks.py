"""Tests for glmnotes.symbolic_networks: the sympy networks of the derivations agree with the
vectorised networks of glmnotes.nn, with finite differences and (where installed) PyTorch;
defined quantities display by name and check by definition."""

import numpy as np
import pytest
import sympy as sp
from scipy.special import expit

from glmnotes.autodiff import numerical_gradient
from glmnotes.nn import Network
from glmnotes.notation import partial
from glmnotes.symbolic_networks import (
    backward_recursion,
    collapsed_coefficients,
    defined,
    frobenius_squared,
    logistic_network,
    matrix_product,
    matrix_sum,
    symbol_matrix,
    unfolded,
    written_out_network,
)
from glmnotes.verify import Derivation, VerdictKind, check_equal

t, u = sp.symbols("t u", real=True)


# ---- defined quantities ------------------------------------------------------------------


def test_a_defined_quantity_shows_its_name_and_checks_its_definition():
    inner = defined("g", sp.exp(t) + 1)
    outer = defined(r"\hat{g}", sp.log(inner))
    assert sp.latex(outer) == r"\hat{g}" and str(outer) == "hatg"
    assert unfolded(outer) == sp.log(sp.exp(t) + 1)  # nested definitions unfolded
    assert outer.doit() == sp.log(sp.exp(t) + 1)
    assert sp.simplify(sp.diff(outer, t) - sp.exp(t) / (sp.exp(t) + 1)) == 0
    assert float(outer.evalf(subs={t: 0.5})) == pytest.approx(np.log(np.exp(0.5) + 1))
    # the checker unfolds it: a true step is proved, a false one has a counterexample
    assert check_equal(sp.Derivative(outer, t), 1 - 1 / (1 + sp.exp(t))).holds
    wrong = check_equal(sp.Derivative(outer, t), 1 / (1 + sp.exp(t)))
    assert wrong.kind is VerdictKind.FAILED


def test_a_defined_matrix_and_bad_names():
    M = defined("M", sp.Matrix([[t, 1], [0, t]]))
    assert check_equal(M, sp.Matrix([[t, 1], [0, t]])).holds
    with pytest.raises(ValueError, match="LaTeX"):
        defined(" ", t)


# ---- one hidden layer, every weight a symbol ------------------------------------------------


def numeric_values(symbolic, net, x_row, label):
    """The symbols of ``symbolic`` at the parameters of ``net`` and one data point."""
    values = dict(zip(symbolic.parameters.values(), net.flat_parameters(), strict=True))
    values.update({symbolic.x[i]: x_row[i - 1] for i in symbolic.inputs})
    values[symbolic.y] = label
    return values


def test_the_logistic_network_is_the_network_of_glmnotes_nn():
    symbolic = logistic_network(n_inputs=3, n_hidden=2)
    net = Network([3, 2, 1], hidden_activation="sigmoid", output="bernoulli", seed=4)
    rng = np.random.default_rng(4)
    net.b = [rng.normal(size=b.shape) for b in net.b]
    x_row, label = rng.normal(size=3), 1
    values = numeric_values(symbolic, net, x_row, label)
    yhat = float(unfolded(symbolic.given[symbolic.yhat]).subs(values))
    assert yhat == pytest.approx(net.forward(x_row[None, :])[0], rel=1e-13)
    # every total derivative is the component of Network's gradient, in params() order
    totals = [
        float(unfolded(symbolic.given[partial(r"\ell", name)]).doit().subs(values))
        for name in symbolic.parameters
    ]
    np.testing.assert_allclose(
        totals, net.flat_gradient(x_row[None, :], np.array([label])), rtol=1e-12
    )


def test_local_derivatives_are_one_unit_in_one_argument_at_the_network_values():
    symbolic = logistic_network()
    net = Network([2, 2, 1], hidden_activation="sigmoid", output="bernoulli", seed=2)
    x_row = np.array([0.3, -1.1])
    values = numeric_values(symbolic, net, x_row, 0)
    h = expit(x_row @ net.W[0] + net.b[0])
    yhat = expit(h @ net.W[1][:, 0] + net.b[1][0])

    def local(f, v):
        return float(unfolded(symbolic.given[partial(f, v)]).doit().subs(values))

    theta_y = net.W[1][:, 0]
    assert local(r"\hat{y}", "h_1") == pytest.approx(yhat * (1 - yhat) * theta_y[0])
    assert local(r"\hat{y}", r"\theta^{(y)}_{2}") == pytest.approx(yhat * (1 - yhat) * h[1])
    assert local("h_2", r"\theta^{(h)}_{12}") == pytest.approx(h[1] * (1 - h[1]) * x_row[0])
    assert local(r"\ell", r"\hat{y}") == pytest.approx(-1 / (1 - yhat))  # label 0
    delta_1 = float(unfolded(symbolic.given[symbolic.delta[1]]).subs(values))
    assert delta_1 == pytest.approx((0 - yhat) * theta_y[0] * h[0] * (1 - h[0]))


def test_given_for_holds_the_units_and_the_names_asked_for():
    symbolic = logistic_network()
    name = partial(r"\ell", "b^{(y)}")
    given = symbolic.given_for(name)
    assert list(given) == [symbolic.yhat, symbolic.h[1], symbolic.h[2], name]
    d = Derivation(name, given=given, domain={symbolic.y: (0, 1)}, label="t-given")
    d.step(symbolic.y - symbolic.yhat, "output bias")
    assert d.steps[0].verdict.holds
    with pytest.raises(ValueError, match="no definition"):
        symbolic.given_for(sp.Symbol("nope"))
    with pytest.raises(ValueError, match="n_hidden"):
        logistic_network(n_hidden=0)


# ---- any depth, every weight a symbol -------------------------------------------------------


def logistic(eta):
    return sp.Symbol("y", real=True) * eta - sp.log(1 + sp.exp(eta))


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_written_out_network_gradients_agree_at_numbers(depth):
    """sympy's derivatives and the recursion, at random parameters, with tanh and a logistic
    output, against glmnotes.nn and finite differences."""
    written = written_out_network(depth, width=2, n_inputs=2, phi=sp.tanh, output=logistic)
    rng = np.random.default_rng(depth)
    theta = rng.normal(size=len(written.parameters()))
    x_row, label = rng.normal(size=2), 1
    values = dict(zip(written.parameters(), theta, strict=True))
    values.update(dict(zip(written.x, x_row, strict=True)))
    values[sp.Symbol("y", real=True)] = label
    by_sympy = np.array(written.gradient_by_sympy().doit().subs(values), dtype=float)[:, 0]
    by_recursion = np.array(written.gradient_by_backpropagation().doit().subs(values), dtype=float)[
        :, 0
    ]
    net = Network([2, *([2] * (depth - 1)), 1], hidden_activation="tanh", output="bernoulli")
    net.set_flat_parameters(theta)
    by_network = net.flat_gradient(x_row[None, :], np.array([label]))
    np.testing.assert_allclose(by_sympy, by_network, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(by_recursion, by_network, rtol=1e-11, atol=1e-13)
    by_differences = numerical_gradient(
        lambda p: net.log_likelihood_at(p, x_row[None, :], np.array([label])), theta
    )
    np.testing.assert_allclose(by_recursion, by_differences, rtol=1e-6, atol=1e-8)


def test_written_out_network_with_arbitrary_functions_is_proved_for_small_depths():
    for depth in (1, 2, 3):
        written = written_out_network(depth, width=2, n_inputs=1)
        verdict = check_equal(
            written.gradient_by_sympy([1]), written.gradient_by_backpropagation([1])
        )
        assert verdict.kind is VerdictKind.PROVED, (depth, verdict.describe())
    # a wrong recursion is caught: the slope of the hidden layer left out
    written = written_out_network(2, width=2, n_inputs=1, phi=sp.tanh, output=logistic)
    no_slope = backward_recursion(
        sp.Matrix([[written.output_delta]]),
        written.weights,
        written.pre_activations,
        lambda a: 1,
    )
    wrong = sp.Matrix([*(written.x.T * no_slope[0]), *no_slope[0]])
    verdict = check_equal(
        written.gradient_by_sympy([1]), wrong, domain={sp.Symbol("y", real=True): (0, 1)}
    )
    assert verdict.kind is VerdictKind.FAILED


def test_written_out_network_against_pytorch():
    torch = pytest.importorskip("torch")
    written = written_out_network(3, width=2, n_inputs=2, phi=sp.tanh, output=logistic)
    rng = np.random.default_rng(11)
    theta = rng.normal(size=len(written.parameters()))
    x_row = rng.normal(size=2)
    values = dict(zip(written.parameters(), theta, strict=True))
    values.update(dict(zip(written.x, x_row, strict=True)))
    values[sp.Symbol("y", real=True)] = 0
    by_recursion = np.array(written.gradient_by_backpropagation().doit().subs(values), dtype=float)[
        :, 0
    ]
    t_theta = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    h, start = torch.tensor(x_row[None, :], dtype=torch.float64), 0
    for layer, W in enumerate(written.weights):
        rows, columns = W.shape
        W_t = t_theta[start : start + rows * columns].reshape(rows, columns)
        start += rows * columns
        b_t = t_theta[start : start + columns]
        start += columns
        a = h @ W_t + b_t
        h = torch.tanh(a) if layer < written.depth - 1 else a
    eta = h[0, 0]
    (0 * eta - torch.nn.functional.softplus(eta)).backward()
    np.testing.assert_allclose(by_recursion, t_theta.grad.numpy(), rtol=1e-11, atol=1e-13)


def test_written_out_network_refuses_bad_sizes():
    with pytest.raises(ValueError, match="depth"):
        written_out_network(0)
    with pytest.raises(ValueError, match="width"):
        written_out_network(2, width=9)
    with pytest.raises(ValueError, match="layers must be"):
        written_out_network(2).parameters([3])
    with pytest.raises(ValueError, match="pre-activations"):
        backward_recursion(sp.Matrix([[1]]), [sp.eye(1)], [sp.eye(1)], lambda a: a)


# ---- explicit matrices ----------------------------------------------------------------------


def test_collapsed_coefficients_are_the_collapse_of_glmnotes_nn():
    A, a0 = symbol_matrix("a", 3, 2), symbol_matrix("a", 3, 1, bias=True)
    C, c0 = symbol_matrix("c", 2, 3), symbol_matrix("c", 2, 1, bias=True)
    v, v0 = symbol_matrix("v", 1, 2), symbol_matrix("v", 1, 1, bias=True)
    intercept, slopes = collapsed_coefficients([A, C, v], [a0, c0, v0])
    net = Network([2, 3, 2, 1], hidden_activation="identity", output="gaussian", seed=5)
    net.b = [np.random.default_rng(5).normal(size=b.shape) for b in net.b]
    values = {}
    for M, numbers in zip(
        (A, a0, C, c0, v, v0),
        (net.W[0].T, net.b[0], net.W[1].T, net.b[1], net.W[2].T, net.b[2]),
        strict=True,
    ):
        values.update(zip(M, np.ravel(numbers), strict=True))
    W_z, b_z = net.collapse()
    assert float(intercept.subs(values)) == pytest.approx(b_z[0], rel=1e-13)
    np.testing.assert_allclose([float(s.subs(values)) for s in slopes], W_z[:, 0], rtol=1e-13)
    with pytest.raises(ValueError, match="one output"):
        collapsed_coefficients([A], [a0])


def test_products_and_sums_are_kept_as_written():
    A, B = symbol_matrix("a", 2, 2), symbol_matrix("b", 2, 2)
    product, total = matrix_product(A, B), matrix_sum(A, B)
    assert isinstance(product, sp.MatMul) and isinstance(total, sp.MatAdd)
    assert product.doit() == A * B and total.doit() == A + B
    numbers = np.arange(1.0, 5.0).reshape(2, 2)
    norm = frobenius_squared(sp.Matrix(numbers))
    assert float(norm.doit()) == pytest.approx(np.sum(numbers**2))
    assert "a_{11}" in sp.latex(A) and "a_{10}" in sp.latex(symbol_matrix("a", 2, 1, bias=True))


def test_the_layer_differential_is_proved_and_needs_the_slope():
    from glmnotes.symbolic_networks import layer_differential
    from glmnotes.verify import VerdictKind, check_equal

    d = layer_differential()
    assert d.start_verdict.kind is VerdictKind.PROVED
    # without the slope the line is not proved (phi is undefined, so no point can be sampled)
    left, right = d.start.lhs, d.start.rhs
    (derivative, weights) = right.args[0].args[1], right.args[1]
    wrong = sp.MatMul(derivative, weights, evaluate=False)
    assert not check_equal(left, wrong, given=d.given).holds  # undefined phi: not sampled
