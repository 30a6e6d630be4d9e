r"""Vectorised networks of stacked units, fitted by maximum likelihood.

A network is a stack of layers. With rows as data points (so a batch ``X`` has shape
``n x d``) layer :math:`l` computes

.. math::
    A_l = H_{l-1} W_l + b_l, \qquad H_l = \phi(A_l), \qquad H_0 = X,

with weights ``W[l]`` of shape (inputs x outputs) and an activation :math:`\phi` (identity,
sigmoid, tanh or relu). The last layer has no activation: its pre-activation is the natural
parameter :math:`\eta = A_L`, and the output unit is a GLM on the last hidden features with the
canonical link:

- bernoulli: :math:`\hat y = \sigma(\eta)`, :math:`\log p = y\eta - \log(1 + e^{\eta})`;
- multinomial: :math:`\hat y = \mathrm{softmax}(\eta)`,
  :math:`\log p = \eta_y - \log\sum_k e^{\eta_k}`;
- gaussian (variance 1): :math:`\hat y = \eta`,
  :math:`\log p = -\tfrac12\lVert y-\eta\rVert^2 - \tfrac K2\log 2\pi`.

Because the link is canonical, the derivative of the log-likelihood with respect to
:math:`\eta` is the GLM score :math:`Y - \hat Y` in all three cases; backpropagation carries it
down the stack (see :meth:`Network.gradients`). Deep learning is then maximum likelihood:
:meth:`Network.fit` climbs the log-likelihood by minibatch stochastic gradient ascent.

The module also has what the chapter on linear networks needs: :meth:`Network.collapse`
(identity activations collapse to one affine map), :func:`conv1d_matrix` (a convolution is a
matrix) and :func:`residual_block`.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Real

import numpy as np

from glmnotes.links import log_softmax, sigmoid, softmax, softplus

__all__ = [
    "ACTIVATIONS",
    "OUTPUTS",
    "Network",
    "accuracy",
    "activate",
    "activation_derivative",
    "conv1d_matrix",
    "one_hot",
    "residual_block",
]

ACTIVATIONS = ("identity", "sigmoid", "tanh", "relu")
OUTPUTS = ("bernoulli", "multinomial", "gaussian")


# ---- elementwise pieces ----------------------------------------------------------------------
# sigmoid, softplus, softmax and log_softmax live in glmnotes.links (one home each).


def one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """The ``n x n_classes`` indicator matrix with a 1 in column ``labels[i]`` of row ``i``."""
    labels = _check_labels(labels, n_classes, "labels")
    out = np.zeros((labels.size, n_classes))
    out[np.arange(labels.size), labels] = 1.0
    return out


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """The fraction of positions where ``y_pred`` equals ``y_true``."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1 or y_true.size == 0:
        raise ValueError(
            f"accuracy needs two non-empty 1-D arrays of the same length, got shapes "
            f"{y_true.shape} and {y_pred.shape}."
        )
    return float(np.mean(y_true == y_pred))


def activate(name: str, a: np.ndarray) -> np.ndarray:
    r"""The hidden activation :math:`\phi(a)`: identity :math:`a`, sigmoid
    :math:`\sigma(a) = 1/(1 + e^{-a})` (:func:`glmnotes.links.sigmoid`, which cannot overflow
    and keeps the argument's dtype), :math:`\tanh a`, or relu :math:`\max(a, 0)`.
    """
    if name == "identity":
        return a
    if name == "sigmoid":
        return sigmoid(a)
    if name == "tanh":
        return np.tanh(a)
    if name == "relu":
        return np.maximum(a, 0)
    raise ValueError(f"unknown activation {name!r}; choose one of {ACTIVATIONS}.")


def activation_derivative(name: str, a: np.ndarray, h: np.ndarray) -> np.ndarray:
    r"""The derivative :math:`\phi'(a)`, from ``a`` and the activation ``h`` :math:`=\phi(a)`:
    1 (identity), :math:`\sigma'(a) = h(1-h)` (sigmoid), :math:`1 - h^2` (tanh),
    :math:`[a > 0]` (relu; 0 at the kink, as in PyTorch).

    Like :func:`activate` these are accurate in absolute terms, which is what backpropagation
    needs: :math:`\phi'` multiplies :math:`O(1)` terms that are then summed.
    """
    if name == "identity":
        return np.ones_like(a)
    if name == "sigmoid":
        return h * (1 - h)
    if name == "tanh":
        return 1 - h * h
    if name == "relu":
        return (a > 0).astype(a.dtype)
    raise ValueError(f"unknown activation {name!r}; choose one of {ACTIVATIONS}.")


# ---- the network -----------------------------------------------------------------------------


class Network:
    r"""A feed-forward network whose output unit is a GLM on the last hidden features.

    Parameters
    ----------
    layer_sizes
        ``[inputs, hidden_1, ..., hidden_m, outputs]``; ``[d, 1]`` with a Bernoulli output is
        logistic regression, ``[d, K]`` with a multinomial output is softmax regression.
    hidden_activation
        One of ``"identity"``, ``"sigmoid"``, ``"tanh"``, ``"relu"``.
    output
        ``"bernoulli"`` (one output unit, labels 0/1), ``"multinomial"`` (``K >= 2`` units,
        labels ``0..K-1``) or ``"gaussian"`` (``K`` units, real targets, variance 1).
    seed
        Seed of the initialisation: ``W[l]`` has independent :math:`N(0, 2/(n_{in}+n_{out}))`
        entries (Glorot; :math:`N(0, 2/n_{in})`, He, for relu) and ``b[l] = 0``. The weights are
        drawn in float64 and then cast, so both dtypes start from the same network.
    dtype
        ``np.float64`` (gradient checks) or ``np.float32`` (faster training).

    Attributes
    ----------
    W, b
        Lists of the weights (shape inputs x outputs) and biases of the layers. The formulas
        number layers :math:`1, \dots, L`; the lists are 0-based: ``W[0]`` is :math:`W_1`.
    history_
        Set by :meth:`fit`: the losses (and accuracies) of the last call, one per epoch.
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        hidden_activation: str = "sigmoid",
        output: str = "bernoulli",
        seed: int = 0,
        dtype=np.float64,
    ) -> None:
        sizes = list(layer_sizes)
        if len(sizes) < 2 or not all(
            isinstance(s, int | np.integer) and not isinstance(s, bool) and s >= 1 for s in sizes
        ):
            raise ValueError(
                f"layer_sizes must list at least two positive integers [inputs, ..., outputs], "
                f"got {layer_sizes!r}."
            )
        if hidden_activation not in ACTIVATIONS:
            raise ValueError(
                f"unknown hidden_activation {hidden_activation!r}; choose one of {ACTIVATIONS}."
            )
        if output not in OUTPUTS:
            raise ValueError(f"unknown output {output!r}; choose one of {OUTPUTS}.")
        if output == "bernoulli" and sizes[-1] != 1:
            raise ValueError(
                f"a bernoulli output has one unit, but layer_sizes ends in {sizes[-1]}; use "
                "layer_sizes[-1] = 1, or output='multinomial' for several classes."
            )
        if output == "multinomial" and sizes[-1] < 2:
            raise ValueError(
                "a multinomial output needs at least 2 units (one per class); for two classes "
                "output='bernoulli' with one unit is the same model."
            )
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be np.float32 or np.float64, got {dtype}.")
        self.layer_sizes = [int(s) for s in sizes]
        self.hidden_activation = hidden_activation
        self.output = output
        self.dtype = dtype
        rng = np.random.default_rng(seed)
        self.W: list[np.ndarray] = []
        self.b: list[np.ndarray] = []
        for n_in, n_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:], strict=True):
            variance = 2.0 / n_in if hidden_activation == "relu" else 2.0 / (n_in + n_out)
            self.W.append(rng.normal(0.0, np.sqrt(variance), size=(n_in, n_out)).astype(dtype))
            self.b.append(np.zeros(n_out, dtype=dtype))

    def __repr__(self) -> str:
        return (
            f"Network({self.layer_sizes}, hidden_activation={self.hidden_activation!r}, "
            f"output={self.output!r}, dtype=np.{self.dtype.name})"
        )

    @property
    def n_outputs(self) -> int:
        return self.layer_sizes[-1]

    # ---- forward --------------------------------------------------------------------------

    def forward_pass(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        r"""All layers for a batch: ``(A, H)`` with ``A[l-1]`` :math:`= A_l = H_{l-1} W_l + b_l`
        for the layers :math:`l = 1, \dots, L` (so ``A[-1]`` is :math:`\eta`), ``H[0] = X`` and
        ``H[l]`` :math:`= H_l = \phi(A_l)` for the hidden layers."""
        return self._forward_pass(self._check_X(X))

    def _forward_pass(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        A, H = [], [X]
        for layer, (W, b) in enumerate(zip(self.W, self.b, strict=True)):
            a = H[-1] @ W  # A_l = H_{l-1} W_l + b_l
            a += b
            A.append(a)
            if layer < len(self.W) - 1:
                H.append(activate(self.hidden_activation, a))  # H_l = phi(A_l)
        return A, H

    def eta(self, X: np.ndarray) -> np.ndarray:
        r"""The output pre-activation :math:`\eta` (natural parameter), shape ``n x K``."""
        return self.forward_pass(X)[0][-1]

    def forward(self, X: np.ndarray) -> np.ndarray:
        r"""The output mean :math:`\hat y`: :math:`\sigma(\eta)`, :math:`\mathrm{softmax}(\eta)`
        or :math:`\eta`. Shape ``(n,)`` for a single output unit, else ``n x K``."""
        return self._squeeze(self._mean(self.eta(X)))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class labels (``eta >= 0`` for bernoulli, ``argmax eta`` for multinomial), or the
        mean for a gaussian output."""
        eta = self.eta(X)
        if self.output == "bernoulli":
            return (eta[:, 0] >= 0).astype(np.int64)
        if self.output == "multinomial":
            return eta.argmax(axis=1)
        return self._squeeze(eta)

    def _mean(self, eta: np.ndarray) -> np.ndarray:
        if self.output == "bernoulli":
            return sigmoid(eta)
        if self.output == "multinomial":
            return softmax(eta)
        return eta

    def _squeeze(self, values: np.ndarray) -> np.ndarray:
        return values[:, 0] if self.n_outputs == 1 else values

    # ---- likelihood and its gradient ------------------------------------------------------

    def log_likelihood(self, X: np.ndarray, y: np.ndarray) -> float:
        r"""The log-likelihood :math:`LL(\theta) = \sum_i \log p(y_i \mid x_i, \theta)` of the
        whole data set, computed from :math:`\eta` (softplus / logsumexp, no log of a rounded
        probability):

        - bernoulli: :math:`\sum_i y_i\eta_i - \log(1+e^{\eta_i})`,
        - multinomial: :math:`\sum_i \eta_{i,y_i} - \log\sum_k e^{\eta_{ik}}`,
        - gaussian: :math:`-\tfrac12\sum_{i,k}(y_{ik}-\eta_{ik})^2 - \tfrac{nK}{2}\log 2\pi`.
        """
        X = self._check_X(X)
        y = self._check_y(y, X.shape[0])
        eta = self._forward_pass(X)[0][-1].astype(np.float64)
        return self._log_likelihood_from_eta(eta, y)

    def _log_likelihood_from_eta(self, eta: np.ndarray, y: np.ndarray) -> float:
        if self.output == "bernoulli":
            eta = eta[:, 0]
            # y eta - log(1 + e^eta) is -log(1 + e^-eta) at y = 1 and -log(1 + e^eta) at y = 0;
            # written so, a confident correct prediction does not cancel (9 - 9.0001234).
            return float(-np.sum(softplus(np.where(y == 1, -eta, eta))))
        if self.output == "multinomial":
            return float(np.sum(log_softmax(eta)[np.arange(eta.shape[0]), y]))
        residual = y.reshape(eta.shape) - eta
        return float(-0.5 * np.sum(residual**2) - 0.5 * residual.size * np.log(2 * np.pi))

    def loss(self, X: np.ndarray, y: np.ndarray) -> float:
        """The mean negative log-likelihood :math:`-LL/n` (cross-entropy for classifiers)."""
        return -self.log_likelihood(X, y) / np.shape(X)[0]

    def gradients(self, X: np.ndarray, y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        r"""The gradient of the log-likelihood :math:`LL` (a sum over rows, the direction of
        *ascent*) as a list of ``(dW[l], db[l])`` by backpropagation.

        Forward and backward, side by side (:math:`\odot` is the elementwise product):

        .. math::
            \begin{aligned}
            A_l &= H_{l-1} W_l + b_l      &\qquad \Delta_L &= Y - \hat Y
                                            \quad (= \partial LL / \partial \eta,
                                            \text{ the GLM score}) \\
            H_l &= \phi(A_l)              &\qquad \partial LL/\partial W_l &= H_{l-1}^\top
                                            \Delta_l, \quad \partial LL/\partial b_l
                                            = \mathbf 1^\top \Delta_l \\
            \eta &= A_L                    &\qquad \Delta_{l-1} &= (\Delta_l W_l^\top)
                                            \odot \phi'(A_{l-1})
            \end{aligned}

        With no hidden layer this is the GLM score :math:`X^\top (y - \hat y)`. The negative
        mean log-likelihood (what deep-learning libraries minimise) has gradient
        ``-dW / n``.
        """
        X = self._check_X(X)
        y = self._check_y(y, X.shape[0])
        return self._gradients(X, y)

    def _gradients(self, X: np.ndarray, y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        return self._backprop(X, y, step=None)

    def _backprop(self, X: np.ndarray, y: np.ndarray, step: float | None):
        r"""Backpropagation on validated arrays. With ``step=None`` return the gradients
        ``[(dW, db), ...]`` of :math:`LL`; with a number, instead apply the ascent step
        :math:`\theta \leftarrow \theta + \text{step}\,\nabla LL` layer by layer, without
        keeping the gradients, and return ``[]``."""
        A, H = self._forward_pass(X)
        delta = self._output_delta(A[-1], y)  # Delta_L = Y - Yhat
        grads = []
        for layer in range(len(self.W) - 1, -1, -1):
            delta_below = None
            if layer > 0:  # Delta_{l-1} = (Delta_l W_l^T) * phi'(A_{l-1}), W_l not yet updated
                delta_below = delta @ self.W[layer].T
                delta_below *= activation_derivative(self.hidden_activation, A[layer - 1], H[layer])
            if step is None:  # dLL/dW_l = H_{l-1}^T Delta_l,  dLL/db_l = 1^T Delta_l
                grads.append((H[layer].T @ delta, delta.sum(axis=0)))
            else:  # the same, times step, added in place (step folded into the small Delta_l)
                scaled_delta = step * delta
                self.W[layer] += H[layer].T @ scaled_delta
                self.b[layer] += scaled_delta.sum(axis=0)
            delta = delta_below
        return grads[::-1]

    def _output_delta(self, eta: np.ndarray, y: np.ndarray) -> np.ndarray:
        r""":math:`\Delta_L = Y - \hat Y`: :math:`y - \sigma(\eta)` (bernoulli),
        :math:`-\mathrm{softmax}(\eta)` plus 1 at each row's label (multinomial), or
        :math:`Y - \eta` (gaussian, written over the buffer ``eta``)."""
        if self.output == "bernoulli":
            delta = -sigmoid(eta)
            delta[:, 0] += y
            return delta
        if self.output == "multinomial":
            delta = -softmax(eta)
            delta[np.arange(delta.shape[0]), y] += 1
            return delta
        delta = np.subtract(y.reshape(eta.shape), eta, out=eta)
        return delta

    # ---- parameters as one flat vector (for gradient checks) -------------------------------

    def flat_parameters(self) -> np.ndarray:
        """All parameters as one vector ``[W[0].ravel(), b[0], W[1].ravel(), b[1], ...]`` (a
        copy; not scikit-learn's ``get_params``, which returns hyper-parameters)."""
        return np.concatenate(
            [p for W, b in zip(self.W, self.b, strict=True) for p in (W.ravel(), b)]
        )

    def set_flat_parameters(self, theta: np.ndarray) -> None:
        """Set all parameters from one vector laid out as :meth:`flat_parameters` returns it
        (not scikit-learn's ``set_params``, which sets hyper-parameters)."""
        theta = np.asarray(theta, dtype=np.float64)
        n_params = sum(W.size + b.size for W, b in zip(self.W, self.b, strict=True))
        if theta.shape != (n_params,):
            raise ValueError(f"theta must have shape ({n_params},), got {theta.shape}.")
        if not np.all(np.isfinite(theta)):
            raise ValueError("theta contains NaN or inf; parameters must be finite.")
        start = 0
        for layer, W in enumerate(self.W):
            self.W[layer] = theta[start : start + W.size].reshape(W.shape).astype(self.dtype)
            start += W.size
            self.b[layer] = theta[start : start + W.shape[1]].astype(self.dtype)
            start += W.shape[1]

    def flat_gradient(self, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """:meth:`gradients` flattened in the layout of :meth:`flat_parameters`."""
        return np.concatenate([p for dW, db in self.gradients(X, y) for p in (dW.ravel(), db)])

    def log_likelihood_at(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
        """The log-likelihood with the parameters ``theta`` (laid out as
        :meth:`flat_parameters` returns them), leaving the network's own parameters unchanged:
        a function of ``theta`` alone, for finite differences."""
        probe = Network(self.layer_sizes, self.hidden_activation, self.output, dtype=np.float64)
        probe.set_flat_parameters(theta)
        return probe.log_likelihood(X, y)

    def log_likelihood_on_values(self, theta: Sequence, X: np.ndarray, y: np.ndarray):
        r"""The log-likelihood written with :class:`glmnotes.autodiff.Value` nodes, one scalar
        operation at a time, in the parameters ``theta`` (a sequence of Values laid out as
        :meth:`flat_parameters`; plain numbers are accepted too). It shares no code with
        :meth:`gradients`: ``glmnotes.autodiff.gradient(lambda t:
        net.log_likelihood_on_values(t, X, y), net.flat_parameters())`` is an independent check of
        backpropagation. Hidden layers use the engine's ``sigmoid``, ``tanh``, ``relu`` or
        the identity; the output is Bernoulli (:math:`y\eta - \log(1 + e^\eta)`) or Gaussian
        (:math:`-\tfrac12 (y - \eta)^2 - \tfrac12\log 2\pi`, per output), one scalar
        at a time. Meant for small networks and data sets (a graph node per operation).
        """
        from glmnotes.autodiff import Value

        if self.output == "multinomial":
            raise ValueError("log_likelihood_on_values supports bernoulli and gaussian outputs")
        X = self._check_X(X)
        y = self._check_y(y, X.shape[0]).reshape(X.shape[0], -1)
        n_params = sum(W.size + b.size for W, b in zip(self.W, self.b, strict=True))
        if len(theta) != n_params:
            raise ValueError(f"theta must hold {n_params} parameters, got {len(theta)}.")
        values = [t if isinstance(t, Value) else Value(float(t)) for t in theta]
        layers, start = [], 0
        for W in self.W:
            n_in, n_out = W.shape
            weights = [values[start + i * n_out : start + (i + 1) * n_out] for i in range(n_in)]
            start += W.size
            layers.append((weights, values[start : start + n_out]))
            start += n_out
        activation = {
            "identity": lambda v: v,
            "sigmoid": Value.sigmoid,
            "tanh": Value.tanh,
            "relu": Value.relu,
        }[self.hidden_activation]
        total = Value(0.0)
        for row, target in zip(X, y, strict=True):
            units = [float(v) for v in row]
            for depth, (weights, biases) in enumerate(layers):
                pre = [
                    sum((units[i] * weights[i][j] for i in range(len(units))), biases[j])
                    for j in range(len(biases))
                ]
                units = pre if depth == len(layers) - 1 else [activation(a) for a in pre]
            for eta, label in zip(units, target, strict=True):
                if self.output == "bernoulli":  # y eta - log(1 + e^eta)
                    total = total + float(label) * eta - (1 + eta.exp()).log()
                else:
                    total = total - 0.5 * (float(label) - eta) ** 2 - 0.5 * np.log(2 * np.pi)
        return total

    # ---- training ---------------------------------------------------------------------------

    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        epochs: int = 10,
        batch_size: int = 32,
        learning_rate: float = 0.1,
        seed: int = 0,
        held_out: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> Network:
        r"""Minibatch stochastic gradient ascent on the log-likelihood.

        Each epoch visits the rows in a fresh random order, in batches :math:`B` of
        ``batch_size`` rows, and steps
        :math:`\theta \leftarrow \theta + \alpha\, \nabla LL_B(\theta) / |B|`
        (ascent on the batch's mean log-likelihood, which is descent on the cross-entropy).

        Returns the network itself (as scikit-learn's ``fit`` does) and keeps this call's
        history in the fitted attribute ``history_``, a dict of lists with one entry per epoch:
        ``"loss"``, the mean negative log-likelihood of the whole training set, and for
        classifiers ``"accuracy"`` on the training set. With ``held_out=(X_test, y_test)``
        (data not trained on) it also records ``"held-out loss"`` and, for classifiers,
        ``"held-out accuracy"``.
        """
        X = self._check_X(X)
        y = self._check_y(y, X.shape[0])
        if held_out is not None:
            if not (isinstance(held_out, tuple | list) and len(held_out) == 2):
                raise ValueError("held_out must be a pair (X_test, y_test).")
            X_test = self._check_X(held_out[0])
            y_test = self._check_y(held_out[1], X_test.shape[0])
        if not (isinstance(epochs, int | np.integer) and epochs >= 0):
            raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}.")
        _check_step_arguments(batch_size, learning_rate)
        rng = np.random.default_rng(seed)
        history: dict[str, list[float]] = {"loss": []}
        if self.output != "gaussian":
            history["accuracy"] = []
        if held_out is not None:
            history["held-out loss"] = []
            if self.output != "gaussian":
                history["held-out accuracy"] = []
        for _ in range(epochs):
            with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below
                self._sgd_epoch(X, y, batch_size, learning_rate, rng)
                eta = self._forward_pass(X)[0][-1].astype(np.float64)
                log_likelihood = self._log_likelihood_from_eta(eta, y)
            if not np.isfinite(log_likelihood):
                raise FloatingPointError(
                    "the log-likelihood became non-finite during training; lower learning_rate."
                )
            history["loss"].append(-log_likelihood / X.shape[0])
            if self.output != "gaussian":
                history["accuracy"].append(accuracy(y, self._labels_from_eta(eta)))
            if held_out is not None:
                eta_test = self._forward_pass(X_test)[0][-1].astype(np.float64)
                loss = -self._log_likelihood_from_eta(eta_test, y_test) / X_test.shape[0]
                history["held-out loss"].append(loss)
                if self.output != "gaussian":
                    labels = self._labels_from_eta(eta_test)
                    history["held-out accuracy"].append(accuracy(y_test, labels))
        self.history_ = history
        return self

    def sgd_epoch(
        self, X: np.ndarray, y: np.ndarray, batch_size: int, learning_rate: float, seed: int = 0
    ) -> None:
        """One epoch of :meth:`fit`, without the bookkeeping (used by the benchmark)."""
        X = self._check_X(X)
        y = self._check_y(y, X.shape[0])
        _check_step_arguments(batch_size, learning_rate)
        self._sgd_epoch(X, y, batch_size, learning_rate, np.random.default_rng(seed))

    def _sgd_epoch(self, X, y, batch_size, learning_rate, rng) -> None:
        order = rng.permutation(X.shape[0])
        for start in range(0, X.shape[0], batch_size):
            batch = order[start : start + batch_size]
            self._backprop(X[batch], y[batch], step=learning_rate / batch.size)

    def _labels_from_eta(self, eta: np.ndarray) -> np.ndarray:
        if self.output == "bernoulli":
            return (eta[:, 0] >= 0).astype(np.int64)
        return eta.argmax(axis=1)

    # ---- linear networks --------------------------------------------------------------------

    def collapse(self) -> tuple[np.ndarray, np.ndarray]:
        r"""The single affine map of a network whose hidden activations are all the identity:
        :math:`\eta = X W_z + b_z` with

        .. math::
            W_z = W_1 W_2 \cdots W_L, \qquad
            b_z = b_1 W_2 \cdots W_L + b_2 W_3 \cdots W_L + \dots + b_L

        (the transpose of the column-vector formula :math:`W_L \cdots W_1 x + \dots`). The
        network is then a GLM (linear, logistic or softmax regression) in ``X``.
        """
        if self.hidden_activation != "identity" and len(self.W) > 1:
            raise ValueError(
                f"collapse() needs identity hidden activations, but this network uses "
                f"{self.hidden_activation!r}: a nonlinear network is not one affine map."
            )
        W_z = self.W[0].astype(np.float64)
        b_z = self.b[0].astype(np.float64)
        for W, b in zip(self.W[1:], self.b[1:], strict=True):
            W_z = W_z @ W
            b_z = b_z @ W + b
        return W_z, b_z

    # ---- input checks -----------------------------------------------------------------------

    def _check_X(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.layer_sizes[0]:
            raise ValueError(
                f"X must have shape (n, {self.layer_sizes[0]}) for layer_sizes[0] = "
                f"{self.layer_sizes[0]}, got {X.shape}; reshape X to one row per data point."
            )
        if X.shape[0] == 0:
            raise ValueError("X has no rows.")
        if not np.issubdtype(X.dtype, np.number) or np.issubdtype(X.dtype, np.complexfloating):
            raise ValueError(f"X must hold real numbers, got dtype {X.dtype}.")
        X = np.ascontiguousarray(X, dtype=self.dtype)
        if not np.all(np.isfinite(X)):
            raise ValueError("X contains NaN or inf; remove or impute those entries first.")
        return X

    def _check_y(self, y: np.ndarray, n: int) -> np.ndarray:
        y = np.asarray(y)
        if self.output == "gaussian":
            if y.shape not in ((n, self.n_outputs), (n,) if self.n_outputs == 1 else None):
                raise ValueError(
                    f"y must have shape ({n}, {self.n_outputs})"
                    + (f" or ({n},)" if self.n_outputs == 1 else "")
                    + f" to match X and the {self.n_outputs} output units, got {y.shape}."
                )
            y = np.asarray(y, dtype=self.dtype)
            if not np.all(np.isfinite(y)):
                raise ValueError("y contains NaN or inf; gaussian targets must be finite.")
            return y
        if y.shape == (n, 1) and self.output == "bernoulli":
            y = y[:, 0]
        if y.shape != (n,):
            raise ValueError(
                f"y must be a 1-D array of {n} class labels (one per row of X), got shape "
                f"{y.shape}; pass integer labels, not one-hot rows."
            )
        n_classes = 2 if self.output == "bernoulli" else self.n_outputs
        return _check_labels(y, n_classes, "y")


def _check_step_arguments(batch_size: int, learning_rate: float) -> None:
    if not (isinstance(batch_size, int | np.integer) and batch_size >= 1):
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
    if not (isinstance(learning_rate, Real) and np.isfinite(learning_rate)):
        raise ValueError(f"learning_rate must be a finite number, got {learning_rate!r}.")
    if learning_rate <= 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate!r}.")


def _check_labels(labels: np.ndarray, n_classes: int, name: str) -> np.ndarray:
    """Labels as int64, after checking they are integers in ``0..n_classes-1``."""
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {labels.shape}.")
    if labels.dtype == bool:
        labels = labels.astype(np.int64)
    if not np.issubdtype(labels.dtype, np.number) or np.issubdtype(
        labels.dtype, np.complexfloating
    ):
        raise ValueError(f"{name} must hold integer class labels, got dtype {labels.dtype}.")
    if np.issubdtype(labels.dtype, np.floating):
        if not np.all(np.isfinite(labels)):
            raise ValueError(f"{name} contains NaN or inf; class labels must be integers.")
        if not np.all(labels == np.round(labels)):
            raise ValueError(f"{name} contains non-integer values; class labels must be integers.")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        bad = labels[(labels < 0) | (labels >= n_classes)][0]
        raise ValueError(
            f"{name} contains the label {bad:g}, outside 0..{n_classes - 1} for {n_classes} "
            "classes; relabel the classes as 0, 1, ..., or change the number of output units."
        )
    return labels.astype(np.int64)


# ---- convolutions and residual connections are linear maps too ----------------------------


def conv1d_matrix(kernel: np.ndarray, n_inputs: int) -> np.ndarray:
    r"""The matrix :math:`C` of a valid 1-D convolution, as deep-learning libraries define it
    (a cross-correlation, kernel not flipped):

    .. math::
        (C x)_i = \sum_{j=0}^{k-1} \text{kernel}_j\, x_{i+j}, \qquad i = 0, \dots, n-k,

    so ``C @ x == np.correlate(x, kernel, "valid") == np.convolve(x, kernel[::-1], "valid")``.
    ``C`` has shape ``(n_inputs - k + 1, n_inputs)`` and is banded (Toeplitz); as a layer
    weight in this module's row convention (``h = x @ W``) use ``W = C.T``.
    """
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim != 1 or kernel.size == 0:
        raise ValueError(f"kernel must be a non-empty 1-D array, got shape {kernel.shape}.")
    if not np.all(np.isfinite(kernel)):
        raise ValueError("kernel contains NaN or inf.")
    if not isinstance(n_inputs, int | np.integer) or n_inputs < kernel.size:
        raise ValueError(
            f"n_inputs must be an integer >= the kernel length {kernel.size}, got {n_inputs!r}."
        )
    n_outputs = n_inputs - kernel.size + 1
    C = np.zeros((n_outputs, n_inputs))
    for i in range(n_outputs):
        C[i, i : i + kernel.size] = kernel
    return C


def residual_block(
    X: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str = "identity"
) -> np.ndarray:
    r"""A residual block :math:`H = X + \phi(X W + b)` (a skip connection around one layer).

    With the identity activation it is the affine map :math:`H = X (I + W) + b`: residual
    connections alone do not make a network nonlinear.
    """
    X, W, b = np.asarray(X, dtype=float), np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    if X.ndim != 2 or W.shape != (X.shape[1], X.shape[1]) or b.shape != (X.shape[1],):
        raise ValueError(
            f"a residual block needs X of shape (n, d), a square W of shape (d, d) and b of "
            f"shape (d,), got {X.shape}, {W.shape}, {b.shape}."
        )
    return X + activate(activation, X @ W + b)
