"""Which model: the family, the link, and the checked data every GLM function starts from.

A string ``family`` or ``link`` is resolved here once, at the top of every public function, into
an :class:`~glmnotes.families.ExponentialFamily` and a :class:`~glmnotes.links.Link`; everything
below works with those objects.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glmnotes._validation import check_coefficients, check_design_matrix, check_response
from glmnotes.families import (
    Bernoulli,
    Exponential,
    ExponentialFamily,
    Gamma,
    Gaussian,
    Multinomial,
    Poisson,
)
from glmnotes.links import Link, Log

__all__ = [
    "GLM_FAMILIES",
    "checked_response",
    "glm_family",
    "is_canonical",
    "other_links",
    "prepare",
    "resolve_link",
]

GLM_FAMILIES = ("gaussian", "bernoulli", "multinomial", "poisson", "exponential", "gamma")
"""Family names :class:`~glmnotes.glm.GLM` and the free functions accept."""

_FAMILY_NAMES = {
    "gaussian": Gaussian,
    "normal": Gaussian,
    "bernoulli": Bernoulli,
    "poisson": Poisson,
    "exponential": Exponential,
    "gamma": Gamma,
}


def glm_family(family: Any, k: int | None = None) -> ExponentialFamily:
    """The family instance for a name or instance, restricted to the families with a canonical
    link (``k`` is the number of classes, for the name ``"multinomial"``)."""
    if isinstance(family, ExponentialFamily):
        if family.canonical_link is None:
            raise ValueError(
                f"{family.name}: not a GLM family here; use one of {GLM_FAMILIES} "
                "(for gamma regression use Gamma, not the two-parameter GammaShapeRate)."
            )
        return family
    key = str(family).lower()
    if key in ("multinomial", "categorical"):
        if k is None:
            raise ValueError(
                "multinomial: the number of classes k is unknown; pass Multinomial(k)."
            )
        return Multinomial(k)
    if key not in _FAMILY_NAMES:
        raise ValueError(f"unknown GLM family {family!r}; choose one of {GLM_FAMILIES}.")
    return _FAMILY_NAMES[key]()


def other_links(family: ExponentialFamily) -> tuple[Link, ...]:
    r"""The links ``family`` accepts besides its canonical one: the log link when the variance
    function is a power of the mean, :math:`V(\mu) = \mu^p` (``family.variance_power``)."""
    return () if family.variance_power is None else (Log(),)


def resolve_link(family: ExponentialFamily, link: str | Link | None) -> Link:
    """The link object for ``link``: ``None``, ``"canonical"`` or the canonical link's name give
    ``family.canonical_link``; otherwise one of :func:`other_links`, by name or as an object.
    ``ValueError`` lists what ``family`` supports."""
    canonical = family.canonical_link
    if link is None or link == "canonical" or link == canonical.name or link == canonical:
        return canonical
    for other in other_links(family):
        if link == other.name or link == other:
            return other
    supported = ["canonical", canonical.name] + [other.name for other in other_links(family)]
    raise ValueError(f"{family.name}: link {link!r} is not supported; use one of {supported}.")


def is_canonical(family: ExponentialFamily, link: Link) -> bool:
    r"""Whether ``link`` is the canonical link of ``family``: then the linear predictor *is* the
    natural parameter, :math:`\eta = x^\top\theta`, and the gradient and information simplify."""
    return link == family.canonical_link


def checked_response(family: ExponentialFamily, y: Any, n: int) -> np.ndarray:
    """``y`` validated by the family, one entry per row of ``X`` (``n`` rows)."""
    check_response(y, n, family.name)
    return family.validate(y)


def prepare(
    family: Any, X: Any, y: Any, theta: Any, link: str | Link | None, fit_intercept: bool
) -> tuple[ExponentialFamily, Link, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Check everything a free function gets; return (family, link, X, t = T(y), theta)."""
    X = check_design_matrix(X, str(family) if isinstance(family, str) else family.name)
    k = None
    if theta is not None and np.ndim(theta) == 2:
        k = np.shape(theta)[1] + 1
    elif y is not None and str(family).lower() in ("multinomial", "categorical"):
        labels = np.asarray(y, dtype=float)
        k = int(np.nanmax(labels)) + 1 if labels.size and np.isfinite(labels).all() else 2
        k = max(k, 2)
    family = glm_family(family, k)
    link = resolve_link(family, link)
    t = None
    if y is not None:
        t = family.sufficient_statistic(checked_response(family, y, X.shape[0]))
    if theta is not None:
        q = X.shape[1] + int(fit_intercept)
        expected = (q,) if family.is_scalar else (q, family.eta_size)
        theta = check_coefficients(theta, expected, family.name)
    return family, link, X, t, theta
