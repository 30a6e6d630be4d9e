r"""Derivations checked step by step: proved symbolically where sympy can, else checked
numerically at high precision, and every verdict honest about what it established.

Where each part lives:

- :mod:`~glmnotes.verify.verdicts` — the five kinds of verdict and what they record;
- :mod:`~glmnotes.verify.inputs` — validation of expressions, sampling boxes, ``given``, ``dims``;
- :mod:`~glmnotes.verify.collectors` — what a check's code records while a block collects it
  (clock cuts, memory cuts, timings);
- :mod:`~glmnotes.verify.budgets` — time budgets, clock cuts, ``GLMNOTES_TIME_SCALE``, the
  memory ceiling;
- :mod:`~glmnotes.verify.exact_size` — exact numbers too large to compute, kept whole and
  evaluated in floating precision (memory cuts);
- :mod:`~glmnotes.verify.symbolic` — preparation, routes proving a difference zero, or never zero;
- :mod:`~glmnotes.verify.sampling` — where the numeric route looks;
- :mod:`~glmnotes.verify.numeric` — the difference at two precisions, relative to its terms;
- :mod:`~glmnotes.verify.check` — :func:`check_equal`, one identity;
- :mod:`~glmnotes.verify.derivation` — :class:`Derivation`, a chain of checked steps;
- :mod:`~glmnotes.verify.registry` — a chapter's explicit record of what it checked.

These are the checker's core: they check and record, and draw nothing. Above them,
:mod:`~glmnotes.verify.render` draws what they recorded (plain text, LaTeX, the page's HTML);
importing this package installs it as the way a notebook shows a derivation.

This package imports no numpy: it runs in the browser under Pyodide as well.
"""

from glmnotes.verify import render
from glmnotes.verify.budgets import (
    EVALUATION_TIME_LIMIT,
    ROUTE_TIME_LIMIT,
    SYMBOLIC_BUDGET,
    time_scale,
    timings,
)
from glmnotes.verify.check import check_equal
from glmnotes.verify.derivation import DEFAULT_LAYOUT, LAYOUTS, Derivation, Step
from glmnotes.verify.numeric import N_POINTS, WORKING_DIGITS
from glmnotes.verify.registry import Argued, Registry, Summary
from glmnotes.verify.verdicts import (
    Counterexample,
    DerivationError,
    DerivationWarning,
    Verdict,
    VerdictKind,
)

render.install()  # the core draws nothing: a notebook shows a derivation with these renderers

__all__ = [
    "DEFAULT_LAYOUT",
    "LAYOUTS",
    "EVALUATION_TIME_LIMIT",
    "N_POINTS",
    "ROUTE_TIME_LIMIT",
    "SYMBOLIC_BUDGET",
    "WORKING_DIGITS",
    "Argued",
    "Counterexample",
    "Derivation",
    "DerivationError",
    "DerivationWarning",
    "Registry",
    "Step",
    "Summary",
    "Verdict",
    "VerdictKind",
    "check_equal",
    "time_scale",
    "timings",
]
