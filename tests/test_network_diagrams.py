"""Tests for glmnotes.book.network_diagrams: the book's pictures of networks are legible (at most
6.4 inches wide, text of 11 points or more) and draw what they say."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Circle, Rectangle  # noqa: E402

from glmnotes.book import figures  # noqa: E402
from glmnotes.book.network_diagrams import draw_collapse, draw_network, unit_names  # noqa: E402


@pytest.fixture(autouse=True)
def book_style():
    with matplotlib.rc_context(figures.style()):
        yield
    plt.close("all")


def texts(fig):
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


def test_a_network_has_a_circle_per_unit_and_a_line_per_connection():
    fig = draw_network([3, 4, 1])
    figures.check_legible(fig)
    ax = fig.axes[0]
    assert len([p for p in ax.patches if isinstance(p, Circle)]) == 3 + 4 + 1
    assert len(ax.lines) == 3 * 4 + 4 * 1
    assert {"input", "hidden", "output", "$x_{1}$", "$h_{4}$", r"$\hat y$"} <= set(texts(fig))


def test_the_highlighted_unit_and_its_inputs_are_coloured():
    fig = draw_network([3, 4, 1], highlight=(1, 1), note="one logistic regression")
    figures.check_legible(fig)
    ax = fig.axes[0]
    thick = [line for line in ax.lines if line.get_linewidth() > 2]
    assert len(thick) == 3  # the three weights into h_2
    coloured = [p for p in ax.patches if isinstance(p, Circle) and p.get_linewidth() > 1.5]
    assert len(coloured) == 3 + 1  # the inputs and h_2
    assert "one logistic regression" in texts(fig)
    assert fig.get_size_inches()[0] <= figures.WIDTH


def test_unit_names_for_several_layers_and_outputs():
    assert unit_names([2, 3, 2, 1])[1] == ["$h^{(1)}_{1}$", "$h^{(1)}_{2}$", "$h^{(1)}_{3}$"]
    assert unit_names([2, 3])[-1] == [r"$\hat y_{1}$", r"$\hat y_{2}$", r"$\hat y_{3}$"]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: draw_network([3]), "at least two layers"),
        (lambda: draw_network([3, 9, 1]), "1 to 8 units"),
        (lambda: draw_network([3, 4, 1], highlight=(0, 0)), "highlight"),
        (lambda: draw_network([3, 4, 1], highlight=(1, 4)), "highlight"),
        (lambda: draw_network([2, 1], names=[["a"], ["b"]]), "one name per unit"),
        (lambda: draw_network([2, 1], layer_titles=["in"]), "one title per layer"),
        (lambda: draw_network([2, 1], connection_colours=[]), "one colour per layer"),
    ],
)
def test_bad_requests_are_refused(call, message):
    before = plt.get_fignums()
    with pytest.raises(ValueError, match=message):
        call()
    assert plt.get_fignums() == before  # refused before any figure is opened


def test_a_network_is_drawn_on_the_axes_given():
    fig, ax = plt.subplots()
    assert draw_network([2, 2], ax=ax, highlight=(1, 0), note="here") is fig
    assert len(ax.lines) == 4 and len(ax.patches) == 4
    assert "here" in texts(fig) and ax.get_aspect() == 1.0 and not ax.axison


def test_the_collapse_draws_every_matrix_to_scale_and_their_product():
    fig = draw_collapse((2, 3, 2, 1))
    figures.check_legible(fig)
    top, bottom = fig.axes
    cells = [p for p in bottom.patches if isinstance(p, Rectangle)]
    assert len(cells) == 1 * 2 + 2 * 3 + 3 * 2 + 1 * 2  # W_3, W_2, W_1 and W_z
    labels = " ".join(texts(fig))
    for name in ("$W_{3}$", "$W_{2}$", "$W_{1}$", "$W_z$", r"$1\times2$", r"$2\times3$"):
        assert name in labels
    # the connections of layer k have the colour of W_k
    colours = {line.get_color() for line in top.lines}
    assert len(colours) == 3
