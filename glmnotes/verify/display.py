r"""How a derivation looks: LaTeX (an aligned block, for MathJax and for print) and plain text.

Every checked line carries its justification and a mark naming its kind — ``proved``,
``by definition``, ``numeric`` (with its points and digits), ``false`` (an erratum, with its
counterexample or the reason it is never true), ``not verified`` — and the derivation ends with
its scope: the sampling boxes, the ``given`` substitutions and the concrete sizes it was checked
with. A line that holds only on its box (it fails outside) states its condition in the formula.

Layouts: ``"stacked"`` (default; the justification and mark on a small line below each step, for
a narrow column) or ``"inline"`` (on the step's own row).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy.matrices.expressions import MatAdd
from sympy.printing.latex import LatexPrinter

from glmnotes.verify.inputs import is_size
from glmnotes.verify.verdicts import Counterexample, Verdict, VerdictKind, points_text

if TYPE_CHECKING:
    from glmnotes.verify.derivation import Derivation, Step

__all__ = ["LAYOUTS", "latex", "mark_text", "plain_text"]

LAYOUTS = ("inline", "stacked")


def one_line(value: Any) -> str:
    """Plain text on one line (sympy prints explicit matrices over several lines)."""
    text = value if isinstance(value, str) else sp.sstr(value)
    return re.sub(r"\s*\n\s*", " ", text).replace("[ [", "[[")


def _arranged(terms: list[sp.Basic]) -> list[sp.Basic]:
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
        terms = _arranged(list(expr.args if isinstance(expr, MatAdd) else expr.as_ordered_terms()))
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


def mark_text(verdict: Verdict, erratum: str | None = None) -> str:
    """The words of a mark: ``proved``, ``proved for m = 3``, ``by definition``,
    ``numeric, 16 points, 35 digits``, ``false``, ``not verified``."""
    if verdict.kind is VerdictKind.PROVED:
        return "proved" + verdict.scope_text()
    if verdict.kind is VerdictKind.BY_DEFINITION:
        return "by definition"
    if verdict.kind is VerdictKind.NUMERIC:
        return (
            f"numeric{verdict.scope_text()}, {points_text(verdict.points)}, {verdict.digits} digits"
            + verdict.undecided_summary()
        )
    if verdict.kind is VerdictKind.FAILED:
        return f"false [{erratum}]" if erratum else "false"
    return "not verified"


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


def counterexample_latex(c: Counterexample) -> str:
    r"""``<point>, left <value>, right <value>`` (with the matrix entry, if any) in LaTeX."""
    entry = rf"\text{{, entry }}{c.entry}" if c.entry is not None else ""
    text = rf"{c.point_latex}{entry}\text{{, left }}{c.left_latex}\text{{, right }}{c.right_latex}"
    if c.left == c.right and c.difference:
        text += rf"\text{{, differing by }}{text_latex(c.difference)}"
    return text


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


def _sizes(derivation: Derivation) -> list[tuple[sp.Basic, sp.Basic]]:
    """The ``given`` sizes (``m = 3``) and the ``dims`` that some line was checked with, as
    (symbol, value) pairs (none when every line was proved for all sizes)."""
    used = {text for verdict, _ in derivation.lines() for text in verdict.concrete}
    sizes = [(k, v) for k, v in derivation.given.items() if is_size(k, v)]
    return [(k, v) for k, v in sizes + list(derivation.dims.items()) if f"{k} = {v}" in used]


def _definitions(derivation: Derivation) -> list[tuple[sp.Basic, sp.Basic]]:
    return [(k, v) for k, v in derivation.given.items() if not is_size(k, v)]


def scope_latex(derivation: Derivation) -> str:
    r"""``\text{checked for } \eta \in (-30, 30),\ m = 3``: the boxes and the sizes."""
    parts = [box.latex(symbol) for symbol, box in derivation.scope_boxes().items()]
    parts += [rf"{expr_latex(k)} = {expr_latex(v)}" for k, v in _sizes(derivation)]
    if not parts:
        return ""
    return r"\text{checked for }" + r",\ ".join(parts)


#: A definition longer than this (LaTeX characters) is named, not written out, in the aligned
#: block (it could not fit a printed line); the plain text and the page's details give it whole.
LONG_DEFINITION = 160


def definitions_latex(derivation: Derivation) -> list[str]:
    r"""One ``X := value`` per ``given`` definition: what each symbol of the lines stands for."""
    rows = []
    for k, v in _definitions(derivation):
        value = expr_latex(v)
        if len(value) > LONG_DEFINITION:
            value = r"\text{a long expression (written out in the text form)}"
        rows.append(rf"{expr_latex(k)} := {value}")
    return rows


def scope_text(derivation: Derivation) -> str:
    parts = [box.text(symbol) for symbol, box in derivation.scope_boxes().items()]
    parts += [f"{k} = {v}" for k, v in _sizes(derivation)]
    text = ("checked for " + ", ".join(parts)) if parts else ""
    definitions = [f"{k} := {one_line(v)}" for k, v in _definitions(derivation)]
    if definitions:
        text += ("; " if text else "") + "with " + "; ".join(definitions)
    return text


def _condition_latex(derivation: Derivation, verdict: Verdict) -> str:
    if verdict.outside_box is None or derivation.condition is None:
        return ""
    return rf"\qquad \text{{for }} {derivation.condition}"


def latex(derivation: Derivation) -> str:
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


def plain_mark(step: Step) -> str:
    if step.erratum is not None:
        return one_line(f"erratum {step.erratum}: {step.verdict.describe(assuming=False)}")
    return one_line(step.verdict.describe(assuming=False))


def plain_text(derivation: Derivation) -> str:
    d = derivation
    lines = [f"Derivation {d.label!r}: {d.title}"]
    scope = scope_text(d)
    if scope:
        lines.append(f"  {scope}")
    if d.condition is not None:
        lines.append(f"  holds for {d.condition} (it fails outside its box)")
    if d.is_equation_chain:
        lines.append(
            f"  0. {one_line(d.start.lhs)} = {one_line(d.start.rhs)}"
            f"    [start] {one_line(d.start_verdict.describe(assuming=False))}"
        )
        for s in d.steps:
            relation = "!=" if s.erratum is not None else "="
            lines.append(
                f"  {s.number}. {one_line(s.expr.lhs)} {relation} {one_line(s.expr.rhs)}"
                f"    [{one_line(s.why)}] {plain_mark(s)}"
            )
    else:
        lines.append(f"     {one_line(d.start)}")
        for s in d.steps:
            relation = "!=" if s.erratum is not None else "="
            expression, why = one_line(s.expr), one_line(s.why)
            lines.append(f"  {s.number}. {relation} {expression}    [{why}] {plain_mark(s)}")
    return "\n".join(lines)
