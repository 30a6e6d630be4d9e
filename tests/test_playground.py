"""glmnotes.book.playground in CPython: what a reader's next step is checked against, and the check.

The same module runs in the reader's browser (tests/test_browser_playground.py); here: the spec
of derivations like the chapters' (LaTeX-named symbols, glmnotes.notation functions, per-example
sums that must be prepared, matrices, equation chains, errata), its JSON round trip, the parsing
of the reader's text (and every way it can be bad), reproducible verdicts, and the pins.
"""

import json
import re
import subprocess
import sys

import pytest
import sympy as sp

from glmnotes.book.playground import (
    ReaderInputError,
    _Context,
    _reader_name,
    check_reader_step,
    parse_reader_text,
    reader_spec,
)
from glmnotes.notation import Indicator, function_named, per_example, shown, sigmoid
from glmnotes.verify import Derivation

eta = sp.Symbol("eta", real=True)


def softplus():
    d = Derivation(
        sp.Derivative(sp.log(1 + sp.exp(eta)), eta),
        domain={eta: (-30, 30)},
        label="playground-softplus",
    )
    d.step(sp.exp(eta) / (1 + sp.exp(eta)), "chain rule")
    return d


def round_trip(spec):
    """The spec as the page carries it: JSON text."""
    return json.loads(json.dumps(spec))


def verdict_of(spec, text):
    result = check_reader_step(round_trip(spec), text)
    assert result["ok"], result
    return result


def assert_suggestions_hold(spec):
    """The true suggestion holds and the tempting one is shown false, with a counterexample."""
    assert spec["available"], spec.get("reason")
    for suggestion in spec["suggestions"]:
        result = verdict_of(spec, suggestion["text"])
        assert result["holds"] is suggestion["holds"], (suggestion, result["describe"])
        if not suggestion["holds"]:
            assert result["verdict"]["kind"] == "failed"
            assert result["verdict"]["counterexample"]["point"]


# --- specs of derivations like the chapters' ---------------------------------------------------


def test_softplus_spec_round_trips_and_its_suggestions_are_right():
    d = softplus()
    spec = round_trip(reader_spec(d))
    assert spec["chain"] == "expression" and spec["available"] and not spec["lowered"]
    assert _Context(spec).target == sp.exp(eta) / (1 + sp.exp(eta))
    assert [s["holds"] for s in spec["suggestions"]] == [True, False]
    assert_suggestions_hold(spec)
    assert [entry["name"] for entry in spec["symbols"]] == ["eta"]


def test_a_true_step_holds_and_a_false_one_has_a_counterexample():
    spec = reader_spec(softplus())
    assert verdict_of(spec, "1/(1 + exp(-eta))")["holds"]
    assert verdict_of(spec, "sigmoid(eta)")["holds"]
    false = verdict_of(spec, "1/(1 + exp(eta))")
    assert not false["holds"] and false["verdict"]["kind"] == "failed"
    assert "eta" in false["verdict"]["counterexample"]["point"]
    assert "\u2717" in false["html"] and "\\(" in false["html"]
    assert "\u2713" in verdict_of(spec, "1/(1 + exp(-eta))")["html"]


def test_verdicts_are_reproducible():
    spec = reader_spec(softplus())
    first = check_reader_step(spec, "exp(-eta)/(1 + exp(eta))")
    second = check_reader_step(json.dumps(spec), "exp(-eta)/(1 + exp(eta))")
    assert first["verdict"] == second["verdict"]
    assert json.dumps(first)  # JSON-serialisable


def test_latex_named_symbols_get_typeable_names():
    theta_1, theta_2 = sp.symbols(r"\theta_1 \theta_2", real=True)
    x = sp.Symbol("x", real=True)
    score = shown(r"\frac{\partial \ell}{\partial \theta_1}")
    d = Derivation(
        score,
        given={score: sp.diff(sp.log(sigmoid(theta_1 * x + theta_2)), theta_1)},
        domain={x: (-2, 2)},
        label="playground-latex-names",
    )
    d.step(x * (1 - sigmoid(theta_1 * x + theta_2)), r"$\sigma' = \sigma(1 - \sigma)$")
    spec = round_trip(reader_spec(d))
    names = {entry["name"] for entry in spec["symbols"]}
    assert {"theta_1", "theta_2", "x", "dell_dtheta_1"} <= names
    assert {"sigmoid"} <= {f["reader"] for f in spec["functions"]}
    assert verdict_of(spec, "x - x*sigmoid(theta_1 x + theta_2)")["holds"]
    assert verdict_of(spec, "dell_dtheta_1")["holds"]  # the given substitution applies
    assert not verdict_of(spec, "x*sigmoid(theta_1*x + theta_2)")["holds"]
    assert_suggestions_hold(spec)


@pytest.mark.parametrize(
    "name, typed",
    [
        ("eta", "eta"),
        (r"\theta_1", "theta_1"),
        (r"{\hat{y}}_{1}", "yhat_1"),
        (r"y^{(1)}", "y1"),
        (r"\theta^{(h)}_{11}", "thetah_11"),
        (r"\frac{\partial L}{\partial c}", "dL_dc"),
        ("lambda", "lamda"),
        (r"\mathbb{E}[T(y)]", "E_T_y"),
    ],
)
def test_reader_names(name, typed):
    assert _reader_name(name) == typed


def test_per_example_sums_are_prepared_before_they_travel():
    # as in the GLM chapter: functions built at run time (per_example, function_named) cannot
    # be rebuilt in the browser; the sum over 3 examples is written out first
    theta = sp.symbols(r"\theta_1 \theta_2", real=True)
    j = sp.Symbol("j", integer=True)
    x_of = {(k, i): sp.Symbol(f"x^{{({k})}}_{i}", real=True) for k in (1, 2, 3) for i in (1, 2)}
    y_of = {k: sp.Symbol(f"y^{{({k})}}", real=True) for k in (1, 2, 3)}
    x1 = per_example("x1", "x^{{({j})}}_1", lambda k: x_of[k, 1])
    Y = per_example("Y", "y^{{({j})}}", lambda k: y_of[k])
    eta_j = per_example(
        "eta", r"\eta^{{({j})}}", lambda k: theta[0] * x_of[k, 1] + theta[1] * x_of[k, 2], theta
    )
    score = shown(r"\frac{\partial \ell}{\partial \theta_1}")
    loglik = sp.Sum(Y(j) * eta_j(j) - sp.log(1 + sp.exp(eta_j(j))), (j, 1, 3))
    d = Derivation(
        score,
        given={score: sp.Derivative(loglik, theta[0])},
        label="playground-per-example",
    )
    d.step(sp.Sum((Y(j) - sigmoid(eta_j(j))) * x1(j), (j, 1, 3)), "differentiate each term")
    spec = round_trip(reader_spec(d))
    assert spec["available"] and spec["lowered"]
    assert not re.search(r"\bx1\(|\bY\(", spec["compare_with"])
    assert_suggestions_hold(spec)
    typed = " + ".join(
        f"(y{k} - sigmoid(theta_1*x{k}_1 + theta_2*x{k}_2))*x{k}_1" for k in (1, 2, 3)
    )
    assert verdict_of(spec, typed)["holds"]
    assert not verdict_of(spec, typed.replace("(y1 -", "(y1 +"))["holds"]


def test_display_only_functions_travel_under_their_displayed_name():
    A = function_named("A", "zA")
    d = Derivation(sp.Derivative(A(eta) ** 2, eta), label="playground-named-function")
    d.step(2 * A(eta) * sp.Derivative(A(eta), eta), "chain rule")
    spec = round_trip(reader_spec(d))
    assert spec["available"] and "A" in {f["reader"] for f in spec["functions"]}
    result = verdict_of(spec, "2*A(eta)*Derivative(A(eta), eta)")
    assert result["holds"], result["describe"]


def test_a_chapter_defined_function_that_cannot_be_prepared_is_reported():
    class Opaque(sp.Function):  # defined by a chapter, with behaviour the browser cannot know
        @classmethod
        def eval(cls, t):
            return None

        def fdiff(self, argindex=1):
            return Opaque(self.args[0]) ** 2

    d = Derivation(Opaque(eta), label="playground-opaque")
    d.step(Opaque(eta) + 0, "nothing")
    spec = round_trip(reader_spec(d))
    assert not spec["available"] and "Opaque" in spec["reason"]
    result = check_reader_step(spec, "eta")
    assert not result["ok"] and "cannot be checked here" in result["error"]


def test_reader_spec_never_raises():
    class Broken:
        label = "broken"
        is_equation_chain = False

    spec = reader_spec(Broken())
    assert spec["available"] is False and spec["reason"]


def test_matrices_with_dims():
    q = sp.Symbol("q", integer=True, positive=True)
    W, x, b = sp.MatrixSymbol("W", q, q), sp.MatrixSymbol("x", q, 1), sp.MatrixSymbol("b", q, 1)
    d = Derivation(W * x + b + x, dims={q: 3}, label="playground-residual")
    d.step((W + sp.Identity(q)) * x + b, "factor x")
    spec = round_trip(reader_spec(d))
    assert_suggestions_hold(spec)
    assert verdict_of(spec, "W x + x + b")["holds"]
    assert verdict_of(spec, "(W + Identity(q))*x + b")["holds"]
    assert not verdict_of(spec, "W*x + b")["holds"]
    error = check_reader_step(spec, "x*W")
    assert not error["ok"] and "\n" not in error["error"]


def test_equation_chain_continues_from_the_right_side_of_its_last_true_line():
    y = sp.Symbol("y", integer=True)
    phi = sp.Symbol("phi", positive=True)
    d = Derivation(
        sp.Eq(Indicator(y, 1) * sp.log(phi), Indicator(y, 1) * sp.log(phi), evaluate=False),
        domain={y: (0, 1), phi: (sp.Rational(1, 100), sp.Rational(99, 100))},
        label="playground-equation-chain",
    )
    d.step(sp.Eq(sp.log(phi**y), y * sp.log(phi), evaluate=False), "log of a power")
    d.step(sp.Eq(sp.log(phi**y), sp.log(phi) + y, evaluate=False), "a slip", erratum="test")
    spec = round_trip(reader_spec(d))
    assert spec["chain"] == "equation"
    assert _Context(spec).target == y * sp.log(phi)
    assert verdict_of(spec, "log(phi^y)")["holds"]
    assert not verdict_of(spec, "log(phi) + y")["holds"]


def test_an_erratum_is_not_what_the_next_step_is_checked_against():
    d = softplus()
    d.step(1 / (1 + sp.exp(eta)), "the notes' sign slip", erratum="test")
    spec = round_trip(reader_spec(d))
    assert _Context(spec).target == sp.exp(eta) / (1 + sp.exp(eta))


# --- the reader's text ------------------------------------------------------------------------


NAMES = {"eta": eta, "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "Matrix": sp.Matrix}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("exp(eta)/(1+exp(eta))", sp.exp(eta) / (1 + sp.exp(eta))),
        ("2eta", 2 * eta),
        ("eta^2", eta**2),
        ("eta(1 + eta)", eta * (1 + eta)),
        ("0.5*eta", eta / 2),
        ("\u03b7 \u2212 1", eta - 1),  # η − 1, as typed on a phone
        ("1/2", sp.Rational(1, 2)),
    ],
)
def test_parsing(text, expected):
    assert parse_reader_text(text, NAMES) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Type an expression"),
        ("exp(eta", "complete expression"),
        ("eta = 1", "relation"),
        ("eta == 1", "relation"),
        ("eta <= 1", "relation"),
        ("etaa + 1", "Unknown name 'etaa'"),
        ("__import__('os').system('true')", "not a name"),
        ("eta.func", "'.' is allowed only"),
        ("exp.__globals__", "'.' is allowed only"),
        ("'eta'", "Quotes"),
        ("lambda: 1", "not a name"),
        ("eta; eta", "not allowed"),
        ("1j*eta", "imaginary"),
        ("eta" * 1000, "longer than"),
        ("(" * 60 + "eta" + ")" * 60, "nested"),
    ],
)
def test_bad_input_gets_one_line(text, message):
    with pytest.raises(ReaderInputError, match=re.escape(message)):
        parse_reader_text(text, NAMES)
    result = check_reader_step(reader_spec(softplus()), text)
    assert not result["ok"] and message in result["error"]
    assert "\n" not in result["error"] and "Traceback" not in result["error"]


def test_a_step_of_the_wrong_shape_gets_one_line():
    result = check_reader_step(reader_spec(softplus()), "Matrix([[eta], [eta]])")
    assert not result["ok"] and "\n" not in result["error"]


def test_a_spec_from_another_version_is_refused_politely():
    spec = reader_spec(softplus())
    spec["format"] = 99
    result = check_reader_step(spec, "eta")
    assert not result["ok"] and "rebuild the book" in result["error"]


# --- what the browser gets --------------------------------------------------------------------


def test_the_module_imports_no_numpy():
    code = "import sys, glmnotes.book.playground; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_browser_gets_the_sympy_and_mpmath_of_the_lock_file(root):
    sys.path.insert(0, str(root / "tools"))
    import playground_assets

    locked = dict(
        line.strip().split("==")
        for line in (root / "requirements.lock").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    for name, (version, filename, digest) in playground_assets.WHEELS.items():
        assert locked[name] == version, name
        assert filename.startswith(f"{name}-{version}-") and len(digest) == 64


def test_undefined_functions_are_listed_by_their_typeset_name():
    # "Names you can type" shows \(F\) and \(w_{1}\), never a half of sympy's F{\left(t\right)}
    F, w_1 = sp.Function("F"), sp.Function("w_1")
    v = sp.Symbol("v", real=True)
    d = Derivation(sp.Derivative(F(w_1(v)), v), label="playground-undefined-names")
    d.step(
        sp.Subs(sp.Derivative(F(sp.Symbol("u")), sp.Symbol("u")), sp.Symbol("u"), w_1(v))
        * sp.Derivative(w_1(v), v),
        "chain rule",
    )
    latex = {f["reader"]: f.get("latex") for f in reader_spec(d)["functions"]}
    assert latex.get("F") == "F" and latex.get("w_1") == "w_{1}", latex
