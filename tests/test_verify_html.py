"""The derivation as the reader sees it: glmnotes.verify.render (the page's HTML and the one
LaTeX printer).

References: the derivation's own record (what was checked), Python's html.parser (well-formed,
escaped), and the textbook forms of the printer's output.
"""

from __future__ import annotations

import html.parser
import re

import sympy as sp

from glmnotes.verify import Derivation, check_equal
from glmnotes.verify.render.latex import derivation_latex, expr_latex
from glmnotes.verify.render.page import NARROW, WIDE, derivation_html, latex_width, text_html
from glmnotes.verify.render.page import verdict_html as render_verdict_html

eta = sp.Symbol("eta", real=True)
x = sp.Symbol("x", real=True)
m = sp.Symbol("m", integer=True, positive=True)


class Structure(html.parser.HTMLParser):
    """Tags in order, with their classes; fails on a close tag that does not match."""

    def __init__(self):
        super().__init__()
        self.stack, self.classes, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)
        self.classes.append(dict(attrs).get("class", ""))

    def handle_endtag(self, tag):
        assert self.stack and self.stack.pop() == tag, f"unbalanced </{tag}>"

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> Structure:
    structure = Structure()
    structure.feed(page)
    assert not structure.stack, f"unclosed tags {structure.stack}"
    return structure


def mixed() -> Derivation:
    d = Derivation(
        sp.Derivative(sp.log(1 + sp.exp(eta)), eta), domain={eta: (-30, 30)}, label="mix"
    )
    d.step(sp.exp(eta) / (1 + sp.exp(eta)), "chain rule & <tags> $e^\\eta$")
    d.step(sp.exp(eta), "the notes' step", erratum="000: mean")
    return d


def test_every_step_is_a_row_with_its_mark_and_details():
    d = mixed()
    page = derivation_html(d)
    structure = parse(page)
    assert page.startswith('<div class="glmnotes-derivation" data-label="mix"')
    steps = [c for c in structure.classes if c.startswith("glmnotes-step ")]
    assert steps == ["glmnotes-step glmnotes-step-proved", "glmnotes-step glmnotes-step-erratum"]
    assert page.count('<details class="glmnotes-verdict') == len(d.steps)
    # the justification is readable text, escaped, its $...$ kept as math
    assert "chain rule &amp; &lt;tags&gt; \\(e^\\eta\\)" in page
    # the erratum's details hold the counterexample, with the values the verdict recorded
    c = d.steps[1].verdict.counterexample
    assert "left side" in page and c.left in page and c.right in page
    assert "Checked for \\(\\eta \\in (-30, 30)\\)" in page


def test_marks_name_their_kind_and_scope():
    proved = check_equal(sp.exp(eta) / (1 + sp.exp(eta)), 1 / (1 + sp.exp(-eta)))
    assert "✓</span> proved</span>" in render_verdict_html(proved)
    same = check_equal(x, x)
    assert "≡</span> by definition" in render_verdict_html(same)
    k = sp.Symbol("k", integer=True, positive=True)
    w = sp.IndexedBase("w", positive=True)
    numeric = check_equal(
        sp.Sum(sp.log(w[k]), (k, 1, m)),
        sp.log(sp.Product(w[k], (k, 1, m))),
        domain={w: (sp.Rational(1, 2), 2)},
        given={m: 3},
        numeric_first=True,
    )
    page = render_verdict_html(numeric)
    assert numeric.kind.value == "numeric" and numeric.concrete == ("m = 3",)
    assert "✓</span> numeric for m = 3</span>" in page and "3 points" not in page
    assert f"{numeric.points} points" in page  # in the details
    false = check_equal(sp.exp(-60), 0)
    assert "✗</span> false" in render_verdict_html(false)


def test_a_long_sum_breaks_across_lines_and_a_narrow_version_breaks_more():
    long_sum = sum(sp.Symbol(f"a_{i}") * sp.exp(sp.Symbol(f"b_{i}")) for i in range(12))
    d = Derivation(long_sum, label="long")
    d.step(sp.expand(long_sum) * 1, "the same")
    page = derivation_html(d)
    wide = re.search(r'glmnotes-wide">\\\((.*?)\\\)</span>', page).group(1)
    narrow = re.search(r'glmnotes-narrow">\\\((.*?)\\\)</span>', page).group(1)
    assert wide.count("\\\\") < narrow.count("\\\\")
    for version, limit in ((wide, WIDE), (narrow, NARROW)):
        body = version.removeprefix("\\displaystyle\\begin{aligned}[t]").removesuffix(
            "\\end{aligned}"
        )
        for line in body.split(" \\\\ "):
            assert latex_width(line.replace("&amp;", "")) <= limit + 12  # one term may overrun


def test_latex_width_counts_what_is_typeset():
    assert latex_width(r"\frac{\partial \ell}{\partial \theta_1}") == 3
    assert latex_width(r"\left( a + b \right)") == len("(a+b)") + 1  # + with its spaces
    assert latex_width(r"e^{\eta}") == 2
    # operator names are as wide as their letters: log, exp, tr
    assert latex_width(r"\log\left(\sigma\right)") == len("log(s)")
    assert latex_width(r"\exp{x} + \operatorname{tr}\left(A\right)") == len("expx+tr(A)") + 1
    assert latex_width(r"e^{-t} = 1") == len("e-t=1") + 1  # a sign in an exponent is unspaced


def test_text_html_escapes_and_keeps_math():
    assert text_html("a < b & $x^2$") == "a &lt; b &amp; \\(x^2\\)"
    assert text_html("an odd $ dollar") == "an odd $ dollar"


def test_the_printer_writes_as_the_book_does():
    y, mu = sp.symbols("y mu", real=True)
    X = sp.MatrixSymbol("X", 3, 2)
    b = sp.MatrixSymbol("b", 2, 1)
    Y = sp.MatrixSymbol("Y", 3, 1)
    assert expr_latex(y - mu) == r"y - \mu"
    assert expr_latex(sp.log(sp.exp(eta) + 1)) == r"\log{\left(1 + e^{\eta} \right)}"
    assert expr_latex(X.T * (Y - X * b)) == r"X^{\top} \left(Y - X b\right)"
    assert expr_latex(3 * x**2 - 2 * x + 1) == r"3 x^{2} - 2 x + 1"
    # and it is only a printer: the expression is unchanged
    assert sp.latex(y - mu) == r"- \mu + y"


def test_a_derivation_offers_html_latex_and_text_with_its_record():
    from IPython.core.formatters import format_display_data

    data, metadata = format_display_data(mixed())
    assert {"text/html", "text/latex", "text/plain"} <= set(data)
    assert metadata["glmnotes"]["label"] == "mix"
    assert "glmnotes_reader" not in metadata  # the book's glue adds it (test_notebook_downloads)


def test_the_title_is_shown_not_only_read_out():
    import sympy as sp

    from glmnotes.verify import Derivation

    x = sp.Symbol("x", real=True)
    d = Derivation((x + 1) ** 2, label="scope", title="For the exponential family, $m = 3$")
    d.step(x**2 + 2 * x + 1, "expand")
    page = derivation_html(d)
    caption = page.split('<p class="glmnotes-title tex2jax_process">')[1].split("</p>")[0]
    assert caption == r"For the exponential family, \(m = 3\)"
    assert page.index("glmnotes-title") < page.index("glmnotes-steps")  # above the marks


def test_the_title_is_printed_with_or_without_a_box():
    import sympy as sp

    from glmnotes.verify import Derivation

    t = sp.Symbol("t", real=True)
    boxless = Derivation(sp.Subs(sp.Derivative(t**3, (t, 2)), t, 1), label="c", title="At one")
    boxless.step(sp.Integer(6), "evaluate")
    assert (
        derivation_latex(boxless)
        .splitlines()[-2]
        .endswith(r"{\scriptstyle \text{At}\ \text{one}}}")
    )
    untitled = Derivation(sp.Subs(sp.Derivative(t**3, (t, 2)), t, 1), label="u")
    untitled.step(sp.Integer(6), "evaluate")
    assert (
        "At one" not in derivation_latex(untitled)
        and len(derivation_latex(untitled).splitlines()) == 4
    )
