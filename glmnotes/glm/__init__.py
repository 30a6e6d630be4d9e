r"""Generalized linear models: the notes' log-likelihood, its gradient, and two ways to climb it.

The model (the notes' three assumptions): observations are independent,
:math:`y_i \mid x_i` follows an exponential family (:mod:`glmnotes.families`), and a linear
predictor :math:`x_i^\top\theta` drives its natural parameter. With the *canonical link*
:math:`\eta_i = x_i^\top\theta`, and the prediction is :math:`h(x) = \mathbb E[T(y) \mid x] =
A'(x^\top\theta)`. With the *log link* (gaussian, poisson, exponential, gamma)
:math:`\log\mu_i = x_i^\top\theta` and :math:`\eta_i = g(\mu_i)`, :math:`g` the canonical link.

Forward and backward, side by side (:math:`\phi` the dispersion, 1 unless stated):

.. math::
    \ell(\theta) &= \textstyle\sum_i \log b(y_i) + \big(\eta_i^\top T(y_i) - A(\eta_i)\big)/\phi
    \qquad \text{(log-likelihood)}\\
    \nabla\ell(\theta) &= X^\top r,\quad r_i = (T(y_i) - A'(\eta_i))/\phi
    \qquad \text{(gradient, the score; canonical link)}\\
    I(\theta) &= X^\top W X,\quad w_i = A''(\eta_i)/\phi = -\nabla^2\ell(\theta)
    \qquad \text{(Fisher information)}\\
    \theta &\leftarrow \theta + \tfrac{\alpha}{m}\, X^\top\big(T(y) - h(X\theta)\big)
    \qquad \text{(gradient ascent, the notes' rule)}\\
    \theta &\leftarrow \theta + I(\theta)^{-1}\nabla\ell(\theta)
    \qquad \text{(Newton / IRLS)}

For a non-canonical link the gradient picks up the chain-rule factor
:math:`r_i = (y_i - \mu_i)\,\mu_i'/(\phi V(\mu_i))` and the Fisher weights become
:math:`w_i = \mu_i'^2/(\phi V(\mu_i))`, with :math:`\mu_i' = d\mu_i/d(x_i^\top\theta)` and
:math:`V(\mu) = A''(\eta)`; then :func:`hessian` (observed) and :func:`fisher_information`
(expected) differ. :func:`newton_irls` uses the observed information when it is positive
semi-definite (true Newton) and the expected one otherwise (Fisher scoring, the classic IRLS).

Every pass over the data works on blocks of rows (:data:`glmnotes.glm.design.BLOCK_ROWS`): the
gradient, the information and the log-likelihood of a block are added up, so no array of ``X``'s
size is ever allocated and ``X`` is never copied.

Shapes: ``X`` is ``(m, p)``; ``theta`` is ``(q,)`` (``(q, k-1)`` for the multinomial, one
column per non-reference class), where ``q = p + 1`` when ``fit_intercept=True`` (an implicit
column of ones in front of ``X``: ``theta[0]`` is the intercept) and ``q = p`` otherwise.
Multinomial information matrices are ``(q (k-1), q (k-1))`` with the blocks in class order
(the coefficient vector is ``theta.T.ravel()``).

``family`` is a family instance or one of the names ``"gaussian"``, ``"bernoulli"``,
``"multinomial"`` (``k`` is taken from ``theta`` or from the labels), ``"poisson"``,
``"exponential"`` and ``"gamma"`` -- ``"gamma"`` is the regression gamma
:class:`~glmnotes.families.Gamma`, as in :func:`~glmnotes.families.get_family`, not the
two-parameter :class:`~glmnotes.families.GammaShapeRate`. ``link`` is ``None`` (the family's
canonical link), ``"canonical"``, ``"log"``, or a :mod:`glmnotes.links` object; a name is
resolved to an object once, at the top of each function.

:class:`GLM` wraps the solvers as a scikit-learn estimator.

One name, one meaning: the gradient of the log-likelihood -- the statisticians' *score*, which the
chapters call by that name -- is :func:`log_likelihood_gradient`; ``score`` is only the method
``GLM.score(X, y)``, which is what it is for scikit-learn's GLMs: :math:`D^2`, the fraction of
deviance explained. ``GLM.log_likelihood(X, y)`` is :math:`\ell(\hat\theta)`, the sum
:func:`log_likelihood` computes.

Where things live, one module each (after scikit-learn's ``linear_model._glm``):

- ``model`` -- which family and link, and the checked inputs every function starts from;
- ``design`` -- the design matrix :math:`[1, X]` without copying ``X``, block by block;
- ``likelihood`` -- :func:`log_likelihood`, :func:`log_likelihood_gradient`,
  :func:`fisher_information`, :func:`hessian` and the per-observation residuals and weights
  behind them;
- ``solvers`` -- :func:`newton_irls`, :func:`gradient_ascent` (one solver shape, after
  scikit-learn's) and their starting point, and :func:`fixed_step_path` (the notes' update with
  a fixed step, slips and all);
- ``rows`` and ``dask_rows`` -- a pass over the data as a sum over parts: in memory, or the row
  chunks of a ``dask.array`` (out of core; Dask is the optional ``dask`` extra);
- ``inference`` -- standard errors, Wald tests, deviance, dispersion, AIC/BIC as statsmodels
  computes them; ``summary`` -- the printed table;
- ``separation`` -- :func:`separation_direction`: does the estimate exist?
- ``estimator`` -- :class:`GLM`;
- ``comparison`` -- the same model fitted by glmnotes, statsmodels and scikit-learn, side by
  side.
"""

from __future__ import annotations

from glmnotes.glm.design import linear_predictor
from glmnotes.glm.estimator import GLM
from glmnotes.glm.likelihood import (
    fisher_information,
    hessian,
    log_likelihood,
    log_likelihood_gradient,
)
from glmnotes.glm.model import GLM_FAMILIES
from glmnotes.glm.separation import separation_direction
from glmnotes.glm.solvers import FitResult, fixed_step_path, gradient_ascent, newton_irls

__all__ = [
    "GLM",
    "GLM_FAMILIES",
    "FitResult",
    "fisher_information",
    "fixed_step_path",
    "gradient_ascent",
    "hessian",
    "linear_predictor",
    "log_likelihood",
    "log_likelihood_gradient",
    "newton_irls",
    "separation_direction",
]
