"""The book's machinery: what serves the glmnotes chapters and no one else.

The library (every module of :mod:`glmnotes` outside this subpackage) never imports it, so the
families, GLMs, networks, autodiff and the checker can be used, tested and documented alone.

- :mod:`glmnotes.book.errata` -- the source notes' mistakes, one module per note, each entry
  beside its check.
- :mod:`glmnotes.book.audit` -- which display equations of the book are covered by checks.
- :mod:`glmnotes.book.glue` -- a result shown under the cell that computes it, and glued for the
  book's text where myst-nb is installed.
- :mod:`glmnotes.book.playground` -- check your own step: the Python side of the checker that
  runs in the reader's browser under every derivation.
- :mod:`glmnotes.book.exercises` -- exercises that ask: the placeholder and the verdicts it
  prints.
- :mod:`glmnotes.book.tables` -- the tables the chapters show, narrow enough for the page.
- :mod:`glmnotes.book.figures` -- one look for every figure: legible at the page's width.
- :mod:`glmnotes.book.network_diagrams` -- pictures of networks.
- :mod:`glmnotes.book.network_likelihood` -- what a network's log-likelihood is not: concave or
  identifiable.
"""
