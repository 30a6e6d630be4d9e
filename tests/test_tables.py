"""Tests for glmnotes.book.tables: the families tables (sympy's derivatives, patterns checked,
counted from 1), the sample moments against scipy, and the naive-versus-stable table."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp
from scipy import stats
from scipy.special import expit

from glmnotes.book import tables
from glmnotes.evidence import EvidenceError
from glmnotes.families import Bernoulli, Beta, Poisson, get_family

PARAMETERS = {"multinomial": {"k": 3}, "Dirichlet": {"k": 3}}
NAMES = ["Gaussian", "Bernoulli", "multinomial", "Poisson", "exponential", "gamma", "beta"]
#: The row "gamma" is the notes' two-parameter gamma, which get_family calls "gamma_shape_rate"
#: ("gamma" is the regression gamma there, as in statsmodels).
KNOWN_AS = {"gamma": "gamma_shape_rate"}
FAMILIES = {
    name: get_family(KNOWN_AS.get(name, name), **PARAMETERS.get(name, {}))
    for name in [*NAMES, "Dirichlet"]
}


@pytest.fixture(scope="module")
def families_tables():
    return tables.families_tables(FAMILIES)


def rows(table):
    return {line.split(" | ")[0].strip("| "): line for line in table.splitlines()[2:]}


def test_three_tables_with_a_row_per_family(families_tables):
    assert len(families_tables) == 3
    for table in families_tables:
        assert list(rows(table)) == list(FAMILIES)
        assert all(
            line.count("|") == table.splitlines()[0].count("|") for line in table.splitlines()
        )


def test_tables_count_from_one_and_name_the_special_functions(families_tables):
    what, partition, moments = families_tables
    text = "\n".join(families_tables)
    assert "_{0}" not in text and "eta_0" not in text
    assert r"1\{y = i\}" in rows(what)["multinomial"] and r"\phi_3" in rows(what)["multinomial"]
    assert r"y_{1} y_{2} y_{3}" in rows(what)["Dirichlet"]
    assert r"\log\Gamma(\eta_{1})" in rows(partition)["beta"]
    assert r"\psi'(\eta_{1})" in rows(moments)["gamma"]
    assert "polygamma" not in text


def test_scalar_moments_are_sympys_derivatives(families_tables):
    moments = rows(families_tables[2])
    assert r"$e^{\eta}$ | $e^{\eta}$" in moments["Poisson"]
    assert r"- \frac{1}{\eta}" in moments["exponential"]
    assert r"\left(e^{\eta} + 1\right)^{2}" in moments["Bernoulli"]  # sigma (1 - sigma)


def test_a_pattern_that_is_not_sympys_result_is_refused(monkeypatch):
    text, curvature_tex, gradient_of, curvature_of = tables._PATTERNS["Beta"]
    wrong = (text, curvature_tex, lambda etas: 2 * gradient_of(etas), curvature_of)
    monkeypatch.setitem(tables._PATTERNS, "Beta", wrong)
    with pytest.raises(ValueError, match="not sympy's result"):
        tables.families_tables({"beta": Beta()})


def test_sample_moments_identities_match_scipy():
    table = tables.sample_moments(
        {"Poisson": Poisson(), "Bernoulli": Bernoulli()},
        {"Poisson": 1.2, "Bernoulli": -0.4},
        n=20_000,
        seed=3,
    )
    lam, p = np.exp(1.2), expit(-0.4)
    assert table.loc[("Poisson", "T"), ("mean", "identity")] == pytest.approx(
        stats.poisson.mean(lam)
    )
    assert table.loc[("Poisson", "T"), ("variance", "identity")] == pytest.approx(lam)
    assert table.loc[("Bernoulli", "T"), ("variance", "identity")] == pytest.approx(
        stats.bernoulli.var(p)
    )
    assert np.all(np.abs(table.xs("z", axis=1, level=1)) < 5)
    assert list(table.columns.levels[0]) == ["mean", "variance"]


def test_sample_moments_find_a_wrong_mean():
    class Shifted(Poisson):
        def mean(self, eta):
            return super().mean(eta) + 0.05

    table = tables.sample_moments({"shifted": Shifted()}, {"shifted": 1.2}, n=50_000, seed=1)
    assert abs(table.loc[("shifted", "T"), ("mean", "z")]) > 5


def naive_softplus(t):
    return np.log(1 + np.exp(t))


def exact_softplus(t):
    return mpmath.log(1 + mpmath.exp(t))


def test_naive_versus_stable_reports_overflow_and_a_bound():
    bern = Bernoulli()
    table = tables.naive_versus_stable(
        [("Bernoulli A", 800.0, naive_softplus, bern.log_partition, exact_softplus),
         ("Bernoulli A", -40.0, naive_softplus, bern.log_partition, exact_softplus)]
    )  # fmt: skip
    first, second = table.iloc[0], table.iloc[1]
    assert first["naive"] == "inf" and first["naive: numpy warned"] == "overflow"
    assert second["naive"] == "0" and second["glmnotes"] == "4.24835e-18"
    assert set(table["relative error"]) == {"< 1e-12"}


def test_naive_versus_stable_refuses_an_inaccurate_package():
    def inaccurate(t):
        return Bernoulli().log_partition(t) * (1 + 1e-9)

    with pytest.raises(EvidenceError):
        tables.naive_versus_stable([("A", -40.0, naive_softplus, inaccurate, exact_softplus)])


def test_vector_arguments_reach_mpmath_as_lists():
    def reference(t):
        assert isinstance(t, list) and all(isinstance(v, mpmath.mpf) for v in t)
        return mpmath.log(mpmath.beta(t[0], t[1]))

    table = tables.naive_versus_stable(
        [("beta A", np.array([200.0, 300.0]), lambda t: sp.nan, Beta().log_partition, reference)]
    )
    assert table.index[0] == ("beta A", "200, 300")
