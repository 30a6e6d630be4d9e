r"""The errata of the three source notes: every mistake found in them, each checked by machine.

The book grows from three informal notes (committed verbatim in ``sources/``): lecture notes on
deep learning as maximum likelihood (``000``), a question-and-answer thread on whether a deep
network is repeated linear regression (``001``) and lecture notes on generalized linear models
(``002``). This package is their errata list, one module per note, each check followed by the
entry it checks:

* :mod:`~glmnotes.book.errata.deep_learning_notes` (``000``),
* :mod:`~glmnotes.book.errata.linear_collapse_thread` (``001``),
* :mod:`~glmnotes.book.errata.glm_notes` (``002``, its errors) and
  :mod:`~glmnotes.book.errata.glm_notes_odd_but_true` (``002``, its odd-but-true slips: the note with
  the most entries has two modules);
* :mod:`~glmnotes.book.errata.records`: the records (:class:`Erratum`, :class:`Source`,
  :class:`NumericEvidence`), the sources and chapters, and the tools every check is built with.

This module assembles the catalogue, in the notes' order, and looks entries up.

Each :class:`Erratum` records

* where it is (``source``, and the book's section ``label``),
* what the note says (``quote``, in the note's own words; ``seed_text`` holds the exact passage
  of the source file when the quote was reformatted, e.g. ``\pdv`` written out),
* what is wrong (``problem``) and how to put it right (``correction``),
* its ``kind``: ``"error"`` (the step is false) or ``"odd but true"`` (it looks wrong but holds),
* and a machine check, :meth:`Erratum.check`, which returns :class:`glmnotes.verify.Derivation`
  objects. For an error, the note's step appears as an ``erratum`` step, shown false by a
  numeric counterexample, next to the corrected step, which holds. For an odd-but-true slip,
  every step holds. Claims about networks and regression that are not one algebraic identity
  are reduced to one (a convolution is a matrix, a product of a 2x1 and a 1x2 matrix has
  determinant 0, a second difference of an affine map vanishes), and some entries also carry a
  numeric computation, :meth:`Erratum.evidence`, whose outcome is asserted.

Several odd-but-true slips of one note share that note's ``"erratum-...-odd-but-true"`` label
(the book lists them under one heading); ``key`` identifies each entry uniquely.

Usage::

    from glmnotes.book import errata
    for entry in errata.catalogue():
        derivations = entry.check()      # raises ErratumCheckError if the entry's claim fails
"""

from __future__ import annotations

from glmnotes.book.errata import (
    deep_learning_notes,
    glm_notes,
    glm_notes_odd_but_true,
    linear_collapse_thread,
)
from glmnotes.book.errata.records import (
    CHAPTERS,
    KINDS,
    SOURCES,
    Erratum,
    ErratumCheckError,
    NumericEvidence,
    Source,
    normalise_whitespace,
)

__all__ = [
    "CHAPTERS",
    "KINDS",
    "SOURCES",
    "Erratum",
    "ErratumCheckError",
    "NumericEvidence",
    "Source",
    "catalogue",
    "entries_with_label",
    "entry",
    "labels",
    "normalise_whitespace",
    "summary_rows",
]

_CATALOGUE: tuple[Erratum, ...] = (
    *deep_learning_notes.ENTRIES,
    *linear_collapse_thread.ENTRIES,
    *glm_notes.ENTRIES,
    *glm_notes_odd_but_true.ENTRIES,
)


def _check_unique_keys(entries: tuple[Erratum, ...]) -> None:
    keys = [e.key for e in entries]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise ErratumCheckError(f"duplicate erratum keys: {duplicates}")


_check_unique_keys(_CATALOGUE)


def catalogue() -> tuple[Erratum, ...]:
    """Every entry, in the order of the notes (000, 001, 002), each note's errors before its
    odd-but-true slips."""
    return _CATALOGUE


def entry(key: str) -> Erratum:
    """The entry with this ``key`` (ValueError naming the known keys otherwise)."""
    for item in catalogue():
        if item.key == key:
            return item
    raise ValueError(f"no erratum with key {key!r}; known keys: {[e.key for e in catalogue()]}")


def entries_with_label(label: str) -> tuple[Erratum, ...]:
    """The entries listed under the book's section ``label`` (several for odd-but-true)."""
    found = tuple(item for item in catalogue() if item.label == label)
    if not found:
        raise ValueError(f"no erratum with label {label!r}; known labels: {labels()}")
    return found


def labels() -> list[str]:
    """The book's section labels, in catalogue order, each once."""
    return list(dict.fromkeys(item.label for item in catalogue()))


def summary_rows() -> list[dict[str, str]]:
    """One row per entry: source, section label, key, kind and the chapter that treats it."""
    return [
        {
            "source": f"{item.source.number} {item.source.name}",
            "label": item.label,
            "key": item.key,
            "kind": item.kind,
            "chapter": item.chapter,
        }
        for item in catalogue()
    ]
