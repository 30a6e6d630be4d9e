r"""Exponential families in canonical form, as numerically stable functions of :math:`\eta`.

Every family here is written as

.. math::
    p(y \mid \eta) = b(y)\, \exp\big(\eta^\top T(y) - A(\eta)\big),

with natural parameter :math:`\eta`, sufficient statistic :math:`T(y)`, base measure
:math:`b(y)` and log-partition :math:`A(\eta)`. Two identities carry the whole GLM chapter:

.. math::
    \nabla A(\eta) = \mathbb E[T(y)], \qquad \nabla^2 A(\eta) = \operatorname{Cov}[T(y)].

Each family is a small class with the same methods (all vectorised over leading axes):

========================  ========================================================
``log_partition(eta)``    :math:`A(\eta)`
``mean(eta)``             :math:`\nabla A(\eta) = \mathbb E[T(y)]`
``variance(eta)``         :math:`\nabla^2 A(\eta) = \operatorname{Cov}[T(y)]` (elementwise
                          for scalar families, a full matrix for vector families)
``sufficient_statistic``  :math:`T(y)` (by default :math:`y`)
``log_base_measure``      :math:`\log b(y)` (by default 0)
``log_density(y, eta)``   :math:`\log b(y) + \eta^\top T(y) - A(\eta)`
``canonical_parameter``   the inverse of ``mean``: :math:`\mu \mapsto \eta` (by default the
                          family's canonical link)
``sample(eta, rng)``      one draw of :math:`y` per :math:`\eta`
``validate(y)``           ``ValueError`` naming the offending values, else ``y`` as an array
``symbolic()``            the same family as sympy objects (:class:`SymbolicFamily`)
========================  ========================================================

The families of the notes' table: :class:`Gaussian`, :class:`Bernoulli`, :class:`Multinomial`,
:class:`Poisson`, :class:`Exponential`, :class:`GammaShapeRate` (the gamma with both natural
parameters, :math:`T(y) = (\log y, y)`), :class:`Beta` (the :class:`Dirichlet` with
:math:`k = 2`, on :math:`y` rather than :math:`(y, 1 - y)`), :class:`Dirichlet`; and, for gamma
*regression*, :class:`Gamma` (the gamma with a fixed shape, written in exponential-dispersion
form: what statsmodels, R and ``GLM(family="gamma")`` call the gamma family). :func:`get_family`
looks a family up by name. Every family derives from the abstract base class
:class:`ExponentialFamily`, and those with a closed-form canonical link name it
(``canonical_link``, a :mod:`glmnotes.links` object).

One module per family, named after it: ``gaussian``, ``bernoulli``, ``poisson``,
``exponential``, ``gamma`` (:class:`Gamma` and :class:`GammaShapeRate`), ``multinomial``,
``beta``, ``dirichlet``; ``base`` holds :class:`ExponentialFamily` and ``symbolic`` holds
:class:`SymbolicFamily`. Two modules check the algebra behind the families, as the book shows it:
``canonical`` writes a family in canonical form line by line (and holds the notes' multinomial
notation), ``identities`` checks :math:`\nabla A = \mathbb E[T]` and
:math:`\nabla^2 A = \operatorname{Cov}[T]` on one concrete family at a time.

Dispersion. :class:`Gaussian` with a known :math:`\sigma \ne 1` and :class:`Gamma` are
written with a dispersion :math:`\phi` (``family.dispersion``):

.. math::
    p(y \mid \eta) = b_\phi(y) \exp\Big(\frac{\eta\, T(y) - A(\eta)}{\phi}\Big).

For fixed :math:`\phi` this is still an exponential family (natural parameter :math:`\eta/\phi`,
log-partition :math:`A(\eta)/\phi`), and then ``mean`` is :math:`A'(\eta)` and ``variance`` is
:math:`\phi A''(\eta)`. We keep :math:`\eta` as the argument because it is what a GLM's linear
predictor models, and its maximum-likelihood estimate does not depend on :math:`\phi`. For
every other family :math:`\phi = 1` and this is the notes' form.

Numerics: everything is computed from :math:`\eta` with the stable functions of
:mod:`glmnotes.links` (``softplus``, ``sigmoid``, a max-subtracted log-sum-exp), ``gammaln``,
``betaln``, ``digamma`` and ``polygamma``, never from
clipped probabilities, so values stay finite wherever the true value is representable
(checked for :math:`|\eta|` up to 700 in the tests).
"""

from __future__ import annotations

from typing import Any

from glmnotes.families.base import ExponentialFamily
from glmnotes.families.bernoulli import Bernoulli
from glmnotes.families.beta import Beta
from glmnotes.families.dirichlet import Dirichlet
from glmnotes.families.exponential import Exponential
from glmnotes.families.gamma import Gamma, GammaShapeRate
from glmnotes.families.gaussian import Gaussian
from glmnotes.families.multinomial import Multinomial
from glmnotes.families.poisson import Poisson
from glmnotes.families.symbolic import SymbolicFamily

__all__ = [
    "FAMILIES",
    "Bernoulli",
    "Beta",
    "Dirichlet",
    "Exponential",
    "ExponentialFamily",
    "Gamma",
    "GammaShapeRate",
    "Gaussian",
    "Multinomial",
    "Poisson",
    "SymbolicFamily",
    "get_family",
]

FAMILIES: dict[str, type[ExponentialFamily]] = {
    "gaussian": Gaussian,
    "bernoulli": Bernoulli,
    "multinomial": Multinomial,
    "poisson": Poisson,
    "exponential": Exponential,
    "gamma": Gamma,
    "gamma_shape_rate": GammaShapeRate,
    "beta": Beta,
    "dirichlet": Dirichlet,
}
"""Family classes by name (the names :func:`get_family` accepts)."""

_ALIASES = {"normal": "gaussian", "categorical": "multinomial"}

#: Names that meant something else before: asked for, they raise ``ValueError`` with the new name.
_RENAMED = {"gamma_dispersion": "gamma"}


def get_family(name: str | ExponentialFamily, **parameters: Any) -> ExponentialFamily:
    """The family called ``name`` (case-insensitive), built with ``parameters``.

    ``get_family("poisson")``, ``get_family("gaussian", sigma=2.0)``,
    ``get_family("multinomial", k=3)``, ``get_family("dirichlet", k=4)``,
    ``get_family("gamma", shape=2.0)``. An :class:`ExponentialFamily` instance is returned
    unchanged. ``"gamma"`` is the regression gamma :class:`Gamma` (statsmodels' ``Gamma``, what
    ``GLM(family="gamma")`` fits); the two-parameter gamma of the notes' table is
    ``"gamma_shape_rate"``. ``ValueError`` names the known families for any other name.
    """
    if isinstance(name, ExponentialFamily):
        return name
    if not isinstance(name, str):
        raise ValueError(f"family must be a name or an ExponentialFamily; got {name!r}.")
    key = _ALIASES.get(name.lower(), name.lower())
    if key in _RENAMED:
        raise ValueError(f"unknown family {name!r}; it is now called {_RENAMED[key]!r}.")
    if key not in FAMILIES:
        raise ValueError(f"unknown family {name!r}; choose one of {sorted(FAMILIES)}.")
    try:
        return FAMILIES[key](**parameters)
    except TypeError as error:
        raise ValueError(f"{name}: bad parameters {parameters!r} ({error}).") from None
