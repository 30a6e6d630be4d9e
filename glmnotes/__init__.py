"""glmnotes: the code that the glmnotes book runs.

What a reader reaches for first is importable from the top level::

    from glmnotes import GLM, Network, Derivation, check_equal, Poisson, Value

- :class:`~glmnotes.glm.GLM` -- a generalized linear model, fitted by Newton/IRLS (scikit-learn
  style); the families :class:`~glmnotes.families.Gaussian`,
  :class:`~glmnotes.families.Bernoulli`, :class:`~glmnotes.families.Multinomial`,
  :class:`~glmnotes.families.Poisson`, :class:`~glmnotes.families.Exponential`,
  :class:`~glmnotes.families.Gamma`, :class:`~glmnotes.families.GammaShapeRate`,
  :class:`~glmnotes.families.Beta`, :class:`~glmnotes.families.Dirichlet`, their base class
  :class:`~glmnotes.families.ExponentialFamily` and :func:`~glmnotes.families.get_family`;
- :class:`~glmnotes.nn.Network` -- a network of stacked logistic (or other) units;
- :class:`~glmnotes.autodiff.Value` -- a number that records its computation, for reverse-mode
  differentiation;
- :class:`~glmnotes.verify.Derivation`, :func:`~glmnotes.verify.check_equal`,
  :class:`~glmnotes.verify.Verdict`, :class:`~glmnotes.verify.VerdictKind`,
  :class:`~glmnotes.verify.DerivationError` and :class:`~glmnotes.verify.Registry` -- derivations
  checked step by step, and a chapter's record of what it checked.

These names are loaded on first use (PEP 562): ``import glmnotes`` itself imports neither numpy
nor scipy nor scikit-learn, so that the checker can run where they do not exist (Pyodide). Type
checkers and IDEs, which do not run ``__getattr__``, read the same names from the imports under
``if TYPE_CHECKING:`` below.

Modules of the library, named after what they hold:

- :mod:`glmnotes.verify` -- derivations checked step by step (symbolically, else numerically),
  and :class:`~glmnotes.verify.Registry`, a chapter's explicit record of what it checked.
- :mod:`glmnotes.notation` -- sympy helpers to write a step as the notes write it.
- :mod:`glmnotes.evidence` -- numbers printed as checked bounds, never as round-off.
- :mod:`glmnotes.families` -- exponential families, as functions of the natural parameter eta,
  one module per family; ``families.canonical`` writes a family in canonical form line by line,
  ``families.identities`` checks its mean and covariance identities.
- :mod:`glmnotes.links` -- link functions (identity, logit, log, inverse, ...), with their
  derivatives.
- :mod:`glmnotes.glm` -- generalized linear models: likelihood, score and information, the
  Newton/IRLS and gradient-ascent solvers, the separation check, the estimator, and
  ``glm.comparison`` (the same fit by glmnotes, statsmodels and scikit-learn, side by side).
- :mod:`glmnotes.quadrature` -- numerical integrals where sympy has none (beta, Dirichlet): the
  tanh-sinh rule, the families' moment checks, an integral the checker evaluates with mpmath.
- :mod:`glmnotes.exceptions` -- the warnings a fit raises when it cannot be trusted.
- :mod:`glmnotes.autodiff` -- a small scalar reverse-mode automatic differentiation engine.
- :mod:`glmnotes.nn` -- vectorised networks of stacked logistic (or other) units.
- :mod:`glmnotes.symbolic_networks` -- small networks written out in sympy symbols, for the
  derivations: a quantity shown by its name and checked by its definition, one hidden layer of
  logistic units, any depth with the backward recursion, explicit linear layers.
- :mod:`glmnotes.linear` -- least squares and reduced-rank regression in closed form.
- :mod:`glmnotes.datasets` -- the digits bundled with scikit-learn and a loader for MNIST IDX files.
- ``glmnotes._validation`` (private) -- the input checks that families and GLMs share.

The subpackage :mod:`glmnotes.book` holds what only the book needs: how its pages look and what
they audit. It uses the library; the library never imports it.

- :mod:`glmnotes.book.figures` -- one look for every figure: legible at the page's width.
- :mod:`glmnotes.book.tables` -- the tables the chapters show, narrow enough for the page: the
  families side by side, sample moments, naive against stable formulas.
- :mod:`glmnotes.book.exercises` -- exercises that ask: the placeholder and the verdicts it prints.
- :mod:`glmnotes.book.glue` -- a result shown under the cell that computes it, and glued for the
  book's text where myst-nb is installed.
- :mod:`glmnotes.book.playground` -- check your own step: the Python side of the checker that runs
  in the reader's browser under every derivation.
- :mod:`glmnotes.book.audit` -- which display equations of the book are covered by checks.
- :mod:`glmnotes.book.errata` -- the source notes' mistakes, one module per note, each entry beside
  its check.
- :mod:`glmnotes.book.network_likelihood` -- what a network's log-likelihood is not: concave (a
  line with positive curvature) or identifiable (swapped and sign-flipped hidden units).
- :mod:`glmnotes.book.network_diagrams` -- pictures of networks: stacked units with one logistic
  regression highlighted, and a linear network folding into one matrix.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ imports on first use
    from glmnotes.autodiff import Value
    from glmnotes.families import (
        Bernoulli,
        Beta,
        Dirichlet,
        Exponential,
        ExponentialFamily,
        Gamma,
        GammaShapeRate,
        Gaussian,
        Multinomial,
        Poisson,
        get_family,
    )
    from glmnotes.glm import GLM
    from glmnotes.nn import Network
    from glmnotes.verify import (
        Derivation,
        DerivationError,
        Registry,
        Verdict,
        VerdictKind,
        check_equal,
    )

# The one place the version is written: pyproject.toml reads it (setuptools, `attr`).
__version__ = "0.1.0"

#: Each top-level name and the module it lives in (imported on first use).
_HOMES = {
    "GLM": "glmnotes.glm",
    "ExponentialFamily": "glmnotes.families",
    "Gaussian": "glmnotes.families",
    "Bernoulli": "glmnotes.families",
    "Multinomial": "glmnotes.families",
    "Poisson": "glmnotes.families",
    "Exponential": "glmnotes.families",
    "Gamma": "glmnotes.families",
    "GammaShapeRate": "glmnotes.families",
    "Beta": "glmnotes.families",
    "Dirichlet": "glmnotes.families",
    "get_family": "glmnotes.families",
    "Network": "glmnotes.nn",
    "Value": "glmnotes.autodiff",
    "Derivation": "glmnotes.verify",
    "check_equal": "glmnotes.verify",
    "Verdict": "glmnotes.verify",
    "VerdictKind": "glmnotes.verify",
    "DerivationError": "glmnotes.verify",
    "Registry": "glmnotes.verify",
}

#: Written out (not ``sorted(_HOMES)``) so that linters and type checkers read it; a test keeps
#: it, ``_HOMES`` and the imports under ``TYPE_CHECKING`` naming the same set.
__all__ = [
    "Bernoulli",
    "Beta",
    "Derivation",
    "DerivationError",
    "Dirichlet",
    "Exponential",
    "ExponentialFamily",
    "GLM",
    "Gamma",
    "GammaShapeRate",
    "Gaussian",
    "Multinomial",
    "Network",
    "Poisson",
    "Registry",
    "Value",
    "Verdict",
    "VerdictKind",
    "check_equal",
    "get_family",
]


def _modules() -> list[str]:
    """The public modules and subpackages of the package, by file name (nothing imported)."""
    return [info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")]


def __getattr__(name: str) -> Any:
    """Import a top-level name (or a module, ``glmnotes.glm``) the first time it is used."""
    if name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
        globals()[name] = value  # later lookups do not come back here
        return value
    if name in _modules():
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'glmnotes' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES) | set(_modules()))
