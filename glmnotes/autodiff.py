r"""A small scalar reverse-mode automatic differentiation engine.

Every arithmetic operation on :class:`Value` objects records a node of a computation graph: its
output ``data``, the nodes it was computed from (its *parents*) and the local derivatives
:math:`\partial\,\text{out} / \partial\,\text{parent}`, written right beside the forward formula.
:meth:`Value.backward` then applies the chain rule from the output back to the inputs,

.. math::
    \bar v_{\text{parent}} \mathrel{+}= \frac{\partial\,\text{out}}{\partial\,\text{parent}}\,
    \bar v_{\text{out}}, \qquad \bar v_{\text{root}} = 1,

visiting nodes in reverse topological order. The ``+=`` is what makes a node used twice receive
both contributions. :func:`trace` and :func:`draw` show the graph.

The design follows micrograd's ``engine.py`` (forward and backward formula side by side), with
three changes: the topological sort is iterative (a 100,000-node chain works), repeated calls to
``backward`` accumulate correct gradients (reset them with :meth:`Value.zero_grad`), and bad input
raises ``ValueError`` instead of failing an ``assert``. Local derivatives are stored as numbers
rather than closures, so that the drawing can label every edge with its derivative.

Example (the toy :math:`L(a, b, c) = c\,(a + 2b)`)::

    a, b, c = Value(1.0, "a"), Value(2.0, "b"), Value(3.0, "c")
    L = c * (a + 2 * b)
    L.backward()
    a.grad, b.grad, c.grad  # (3.0, 6.0, 5.0) = (c, 2c, a + 2b)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from numbers import Real
from typing import NamedTuple, NoReturn

import numpy as np

from glmnotes.links import sigmoid

__all__ = ["Value", "Edge", "gradient", "numerical_gradient", "trace", "draw"]


class Value:
    r"""A scalar node of a computation graph: its value ``data`` and the gradient
    ``grad`` :math:`= \partial\,\text{root} / \partial\,\text{self}` filled in by
    :meth:`backward`.

    Parameters
    ----------
    data
        A finite real number.
    label
        A name used by :func:`draw` (for example ``"a"``).
    """

    __slots__ = ("data", "grad", "label", "op", "_parents", "_local_grads")
    __array_ufunc__ = None  # numpy scalars defer to Value's reflected operators

    def __init__(self, data: float, label: str = "") -> None:
        if isinstance(data, Value):
            raise TypeError("Value(data): data is already a Value; use it directly.")
        if not isinstance(data, Real):
            raise TypeError(f"Value(data): data must be a real number, got {type(data).__name__}.")
        data = float(data)
        if not math.isfinite(data):
            raise ValueError(f"Value(data): data must be finite, got {data}.")
        self.data = data
        self.grad = 0.0
        self.label = label
        self.op = ""
        self._parents: tuple[Value, ...] = ()
        self._local_grads: tuple[float, ...] = ()

    @staticmethod
    def _from_op(op: str, data: float, parents: tuple, local_grads: tuple) -> Value:
        """The output node of operation ``op``, remembering its parents and the local
        derivatives d(out)/d(parent) in the same order."""
        if not (math.isfinite(data) and all(math.isfinite(g) for g in local_grads)):
            _raise_overflow(op, parents)
        out = Value(data)
        out.op = op
        out._parents = parents
        out._local_grads = local_grads
        return out

    def __repr__(self) -> str:
        name = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{name})"

    # ---- arithmetic: forward formula | local derivatives d out / d parent -------------------

    def __add__(self, other: Value | float) -> Value:
        other = _as_value(other)
        # out = a + b                                   d/da = 1, d/db = 1
        return Value._from_op("+", self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other: Value | float) -> Value:
        other = _as_value(other)
        # out = a * b                                   d/da = b, d/db = a
        return Value._from_op("*", self.data * other.data, (self, other), (other.data, self.data))

    def __truediv__(self, other: Value | float) -> Value:
        other = _as_value(other)
        if other.data == 0.0:
            raise ValueError(f"division by zero: {self.data} / 0.")
        a, b = self.data, other.data
        # out = a / b                                   d/da = 1/b, d/db = -a/b^2
        return Value._from_op("/", a / b, (self, other), (1.0 / b, -(a / b) / b))

    def __pow__(self, exponent: Value | float) -> Value:
        if isinstance(exponent, Value):
            # a ** b = exp(b log a), defined here for a > 0
            if self.data <= 0.0:
                raise ValueError(
                    f"Value ** Value needs a positive base (computed as exp(b log a)), "
                    f"got base {self.data}; use a number exponent for a non-positive base."
                )
            return (exponent * self.log()).exp()
        if not isinstance(exponent, Real) or not math.isfinite(exponent):
            raise ValueError(f"exponent must be a finite number or a Value, got {exponent!r}.")
        n, x = float(exponent), self.data
        if x < 0.0 and not n.is_integer():
            raise ValueError(f"{x} ** {n} is not real: a negative base needs an integer exponent.")
        if x == 0.0 and n < 1.0 and n != 0.0:
            raise ValueError(
                f"0 ** {n} is infinite or has no finite derivative; avoid a zero base."
            )
        try:
            # out = x ** n                              d/dx = n x^(n-1)
            out, local = x**n, (n * x ** (n - 1.0) if n != 0.0 else 0.0)
        except OverflowError:
            _raise_overflow(f"**{n:g}", (self,))
        return Value._from_op(f"**{n:g}", out, (self,), (local,))

    def __neg__(self) -> Value:
        # out = -a                                      d/da = -1
        return Value._from_op("neg", -self.data, (self,), (-1.0,))

    def __sub__(self, other: Value | float) -> Value:
        other = _as_value(other)
        # out = a - b                                   d/da = 1, d/db = -1
        return Value._from_op("-", self.data - other.data, (self, other), (1.0, -1.0))

    def __radd__(self, other: float) -> Value:  # other + self
        return _as_value(other) + self

    def __rsub__(self, other: float) -> Value:  # other - self
        return _as_value(other) - self

    def __rmul__(self, other: float) -> Value:  # other * self
        return _as_value(other) * self

    def __rtruediv__(self, other: float) -> Value:  # other / self
        return _as_value(other) / self

    def __rpow__(self, base: float) -> Value:  # base ** self
        return _as_value(base) ** self

    # ---- elementary functions ---------------------------------------------------------------

    def exp(self) -> Value:
        try:
            e = math.exp(self.data)
        except OverflowError:
            _raise_overflow("exp", (self,))
        # out = e^x                                     d/dx = e^x
        return Value._from_op("exp", e, (self,), (e,))

    def log(self) -> Value:
        if self.data <= 0.0:
            raise ValueError(f"log({self.data}): the argument of log must be positive.")
        # out = log x                                   d/dx = 1/x
        return Value._from_op("log", math.log(self.data), (self,), (1.0 / self.data,))

    def sigmoid(self) -> Value:
        x = self.data
        # out = sigma(x) = 1 / (1 + e^-x)               d/dx = sigma(x) sigma(-x)
        out = float(sigmoid(x))
        return Value._from_op("sigmoid", out, (self,), (out * float(sigmoid(-x)),))

    def tanh(self) -> Value:
        x = self.data
        # out = tanh x                                  d/dx = 1 - tanh^2 x = 4 sigma(2x) sigma(-2x)
        local = 4.0 * float(sigmoid(2.0 * x)) * float(sigmoid(-2.0 * x))
        return Value._from_op("tanh", math.tanh(x), (self,), (local,))

    def relu(self) -> Value:
        x = self.data
        # out = max(x, 0)                               d/dx = 1 if x > 0 else 0
        return Value._from_op("relu", max(x, 0.0), (self,), (1.0 if x > 0.0 else 0.0,))

    # ---- reverse mode -----------------------------------------------------------------------

    def backward(self) -> None:
        r"""Add :math:`\partial\,\text{self} / \partial v` to ``v.grad`` for every node ``v``
        of the graph below ``self``.

        Within one call the adjoints start from :math:`\bar v_{\text{self}} = 1` and
        :math:`\bar v = 0` elsewhere and flow from children to parents in reverse topological
        order. Like PyTorch, repeated calls add up; call :meth:`zero_grad` between them.
        """
        order = _topological_order(self)
        adjoint = dict.fromkeys(order, 0.0)
        adjoint[self] = 1.0
        for node in reversed(order):  # every child before its parents
            edges = zip(node._parents, node._local_grads, strict=True)
            for parent, local in edges:  # chain rule; += sums over uses
                adjoint[parent] += local * adjoint[node]
        for node in order:
            node.grad += adjoint[node]

    def zero_grad(self) -> None:
        """Set ``grad = 0`` on ``self`` and every node it was computed from."""
        for node in _topological_order(self):
            node.grad = 0.0


def _raise_overflow(op: str, parents: tuple) -> NoReturn:
    values = ", ".join(repr(p.data) for p in parents)
    raise ValueError(
        f"{op}({values}) or its derivative is not finite (overflow); rescale the inputs so "
        "that intermediate values stay within floating-point range."
    )


def _as_value(x: Value | float) -> Value:
    """``x`` itself if it is a Value, else a constant node holding the number ``x``."""
    if isinstance(x, Value):
        return x
    if isinstance(x, Real):
        return Value(x)
    raise TypeError(f"cannot combine a Value with {type(x).__name__}; use numbers or Values.")


def _topological_order(root: Value) -> list[Value]:
    """Nodes of the graph below ``root``, every node after all of its parents (``root`` last).

    Depth-first search with an explicit stack, so deep graphs do not hit Python's recursion
    limit: a node is emitted once all of its parents have been emitted.
    """
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        for parent in node._parents:
            if parent not in visited:
                stack.append((parent, False))
    return order


# ---- gradients of functions of several inputs -----------------------------------------------


def _as_point(x: Sequence[float], who: str) -> np.ndarray:
    """``x`` as a non-empty 1-D float array of finite numbers, or ``ValueError``."""
    try:
        point = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{who}: x must be a sequence of real numbers, got {x!r}.") from None
    if point.ndim != 1 or point.size == 0:
        raise ValueError(
            f"{who}: x must be a non-empty 1-D sequence of numbers, got shape {point.shape}."
        )
    if not np.all(np.isfinite(point)):
        raise ValueError(f"{who}: x must be finite, got {point.tolist()}.")
    return point


def gradient(f: Callable[[list[Value]], Value], x: Sequence[float]) -> tuple[float, np.ndarray]:
    r"""The value :math:`f(x)` and the gradient :math:`\nabla f(x)` by one reverse sweep.

    ``f`` receives a list of input :class:`Value` nodes ``[x_0, ..., x_{n-1}]`` (labelled
    ``"x0"``, ``"x1"``, ...) and must return a :class:`Value`; every partial derivative
    :math:`\partial f / \partial x_k` comes out of the same call to :meth:`Value.backward`.
    """
    point = _as_point(x, "gradient")
    inputs = [Value(float(v), label=f"x{k}") for k, v in enumerate(point)]
    out = f(inputs)
    if not isinstance(out, Value):
        raise ValueError(
            f"gradient: f must return a Value computed from its inputs, got "
            f"{type(out).__name__}; build f from Value operations."
        )
    out.backward()
    return out.data, np.array([node.grad for node in inputs])


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: Sequence[float], step: float = 1e-3
) -> np.ndarray:
    r"""The gradient of ``f`` at ``x`` by fourth-order central differences (an independent
    check of :func:`gradient`):

    .. math::
        \frac{\partial f}{\partial x_k} \approx
        \frac{-f(x + 2h e_k) + 8 f(x + h e_k) - 8 f(x - h e_k) + f(x - 2h e_k)}{12 h},

    with truncation error :math:`O(h^4)` and rounding error about
    :math:`\epsilon |f| / h`; the default :math:`h = 10^{-3}` balances the two for smooth
    functions of size 1 (about 10 correct digits). ``f`` takes a float array and returns a
    number; it is called :math:`4n` times.
    """
    point = _as_point(x, "numerical_gradient")
    if not (isinstance(step, Real) and math.isfinite(step) and step > 0):
        raise ValueError(f"numerical_gradient: step must be a positive number, got {step!r}.")
    h = float(step)

    def f_at(k: int, shift: float) -> float:
        shifted = point.copy()
        shifted[k] += shift
        value = f(shifted)
        if isinstance(value, Value):
            value = value.data
        if not (isinstance(value, Real) and math.isfinite(value)):
            raise ValueError(
                f"numerical_gradient: f must return a finite number, got {value!r} at "
                f"{shifted.tolist()}; choose a smaller step or a point inside f's domain."
            )
        return float(value)

    return np.array(
        [
            (-f_at(k, 2 * h) + 8 * f_at(k, h) - 8 * f_at(k, -h) + f_at(k, -2 * h)) / (12 * h)
            for k in range(point.size)
        ]
    )


# ---- looking at the graph -------------------------------------------------------------------


class Edge(NamedTuple):
    """An edge ``parent -> child`` of the graph, with the local derivative d(child)/d(parent)."""

    parent: Value
    child: Value
    local_grad: float


def trace(root: Value) -> tuple[list[Value], list[Edge]]:
    """The nodes (in topological order, ``root`` last) and edges of the graph below ``root``.

    A node used twice by the same operation (as in ``x * x``) gives two edges.
    """
    nodes = _topological_order(root)
    edges = [
        Edge(parent, node, local)
        for node in nodes
        for parent, local in zip(node._parents, node._local_grads, strict=True)
    ]
    return nodes, edges


def _columns(nodes: list[Value], edges: list[Edge]) -> dict[Value, int]:
    """The column of every node in the drawing: operations at their longest-path depth from
    the inputs; inputs just left of their first use, so that few edges skip columns."""
    column: dict[Value, int] = {}
    for node in nodes:  # topological order: parents are done first
        column[node] = 1 + max((column[p] for p in node._parents), default=-1)
    first_use: dict[Value, int] = {}
    for edge in edges:
        used_at = column[edge.child]
        first_use[edge.parent] = min(first_use.get(edge.parent, used_at), used_at)
    for node in nodes:
        if not node._parents and node in first_use:
            column[node] = first_use[node] - 1
    return column


#: Operation names as the drawing shows them.
_OP_SYMBOLS = {"+": "+", "-": "−", "*": "×", "/": "÷", "neg": "−x"}

DRAW_FONT_SIZE = 12  # points: the text of the drawing (the book asks for 11 or more)
DRAW_MAX_WIDTH = 6.4  # inches: the widest a drawing may be (the book's column)


def _node_text(node: Value) -> str:
    """The three lines of a node's box: its name and operation, its value, its gradient."""
    op = _OP_SYMBOLS.get(node.op, node.op)
    title = " ".join(part for part in (node.label, f"({op})" if op else "") if part) or "·"
    return f"{title}\nvalue {node.data:.4g}\ngrad {node.grad:.4g}"


def draw(root: Value, ax=None, max_nodes: int = 40, fontsize: float = DRAW_FONT_SIZE):
    """Draw the graph below ``root`` left to right with matplotlib only, legibly.

    Nodes are placed in columns by depth (inputs on the left, each just before its first use;
    ``root`` on the right). Each box shows the node's ``label`` and operation, its value and
    its ``grad``, at ``fontsize`` points; each arrow is labelled ``∂=`` its local derivative
    d(child)/d(parent) (a node used twice by one operation, as in ``x * x``, gets one arrow
    with both derivatives). Without ``ax`` the figure is at most :data:`DRAW_MAX_WIDTH` inches
    wide, so that nothing is shrunk below ``fontsize`` on a page; graphs with more than
    ``max_nodes`` nodes are refused (they cannot be read at that size). Returns the ``Axes``.
    """
    import matplotlib.pyplot as plt

    nodes, edges = trace(root)
    if len(nodes) > max_nodes:
        raise ValueError(
            f"the graph has {len(nodes)} nodes, more than max_nodes={max_nodes} can be drawn "
            "legibly; draw a smaller expression or raise max_nodes."
        )
    column_of = _columns(nodes, edges)
    columns: dict[int, list[Value]] = {}
    for node in nodes:
        columns.setdefault(column_of[node], []).append(node)
    n_columns = max(columns) + 1
    n_rows = max(len(column) for column in columns.values())
    position = {}
    for d, column in columns.items():
        for i, node in enumerate(column):
            position[node] = (float(d), (len(column) - 1) / 2.0 - i)
    if ax is None:
        width = min(DRAW_MAX_WIDTH, 1.6 * n_columns + 0.2)
        _, ax = plt.subplots(figsize=(width, 1.15 * n_rows + 0.5), layout="constrained")

    boxes = {}
    for node, (x, y) in position.items():
        boxes[node] = ax.text(
            x,
            y,
            _node_text(node),
            ha="center",
            va="center",
            fontsize=fontsize,
            linespacing=1.25,
            bbox={"boxstyle": "round,pad=0.35", "facecolor": "white", "edgecolor": "0.3"},
            zorder=4,
        )
    derivatives: dict[tuple[Value, Value], list[float]] = {}  # parallel edges share one arrow
    for edge in edges:
        derivatives.setdefault((edge.parent, edge.child), []).append(edge.local_grad)
    for (parent, child), locals_ in derivatives.items():
        ax.annotate(  # from the right side of the parent's box to the left side of the child's
            "",
            xy=(0.0, 0.5),
            xycoords=boxes[child],
            xytext=(1.0, 0.5),
            textcoords=boxes[parent],
            arrowprops={"arrowstyle": "-|>", "color": "0.35", "shrinkA": 1, "shrinkB": 1},
            zorder=2,
        )
        (x0, y0), (x1, y1) = position[parent], position[child]
        x_label = x1 - 0.5  # in the gap just before the child, clear of boxes on long edges
        ax.text(
            x_label,
            y0 + (y1 - y0) * (x_label - x0) / (x1 - x0),
            "∂=" + ", ".join(f"{d:.3g}" for d in locals_),
            ha="center",
            va="center",
            fontsize=fontsize,
            color="tab:blue",
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
            zorder=3,
        )
    ax.set_xlim(-0.5, n_columns - 0.5)
    ax.set_ylim(-(n_rows - 1) / 2.0 - 0.55, (n_rows - 1) / 2.0 + 0.55)
    ax.set_axis_off()
    return ax
