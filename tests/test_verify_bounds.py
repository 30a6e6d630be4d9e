"""The checker's bounds: exact numbers too large to compute, the memory ceiling, points that
decide nothing, and the scope a ``given`` puts into a verdict.

The risky checks run in a child process with its own address-space limit and a wall-clock
limit (``_bounded_child``): if the checker regressed, the test fails with the child's state
instead of taking the machine's memory or hanging the run. Those limits are generous bounds,
never timings that a slow machine could miss.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap

import mpmath
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from glmnotes.verify import check_equal
from glmnotes.verify.budgets import ceiling_available, memory_ceiling
from glmnotes.verify.exact_size import (
    EXACT_BITS_LIMIT,
    Floating,
    exact_bits,
    guard,
    prime_power_sum,
)
from glmnotes.verify.verdicts import VerdictKind

x = sp.Symbol("x", real=True)

CHILD_SECONDS = 120  # a check that comes back at all comes back in well under a second
CHILD_ADDRESS_SPACE = 6 * 1024**3  # the child's own ceiling: a regression cannot take the machine


def _bounded_child(code: str, address_space: int = CHILD_ADDRESS_SPACE) -> dict:
    """Run ``code`` (which prints one JSON line last) in a child process limited to
    ``address_space`` bytes and CHILD_SECONDS seconds; its JSON."""
    prelude = textwrap.dedent(
        f"""
        import json, resource
        resource.setrlimit(resource.RLIMIT_AS, ({address_space}, {address_space}))
        import sympy as sp
        from glmnotes.verify import check_equal
        """
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", prelude + textwrap.dedent(code)],
            capture_output=True,
            text=True,
            timeout=CHILD_SECONDS,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the check did not come back within {CHILD_SECONDS} s:\n{code}")
    assert done.returncode == 0, f"the child failed ({done.returncode}):\n{done.stderr[-3000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- exact values too large to compute ----------------------------------------------------


def test_a_true_identity_between_two_huge_powers_is_proved_without_computing_them():
    record = _bounded_child(
        """
        v = check_equal(sp.Pow(3, 10**10, evaluate=False), sp.Pow(9, 5 * 10**9, evaluate=False))
        print(json.dumps(v.to_record()))
        """
    )
    assert record["kind"] == "proved" and record["route"] == "prime powers"
    assert any("3**10000000000" in cut for cut in record["memory_cuts"])


def test_two_neighbouring_huge_binomials_are_told_apart_in_floating_precision():
    record = _bounded_child(
        """
        n = 10**9
        v = check_equal(
            sp.binomial(n, n // 2, evaluate=False), sp.binomial(n, n // 2 + 1, evaluate=False)
        )
        print(json.dumps(v.to_record()))
        """
    )
    assert record["kind"] == "failed", record
    assert record["memory_cuts"], record


def test_sizes_given_as_huge_numbers_are_guarded_before_they_are_substituted():
    record = _bounded_child(
        """
        n, k = sp.symbols("n k", integer=True, positive=True)
        v = check_equal(
            sp.binomial(n, k), sp.binomial(n, k + 1), given={n: 10**9, k: 5 * 10**8}
        )
        print(json.dumps(v.to_record()))
        """
    )
    assert record["kind"] == "failed", record
    assert "n = 1000000000" in record["concrete"]
    assert any("binomial(1000000000, 500000000)" in cut for cut in record["memory_cuts"])


def test_a_huge_power_of_a_sampled_point_is_evaluated_in_floating_precision():
    # x**(10**6) at a sampled rational x of 35 digits would be an exact number of about 10^8
    # bits (below the limit while x is a symbol: only the point makes it huge)
    record = _bounded_child(
        """
        x = sp.Symbol("x", positive=True)
        power = x ** (10**6)
        v = check_equal(
            power * sp.cos(x) ** 2 + power * sp.sin(x) ** 2, power,
            domain={x: (1, 2)}, n_points=3, numeric_first=True,
        )
        print(json.dumps(v.to_record()))
        """
    )
    assert record["kind"] == "numeric", record
    assert any("sampled point" in cut for cut in record["memory_cuts"]), record


def test_the_reader_typing_a_huge_power_in_the_playground_gets_a_verdict():
    record = _bounded_child(
        """
        from glmnotes.book.playground import check_reader_step, reader_spec
        from glmnotes.verify import Derivation
        y = sp.Symbol("y", positive=True)
        d = Derivation(y * 2, label="bounds-playground", domain={y: (1, 2)})
        d.step(2 * y, "commute")
        result = check_reader_step(reader_spec(d), "y*2 + 3^(10^10) - 9^(5*10^9)")
        print(json.dumps(result["verdict"] if result["ok"] else result))
        """
    )
    assert record.get("kind") in ("proved", "numeric"), record
    assert record["memory_cuts"], record


def test_a_huge_cancellation_beside_a_small_term_stops_at_the_precision_cap():
    # evalf would raise its precision by the size of the cancellation (billions of bits);
    # run in a thread, where no timer or memory ceiling exists (as in the browser)
    record = _bounded_child(
        """
        import threading
        eta = sp.Symbol("eta", real=True)
        big = sp.Add(sp.Pow(3, 10**10, evaluate=False), -sp.Pow(9, 5 * 10**9, evaluate=False),
                     evaluate=False)
        out = {}
        def run():
            out["v"] = check_equal(sp.log(1 + sp.exp(eta)), sp.log(1 + sp.exp(eta)) + eta * big,
                                   domain={eta: (-3, 3)}, numeric_first=True)
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        print(json.dumps(out["v"].to_record()))
        """,
        address_space=2 * 1024**3,  # without the cap, evalf takes 4 GB here before it fails
    )
    assert record["kind"] in ("unverified", "proved"), record
    assert record["memory_cuts"], record


def test_an_expansion_too_large_to_build_is_never_expanded():
    record = _bounded_child(
        """
        x = sp.Symbol("x", positive=True)
        v = check_equal((x + 1) ** 100000, (x + 1) ** 99999 * (1 + x), domain={x: (0, 1)})
        print(json.dumps(v.to_record()))
        """
    )
    assert record["kind"] in ("proved", "numeric", "by definition"), record
    assert any("(x + 1)**100000" in cut for cut in record["memory_cuts"]), record


@pytest.mark.parametrize(
    ("function", "args", "bits_at_least"),
    [
        (sp.Pow, (sp.Integer(3), sp.Integer(10**10)), 1.5e10),
        (sp.Pow, (sp.Rational(7, 3), sp.Integer(10**7)), 2e7),
        (sp.factorial, (sp.Integer(10**9),), 2.9e10),
        (sp.binomial, (sp.Integer(10**9), sp.Integer(5 * 10**8)), 1.4e10),
        (sp.RisingFactorial, (sp.Integer(2), sp.Integer(10**8)), 2e9),
    ],
)
def test_the_size_of_an_exact_value_is_estimated_from_its_arguments(function, args, bits_at_least):
    # each bound is far below the true size (3^(10^10) has 1.58e10 bits; (10^9)! has 2.5e10)
    bits = exact_bits(function, args)
    assert bits is not None and bits >= bits_at_least
    assert isinstance(guard(function(*args, evaluate=False)), Floating)


def test_small_exact_values_are_left_to_sympy():
    assert exact_bits(sp.Pow, (sp.Integer(3), sp.Integer(1000))) < EXACT_BITS_LIMIT
    small = guard(sp.Pow(3, 1000, evaluate=False) + x)
    assert not small.has(Floating)


@given(
    base=st.fractions(min_value=0.001, max_value=1000).filter(lambda f: f not in (0, 1)),
    exponent=st.integers(min_value=EXACT_BITS_LIMIT, max_value=10**12),
)
def test_a_floating_power_agrees_with_mpmath_at_high_precision(base, exponent):
    base = sp.Rational(base.numerator, base.denominator)
    value = Floating(sp.core.symbol.Str("Pow"), base, sp.Integer(exponent)).evalf(40)
    # independently: exp(exponent * log(base)) with enough working precision for the exponent
    with mpmath.workdps(60 + int(math.log10(exponent))):
        reference = mpmath.exp(exponent * mpmath.log(mpmath.mpf(base.p) / base.q))
        relative = abs(mpmath.mpf(value._mpf_) - reference) / reference
    assert relative < mpmath.mpf(10) ** -35


def test_prime_powers_cancel_only_when_the_factorizations_agree():
    huge = sp.Integer(10**10)
    a = Floating(sp.core.symbol.Str("Pow"), sp.Integer(12), huge)
    b = Floating(sp.core.symbol.Str("Pow"), sp.Integer(2), 2 * huge)
    c = Floating(sp.core.symbol.Str("Pow"), sp.Integer(3), huge)
    assert prime_power_sum(sp.Add(a, -b * c, evaluate=False)) == 0
    d = Floating(sp.core.symbol.Str("Pow"), sp.Integer(3), huge + 1)
    assert prime_power_sum(sp.Add(a, -b * d, evaluate=False)) != 0


# --- the memory ceiling ------------------------------------------------------------------


@pytest.mark.skipif(not ceiling_available(), reason="no RLIMIT_AS on this platform")
def test_the_memory_ceiling_stops_an_allocation_and_is_lifted_afterwards():
    with pytest.raises(MemoryError), memory_ceiling(256 * 1024**2):
        blocks = [bytearray(64 * 1024**2) for _ in range(64)]  # 4 GiB, in 64 MiB blocks
        del blocks
    assert len(bytearray(512 * 1024**2)) == 512 * 1024**2  # lifted


@pytest.mark.skipif(not ceiling_available(), reason="no RLIMIT_AS on this platform")
def test_a_runaway_evaluation_comes_back_undecided_with_a_memory_cut():
    record = _bounded_child(
        """
        class Runaway(sp.Function):
            # each evaluation takes memory without end (64 MiB blocks, touched)
            def _eval_evalf(self, prec):
                blocks = []
                while True:
                    blocks.append(b"x" * (64 * 1024**2))

        x = sp.Symbol("x", positive=True)
        v = check_equal(Runaway(x), x, domain={x: (1, 2)})
        print(json.dumps(v.to_record()))
        """
    )
    assert record["kind"] == "unverified", record
    assert any("memory ceiling" in cut for cut in record["memory_cuts"]), record


# --- points that decide nothing ----------------------------------------------------------


def test_sides_that_differ_only_by_an_imaginary_amount_are_false():
    q = sp.Symbol("q", positive=True)
    # for q > 1 the two logarithms' branches differ by 2*pi*i; the real parts agree
    verdict = check_equal(sp.log(1 - q), -sp.log(1 + q / (1 - q)), domain={q: (1, 3)})
    assert verdict.kind is VerdictKind.FAILED, verdict.describe()
    c = verdict.counterexample
    point = {sp.Symbol("q", positive=True): sp.Rational(dict(c.exact_point)["q"])}
    left = sp.N(sp.log(1 - q).subs(point), 30)
    right = sp.N((-sp.log(1 + q / (1 - q))).subs(point), 30)
    assert abs(sp.im(left - right)) > 6  # 2*pi


def test_a_false_identity_failing_only_where_the_sides_are_complex_is_not_accepted():
    # agrees for 0 < q < 1; for 1 < q < 3 the sides differ by 2*pi*i. A checker that drops the
    # complex points and counts the others says "numeric" for the whole box.
    q = sp.Symbol("q", positive=True)
    verdict = check_equal(sp.log(1 - q), -sp.log(1 + q / (1 - q)), domain={q: (0, 3)})
    assert verdict.kind is VerdictKind.FAILED, verdict.describe()
    assert sp.Rational(dict(verdict.counterexample.exact_point)["q"]) > 1


def test_points_where_no_side_is_finite_are_named_and_not_claimed():
    verdict = check_equal(sp.Abs(x) / x, sp.sign(x), domain={x: (-1, 1)})
    assert verdict.kind is VerdictKind.NUMERIC, verdict.describe()
    assert "x = 0" in verdict.undecided and "not finite" in verdict.undecided
    assert "undecided" in verdict.describe()


def test_a_fully_decided_box_says_nothing_undecided():
    verdict = check_equal(sp.exp(x) * sp.exp(-x) * sp.sin(x), sp.sin(x) + 0 * sp.Abs(x))
    assert verdict.holds and verdict.undecided == ""


# --- the scope of a given ----------------------------------------------------------------


def test_a_substituted_size_is_in_the_verdict_whatever_route_decides():
    m = sp.Symbol("m", integer=True, positive=True)  # an integer given an integer: a size
    verdict = check_equal(m * x, 3 * x, given={m: 3})
    assert verdict.holds
    assert verdict.concrete == ("m = 3",)
    assert "for m = 3" in verdict.describe()


def test_a_substituted_value_is_in_the_verdict():
    m = sp.Symbol("m", real=True)
    verdict = check_equal(m * x, 3 * x, given={m: 3})
    assert verdict.holds
    assert verdict.assuming == ("m = 3",)
    assert "with m = 3" in verdict.describe()


def test_a_substituted_definition_is_named_in_the_verdict():
    eta, theta = sp.symbols("eta theta", real=True)
    verdict = check_equal(sp.exp(eta), sp.exp(theta * x), given={eta: theta * x})
    assert verdict.holds and verdict.assuming == ("eta = theta*x",)
    assert "with eta = theta*x" in verdict.describe()


def test_an_identity_true_for_every_size_keeps_an_empty_scope():
    n = sp.Symbol("n", integer=True, positive=True)
    A, B = sp.MatrixSymbol("A", n, n), sp.MatrixSymbol("B", n, n)
    verdict = check_equal(sp.Transpose(A * B), B.T * A.T, dims={n: 3})
    assert verdict.kind is VerdictKind.PROVED and verdict.concrete == ()


# --- a time budget whose alarm is lost ---------------------------------------------------


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_timeout_lost_in_a_garbage_collector_callback_is_raised_again():
    """An exception raised while a gc callback runs is printed and dropped (hypothesis installs
    such a callback). The alarm repeats, so the next one stops the operation."""
    import gc
    import time

    from glmnotes.verify.budgets import collect_clock_cuts, run_bounded

    state = {"callback_ran": False, "escaped": False}

    def slow_once(phase, info):
        if phase == "start" and not state["callback_ran"]:
            state["callback_ran"] = True
            until = time.perf_counter() + 0.5  # the 0.1 s alarm fires in here, and is lost
            while time.perf_counter() < until:
                pass

    def work():
        gc.collect()
        until = time.perf_counter() + 30  # stopped long before, or the budget is broken
        while time.perf_counter() < until:
            pass
        state["escaped"] = True
        return "finished"

    gc.callbacks.append(slow_once)
    try:
        with collect_clock_cuts() as cuts:
            ok, value = run_bounded(work, 0.1, "a loop after a lost alarm")
    finally:
        gc.callbacks.remove(slow_once)
    assert state["callback_ran"] and not state["escaped"]
    assert (ok, value) == (False, None)
    assert cuts == ["a loop after a lost alarm"]
