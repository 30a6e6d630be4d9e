"""glmnotes.notation: each helper displays as the notes write it and keeps its value."""

import pytest
import scipy.special
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from glmnotes.notation import (
    Eq,
    Indicator,
    function_named,
    indexed,
    partial,
    per_example,
    shown,
    sigmoid,
    times,
)

a, b, t = sp.symbols("a b t", real=True)


def test_eq_stays_unevaluated_even_when_true():
    equation = Eq(a + b, b + a)
    assert isinstance(equation, sp.Equality)
    assert sp.Eq(a + b, b + a) is sp.true  # what sympy's own Eq would give
    assert sp.latex(Eq(2 * a, a + a)) == "2 a = 2 a"
    assert sp.latex(Eq(sp.Integer(1), sp.Integer(1))) == "1 = 1"


def test_times_keeps_the_order_written_and_equals_the_product():
    product = times(b, a, sp.Integer(2))
    assert sp.latex(product) == r"b a 2"
    assert product.args == (b, a, sp.Integer(2))
    assert product.doit() == 2 * a * b
    assert sp.simplify(times(a, 1 / a) - 1) == 0
    assert times(a, 1 / a) != 1  # not cancelled until simplified


def test_shown_and_partial_display_their_latex():
    assert sp.latex(shown(r"\ell_{x}")) == r"{\ell_{x}}"
    assert sp.latex(partial("L", "c")) == r"\frac{\partial L}{\partial c}"
    assert partial("L", "c") == partial("L", "c")  # the same symbol, so `given` can name it
    assert partial("L", "c") != partial("L", "e")
    assert sp.diff(partial("L", "c") * a, a) == partial("L", "c")  # a symbol, not a derivative


def test_indexed_prints_with_subscripts_and_becomes_a_plain_symbol_at_integers():
    i, j = sp.symbols("i j", integer=True, positive=True)
    y = indexed("y", "y", real=True)
    x = indexed("x", "x", positive=True)
    assert sp.latex(y(i)) == "y_{i}"
    assert sp.latex(y(i) ** 2) == "y_{i}^{2}"
    assert sp.latex(x(j, 2)) == "x_{j2}"
    assert y(3) == sp.Symbol("y_{3}", real=True)
    assert x(1, 2) == sp.Symbol("x_{12}", positive=True) and x(1, 2).is_positive
    # a sum shown for general n, expanded at n = 3, is the sum of the plain symbols
    assert sp.Sum(y(i), (i, 1, 3)).doit() == sum(
        sp.Symbol(f"y_{{{k}}}", real=True) for k in (1, 2, 3)
    )


def test_function_named_prints_its_tex_and_stays_unknown():
    h = function_named(r"\mathrm{h}", "h")
    assert sp.latex(h(t)) == r"\mathrm{h}\left(t\right)"
    assert isinstance(sp.diff(h(t**2), t), sp.Expr)
    assert sp.diff(h(t**2), t) == 2 * t * sp.Subs(sp.Derivative(h(a), a), a, t**2).doit()


def test_per_example_displays_its_tex_and_evaluates_and_differentiates():
    j, m = sp.symbols("j m", integer=True, positive=True)
    theta = sp.Symbol("theta", real=True)
    x = {1: sp.Integer(2), 2: sp.Integer(5)}
    eta = per_example("eta", r"\eta^{{({j})}}", lambda k: theta * x[k], depends_on=(theta,))
    assert sp.latex(eta(j)) == r"\eta^{(j)}"
    assert eta(2) == 5 * theta
    total = sp.Sum(eta(j) ** 2, (j, 1, m))
    derivative = sp.diff(total, theta).subs(m, 2).doit()
    assert sp.expand(derivative - sp.diff(sum((theta * x[k]) ** 2 for k in (1, 2)), theta)) == 0
    assert sp.diff(eta(j), sp.Symbol("other")) == 0


@settings(max_examples=30, deadline=None)
@given(st.floats(-40, 40))
def test_sigmoid_evaluates_like_expit(value):
    computed = float(sigmoid(sp.Float(value, 30)).evalf(30))
    assert computed == pytest.approx(scipy.special.expit(value), rel=1e-14, abs=1e-300)


def test_sigmoid_differentiates_to_sigma_one_minus_sigma_and_prints_as_sigma():
    assert sp.diff(sigmoid(t), t) == sigmoid(t) * (1 - sigmoid(t))
    exact = sp.diff(1 / (1 + sp.exp(-t)), t)
    assert sp.simplify(sp.diff(sigmoid(t), t).rewrite(sp.exp) - exact) == 0
    assert sigmoid(sp.Integer(0)) == sp.Rational(1, 2)
    assert sp.latex(sigmoid(t)) == r"\sigma\left(t\right)"
    assert sp.latex(sigmoid(t) ** 2) == r"\sigma\left(t\right)^{2}"
    assert sp.simplify(sigmoid(t).rewrite(sp.exp) - 1 / (1 + sp.exp(-t))) == 0


def test_indicator_evaluates_at_integers_and_prints_as_the_notes_write_it():
    y = sp.Symbol("y", integer=True)
    i = sp.Symbol("i", integer=True)
    assert sp.latex(Indicator(y, 2)) == r"1\{y = 2\}"
    assert sp.latex(Indicator(2, y)) == r"1\{y = 2\}"  # the number on the right
    assert sp.latex(Indicator(y, i)) == r"1\{y = i\}"
    assert sp.latex(Indicator(y, i) ** 2) == r"\left(1\{y = i\}\right)^{2}"
    assert Indicator(y, 2).subs(y, 2) == 1 and Indicator(y, 2).subs(y, 3) == 0
    assert Indicator(sp.Integer(3), sp.Integer(3)) == 1
    assert sp.Sum(Indicator(y, i), (i, 1, 3)).doit().subs(y, 2) == 1
