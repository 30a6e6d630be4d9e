r"""The scikit-learn estimator :class:`GLM`: the solvers behind ``fit``, ``predict``,
``score`` and ``log_likelihood``.

One name, one meaning. ``GLM.score(X, y)`` is what ``score`` means for scikit-learn's own GLMs
(``PoissonRegressor``, ``GammaRegressor``, ``TweedieRegressor``): :math:`D^2`, the fraction of
the deviance explained, a goodness of fit where 1 is perfect. It is *not* the statisticians'
score (the gradient of the log-likelihood, statsmodels' ``GLM.score(params)``): in glmnotes
that is :func:`glmnotes.glm.log_likelihood_gradient`. ``GLM.log_likelihood(X, y)`` is
:math:`\ell(\hat\theta)`, the same sum as :func:`glmnotes.glm.log_likelihood` and, on the
training data, statsmodels' ``llf``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.metaestimators import available_if

from glmnotes._validation import as_integer_labels, check_design_matrix, offenders
from glmnotes.families import Bernoulli, ExponentialFamily, Gamma, Gaussian, Multinomial
from glmnotes.glm.inference import Inference, inference, unit_deviance
from glmnotes.glm.likelihood import fitted_mean, natural_parameter
from glmnotes.glm.model import checked_response, glm_family, resolve_link
from glmnotes.glm.rows import is_dask_array
from glmnotes.glm.solvers import in_memory_rows, make_solver
from glmnotes.glm.summary import Summary, parameter_names, summary
from glmnotes.links import Link, sigmoid

__all__ = ["GLM"]


def _family_name(estimator: GLM) -> str:
    """The lower-case name of ``estimator.family`` (a name or an instance's class name)."""
    family = estimator.family
    return (family.name if isinstance(family, ExponentialFamily) else str(family)).lower()


def _is_classifier(estimator: GLM) -> bool:
    return _family_name(estimator) in ("bernoulli", "multinomial", "categorical")


def _checked_sample_weight(sample_weight: Any, n: int) -> np.ndarray:
    """``sample_weight`` as ``n`` finite non-negative floats with a positive sum (``None``: ones),
    else ``ValueError``."""
    if sample_weight is None:
        return np.ones(n)
    weights = np.asarray(sample_weight, dtype=float)
    if weights.shape != (n,):
        raise ValueError(
            f"GLM.score: sample_weight must have shape ({n},), one weight per row of X; got "
            f"shape {weights.shape}."
        )
    bad = ~np.isfinite(weights) | (weights < 0)
    if bad.any():
        raise ValueError(
            f"GLM.score: sample_weight must be finite and non-negative; got "
            f"{offenders(weights, bad)}."
        )
    if not weights.sum() > 0:
        raise ValueError("GLM.score: sample_weight sums to 0; no observation would count.")
    return weights


class GLM(RegressorMixin, BaseEstimator):
    r"""A generalized linear model fitted by maximum likelihood, scikit-learn style.

    Parameters
    ----------
    family : str or ExponentialFamily, default "gaussian"
        ``"gaussian"``, ``"bernoulli"``, ``"multinomial"``, ``"poisson"``, ``"gamma"`` or
        ``"exponential"`` (or an instance of the matching family class, used as given). For
        the names ``"gaussian"`` and ``"gamma"`` the dispersion is estimated after the
        coefficients (which do not depend on it): gaussian :math:`\hat\sigma^2 = RSS/m`
        (maximum likelihood, as statsmodels' ``llf``), gamma
        :math:`\hat\phi = \sum_i ((y_i - \mu_i)/\mu_i)^2 / (m - \text{rank})` (Pearson, as
        statsmodels' default scale), shape :math:`1/\hat\phi`.
    link : None, "canonical", "log" or a Link, default None
        ``None`` is the canonical link (identity, logit, log, :math:`-1/\mu`); ``"log"`` (or
        :class:`glmnotes.links.Log`) is available for gaussian, poisson, gamma and exponential.
        A name is resolved to a :mod:`glmnotes.links` object once, in ``fit``. With the
        canonical link the gamma/exponential coefficients are those of :math:`\eta = -1/\mu`,
        the negatives of statsmodels' default ``InversePower`` (:math:`1/\mu`) coefficients.
    solver : "newton" or "gradient", default "newton"
        :func:`newton_irls` or :func:`gradient_ascent`.
    fit_intercept : bool, default True
        Add an intercept (an implicit column of ones; ``X`` is not copied).
    max_iter : int or None
        Iteration limit; ``None`` means 100 for Newton and 10 000 for gradient ascent.
    tol : float or None
        Newton: Newton decrement per observation (default 1e-10). Gradient: largest gradient
        component per observation (default 1e-6).
    learning_rate : float, default 1.0
        :math:`\alpha` of gradient ascent (halved automatically when a step would lower the
        log-likelihood).
    scale : None, "pearson", "deviance" or float, default None
        The dispersion :math:`\phi` behind the standard errors (statsmodels' ``fit(scale=)``),
        for the names "gaussian" and "gamma": ``None``/``"pearson"`` :math:`X^2/(n - r)`,
        ``"deviance"`` :math:`D/(n - r)`, or a known value. Other families have a fixed
        dispersion (1, or the instance's own) and take ``None`` only.
    use_t : bool, default False
        Student's t with :math:`n - r` degrees of freedom for p-values and intervals instead of
        the normal (statsmodels' default is the normal, also when :math:`\phi` is estimated).

    Notes
    -----
    ``X`` and ``y`` may be row-chunked ``dask.array`` s (the ``dask`` extra): each pass is then a
    sum over chunks computed by the active Dask scheduler (a ``distributed.Client``, once
    created, is used automatically), the :math:`q\times q` solve in memory; same coefficients
    as in memory. Split columns are joined (``rechunk``); X and y must share their row chunks.
    Out of core there is no separation check (it needs ``X`` in memory): a fit that does not
    converge warns instead. Multinomial needs numpy input.

    For scikit-learn ``GLM`` is a regressor of the mean for every family (``predict`` returns
    :math:`\hat\mu`, for bernoulli a probability, as statsmodels' GLM does; a classifier's
    ``predict`` would return labels): ``sklearn.base.is_regressor`` is true, and ``score`` is
    :math:`D^2` (see :meth:`score`), not the :math:`R^2` of ``RegressorMixin``.

    Attributes
    ----------
    coef_ : ndarray
        ``(n_features,)``; multinomial ``(k-1, n_features)``, one row per class in
        ``classes_[:-1]``, relative to the reference class ``classes_[-1]`` (the notes'
        convention; statsmodels' ``MNLogit`` uses the first class instead).
    intercept_ : float or ndarray
        ``0.0`` (or zeros) when ``fit_intercept=False``.
    n_iter_, converged_, loglik_history_ :
        From the solver. ``loglik_history_`` is computed with unit dispersion for the names
        ``"gaussian"`` and ``"gamma"`` (the fit does not depend on it).
    family_ : ExponentialFamily
        The fitted family, with the estimated dispersion.
    link_ : Link
        The link used (:mod:`glmnotes.links`).
    dispersion_ : float
    rank_ : int
    params_ : ndarray
        Scalar families: the coefficients as one vector, intercept first (statsmodels'
        ``params`` with ``add_constant``); every inference array below is aligned with it and
        named by ``param_names_`` (``const``, then the DataFrame's columns or ``x1 ... xp``).
    cov_params_, bse_, zvalues_, tvalues_, pvalues_ : ndarray
        :math:`\hat\phi\,(\tilde X^\top W\tilde X)^{+}` with the *expected* (Fisher) weights
        :math:`w = \mu'^2/V(\mu)` -- statsmodels' default (IRLS, ``cov_type="nonrobust"``),
        which for a non-canonical link differs from the observed information -- its diagonal's
        square roots, :math:`z = \hat\theta/\mathrm{se}` (``tvalues_`` is the same array,
        statsmodels' name), two-sided p-values. See :mod:`glmnotes.glm.inference`.
    scale_, deviance_, null_deviance_, pearson_chi2_, llf_, aic_, bic_, bic_deviance_ : float
        As statsmodels' ``scale``, ``deviance``, ``null_deviance``, ``pearson_chi2``, ``llf``,
        ``aic`` :math:`= -2\ell + 2r`, ``bic_llf`` :math:`= -2\ell + r\log n` (``bic_``) and
        ``bic_deviance``; ``nobs_``, ``df_model_`` :math:`= r - 1`, ``df_resid_`` :math:`= n - r`.
    classes_ : ndarray
        For bernoulli (``[0, 1]``) and multinomial (the sorted labels seen in ``fit``).
    n_features_in_ : int
    """

    def __init__(
        self,
        family: str | ExponentialFamily = "gaussian",
        link: str | Link | None = None,
        solver: str = "newton",
        fit_intercept: bool = True,
        max_iter: int | None = None,
        tol: float | None = None,
        learning_rate: float = 1.0,
        scale: str | float | None = None,
        use_t: bool = False,
    ):
        self.family = family
        self.link = link
        self.solver = solver
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.learning_rate = learning_rate
        self.scale = scale
        self.use_t = use_t

    def __sklearn_tags__(self):
        """scikit-learn's tags: a regressor (``RegressorMixin``) that needs ``y``, and for
        poisson, gamma and exponential a positive ``y`` (as ``PoissonRegressor``'s tags)."""
        tags = super().__sklearn_tags__()
        positive = ("poisson", "gamma", "gammadispersion", "exponential")
        tags.target_tags.positive_only = _family_name(self) in positive
        return tags

    # -- fitting ------------------------------------------------------------------------------

    def _family_and_response(self, y: Any) -> tuple[ExponentialFamily, np.ndarray]:
        """The family to fit with and ``y`` as the family's labels/values."""
        name = self.family if isinstance(self.family, str) else None
        if name is not None and name.lower() in ("multinomial", "categorical"):
            y = np.asarray(y)
            as_integer_labels(y, "multinomial")  # integer-valued, else ValueError
            self.classes_, indices = np.unique(y, return_inverse=True)
            if len(self.classes_) < 2:
                raise ValueError(
                    f"multinomial: y has one class, {self.classes_.tolist()}; at least two "
                    "are needed."
                )
            return Multinomial(len(self.classes_)), indices.reshape(-1)
        family = glm_family(self.family, k=None)
        if isinstance(family, Multinomial):
            self.classes_ = np.arange(family.k)
        elif isinstance(family, Bernoulli):
            self.classes_ = np.array([0, 1])
        return family, family.validate(y)

    def _rows(self, X: Any, y: Any, who: str) -> tuple[ExponentialFamily, Any]:
        """The family and the rows to fit: in memory (numpy) or chunked (a Dask ``X`` or ``y``,
        :class:`~glmnotes.glm.dask_rows.DaskRows`)."""
        if y is None:
            raise ValueError(f"{who} requires y to be passed, but the target y is None.")
        if is_dask_array(X) or is_dask_array(y):
            from glmnotes.glm.dask_rows import DaskRows

            family = glm_family(self.family, k=2 if self._multinomial() else None)
            if isinstance(family, Bernoulli):
                self.classes_ = np.array([0, 1])
            return family, DaskRows(family, X, y, who)
        X = check_design_matrix(X, who)
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:  # scikit-learn's convention: warn, then ravel
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected; GLM uses y.ravel().",
                DataConversionWarning,
                stacklevel=3,
            )
            y = y.ravel()
        if y.ndim != 1 or len(y) != X.shape[0]:
            raise ValueError(
                f"{who}: y must be 1-d with one entry per row of X ({X.shape[0]}); got shape "
                f"{np.shape(y)}."
            )
        if X.shape[0] < 2:
            raise ValueError(
                f"{who}: got n_samples = 1; a fit needs at least 2 observations (with one, the "
                "mean fits y exactly and the gaussian/gamma dispersion estimate is 0 or 0/0)."
            )
        family, response = self._family_and_response(y)
        return family, in_memory_rows(family, X, response, None, self.link, self.fit_intercept)[2]

    def _multinomial(self) -> bool:
        return isinstance(self.family, str) and self.family.lower() in (
            "multinomial",
            "categorical",
        )

    def _scale_rule(self, family: ExponentialFamily) -> Any:
        """How :math:`\\phi` is set: estimated (``scale``; ``None`` means Pearson) for the names
        "gaussian" and "gamma", else fixed at the family's dispersion."""
        estimated = isinstance(self.family, str) and isinstance(family, (Gaussian, Gamma))
        if not estimated:
            if self.scale is not None:
                raise ValueError(
                    f"GLM(family={self.family!r}): the dispersion is fixed "
                    f"({family.dispersion:g}), so scale must be None; scale={self.scale!r} is "
                    "for the names 'gaussian' and 'gamma'."
                )
            return "fixed"
        if self.scale is None or self.scale in ("pearson", "deviance"):
            return self.scale or "pearson"
        if isinstance(self.scale, str) or not np.isfinite(self.scale) or self.scale <= 0:
            raise ValueError(
                f"GLM: scale must be None, 'pearson', 'deviance' or a positive number; got "
                f"{self.scale!r}."
            )
        return float(self.scale)

    def fit(self, X: Any, y: Any) -> GLM:
        """Fit the coefficients by maximum likelihood, then the inference (for the scalar
        families, :mod:`glmnotes.glm.inference`); returns ``self``."""
        if self.solver not in ("newton", "gradient"):
            raise ValueError(f"GLM: solver must be 'newton' or 'gradient'; got {self.solver!r}.")
        who = f"GLM(family={self.family!r})"
        family, rows = self._rows(X, y, who)
        scale_rule = self._scale_rule(family) if family.is_scalar else None
        link = resolve_link(family, self.link)
        newton = self.solver == "newton"
        max_iter = self.max_iter if self.max_iter is not None else (100 if newton else 10_000)
        tol = self.tol if self.tol is not None else (1e-10 if newton else 1e-6)
        solver = make_solver(
            self.solver, family, link, rows, self.fit_intercept, max_iter, tol, self.learning_rate
        )
        result = solver.solve(None)
        self.link_ = link
        self.n_features_in_ = rows.n_features
        self._set_coefficients(family, result.theta)
        self.n_iter_ = result.n_iter
        self.converged_ = result.converged
        self.loglik_history_ = result.loglik_history
        self.rank_ = result.rank
        self.family_ = family
        if family.is_scalar:
            self._infer(family, rows, result, scale_rule, X)
        self.dispersion_ = self.family_.dispersion
        return self

    def _set_coefficients(self, family: ExponentialFamily, theta: np.ndarray) -> None:
        if self.fit_intercept:
            self.intercept_ = theta[0] if family.is_scalar else theta[0].copy()
            coefficients = theta[1:]
        else:
            self.intercept_ = 0.0 if family.is_scalar else np.zeros(family.eta_size)
            coefficients = theta
        self.intercept_ = float(self.intercept_) if family.is_scalar else self.intercept_
        self.coef_ = coefficients.copy() if family.is_scalar else coefficients.T.copy()

    def _infer(self, family, rows, result, scale_rule, X) -> None:
        """The inference attributes, and for the names "gaussian" and "gamma" the family with
        the estimated dispersion (gaussian :math:`D/n`, gamma :math:`X^2/(n - r)`)."""
        found = inference(
            family, self.link_, rows, result.theta, self.fit_intercept, result.rank,
            scale_rule, self.use_t,
        )  # fmt: skip
        self.inference_ = found
        self.params_ = found.params.copy()
        self.param_names_ = parameter_names(X, rows.n_features, self.fit_intercept)
        self.cov_params_, self.bse_, self.zvalues_ = found.cov_params, found.bse, found.zvalues
        self.tvalues_, self.pvalues_, self.scale_ = found.zvalues, found.pvalues, found.scale
        self.deviance_, self.null_deviance_ = found.deviance, found.null_deviance
        self.pearson_chi2_, self.llf_, self.aic_, self.bic_ = (
            found.pearson_chi2, found.llf, found.aic, found.bic,
        )  # fmt: skip
        self.bic_deviance_, self.nobs_ = found.bic_deviance, found.nobs
        self.df_model_, self.df_resid_ = found.df_model, found.df_resid
        if isinstance(self.family, str) and isinstance(family, (Gaussian, Gamma)):
            tiny = np.finfo(float).tiny
            if isinstance(family, Gaussian):
                self.family_ = Gaussian(sigma=np.sqrt(max(found.deviance / found.nobs, tiny)))
            else:
                degrees = found.df_resid if found.df_resid > 0 else found.nobs
                phi = found.pearson_chi2 / degrees
                self.family_ = Gamma(shape=1.0 / max(phi, tiny))

    def conf_int(self, alpha: float = 0.05) -> np.ndarray:
        r"""Wald confidence intervals ``(q, 2)`` for ``params_``:
        :math:`\hat\theta_j \mp z_{1-\alpha/2}\,\mathrm{se}_j` (Student's t with ``df_resid_``
        degrees of freedom when ``use_t``), as statsmodels' ``conf_int``."""
        return self._fitted_inference().conf_int(alpha)

    def summary(self, alpha: float = 0.05) -> Summary:
        """A plain-text table (a ``str`` that notebooks show as HTML): the model, its fit
        statistics and one row per coefficient, laid out like statsmodels' ``summary()``."""
        return summary(self, alpha)

    def _fitted_inference(self) -> Inference:
        if not hasattr(self, "coef_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("This GLM is not fitted yet; call fit(X, y) first.")
        if not hasattr(self, "inference_"):
            raise ValueError(
                "GLM: inference is computed for the scalar families only, not multinomial."
            )
        return self.inference_

    # -- prediction ---------------------------------------------------------------------------

    def _linear_predictor(self, X: np.ndarray) -> np.ndarray:
        if self.coef_.ndim == 1:
            return self.intercept_ + X @ self.coef_
        return self.intercept_ + X @ self.coef_.T

    def _mean(self, X: np.ndarray) -> np.ndarray:
        family = (
            self.family_
            if hasattr(self, "family_")
            else glm_family(
                self.family, k=None if self.coef_.ndim == 1 else self.coef_.shape[0] + 1
            )
        )
        return fitted_mean(family, self.link_, self._linear_predictor(X))

    def _check_fitted_X(self, X: Any) -> np.ndarray:
        if not hasattr(self, "coef_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("This GLM is not fitted yet; call fit(X, y) first.")
        X = check_design_matrix(X, f"GLM(family={self.family!r})")
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"GLM: X has {X.shape[1]} features, but GLM is expecting "
                f"{self.n_features_in_} features as input."
            )
        return X

    def predict(self, X: Any) -> np.ndarray:
        r"""The fitted mean :math:`\mathbb E[y \mid x]` (``(n,)``); for the multinomial the
        expected one-hot vector, i.e. all :math:`k` class probabilities (``(n, k)``)."""
        return self._mean(self._check_fitted_X(X))

    @available_if(_is_classifier)
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities ``(n, k)``, columns in the order of ``classes_``."""
        X = self._check_fitted_X(X)
        lin = self._linear_predictor(X)
        if self.coef_.ndim == 1:
            return np.column_stack([sigmoid(-lin), sigmoid(lin)])
        return self.family_.probabilities(lin)

    def _response(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(X, y)`` checked against the fit: ``y`` as the fitted family's values, multinomial
        labels as indices into ``classes_`` (``ValueError`` for a label not seen in fit)."""
        X = self._check_fitted_X(X)
        if isinstance(self.family_, Multinomial) and isinstance(self.family, str):
            values = as_integer_labels(np.asarray(y), "multinomial")
            unknown = ~np.isin(values, self.classes_)
            if unknown.any():
                raise ValueError(
                    f"multinomial: y has labels not seen in fit: {offenders(values, unknown)}."
                )
            y = np.searchsorted(self.classes_, values)
        return X, checked_response(self.family_, y, X.shape[0])

    def log_likelihood(self, X: Any, y: Any) -> float:
        r""":math:`\ell(\hat\theta) = \sum_i \log p(y_i \mid x_i)` at the fitted coefficients and
        the fitted family (for "gaussian" and "gamma" with the estimated dispersion): the sum
        :func:`glmnotes.glm.log_likelihood` computes, and on the training data statsmodels'
        ``llf``. Divide by ``len(y)`` for the mean log-likelihood per observation."""
        X, y = self._response(X, y)
        eta = natural_parameter(self.family_, self.link_, self._linear_predictor(X))
        return float(np.sum(self.family_.log_density(y, eta)))

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        r""":math:`D^2`, the fraction of deviance explained, as scikit-learn's GLMs
        (``PoissonRegressor.score``):

        .. math::
            D^2 = 1 - \frac{\sum_i w_i\, d(y_i, \hat\mu_i)}{\sum_i w_i\, d(y_i, \bar y)},
            \qquad d(y, \mu) = 2\big(\log p(y \mid \mu = y) - \log p(y \mid \mu)\big)

        with unit dispersion (it cancels), :math:`\hat\mu_i` the fitted mean and
        :math:`\bar y = \sum_i w_i y_i / \sum_i w_i` the mean of the intercept-only model
        (``w`` = ``sample_weight``, ones by default). Gaussian: :math:`d = (y - \mu)^2` and
        :math:`D^2 = R^2`. Bernoulli and multinomial: :math:`d = -2\log\hat p_{y_i}`, the null
        model predicting the class frequencies of ``y`` (scikit-learn's
        ``d2_log_loss_score``). 1 is a perfect fit, 0 no better than :math:`\bar y`, negative
        worse. When every ``y`` is the same the null deviance is 0 and, as in scikit-learn,
        :math:`D^2` is ``-inf`` (or ``nan`` for a perfect fit)."""
        X, y = self._response(X, y)
        weights = _checked_sample_weight(sample_weight, len(y))
        family = self.family_
        eta = natural_parameter(family, self.link_, self._linear_predictor(X))
        with np.errstate(divide="ignore", invalid="ignore"):
            if isinstance(family, Multinomial):
                frequencies = np.bincount(y, weights, minlength=family.k) / weights.sum()
                deviance = -2.0 * family.log_density(y, eta)
                null = -2.0 * np.log(frequencies[y])
            else:
                deviance = unit_deviance(family, y, eta)
                mean = np.average(y, weights=weights)
                # ybar on the boundary (all y = 0, or all 1 for bernoulli): null deviance 0
                saturated = not family.in_mean_space(np.asarray(mean))
                null_eta = None if saturated else family.canonical_parameter(np.asarray(mean))
                null = np.zeros_like(y) if saturated else unit_deviance(family, y, null_eta)
            return float(1.0 - np.sum(weights * deviance) / np.sum(weights * null))
