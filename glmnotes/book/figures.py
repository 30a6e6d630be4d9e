r"""One look for every figure of the book: legible at the width of the page, crisp when zoomed.

A figure is drawn at most ``WIDTH`` inches wide (a side-by-side pair included), with text at
``FONT_SIZE`` points or more, and rendered at ``DPI`` dots per inch. The book's column is about
720 CSS pixels wide at a 1280-pixel window; a 6.4-inch figure is scaled to it by
:math:`720 / (6.4 \cdot 72) \approx 1.6` CSS pixels per point, so 11-point tick labels show at
about 17 pixels, above the body text's 16. At 200 dots per inch the PNG has twice the pixels of
the page (sharp on high-density screens and in print).

Figures are PNG (nbval does not compare images, and an SVG's ids and dates would differ from run
to run); :func:`use_book_style` sets matplotlib up, and :func:`check_legible` is what the tests
ask of every figure.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DPI", "FONT_SIZE", "WIDTH", "check_legible", "style", "use_book_style"]

WIDTH = 6.4  # inches: the widest a figure may be
FONT_SIZE = 11.0  # points: the smallest text a figure may have
DPI = 200  # dots per inch of the PNG


def style() -> dict[str, Any]:
    """The matplotlib settings of the book's figures (``rcParams`` keys and values)."""
    return {
        "figure.figsize": (WIDTH, 3.6),
        "figure.dpi": DPI,
        "savefig.dpi": DPI,
        "font.size": 12,
        "axes.titlesize": 12,
        "axes.labelsize": 12,
        "xtick.labelsize": FONT_SIZE,
        "ytick.labelsize": FONT_SIZE,
        "legend.fontsize": FONT_SIZE,
        "legend.title_fontsize": FONT_SIZE,
        "figure.titlesize": 13,
        "lines.linewidth": 2.0,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "figure.constrained_layout.use": True,
    }


def use_book_style() -> None:
    """Apply :func:`style` to matplotlib (a chapter's first cell calls it)."""
    import matplotlib as mpl

    mpl.rcParams.update(style())


def check_legible(figure: Any) -> None:
    """Raise ``ValueError`` if ``figure`` is wider than ``WIDTH`` inches or has text smaller
    than ``FONT_SIZE`` points, saying which."""
    width, _ = figure.get_size_inches()
    if width > WIDTH + 1e-9:
        raise ValueError(
            f"the figure is {width:.2f} in wide: at most {WIDTH} in, or its text shrinks below "
            "the body text's size on the page; draw it narrower (or stack its panels)"
        )
    small = sorted(
        {
            round(text.get_fontsize(), 1)
            for text in figure.findobj(lambda artist: hasattr(artist, "get_fontsize"))
            if text.get_visible()
            and getattr(text, "get_text", lambda: "")()
            and text.get_fontsize() < FONT_SIZE - 1e-9
        }
    )
    if small:
        raise ValueError(
            f"the figure has text of {small} pt: at least {FONT_SIZE} pt is legible on the page"
        )
