"""glmnotes: the code that the glmnotes book runs.

Modules, named after what they hold:

- :mod:`glmnotes.verify` -- derivations checked step by step (symbolically, else numerically).
- :mod:`glmnotes.audit` -- which display equations of the book are covered by checks.
- :mod:`glmnotes.families` -- exponential families, as functions of the natural parameter eta.
- :mod:`glmnotes.glm` -- generalized linear models fitted by Newton/IRLS or gradient ascent.
- :mod:`glmnotes.autodiff` -- a small scalar reverse-mode automatic differentiation engine.
- :mod:`glmnotes.nn` -- vectorised networks of stacked logistic (or other) units.
- :mod:`glmnotes.datasets` -- the digits bundled with scikit-learn and a loader for MNIST IDX files.
"""

__version__ = "0.1.0"
