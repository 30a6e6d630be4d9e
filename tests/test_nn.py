"""Tests for glmnotes.nn against finite differences, the autodiff engine, statsmodels,
scikit-learn, scipy and PyTorch."""

import math
import warnings

import mpmath
import numpy as np
import pytest
import scipy.special
import scipy.stats
import statsmodels.api as sm
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from sklearn.metrics import log_loss

from glmnotes.autodiff import Value
from glmnotes.datasets import load_digits_split
from glmnotes.links import log_softmax, sigmoid, softmax
from glmnotes.nn import (
    Network,
    accuracy,
    activate,
    conv1d_matrix,
    one_hot,
    residual_block,
)

OUTPUT_UNITS = {"bernoulli": 1, "multinomial": 3, "gaussian": 2}


def make_data(net: Network, n: int, seed: int):
    """Random inputs and targets that fit the network's output."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, net.layer_sizes[0]))
    if net.output == "bernoulli":
        y = rng.integers(0, 2, size=n)
    elif net.output == "multinomial":
        y = rng.integers(0, net.n_outputs, size=n)
    else:
        y = rng.normal(size=(n, net.n_outputs))
    return X, y


def finite_difference_gradient(net: Network, X, y, h=1e-4):
    """Fourth-order central differences of the log-likelihood in every parameter."""
    theta = net.flat_parameters()
    grad = np.empty_like(theta)
    for i in range(theta.size):

        def ll_at(step, i=i):
            shifted = theta.copy()
            shifted[i] += step
            net.set_flat_parameters(shifted)
            return net.log_likelihood(X, y)

        grad[i] = (-ll_at(2 * h) + 8 * ll_at(h) - 8 * ll_at(-h) + ll_at(-2 * h)) / (12 * h)
    net.set_flat_parameters(theta)
    return grad


def relative_error(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b))


# ---- gradients --------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    hidden=st.lists(st.integers(1, 4), min_size=0, max_size=2),
    activation=st.sampled_from(["identity", "sigmoid", "tanh", "relu"]),
    output=st.sampled_from(["bernoulli", "multinomial", "gaussian"]),
    seed=st.integers(0, 10_000),
)
def test_gradients_match_fourth_order_finite_differences(hidden, activation, output, seed):
    net = Network([3, *hidden, OUTPUT_UNITS[output]], activation, output, seed=seed)
    rng = np.random.default_rng(seed)
    for layer in range(len(net.b)):  # non-zero biases, so their gradients are exercised
        net.b[layer] = rng.normal(size=net.b[layer].shape)
    X, y = make_data(net, 7, seed)
    if activation == "relu" and hidden:  # keep away from the kinks, where no derivative exists
        A, _ = net.forward_pass(X)
        assume(min(np.min(np.abs(a)) for a in A[:-1]) > 1e-2)
    grad = net.flat_gradient(X, y)
    reference = finite_difference_gradient(net, X, y)
    assert relative_error(grad, reference) < 1e-7


def _value_log_likelihood(W, b, X, y, output, activation):
    """The log-likelihood built from scalar autodiff Values, one unit at a time."""
    ll = Value(0.0)
    for x_row, y_row in zip(X, y, strict=True):
        h = list(x_row)
        for layer, (W_l, b_l) in enumerate(zip(W, b, strict=True)):
            a = [sum((h[i] * W_l[i][j] for i in range(len(h))), b_l[j]) for j in range(len(b_l))]
            h = a if layer == len(W) - 1 else [getattr(a_j, activation)() for a_j in a]
        eta = h
        if output == "bernoulli":
            ll = ll + y_row * eta[0] - (1 + eta[0].exp()).log()
        else:
            ll = ll + eta[int(y_row)] - sum(e.exp() for e in eta).log()
    return ll


@pytest.mark.parametrize(
    "sizes, activation, output",
    [([2, 3, 1], "sigmoid", "bernoulli"), ([3, 2, 2, 3], "tanh", "multinomial")],
)
def test_gradients_match_the_autodiff_engine(sizes, activation, output):
    net = Network(sizes, activation, output, seed=3)
    rng = np.random.default_rng(3)
    net.b = [rng.normal(size=b.shape) for b in net.b]
    X, y = make_data(net, 5, seed=4)
    W = [[[Value(w) for w in row] for row in W_l] for W_l in net.W]
    b = [[Value(v) for v in b_l] for b_l in net.b]
    ll = _value_log_likelihood(W, b, X, y, output, activation)
    ll.backward()
    assert ll.data == pytest.approx(net.log_likelihood(X, y), rel=1e-13)
    for (dW, db), W_l, b_l in zip(net.gradients(X, y), W, b, strict=True):
        np.testing.assert_allclose(dW, [[w.grad for w in row] for row in W_l], rtol=1e-12)
        np.testing.assert_allclose(db, [v.grad for v in b_l], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("output", ["bernoulli", "multinomial", "gaussian"])
@pytest.mark.parametrize("activation", ["identity", "sigmoid", "tanh", "relu"])
def test_gradients_match_pytorch(activation, output):
    torch = pytest.importorskip(
        "torch", reason="PyTorch not installed: pip install torch==2.13.0 to run the oracle test"
    )
    net = Network([5, 6, 4, OUTPUT_UNITS[output]], activation, output, seed=11)
    rng = np.random.default_rng(12)
    net.b = [rng.normal(size=b.shape) for b in net.b]
    X, y = make_data(net, 20, seed=13)
    params = [
        torch.tensor(p, dtype=torch.float64, requires_grad=True)
        for W, b in zip(net.W, net.b, strict=True)
        for p in (W, b)
    ]
    act = {
        "identity": lambda a: a,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
    }[activation]
    h = torch.from_numpy(X)
    for layer in range(3):
        a = h @ params[2 * layer] + params[2 * layer + 1]
        h = a if layer == 2 else act(a)
    eta, F = h, torch.nn.functional
    if output == "bernoulli":
        target = torch.from_numpy(y.astype(np.float64))
        ll = -F.binary_cross_entropy_with_logits(eta[:, 0], target, reduction="sum")
    elif output == "multinomial":
        ll = -F.cross_entropy(eta, torch.from_numpy(y), reduction="sum")
    else:
        ll = -0.5 * ((torch.from_numpy(y) - eta) ** 2).sum() - 0.5 * y.size * math.log(2 * math.pi)
    ll.backward()
    assert net.log_likelihood(X, y) == pytest.approx(ll.item(), rel=1e-12)
    ours = [g for pair in net.gradients(X, y) for g in pair]
    for g, p in zip(ours, params, strict=True):
        np.testing.assert_allclose(g, p.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_output_layer_gradient_is_the_logistic_regression_score():
    net = Network([4, 5, 1], "tanh", "bernoulli", seed=5)
    X, y = make_data(net, 30, seed=6)
    _, H = net.forward_pass(X)
    h_last = H[-1]
    dW, db = net.gradients(X, y)[-1]
    # the GLM score of a logistic regression of y on the last hidden features (with intercept)
    features = np.column_stack([h_last, np.ones(len(y))])
    params = np.append(net.W[-1][:, 0], net.b[-1][0])
    score = sm.Logit(y, features).score(params)
    np.testing.assert_allclose(np.append(dW[:, 0], db), score, rtol=1e-12)
    yhat = scipy.special.expit(features @ params)  # score = sum_i (y_i - yhat_i) h_i
    np.testing.assert_allclose(dW[:, 0], h_last.T @ (y - yhat), rtol=1e-12)


def test_no_hidden_layer_is_logistic_regression():
    net = Network([3, 1], output="bernoulli", seed=7)
    net.b[0][:] = 0.4
    X, y = make_data(net, 40, seed=8)
    logit = sm.Logit(y, np.column_stack([X, np.ones(40)]))
    params = np.append(net.W[0][:, 0], net.b[0])
    assert net.log_likelihood(X, y) == pytest.approx(logit.loglike(params), rel=1e-13)
    np.testing.assert_allclose(net.flat_gradient(X, y), logit.score(params), rtol=1e-12)


def test_log_likelihood_against_scipy_and_sklearn():
    net = Network([3, 4, 3], "relu", "multinomial", seed=9)
    X, y = make_data(net, 25, seed=10)
    probabilities = net.forward(X)
    expected = -log_loss(y, probabilities, labels=[0, 1, 2], normalize=False)
    assert net.log_likelihood(X, y) == pytest.approx(expected, rel=1e-12)
    net = Network([3, 4, 2], "sigmoid", "gaussian", seed=9)
    X, y = make_data(net, 25, seed=10)
    expected = scipy.stats.norm.logpdf(y, loc=net.forward(X), scale=1.0).sum()
    assert net.log_likelihood(X, y) == pytest.approx(expected, rel=1e-13)
    assert net.loss(X, y) == pytest.approx(-expected / 25, rel=1e-13)


@settings(max_examples=40, deadline=None)
@given(
    w=st.floats(-1e4, 1e4, allow_nan=False),
    label=st.integers(0, 1),
)
@example(w=9.0, label=1)  # 9 - log(1 + e^9) lost 3e-12 relative to cancellation
def test_bernoulli_log_likelihood_at_extreme_eta(w, label):
    net = Network([1, 1], output="bernoulli")
    net.W[0][:] = w
    X, y = np.array([[1.0]]), np.array([label])
    with mpmath.workdps(50):  # y w - log(1 + e^w), without its cancellation at y = 1
        expected = float(-mpmath.log1p(mpmath.exp(-w if label == 1 else w)))
    assert net.log_likelihood(X, y) == pytest.approx(expected, rel=1e-12, abs=1e-300)
    grad = net.flat_gradient(X, y)
    assert np.all(np.isfinite(grad))
    assert grad[0] == pytest.approx(float(label - 1 / (1 + mpmath.exp(-w))), abs=1e-15)


@settings(max_examples=40, deadline=None)
@given(scale=st.floats(1.0, 1e4), seed=st.integers(0, 1000))
@example(scale=5071.0, seed=52)  # log(1 + 6e-5) lost 4e-12 relative before log1p
@example(scale=2383.0, seed=230)  # log p = -9.7e-38
def test_multinomial_log_likelihood_at_extreme_eta(scale, seed):
    net = Network([2, 3], output="multinomial", seed=seed)
    net.W[0] *= scale
    X, y = make_data(net, 4, seed)
    eta = X @ net.W[0]
    # log p = (eta_y - m) - log(1 + sum_{j != top} e^{eta_j - m}), in 50 digits. The direct
    # eta_y - log(sum e^eta) would need far more: log p can be 1e-37 next to eta near 200.
    with mpmath.workdps(50):
        expected = 0.0
        for row, label in zip(eta, y, strict=True):
            top = int(np.argmax(row))
            shifted = [mpmath.mpf(e) - mpmath.mpf(row[top]) for e in row]
            rest = mpmath.fsum(mpmath.exp(v) for j, v in enumerate(shifted) if j != top)
            expected += float(shifted[label] - mpmath.log1p(rest))
    assert net.log_likelihood(X, y) == pytest.approx(expected, rel=1e-12, abs=1e-300)
    assert np.all(np.isfinite(net.flat_gradient(X, y)))
    assert np.all(np.isfinite(net.forward(X)))


# ---- training ---------------------------------------------------------------------------------

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_y = np.array([0, 1, 1, 0])


def test_logistic_regression_cannot_fit_xor():
    net = Network([2, 1], output="bernoulli", seed=0)
    history = net.fit(XOR_X, XOR_y, epochs=2000, batch_size=4, learning_rate=1.0).history_
    assert accuracy(XOR_y, net.predict(XOR_X)) <= 0.75
    assert history["loss"][-1] > 0.69  # stuck at log 2: the best a linear model can do


def test_one_hidden_layer_fits_xor():
    net = Network([2, 3, 1], "sigmoid", "bernoulli", seed=0)
    history = net.fit(XOR_X, XOR_y, epochs=2000, batch_size=4, learning_rate=2.0, seed=0).history_
    assert accuracy(XOR_y, net.predict(XOR_X)) == 1.0
    assert history["accuracy"][-1] == 1.0 and history["loss"][-1] < 0.05
    assert len(history["loss"]) == 2000


def test_softmax_regression_on_digits():
    X_train, X_test, y_train, y_test = load_digits_split(test_size=0.25, seed=0)
    net = Network([64, 10], output="multinomial", seed=0)
    history = net.fit(
        X_train, y_train, epochs=20, batch_size=32, learning_rate=0.5, seed=0
    ).history_
    assert accuracy(y_test, net.predict(X_test)) > 0.9
    assert history["loss"][-1] < history["loss"][0]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_one_full_batch_epoch_is_one_gradient_step(dtype):
    net = Network([4, 6, 3], "tanh", "multinomial", seed=1, dtype=dtype)
    X, y = make_data(net, 16, seed=2)
    grads = Network([4, 6, 3], "tanh", "multinomial", seed=1, dtype=np.float64).gradients(X, y)
    before = [
        (W.astype(np.float64), b.astype(np.float64)) for W, b in zip(net.W, net.b, strict=True)
    ]
    net.fit(X, y, epochs=1, batch_size=16, learning_rate=0.3)
    tol = 1e-12 if dtype == np.float64 else 1e-5
    for (W0, b0), (dW, db), W1, b1 in zip(before, grads, net.W, net.b, strict=True):
        assert W1.dtype == dtype
        np.testing.assert_allclose(W1, W0 + 0.3 * dW / 16, rtol=tol, atol=tol)
        np.testing.assert_allclose(b1, b0 + 0.3 * db / 16, rtol=tol, atol=tol)


def test_fit_is_reproducible_and_float32_follows_float64():
    X, y = load_digits_split(seed=1)[0::2]
    histories = []
    for dtype in (np.float64, np.float64, np.float32):
        net = Network([64, 16, 10], "relu", "multinomial", seed=2, dtype=dtype)
        histories.append(net.fit(X, y, epochs=3, batch_size=50, learning_rate=0.2, seed=3).history_)
    assert histories[0] == histories[1]
    np.testing.assert_allclose(histories[2]["loss"], histories[0]["loss"], rtol=1e-4)


def test_gaussian_network_fits_a_linear_target():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3
    net = Network([3, 1], output="gaussian", seed=0)
    history = net.fit(X, y, epochs=200, batch_size=200, learning_rate=0.5).history_
    ols = np.linalg.lstsq(np.column_stack([X, np.ones(200)]), y, rcond=None)[0]
    np.testing.assert_allclose(np.append(net.W[0][:, 0], net.b[0]), ols, atol=1e-6)
    assert "accuracy" not in history
    assert net.predict(X).shape == (200,)


# ---- linear networks ------------------------------------------------------------------------


@pytest.mark.parametrize("sizes", [[3, 2], [3, 5, 2], [3, 4, 6, 2, 2]])
@pytest.mark.parametrize("output", ["multinomial", "gaussian"])
def test_collapse_reproduces_an_identity_network(sizes, output):
    net = Network(sizes, "identity", output, seed=4)
    rng = np.random.default_rng(5)
    net.b = [rng.normal(size=b.shape) for b in net.b]
    X = rng.normal(size=(10, sizes[0]))
    W_z, b_z = net.collapse()
    assert W_z.shape == (sizes[0], sizes[-1])
    np.testing.assert_allclose(X @ W_z + b_z, net.eta(X), rtol=1e-12, atol=1e-12)
    mean = softmax(X @ W_z + b_z) if output == "multinomial" else X @ W_z + b_z
    np.testing.assert_allclose(mean, net.forward(X), rtol=1e-12, atol=1e-12)
    # the notes' column-vector formula: W_z = W_L ... W_1 (transposed here)
    product = np.eye(sizes[0])
    for W in net.W:
        product = product @ W
    np.testing.assert_allclose(W_z, product, rtol=1e-12)


def test_collapse_refuses_a_nonlinear_network():
    with pytest.raises(ValueError, match="identity hidden activations"):
        Network([3, 4, 1], "relu").collapse()


def test_conv1d_matrix_is_a_cross_correlation():
    rng = np.random.default_rng(0)
    x, kernel = rng.normal(size=9), rng.normal(size=3)
    C = conv1d_matrix(kernel, 9)
    assert C.shape == (7, 9)
    np.testing.assert_allclose(C @ x, np.correlate(x, kernel, mode="valid"), rtol=1e-13)
    np.testing.assert_allclose(C @ x, np.convolve(x, kernel[::-1], mode="valid"), rtol=1e-13)
    # as the weight of an identity layer, a convolution collapses like any other linear layer
    net = Network([9, 7, 2], "identity", "gaussian")
    net.W[0] = C.T.copy()
    np.testing.assert_allclose(net.collapse()[0], C.T @ net.W[1], rtol=1e-13)


def test_residual_block_is_linear_only_with_the_identity():
    rng = np.random.default_rng(1)
    X, W, b = rng.normal(size=(6, 4)), rng.normal(size=(4, 4)), rng.normal(size=4)
    np.testing.assert_allclose(residual_block(X, W, b), X @ (np.eye(4) + W) + b, rtol=1e-13)
    H = residual_block(X, W, b, activation="relu")
    np.testing.assert_allclose(H, X + np.maximum(X @ W + b, 0), rtol=1e-13)
    f = lambda Z: residual_block(Z, W, b, "relu") - residual_block(0 * Z, W, b, "relu")  # noqa: E731
    assert not np.allclose(f(X) + f(-X), 0)  # an affine map would give f(X) + f(-X) = 0
    with pytest.raises(ValueError, match="square W"):
        residual_block(X, W[:, :3], b)


# ---- helpers ------------------------------------------------------------------------------


def test_helpers_against_scipy():
    eta = np.array([[1000.0, -1000.0, 0.0], [1.0, 2.0, 3.0], [-800.0, -801.0, -799.0]])
    np.testing.assert_allclose(softmax(eta), scipy.special.softmax(eta, axis=1), rtol=1e-14)
    np.testing.assert_allclose(log_softmax(eta), scipy.special.log_softmax(eta, axis=1), rtol=1e-14)
    z = np.array([-800.0, -40.0, 0.0, 40.0, 800.0])
    np.testing.assert_allclose(sigmoid(z), scipy.special.expit(z), rtol=4 * np.finfo(float).eps)
    assert sigmoid(z)[1] > 0  # relative accuracy in the tail: 4.2e-18, not 0
    labels = np.array([2, 0, 1, 2])
    np.testing.assert_array_equal(one_hot(labels, 3), np.eye(3)[labels])
    assert accuracy(labels, np.array([2, 0, 0, 0])) == 0.5


def test_hidden_sigmoid_is_finite_and_close_to_expit():
    a = np.linspace(-1000, 1000, 20001)
    for dtype in (np.float64, np.float32):
        h = activate("sigmoid", a.astype(dtype))
        assert h.dtype == dtype and np.all(np.isfinite(h))
        eps = np.finfo(dtype).eps
        np.testing.assert_allclose(h, scipy.special.expit(a), rtol=0, atol=2 * eps)


# ---- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Network([3]), "at least two positive integers"),
        (lambda: Network([3, 0, 1]), "at least two positive integers"),
        (lambda: Network([3, 2.5, 1]), "at least two positive integers"),
        (lambda: Network([3, 2], output="bernoulli"), "one unit"),
        (lambda: Network([3, 1], output="multinomial"), "at least 2 units"),
        (lambda: Network([3, 1], hidden_activation="softsign"), "unknown hidden_activation"),
        (lambda: Network([3, 1], output="poisson"), "unknown output"),
        (lambda: Network([3, 1], dtype=np.int32), "dtype"),
    ],
)
def test_bad_network_specification(make, message):
    with pytest.raises(ValueError, match=message):
        make()


MULTI = Network([4, 3, 10], output="multinomial")
BERN = Network([4, 3, 1], output="bernoulli")
GAUSS = Network([4, 2], output="gaussian")
X4 = np.ones((5, 4))


@pytest.mark.parametrize(
    "net, X, y, message",
    [
        (MULTI, np.ones((5, 3)), np.zeros(5), r"shape \(n, 4\)"),
        (MULTI, np.ones(4), np.zeros(1), r"shape \(n, 4\)"),
        (MULTI, np.full((5, 4), np.nan), np.zeros(5), "NaN"),
        (MULTI, X4, np.zeros(4), "5 class labels"),
        (MULTI, X4, np.array([0, 1, 2, 3, 10]), "label 10"),
        (MULTI, X4, np.array([0, 1, 2, 3, -1]), "label -1"),
        (MULTI, X4, np.array([0, 1, 2, 3, 1.5]), "non-integer"),
        (MULTI, X4, np.array([0, 1, 2, 3, np.nan]), "NaN"),
        (MULTI, X4, np.eye(10)[:5], "not one-hot"),
        (BERN, X4, np.array([0, 1, 2, 0, 1]), "label 2"),
        (BERN, X4, np.array([0, 1, 0.5, 0, 1]), "non-integer"),
        (GAUSS, X4, np.zeros(5), r"\(5, 2\)"),
        (GAUSS, X4, np.full((5, 2), np.inf), "finite"),
    ],
)
def test_bad_data(net, X, y, message):
    for method in (net.log_likelihood, net.gradients, net.fit):
        with pytest.raises(ValueError, match=message):
            method(X, y)


def test_other_bad_arguments():
    X, y = np.ones((5, 4)), np.zeros(5, dtype=int)
    with pytest.raises(ValueError, match="theta must have shape"):
        BERN.set_flat_parameters(np.zeros(3))
    with pytest.raises(ValueError, match="finite"):
        BERN.set_flat_parameters(np.full(BERN.flat_parameters().size, np.nan))
    with pytest.raises(ValueError, match="learning_rate"):
        BERN.fit(X, y, learning_rate=-1.0)
    with pytest.raises(ValueError, match="batch_size"):
        BERN.fit(X, y, batch_size=0)
    with pytest.raises(ValueError, match="learning_rate must be a finite number"):
        BERN.sgd_epoch(X, y, batch_size=2, learning_rate=np.nan)
    with pytest.raises(ValueError, match="epochs"):
        BERN.fit(X, y, epochs=-1)
    with pytest.raises(ValueError, match="kernel length"):
        conv1d_matrix([1.0, 2.0, 3.0], 2)
    with pytest.raises(ValueError, match="NaN"):
        conv1d_matrix([1.0, np.nan], 5)
    with pytest.raises(ValueError, match="label 3"):
        one_hot(np.array([0, 3]), 3)
    with pytest.raises(ValueError, match="same length"):
        accuracy(np.zeros(3), np.zeros(4))
    with pytest.raises(FloatingPointError, match="learning_rate"):
        Network([4, 2], output="gaussian").fit(X * 1e150, np.zeros((5, 2)), learning_rate=10.0)


def test_divergent_training_raises_without_leaking_numpy_warnings():
    # A bottleneck net at a too-large step size (as met in the linear-networks chapter): the
    # divergence must surface as one FloatingPointError, not as RuntimeWarnings on stderr first.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 6))
    Y = X @ rng.normal(size=(6, 4)) * 50
    net = Network([6, 8, 2, 8, 4], hidden_activation="identity", output="gaussian", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(FloatingPointError, match="learning_rate"):
            net.fit(X, Y, epochs=5, batch_size=200, learning_rate=0.1)


# ---- the log-likelihood on autodiff Values, at given parameters, and held-out curves --------


@pytest.mark.parametrize(
    "sizes, activation, output",
    [
        ([3, 4, 4, 4, 1], "sigmoid", "bernoulli"),
        ([2, 3, 1], "relu", "bernoulli"),
        ([2, 3, 3, 2], "tanh", "gaussian"),
        ([2, 2], "identity", "gaussian"),
    ],
)
def test_log_likelihood_on_values_is_an_independent_backpropagation(sizes, activation, output):
    from glmnotes.autodiff import gradient

    net = Network(sizes, activation, output, seed=21)
    rng = np.random.default_rng(22)
    net.b = [rng.normal(size=b.shape) for b in net.b]
    X, y = make_data(net, 6, seed=23)
    value, grad = gradient(lambda t: net.log_likelihood_on_values(t, X, y), net.flat_parameters())
    assert value == pytest.approx(net.log_likelihood(X, y), rel=1e-13)
    np.testing.assert_allclose(grad, net.flat_gradient(X, y), rtol=1e-11, atol=1e-13)
    if output == "bernoulli":  # the tests' own scalar version agrees as well
        W = [[[Value(w) for w in row] for row in W_l] for W_l in net.W]
        b = [[Value(v) for v in b_l] for b_l in net.b]
        assert _value_log_likelihood(W, b, X, y, output, activation).data == pytest.approx(
            value, rel=1e-13
        )


def test_log_likelihood_on_values_against_pytorch_on_a_four_layer_network():
    torch = pytest.importorskip("torch")
    from glmnotes.autodiff import gradient

    net = Network([3, 4, 4, 4, 1], "sigmoid", "bernoulli", seed=31)
    X, y = make_data(net, 8, seed=32)
    _, grad = gradient(lambda t: net.log_likelihood_on_values(t, X, y), net.flat_parameters())
    theta = torch.tensor(net.flat_parameters(), dtype=torch.float64, requires_grad=True)
    h, start = torch.from_numpy(X), 0
    for layer, W in enumerate(net.W):
        n_in, n_out = W.shape
        W_t = theta[start : start + W.size].reshape(n_in, n_out)
        b_t = theta[start + W.size : start + W.size + n_out]
        start += W.size + n_out
        a = h @ W_t + b_t
        h = torch.sigmoid(a) if layer < len(net.W) - 1 else a
    target = torch.from_numpy(y.astype(np.float64))
    F = torch.nn.functional
    (-F.binary_cross_entropy_with_logits(h[:, 0], target, reduction="sum")).backward()
    np.testing.assert_allclose(grad, theta.grad.numpy(), rtol=1e-11, atol=1e-13)


def test_log_likelihood_at_leaves_the_network_alone():
    net = Network([2, 3, 1], "tanh", "bernoulli", seed=41)
    X, y = make_data(net, 10, seed=42)
    before = net.flat_parameters()
    theta = before + 0.1
    value = net.log_likelihood_at(theta, X, y)
    np.testing.assert_array_equal(net.flat_parameters(), before)
    other = Network([2, 3, 1], "tanh", "bernoulli")
    other.set_flat_parameters(theta)
    assert value == other.log_likelihood(X, y)


def test_log_likelihood_on_values_refuses_what_it_cannot_do():
    net = Network([2, 3], output="multinomial")
    X, y = make_data(net, 4, seed=1)
    with pytest.raises(ValueError, match="bernoulli and gaussian"):
        net.log_likelihood_on_values(net.flat_parameters(), X, y)
    net = Network([2, 1])
    X, y = make_data(net, 4, seed=1)
    with pytest.raises(ValueError, match="parameters"):
        net.log_likelihood_on_values(net.flat_parameters()[:-1], X, y)


def test_fit_records_held_out_curves():
    X, X_test, y, y_test = load_digits_split(test_size=0.25, seed=0)
    net = Network([64, 10], output="multinomial", seed=0)
    assert (
        net.fit(X, y, epochs=3, batch_size=64, learning_rate=0.3, held_out=(X_test, y_test)) is net
    )
    history = net.history_
    assert set(history) == {"loss", "accuracy", "held-out loss", "held-out accuracy"}
    assert all(len(values) == 3 for values in history.values())
    assert history["held-out loss"][-1] == pytest.approx(net.loss(X_test, y_test), rel=1e-12)
    assert history["held-out accuracy"][-1] == accuracy(y_test, net.predict(X_test))
    # the held-out data are not trained on: the same seed gives the same training path
    again = Network([64, 10], output="multinomial", seed=0)
    again.fit(X, y, epochs=3, batch_size=64, learning_rate=0.3)
    assert again.history_["loss"] == history["loss"]
    gaussian = Network([2, 1], hidden_activation="identity", output="gaussian")
    Xg, yg = make_data(gaussian, 10, seed=2)
    curves = gaussian.fit(Xg, yg, epochs=2, held_out=(Xg, yg)).history_
    assert set(curves) == {"loss", "held-out loss"}
    with pytest.raises(ValueError, match="pair"):
        net.fit(X, y, epochs=1, held_out=X_test)


def test_flat_parameters_are_not_scikit_learns_hyper_parameters():
    net = Network([2, 3, 1], "tanh", "bernoulli", seed=4)
    assert not hasattr(net, "set_params") and not hasattr(net, "params")
    theta = np.arange(net.flat_parameters().size, dtype=float)
    net.set_flat_parameters(theta)
    np.testing.assert_array_equal(net.W[0].ravel(), theta[:6])
    np.testing.assert_array_equal(net.b[1], theta[-1:])
    np.testing.assert_array_equal(net.flat_parameters(), theta)


def test_fit_returns_the_network_with_its_history():
    net = Network([2, 1], output="bernoulli", seed=0)
    assert not hasattr(net, "history_")  # a fitted attribute: there only after fit
    assert net.fit(XOR_X, XOR_y, epochs=4, batch_size=4) is net
    assert set(net.history_) == {"loss", "accuracy"} and len(net.history_["loss"]) == 4
    assert net.history_["loss"][-1] == pytest.approx(net.loss(XOR_X, XOR_y), rel=1e-12)
