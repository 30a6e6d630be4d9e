"""Tests for glmnotes.autodiff: gradients against finite differences, sympy and PyTorch."""

import math
import sys

import matplotlib
import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from glmnotes.autodiff import Edge, Value, draw, gradient, numerical_gradient, trace

matplotlib.use("Agg")

# ---- random composite expressions, evaluated twice: on Values and on plain floats -----------
# Every operation below is smooth on the whole real line (relu is tested separately), so the
# finite-difference reference is valid at any input.

UNARY = {
    # name: (on a Value, on a float: an independent formula from the math module)
    "neg": (lambda u: -u, lambda u: -u),
    "sigmoid": (lambda u: u.sigmoid(), lambda u: 0.5 * (1.0 + math.tanh(0.5 * u))),
    "tanh": (lambda u: u.tanh(), math.tanh),
    "exp_tanh": (lambda u: u.tanh().exp(), lambda u: math.exp(math.tanh(u))),
    "log1p_sq": (lambda u: (u * u + 1).log(), lambda u: math.log1p(u * u)),
    "cube": (lambda u: u**3, lambda u: u * u * u),
    "sqrt1p_sq": (lambda u: (1 + u**2) ** 0.5, lambda u: math.sqrt(1.0 + u * u)),
    "scale": (lambda u: 0.5 * u - 1.5, lambda u: 0.5 * u - 1.5),
    "recip": (lambda u: 1 / (2 + u * u), lambda u: 1.0 / (2.0 + u * u)),
}
BINARY = {
    "+": (lambda u, v: u + v, lambda u, v: u + v),
    "-": (lambda u, v: u - v, lambda u, v: u - v),
    "*": (lambda u, v: u * v, lambda u, v: u * v),
    "/": (lambda u, v: u / (1 + v * v), lambda u, v: u / (1.0 + v * v)),
    "pow": (lambda u, v: (1 + u * u) ** v.tanh(), lambda u, v: (1.0 + u * u) ** math.tanh(v)),
}
N_INPUTS = 3


def expressions(max_leaves=8):
    leaves = st.integers(0, N_INPUTS - 1)
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.tuples(st.sampled_from(sorted(UNARY)), children),
            st.tuples(st.sampled_from(sorted(BINARY)), children, children),
        ),
        max_leaves=max_leaves,
    )


def evaluate(tree, inputs, on_values):
    """Evaluate an expression tree; ``on_values`` picks the Value or the float formulas."""
    k = 0 if on_values else 1
    if isinstance(tree, int):
        return inputs[tree]
    if len(tree) == 2:
        return UNARY[tree[0]][k](evaluate(tree[1], inputs, on_values))
    op, left, right = tree
    return BINARY[op][k](evaluate(left, inputs, on_values), evaluate(right, inputs, on_values))


def central_difference(f, x, i, h=1e-3):
    """Fourth-order central difference of f along coordinate i."""

    def f_at(step):
        shifted = list(x)
        shifted[i] += step
        return f(shifted)

    return (-f_at(2 * h) + 8 * f_at(h) - 8 * f_at(-h) + f_at(-2 * h)) / (12 * h)


finite_inputs = st.lists(
    st.floats(-2.0, 2.0, allow_nan=False), min_size=N_INPUTS, max_size=N_INPUTS
)


@settings(max_examples=150, deadline=None)
@given(tree=expressions(), x=finite_inputs)
def test_gradient_matches_fourth_order_finite_differences(tree, x):
    value = evaluate(tree, x, on_values=False)
    assume(abs(value) < 1e4)
    inputs = [Value(xi, label=f"x{i}") for i, xi in enumerate(x)]
    out = evaluate(tree, inputs, on_values=True)
    if not isinstance(out, Value):  # the tree is a bare input
        out = out + 0.0
    assert out.data == pytest.approx(value, rel=1e-12, abs=1e-12)
    out.backward()
    for i, leaf in enumerate(inputs):
        reference = central_difference(lambda z: evaluate(tree, z, on_values=False), x, i)
        assert leaf.grad == pytest.approx(reference, rel=1e-6, abs=1e-6)


def test_toy_L_equals_c_times_a_plus_2b_against_sympy():
    a, b, c = sp.symbols("a b c")
    L_sym = c * (a + 2 * b)
    rng = np.random.default_rng(0)
    for _ in range(5):
        point = dict(zip((a, b, c), rng.normal(size=3), strict=True))
        av, bv, cv = (Value(point[s], label=str(s)) for s in (a, b, c))
        d = 2 * bv  # d = 2b
        e = av + d  # e = a + d
        L = cv * e  # L = c e
        L.backward()
        assert L.grad == 1.0
        for leaf, sym in ((av, a), (bv, b), (cv, c)):
            expected = float(sp.diff(L_sym, sym).subs(point))
            assert leaf.grad == pytest.approx(expected, rel=1e-14)
        assert e.grad == pytest.approx(float(point[c]), rel=1e-14)  # dL/de = c
        assert d.grad == pytest.approx(float(point[c]), rel=1e-14)  # dL/dd = c


def test_node_used_twice_gets_both_contributions():
    x, y = Value(3.0), Value(-2.0)
    f = x * x  # df/dx = 2x: two edges from x
    f.backward()
    assert x.grad == 6.0
    g = x * y + x  # dg/dx = y + 1, dg/dy = x
    x.zero_grad()
    g.zero_grad()
    g.backward()
    assert (x.grad, y.grad) == (-1.0, 3.0)


def test_zero_grad_and_repeated_backward():
    x = Value(0.7)
    h = (x * 2.0).tanh()  # interior node, so a wrong accumulation would show
    out = h * h + x
    expected = 2 * math.tanh(1.4) * 2 * (1 - math.tanh(1.4) ** 2) + 1
    out.backward()
    assert x.grad == pytest.approx(expected, rel=1e-14)
    out.backward()  # repeated calls add up (like PyTorch), by exactly the same amount
    assert x.grad == pytest.approx(2 * expected, rel=1e-14)
    out.zero_grad()
    nodes, _ = trace(out)
    assert all(node.grad == 0.0 for node in nodes)
    out.backward()
    assert x.grad == pytest.approx(expected, rel=1e-14)


def test_100000_node_chain_needs_no_recursion():
    x = Value(1.0, label="x")
    factor = 1.00001
    y = x
    for _ in range(100_000):
        y = y * factor
    limit = sys.getrecursionlimit()
    y.backward()
    assert sys.getrecursionlimit() == limit
    assert x.grad == pytest.approx(factor**100_000, rel=1e-9)
    assert len(trace(y)[0]) == 200_001  # x, the chain and one constant node per step


def test_relu_derivative_away_from_the_kink():
    for x0, slope in ((1.5, 1.0), (-0.3, 0.0)):
        x = Value(x0)
        (3 * x).relu().backward()
        assert x.grad == 3 * slope


def test_extreme_inputs_stay_finite():
    for x0 in (-800.0, 800.0):
        x = Value(x0)
        s = x.sigmoid()
        s.backward()
        assert math.isfinite(s.data) and math.isfinite(x.grad)
        assert x.grad == pytest.approx(math.exp(-abs(x0)), abs=1e-300)
        t = Value(x0)
        t.tanh().backward()
        assert t.grad == 0.0 or math.isfinite(t.grad)
    x = Value(-40.0)
    x.sigmoid().backward()  # sigma(1 - sigma) would give 0 in floating point
    assert x.grad == pytest.approx(math.exp(-40.0) / (1 + math.exp(-40.0)) ** 2, rel=1e-12)


def test_matches_pytorch():
    torch = pytest.importorskip(
        "torch", reason="PyTorch not installed: pip install torch==2.13.0 to run the oracle test"
    )
    rng = np.random.default_rng(1)
    for _ in range(10):
        x0 = rng.normal(size=3)
        xs = [Value(v) for v in x0]
        out = (
            ((xs[0] * xs[1]).tanh() + xs[2].sigmoid() * xs[0]) / (1 + xs[1] ** 2)
            - (xs[2].exp() + 1).log() * xs[0] ** 3
            + (1 + xs[1] * xs[1]) ** xs[2]
            + (xs[0] - 0.1).relu()
        )
        out.backward()
        t = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
        tout = (
            ((t[0] * t[1]).tanh() + t[2].sigmoid() * t[0]) / (1 + t[1] ** 2)
            - (t[2].exp() + 1).log() * t[0] ** 3
            + (1 + t[1] * t[1]) ** t[2]
            + (t[0] - 0.1).relu()
        )
        tout.backward()
        assert out.data == pytest.approx(tout.item(), rel=1e-13)
        np.testing.assert_allclose([v.grad for v in xs], t.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_trace_lists_nodes_in_topological_order_and_edges_with_local_derivatives():
    a, b, c = Value(1.0, "a"), Value(2.0, "b"), Value(3.0, "c")
    d = 2 * b
    e = a + d
    L = c * e
    nodes, edges = trace(L)
    assert nodes[-1] is L and len(nodes) == 7  # a, b, c, the constant 2, d, e, L
    position = {id(n): i for i, n in enumerate(nodes)}
    assert all(position[id(edge.parent)] < position[id(edge.child)] for edge in edges)
    local = {(e_.parent.label or e_.parent.op, e_.child.op): e_.local_grad for e_ in edges}
    assert local[("c", "*")] == e.data  # dL/dc = e
    assert local[("+", "*")] == c.data  # dL/de = c
    assert local[("b", "*")] == 2.0  # dd/db = 2
    assert all(isinstance(edge, Edge) for edge in edges)


def test_draw_places_every_edge_left_to_right():
    a, b, c = Value(1.0, "a"), Value(2.0, "b"), Value(3.0, "c")
    d = 2 * b
    e = a + d
    L = c * e
    d.label, e.label, L.label = "d", "e", "L"
    L.backward()
    ax = draw(L)
    nodes, edges = trace(L)
    node_texts = [t for t in ax.texts if "value" in t.get_text()]
    edge_texts = [t for t in ax.texts if t.get_text().startswith("∂=")]
    assert len(node_texts) == len(nodes) and len(edge_texts) == len(edges)
    x_of = {t.get_text().split("\n")[0].split(" ")[0]: t.get_position()[0] for t in node_texts}
    assert x_of["b"] < x_of["d"] < x_of["e"] < x_of["L"]
    assert x_of["a"] < x_of["e"] and x_of["c"] < x_of["L"]
    assert x_of["a"] == x_of["d"]  # an input sits just before its first use
    assert any("grad 5" in t.get_text() for t in node_texts)  # dL/dc = a + 2b = 5
    assert any(t.get_text().startswith("d (×)\nvalue 4") for t in node_texts)
    assert sorted(t.get_text() for t in edge_texts) == sorted(
        ["∂=2", "∂=2", "∂=1", "∂=1", "∂=5", "∂=3"]  # d=2b: 2 (b and the constant 2); e; L
    )
    matplotlib.pyplot.close("all")
    x = Value(0.5, "x")
    ax = draw(x * x)  # the two edges x -> x*x share one arrow with both derivatives
    assert [t.get_text() for t in ax.texts if t.get_text().startswith("∂=")] == ["∂=0.5, 0.5"]
    matplotlib.pyplot.close("all")
    with pytest.raises(ValueError, match="max_nodes"):
        draw(L, max_nodes=3)


def test_the_drawing_is_legible_on_the_page():
    """At most 6.4 inches wide and no text under 11 points, as the book asks of every figure;
    the old drawing (9 inches, 7- and 8-point labels) is what this rules out."""
    from glmnotes.book import figures

    a, b, c = Value(1.0, "a"), Value(2.0, "b"), Value(3.0, "c")
    L = c * (a + 2 * b)
    L.backward()
    with matplotlib.rc_context(figures.style()):
        fig = draw(L).figure
        figures.check_legible(fig)
        assert fig.get_size_inches()[0] <= figures.WIDTH
        assert min(t.get_fontsize() for t in fig.axes[0].texts) >= figures.FONT_SIZE
        # a wider graph still fits the column
        chain = Value(0.5, "x0")
        for k in range(1, 8):
            chain = (chain * Value(1.1, f"w{k}")).tanh()
        chain.backward()
        figures.check_legible(draw(chain).figure)
    matplotlib.pyplot.close("all")


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Value(float("nan")), "finite"),
        (lambda: Value(float("inf")), "finite"),
        (lambda: Value(0.0).log(), "positive"),
        (lambda: Value(-1.0).log(), "positive"),
        (lambda: Value(1.0) / 0.0, "division by zero"),
        (lambda: 1.0 / Value(0.0), "division by zero"),
        (lambda: Value(-2.0) ** 0.5, "not real"),
        (lambda: Value(0.0) ** -1, "zero base"),
        (lambda: Value(2.0) ** float("nan"), "finite"),
        (lambda: Value(-2.0) ** Value(2.0), "positive base"),
        (lambda: Value(1000.0).exp(), "overflow"),
        (lambda: Value(1e200) * Value(1e200), "overflow"),
        (lambda: Value(1e200) ** 2, "overflow"),
    ],
)
def test_bad_input_raises_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_non_numbers_raise_type_error():
    with pytest.raises(TypeError, match="real number"):
        Value("1.0")
    with pytest.raises(TypeError, match="cannot combine"):
        Value(1.0) + "a"


def test_numpy_scalars_combine_with_values():
    x = Value(2.0)
    y = np.float64(3.0) * x + np.float64(1.0)
    assert isinstance(y, Value) and y.data == 7.0
    y.backward()
    assert x.grad == 3.0


# ---- gradient() and numerical_gradient() ----------------------------------------------------


def test_gradient_returns_the_value_and_every_partial_against_sympy():
    x0, x1, x2 = sp.symbols("x0 x1 x2", real=True)
    f_sym = sp.log(1 + sp.exp(x0 * x1)) + sp.tanh(x2) * x0 / (1 + x1**2)
    rng = np.random.default_rng(3)
    for _ in range(5):
        point = rng.normal(size=3)
        value, grad = gradient(
            lambda v: (1 + (v[0] * v[1]).exp()).log() + v[2].tanh() * v[0] / (1 + v[1] ** 2),
            point,
        )
        at = dict(zip((x0, x1, x2), point, strict=True))
        assert value == pytest.approx(float(f_sym.subs(at)), rel=1e-13)
        expected = [float(sp.diff(f_sym, s).subs(at)) for s in (x0, x1, x2)]
        np.testing.assert_allclose(grad, expected, rtol=1e-12, atol=1e-14)


def test_numerical_gradient_is_exact_for_quartics():
    # The fourth-order formula's error term holds the fifth derivative: zero for degree <= 4.
    rng = np.random.default_rng(4)
    coefficients = rng.normal(size=(2, 5))

    def f(z):
        return sum(np.polyval(c, zk) for c, zk in zip(coefficients, z, strict=True))

    point = rng.normal(size=2)
    expected = [np.polyval(np.polyder(c), zk) for c, zk in zip(coefficients, point, strict=True)]
    np.testing.assert_allclose(numerical_gradient(f, point), expected, rtol=1e-9, atol=1e-10)


@settings(max_examples=40, deadline=None)
@given(x=finite_inputs)
def test_numerical_gradient_agrees_with_analytic_derivatives(x):
    def f(z):
        return math.exp(math.sin(z[0])) + z[1] * math.cos(z[2])

    expected = [
        math.cos(x[0]) * math.exp(math.sin(x[0])),
        math.cos(x[2]),
        -x[1] * math.sin(x[2]),
    ]
    np.testing.assert_allclose(numerical_gradient(f, x), expected, rtol=1e-8, atol=1e-9)


def test_numerical_gradient_and_gradient_agree_on_the_toy():
    def toy(v):
        return v[2] * (v[0] + 2 * v[1])

    value, grad = gradient(toy, [1.0, 2.0, 3.0])
    assert value == 15.0 and grad.tolist() == [3.0, 6.0, 5.0]  # (c, 2c, a + 2b)
    np.testing.assert_allclose(numerical_gradient(toy, [1.0, 2.0, 3.0]), [3.0, 6.0, 5.0])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: gradient(lambda v: v[0], [float("nan")]), "finite"),
        (lambda: gradient(lambda v: v[0], []), "non-empty 1-D"),
        (lambda: gradient(lambda v: v[0], [[1.0, 2.0]]), "non-empty 1-D"),
        (lambda: gradient(lambda v: 1.0, [1.0]), "must return a Value"),
        (lambda: gradient(lambda v: v[0], ["a"]), "real numbers"),
        (lambda: numerical_gradient(lambda z: z[0], [1.0], step=0.0), "step"),
        (lambda: numerical_gradient(lambda z: z[0], [1.0], step=float("inf")), "step"),
        (lambda: numerical_gradient(lambda z: math.nan, [1.0]), "finite number"),
        (lambda: numerical_gradient(lambda z: z[0], [math.inf]), "finite"),
    ],
)
def test_gradient_helpers_reject_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
