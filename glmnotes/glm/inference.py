r"""Inference for a fitted GLM, with statsmodels' conventions (``statsmodels.api.GLM(...).fit()``).

With :math:`\hat\theta` the maximum-likelihood estimate, :math:`q` its length, :math:`r` the
rank of :math:`\tilde X`, :math:`n` the number of rows:

- **Fisher information** :math:`I(\theta) = \tilde X^\top W\tilde X/\phi` with the *expected*
  weights :math:`w_i = \mu_i'^2/V(\mu_i)` (:math:`\mu' = d\mu/d(x^\top\theta)`,
  :math:`V(\mu) = A''(\eta)`; for the canonical link :math:`w_i = A''(\eta_i)`). For a
  non-canonical link the observed information :math:`-\nabla^2\ell` differs from it by a term
  in :math:`y - \mu`; like statsmodels' default (IRLS, ``cov_type="nonrobust"``) the expected
  one is used. Covariance :math:`\hat\phi\,(\tilde X^\top W\tilde X)^{+}` (pseudo-inverse, as
  statsmodels), standard errors its diagonal's square roots.
- **Wald statistics** :math:`z_j = \hat\theta_j/\operatorname{se}_j`, two-sided p-values
  :math:`2\,\bar\Phi(|z_j|)` and intervals :math:`\hat\theta_j \pm \Phi^{-1}(1 - \alpha/2)\,
  \operatorname{se}_j` -- the normal distribution even when :math:`\phi` is estimated, which is
  statsmodels' default (``use_t=False``); with ``use_t=True``, Student's t with :math:`n - r`
  degrees of freedom.
- **Deviance** :math:`D = \sum_i 2\big(A^*(y_i) - (\eta_i y_i - A(\eta_i))\big)` from
  :math:`\eta` (stable), with :math:`A^*(y) = \sup_\eta\, \eta y - A(\eta)` the log-likelihood of
  the saturated model (:func:`saturated_term`); the *null deviance* is the same at the mean
  :math:`\bar y` of the intercept-only model (statsmodels fits a constant whether or not the
  model has one). Pearson's :math:`X^2 = \sum_i (y_i - \mu_i)^2/V(\mu_i)`.
- **Dispersion** :math:`\hat\phi`: 1 for bernoulli, poisson and exponential; for gaussian and
  gamma Pearson's :math:`X^2/(n - r)` (statsmodels' default) or the deviance estimate
  :math:`D/(n - r)` (``scale="deviance"``, statsmodels' ``scale="dev"``), or a given number.
- **Log-likelihood** ``llf`` at :math:`\hat\phi`, except for the Gaussian with identity link,
  where it is the profile log-likelihood at :math:`\hat\sigma^2 = D/n` (statsmodels' choice,
  followed here so that the criteria agree); **AIC** :math:`-2\,\text{llf} + 2r` and **BIC**
  :math:`-2\,\text{llf} + r\log n` (statsmodels' ``aic`` and ``bic_llf``: :math:`r` =
  ``df_model + 1``, the dispersion not counted), and ``bic_deviance``
  :math:`D - (n - r)\log n`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.linalg
from scipy import stats
from scipy.special import xlogy

from glmnotes.families import Bernoulli, Exponential, ExponentialFamily, Gaussian, Poisson
from glmnotes.glm.design import blocks, design_dot, information_block
from glmnotes.glm.likelihood import fitted_mean, natural_parameter, residual_and_weight
from glmnotes.links import Identity, Link

__all__ = ["Inference", "inference", "saturated_term", "unit_deviance"]


def saturated_term(family: ExponentialFamily, y: np.ndarray) -> np.ndarray:
    r""":math:`A^*(y) = \sup_\eta\,(\eta y - A(\eta))`, the convex conjugate of :math:`A`:
    gaussian :math:`y^2/2`, poisson :math:`y\log y - y`, bernoulli
    :math:`y\log y + (1-y)\log(1-y)`, exponential and gamma :math:`-1 - \log y`
    (:math:`0\log 0 = 0`)."""
    if isinstance(family, Gaussian):
        return 0.5 * y**2
    if isinstance(family, Poisson):
        return xlogy(y, y) - y
    if isinstance(family, Bernoulli):
        return xlogy(y, y) + xlogy(1 - y, 1 - y)
    if isinstance(family, Exponential):  # Gamma too
        return -1.0 - np.log(y)
    raise ValueError(f"{family.name}: no deviance here; inference covers the scalar GLM families.")


def unit_deviance(family: ExponentialFamily, y: np.ndarray, eta: np.ndarray) -> np.ndarray:
    r""":math:`d(y, \eta) = 2\big(A^*(y) - (\eta y - A(\eta))\big) \ge 0`, from :math:`\eta`."""
    return 2.0 * (saturated_term(family, y) - (eta * y - family.log_partition(eta)))


def inference_sums(X, t, family, link, theta, fit_intercept, null_eta):
    r"""Over the given rows, at ``theta`` and with unit dispersion: the Fisher information
    :math:`\tilde X^\top W\tilde X`, the deviance, Pearson's :math:`X^2`, the null deviance
    (at :math:`\eta` = ``null_eta``) and :math:`\sum_i (\eta_i y_i - A(\eta_i))`."""
    q = X.shape[1] + int(fit_intercept)
    information = np.zeros((q, q))
    deviance = pearson = null_deviance = inner = 0.0
    phi = family.dispersion
    for rows in blocks(len(X)):
        block, y = X[rows], t[rows]
        s = design_dot(block, theta, fit_intercept)
        eta = natural_parameter(family, link, s)
        mu = fitted_mean(family, link, s)
        _, weight = residual_and_weight(family, link, None, s)
        information += information_block(block, weight * phi, True, fit_intercept)
        variance = family.variance(eta) / phi  # V(mu) = A''(eta)
        saturated = saturated_term(family, y)
        fitted = eta * y - family.log_partition(eta)
        deviance += 2.0 * float(np.sum(saturated - fitted))  # unit_deviance, A* computed once
        pearson += float(np.sum((y - mu) ** 2 / variance))
        if null_eta is not None:
            null_fitted = null_eta * y - family.log_partition(null_eta)
            null_deviance += 2.0 * float(np.sum(saturated - null_fitted))
        inner += float(np.sum(fitted))
    return information, deviance, pearson, null_deviance, inner


def log_likelihood_sum(X, t, family, link, theta, fit_intercept):
    r""":math:`\sum_i \log p(y_i\mid\eta_i)` over the given rows, with ``family``'s dispersion."""
    total = 0.0
    for rows in blocks(len(X)):
        eta = natural_parameter(family, link, design_dot(X[rows], theta, fit_intercept))
        total += float(np.sum(family.log_density(t[rows], eta)))
    return total


@dataclass
class Inference:
    """The numbers :func:`inference` computes (statsmodels' names in brackets)."""

    params: np.ndarray  # (params)
    cov_params: np.ndarray  # (cov_params())
    bse: np.ndarray  # (bse)
    zvalues: np.ndarray  # (tvalues)
    pvalues: np.ndarray  # (pvalues)
    scale: float  # (scale)
    deviance: float  # (deviance)
    null_deviance: float  # (null_deviance)
    pearson_chi2: float  # (pearson_chi2)
    llf: float  # (llf)
    aic: float  # (aic)
    bic: float  # (bic_llf)
    bic_deviance: float  # (bic_deviance)
    nobs: int  # (nobs)
    df_model: int  # (df_model)
    df_resid: int  # (df_resid)
    use_t: bool

    def quantile(self, alpha: float) -> float:
        """:math:`\\Phi^{-1}(1-\\alpha/2)`, or Student's t with ``df_resid`` if ``use_t``."""
        if self.use_t:
            return float(stats.t.ppf(1 - alpha / 2, self.df_resid))
        return float(stats.norm.ppf(1 - alpha / 2))

    def conf_int(self, alpha: float = 0.05) -> np.ndarray:
        r"""``(q, 2)``: :math:`\hat\theta_j \mp z_{1-\alpha/2}\operatorname{se}_j`."""
        if not 0 < alpha < 1:
            raise ValueError(f"conf_int: alpha must be in (0, 1); got {alpha!r}.")
        half = self.quantile(alpha) * self.bse
        return np.column_stack([self.params - half, self.params + half])


def _scale(family: ExponentialFamily, scale: Any, pearson: float, deviance: float, df: int):
    r""":math:`\hat\phi`: ``"fixed"`` the family's own dispersion, ``"pearson"``
    :math:`X^2/(n - r)`, ``"deviance"`` :math:`D/(n - r)`, or a number."""
    if scale == "fixed":
        return family.dispersion
    if scale == "pearson":
        return pearson / df
    if scale == "deviance":
        return deviance / df
    return float(scale)


def inference(
    family: ExponentialFamily,
    link: Link,
    rows: Any,
    theta: np.ndarray,
    fit_intercept: bool,
    rank: int,
    scale: Any = "fixed",
    use_t: bool = False,
) -> Inference:
    r"""Everything in this module's docstring, at :math:`\hat\theta` = ``theta``, in two passes
    over ``rows`` (:mod:`glmnotes.glm.rows`). ``scale`` is ``"fixed"`` (:math:`\phi` =
    ``family.dispersion``, known), ``"pearson"``, ``"deviance"`` or a number (:func:`_scale`).
    ``theta`` is the flat coefficient vector (intercept first), ``rank`` the rank of
    :math:`\tilde X`."""
    mean = np.asarray(rows.mean_t, dtype=float)
    # ybar on the boundary (all y = 0, or all 1 for bernoulli): the null model is saturated
    null_eta = family.canonical_parameter(mean) if family.in_mean_space(mean) else None
    with np.errstate(all="ignore"):  # a separated or degenerate fit gives inf/nan, as statsmodels
        sums = rows.reduce(inference_sums, family, link, theta, fit_intercept, null_eta)
    return _from_sums(family, link, rows, theta, fit_intercept, rank, scale, use_t, sums)


def inverse_information(information: np.ndarray) -> np.ndarray:
    r"""The (pseudo-)inverse of the information :math:`I`, computed on its equilibration
    :math:`D^{-1/2} I D^{-1/2}` (:math:`D` its diagonal, so unit diagonal) and scaled back:
    :math:`I^{-1} = D^{-1/2} (D^{-1/2} I D^{-1/2})^{-1} D^{-1/2}`.

    Features on very different scales make :math:`I` badly conditioned (about :math:`10^{12}`
    for the referendum data's raw features), and its plain pseudo-inverse loses digits the
    equilibrated one keeps. For a singular :math:`I` the two pseudo-inverses differ; there the
    plain one is returned, as statsmodels computes it."""
    diagonal = np.diag(information)
    if np.all(diagonal > 0):
        scale = 1 / np.sqrt(diagonal)
        inverse, rank = scipy.linalg.pinvh(information * np.outer(scale, scale), return_rank=True)
        if rank == len(diagonal):
            return inverse * np.outer(scale, scale)
    return scipy.linalg.pinvh(information)


def _from_sums(family, link, rows, theta, fit_intercept, rank, scale, use_t, sums) -> Inference:
    """The :class:`Inference` from the sums of :func:`inference_sums`."""
    information, deviance, pearson, null_deviance, inner = sums
    n = rows.n
    df_resid = n - rank
    phi = _scale(family, scale, pearson, deviance, df_resid if df_resid > 0 else n)
    with np.errstate(all="ignore"):  # 0/0 for a coefficient the data do not identify
        finite = np.all(np.isfinite(information))
        unknown = np.full_like(information, np.nan)
        cov = phi * inverse_information(information) if finite else unknown
        bse = np.sqrt(np.diag(cov))
        zvalues = theta / bse
    if use_t:
        pvalues = 2 * stats.t.sf(np.abs(zvalues), df_resid)
    else:
        pvalues = 2 * stats.norm.sf(np.abs(zvalues))
    with np.errstate(all="ignore"):
        llf = _llf(family, link, rows, theta, fit_intercept, phi, deviance, inner)
    return Inference(
        params=theta,
        cov_params=cov,
        bse=bse,
        zvalues=zvalues,
        pvalues=pvalues,
        scale=float(phi),
        deviance=deviance,
        null_deviance=null_deviance,
        pearson_chi2=pearson,
        llf=llf,
        aic=-2 * llf + 2 * rank,
        bic=-2 * llf + rank * np.log(n),
        bic_deviance=deviance - df_resid * np.log(n),
        nobs=n,
        df_model=rank - 1,
        df_resid=df_resid,
        use_t=use_t,
    )


def _llf(family, link, rows, theta, fit_intercept, phi, deviance, inner) -> float:
    """statsmodels' ``llf``: at :math:`\\hat\\phi`; Gaussian with identity link at
    :math:`D/n` (the profile log-likelihood). At the family's own dispersion it is
    :math:`\\sum_i\\log b(y_i) + \\sum_i(\\eta_i y_i - A(\\eta_i))/\\phi` from sums already
    made; otherwise one more pass."""
    identity_gaussian = isinstance(family, Gaussian) and isinstance(link, Identity)
    if phi == family.dispersion and not identity_gaussian:
        return rows.log_base + inner / phi
    if isinstance(family, Gaussian):
        sigma2 = deviance / rows.n if isinstance(link, Identity) else phi
        # an exact fit: D = 0, or a rounding error below it; the likelihood is unbounded there
        family = Gaussian(sigma=np.sqrt(max(sigma2, np.finfo(float).tiny)))
    elif family.dispersion != phi:
        family = type(family)(shape=1.0 / phi)  # Gamma
    return rows.reduce(log_likelihood_sum, family, link, theta, fit_intercept)
