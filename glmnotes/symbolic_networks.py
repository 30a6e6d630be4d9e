r"""Small networks written out in sympy symbols, for the book's derivations.

A derivation of the book shows each line as mathematics writes it, and the checker
(:mod:`glmnotes.verify`) tests it. For a network that means: every weight is a named symbol,
and every quantity a line uses by name (a hidden unit :math:`h_j`, the prediction
:math:`\hat y`, a partial derivative) comes with a definition the checker puts in. This module
builds those expressions once, for the chapters:

- :func:`defined` -- a quantity shown by its name and checked by its definition, so that a
  derivation's "with" rows stay one line long instead of a page of nested sigmoids
  (:func:`unfolded` writes every such quantity out);
- :class:`LogisticNetwork` (:func:`logistic_network`) -- one hidden layer of logistic units,
  every weight a symbol, with the definitions the derivations of the gradient need;
- :class:`WrittenOutNetwork` (:func:`written_out_network`) -- a network of any depth with every
  weight a symbol and an arbitrary hidden activation :math:`\phi`: its log-likelihood, which
  sympy differentiates by the ordinary rules, and the gradient of the backward recursion
  (:func:`backward_recursion`), which the book proves for any depth;
- explicit matrices of named symbols and the products and sums of matrices kept as written
  (:func:`symbol_matrix`, :func:`matrix_product`, :func:`matrix_sum`,
  :func:`frobenius_squared`), and the coefficients of a collapsed linear network written as
  sums over the units (:func:`collapsed_coefficients`).

Conventions follow :mod:`glmnotes.nn`: data points are rows, layer :math:`l` computes
:math:`A_l = H_{l-1} W_l + b_l` and :math:`H_l = \phi(A_l)`, and the output is a logistic unit
on :math:`\eta = A_L` with :math:`\ell = y\eta - \log(1 + e^{\eta})`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sympy as sp

from glmnotes.notation import partial, sigmoid
from glmnotes.verify.symbolic import definitions

__all__ = [
    "LogisticNetwork",
    "WrittenOutNetwork",
    "backward_recursion",
    "collapsed_coefficients",
    "defined",
    "frobenius_squared",
    "logistic_network",
    "matrix_product",
    "matrix_sum",
    "symbol_matrix",
    "unfolded",
    "written_out_network",
]


# ---- a quantity shown by its name, checked by its definition ---------------------------------


def unfolded(expr: sp.Basic) -> sp.Basic:
    """``expr`` with every notation function (:func:`defined` quantities, the sigmoid) replaced
    by its definition, until none is left: the closed form the checker works with."""
    for _ in range(100):
        expr, names = definitions(expr)
        if not names:
            return expr
    raise ValueError("notation definitions nested more than 100 deep")


def defined(tex: str, value: sp.Basic, text: str | None = None) -> sp.Basic:
    r"""A quantity displayed as ``tex`` (LaTeX) whose value, for the checker, is ``value``.

    It is a sympy function of the symbols ``value`` depends on, shown without them; the checker
    (:func:`glmnotes.verify.symbolic.definitions`) replaces it by ``value`` written out
    (notations inside unfolded too) before it proves anything, and ``doit()`` does the same.
    So a derivation can define :math:`\hat y := \sigma(\theta_1 h_1 + \theta_2 h_2 + b)` with
    :math:`h_j` themselves defined quantities, and each line is still tested on the whole
    network. ``text`` is the plain-text name (by default ``tex`` without backslashes and
    braces). ``value`` may be a matrix.
    """
    if not isinstance(tex, str) or not tex.strip():
        raise ValueError(f"defined() needs the LaTeX of the name, got {tex!r}")
    closed = unfolded(sp.sympify(value))
    arguments = tuple(sorted(closed.free_symbols, key=sp.default_sort_key))
    name = text if text is not None else re.sub(r"[\\{}]", "", tex)

    def notation_definition(*args):
        return closed.xreplace(dict(zip(arguments, args, strict=True)))

    def latex_(self, printer, exp=None):
        return tex if exp is None else rf"\left({tex}\right)^{{{exp}}}"

    def doit(self, **hints):
        return notation_definition(*self.args).doit(**hints)

    def evalf_(self, prec):
        return notation_definition(*self.args)._eval_evalf(prec)

    def fdiff(self, argindex=1):
        return sp.diff(notation_definition(*self.args), self.args[argindex - 1])

    namespace = {
        "notation_name": name,
        "notation_definition": staticmethod(notation_definition),
        "nargs": len(arguments),
        "_latex": latex_,
        "_sympystr": lambda self, printer: name,
        "doit": doit,
        "_eval_evalf": evalf_,
        "fdiff": fdiff,
    }
    function = type(f"Defined_{re.sub(r'[^0-9A-Za-z]', '_', name)}", (sp.Function,), namespace)
    return function(*arguments)


def _real(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


# ---- one hidden layer of logistic units, every weight a symbol ---------------------------------


@dataclass(frozen=True)
class LogisticNetwork:
    r"""The network of the deep-learning notes, for one data point, every weight a symbol:

    .. math::
        h_j = \sigma\Big(\sum_i x_i \theta^{(h)}_{ij} + b^{(h)}_j\Big), \qquad
        \hat y = \sigma\Big(\sum_j h_j \theta^{(y)}_j + b^{(y)}\Big), \qquad
        \ell = y \log \hat y + (1 - y) \log(1 - \hat y).

    Attributes: the symbols ``x[i]``, ``theta_h[i, j]``, ``b_h[j]``, ``theta_y[j]``, ``b_y``,
    ``y``, the names ``h[j]`` and ``yhat`` that lines use, ``delta[j]`` (the signal
    :math:`\delta_j` hidden unit :math:`j` receives), ``parameters`` (LaTeX name -> symbol, in
    the order of :meth:`glmnotes.nn.Network.params` for a ``[n_inputs, n_hidden, 1]``
    network), ``ell`` (:math:`\ell(\theta)`, a :func:`defined` quantity) and ``given``: what
    each name stands for (see :meth:`given_map`).
    """

    n_inputs: int
    n_hidden: int
    x: dict
    theta_h: dict
    b_h: dict
    theta_y: dict
    b_y: sp.Symbol
    y: sp.Symbol
    h: dict
    yhat: sp.Symbol
    delta: dict
    parameters: dict
    ell: sp.Basic
    unit_values: dict = field(repr=False)
    given: dict = field(repr=False)

    def ell_of(self, p: sp.Basic) -> sp.Basic:
        r""":math:`y \log p + (1 - y)\log(1 - p)`, the log-likelihood of one label as a function
        of the predicted probability ``p``."""
        return self.y * sp.log(p) + (1 - self.y) * sp.log(1 - p)

    def given_for(self, *names: sp.Basic) -> dict:
        r"""The definitions a derivation using ``names`` needs: the units (:math:`\hat y` and
        every :math:`h_j`) and each of ``names`` (keys of :attr:`given`), in that order."""
        unknown = [name for name in names if name not in self.given]
        if unknown:
            raise ValueError(f"no definition of {unknown}; known: {list(self.given)}")
        units = [self.yhat, *(self.h[j] for j in self.hidden_units)]
        return {name: self.given[name] for name in (*units, *names)}

    @property
    def inputs(self) -> range:
        return range(1, self.n_inputs + 1)

    @property
    def hidden_units(self) -> range:
        return range(1, self.n_hidden + 1)


def logistic_network(n_inputs: int = 2, n_hidden: int = 2) -> LogisticNetwork:
    r"""The :class:`LogisticNetwork` with ``n_inputs`` inputs and ``n_hidden`` hidden units.

    Its ``given`` defines, for a derivation:

    - the units: :math:`h_j := \sigma(\sum_i x_i\theta^{(h)}_{ij} + b^{(h)}_j)` and
      :math:`\hat y := \sigma(\sum_j h_j \theta^{(y)}_j + b^{(y)})`;
    - each *total* derivative :math:`\partial\ell/\partial p := \partial \ell(\theta)/\partial
      p`, for every parameter :math:`p` (sympy differentiates the whole function);
    - the *local* derivatives of one unit with respect to one of its own arguments, at the
      network's values: :math:`\partial\ell/\partial\hat y`, :math:`\partial\hat y/\partial
      \theta^{(y)}_j`, :math:`\partial \hat y/\partial b^{(y)}`, :math:`\partial\hat y/\partial
      h_j`, :math:`\partial h_j/\partial\theta^{(h)}_{ij}` and :math:`\partial h_j/\partial
      b^{(h)}_j`;
    - the signal :math:`\delta_j := (y - \hat y)\,\theta^{(y)}_j\, h_j (1 - h_j)`.
    """
    for value, what in ((n_inputs, "n_inputs"), (n_hidden, "n_hidden")):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 9:
            raise ValueError(f"{what} must be an integer from 1 to 9, got {value!r}")
    inputs, hidden = range(1, n_inputs + 1), range(1, n_hidden + 1)
    x = {i: _real(f"x_{i}") for i in inputs}
    theta_h = {(i, j): _real(rf"\theta^{{(h)}}_{{{i}{j}}}") for i in inputs for j in hidden}
    b_h = {j: _real(rf"b^{{(h)}}_{{{j}}}") for j in hidden}
    theta_y = {j: _real(rf"\theta^{{(y)}}_{{{j}}}") for j in hidden}
    b_y = _real("b^{(y)}")
    y = _real("y")
    h = {j: _real(f"h_{j}") for j in hidden}
    yhat = _real(r"{\hat{y}}")  # braces: sympy then prints y - yhat in that order
    parameters = {
        **{sp.latex(theta_h[i, j]): theta_h[i, j] for i in inputs for j in hidden},
        **{sp.latex(b_h[j]): b_h[j] for j in hidden},
        **{sp.latex(theta_y[j]): theta_y[j] for j in hidden},
        sp.latex(b_y): b_y,
    }
    delta = {j: sp.Symbol(rf"\delta_{j}") for j in hidden}

    pre = {j: sum(x[i] * theta_h[i, j] for i in inputs) + b_h[j] for j in hidden}
    hidden_value = {j: defined(f"h_{j}", sigmoid(pre[j])) for j in hidden}
    output = sigmoid(sum(hidden_value[j] * theta_y[j] for j in hidden) + b_y)
    yhat_value = defined(r"\hat{y}", output, text="yhat")
    u = _real("u")

    def ell_of(p):
        return y * sp.log(p) + (1 - y) * sp.log(1 - p)

    ell = defined(r"\ell(\theta)", ell_of(yhat_value), text="ell(theta)")
    given = {yhat: output, **{h[j]: sigmoid(pre[j]) for j in hidden}}
    given.update({partial(r"\ell", name): sp.Derivative(ell, p) for name, p in parameters.items()})
    given[partial(r"\ell", r"\hat{y}")] = sp.Subs(sp.Derivative(ell_of(u), u), u, yhat_value)
    for j in hidden:
        theta, others = theta_y[j], [hidden_value[k] * theta_y[k] for k in hidden if k != j]
        given[partial(r"\hat{y}", sp.latex(theta))] = sp.Derivative(output, theta)
        given[partial(r"\hat{y}", f"h_{j}")] = sp.Subs(
            sp.Derivative(sigmoid(u * theta + sum(others) + b_y), u), u, hidden_value[j]
        )
        for i in inputs:
            given[partial(f"h_{j}", sp.latex(theta_h[i, j]))] = sp.Derivative(
                sigmoid(pre[j]), theta_h[i, j]
            )
        given[partial(f"h_{j}", sp.latex(b_h[j]))] = sp.Derivative(sigmoid(pre[j]), b_h[j])
        given[delta[j]] = (y - yhat_value) * theta * hidden_value[j] * (1 - hidden_value[j])
    given[partial(r"\hat{y}", sp.latex(b_y))] = sp.Derivative(output, b_y)
    return LogisticNetwork(
        n_inputs=n_inputs,
        n_hidden=n_hidden,
        x=x,
        theta_h=theta_h,
        b_h=b_h,
        theta_y=theta_y,
        b_y=b_y,
        y=y,
        h=h,
        yhat=yhat,
        delta=delta,
        parameters=parameters,
        ell=ell,
        unit_values={yhat: yhat_value, **{h[j]: hidden_value[j] for j in hidden}},
        given=given,
    )


# ---- a network of any depth, every weight a symbol ---------------------------------------------


def backward_recursion(
    output_delta: sp.Matrix,
    weights: Sequence[sp.Matrix],
    pre_activations: Sequence[sp.Matrix],
    activation_derivative: Callable[[sp.Basic], sp.Basic],
) -> list[sp.Matrix]:
    r"""The signals :math:`\Delta_1, \dots, \Delta_L` of backpropagation, on explicit matrices:

    .. math::
        \Delta_l = (\Delta_{l+1} W_{l+1}^\top) \odot \phi'(A_l) \quad (l = L-1, \dots, 1),

    from ``output_delta`` :math:`\Delta_L = \partial LL/\partial \eta` (:math:`Y - \hat Y`
    for logistic outputs), ``weights`` :math:`W_1, \dots, W_L`, ``pre_activations``
    :math:`A_1, \dots, A_{L-1}` and ``activation_derivative`` :math:`\phi'` applied entry by
    entry. The gradient of the log-likelihood is then :math:`\partial LL/\partial W_l =
    H_{l-1}^\top \Delta_l` and :math:`\partial LL/\partial b_l = \mathbf 1^\top \Delta_l`.
    """
    if len(pre_activations) != len(weights) - 1:
        raise ValueError(
            f"{len(weights)} layers need {len(weights) - 1} hidden pre-activations, "
            f"got {len(pre_activations)}"
        )
    deltas = [sp.Matrix(output_delta)]
    for layer in range(len(weights) - 1, 0, -1):
        slope = pre_activations[layer - 1].applyfunc(activation_derivative)
        deltas.insert(0, (deltas[0] * weights[layer].T).multiply_elementwise(slope))
    return deltas


@dataclass(frozen=True)
class WrittenOutNetwork:
    r"""A network of ``depth`` layers for one data point (a row ``x``), every weight a symbol
    :math:`w^{(l)}_{ij}`, every bias :math:`b^{(l)}_j`, a hidden activation :math:`\phi` and
    an output log-likelihood :math:`\ell(\eta)` of the last pre-activation :math:`\eta = A_L`
    (one output unit). By default both are arbitrary differentiable functions (sympy's
    undefined functions), so that a check holds for every activation and every output at once.

    :meth:`gradient_by_sympy` differentiates :math:`\ell` written out in the parameters, by the
    ordinary rules, one parameter at a time; :meth:`gradient_by_backpropagation` evaluates the
    backward recursion (:func:`backward_recursion`) from :math:`\Delta_L = \ell'(\eta)`. Both
    list the gradient of ``layers`` (default: every layer) in the order of :meth:`parameters`:
    :math:`W_1` row by row, :math:`b_1`, :math:`W_2`, ... (the layout of
    :meth:`glmnotes.nn.Network.params`).
    """

    depth: int
    widths: tuple[int, ...]
    x: sp.Matrix
    weights: tuple[sp.Matrix, ...]
    biases: tuple[sp.Matrix, ...]
    pre_activations: tuple[sp.Matrix, ...]
    hidden: tuple[sp.Matrix, ...]
    eta: sp.Basic
    log_likelihood: sp.Basic
    output_delta: sp.Basic
    activation_derivative: Callable[[sp.Basic], sp.Basic] = field(repr=False)

    def parameters(self, layers: Sequence[int] | None = None) -> list[sp.Symbol]:
        """The weights and biases of ``layers`` (1-based; default all), in the layout of
        :meth:`glmnotes.nn.Network.params`."""
        chosen = self._layers(layers)
        pairs = zip(self.weights, self.biases, strict=True)
        return [p for layer, (W, b) in enumerate(pairs, 1) if layer in chosen for p in (*W, *b)]

    def gradient_by_sympy(self, layers: Sequence[int] | None = None) -> sp.Matrix:
        r"""The column of :math:`\partial\ell/\partial p` for the parameters :math:`p` of
        ``layers``, as unevaluated derivatives of the written-out :math:`\ell` (``doit()``
        evaluates them)."""
        return sp.Matrix([sp.Derivative(self.log_likelihood, p) for p in self.parameters(layers)])

    def gradient_by_backpropagation(self, layers: Sequence[int] | None = None) -> sp.Matrix:
        r"""The same column from the backward recursion: :math:`H_{l-1}^\top\Delta_l` and
        :math:`\Delta_l` (one data point: :math:`\mathbf 1^\top\Delta_l = \Delta_l`)."""
        chosen = self._layers(layers)
        deltas = backward_recursion(
            sp.Matrix([[self.output_delta]]),
            self.weights,
            self.pre_activations,
            self.activation_derivative,
        )
        inputs = (self.x, *self.hidden)
        entries = []
        for layer, (H, delta) in enumerate(zip(inputs, deltas, strict=True), 1):
            if layer in chosen:
                entries += [*(H.T * delta), *delta]
        return sp.Matrix(entries)

    def _layers(self, layers: Sequence[int] | None) -> set[int]:
        if layers is None:
            return set(range(1, self.depth + 1))
        chosen = set(layers)
        if not chosen or not chosen <= set(range(1, self.depth + 1)):
            raise ValueError(f"layers must be among 1..{self.depth}, got {layers!r}")
        return chosen


def written_out_network(
    depth: int,
    width: int = 2,
    n_inputs: int = 2,
    phi: Callable[[sp.Basic], sp.Basic] | None = None,
    output: Callable[[sp.Basic], sp.Basic] | None = None,
) -> WrittenOutNetwork:
    r"""The :class:`WrittenOutNetwork` with ``depth`` layers: ``n_inputs`` inputs, ``depth - 1``
    hidden layers of ``width`` units and one output unit.

    ``phi`` is the hidden activation and ``output`` the log-likelihood as a function of
    :math:`\eta`, each a function of one sympy expression (for a logistic output and label
    :math:`y`: ``lambda eta: y * eta - sp.log(1 + sp.exp(eta))``). By default each is an
    undefined function, :math:`\phi` and :math:`\ell`; their derivatives are written
    :math:`\phi'(a)` and :math:`\ell'(\eta)` (a ``Subs`` of sympy's derivative).
    """
    if isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= 6:
        raise ValueError(f"depth must be an integer from 1 to 6, got {depth!r}")
    for value, what in ((width, "width"), (n_inputs, "n_inputs")):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
            raise ValueError(f"{what} must be an integer from 1 to 4, got {value!r}")
    u = _real("u")
    activation = phi if phi is not None else sp.Function(r"\phi")
    log_likelihood = output if output is not None else sp.Function(r"\ell")

    def phi_prime(a):
        return sp.Subs(sp.Derivative(activation(u), u), u, a)

    widths = (n_inputs, *([width] * (depth - 1)), 1)
    x = sp.Matrix([[_real(f"x_{i}") for i in range(1, n_inputs + 1)]])
    weights, biases = [], []
    for layer in range(1, depth + 1):
        rows, columns = widths[layer - 1], widths[layer]
        weights.append(
            sp.Matrix(
                rows,
                columns,
                [
                    _real(f"w^{{({layer})}}_{{{i}{j}}}")
                    for i in range(1, rows + 1)
                    for j in range(1, columns + 1)
                ],
            )
        )
        biases.append(
            sp.Matrix(
                1, columns, [_real(f"b^{{({layer})}}_{{{j}}}") for j in range(1, columns + 1)]
            )
        )
    H, pre_activations, hidden = x, [], []
    for layer, (W, b) in enumerate(zip(weights, biases, strict=True), start=1):
        A = H * W + b
        if layer < depth:
            pre_activations.append(A)
            H = A.applyfunc(activation)
            hidden.append(H)
    eta = A[0, 0]
    return WrittenOutNetwork(
        depth=depth,
        widths=widths,
        x=x,
        weights=tuple(weights),
        biases=tuple(biases),
        pre_activations=tuple(pre_activations),
        hidden=tuple(hidden),
        eta=eta,
        log_likelihood=log_likelihood(eta),
        output_delta=sp.Subs(sp.Derivative(log_likelihood(u), u), u, eta),
        activation_derivative=phi_prime,
    )


# ---- explicit matrices, kept as written ------------------------------------------------------


def symbol_matrix(name: str, rows: int, columns: int, bias: bool = False) -> sp.ImmutableMatrix:
    r"""A ``rows x columns`` matrix of real symbols :math:`\mathrm{name}_{jk}` (1-based; with
    ``bias=True`` a column of biases :math:`\mathrm{name}_{j0}`)."""
    if bias:
        return sp.ImmutableMatrix(rows, 1, lambda j, _: _real(f"{name}_{{{j + 1}0}}"))
    return sp.ImmutableMatrix(rows, columns, lambda j, k: _real(f"{name}_{{{j + 1}{k + 1}}}"))


def matrix_product(*factors: sp.Basic) -> sp.MatMul:
    """The product of ``factors``, kept as written (``.doit()`` multiplies it out)."""
    return sp.MatMul(*factors, evaluate=False)


def matrix_sum(*terms: sp.Basic) -> sp.MatAdd:
    """The sum of ``terms``, kept as written (``.doit()`` adds it up)."""
    return sp.MatAdd(*terms, evaluate=False)


def frobenius_squared(M: sp.Basic) -> sp.Trace:
    r""":math:`\lVert M\rVert_F^2 = \operatorname{tr}(M^\top M)`, kept as written."""
    return sp.Trace(sp.MatMul(sp.Transpose(M), M, evaluate=False))


def collapsed_coefficients(
    weights: Sequence[sp.Matrix], biases: Sequence[sp.Matrix]
) -> tuple[sp.Basic, list[sp.Basic]]:
    r"""The intercept and slopes of a network with identity activations, in the column
    convention (layer :math:`k` maps :math:`h \mapsto W_k h + b_k`), written as sums over the
    units rather than multiplied out:

    .. math::
        \beta_0 = b_n + W_n (b_{n-1} + W_{n-1}(\cdots)), \qquad
        \beta_i = (W_n W_{n-1} \cdots W_1)_{\cdot i},

    each product expanded as :math:`\sum_k (W_n)_{1k} \sum_j (W_{n-1})_{kj} \cdots`, one output.
    """
    if len(weights) != len(biases) or not weights:
        raise ValueError("one bias column per weight matrix, and at least one layer")
    if weights[-1].shape[0] != 1:
        raise ValueError("the last layer must have one output unit")

    def through(column: Sequence[sp.Basic], first: int) -> sp.Basic:
        """``column`` (values of layer ``first - 1``) pushed through layers first..n, as
        nested sums."""
        values = list(column)
        for W in weights[first:]:
            values = [
                sum(W[k, j] * values[j] for j in range(W.shape[1])) for k in range(W.shape[0])
            ]
        return values[0]

    slopes = [through(weights[0][:, i], 1) for i in range(weights[0].shape[1])]
    intercept = biases[-1][0]
    for layer in range(len(weights) - 1):
        intercept += through(biases[layer], layer + 1)
    return intercept, slopes


def layer_differential(n: int = 2, q: int = 2, r: int = 2, registry=None):
    r"""The chain rule for one layer, :math:`dA_{l+1} = (\phi'(A_l) \circ dA_l)\, W_{l+1}`,
    checked for ``n x q`` and ``q x r`` matrices written entry by entry: every entry of
    :math:`A_l` a function of a parameter :math:`t`, :math:`\phi` an undefined function (so the
    line holds for every differentiable activation), :math:`A_{l+1} = \phi(A_l) W_{l+1} +
    \mathbf 1 b_{l+1}^\top`, and :math:`d` the derivative in :math:`t`. A
    :class:`~glmnotes.verify.Derivation` labelled ``dl-layer-differential``."""
    from glmnotes.notation import Eq
    from glmnotes.verify import Derivation

    t = _real("t")
    phi = sp.Function(r"\phi")
    u = sp.Dummy("u")
    A = sp.ImmutableMatrix(n, q, lambda j, k: sp.Function(f"a_{{{j + 1}{k + 1}}}")(t))
    W = symbol_matrix("w", q, r)
    b = sp.ImmutableMatrix(1, r, lambda _, k: _real(f"b_{{{k + 1}}}"))
    ones = sp.ImmutableMatrix(n, 1, lambda *_: 1)
    next_layer = A.applyfunc(phi) * W + ones * b
    slope = A.applyfunc(lambda a: sp.Subs(sp.Derivative(phi(u), u), u, a))
    names = {
        "dA_next": sp.MatrixSymbol("dA_{l+1}", n, r),
        "slope": sp.MatrixSymbol(r"{\phi'(A_l)}", n, q),
        "dA": sp.MatrixSymbol("dA_l", n, q),
        "W": sp.MatrixSymbol("W_{l+1}", q, r),
    }
    return Derivation(
        Eq(
            names["dA_next"],
            sp.MatMul(
                sp.HadamardProduct(names["slope"], names["dA"], evaluate=False),
                names["W"],
                evaluate=False,
            ),
        ),
        given={
            names["dA_next"]: next_layer.applyfunc(lambda e: sp.Derivative(e, t)),
            names["slope"]: slope,
            names["dA"]: A.applyfunc(lambda a: sp.Derivative(a, t)),
            names["W"]: W,
        },
        label="dl-layer-differential",
        title=(
            f"The chain rule for one layer, ${n} \\times {q}$ and ${q} \\times {r}$ "
            "matrices, any activation $\\phi$"
        ),
        registry=registry,
    )
