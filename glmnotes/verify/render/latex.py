r"""How a derivation looks in LaTeX: an aligned block, for MathJax and for print.

Every checked line carries its justification and a mark naming its kind — ``proved``,
``by definition``, ``numeric`` (with its points and digits), ``false`` (an erratum, with its
counterexample or the reason it is never true), ``not verified`` — and the derivation ends with
its scope: the sampling boxes, the ``given`` substitutions and the concrete sizes it was checked
with. A line that holds only on its box (it fails outside) states its condition in the formula.

Layouts: ``"stacked"`` (default; the justification and mark on a small line below each step, for
a narrow column) or ``"inline"`` (on the step's own row).

:class:`BookPrinter` is the one LaTeX printer of the package: the derivations, the page's HTML
and the reader's playground all typeset expressions with :func:`expr_latex`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import sympy as sp
from sympy.matrices.expressions import MatAdd
from sympy.printing.latex import LatexPrinter

from glmnotes.verify.inputs import MATRIX_KINDS, Box, decimal_text
from glmnotes.verify.render.text import mark_text
from glmnotes.verify.verdicts import Counterexample, Verdict, VerdictKind

if TYPE_CHECKING:
    from glmnotes.verify.derivation import Derivation

__all__ = [
    "BookPrinter",
    "box_latex",
    "counterexample_latex",
    "derivation_latex",
    "expr_latex",
    "text_latex",
]


def arranged_terms(terms: list[sp.Basic]) -> list[sp.Basic]:
    """Terms in the order a textbook writes them: a positive term first (y - mu, not -mu + y),
    and the constant first in 1 + e^eta."""
    if terms and terms[0].could_extract_minus_sign():
        terms = [t for t in terms if not t.could_extract_minus_sign()] + [
            t for t in terms if t.could_extract_minus_sign()
        ]
    numbers = [t for t in terms if t.is_number]
    others = [t for t in terms if not t.is_number]
    if numbers and others and all(t.has(sp.exp) and not t.is_polynomial() for t in others):
        terms = numbers + others
    return terms


class BookPrinter(LatexPrinter):
    r"""sympy's LaTeX, written as the book writes: :math:`y - \mu` rather than
    :math:`-\mu + y`, :math:`\log(1 + e^\eta)`, :math:`X^\top`."""

    def __init__(self) -> None:
        super().__init__({"order": "none"})

    def _print_Add(self, expr, order=None):
        terms = list(expr.args if isinstance(expr, MatAdd) else expr.as_ordered_terms())
        terms = arranged_terms(terms)
        if isinstance(expr, MatAdd):
            return super()._print_Add(MatAdd(*terms, evaluate=False), order="none")
        return super()._print_Add(sp.Add(*terms, evaluate=False), order="none")

    def _print_Transpose(self, expr):
        base = self._print(expr.arg)
        if not isinstance(expr.arg, sp.MatrixSymbol):
            base = rf"\left({base}\right)"
        return rf"{base}^{{\top}}"


_PRINTER = BookPrinter()


def expr_latex(expr: sp.Basic) -> str:
    """LaTeX of an expression, in the book's notation (:class:`BookPrinter`)."""
    return _PRINTER.doprint(expr)


_TEXT_SPECIALS = {
    "\\": r"\backslash ",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "^": r"\hat{}",
    "~": r"\sim ",
}


def breakable_text_latex(text: str) -> str:
    r""":func:`text_latex` with one ``\text{...}`` per word, separated by ``\ ``: TeX never breaks
    inside a ``\text``, so a long title would run into the margin in print, where a break is
    allowed after each ``}\ `` (``_ext/pdf_latex.py``)."""
    return re.sub(
        r"\\text\{([^{}]*)\}",
        lambda run: r"\text{" + run.group(1).replace(" ", r"}\ \text{") + "}",
        text_latex(text),
    )


def text_latex(text: str) -> str:
    r"""Plain text as math-mode LaTeX: ``\text{...}`` runs, with TeX specials set as symbols and
    ``$...$`` segments kept as math (so a justification may contain inline math)."""
    text = " ".join(text.split())  # no newlines: a blank line would split sphinx's math block
    pieces = text.split("$")
    if len(pieces) % 2 == 0 or any(not _balanced(m) for m in pieces[1::2]):
        pieces = [text]  # unbalanced dollars or braces: everything is text
    out = []
    for index, piece in enumerate(pieces):
        if index % 2 == 1:
            out.append("{" + piece + "}")
            continue
        run: list[str] = []
        for char in piece:
            if char in _TEXT_SPECIALS:
                if run:
                    out.append(r"\text{" + "".join(run) + "}")
                    run = []
                out.append(_TEXT_SPECIALS[char])
            else:
                run.append(char)
        if run:
            out.append(r"\text{" + "".join(run) + "}")
    return "".join(out)


def _balanced(latex_text: str) -> bool:
    depth = 0
    escaped = False
    for char in latex_text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _mark_latex(verdict: Verdict, erratum: str | None) -> str:
    words = rf"{{\scriptstyle {text_latex(mark_text(verdict, erratum))}}}"
    symbol = {
        VerdictKind.PROVED: r"\checkmark",
        VerdictKind.NUMERIC: r"\checkmark",
        VerdictKind.BY_DEFINITION: r"\equiv",
        VerdictKind.FAILED: r"\times",
        VerdictKind.UNVERIFIED: "?",
    }[verdict.kind]
    return rf"{symbol}\,{words}"


def number_latex(text: str) -> str:
    r"""A value as the check wrote it (``1.5e-7``, ``2 + 3i``) in LaTeX
    (:math:`1.5 \times 10^{-7}`, :math:`2 + 3\,i`)."""
    text = re.sub(
        r"(-?[0-9.]+)e([-+]?[0-9]+)", lambda m: rf"{m[1]} \times 10^{{{int(m[2])}}}", text
    )
    return re.sub(r"i$", r"\\,i", text)


def counterexample_latex(c: Counterexample) -> str:
    r"""``<point>, left <value>, right <value>`` (with the matrix entry, if any) in LaTeX."""
    point = []
    for symbol, (_, shown) in zip(c.symbols, c.point, strict=True):
        matrix = re.fullmatch(r"random (\d+)x(\d+) matrix", shown)
        if matrix:
            point.append(rf"{expr_latex(symbol)}\ \text{{random }} {matrix[1]}\times {matrix[2]}")
        else:
            relation = r"\approx" if shown.startswith("≈") else "="
            point.append(f"{expr_latex(symbol)} {relation} {shown.lstrip('≈ ')}")
    entry = rf"\text{{, entry }}{c.entry}" if c.entry is not None else ""
    left, right = number_latex(c.left_short), number_latex(c.right_short)
    separator = r",\ "
    text = rf"{separator.join(point)}{entry}\text{{, left }}{left}\text{{, right }}{right}"
    if c.left == c.right and c.difference:
        text += rf"\text{{, differing by }}{text_latex(c.difference)}"
    return text


def box_latex(symbol: sp.Basic, box: Box) -> str:
    r"""Where a symbol was sampled: :math:`\eta \in (-30, 30)`, :math:`k \in \{1, \dots, 5\}`,
    :math:`\Sigma\ \text{random spd}`."""
    name = expr_latex(symbol)
    if isinstance(symbol, sp.IndexedBase):
        name = rf"{name}_{{\dots}}"  # every element of the indexed family
    if box.matrix in MATRIX_KINDS:
        return rf"{name}\ \text{{random {box.matrix}}}"
    if box.matrix == "uniform":
        entries = rf"({_number_latex(box.lo)}, {_number_latex(box.hi)})"
        return rf"{name}\ \text{{random, entries in }}{entries}"
    if box.integer:
        return rf"{name} \in \{{{box.lo}, \dots, {box.hi}\}}"
    return rf"{name} \in ({_number_latex(box.lo)}, {_number_latex(box.hi)})"


def _number_latex(value: sp.Rational) -> str:
    text = decimal_text(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \cdot 10^{{{int(exponent)}}}"
    return text if len(text) <= 12 else expr_latex(value)


def _why_of_failure(verdict: Verdict) -> str:
    if verdict.counterexample is not None:
        return r"\text{at }" + counterexample_latex(verdict.counterexample)
    return text_latex(verdict.reason)


def _annotation_rows(why: str, verdict: Verdict, erratum: str | None, stacked: bool) -> list[str]:
    annotation = text_latex(f"({why})") + r"\ " + _mark_latex(verdict, erratum)
    if verdict.kind is VerdictKind.FAILED:
        detail = rf"{{\scriptstyle {_why_of_failure(verdict)}}}"
        if stacked:
            return [rf"&\qquad {{\small {annotation}}}", rf"&\qquad {{\small {detail}}}"]
        return [rf"{annotation}:\ {detail}"]
    if stacked:
        return [rf"&\qquad {{\small {annotation}}}"]
    return [annotation]


def scope_latex(derivation: Derivation) -> str:
    r"""``\text{checked for } \eta \in (-30, 30),\ m = 3``: the boxes and the sizes."""
    parts = [box_latex(symbol, box) for symbol, box in derivation.scope_boxes().items()]
    parts += [rf"{expr_latex(k)} = {expr_latex(v)}" for k, v in derivation.checked_sizes()]
    if not parts:
        return ""
    return r"\text{checked for }" + r",\ ".join(parts)


#: A definition longer than this (LaTeX characters) is named, not written out, in the aligned
#: block (it could not fit a printed line); the plain text and the page's details give it whole.
LONG_DEFINITION = 160


def definitions_latex(derivation: Derivation) -> list[str]:
    r"""One ``X := value`` per ``given`` definition: what each symbol of the lines stands for."""
    rows = []
    for k, v in derivation.definitions():
        value = expr_latex(v)
        if len(value) > LONG_DEFINITION:
            value = r"\text{a long expression (written out in the text form)}"
        rows.append(rf"{expr_latex(k)} := {value}")
    return rows


def _condition_latex(derivation: Derivation, verdict: Verdict) -> str:
    if verdict.outside_box is None or derivation.condition is None:
        return ""
    return rf"\qquad \text{{for }} {derivation.condition}"


def derivation_latex(derivation: Derivation) -> str:
    r"""The aligned block (without ``$$``): one line per checked step, then the scope.

    Inline layout: ``left &= right && \text{(why)}\ <mark>``. Stacked layout: the step
    ``left &= right``, then ``&\qquad {\small \text{(why)}\ <mark>}`` on the row below
    (and a counterexample on a further row).
    """
    rows: list[tuple[str, str, Verdict, str | None]] = []
    d = derivation
    if d.is_equation_chain:
        start = rf"{expr_latex(d.start.lhs)} &= {expr_latex(d.start.rhs)}"
        rows.append((start + _condition_latex(d, d.start_verdict), "start", d.start_verdict, None))
        for s in d.steps:
            relation = r"\neq" if s.erratum is not None else "="
            row = rf"{expr_latex(s.expr.lhs)} &{relation} {expr_latex(s.expr.rhs)}"
            rows.append((row + _condition_latex(d, s.verdict), s.why, s.verdict, s.erratum))
    else:
        previous_shown = d.start
        for index, s in enumerate(d.steps):
            relation = r"\neq" if s.erratum is not None else "="
            left = ""
            if index == 0 or s.compared_with is not previous_shown:
                left = expr_latex(s.compared_with)
            row = rf"{left} &{relation} {expr_latex(s.expr)}" + _condition_latex(d, s.verdict)
            rows.append((row, s.why, s.verdict, s.erratum))
            previous_shown = s.expr
    stacked = d.layout == "stacked"
    lines = []
    for row, why, verdict, erratum in rows:
        annotation = _annotation_rows(why, verdict, erratum, stacked)
        lines += [row, *annotation] if stacked else [f"{row} && {annotation[0]}"]
    if not rows:
        lines = [rf"{expr_latex(d.start)} &"]
    scope = scope_latex(d)
    # the title with the scope: what the lines are about (a family, the sizes), in print too
    titled = d.title != d.label
    if scope:
        title = breakable_text_latex(d.title) + r"\text{: }" if titled else ""
        lines.append(rf"&\qquad {{\small {{\scriptstyle {title}{scope}}}}}")
    elif titled:
        lines.append(rf"&\qquad {{\small {{\scriptstyle {breakable_text_latex(d.title)}}}}}")
    for number, definition in enumerate(definitions_latex(d)):
        lead = r"\text{with }" if number == 0 else r"\phantom{\text{with }}"
        lines.append(rf"&\qquad {{\small {{\scriptstyle {lead}{definition}}}}}")
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"
