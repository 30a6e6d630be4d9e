r"""How a derivation looks on a page: HTML with typeset pieces.

Each step is a row: its mathematics (typeset by MathJax, ``\(\displaystyle ...\)``), then its
justification in ordinary text and its verdict as a coloured, labelled mark — *proved*, *by
definition*, *numeric*, *false*, *not verified* — that opens the details of the check: how it
was checked, on which box, with which substitutions, to how many digits, and for a false step the
counterexample as a small table. On a narrow screen the justification drops below the step, and
a long sum breaks across lines at its terms (a wide and a narrow version of each formula; the
style sheet shows the one that fits). The derivation ends with its scope: the boxes and sizes it
was checked with, and its definitions.

Classes: the wrapper is ``glmnotes-derivation``; pieces to typeset carry ``tex2jax_process`` (the
book's MathJax typesets only those inside an HTML output).
"""

from __future__ import annotations

import html as _html
import re
from typing import TYPE_CHECKING

import sympy as sp

from glmnotes.verify.render.latex import arranged_terms, box_latex, expr_latex
from glmnotes.verify.render.text import mark_text
from glmnotes.verify.verdicts import Verdict, VerdictKind, points_text

if TYPE_CHECKING:
    from glmnotes.verify.derivation import Derivation
    from glmnotes.verify.registry import Argued

__all__ = ["NARROW", "WIDE", "argued_html", "derivation_html", "verdict_html"]

#: Widths (in typeset characters, :func:`latex_width`) beyond which a sum is broken across lines:
#: the book's column at 1280 px, and a phone's at 390 px.
WIDE = 58
NARROW = 26

KIND_CLASS = {
    VerdictKind.PROVED: "proved",
    VerdictKind.BY_DEFINITION: "definition",
    VerdictKind.NUMERIC: "numeric",
    VerdictKind.FAILED: "false",
    VerdictKind.UNVERIFIED: "unverified",
}
SYMBOL = {
    VerdictKind.PROVED: "✓",
    VerdictKind.NUMERIC: "✓",
    VerdictKind.BY_DEFINITION: "≡",
    VerdictKind.FAILED: "✗",
    VerdictKind.UNVERIFIED: "?",
}


def escape(text: str) -> str:
    return _html.escape(text, quote=True)


def text_html(text: str) -> str:
    r"""Plain text with ``$...$`` pieces kept as math (``\(...\)``), everything escaped."""
    pieces = " ".join(text.split()).split("$")
    if len(pieces) % 2 == 0:
        return escape(text)
    out = []
    for index, piece in enumerate(pieces):
        out.append(rf"\({escape(piece)}\)" if index % 2 else escape(piece))
    return "".join(out)


_COMMAND = re.compile(r"\\(left|right|big|Big|bigg|Bigg)\b|\\displaystyle|\\,|\\;|\\!")
_FRACTION = re.compile(r"\\frac\{([^{}]*)\}\{([^{}]*)\}")


def _width(expr: sp.Basic) -> int:
    """Roughly how many characters wide ``expr`` typesets: its LaTeX without spacing commands
    and braces, a command counting as one symbol, a fraction as its wider part."""
    return latex_width(expr_latex(expr))


def _wider_part(fraction: re.Match) -> str:
    numerator, denominator = fraction.group(1), fraction.group(2)
    return numerator if latex_width(numerator) >= latex_width(denominator) else denominator


_OPERATOR = re.compile(
    r"\\operatorname\{([A-Za-z]+)\}|\\(log|exp|ln|sin|cos|tan|det|max|min|lim|sup|inf)(?![A-Za-z])"
)


def latex_width(tex: str) -> int:
    """Typeset characters: a command or operator name as its letters (``\\log`` three), a
    fraction as its wider part, a binary operator or relation twice (the spaces around it)."""
    tex = _COMMAND.sub("", tex)
    top = tex
    previous = None
    while previous != top:  # operators in sub- and superscripts are small and unspaced
        previous, top = top, re.sub(r"[_^]\{[^{}]*\}|[_^].", "", top)
    operators = len(re.findall(r"[-+=<>]", top))
    tex = _OPERATOR.sub(lambda m: m.group(1) or m.group(2), tex)  # log is three letters wide
    previous = None
    while previous != tex:  # scripts inline: e^{\eta} as e\eta
        previous, tex = tex, re.sub(r"[_^]\{([^{}]*)\}", r"\1", tex)
    previous = None
    while previous != tex:  # innermost fractions first: as wide as the wider of their parts
        previous = tex
        tex = _FRACTION.sub(
            lambda m: (
                m.group(1) if latex_width(m.group(1)) >= latex_width(m.group(2)) else m.group(2)
            ),
            tex,
        )
    tex = re.sub(r"\\[A-Za-z]+", "x", tex)
    return len(re.sub(r"[{}^_&\s]", "", tex)) + operators


def _terms_latex(expr: sp.Basic, limit: int) -> list[str]:
    """``expr`` as LaTeX lines no wider than ``limit`` where possible: a sum is broken between
    its terms (the second and later lines start with their sign); anything else is one line."""
    if not isinstance(expr, (sp.Add, sp.MatAdd)) or _width(expr) <= limit:
        return [expr_latex(expr)]
    terms = arranged_terms(list(expr.as_ordered_terms()))
    lines: list[str] = []
    current, current_width = "", 0
    for index, term in enumerate(terms):
        negative = index > 0 and term.could_extract_minus_sign()
        shown = -term if negative else term
        piece = expr_latex(shown)
        if isinstance(shown, sp.Add):
            piece = rf"\left({piece}\right)"
        width = _width(shown) + 3
        sign = "" if index == 0 else ("- " if negative else "+ ")
        if current and current_width + width > limit:
            lines.append(current)
            current, current_width = f"{sign}{piece}", width
        else:
            current = f"{current} {sign}{piece}".strip()
            current_width += width
    lines.append(current)
    return lines


def _relation_math(
    left: sp.Basic | None, relation: str, right: sp.Basic, limit: int, condition: str
) -> str:
    r"""``\begin{aligned}[t] left &= right \\ &\quad + ...\end{aligned}`` within ``limit``."""
    rows = _terms_latex(right, limit)
    left_tex = expr_latex(left) if left is not None else ""
    if left is not None and _width(left) + _width(right) > limit and _width(left) > limit // 3:
        # the left side on lines of its own; everything flush left below it
        left_rows = _terms_latex(left, limit)
        lines = [f"&{left_rows[0]}", *(rf"&\quad {row}" for row in left_rows[1:])]
        lines.append(rf"&\quad {relation} {rows[0]}")
        lines += [rf"&\qquad {row}" for row in rows[1:]]
    else:
        if left is not None:  # the right side's rows share the first line with the left side
            rows = _terms_latex(right, max(limit - _width(left) - 2, limit // 2))
        lines = [f"{left_tex} &{relation} {rows[0]}"]
        lines += [rf"&\quad {row}" for row in rows[1:]]
    if condition:
        lines[-1] += rf"\quad \text{{for }} {condition}"
    return r"\displaystyle\begin{aligned}[t]" + r" \\ ".join(lines) + r"\end{aligned}"


def _math_html(left, relation, right, condition: str) -> str:
    wide = _relation_math(left, relation, right, WIDE, condition)
    narrow = _relation_math(left, relation, right, NARROW, condition)
    if wide == narrow:
        return rf'<span class="glmnotes-formula">\({escape(wide)}\)</span>'
    return (
        rf'<span class="glmnotes-formula glmnotes-wide">\({escape(wide)}\)</span>'
        rf'<span class="glmnotes-formula glmnotes-narrow">\({escape(narrow)}\)</span>'
    )


def _table(rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{name}</th><td>{value}</td></tr>" for name, value in rows)
    return f'<table class="glmnotes-counterexample"><tbody>{body}</tbody></table>'


def _details_html(verdict: Verdict) -> str:
    """What the check did, for the details of a mark."""
    scope = f" for {escape(', '.join(verdict.concrete))}" if verdict.concrete else ""
    parts = []
    if verdict.kind is VerdictKind.PROVED:
        how = {
            "evaluation (doit)": "sympy evaluated the derivatives, integrals or sums, and the two "
            "sides became the same expression",
            "sympy's automatic simplification": "sympy's automatic simplification made the two "
            "sides the same expression",
        }.get(
            verdict.route or "",
            "sympy reduced the difference of the two sides to zero (route: "
            f"<code>{escape(verdict.route or '')}</code>)",
        )
        parts.append(f"<p>Proved by computer algebra{scope}: {how}.</p>")
        if verdict.concrete:
            parts.append("<p>The proof used these sizes; other sizes were not proved.</p>")
    elif verdict.kind is VerdictKind.BY_DEFINITION:
        parts.append(
            "<p>True by definition: both sides are the same expression "
            f"({escape(verdict.route or '')}). Nothing was proved.</p>"
        )
    elif verdict.kind is VerdictKind.NUMERIC:
        parts.append(
            f"<p>Checked numerically{scope}: the difference of the two sides was evaluated "
            f"exactly at {points_text(verdict.points)} of the box below, at two precisions, and "
            f"vanished to {verdict.digits} significant digits relative to the sides.</p>"
        )
    elif verdict.kind is VerdictKind.FAILED:
        c = verdict.counterexample
        if c is not None:
            rows = [(rf"\({escape(_symbol_latex(n))}\)", escape(v)) for n, v in c.point]
            if c.entry is not None:
                rows.append(("entry", escape(str(c.entry))))
            rows += [("left side", escape(c.left)), ("right side", escape(c.right))]
            if c.difference:
                rows.append(("difference", escape(c.difference)))
            parts.append("<p>False: a point where the two sides differ.</p>" + _table(rows))
        if verdict.reason:
            parts.append(f"<p>{escape(verdict.reason)}.</p>")
    else:
        parts.append(f"<p>Not verified: {escape(verdict.reason)}.</p>")
    if verdict.outside_box is not None:
        parts.append(
            f"<p>It holds on the box only: false at {escape(verdict.outside_box)} (outside).</p>"
        )
    if verdict.undecided:
        parts.append(f"<p>Not claimed: nothing could be decided {escape(verdict.undecided)}.</p>")
    if verdict.clock_cuts:
        parts.append("<p>Time budgets stopped: " + escape(", ".join(verdict.clock_cuts)) + ".</p>")
    if verdict.memory_cuts:
        parts.append("<p>Memory bounds: " + escape("; ".join(verdict.memory_cuts)) + ".</p>")
    return "".join(parts)


def _symbol_latex(name: str) -> str:
    """A sampled symbol's name as LaTeX (``x[3]`` as :math:`x_3`)."""
    if name.endswith("]") and "[" in name:
        base, index = name[:-1].split("[", 1)
        return rf"{expr_latex(sp.Symbol(base))}_{{{index}}}"
    return expr_latex(sp.Symbol(name))


def mark_label(verdict: Verdict, erratum: str | None = None) -> str:
    """The words of the mark on the page: its kind and the sizes it holds for (how many points
    and digits are in the details it opens)."""
    if verdict.kind is VerdictKind.NUMERIC:
        return "numeric" + verdict.scope_text() + verdict.undecided_summary()
    return mark_text(verdict, erratum)


def verdict_html(verdict: Verdict, erratum: str | None = None, open: bool = False) -> str:
    """The mark of one verdict, a ``<details>`` that opens on how it was checked (already open
    with ``open=True``: a reader's own false step shows its counterexample at once)."""
    kind = KIND_CLASS[verdict.kind]
    words = escape(mark_label(verdict, erratum))
    opened = " open" if open else ""
    return (
        f'<details class="glmnotes-verdict glmnotes-{kind}"{opened}><summary>'
        f'<span class="glmnotes-mark"><span aria-hidden="true">{SYMBOL[verdict.kind]}</span> '
        f"{words}</span></summary>"
        f'<div class="glmnotes-details tex2jax_process">{_details_html(verdict)}</div></details>'
    )


def _scope_html(derivation: Derivation) -> str:
    boxes = [
        rf"\({escape(box_latex(symbol, box))}\)" for symbol, box in derivation.scope_boxes().items()
    ]
    boxes += [
        rf"\({escape(expr_latex(k))} = {escape(expr_latex(v))}\)"
        for k, v in derivation.checked_sizes()
    ]
    parts = []
    if boxes:
        parts.append(f"<p>Checked for {', '.join(boxes)}.</p>")
    if derivation.condition is not None:
        parts.append(rf"<p>Holds for \({escape(derivation.condition)}\) (not beyond its box).</p>")
    definitions = derivation.definitions()
    if definitions:
        items = "".join(f"<li>{_math_html(k, ':=', v, '')}</li>" for k, v in definitions)
        count = "1 definition" if len(definitions) == 1 else f"{len(definitions)} definitions"
        parts.append(
            f"<details><summary>with {count}</summary>"
            f'<ul class="glmnotes-definitions">{items}</ul></details>'
        )
    if not parts:
        return ""
    return f'<div class="glmnotes-scope tex2jax_process">{"".join(parts)}</div>'


def _step_html(math: str, why: str, verdict: Verdict, erratum: str | None) -> str:
    kind = "erratum" if erratum else KIND_CLASS[verdict.kind]
    return (
        f'<div class="glmnotes-step glmnotes-step-{kind}">'
        f'<div class="glmnotes-math tex2jax_process">{math}</div>'
        f'<div class="glmnotes-note tex2jax_process"><span class="glmnotes-why">'
        f"{text_html(why)}</span> {verdict_html(verdict, erratum)}</div></div>"
    )


def derivation_html(derivation: Derivation) -> str:
    """The derivation as an HTML fragment (see the module docstring)."""
    d = derivation
    steps = []

    def condition(verdict: Verdict) -> str:
        return d.condition if (verdict.outside_box is not None and d.condition) else ""

    if d.is_equation_chain:
        math = _math_html(d.start.lhs, "=", d.start.rhs, condition(d.start_verdict))
        steps.append(_step_html(math, "start", d.start_verdict, None))
        for s in d.steps:
            relation = r"\neq" if s.erratum is not None else "="
            math = _math_html(s.expr.lhs, relation, s.expr.rhs, condition(s.verdict))
            steps.append(_step_html(math, s.why, s.verdict, s.erratum))
    else:
        previous = d.start
        for index, s in enumerate(d.steps):
            relation = r"\neq" if s.erratum is not None else "="
            left = s.compared_with if index == 0 or s.compared_with is not previous else None
            math = _math_html(left, relation, s.expr, condition(s.verdict))
            steps.append(_step_html(math, s.why, s.verdict, s.erratum))
            previous = s.expr
    if not steps:
        steps.append(
            '<div class="glmnotes-step"><div class="glmnotes-math tex2jax_process">'
            rf"\({escape(expr_latex(d.start))}\)</div></div>"
        )
    title = escape(d.title)
    # the title states what the lines are about (a family, the sizes): shown, not only read out
    caption = f'<p class="glmnotes-title tex2jax_process">{text_html(d.title)}</p>'
    return (
        f'<div class="glmnotes-derivation" data-label="{escape(d.label)}" '
        f'role="group" aria-label="Derivation: {title}">{caption}'
        f'<div class="glmnotes-steps">{"".join(steps)}</div>{_scope_html(d)}</div>'
    )


def argued_html(argued: Argued) -> str:
    """A claim argued in prose or cited: its label says it is not machine-checked."""
    return (
        '<p class="glmnotes-argued"><span class="glmnotes-mark glmnotes-mark-argued">'
        f"{_html.escape(argued.how, quote=False)}</span> not machine-checked: "
        f"{_html.escape(argued.claim, quote=False)}</p>"
    )
