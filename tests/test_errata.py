"""Tests for glmnotes.book.errata: every entry's check shows what the entry claims, the catalogue
matches the book's errata appendix and the source notes, and each correction agrees with an
independent reference (scipy, statsmodels, numpy, finite differences)."""

import re

import numpy as np
import pytest
import scipy.special
import scipy.stats
import statsmodels.api as sm
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from glmnotes import glm
from glmnotes.book import errata
from glmnotes.book.errata import (
    Erratum,
    ErratumCheckError,
    NumericEvidence,
    catalogue,
    entries_with_label,
    entry,
    labels,
    normalise_whitespace,
    summary_rows,
)
from glmnotes.verify import Derivation, VerdictKind
from glmnotes.verify.render.latex import derivation_latex

ENTRIES = catalogue()
KEYS = [item.key for item in ENTRIES]


@pytest.fixture(scope="module")
def checked():
    """Every entry's derivations, built once for the module."""
    return {item.key: item.check() for item in ENTRIES}


def all_lines(derivations):
    """(verdict, erratum, step) of every checked line; the start of an equation chain has
    step None."""
    lines = []
    for d in derivations:
        if d.start_verdict is not None:
            lines.append((d.start_verdict, None, None))
        lines.extend((s.verdict, s.erratum, s) for s in d.steps)
    return lines


# ---- every check shows what its entry claims ------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_each_check_shows_its_claim(key, checked):
    item = entry(key)
    derivations = checked[key]
    assert derivations and all(isinstance(d, Derivation) for d in derivations)
    assert all(d.chapter == "errata" and d.label.startswith("errata-") for d in derivations)
    lines = all_lines(derivations)
    errata_lines = [(v, ref) for v, ref, _ in lines if ref is not None]
    holding = [v for v, ref, _ in lines if ref is None and v.holds]
    assert all(v.kind is not VerdictKind.UNVERIFIED for v, _, _ in lines)
    if item.kind == "error":
        assert errata_lines, f"{key}: no step of the notes is reproduced"
        for verdict, reference in errata_lines:
            assert reference == item.reference
            assert verdict.kind is VerdictKind.FAILED
            c = verdict.counterexample
            assert c is not None and c.left != c.right
        assert holding, f"{key}: no corrected step holds"
    else:
        assert not errata_lines
        assert len(holding) == len(lines), f"{key}: an odd-but-true step does not hold"


def test_derivation_labels_are_unique(checked):
    all_labels = [d.label for derivations in checked.values() for d in derivations]
    assert len(all_labels) == len(set(all_labels))


def test_a_check_is_reproducible(checked):
    again = entry("glm-multinomial").check()
    assert [derivation_latex(d) for d in again] == [
        derivation_latex(d) for d in checked["glm-multinomial"]
    ]


def test_the_erratum_step_is_displayed_as_false(checked):
    latex = derivation_latex(checked["dl-toy-steps"][0])
    assert r"\neq" in latex and "false [dl-toy-steps]" in latex


# ---- the catalogue, the book and the sources agree --------------------------------------------


def test_every_label_of_the_book_has_an_entry_and_vice_versa(root):
    text = (root / "book" / "errata.md").read_text()
    in_book = set(re.findall(r"^\((erratum-[a-z0-9-]+)\)=$", text, flags=re.MULTILINE))
    assert in_book == set(labels())


def test_the_book_glues_every_derivation(root, checked):
    text = (root / "book" / "errata.md").read_text()
    glued = set(re.findall(r"^```\{glue:math\} (\S+)$", text, flags=re.MULTILINE))
    built = {d.label for derivations in checked.values() for d in derivations}
    assert glued == built


@pytest.mark.parametrize("key", KEYS)
def test_the_quoted_passages_occur_in_the_source(key, root):
    item = entry(key)
    source = normalise_whitespace((root / "sources" / item.source.file).read_text())
    for passage in item.seed_passages:
        assert normalise_whitespace(passage) in source, f"{key}: {passage!r} not in the source"


def test_quotes_without_seed_text_are_verbatim_and_others_differ():
    for item in ENTRIES:
        if item.seed_text is None:
            assert item.seed_passages == (item.quote,)
        else:
            assert normalise_whitespace(item.quote) not in item.seed_passages


def test_the_test_of_quotes_can_fail(root):
    source = normalise_whitespace((root / "sources" / "002_125ddd41b9bb0e98.txt").read_text())
    assert normalise_whitespace(r"E[T(y) | x; \theta]") not in source  # the notes' minus sign
    assert normalise_whitespace(r"E[T(y) - x; \theta]") in source


def test_sources_and_kinds():
    assert {item.source.number for item in ENTRIES} == {"000", "001", "002"}
    for number in ("000", "001", "002"):
        kinds = {item.kind for item in ENTRIES if item.source.number == number}
        assert kinds == {"error", "odd but true"}
    odd_labels = {item.label for item in ENTRIES if item.kind == "odd but true"}
    assert odd_labels == {
        "erratum-dl-odd-but-true",
        "erratum-lin-odd-but-true",
        "erratum-glm-odd-but-true",
    }
    for item in ENTRIES:
        if item.kind == "error":
            assert entries_with_label(item.label) == (item,)


def test_summary_rows():
    rows = summary_rows()
    assert [row["key"] for row in rows] == KEYS
    assert {row["kind"] for row in rows} == set(errata.KINDS)
    assert all(row["chapter"] in errata.CHAPTERS for row in rows)
    assert rows[0]["source"] == "000 deep-learning notes"


def test_markdown_shows_kind_quote_problem_and_correction():
    item = entry("glm-softmax-typo")
    text = item.markdown()
    assert text.startswith("**Error** in the GLM notes")
    assert f"> {item.quote}" in text
    assert item.problem in text and item.correction in text
    assert entry("glm-pdot").markdown().startswith("**Odd but true**")


# ---- numeric evidence --------------------------------------------------------------------------


@pytest.mark.parametrize("key", [item.key for item in ENTRIES if item.measure is not None])
def test_evidence_is_computed_and_asserted(key):
    evidence = entry(key).evidence()
    assert isinstance(evidence, NumericEvidence)
    text = str(evidence)
    assert normalise_whitespace(text).startswith(normalise_whitespace(evidence.description))
    assert evidence.values and all(name in text for name in evidence.values)


def test_entries_without_evidence_return_none():
    assert entry("dl-toy-steps").evidence() is None


def test_reduced_rank_evidence_against_scikit_learn():
    from sklearn.linear_model import LinearRegression

    values = entry("lin-reduced-rank").evidence().values
    rng = np.random.default_rng(1)  # the data of the evidence, regenerated independently
    X = rng.normal(size=(200, 3))
    Y = X @ rng.normal(size=(3, 3)) + 0.1 * rng.normal(size=(200, 3))
    fit = LinearRegression().fit(X, Y)
    rss = float(np.sum((Y - fit.predict(X)) ** 2))
    assert values["RSS of least squares (OLS)"] == pytest.approx(rss, rel=1e-10)
    # The best rank-1 fit, by Eckart-Young on the centred fitted values (orthogonal to the
    # residuals): RSS_ols plus the squares of the dropped singular values.
    fitted = fit.predict(X) - Y.mean(axis=0)
    s = np.linalg.svd(fitted, compute_uv=False)
    assert values["RSS of reduced-rank regression, rank 1"] == pytest.approx(
        rss + np.sum(s[1:] ** 2), rel=1e-10
    )
    assert values["rank of the 3-1-3 network's W_z"] == 1


def test_log_instability_evidence():
    values = entry("dl-log-instability").evidence().values
    probabilities = np.random.default_rng(0).uniform(0.3, 0.9, size=2000)
    assert values["product of the 2000 probabilities (float64)"] == 0.0
    assert values["sum of their logs"] == pytest.approx(float(np.sum(np.log(probabilities))))
    assert np.exp(np.sum(np.log(probabilities))) == 0.0  # the product itself is unrepresentable


# ---- the records' claims agree with independent references ---------------------------------
#
# Each test takes an entry's derivations as the checker built them (the `checked` fixture) and
# confronts them with a reference that does not use glmnotes: the counterexample the checker
# reports for the notes' step must be a point where scipy/statsmodels/numpy compute the two
# values the checker printed, the corrected line must be what the reference computes, and the
# record's own expressions, evaluated at fresh points, must give the reference's numbers. A wrong
# record (a changed expression or definition) or a wrong checker (a wrong value at its
# counterexample) fails here.


def _the_notes_steps(derivation):
    """The steps that reproduce the notes' mistake (erratum steps), shown false."""
    steps = [step for step in derivation.steps if step.erratum is not None]
    assert steps and all(step.verdict.kind is VerdictKind.FAILED for step in steps)
    return steps


def _point(step) -> dict[str, float]:
    """The exact point of a step's counterexample, by the symbols' names."""
    return {
        name: float(sp.Rational(value)) for name, value in step.verdict.counterexample.exact_point
    }


def _sides(step) -> tuple[float, float]:
    """The values the checker computed for the two sides at its counterexample."""
    counterexample = step.verdict.counterexample
    return float(counterexample.left), float(counterexample.right)


def _value(derivation, expr, point: dict[str, float]) -> float:
    """``expr`` of a record evaluated at ``point`` (symbol name -> value): the derivation's
    definitions (``given``) put in, derivatives, sums and integrals done by sympy, 30 digits."""
    expr = sp.sympify(expr)
    for _ in range(3):  # definitions may name other defined symbols
        expr = expr.subs(derivation.given)
    expr = expr.doit()
    return float(sp.N(expr.subs({s: point[s.name] for s in expr.free_symbols}), 30))


def _examples(point: dict[str, float], m: int, n: int):
    """``theta`` (n,), ``X`` (m, n) and ``y`` (m,) of a logistic-regression counterexample."""
    theta = np.array([point[f"\\theta_{i}"] for i in range(1, n + 1)])
    X = np.array([[point[f"x^{{({j})}}_{i}"] for i in range(1, n + 1)] for j in range(1, m + 1)])
    y = np.array([point[f"y^{{({j})}}"] for j in range(1, m + 1)])
    return theta, X, y


def test_loglik_record_sum_is_scipys_and_the_notes_product_vanishes(checked):
    """dl-loglik-product: at the checker's counterexample its two values are the log of the
    likelihood and the notes' product of logs; with labels 0/1 the record's corrected line is
    scipy's Bernoulli log-likelihood and its `vanishing` line (the notes' LL) is 0."""
    loglik, vanishing = checked["dl-loglik-product"]
    (notes,) = _the_notes_steps(loglik)
    point = _point(notes)
    y = np.array([point[f"y_{{{i}}}"] for i in range(1, 5)])
    y_hat = np.array([point[f"{{\\hat{{y}}}}_{{{i}}}"] for i in range(1, 5)])
    left, right = _sides(notes)
    assert left == pytest.approx(np.log(np.prod(y_hat**y * (1 - y_hat) ** (1 - y))), rel=1e-12)
    assert right == pytest.approx(
        np.sum(y * np.log(y_hat) * (1 - y) * np.log(1 - y_hat)), rel=1e-12
    )
    corrected = loglik.steps[1]
    assert corrected.erratum is None and corrected.verdict.holds
    labels = np.array([1, 0, 0, 1])
    probabilities = np.array([0.3, 0.8, 0.45, 0.6])
    at = {f"y_{{{i}}}": float(v) for i, v in enumerate(labels, 1)}
    at |= {f"{{\\hat{{y}}}}_{{{i}}}": float(p) for i, p in enumerate(probabilities, 1)}
    reference = np.sum(scipy.stats.bernoulli.logpmf(labels, probabilities))
    assert _value(loglik, corrected.expr, at) == pytest.approx(reference, rel=1e-12)
    assert vanishing.steps[0].expr == 0 and vanishing.steps[0].verdict.holds
    assert _value(vanishing, vanishing.start, at) == 0.0 != reference


def test_toy_graph_records_against_finite_differences(checked):
    """dl-toy-steps and dl-toy-chain, at the checker's counterexamples for
    L(a, b, c) = c (a + 2b): the notes' e * e is (a + 2b)^2, not L; the notes' dL/de is
    dL/dc (= e, a finite difference in c), the correct one is c (a finite difference in a,
    since de/da = 1)."""

    def L(a, b, c):
        return c * (a + 2 * b)

    (steps,) = checked["dl-toy-steps"]
    (notes,) = _the_notes_steps(steps)
    a, b, c = (_point(notes)[name] for name in "abc")
    left, right = _sides(notes)
    assert left == pytest.approx(L(a, b, c), rel=1e-12)
    assert right == pytest.approx((a + 2 * b) ** 2, rel=1e-12)

    (chain,) = checked["dl-toy-chain"]
    (notes,) = _the_notes_steps(chain)
    a, b, c = (_point(notes)[name] for name in "abc")
    h = 1e-6
    dL_de = (L(a + h, b, c) - L(a - h, b, c)) / (2 * h)
    dL_dc = (L(a, b, c + h) - L(a, b, c - h)) / (2 * h)
    left, right = _sides(notes)
    assert left == pytest.approx(dL_de, rel=1e-8)  # dL/de = c
    assert right == pytest.approx(1.0 * dL_dc, rel=1e-8)  # the seed times dL/dc = e
    corrected = next(step for step in chain.steps if step.why.startswith("corrected"))
    assert corrected.verdict.holds
    assert _value(chain, corrected.expr.rhs, {"a": a, "b": b, "c": c}) == pytest.approx(dL_de)


def test_ols_record_against_enumerating_the_error_law(checked):
    """lin-ols-assumptions: with the record's design and its error law (two fair signs u, v;
    e = (tau_1 u, tau_2 u, tau_3 v)), numpy's least squares over the four outcomes is
    unbiased, its variance is the sandwich, and at the checker's counterexample the variance and
    the classical formula are the two values the checker printed."""
    (chain,) = checked["lin-ols-assumptions"]
    (notes,) = _the_notes_steps(chain)
    design = next(value for key, value in chain.given.items() if str(key) == "X")
    X = np.array(design, dtype=float)
    np.testing.assert_array_equal(X, [[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
    point = _point(notes)
    tau = np.array([point[f"\\tau_{i}"] for i in (1, 2, 3)])
    W = np.array([0.3, -0.8])
    errors = np.array([[tau[0] * u, tau[1] * u, tau[2] * v] for u in (-1, 1) for v in (-1, 1)])
    fits = np.array([np.linalg.lstsq(X, X @ W + e, rcond=None)[0] for e in errors])
    np.testing.assert_allclose(fits.mean(axis=0), W, atol=1e-12)  # unbiased (step 1)
    variance = (fits - W).T @ (fits - W) / 4
    gram_inverse = np.linalg.inv(X.T @ X)
    sandwich = gram_inverse @ X.T @ (errors.T @ errors / 4) @ X @ gram_inverse
    np.testing.assert_allclose(variance, sandwich, atol=1e-12)
    assert [step.verdict.holds for step in chain.steps] == [True, False, True]
    left, right = _sides(notes)
    entry_ = notes.verdict.counterexample.entry
    assert left == pytest.approx(variance[entry_], rel=1e-12)
    assert right == pytest.approx(np.mean(tau**2) * gram_inverse[entry_], rel=1e-12)


def test_vectorised_update_record_against_statsmodels(checked):
    """glm-vectorised-update: at the checker's counterexample (3 examples, 2 features, labels
    0/1), the gradient is statsmodels' Logit score (and glmnotes.glm's), the notes'
    X^T (Y - A(X theta)) uses the softplus A = log(1 + e^eta) in place of its derivative."""
    (chain,) = checked["glm-vectorised-update"]
    (notes,) = _the_notes_steps(chain)
    theta, X, y = _examples(_point(notes), 3, 2)
    assert set(y) <= {0.0, 1.0}
    reference = sm.Logit(y, X).score(theta)
    np.testing.assert_allclose(
        glm.log_likelihood_gradient("bernoulli", X, y, theta), reference, rtol=1e-10
    )
    row = notes.verdict.counterexample.entry[0]
    left, right = _sides(notes)
    assert left == pytest.approx(reference[row], rel=1e-12)
    assert right == pytest.approx((X.T @ (y - np.logaddexp(0, X @ theta)))[row], rel=1e-12)
    assert chain.start_verdict.holds  # the corrected X^T (Y - A'(X theta))


def test_gradient_indices_record_against_statsmodels(checked):
    """glm-gradient-indices: at the checker's counterexample the sum over the m = 3 examples
    is statsmodels' Logit score, the notes' sum to n = 2 is the score of the first two examples
    only."""
    (chain,) = checked["glm-gradient-indices"]
    (notes,) = _the_notes_steps(chain)
    theta, X, y = _examples(_point(notes), 3, 2)
    left, right = _sides(notes)
    assert left == pytest.approx(sm.Logit(y, X).score(theta)[0], rel=1e-12)
    assert right == pytest.approx(sm.Logit(y[:2], X[:2]).score(theta)[0], rel=1e-12)
    assert chain.start_verdict.holds


def test_multinomial_record_against_scipy(checked):
    """glm-multinomial (k = 3): at every counterexample of the notes' lines the true value is
    scipy's multinomial probability; the first is the notes' e^{... + 1}; the record's
    completed exponential-family form gives scipy's probability at fresh points."""
    (chain,) = checked["glm-multinomial"]
    notes_steps = _the_notes_steps(chain)
    assert len(notes_steps) == 3
    for step in notes_steps:
        point = _point(step)
        phi = np.array([point["\\phi_{1}"], point["\\phi_{2}"]])
        phi = np.append(phi, 1 - phi.sum())
        label = int(point["y"])
        reference = scipy.stats.multinomial.pmf(np.eye(3)[label - 1], 1, phi)
        assert _sides(step)[0] == pytest.approx(reference, rel=1e-12)
    first = notes_steps[0]
    point = _point(first)
    phi = np.array([point["\\phi_{1}"], point["\\phi_{2}"]])
    T = np.array([point["y"] == 1, point["y"] == 2], dtype=float)
    notes = np.exp(T @ np.log(phi) + 1 - T.sum() * np.log(1 - phi.sum()))
    assert _sides(first)[1] == pytest.approx(notes, rel=1e-12)
    completed = chain.steps[-1]
    assert completed.why == "completed" and completed.verdict.holds
    for phi_1, phi_2, label in [(0.2, 0.5, 1), (0.2, 0.5, 2), (0.2, 0.5, 3), (0.05, 0.9, 3)]:
        at = {"\\phi_{1}": phi_1, "\\phi_{2}": phi_2, "y": label}
        reference = scipy.stats.multinomial.pmf(
            np.eye(3)[label - 1], 1, [phi_1, phi_2, 1 - phi_1 - phi_2]
        )
        assert _value(chain, completed.expr, at) == pytest.approx(reference, rel=1e-12)


def test_softmax_typo_record_against_scipy(checked):
    """glm-softmax-typo: at the checker's counterexample dA/d eta_1 is scipy's softmax of
    theta x, and the notes' line divides by x sum_j e^{theta_j}."""
    (chain,) = checked["glm-softmax-typo"]
    (notes,) = _the_notes_steps(chain)
    point = _point(notes)
    theta = np.array([point[f"\\theta_{i}"] for i in (1, 2, 3)])
    x = point["x"]
    left, right = _sides(notes)
    assert left == pytest.approx(scipy.special.softmax(theta * x)[0], rel=1e-12)
    assert right == pytest.approx(np.exp(theta[0] * x) / np.sum(x * np.exp(theta)), rel=1e-12)
    assert chain.start_verdict.holds
    at = {**point, "x": 0.8}
    reference = scipy.special.softmax(theta * 0.8)[0]
    assert _value(chain, chain.start.lhs, at) == pytest.approx(reference, rel=1e-12)


def test_softmax_reference_record_returns_phi(checked):
    """glm-softmax-reference: with the record's eta_i = log(phi_i / phi_3) and eta_3 = 0,
    scipy's softmax returns phi, and the record's A(eta) is scipy's logsumexp, -log phi_3."""
    (chain,) = checked["glm-softmax-reference"]
    assert chain.start_verdict.holds and all(step.verdict.holds for step in chain.steps)
    names = {str(key): key for key in chain.given}
    for phi_1, phi_2 in [(0.1, 0.6), (0.45, 0.05)]:
        at = {"\\phi_1": phi_1, "\\phi_2": phi_2}
        eta = [_value(chain, names[f"\\eta_{i}"], at) for i in (1, 2, 3)]
        np.testing.assert_allclose(
            scipy.special.softmax(eta), [phi_1, phi_2, 1 - phi_1 - phi_2], rtol=1e-12
        )
        A = _value(chain, names["{A(\\eta)}"], at)
        assert A == pytest.approx(scipy.special.logsumexp(eta), rel=1e-12)
        assert A == pytest.approx(-np.log(1 - phi_1 - phi_2), rel=1e-12)
        assert _value(chain, chain.start.lhs, at) == pytest.approx(phi_1, rel=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.floats(-30, 30))
def test_bernoulli_sign_record_is_the_sigmoid(checked, eta):
    """glm-bernoulli-sign (odd but true): the record's derivative of the notes'
    A(eta) = -log(1 - sigma(eta)), evaluated at 30 digits, is scipy's expit, as is its last
    line."""
    (chain,) = checked["glm-bernoulli-sign"]
    assert all(step.verdict.holds for step in chain.steps)
    at = {"\\eta": eta}
    assert _value(chain, chain.start, at) == pytest.approx(scipy.special.expit(eta), rel=1e-12)
    assert _value(chain, chain.steps[-1].expr, at) == pytest.approx(
        scipy.special.expit(eta), rel=1e-12
    )


def test_nonlinear_techniques_record_against_numpy(checked):
    """lin-nonlinear-techniques: the record's second differences f(e_1) + f(-e_1) - 2 f(0) are
    numpy's: 2 for |x_1| (the checker's counterexample to the thread's 0), 0 for its
    convolution-plus-residual network at random weights, and 2 for its two ReLU units."""
    (chain,) = checked["lin-nonlinear-techniques"]
    (notes,) = _the_notes_steps(chain)

    def second_difference(f):
        e1 = np.array([1.0, 0.0, 0.0])
        return f(e1) + f(-e1) - 2 * f(np.zeros(3))

    target = second_difference(lambda x: abs(x[0]))
    assert target == 2.0 and _sides(notes) == (target, 0.0)
    names = {str(key): key for key in chain.given}
    relu = second_difference(lambda x: max(0.0, x[0]) + max(0.0, -x[0]))
    assert _value(chain, names["{\\Delta f_{\\text{ReLU}}}"], {}) == relu == target
    linear = names["{\\Delta f_{\\text{conv+res}}}"]
    rng = np.random.default_rng(2)
    names_ = [f"k_{i}" for i in range(3)] + [f"{v}_{i}" for v in "wb" for i in (1, 2, 3)]
    for _ in range(3):
        weights = dict(zip([*names_, "c"], rng.normal(size=10), strict=True))
        # the same network in numpy: a 'same' convolution with kernel k, a residual connection,
        # biases b and a linear output with weights w and bias c
        k = [weights[f"k_{i}"] for i in range(3)]
        C = np.array([[k[j - i + 1] if abs(j - i) <= 1 else 0 for j in range(3)] for i in range(3)])
        w = np.array([weights[f"w_{i}"] for i in (1, 2, 3)])
        b = np.array([weights[f"b_{i}"] for i in (1, 2, 3)])
        c = weights["c"]
        network = second_difference(lambda x, C=C, w=w, b=b, c=c: w @ (x + C @ x + b) + c)
        assert network == pytest.approx(0.0, abs=1e-12)
        assert _value(chain, linear, weights) == pytest.approx(network, abs=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.floats(-50, 50))
def test_the_relu_line_of_the_record_is_the_absolute_value(checked, t):
    """lin-nonlinear-techniques' last line, max(0, t) + max(0, -t) = |t|, evaluated from the
    record's own expressions, against numpy's absolute value."""
    relu_line = checked["lin-nonlinear-techniques"][0].steps[-1]
    assert relu_line.verdict.holds
    for side in (relu_line.expr.lhs, relu_line.expr.rhs):
        value = float(side.subs({s: t for s in side.free_symbols}))
        assert value == pytest.approx(np.abs(t), abs=1e-12)


def test_log_moments_record_against_scipy_quadrature(checked):
    """glm-table-log-moments (odd but true): the record's dA/d eta of glmnotes' beta and gamma
    families, and its closed forms, are E[log y] and E[y] by scipy's quadrature."""
    from scipy import integrate

    (chain,) = checked["glm-table-log-moments"]
    assert chain.start_verdict.holds and all(step.verdict.holds for step in chain.steps)
    names = {str(key): key for key in chain.given}
    for alpha, beta in [(2.5, 1.5), (0.7, 3.0)]:
        at = {"alpha": alpha, "beta": beta}
        beta_log, _ = integrate.quad(
            lambda t, a=alpha, b=beta: np.log(t) * scipy.stats.beta.pdf(t, a, b), 0, 1
        )
        gamma_log, _ = integrate.quad(
            lambda t, a=alpha, b=beta: np.log(t) * scipy.stats.gamma.pdf(t, a, scale=1 / b),
            0,
            np.inf,
        )
        for name, reference in [
            ("{h_1^{\\mathrm{beta}}}", beta_log),
            ("{\\psi(\\alpha) - \\psi(\\alpha + \\beta)}", beta_log),
            ("{h_1^{\\Gamma}}", gamma_log),
            ("{\\psi(\\alpha) - \\log\\beta}", gamma_log),
            ("{h_2^{\\Gamma}}", scipy.stats.gamma.mean(alpha, scale=1 / beta)),
        ]:
            assert _value(chain, names[name], at) == pytest.approx(reference, rel=1e-8), name


def test_negative_eta_record_against_scipy(checked):
    """glm-negative-eta (odd but true): for eta < 0 the record's normaliser is scipy's
    integral, its A' is the exponential mean -1/eta; its evidence's log-likelihood is scipy's
    exponential log-density at the rates -x^T theta, and -inf once some x^T theta >= 0."""
    from scipy import integrate

    (chain,) = checked["glm-negative-eta"]
    assert chain.start_verdict.holds and all(step.verdict.holds for step in chain.steps)
    for eta in (-1.7, -0.3):
        normaliser, _ = integrate.quad(lambda t, e=eta: np.exp(e * t), 0, np.inf)
        assert _value(chain, chain.start.lhs, {"\\eta": eta}) == pytest.approx(normaliser)
        mean = scipy.stats.expon.mean(scale=-1 / eta)
        assert _value(chain, chain.steps[-1].expr.lhs, {"\\eta": eta}) == pytest.approx(mean)
    values = entry("glm-negative-eta").evidence().values
    X = np.array([[1.0, 0.5], [1.0, 2.0], [1.0, -1.0]])  # the evidence's data, restated
    rates = -(X @ [-1.0, -0.2])
    reference = scipy.stats.expon.logpdf([0.3, 1.2, 0.7], scale=1 / rates).sum()
    assert values["log-likelihood, every theta^T x < 0"] == pytest.approx(reference, rel=1e-12)
    assert values["log-likelihood, theta^T x = 1 for one point"] == -np.inf


# ---- bad input and the guards ----------------------------------------------------------------


def test_unknown_key_and_label():
    with pytest.raises(ValueError, match="no erratum with key 'nope'; known keys"):
        entry("nope")
    with pytest.raises(ValueError, match="no erratum with label"):
        entries_with_label("erratum-nope")


def _fake(**changes):
    fields = dict(
        key="fake-entry",
        label="erratum-fake",
        source=errata.SOURCES["000"],
        kind="error",
        quote="q",
        problem="p",
        correction="c",
        chapter="glm",
        checked_by="a test.",
        build=lambda: (),
    )
    fields.update(changes)
    return Erratum(**fields)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"kind": "typo"}, "kind must be one of"),
        ({"label": "fake"}, "label must start with 'erratum-'"),
        ({"key": "Bad Key"}, "key must be lower-case words"),
        ({"chapter": "nowhere"}, "chapter must be one of"),
        ({"problem": "  "}, "problem is empty"),
    ],
)
def test_malformed_entries_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        _fake(**changes)


def _true_derivation(label):
    x = sp.Symbol("x", real=True)
    d = Derivation(x + x, label=label, chapter="test-errata")
    d.step(2 * x, "collect")
    return d


def _false_derivation(label, reference):
    x = sp.Symbol("x", real=True)
    d = Derivation(x + x, label=label, chapter="test-errata")
    d.step(3 * x, "a slip", erratum=reference)
    return d


def test_an_error_whose_notes_step_is_not_shown_false_is_refused():
    item = _fake(build=lambda: (_true_derivation("fake-true"),))
    with pytest.raises(ErratumCheckError, match="no step of the notes is shown false"):
        item.check()


def test_an_error_without_a_holding_correction_is_refused():
    item = _fake(build=lambda: (_false_derivation("fake-false", "fake"),))
    with pytest.raises(ErratumCheckError, match="no corrected step holds"):
        item.check()


def test_an_erratum_step_must_refer_to_its_entry():
    item = _fake(build=lambda: (_false_derivation("fake-other", "something-else"),))
    with pytest.raises(ErratumCheckError, match="refer to"):
        item.check()


def test_odd_but_true_with_a_false_step_is_refused():
    item = _fake(kind="odd but true", build=lambda: (_false_derivation("fake-odd", "fake"),))
    with pytest.raises(ErratumCheckError, match="not every checked line holds"):
        item.check()


def test_a_check_that_builds_nothing_is_refused():
    with pytest.raises(ErratumCheckError, match="built no derivation"):
        _fake().check()


def test_normalise_whitespace():
    assert normalise_whitespace("a\t b\n\nc  ") == "a b c"


# ---- where each entry lives ------------------------------------------------------------------

NOTE_MODULES = {
    "000": ["glmnotes.book.errata.deep_learning_notes"],
    "001": ["glmnotes.book.errata.linear_collapse_thread"],
    "002": ["glmnotes.book.errata.glm_notes", "glmnotes.book.errata.glm_notes_odd_but_true"],
}


def test_each_entry_lives_in_its_notes_module_right_after_its_check():
    import ast
    import importlib
    import inspect

    listed = []
    for number, names in NOTE_MODULES.items():
        for name in names:
            module = importlib.import_module(name)
            assert module.SOURCE is errata.SOURCES[number]
            assert all(item.source is module.SOURCE for item in module.ENTRIES)
            listed.extend(module.ENTRIES)
            # in the file, each record `NAME = Erratum(..., build=_check_x)` comes right after
            # the definition of _check_x (and of its measure, if any), before any other check
            checks_so_far = []
            for node in ast.parse(inspect.getsource(module)).body:
                if isinstance(node, ast.FunctionDef) and node.name.startswith("_check_"):
                    checks_so_far.append(node.name)
                elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                    if getattr(node.value.func, "id", None) != "Erratum":
                        continue
                    build = next(k.value.id for k in node.value.keywords if k.arg == "build")
                    assert checks_so_far and checks_so_far[-1] == build, node.targets[0].id
    assert tuple(listed) == catalogue()  # the catalogue is the modules' entries, in order
    for item in catalogue():
        assert item.build.__module__ in NOTE_MODULES[item.source.number]
        if item.measure is not None:
            assert item.measure.__module__ == item.build.__module__


def test_partial_derivatives_are_shown_as_one_group():
    from glmnotes.book.errata.records import shown_partial
    from glmnotes.notation import partial, shown

    assert shown_partial("L", "c") == shown(partial("L", "c").name)
    assert (
        sp.latex(shown_partial(r"\ell", r"\theta_1"))
        == r"{\frac{\partial \ell}{\partial \theta_1}}"
    )


# ---- one derivation for the errata and the chapters -----------------------------------------


def test_the_multinomial_check_is_written_for_any_number_of_classes(checked):
    (chain,) = checked["glm-multinomial"]
    latex = derivation_latex(chain)
    assert r"\prod_{i=1}^{k - 1}" in latex and r"\sum_{i=1}^{k - 1}" in latex
    assert "numeric for k = 3" in latex  # and checked with k = 3 classes


def test_the_beta_log_moment_is_integrated_numerically(checked):
    (chain,) = checked["glm-table-log-moments"]
    kinds = [step.verdict.kind for step in chain.steps]
    assert kinds[0] is VerdictKind.NUMERIC  # E[log y] by quadrature, at random (alpha, beta)
    assert all(kind is VerdictKind.PROVED for kind in kinds[1:])


def test_the_gaussian_check_states_the_variance(checked):
    (chain,) = checked["glm-gaussian-a"]
    assert any("variance" in step.why for step in chain.steps)


def test_the_toy_chain_correction_is_the_seed_times_the_local_derivative(checked):
    """The corrected line multiplies the seed by c, the local derivative of L = c e: it does
    not contain the derivative it computes (no X = 1 X)."""
    (chain,) = checked["dl-toy-chain"]
    corrected = next(s for s in chain.steps if s.why.startswith("corrected"))
    c = sp.Symbol("c", real=True)
    assert corrected.expr.rhs.has(c) and corrected.verdict.holds
    assert corrected.expr.lhs not in corrected.expr.rhs.free_symbols


def test_the_loglik_check_is_written_for_n_data_points(checked):
    loglik, vanishing = checked["dl-loglik-product"]
    for d in (loglik, vanishing):
        assert r"\sum_{i=1}^{n}" in derivation_latex(d) and "n = 4" in derivation_latex(d)
    assert r"\prod_{i=1}^{n}" in derivation_latex(loglik)
    assert [s.erratum for s in loglik.steps] == [None, None, "dl-loglik-product"]


def test_the_index_reuse_check_finishes_the_notes_sum(checked):
    (reuse,) = checked["dl-index-reuse"]
    assert r"\sum_{i=1}^{m}" in derivation_latex(reuse)
    assert all(s.verdict.holds for s in reuse.steps)
    assert "proved for m = 4, j = 2" in derivation_latex(reuse)


def test_the_linear_collapse_checks_hold_for_every_shape(checked):
    (collapse,) = checked["lin-ordered-product"]
    distribute, name = collapse.steps
    assert distribute.verdict.kind is VerdictKind.PROVED and not distribute.verdict.concrete
    # naming the product and the bias substitutes their definitions: nothing proved
    assert name.verdict.kind is VerdictKind.BY_DEFINITION and not name.verdict.concrete
    _, residual = checked["lin-conv-residual"]
    block = residual.steps[0]
    assert block.erratum is None and block.verdict.kind is VerdictKind.PROVED
    assert residual.steps[1].erratum == "lin-conv-residual"
    evidence = entry("lin-ordered-product").evidence()
    assert evidence.values["W_3 W_2 W_1 = W_1 W_2 W_3 ?"] == "false"
    assert max(len(line) for line in str(evidence).splitlines()) <= 79
