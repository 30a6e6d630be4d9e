"""Tests for glmnotes.verify: derivations checked step by step.

References are independent of the code under test: textbook identities that are true (or made
false by a known perturbation), exact rational arithmetic (fractions.Fraction), scipy.special and
mpmath evaluations at the reported counterexample points, myst-nb's own delimiter stripping, and
MathJax itself (the copy shipped with sphinx-mathjax-offline, run by node) for the LaTeX.
"""

from __future__ import annotations

import importlib.util
import json
import pathlib
import re
import shutil
import subprocess
import threading
import time
import warnings
from fractions import Fraction

import mpmath
import pytest
import scipy.special
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from glmnotes import verify
from glmnotes.verify import (
    Derivation,
    DerivationError,
    DerivationWarning,
    Registry,
    VerdictKind,
    check_equal,
    render,
)
from glmnotes.verify.render.latex import counterexample_latex, derivation_latex
from glmnotes.verify.render.text import plain_text

eta = sp.Symbol("eta", real=True)
x = sp.Symbol("x", real=True)
xp = sp.Symbol("x", positive=True)
p = sp.Symbol("p", positive=True)
n = sp.Symbol("n", integer=True, positive=True)

PROPERTY = settings(max_examples=30, deadline=None)


def Eq(left, right):  # noqa: N802 - mirrors sp.Eq
    """An unevaluated equation (sp.Eq may otherwise decide it on creation)."""
    return sp.Eq(left, right, evaluate=False)


def bernoulli_mean() -> Derivation:
    d = Derivation(
        sp.Derivative(sp.log(1 + sp.exp(eta)), eta),
        domain={eta: (-30, 30)},
        title="Bernoulli mean from the log-partition",
        label="bernoulli-mean",
    )
    d.step(sp.exp(eta) / (1 + sp.exp(eta)), "chain rule")
    d.step(1 / (1 + sp.exp(-eta)), "divide by e^eta")
    return d


# --- true identities pass, with the right verdict kind ----------------------------------------


def test_bernoulli_mean_is_proved_symbolically():
    d = bernoulli_mean()
    assert [s.verdict.kind for s in d.steps] == [VerdictKind.PROVED, VerdictKind.PROVED]
    assert all(s.verdict.holds for s in d.steps)
    # The chain's last expression is the logistic function (scipy's expit) at random points.
    final = sp.lambdify(eta, d.steps[-1].expr, "mpmath")
    for value in (-30.0, -2.5, 0.0, 1.3, 29.0):
        assert float(final(value)) == pytest.approx(scipy.special.expit(value), rel=1e-14)


def test_bernoulli_pmf_sums_to_one():
    y = sp.Symbol("y", integer=True, nonnegative=True)
    pmf = p**y * (1 - p) ** (1 - y)
    verdict = check_equal(sp.Sum(pmf, (y, 0, 1)), 1, domain={p: (0, 1)})
    assert verdict.kind is VerdictKind.PROVED


def test_digamma_recurrence_needs_the_gamma_route():
    expr = sp.digamma(xp + 1) - sp.digamma(xp) - 1 / xp
    assert sp.simplify(expr) != 0  # plain simplify cannot settle it
    verdict = check_equal(sp.digamma(xp + 1) - sp.digamma(xp), 1 / xp)
    assert verdict.kind is VerdictKind.PROVED
    assert verdict.route == "gamma"
    # and the recurrence really holds (mpmath as reference)
    assert mpmath.digamma(2.7) - mpmath.digamma(1.7) == pytest.approx(1 / 1.7, rel=1e-14)


def test_beta_ratio_is_proved_by_the_gamma_route():
    a, b = sp.symbols("a b", positive=True)
    verdict = check_equal(sp.beta(a + 1, b) / sp.beta(a, b), a / (a + b))
    assert verdict.kind is VerdictKind.PROVED
    assert verdict.route == "gamma"
    assert scipy.special.beta(3.5, 2.0) / scipy.special.beta(2.5, 2.0) == pytest.approx(2.5 / 4.5)


def test_exponential_density_integrates_to_one():
    lam, y = sp.symbols("lambda y", positive=True)
    verdict = check_equal(
        sp.Integral(lam * sp.exp(-lam * y), (y, 0, sp.oo)), 1, domain={lam: (0, 5)}
    )
    assert verdict.kind is VerdictKind.PROVED


def test_integral_without_closed_form_is_checked_numerically(monkeypatch):
    # sympy's doit finds closed forms (erfc, incomplete gammas) for these in a second or several:
    # whether within its budget depends on the machine. Told to find none, as for an integral
    # without one, the checker must decide numerically, on any machine.
    monkeypatch.setattr(sp.Integral, "doit", lambda self, **hints: self)
    t = sp.Symbol("t", real=True)
    left = sp.Integral(sp.exp(-(t**4)) * (1 + xp * t), (t, 0, 1))
    right = sp.Integral(sp.exp(-(t**4)), (t, 0, 1)) + xp * sp.Integral(
        t * sp.exp(-(t**4)), (t, 0, 1)
    )
    quick = {"numeric_first": True}  # no symbolic route decides either
    verdict = check_equal(left, right, domain={xp: (0, 2)}, **quick)
    assert verdict.kind is VerdictKind.NUMERIC
    assert verdict.points >= 7 and verdict.digits >= 25
    wrong = check_equal(left, right + xp / 1000, domain={xp: (0, 2)}, **quick)
    assert wrong.kind is VerdictKind.FAILED
    # the reported left value is the integral at the reported point (mpmath quadrature)
    point = Fraction(dict(wrong.counterexample.exact_point)["x"])
    reference = mpmath.quad(lambda s: mpmath.exp(-(s**4)) * (1 + float(point) * s), [0, 1])
    assert float(wrong.counterexample.left) == pytest.approx(float(reference), rel=1e-12)


def test_series_without_closed_form_is_evaluated_numerically():
    k = sp.Symbol("k", integer=True, positive=True)
    series = sp.Sum(1 / (k**3 + xp), (k, 1, sp.oo))
    assert series.doit() == series  # sympy has no closed form
    shifted = 1 / (1 + xp) + sp.Sum(1 / ((k + 1) ** 3 + xp), (k, 1, sp.oo))
    verdict = check_equal(series, shifted, domain={xp: (0, 4)})
    assert verdict.kind is VerdictKind.NUMERIC
    off_by_one = 1 / (1 + xp) + sp.Sum(1 / ((k + 1) ** 3 + xp), (k, 0, sp.oo))
    wrong = check_equal(series, off_by_one, domain={xp: (0, 4)})
    assert wrong.kind is VerdictKind.FAILED
    # the two sides differ by the k = 0 term 1/(1 + x) at the reported point
    point = float(Fraction(dict(wrong.counterexample.exact_point)["x"]))
    gap = float(wrong.counterexample.right) - float(wrong.counterexample.left)
    assert gap == pytest.approx(1 / (1 + point), rel=1e-9)


def test_closed_form_series_is_proved():
    k = sp.Symbol("k", integer=True, nonnegative=True)
    series = sp.Sum(xp**k / sp.factorial(k) ** 2, (k, 0, sp.oo))
    assert check_equal(series, sp.besseli(0, 2 * sp.sqrt(xp)), domain={xp: (0, 4)}).holds
    assert check_equal(series, sp.besseli(1, 2 * sp.sqrt(xp)), domain={xp: (0, 4)}).kind is (
        VerdictKind.FAILED
    )


def test_matrix_symbol_identities():
    A, B = sp.MatrixSymbol("A", n, n), sp.MatrixSymbol("B", n, n)
    proved = check_equal(sp.Transpose(A * B), B.T * A.T, dims={n: 3})
    assert proved.kind is VerdictKind.PROVED and proved.concrete == ()  # for every size n
    # sympy writes (AB)^T as B^T A^T on construction: one object, true by definition
    assert check_equal((A * B).T, B.T * A.T, dims={n: 3}).kind is VerdictKind.BY_DEFINITION
    assert check_equal((A + B) * (A - B), A * A - A * B + B * A - B * B, dims={n: 3}).holds
    wrong = check_equal((A * B).T, A.T * B.T, dims={n: 3})
    assert wrong.kind is VerdictKind.FAILED
    assert wrong.counterexample.entry is not None
    assert "random 3x3 matrix" in wrong.counterexample.describe()


def test_scalars_built_from_matrix_expressions():
    i, j = sp.symbols("i j", integer=True)
    X = sp.MatrixSymbol("X", n, n)
    y, b = sp.MatrixSymbol("y", n, 1), sp.MatrixSymbol("b", n, 1)
    frobenius = sp.Sum(sp.Sum(X[i, j] ** 2, (i, 0, n - 1)), (j, 0, n - 1))
    assert check_equal(sp.Trace(X * X.T), frobenius, dims={n: 3}).holds
    assert check_equal(sp.Trace(X * X), frobenius, dims={n: 3}).kind is VerdictKind.FAILED
    assert check_equal((y.T * X * b)[0, 0], (b.T * X.T * y)[0, 0], dims={n: 3}).holds
    assert check_equal((y.T * X * b)[0, 0], (b.T * X * y)[0, 0], dims={n: 3}).kind is (
        VerdictKind.FAILED
    )


def test_woodbury_identity_numerically_with_random_matrices():
    k = sp.Symbol("k", integer=True, positive=True)
    A = sp.MatrixSymbol("A", n, n)
    U, V = sp.MatrixSymbol("U", n, k), sp.MatrixSymbol("V", n, k)
    identity = sp.Identity(k)
    left = (A + U * V.T).I
    right = A.I - A.I * U * (identity + V.T * A.I * U).I * V.T * A.I
    domain = {A: "spd", U: (-1, 1), V: (-1, 1)}
    verdict = check_equal(left, right, domain=domain, dims={n: 4, k: 2})
    assert verdict.holds
    wrong = check_equal(left, right + A.I * U * V.T * A.I / 10, domain=domain, dims={n: 4, k: 2})
    assert wrong.kind is VerdictKind.FAILED


def test_explicit_matrix_softmax_jacobian():
    a, b, c = sp.symbols("a b c", real=True)
    exps = sp.Matrix([sp.exp(a), sp.exp(b), sp.exp(c)])
    softmax = exps / sum(exps)
    # unevaluated derivatives: the check, not the construction, differentiates
    jacobian = sp.Matrix(3, 3, lambda i, j: sp.Derivative(softmax[i], (a, b, c)[j]))
    verdict = check_equal(jacobian, sp.diag(*softmax) - softmax * softmax.T)
    assert verdict.kind is VerdictKind.PROVED
    # built eagerly, both sides are already one object: true by definition, nothing proved
    eager = check_equal(softmax.jacobian([a, b, c]), sp.diag(*softmax) - softmax * softmax.T)
    assert eager.kind in (VerdictKind.BY_DEFINITION, VerdictKind.PROVED)
    wrong = check_equal(jacobian, sp.diag(*softmax) + softmax * softmax.T)
    assert wrong.kind is VerdictKind.FAILED


def test_integer_symbols_get_integer_points():
    # true at integers only (at m = 1.3 the left side is 1): floor(m/2) + ceiling(m/2) = m
    m = sp.Symbol("m", integer=True)
    verdict = check_equal(sp.floor(m / 2) + sp.ceiling(m / 2), m, domain={m: (-9, 9)})
    assert verdict.kind is VerdictKind.NUMERIC
    real = sp.Symbol("m", real=True)
    assert check_equal(sp.floor(real / 2) + sp.ceiling(real / 2), real).kind is VerdictKind.FAILED
    k = sp.Symbol("k", integer=True, positive=True)
    wrong = check_equal(sp.Sum(k, (k, 1, n)), n**2 / 2, domain={n: (1, 20)})
    assert wrong.kind is VerdictKind.FAILED
    value = dict(wrong.counterexample.point)["n"]
    assert re.fullmatch(r"\d+", value)
    assert Fraction(wrong.counterexample.left) == sum(range(1, int(value) + 1))


def test_tolerance_is_far_below_double_precision():
    # a relative error of 1e-15 (invisible in float64 checks) is a counterexample
    verdict = check_equal(xp, xp * (1 + sp.Rational(1, 10**15)))
    assert verdict.kind is VerdictKind.FAILED


def test_undefined_functions_are_failed_only_with_a_proof():
    f = sp.Function("f")
    assert check_equal(f(x) * (1 + x), f(x) + x * f(x)).kind is VerdictKind.PROVED
    verdict = check_equal(sp.Abs(f(x)) ** 2, f(x) * sp.conjugate(f(x)))  # true, but undecided
    assert verdict.kind is VerdictKind.UNVERIFIED
    assert not verdict.holds
    assert "undefined function(s) f" in verdict.reason
    # no point can be sampled, but the difference is the constant -1: false, with that reason
    never = check_equal(f(x) ** 2, f(x) ** 2 + 1)
    assert never.kind is VerdictKind.FAILED and never.counterexample is None
    assert "-1" in never.reason and "never zero" in never.reason
    undecided = check_equal(f(x) ** 2, f(x) ** 3)  # false for most f, but neither route shows it
    assert undecided.kind is VerdictKind.UNVERIFIED


def test_points_are_reproducible_per_seed():
    first = check_equal(sp.exp(x), 1 + x, seed="some-label#3")
    second = check_equal(sp.exp(x), 1 + x, seed="some-label#3")
    other = check_equal(sp.exp(x), 1 + x, seed="other-label#3")
    assert first == second
    assert first.counterexample.point != other.counterexample.point


def test_check_equal_works_outside_the_main_thread():
    results = {}

    def run():
        results["true"] = check_equal(sp.cos(x) ** 2 + sp.sin(x) ** 2, 1)
        results["false"] = check_equal(sp.cos(x) ** 2, 1)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=300)  # a safety net against a hang only: the checks take well under 1 s
    assert not worker.is_alive(), "check_equal outside the main thread did not return"
    assert results["true"].holds
    assert results["false"].kind is VerdictKind.FAILED


# --- time budgets, tested without depending on the machine's speed ----------------------------
#
# An operation a budget must stop is replaced by one that never finishes on its own (it sleeps in
# short steps, which a timer's signal interrupts): the budget must cut it on any machine, however
# fast or slow. If no budget stops it within SAFETY_SECONDS, far above every budget below, the
# budget mechanism is broken: it records that it escaped and gives up (the test fails, not hangs).

SAFETY_SECONDS = 30.0


class Stall:
    """Stand-ins for operations that never finish, recording (in a file, so that a process a
    budget might run them in is seen too) which were entered and which escaped every budget."""

    def __init__(self, directory: pathlib.Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.log = directory / "stall.log"
        self.log.touch()

    def __call__(self, name: str):
        def never_finishes(*args, **kwargs):
            with self.log.open("a") as log:
                log.write(f"entered {name}\n")
            end = time.monotonic() + SAFETY_SECONDS
            while time.monotonic() < end:
                time.sleep(0.001)
            with self.log.open("a") as log:
                log.write(f"escaped {name}\n")
            raise RuntimeError(f"no budget stopped {name} within {SAFETY_SECONDS} s")

        return never_finishes

    def events(self, what: str) -> list[str]:
        lines = self.log.read_text().splitlines()
        return [line.removeprefix(what) for line in lines if line.startswith(what)]

    @property
    def entered(self) -> list[str]:
        return self.events("entered ")

    @property
    def escaped(self) -> list[str]:
        return self.events("escaped ")


def stall_routes(monkeypatch, stall: Stall) -> None:
    """Every symbolic route (sympy's cancel, expand, simplify) never finishes."""
    for name in ("cancel", "expand", "simplify"):
        monkeypatch.setattr(sp, name, stall(name))


class Stalled(sp.Function):
    """A function whose numeric evaluation never finishes (set ``Stalled.stall`` first)."""

    stall = None

    def _eval_evalf(self, prec):
        return type(self).stall("numeric evaluation")(prec)


def test_a_route_that_never_finishes_is_cut_by_the_symbolic_budget_and_named(monkeypatch, tmp_path):
    # every symbolic route runs for ever: the symbolic budget stops the first one and leaves no
    # time for the others, the step is still decided (numerically), and the verdict says so
    monkeypatch.delenv("GLMNOTES_TIME_SCALE", raising=False)  # the budgets as given
    stall = Stall(tmp_path)
    stall_routes(monkeypatch, stall)
    forced = check_equal((xp + 1) ** 300 * (xp - 1) ** 300, (xp**2 - 1) ** 300, symbolic_budget=0.5)
    assert stall.entered[:1] == ["cancel"] and stall.escaped == []
    assert forced.kind is VerdictKind.NUMERIC
    assert "route cancel" in forced.clock_cuts, forced.clock_cuts
    assert any("symbolic budget spent" in cut for cut in forced.clock_cuts), forced.clock_cuts
    assert forced.to_record()["clock_cuts"] == list(forced.clock_cuts)


def test_doit_that_would_take_long_is_bounded_and_reported(monkeypatch, tmp_path):
    # an integral whose doit() never finishes: the route time limit stops it, the identity is
    # still decided (by a route or numerically: both hold), and the verdict names the cut
    monkeypatch.delenv("GLMNOTES_TIME_SCALE", raising=False)  # the budgets as given
    stall = Stall(tmp_path)
    monkeypatch.setattr(sp.Integral, "doit", stall("doit"))
    t = sp.Symbol("t", real=True)
    verdict = check_equal(
        sp.Integral(sp.exp(-(t**4) - xp * t), (t, 0, 1)),
        sp.Integral(sp.exp(-(t**4)) * sp.exp(-xp * t), (t, 0, 1)),
        domain={xp: (0, 2)},
        time_limit=0.05,
        symbolic_budget=1.0,
    )
    assert "doit" in stall.entered and stall.escaped == []
    assert verdict.holds, verdict.describe()
    assert "doit" in verdict.clock_cuts, verdict.clock_cuts


def test_a_verdict_reached_within_its_budgets_has_no_clock_cuts():
    verdict = check_equal(sp.exp(eta) / (1 + sp.exp(eta)), 1 / (1 + sp.exp(-eta)))
    assert verdict.kind is VerdictKind.PROVED
    assert verdict.clock_cuts == ()
    assert "clock_cuts" not in verdict.to_record()


def test_time_scale_multiplies_every_budget(monkeypatch, tmp_path):
    # Each budget under test is given as 100 s, and the scale is 1e-3: scaled, it is 0.1 s and
    # stops the operation that never finishes; unscaled, that operation would escape after
    # SAFETY_SECONDS (30 s) first. The other budgets stay large even once scaled (1000 s), so
    # that only the budget under test can stop anything.
    monkeypatch.setenv("GLMNOTES_TIME_SCALE", "1e-3")
    identity = (sp.sin(x) ** 2 + sp.cos(x) ** 2, sp.Integer(1))
    large = 1e6

    # the time limit of each route
    stall = Stall(tmp_path / "route")
    with monkeypatch.context() as patch:
        stall_routes(patch, stall)
        per_route = check_equal(
            *identity, time_limit=100.0, symbolic_budget=large, evaluation_time_limit=large
        )
    assert {"cancel", "expand", "simplify"} <= set(stall.entered) and stall.escaped == []
    assert {"route cancel", "route expand", "route simplify"} <= set(per_route.clock_cuts)
    assert per_route.holds, per_route.describe()  # still decided, numerically

    # the symbolic budget of all routes together
    stall = Stall(tmp_path / "symbolic")
    with monkeypatch.context() as patch:
        stall_routes(patch, stall)
        all_routes = check_equal(
            *identity, time_limit=large, symbolic_budget=100.0, evaluation_time_limit=large
        )
    assert stall.escaped == []
    assert set(stall.entered) <= {"cancel"}  # the first route used up the budget, if any did
    assert any("symbolic budget spent" in cut for cut in all_routes.clock_cuts)
    assert all_routes.holds, all_routes.describe()

    # the time limit of a numeric evaluation
    stall = Stall(tmp_path / "numeric")
    monkeypatch.setattr(Stalled, "stall", stall)
    evaluation = check_equal(
        Stalled(x),
        x,
        time_limit=large,
        symbolic_budget=large,
        evaluation_time_limit=100.0,
        numeric_first=True,
    )
    assert stall.entered[:1] == ["numeric evaluation"] and stall.escaped == []
    assert "numeric evaluation" in evaluation.clock_cuts
    assert evaluation.kind is VerdictKind.UNVERIFIED  # a cut never decides an identity

    monkeypatch.setenv("GLMNOTES_TIME_SCALE", "4")
    assert verify.time_scale() == 4.0
    monkeypatch.delenv("GLMNOTES_TIME_SCALE")
    assert verify.time_scale() == 1.0


@pytest.mark.parametrize("text", ["0", "-1", "nan", "inf", "fast"])
def test_a_bad_time_scale_is_a_clear_error(monkeypatch, text):
    monkeypatch.setenv("GLMNOTES_TIME_SCALE", text)
    with pytest.raises(ValueError, match="GLMNOTES_TIME_SCALE.*positive number"):
        check_equal(x, x)


# --- false steps fail with a counterexample naming step, justification, point, values ------


def test_false_step_raises_with_label_step_why_point_and_values():
    d = bernoulli_mean()
    with pytest.raises(DerivationError) as caught:
        d.step(sp.exp(eta) / 2, "halve it")
    message = str(caught.value)
    assert "'bernoulli-mean'" in message
    assert "step 3" in message
    assert "(halve it)" in message
    match = re.search(
        r"at eta (?:=|≈) (\S+) the left side is (\S+) and the right side is (\S+)\.", message
    )
    assert match, message
    left, right = float(match.group(2)), float(match.group(3))
    point = float(match.group(1))
    assert -30 < point < 30
    assert left == pytest.approx(scipy.special.expit(point), rel=1e-13)
    assert right == pytest.approx(float(mpmath.exp(point)) / 2, rel=1e-13)
    assert len(d.steps) == 2  # the false step was not added


def test_false_start_of_equation_chain_raises():
    with pytest.raises(DerivationError, match=r"step 0 \(start\) is false"):
        Derivation(sp.Eq(sp.exp(x), 1 + x, evaluate=False), label="bad-start")


# --- equation chains, given ------------------------------------------------------------------


def test_equation_chain_checks_every_line_on_its_own():
    y = sp.Symbol("y", integer=True, nonnegative=True)
    q = sp.Symbol("q", positive=True)
    d = Derivation(
        Eq(q**y * (1 - q) ** (1 - y), sp.exp(y * sp.log(q) + (1 - y) * sp.log(1 - q))),
        domain={q: (0, 1), y: (0, 1)},
        label="bernoulli-expfam",
        # log(1 - q) = -log(1 + q/(1 - q)) fails for q > 1 by 2*pi*i (the logs' branches)
        condition=r"0 < q < 1",
    )
    d.step(
        Eq(
            sp.exp(y * sp.log(q) + (1 - y) * sp.log(1 - q)),
            sp.exp(y * sp.log(q / (1 - q)) + sp.log(1 - q)),
        ),
        "collect the terms in y",
    )
    with pytest.raises(DerivationError, match="step 2"):
        d.step(Eq(sp.log(1 - q), -sp.log(1 + q / (1 - q)) + 1), "log-partition")
    d.step(Eq(sp.log(1 - q), -sp.log(1 + q / (1 - q))), "log-partition")
    assert d.is_equation_chain
    assert d.start_verdict.holds
    assert all(s.verdict.holds for s in d.steps)
    assert d.counts()["steps"] == 3


def test_equation_chain_steps_must_be_equations_and_expression_steps_must_not():
    d = Derivation(sp.Eq(x + x, 2 * x, evaluate=False), label="eq-chain")
    with pytest.raises(ValueError, match="equation chain"):
        d.step(2 * x, "oops")
    e = Derivation(x + x, label="expr-chain")
    with pytest.raises(ValueError, match="expression chain"):
        e.step(sp.Eq(x, x, evaluate=False), "oops")


def test_given_substitution_is_applied_before_checking():
    phi = sp.Symbol("phi", positive=True)
    start = Eq(1 / (1 + sp.exp(-eta)), phi)
    with pytest.raises(DerivationError):
        Derivation(start, domain={phi: (0, 1), eta: (-5, 5)}, label="no-given")
    d = Derivation(
        start,
        domain={phi: (0, 1)},
        given={eta: sp.log(phi / (1 - phi))},
        label="logit-inverts-sigmoid",
    )
    assert d.start_verdict.holds


# --- errata ----------------------------------------------------------------------------------


def test_erratum_step_is_shown_false_and_the_chain_continues_from_the_last_true_step():
    y = sp.Symbol("y", real=True)
    yhat = sp.Symbol("yhat", positive=True)
    ll = y * sp.log(yhat) + (1 - y) * sp.log(1 - yhat)
    # log(a^b) = b log(a) needs a > 0: the step holds on the box, not beyond it, so the
    # derivation must state the condition (test_a_step_true_only_on_its_box_needs_a_condition)
    d = Derivation(
        ll,
        domain={y: (0, 1), yhat: (0, 1)},
        label="log-likelihood",
        condition=r"0 < \hat y < 1",
    )
    d.step(
        y * sp.log(yhat) * (1 - y) * sp.log(1 - yhat),
        "the notes' step: product instead of sum",
        erratum="000: log-likelihood",
    )
    # compared with the last true expression (ll), not with the erratum's product
    d.step(sp.log(yhat**y) + sp.log((1 - yhat) ** (1 - y)), "log of a power")
    erratum, corrected = d.steps
    assert erratum.verdict.kind is VerdictKind.FAILED
    assert erratum.erratum == "000: log-likelihood"
    assert corrected.verdict.holds
    assert corrected.compared_with == ll
    # the counterexample is a real one (mpmath reference at the reported point)
    point = {
        name: mpmath.mpf(Fraction(v).numerator) / Fraction(v).denominator
        for name, v in erratum.verdict.counterexample.exact_point
    }
    y0, yhat0 = point["y"], point["yhat"]
    assert float(erratum.verdict.counterexample.left) == pytest.approx(
        float(y0 * mpmath.log(yhat0) + (1 - y0) * mpmath.log(1 - yhat0)), rel=1e-12
    )
    assert float(erratum.verdict.counterexample.right) == pytest.approx(
        float(y0 * mpmath.log(yhat0) * (1 - y0) * mpmath.log(1 - yhat0)), rel=1e-12
    )
    latex = derivation_latex(d)
    assert r"\neq" in latex and "false [000: log-likelihood]" in latex
    counts = d.counts()
    assert counts["errata"] == 1 and counts["proved"] + counts["numeric"] == 1


def test_true_erratum_raises():
    d = bernoulli_mean()
    with pytest.raises(DerivationError, match="expected the notes' step to be false but it holds"):
        d.step(sp.exp(eta) / (sp.exp(eta) + 1), "the notes' step", erratum="001: sigma")


def test_erratum_that_cannot_be_decided_raises():
    f = sp.Function("f")
    d = Derivation(f(x) ** 2, label="undecidable")
    with pytest.raises(DerivationError, match="could not be shown false"):
        d.step(f(x) ** 3, "the notes' step", erratum="002: power")


# --- unverified ------------------------------------------------------------------------------


def test_unverified_step_raises_by_default_and_is_marked_when_allowed():
    f = sp.Function("f")
    d = Derivation(sp.Abs(f(x)) ** 2, label="unverifiable")
    with pytest.raises(DerivationError, match="could not be verified.*allow_unverified=True"):
        d.step(f(x) * sp.conjugate(f(x)), "modulus squared")
    assert d.steps == []
    d.step(f(x) * sp.conjugate(f(x)), "modulus squared", allow_unverified=True)
    one = (x**2 - 1) / ((x - 1) * (x + 1))  # 1, once cancelled
    d.step(sp.conjugate(f(x)) * f(x) * one, "times one")  # checked against the unverified line
    kinds = [s.verdict.kind for s in d.steps]
    assert kinds == [VerdictKind.UNVERIFIED, VerdictKind.PROVED]
    assert not d.steps[0].verdict.holds
    d.layout = "inline"
    first_row = rows("$$" + derivation_latex(d) + "$$")[0]
    assert "not verified" in first_row and r"\checkmark" not in first_row
    assert "not verified" in plain_text(d).splitlines()[2]
    checked = Registry("tests")
    checked.add(d)
    assert checked.summary()["unverified"] == 1


# --- display ---------------------------------------------------------------------------------


def rows(latex: str) -> list[str]:
    body = latex.removeprefix("$$").removesuffix("$$")
    assert body.startswith("\\begin{aligned}\n") and body.endswith("\n\\end{aligned}")
    inner = body.removeprefix("\\begin{aligned}\n").removesuffix("\n\\end{aligned}")
    return inner.split(" \\\\\n")


def balanced(latex: str) -> bool:
    depth = 0
    for token in re.findall(r"\\[{}]|[{}]", latex):
        if token in ("\\{", "\\}"):
            continue
        depth += 1 if token == "{" else -1
        if depth < 0:
            return False
    return depth == 0


def mixed_derivation() -> Derivation:
    t = sp.Symbol("t", real=True)
    d = bernoulli_mean()  # two proved steps
    d.step(
        sp.Integral(sp.exp(-(t**2)) / sp.sqrt(sp.pi), (t, -sp.oo, sp.oo)) / (1 + sp.exp(-eta)),
        "multiply by a Gaussian integral (= 1) & 50% # _x_ {braces} \\ $e^{\\eta}$ ~ ^",
    )
    d.step(sp.exp(eta), "the notes' step", erratum="000: mean")
    return d


def test_latex_has_one_line_per_step_with_marks_and_justifications():
    d = mixed_derivation()
    d.layout = "inline"  # one row per step, mark and justification beside it
    lines = rows("$$" + derivation_latex(d) + "$$")
    assert len(lines) == len(d.steps) + 1 == 5  # one row per step, then the scope
    # the scope row names what the lines are about (the title), then the box
    title = render.latex.breakable_text_latex(d.title) + r"\text{: }"
    scope = render.latex.scope_latex(d)
    assert lines[4] == rf"&\qquad {{\small {{\scriptstyle {title}{scope}}}}}"
    assert r"\eta \in (-30, 30)" in lines[4] and r"\text{Bernoulli}\ \text{mean}" in lines[4]
    lines = lines[:4]
    for line in lines:
        assert line.count("&") - line.count(r"\&") == 3  # left &= right && annotation
        assert balanced(line)
    assert lines[0].startswith(render.latex.expr_latex(d.start))
    assert r"\text{(chain rule)}" in lines[0] and r"\checkmark" in lines[0]
    assert "proved" in lines[0]
    assert r"\text{(divide by e}\hat{}\text{eta)}" in lines[1]
    assert r"\&" in lines[2] and r"\%" in lines[2] and r"\#" in lines[2] and r"\_" in lines[2]
    assert "{e^{\\eta}}" in lines[2]  # inline math from the justification is kept as math
    assert r"\times" in lines[3] and "false" in lines[3] and r"\eta \approx " in lines[3]
    assert r"\neq" in lines[3] and r"\checkmark" not in lines[3]
    latex = "$$" + derivation_latex(d) + "$$"
    assert balanced(latex) and "\n\n" not in latex
    assert latex.count(r"\begin{aligned}") == latex.count(r"\end{aligned}") == 1


def test_numeric_step_is_marked_with_its_number_of_points():
    m = sp.Symbol("m", integer=True)
    d = Derivation(sp.floor(m / 2) + sp.ceiling(m / 2), domain={m: (-9, 9)}, label="numeric-mark")
    d.step(
        m,
        "m is an integer",
    )
    verdict = d.steps[0].verdict
    cheap_points = verify.numeric.N_POINTS_CHEAP
    assert verdict.kind is VerdictKind.NUMERIC and verdict.points == cheap_points  # cheap: more
    assert verdict.digits == verify.numeric.MAX_DIGITS  # exact integers: exact agreement
    d.layout = "inline"
    line, scope = rows("$$" + derivation_latex(d) + "$$")
    assert r"\checkmark" in line and f"numeric, {cheap_points} points, 105 digits" in line
    assert "proved" not in line and r"m \in \{-9, \dots, 9\}" in scope
    assert f"agrees numerically at {cheap_points} points" in plain_text(d)


def test_myst_nb_glue_math_gets_the_aligned_block():
    from myst_nb.core.render import strip_latex_delimiters

    d = mixed_derivation()
    stripped = strip_latex_delimiters("$$" + derivation_latex(d) + "$$")
    assert stripped == derivation_latex(d)
    assert stripped.startswith(r"\begin{aligned}") and stripped.endswith(r"\end{aligned}")


def run_mathjax(script: str, formulas: list[str], workdir: pathlib.Path) -> list:
    """Run a node script with MathJax 3 (sphinx-mathjax-offline's copy) on the formulas (JSON on
    stdin); returns the JSON list it prints last."""
    node = shutil.which("node")
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if node is None or spec is None or spec.origin is None:
        pytest.skip("node or sphinx-mathjax-offline's MathJax is not installed")
    mathjax = pathlib.Path(spec.origin).parent / "static" / "mathjax"
    script_path = workdir / "typeset.js"
    script_path.write_text(script)
    result = subprocess.run(
        [node, str(script_path), str(mathjax)],
        input=json.dumps(formulas),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def mathjax_widths(formulas: list[str], workdir: pathlib.Path) -> list[float]:
    """Rendered widths (in ex) of display formulas, typeset by MathJax 3 to SVG under node."""
    script = """
const dir = process.argv[2];
const MathJax = require(dir + '/node-main.js');
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
MathJax.init({
  loader: {paths: {mathjax: dir}, load: ['input/tex', 'output/svg', 'adaptors/liteDOM']},
  startup: {typeset: false}
}).then((MJ) => {
  const out = input.map((tex) => {
    const svg = MJ.startup.adaptor.outerHTML(MJ.tex2svg(tex, {display: true}));
    return parseFloat(svg.match(/width="([0-9.]+)ex"/)[1]);
  });
  console.log(JSON.stringify(out));
});
"""
    return run_mathjax(script, formulas, workdir)


def mathjax_errors(formulas: list[str], workdir: pathlib.Path) -> list[str]:
    """Typeset with MathJax 3 (sphinx-mathjax-offline's copy) under node; undefined macros are
    errors. Returns one result per formula: 'ok' or the error."""
    script = """
const dir = process.argv[2];
const MathJax = require(dir + '/node-main.js');
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
MathJax.init({
  loader: {paths: {mathjax: dir}, load: ['input/tex', 'adaptors/liteDOM']},
  tex: {packages: {'[-]': ['noundefined']}, formatError: (jax, err) => { throw err; }},
  startup: {typeset: false}
}).then((MJ) => {
  const out = input.map((tex) => {
    try {
      const mml = MJ.tex2mml(tex, {display: true});
      return mml.includes('merror') ? 'merror: ' + mml : 'ok';
    } catch (e) { return 'error: ' + e.message; }
  });
  console.log(JSON.stringify(out));
});
"""
    return run_mathjax(script, formulas, workdir)


def other_derivations() -> list[Derivation]:
    """An equation chain with an erratum and a numeric line, a matrix chain with a matrix
    counterexample, an unverified step, and a chain with no steps yet."""
    m = sp.Symbol("m", integer=True)
    chain = Derivation(Eq(sp.floor(m / 2) + sp.ceiling(m / 2), m), label="eq", domain={m: (-9, 9)})
    chain.step(Eq(sp.exp(2 * x), 2 * sp.exp(x)), "the notes' doubling", erratum="002: exp")
    chain.step(Eq(sp.exp(2 * x), sp.exp(x) ** 2), "a power\nof e\n\nsquared")
    A, B = sp.MatrixSymbol("A", n, n), sp.MatrixSymbol("B", n, n)
    matrices = Derivation((A * B).T, label="matrices", dims={n: 3})
    matrices.step(A.T * B.T, "the notes' transpose", erratum="001: transpose")
    matrices.step(B.T * A.T, "reverse the order")
    matrices.step(sp.Matrix([[1, 2, 3], [4, 5, 6], [7, 8, 9]]) * 0 + (A * B).T, "add nothing")
    f = sp.Function("f")
    loose = Derivation(sp.Abs(f(x)) ** 2, label="loose")
    loose.step(f(x) * sp.conjugate(f(x)), "modulus", allow_unverified=True)
    return [chain, matrices, loose, Derivation(sp.exp(x), label="empty")]


def test_latex_is_valid_mathjax_as_sphinx_wraps_it(tmp_path):
    formulas = []
    for d in [mixed_derivation(), *other_derivations(), labels_loglik()]:
        for layout in verify.LAYOUTS:
            d.layout = layout
            aligned = derivation_latex(d)
            assert "\n\n" not in aligned and balanced(aligned)
            formulas += [aligned, r"\begin{split}" + aligned + r"\end{split}"]  # as sphinx wraps it
    formulas.append(render.latex.scope_latex(labels_loglik()))
    broken = formulas[0].replace(r"\end{aligned}", "")
    results = mathjax_errors([*formulas, broken, r"\undefinedmacro{x}"], tmp_path)
    assert results[:-2] == ["ok"] * len(formulas)
    assert results[-2].startswith("error") and results[-1].startswith("error")  # it can fail


def test_plain_text_has_one_line_per_step():
    d = mixed_derivation()
    text = plain_text(d)
    assert str(d) == text  # print(d) writes what the installed renderer writes
    assert repr(d) == f"<Derivation {d.label!r}: 4 checked lines (3 proved, 1 errata)>"
    lines = text.splitlines()
    assert lines[0] == "Derivation 'bernoulli-mean': Bernoulli mean from the log-partition"
    step_lines = [line for line in lines if re.match(r"\s+\d+\. ", line)]
    assert len(step_lines) == 4
    assert "[chain rule] proved symbolically" in step_lines[0]
    assert step_lines[3].lstrip().startswith("4. != exp(eta)")
    assert "erratum 000: mean: false: at eta ≈ " in step_lines[3]
    assert r"\text" not in text and r"\checkmark" not in text and r"\frac" not in text


def test_plain_text_keeps_each_step_on_one_line_for_matrices_and_multiline_reasons():
    for d in other_derivations():
        step_lines = [line for line in plain_text(d).splitlines() if re.match(r"\s+\d+\. ", line)]
        assert len(step_lines) == len(d.lines())
        d.layout = "inline"
        scope_rows = 1 if render.latex.scope_latex(d) else 0
        assert len(rows("$$" + derivation_latex(d) + "$$")) == max(len(d.lines()), 1) + scope_rows


def test_mimebundle_carries_a_json_record_in_the_output_metadata():
    from IPython.core.formatters import format_display_data

    d = mixed_derivation()
    data, metadata = format_display_data(d)
    assert data["text/latex"] == ("$$" + derivation_latex(d) + "$$")
    assert data["text/plain"] == plain_text(d)
    record = json.loads(json.dumps(metadata["glmnotes"]))
    assert record["label"] == "bernoulli-mean"
    assert record["title"] == "Bernoulli mean from the log-partition"
    assert [s["why"] for s in record["steps"]] == [s.why for s in d.steps]
    assert [s["verdict"]["kind"] for s in record["steps"]] == [
        "proved",
        "proved",
        "proved",
        "failed",
    ]
    assert record["steps"][3]["erratum"] == "000: mean"
    assert record["counts"] == {
        "steps": 4,
        "proved": 3,
        "by definition": 0,
        "numeric": 0,
        "errata": 1,
        "unverified": 0,
    }
    assert record["scope"] == "checked for eta in (-30, 30)"
    assert record["domain"] == {"eta": ["-30", "30"]}


def test_glue_preserves_the_record_in_an_executed_notebook(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    source = (
        "import sympy as sp\n"
        "from myst_nb import glue\n"
        "from glmnotes.verify import Derivation\n"
        "eta = sp.Symbol('eta', real=True)\n"
        "d = Derivation(sp.Derivative(sp.log(1 + sp.exp(eta)), eta), domain={eta: (-30, 30)},\n"
        "               title='Bernoulli mean', label='bernoulli-mean')\n"
        "d.step(1 / (1 + sp.exp(-eta)), 'chain rule')\n"
        "glue('bernoulli-mean', d, display=False)"
    )
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbclient.NotebookClient(notebook, timeout=120, record_timing=False).execute()
    (output,) = notebook.cells[0].outputs
    assert output.metadata["scrapbook"]["name"] == "bernoulli-mean"
    assert output.metadata["glmnotes"]["label"] == "bernoulli-mean"
    assert output.metadata["glmnotes"]["steps"][0]["verdict"]["kind"] == "proved"
    latex = output.data["application/papermill.record/text/latex"]
    assert latex.startswith("$$\\begin{aligned}")


# --- registry --------------------------------------------------------------------------------


def test_registry_counts_per_kind():
    checked = Registry("01-bernoulli")
    d = mixed_derivation()
    checked.add(d)
    e = Derivation(
        sp.Eq(sp.exp(2 * x), sp.exp(x) ** 2, evaluate=False), label="squares", registry=checked
    )
    e.step(sp.Eq(sp.log(xp**2), 2 * sp.log(xp), evaluate=False), "log of a square")
    f = Derivation(sp.Eq(sp.exp(x), sp.exp(x), evaluate=False), label="same", registry=checked)
    summary = checked.summary()
    assert summary["derivations"] == 3
    assert summary["steps"] == 7
    assert summary["errata"] == 1
    assert summary["by definition"] == 2  # exp(2x) = (e^x)^2 is one object in sympy; e^x = e^x
    assert summary["proved"] + summary["numeric"] == 4
    assert str(summary).startswith("7 steps in 3 derivations:")
    assert "2 true by definition (nothing to prove)" in str(summary)
    assert [r.label for r in checked.derivations()] == ["bernoulli-mean", "squares", "same"]
    assert e.chapter == "01-bernoulli" and f.record()["chapter"] == "01-bernoulli"


def test_registry_counts_only_derivations_with_a_checked_line():
    checked = Registry("tests")
    checked.add(bernoulli_mean())  # two proved steps
    caught = Derivation(sp.exp(x), label="caught", registry=checked)
    with pytest.raises(DerivationError):
        caught.step(sp.exp(x) + 1, "a slip")  # its only step raised: nothing was checked
    half = Derivation(Eq(sp.exp(2 * x), sp.exp(x) ** 2), label="half", registry=checked)
    with pytest.raises(DerivationError):
        half.step(Eq(sp.exp(2 * x), 2 * sp.exp(x)), "a slip")  # the start was checked
    assert [len(d.lines()) for d in checked.derivations()] == [2, 0, 1]
    summary = checked.summary()
    assert summary["derivations"] == 2 and summary["steps"] == 3
    assert str(summary).startswith("3 steps in 2 derivations:")


def test_a_derivation_is_recorded_only_where_asked():
    # no registry: nothing is recorded anywhere (no global state for tests to clear)
    first, second = Registry("a"), Registry("b")
    Derivation(sp.exp(x), label="unrecorded")
    Derivation(sp.exp(x), label="in-a", registry=first)
    assert [d.label for d in first.derivations()] == ["in-a"] and second.derivations() == []
    with pytest.raises(ValueError, match="Registry"):
        Derivation(sp.exp(x), label="bad", registry="chapter")


def test_argued_claims_are_counted_apart_and_shown_as_not_checked():
    from IPython.core.formatters import format_display_data

    checked = Registry("tests")
    checked.add(bernoulli_mean())
    item = checked.argued("thm-x", "the induction step for every depth")
    cited = checked.argued("thm-y", "Eckart-Young", how="cited: eckart1936")
    summary = checked.summary()
    assert summary["argued"] == 2 and summary["steps"] == 2
    assert "2 claim(s) argued in prose or cited, not machine-checked" in str(summary)
    data, metadata = format_display_data(item)
    assert "not machine-checked" in data["text/html"] and "argued in prose" in data["text/plain"]
    assert metadata["glmnotes"]["argued"]["label"] == "thm-x"
    assert cited.how == "cited: eckart1936"
    with pytest.raises(ValueError, match="argued in prose"):
        checked.argued("thm-z", "claim", how="obvious")


def test_reusing_a_label_for_another_derivation_warns_and_replaces():
    checked = Registry("tests")
    checked.add(bernoulli_mean())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        checked.add(bernoulli_mean())  # re-running the same cell: silent
    with pytest.warns(DerivationWarning, match="reused"):
        Derivation(sp.exp(x), label="bernoulli-mean", registry=checked)
    assert len(checked.derivations()) == 1


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"a": 0.5 * x, "b": x / 2}, "float"),
        ({"a": "x + 1", "b": x}, "sympy expression"),
        ({"a": x, "b": x, "domain": {x: (1, 1)}}, "lo < hi"),
        ({"a": x, "b": x, "domain": {x: (0, float("inf"))}}, "finite"),
        ({"a": x, "b": x, "domain": {x: (float("nan"), 1)}}, "finite"),
        ({"a": x, "b": x, "domain": {"x": (0, 1)}}, "Symbols"),
        ({"a": x, "b": x, "domain": {x: 3}}, "pair"),
        ({"a": xp, "b": xp, "domain": {xp: (-1, 1)}}, "positive"),
        ({"a": x, "b": x, "n_points": 0}, "n_points"),
        ({"a": x, "b": x, "digits": 15}, "digits"),
        ({"a": sp.Matrix([x]), "b": x}, "matrix with a scalar"),
        ({"a": sp.Matrix([x, x]), "b": sp.Matrix([[x, x]])}, "different shapes"),
        ({"a": sp.MatrixSymbol("A", n, n) * 2, "b": sp.MatrixSymbol("A", n, n) * 3}, "dims"),
        ({"a": x, "b": x, "dims": {n: 0}}, "positive integer"),
        (
            {"a": sp.ones(2, 2) + sp.MatrixSymbol("A", n, n), "b": sp.ones(2, 2), "dims": {n: 3}},
            "shapes do not match once dims",
        ),
        ({"a": x, "b": sp.nan}, "nan"),
        ({"a": sp.Eq(x, 2 * x), "b": x}, "eq.lhs, eq.rhs"),
    ],
)
def test_bad_input_is_a_clear_value_error(kwargs, message):
    a, b = kwargs.pop("a"), kwargs.pop("b")
    with pytest.raises(ValueError, match=message):
        check_equal(a, b, **kwargs)


def test_bad_derivation_input_is_a_clear_value_error():
    with pytest.raises(ValueError, match="evaluate=False"):
        Derivation(sp.Eq(x, x), label="auto-true")
    with pytest.raises(ValueError, match="label"):
        Derivation(x, label="")
    with pytest.raises(ValueError, match="label"):
        Derivation(x, label="has spaces")
    with pytest.raises(ValueError, match="only sp.Eq"):
        Derivation(sp.Lt(x, 1), label="relation")
    d = Derivation(x, label="ok")
    with pytest.raises(ValueError, match="justification"):
        d.step(x, "")
    with pytest.raises(ValueError, match="erratum"):
        d.step(x + 1, "wrong", erratum="")


# --- property tests --------------------------------------------------------------------------

coefficients = st.lists(st.integers(-9, 9), min_size=1, max_size=4)


def polynomial(coeffs: list[int], var: sp.Symbol) -> sp.Expr:
    return sum(c * var**i for i, c in enumerate(coeffs))


def poly_value(coeffs: list[int], value: Fraction) -> Fraction:
    return sum((c * value**i for i, c in enumerate(coeffs)), Fraction(0))


@PROPERTY
@given(st.lists(coefficients, min_size=1, max_size=3))
def test_random_products_of_polynomials_equal_their_expansion(factors):
    product = sp.Mul(*[polynomial(c, x) for c in factors], evaluate=False)
    verdict = check_equal(product, sp.expand(product))
    # a product sympy already writes as its expansion (e.g. 0, or a constant) is one object
    assert verdict.kind in (VerdictKind.PROVED, VerdictKind.BY_DEFINITION)


@PROPERTY
@given(coefficients, coefficients, coefficients, coefficients)
def test_random_sums_of_rational_functions_equal_their_combined_form(p1, q1, p2, q2):
    q1, q2 = [1, *q1], [2, *q2]  # denominators are not identically zero
    left = polynomial(p1, x) / polynomial(q1, x) + polynomial(p2, x) / polynomial(q2, x)
    right = sp.cancel(sp.together(left))
    assert check_equal(left, right).holds


@PROPERTY
@given(
    st.lists(coefficients, min_size=1, max_size=3),
    st.integers(-20, 20).filter(bool),
    st.integers(1, 20),
    st.integers(0, 5),
)
def test_random_perturbations_of_polynomial_identities_fail(factors, numerator, denominator, k):
    c = Fraction(numerator, denominator)
    product = sp.Mul(*[polynomial(f, x) for f in factors], evaluate=False)
    perturbed = sp.expand(product) + sp.Rational(numerator, denominator) * x**k
    verdict = check_equal(product, perturbed)
    assert verdict.kind is VerdictKind.FAILED
    # exact rational arithmetic at the reported point: the sides differ by c x^k there
    point = Fraction(dict(verdict.counterexample.exact_point).get("x", "0"))  # none if constant
    left = Fraction(1)
    for f in factors:
        left *= poly_value(f, point)
    right = left + c * point**k
    assert left != right
    assert float(verdict.counterexample.left) == pytest.approx(float(left), rel=1e-12, abs=1e-300)
    assert float(verdict.counterexample.right) == pytest.approx(float(right), rel=1e-12, abs=1e-300)


@PROPERTY
@given(st.integers(-5, 5), st.integers(-5, 5), st.integers(1, 6))
def test_random_exp_log_identities_pass(a, b, k):
    assert check_equal(sp.exp(a * x) * sp.exp(b * x), sp.exp((a + b) * x)).holds
    assert check_equal(sp.log(xp**k), k * sp.log(xp)).holds
    assert check_equal(sp.exp(k * sp.log(xp)), xp**k).holds


@PROPERTY
@given(st.integers(-5, 5), st.integers(1, 6), st.integers(-9, 9).filter(bool), st.integers(0, 4))
def test_random_perturbations_of_exp_log_identities_fail(a, k, c, j):
    assert check_equal(sp.exp(a * x), sp.exp(a * x) + c * x**j).kind is VerdictKind.FAILED
    assert check_equal(sp.log(xp**k), k * sp.log(xp) + c * xp**j).kind is VerdictKind.FAILED


# --- exact points: exact zeros stay zero -----------------------------------------------------

y_label = sp.Symbol("y", integer=True, nonnegative=True)
mu = sp.Symbol("mu", positive=True)


def exact(decimal_text: str) -> mpmath.mpf:
    """A reported short decimal as an mpmath number (exactly, via Fraction), at 40 digits."""
    value = Fraction(decimal_text)
    with mpmath.workdps(40):
        return mpmath.mpf(value.numerator) / value.denominator


def test_bernoulli_label_identity_with_integer_labels_is_exact():
    # For labels y in {0, 1}, y (1 - y) = 0 exactly (Fraction arithmetic), so the left side is 0
    # however large the other factor; sympy cannot prove it (it does not know y is 0 or 1).
    assert all(Fraction(v) * (1 - Fraction(v)) == 0 for v in (0, 1))
    left = y_label * (1 - y_label) * sp.exp(sp.exp(40 * mu))
    assert sp.simplify(left) != 0
    d = Derivation(left, domain={y_label: (0, 1), mu: (0, 1)}, label="labels-vanish")
    d.step(sp.Integer(0), "y (1 - y) = 0 for y in {0, 1}")
    verdict = d.steps[0].verdict
    assert verdict.kind is VerdictKind.NUMERIC and verdict.points == verify.numeric.N_POINTS_CHEAP
    assert verdict.digits == verify.numeric.MAX_DIGITS  # exactly zero at every point


@pytest.mark.parametrize("labels_box", [(0, 1), (1, 1)])  # (1, 1): every point has y = 1
def test_erratum_counterexample_at_integer_labels_shows_exact_values(labels_box):
    loglik = y_label * sp.log(mu) + (1 - y_label) * sp.log(1 - mu)
    d = Derivation(loglik, domain={y_label: labels_box, mu: (0, 1)}, label="labels-loglik")
    d.step(
        y_label * sp.log(mu) * (1 - y_label) * sp.log(1 - mu), "the notes' LL", erratum="dl-loglik"
    )
    c = d.steps[0].verdict.counterexample
    point = dict(c.exact_point)
    assert point["y"] in ("0", "1") and labels_box[0] <= int(point["y"]) <= labels_box[1]
    # the notes' product has the factor y (1 - y) = 0: exactly zero, printed as zero
    assert c.right == "0" and c.right_short == "0"
    y_value, mu_value = int(point["y"]), exact(point["mu"])
    reference = y_value * mpmath.log(mu_value) + (1 - y_value) * mpmath.log(1 - mu_value)
    assert float(c.left) == pytest.approx(float(reference), rel=1e-14)
    assert r"\text{, right }0}" in derivation_latex(d)


def test_exact_substitution_and_scaled_zeros_give_exact_zeros():
    from glmnotes.verify import numeric

    # 1 - y at y = 1: exact substitution gives the Integer 0 (evalf(subs=) gave 1.2e-153)
    assert numeric.entries_at(1 - y_label, {y_label: sp.Integer(1)}, {}) == [0]
    assert numeric.entries_at((1 - y_label) * sp.exp(mu), {y_label: 1, mu: 2}, {}) == [0]
    # a cancellation evalf cannot resolve (log 6 - log 2 - log 3) agrees with 0 to the digits
    # evalf's bound establishes, relative to the terms
    scaled_zero = (sp.log(6) - sp.log(2) - sp.log(3)).evalf(35)
    assert scaled_zero._prec <= 1 and scaled_zero != 0  # sympy's "0.e-153"
    outcome = numeric.compare_entry(sp.log(6) - sp.log(2), sp.log(3), 35)
    assert outcome.kind == "agree" and outcome.digits >= numeric.MIN_DIGITS
    a, b = sp.symbols("a b", positive=True)
    # a side that evalf cannot tell from zero never agrees with an exact 0 by its size (unknown):
    # log(ab) - log a - log b = 0 is compared as log(ab) = log a + log b, sides with a size
    rearranged = numeric.numeric_check(
        sp.log(a * b) - sp.log(a) - sp.log(b), sp.Integer(0), {}, 1, None, 35, None
    )
    assert rearranged.kind is VerdictKind.NUMERIC and rearranged.digits >= numeric.MIN_DIGITS
    # an unresolved side that is not a sum stays undecided
    f = sp.Function("f")
    unresolved = numeric.Evaluated(mpmath.mpf(0), 0)
    exact_zero = numeric.Evaluated(mpmath.mpf(0), None)
    assert numeric._rearranged(f(a), sp.Integer(0), unresolved, exact_zero) is None
    # a tiny true value is not a zero: exp(-400) != 0, however small
    tiny = numeric.compare_entry(sp.exp(-400 * sp.Integer(1)), sp.Integer(0), 35)
    assert tiny.kind == "differ"
    with mpmath.workdps(40):
        assert abs(tiny.left.number - mpmath.exp(-400)) <= 1e-30 * mpmath.exp(-400)


@settings(max_examples=10, deadline=None)
@given(st.integers(1, 6), st.integers(1, 60), st.integers(-9, 9).filter(bool))
def test_random_vanishing_label_factors_are_exact(k, scale, c):
    # y^k = y for y in {0, 1}, so (y^k - y) e^{scale mu} is exactly 0 at every label (and not c)
    vanishing = (y_label**k - y_label) * sp.exp(scale * mu)
    verdict = check_equal(vanishing, 0, domain={y_label: (0, 1), mu: (0, 1)}, numeric_first=True)
    assert verdict.holds
    wrong = check_equal(vanishing, c, domain={y_label: (0, 1), mu: (0, 1)}, numeric_first=True)
    assert wrong.kind is VerdictKind.FAILED
    assert wrong.counterexample.left == "0" and Fraction(wrong.counterexample.right) == c


# --- IndexedBase families --------------------------------------------------------------------

i_index = sp.Symbol("i", integer=True, positive=True)
xs = sp.IndexedBase("x", real=True)
ws = sp.IndexedBase("w", positive=True)
labels = sp.IndexedBase("y", integer=True, nonnegative=True)
mus = sp.IndexedBase("mu", positive=True)


def labels_loglik() -> Derivation:
    """The notes' log-likelihood erratum over n = 3 indexed labels y[i] in {0, 1}."""
    term = labels[i_index] * sp.log(mus[i_index])
    d = Derivation(
        sp.Sum(term + (1 - labels[i_index]) * sp.log(1 - mus[i_index]), (i_index, 1, n)),
        given={n: 3},
        domain={labels: (0, 1), mus: (0, 1)},
        label="indexed-loglik",
    )
    d.step(
        sp.Sum(term * (1 - labels[i_index]) * sp.log(1 - mus[i_index]), (i_index, 1, n)),
        "the notes' LL",
        erratum="dl-loglik",
    )
    return d


def test_sum_over_indexed_elements_is_evaluated_by_sampling_each_element():
    left = sp.Sum(sp.log(ws[i_index]), (i_index, 1, n))
    right = sp.log(sp.Product(ws[i_index], (i_index, 1, n)))
    domain = {ws: (sp.Rational(1, 2), 2)}
    verdict = check_equal(left, right, domain=domain, given={n: 4}, numeric_first=True)
    assert verdict.kind is VerdictKind.NUMERIC and verdict.concrete == ("n = 4",)
    wrong = check_equal(
        left, right + ws[2] / 10**15, domain=domain, given={n: 4}, numeric_first=True
    )
    assert wrong.kind is VerdictKind.FAILED
    point = {name: Fraction(value) for name, value in wrong.counterexample.exact_point}
    assert sorted(point) == ["w[1]", "w[2]", "w[3]", "w[4]"]
    assert all(Fraction(1, 2) < value < 2 for value in point.values())
    # both reported values are log(w1 w2 w3 w4) (+ w2 / 10^15) at the reported point (mpmath)
    with mpmath.workdps(40):
        values = [exact(v) for _, v in wrong.counterexample.exact_point]
        reference = mpmath.log(mpmath.fprod(values))
        shifted = reference + values[1] / 10**15
    assert float(wrong.counterexample.left) == pytest.approx(float(reference), rel=1e-14)
    assert float(wrong.counterexample.right) == pytest.approx(float(shifted), rel=1e-14)
    assert float(wrong.counterexample.right) != float(wrong.counterexample.left)
    assert "{w}_{2} \\approx " in counterexample_latex(wrong.counterexample)


def test_indexed_sum_with_bounds_from_dims():
    squares = sp.Sum(xs[i_index] ** 2, (i_index, 1, n))
    written_out = xs[1] ** 2 + xs[2] ** 2 + xs[3] ** 2
    assert check_equal(squares, written_out, domain={xs: (-1, 1)}, dims={n: 3}).holds
    wrong = check_equal(squares, written_out - xs[3] ** 2, domain={xs: (-1, 1)}, dims={n: 3})
    assert wrong.kind is VerdictKind.FAILED
    point = dict(wrong.counterexample.exact_point)
    assert sorted(point) == ["x[1]", "x[2]", "x[3]"]
    gap = Fraction(wrong.counterexample.left) - Fraction(wrong.counterexample.right)
    assert float(gap) == pytest.approx(float(Fraction(point["x[3]"]) ** 2), rel=1e-12)


def test_indexed_labels_erratum_shows_integer_labels_and_an_exact_zero():
    d = labels_loglik()
    c = d.steps[0].verdict.counterexample
    point = dict(c.exact_point)
    assert sorted(point) == ["mu[1]", "mu[2]", "mu[3]", "y[1]", "y[2]", "y[3]"]
    assert all(point[f"y[{k}]"] in ("0", "1") for k in (1, 2, 3))
    assert all(0 < Fraction(point[f"mu[{k}]"]) < 1 for k in (1, 2, 3))
    assert c.right == "0"  # every summand has the factor y_i (1 - y_i) = 0
    y_values = [int(point[f"y[{k}]"]) for k in (1, 2, 3)]
    mu_values = [exact(point[f"mu[{k}]"]) for k in (1, 2, 3)]
    reference = sum(
        y * mpmath.log(m) + (1 - y) * mpmath.log(1 - m)
        for y, m in zip(y_values, mu_values, strict=True)
    )
    assert float(c.left) == pytest.approx(float(reference), rel=1e-14)
    assert "y[...] in {0, ..., 1}" in plain_text(d) and "mu[...] in (0, 1)" in plain_text(d)
    assert render.latex.scope_latex(d) == (
        r"\text{checked for }y_{\dots} \in \{0, \dots, 1\},\ \mu_{\dots} \in (0, 1),\ n = 3"
    )


def test_indexed_elements_with_a_symbolic_index_are_unverified_not_false():
    verdict = check_equal(
        sp.Sum(xs[i_index], (i_index, 1, n)),
        sp.Sum(xs[i_index] ** 2, (i_index, 1, n)),
        numeric_first=True,
    )
    assert verdict.kind is VerdictKind.UNVERIFIED
    assert "symbolic index" in verdict.reason and "dims={n: 4}" in verdict.reason


def test_indexed_domain_input_errors():
    with pytest.raises(ValueError, match=r"domain=\{x: \(lo, hi\)\}"):
        check_equal(xs[1], xs[1], domain={xs[1]: (0, 1)})
    with pytest.raises(ValueError, match="positive"):
        check_equal(ws[1], ws[1], domain={ws: (-1, 1)})


# --- stacked layout ---------------------------------------------------------------------------


def test_stacked_layout_puts_each_justification_on_the_line_below():
    d = mixed_derivation()  # three true steps, then an erratum shown false
    assert d.layout == "stacked" == verify.DEFAULT_LAYOUT
    d.layout = "inline"
    *inline_rows, inline_scope = rows("$$" + derivation_latex(d) + "$$")
    d.layout = "stacked"
    *stacked_rows, stacked_scope = rows("$$" + derivation_latex(d) + "$$")
    assert inline_scope == stacked_scope  # the scope closes both
    assert len(stacked_rows) == 2 * len(inline_rows) + 1  # the counterexample gets its own row
    for index, row in enumerate(inline_rows[:3]):
        step, note = row.split(" && ")
        assert stacked_rows[2 * index] == step  # left &= right, nothing beside it
        assert stacked_rows[2 * index + 1] == rf"&\qquad {{\small {note}}}"
    step, note = inline_rows[3].split(" && ")
    erratum_step, verdict_row, counterexample_row = stacked_rows[6:]
    assert erratum_step == step and r"\neq" in step
    assert verdict_row.startswith(r"&\qquad {\small \text{(the notes' step)}\ \times")
    assert "false [000: mean]" in verdict_row and "left" not in verdict_row
    c = d.steps[3].verdict.counterexample
    where = counterexample_latex(c)
    assert counterexample_row == rf"&\qquad {{\small {{\scriptstyle \text{{at }}{where}}}}}"
    assert note.endswith(rf"{{\scriptstyle \text{{at }}{where}}}")  # the same point and values
    for row in [*stacked_rows, stacked_scope]:
        assert row.count("&") - row.count(r"\&") == 1 and balanced(row)
    # every row is narrower than the widest inline row
    assert max(map(len, stacked_rows)) < max(map(len, inline_rows))


def test_stacked_layout_is_narrower_as_mathjax_renders_it(tmp_path):
    derivations = [mixed_derivation(), labels_loglik(), *other_derivations()[:3]]
    formulas = []
    for d in derivations:
        for layout in ("inline", "stacked"):
            d.layout = layout
            formulas.append(derivation_latex(d))
    widths = mathjax_widths(formulas, tmp_path)
    inline, stacked = widths[0::2], widths[1::2]
    assert all(w > 0 for w in widths)
    # at least a fifth narrower each (measured: 23 % to 56 % narrower)
    assert all(s < 0.8 * i for i, s in zip(inline, stacked, strict=True)), (inline, stacked)


def test_layout_option_and_module_default(monkeypatch):
    assert Derivation(x, label="a", layout="inline").layout == "inline"
    assert Derivation(x, label="a2", layout="stacked").layout == "stacked"
    d = Derivation(sp.exp(x) * sp.exp(x), label="b")
    d.step(sp.exp(2 * x), "add exponents")
    assert d.layout == "stacked" and rows(derivation_latex(d))[1].startswith(r"&\qquad {\small ")
    monkeypatch.setattr(verify.derivation, "DEFAULT_LAYOUT", "inline")
    d = Derivation(sp.exp(x) * sp.exp(x), label="b2")
    d.step(sp.exp(2 * x), "add exponents")
    assert (
        d.layout == "inline"
        and len(rows(derivation_latex(d))) == 1
        and " && " in rows(derivation_latex(d))[0]
    )
    with pytest.raises(ValueError, match="layout must be one of"):
        Derivation(x, label="c", layout="wide")


def test_the_outside_probe_can_be_skipped_when_only_the_box_matters():
    # the tent identity holds on s >= 0 only: the probe finds a point outside the box where it
    # fails; a caller that only asks about the box (the playground's suggestions) skips it
    s = sp.Symbol("s", real=True)
    left, right = sp.Max(0, s) - 2 * sp.Max(0, s - 1), 1 - sp.Abs(s - 1)
    probed = check_equal(left, right, domain={s: (0, 3)})
    unprobed = check_equal(left, right, domain={s: (0, 3)}, probe_outside=False)
    assert probed.holds and unprobed.holds
    assert probed.outside_box is not None and unprobed.outside_box is None


def test_by_definition_is_decided_by_the_step_not_by_the_api():
    from glmnotes.families.identities import defined_function
    from glmnotes.notation import Eq

    A, B, C = (sp.MatrixSymbol(name, 2, 2) for name in "ABC")
    D = sp.MatrixSymbol("D", 2, 2)
    # substituting a given, then regrouping the product: nothing proved
    d = Derivation(sp.MatMul(A, D, evaluate=False), given={D: B * C}, label="regroup")
    d.step(sp.MatMul(A, B, C, evaluate=False), "put in D")
    assert d.steps[0].verdict.kind is VerdictKind.BY_DEFINITION
    # a named formula put in: nothing proved, the derivative is not evaluated
    t = sp.Symbol("t", real=True)
    f = defined_function("f", "f(t)", sp.Lambda(t, sp.exp(2 * t)))(t)
    named = Derivation(sp.Derivative(f, t), label="named")
    named.step(sp.Derivative(sp.exp(2 * t), t), "definition of f")
    named.step(2 * sp.exp(2 * t), "differentiate")
    kinds = [s.verdict.kind for s in named.steps]
    assert kinds == [VerdictKind.BY_DEFINITION, VerdictKind.PROVED]
    # an equation that restates the line above with a definition put in
    g = defined_function("g", "g", sp.Lambda((), sp.exp(2 * t)))()
    chain = Derivation(Eq(sp.Derivative(sp.exp(2 * t), t), 2 * sp.exp(2 * t)), label="chain")
    chain.step(Eq(sp.Derivative(g, t), 2 * g), "name it g")
    assert chain.steps[0].verdict.kind is VerdictKind.BY_DEFINITION
    # the same equation on its own needs a derivative: proved, not by definition
    alone = Derivation(Eq(sp.Derivative(g, t), 2 * g), label="alone")
    assert alone.start_verdict.kind is VerdictKind.PROVED
