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


# ---- the corrections agree with independent references --------------------------------------


def test_loglik_correction_matches_scipy_and_the_notes_formula_is_zero():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, size=50)
    y_hat = rng.uniform(0.05, 0.95, size=50)
    corrected = np.sum(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))
    notes = np.sum(y * np.log(y_hat) * (1 - y) * np.log(1 - y_hat))
    assert corrected == pytest.approx(np.sum(scipy.stats.bernoulli.logpmf(y, y_hat)))
    assert notes == 0.0


def test_toy_graph_derivatives_by_finite_differences():
    def L(a, b, c):
        return c * (a + 2 * b)

    a, b, c, h = 0.7, -1.2, 2.5, 1e-6
    e = a + 2 * b
    dL_dc = (L(a, b, c + h) - L(a, b, c - h)) / (2 * h)
    dL_de = (c * (e + h) - c * (e - h)) / (2 * h)  # L = c e, with e perturbed
    assert dL_dc == pytest.approx(e)
    assert dL_de == pytest.approx(c)  # the corrected line: the seed 1 times c
    assert dL_de != pytest.approx(1.0 * dL_dc)  # the notes' line: the seed times dL/dc
    assert e * e != pytest.approx(L(a, b, c))  # the notes' third step computes another number


def test_ols_assumptions_by_enumerating_the_error_law():
    X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
    W = np.array([0.3, -0.8])
    tau = np.array([0.5, 2.0, 1.2])
    fits, errors = [], []
    for u in (-1, 1):
        for v in (-1, 1):
            e = np.array([tau[0] * u, tau[1] * u, tau[2] * v])
            fits.append(np.linalg.lstsq(X, X @ W + e, rcond=None)[0])
            errors.append(e)
    fits, errors = np.array(fits), np.array(errors)
    np.testing.assert_allclose(fits.mean(axis=0), W, atol=1e-12)  # unbiased
    variance = (fits - W).T @ (fits - W) / 4
    Sigma = errors.T @ errors / 4
    gram_inverse = np.linalg.inv(X.T @ X)
    np.testing.assert_allclose(variance, gram_inverse @ X.T @ Sigma @ X @ gram_inverse, atol=1e-12)
    classical = np.mean(tau**2) * gram_inverse
    assert not np.allclose(variance, classical, atol=1e-3)


def test_vectorised_gradient_by_finite_differences():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(6, 2))
    y = rng.integers(0, 2, size=6).astype(float)
    theta = rng.normal(size=2)

    def loglik(t):
        eta = X @ t
        return np.sum(y * eta - np.logaddexp(0, eta))

    h = 1e-6
    numeric = np.array(
        [
            (loglik(theta + h * np.eye(2)[i]) - loglik(theta - h * np.eye(2)[i])) / (2 * h)
            for i in (0, 1)
        ]
    )
    corrected = X.T @ (y - scipy.special.expit(X @ theta))
    notes = X.T @ (y - np.logaddexp(0, X @ theta))
    np.testing.assert_allclose(numeric, corrected, rtol=1e-7)
    assert not np.allclose(numeric, notes, rtol=1e-3)
    reference = sm.Logit(y, X).score(theta)
    np.testing.assert_allclose(corrected, reference, rtol=1e-10)


def test_gradient_sum_over_examples_matches_statsmodels():
    rng = np.random.default_rng(6)
    m, n = 5, 2
    X = rng.normal(size=(m, n))
    y = np.array([0, 1, 1, 0, 1], dtype=float)
    theta = rng.normal(size=n)
    residual = y - scipy.special.expit(X @ theta)
    over_examples = sum(residual[j] * X[j] for j in range(m))
    over_features = sum(residual[j] * X[j] for j in range(n))  # the notes' sum to n
    reference = sm.Logit(y, X).score(theta)
    np.testing.assert_allclose(over_examples, reference, rtol=1e-10)
    assert not np.allclose(over_features, reference, rtol=1e-3)


def test_multinomial_completion_matches_scipy():
    phi = np.array([0.2, 0.5, 0.3])
    eta = np.log(phi[:2] / phi[2])
    A = np.log1p(np.sum(np.exp(eta)))
    assert A == pytest.approx(-np.log(phi[2]))
    for k in (1, 2, 3):
        T = np.array([k == 1, k == 2], dtype=float)
        reference = scipy.stats.multinomial.pmf(np.eye(3)[k - 1], 1, phi)
        assert np.exp(eta @ T - A) == pytest.approx(reference)
        notes = np.exp(T @ np.log(phi[:2]) + 1 - T.sum() * np.log(phi[2]))  # the notes' line
        if k == 3:
            assert notes != pytest.approx(reference)


def test_softmax_correction_matches_scipy_and_the_typo_does_not():
    theta = np.array([0.4, -1.0, 0.9])
    x = 1.7
    reference = scipy.special.softmax(theta * x)
    corrected = np.exp(theta * x) / np.sum(np.exp(theta * x))
    typo = np.exp(theta * x) / np.sum(np.exp(theta) * x)
    np.testing.assert_allclose(corrected, reference, rtol=1e-12)
    assert not np.allclose(typo, reference, rtol=1e-3)


def test_softmax_with_a_zero_reference_row_returns_phi():
    phi = np.array([0.1, 0.6, 0.3])
    eta = np.append(np.log(phi[:2] / phi[2]), 0.0)  # theta_k = 0
    np.testing.assert_allclose(scipy.special.softmax(eta), phi, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.floats(-30, 30))
def test_bernoulli_mean_by_numerical_differentiation(eta):
    # The notes' A(eta) = -ln(1 - sigma(eta)), differentiated by mpmath at 30 digits.
    import mpmath

    with mpmath.workdps(30):
        derivative = mpmath.diff(lambda t: -mpmath.log(1 - 1 / (1 + mpmath.exp(-t))), eta)
    assert float(derivative) == pytest.approx(scipy.special.expit(eta), rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.floats(-50, 50))
def test_relu_pair_is_absolute_value(t):
    assert max(0.0, t) + max(0.0, -t) == abs(t)


def test_beta_and_gamma_log_moments_by_sampling_free_quadrature():
    from scipy import integrate

    alpha, beta = 2.5, 1.5
    e_log, _ = integrate.quad(
        lambda t: np.log(t) * scipy.stats.gamma.pdf(t, alpha, scale=1 / beta), 0, np.inf
    )
    assert e_log == pytest.approx(scipy.special.digamma(alpha) - np.log(beta), rel=1e-8)
    assert scipy.stats.gamma.mean(alpha, scale=1 / beta) == pytest.approx(alpha / beta)


def test_exponential_mean_needs_negative_eta():
    from scipy import integrate

    eta = -1.7
    mean, _ = integrate.quad(lambda t: t * (-eta) * np.exp(eta * t), 0, np.inf)
    assert mean == pytest.approx(-1 / eta)
    assert scipy.stats.expon.mean(scale=-1 / eta) == pytest.approx(-1 / eta)


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
