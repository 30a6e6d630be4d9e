"""glmnotes.book.figures: the book's figure style, and the legibility check it implies."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from glmnotes.book import figures  # noqa: E402


def test_the_style_makes_legible_figures():
    with matplotlib.rc_context(figures.style()):
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, 1], label="a line")
        ax.set_xlabel("x")
        ax.legend()
        figures.check_legible(fig)  # default size and fonts pass
        assert fig.get_size_inches()[0] <= figures.WIDTH
        assert fig.dpi == figures.DPI
        plt.close(fig)


def test_a_wide_figure_or_small_text_is_refused():
    with matplotlib.rc_context(figures.style()):
        wide, _ = plt.subplots(figsize=(9, 3))
        with pytest.raises(ValueError, match="9.00 in wide"):
            figures.check_legible(wide)
        small, ax = plt.subplots()
        ax.set_title("tiny", fontsize=7)
        with pytest.raises(ValueError, match=r"\[7.0\] pt"):
            figures.check_legible(small)
        plt.close("all")


def test_use_book_style_sets_matplotlib():
    with matplotlib.rc_context():
        figures.use_book_style()
        assert matplotlib.rcParams["font.size"] >= figures.FONT_SIZE
        assert matplotlib.rcParams["savefig.dpi"] == figures.DPI
