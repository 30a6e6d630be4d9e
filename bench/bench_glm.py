"""Benchmark: glmnotes.GLM beside scikit-learn and statsmodels, in the same run.

Data (fixed seed): X with n rows (default 1,000,000) and p = 20 standard normal columns, an
intercept, and
- Poisson counts with log-mean 0.5 + X beta, beta ~ N(0, 0.3^2 / p);
- Bernoulli labels with logit -0.5 + X beta, beta ~ N(0, 1 / p).

Fits, all unpenalised with an intercept:
- glmnotes: ``GLM(family=...)`` (Newton/IRLS, default tol);
- scikit-learn: ``PoissonRegressor(alpha=0, solver="newton-cholesky")`` and
  ``LogisticRegression(C=np.inf, solver="newton-cholesky")`` at their default tol (1e-4) and
  at ``tol=1e-12`` (the coefficient reference);
- statsmodels: ``GLM(...).fit()`` (IRLS, default tol; one run; the design with its constant
  column is built outside the timing).

glmnotes and both scikit-learn fits are timed in interleaved rounds (median of ``--repeats``).
Printed: times, the ratios glmnotes / scikit-learn and statsmodels / glmnotes, the largest
coefficient differences, and glmnotes' peak memory during ``fit`` (tracemalloc, a separate run)
relative to ``X.nbytes``. Targets: <= 0.7x scikit-learn's time, >= 10x faster than statsmodels,
coefficients within 1e-8 of the tight reference, peak memory <= 3x X. The floor: one fused pass
forming X'WX and X'Wz at the fitted weights, as plain numpy (``X.T @ (w[:, None] * X)``,
``X.T @ (w * z)``) and blocked like glmnotes (8192 rows, ``A.T @ A``); one Newton pass of
glmnotes (log-likelihood, gradient and information) and the whole fit per iteration (which also
holds the start, the last step's pass and the inference) as ratios of both (target <= 2x).

Run: ``python bench/bench_glm.py [--n 1000000] [--p 20] [--repeats 5] [--skip-statsmodels]``.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import tracemalloc
import warnings

import numpy as np
import statsmodels.api as sm
from scipy.special import expit
from sklearn.linear_model import LogisticRegression, PoissonRegressor

from glmnotes.glm import GLM


def timed(fits: dict, repeats: int) -> tuple[dict, dict]:
    """Median wall time of each ``fit()`` over ``repeats`` rounds, the fits interleaved within a
    round (the machine is shared: interleaving exposes all sides to the same load), and the
    last result of each."""
    times = {name: [] for name in fits}
    results = {}
    for _ in range(repeats):
        for name, fit in fits.items():
            gc.collect()
            start = time.perf_counter()
            results[name] = fit()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}, results


def peak_memory(fit) -> int:
    """Peak bytes allocated (tracemalloc) while ``fit()`` runs."""
    gc.collect()
    tracemalloc.start()
    fit()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def generate(n: int, p: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    beta_poisson = rng.normal(0.0, 0.3 / np.sqrt(p), p)
    beta_logistic = rng.normal(0.0, 1.0 / np.sqrt(p), p)
    y_poisson = rng.poisson(np.exp(0.5 + X @ beta_poisson)).astype(float)
    y_logistic = rng.binomial(1, expit(-0.5 + X @ beta_logistic)).astype(float)
    return X, y_poisson, y_logistic


def floor_and_pass(X, y, model, family: str, repeats: int) -> tuple[float, float]:
    """Median times of the floor -- one fused pass forming X'WX and X'Wz with numpy at the fitted
    weights, ``X.T @ (w[:, None] * X)`` and ``X.T @ (w * z)`` -- and of one Newton pass of
    glmnotes at the same point (log-likelihood, gradient and information in one pass)."""
    from glmnotes.glm.likelihood import accumulate
    from glmnotes.glm.model import glm_family, resolve_link

    eta = model.intercept_ + X @ model.coef_
    mu = expit(eta) if family == "bernoulli" else np.exp(eta)
    w = mu * (1 - mu) if family == "bernoulli" else mu
    z = eta + (y - mu) / w
    theta = np.r_[model.intercept_, model.coef_]
    fam = glm_family(family)
    link = resolve_link(fam, None)

    def blocked_floor():
        """The same two products, 8192 rows at a time, X'WX as A'A with A = sqrt(w) X."""
        gram, rhs = np.zeros((X.shape[1], X.shape[1])), np.zeros(X.shape[1])
        for start in range(0, len(X), 8192):
            rows = slice(start, start + 8192)
            A = X[rows] * np.sqrt(w[rows])[:, None]
            gram += A.T @ A
            rhs += X[rows].T @ (w[rows] * z[rows])
        return gram, rhs

    times, _ = timed(
        {
            "floor": lambda: (X.T @ (w[:, None] * X), X.T @ (w * z)),
            "blocked": blocked_floor,
            "pass": lambda: accumulate(fam, link, X, y, theta, True, True, True, "newton"),
        },
        repeats,
    )
    return times["floor"], times["blocked"], times["pass"]


def with_intercept(intercept, coef) -> np.ndarray:
    return np.r_[np.ravel(intercept), np.ravel(coef)]


def report(label: str, value: str, target: str = "", met: bool | None = None) -> None:
    """One aligned line: label, value, and the target with whether it was met."""
    verdict = "" if met is None else ("met" if met else "MISSED")
    print(f"  {label:<48} {value:>9}  {target} {verdict}".rstrip())


def run(name: str, X, y, family: str, sklearn_model, sm_family, repeats: int, skip_sm: bool):
    times, fits = timed(
        {
            "ours": lambda: GLM(family=family).fit(X, y),
            "sklearn": lambda: sklearn_model(tol=1e-4).fit(X, y),
            "tight": lambda: sklearn_model(tol=1e-12).fit(X, y),
        },
        repeats,
    )
    ours, sk, tight = fits["ours"], fits["sklearn"], fits["tight"]
    theta = with_intercept(ours.intercept_, ours.coef_)
    reference = with_intercept(tight.intercept_, tight.coef_)
    default = with_intercept(sk.intercept_, sk.coef_)
    memory = peak_memory(lambda: GLM(family=family).fit(X, y)) / X.nbytes

    print(f"\n{name}: n = {X.shape[0]:,}, p = {X.shape[1]} (+ intercept)")
    iterations = f"({ours.n_iter_} it.)"
    report(f"glmnotes GLM newton, tol 1e-10 {iterations}", f"{times['ours']:.3f} s")
    iterations = f"({np.ravel(sk.n_iter_)[0]} it.)"
    report(f"scikit-learn newton-cholesky tol 1e-4 {iterations}", f"{times['sklearn']:.3f} s")
    iterations = f"({np.ravel(tight.n_iter_)[0]} it.)"
    report(f"scikit-learn newton-cholesky tol 1e-12 {iterations}", f"{times['tight']:.3f} s")
    ratio = times["ours"] / times["sklearn"]
    report(
        "time glmnotes / scikit-learn tol 1e-4", f"{ratio:.2f}x", "(target <= 0.7)", ratio <= 0.7
    )
    report("time glmnotes / scikit-learn tol 1e-12", f"{times['ours'] / times['tight']:.2f}x")
    difference = np.max(np.abs(theta - reference))
    report(
        "max |coef - scikit-learn tol 1e-12|",
        f"{difference:.2e}",
        "(target <= 1e-8)",
        difference <= 1e-8,
    )
    report("max |coef - scikit-learn tol 1e-4|", f"{np.max(np.abs(theta - default)):.2e}")
    report("peak memory in fit / X.nbytes", f"{memory:.2f}x", "(target <= 3)", memory <= 3)
    floor, blocked, one_pass = floor_and_pass(X, y, ours, family, repeats)
    report("the floor: X'WX + X'Wz, one fused pass", f"{floor:.3f} s")
    report("  the same, blocked (8192 rows, A'A)", f"{blocked:.3f} s")
    report("one Newton pass (l, X'r, X'WX) / floor", f"{one_pass / floor:.2f}x", "(target <= 2)",
           one_pass / floor <= 2)  # fmt: skip
    report("one Newton pass / blocked floor", f"{one_pass / blocked:.2f}x", "(target <= 2)",
           one_pass / blocked <= 2)  # fmt: skip
    per_iteration = times["ours"] / ours.n_iter_
    report("fit time / Newton iterations / floor", f"{per_iteration / floor:.2f}x")
    report("fit time / Newton iterations / blocked floor", f"{per_iteration / blocked:.2f}x")
    if skip_sm:
        return
    design = sm.add_constant(X)
    sm_times, sm_fits = timed({"sm": lambda: sm.GLM(y, design, family=sm_family).fit()}, 1)
    sm_fit = sm_fits["sm"]
    speedup = sm_times["sm"] / times["ours"]
    iterations = f"({sm_fit.fit_history['iteration']} it.)"
    report(f"statsmodels GLM IRLS, default tol {iterations}", f"{sm_times['sm']:.3f} s")
    report("time statsmodels / glmnotes", f"{speedup:.1f}x", "(target >= 10)", speedup >= 10)
    report("max |coef - statsmodels|", f"{np.max(np.abs(theta - sm_fit.params)):.2e}")
    report("log-likelihood glmnotes - statsmodels", f"{ours.loglik_history_[-1] - sm_fit.llf:.2e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="rows (default 1,000,000)")
    parser.add_argument("--p", type=int, default=20, help="features (default 20)")
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds (median)")
    parser.add_argument("--skip-statsmodels", action="store_true", help="it takes ~10 s a fit")
    args = parser.parse_args()

    X, y_poisson, y_logistic = generate(args.n, args.p)
    print(f"X: {X.shape[0]:,} x {X.shape[1]} float64, {X.nbytes / 1e6:.0f} MB")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning would mean a fit went wrong
        run(
            "Poisson",
            X,
            y_poisson,
            "poisson",
            lambda tol: PoissonRegressor(alpha=0, solver="newton-cholesky", tol=tol, max_iter=100),
            sm.families.Poisson(),
            args.repeats,
            args.skip_statsmodels,
        )
        run(
            "Logistic",
            X,
            y_logistic,
            "bernoulli",
            lambda tol: LogisticRegression(
                C=np.inf, solver="newton-cholesky", tol=tol, max_iter=100
            ),
            sm.families.Binomial(),
            args.repeats,
            args.skip_statsmodels,
        )


if __name__ == "__main__":
    main()
