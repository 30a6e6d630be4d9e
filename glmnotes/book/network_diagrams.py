r"""Pictures of networks for the book: stacked units, and a linear network folding into one
matrix.

- :func:`draw_network` -- the units of a feed-forward network in columns (inputs :math:`x_i`,
  hidden units :math:`h_j`, the output :math:`\hat y`), every connection a line; one unit and
  the connections into it can be highlighted, with the logistic regression that unit computes;
- :func:`draw_collapse` -- a network with identity activations above, and below it the product
  of its weight matrices, drawn to scale, folding into the single matrix
  :math:`W_z = W_n \cdots W_1`.

Both draw with matplotlib only, at most :data:`MAX_WIDTH` inches wide and with text of
:data:`FONT_SIZE` points or more (the book's rule: :mod:`glmnotes.book.figures`), and return the
figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["FONT_SIZE", "MAX_WIDTH", "draw_collapse", "draw_network", "unit_names"]

FONT_SIZE = 12.0  # points
MAX_WIDTH = 6.4  # inches
_HIGHLIGHT = "tab:orange"
_PLAIN = "0.55"


def _check_sizes(layer_sizes: Sequence[int]) -> list[int]:
    sizes = list(layer_sizes)
    if len(sizes) < 2 or not all(
        isinstance(s, int) and not isinstance(s, bool) and 1 <= s <= 8 for s in sizes
    ):
        raise ValueError(
            f"layer_sizes must list at least two layers of 1 to 8 units (a picture, not a "
            f"model), got {layer_sizes!r}"
        )
    return sizes


def unit_names(layer_sizes: Sequence[int]) -> list[list[str]]:
    r"""The LaTeX name of every unit: :math:`x_i` for the inputs, :math:`h_j` for one hidden
    layer (:math:`h^{(l)}_j` for several), :math:`\hat y` for a single output
    (:math:`\hat y_k` for several)."""
    sizes = _check_sizes(layer_sizes)
    n_hidden = len(sizes) - 2
    names = [[f"$x_{{{i}}}$" for i in range(1, sizes[0] + 1)]]
    for layer, size in enumerate(sizes[1:-1], start=1):
        top = f"^{{({layer})}}" if n_hidden > 1 else ""
        names.append([f"$h{top}_{{{j}}}$" for j in range(1, size + 1)])
    if sizes[-1] == 1:
        names.append([r"$\hat y$"])
    else:
        names.append([rf"$\hat y_{{{k}}}$" for k in range(1, sizes[-1] + 1)])
    return names


_SPACING = 1.7  # between columns, in units of the vertical distance between two units


def _positions(sizes: list[int]) -> list[list[tuple[float, float]]]:
    """Column ``l`` at x = ``_SPACING * l``; the units of a column centred vertically, one unit
    apart."""
    return [
        [(_SPACING * l, (size - 1) / 2.0 - i) for i in range(size)] for l, size in enumerate(sizes)
    ]


def draw_network(
    layer_sizes: Sequence[int],
    highlight: tuple[int, int] | None = None,
    ax=None,
    names: Sequence[Sequence[str]] | None = None,
    layer_titles: Sequence[str] | None = None,
    note: str | None = None,
    connection_colours: Sequence[str] | None = None,
):
    r"""Draw a feed-forward network: one column per layer, a circle per unit, a line per
    connection (every unit of a layer feeds every unit of the next).

    ``highlight=(layer, unit)`` (0-based: layer 1 is the first hidden layer) draws that unit,
    the units feeding it and their connections in colour: the inputs and the weights of one
    logistic regression. ``note`` (text, may contain ``$...$``) is written beside the
    highlighted unit; ``names`` and ``layer_titles`` replace the default unit names
    (:func:`unit_names`) and the column titles ("input", "hidden", "output");
    ``connection_colours`` gives one colour per set of connections (layer 1's weights first).
    Returns the figure.
    """
    sizes = _check_sizes(layer_sizes)
    names = _unit_labels(sizes, names)
    _check_highlight(sizes, highlight)
    layer_titles = _layer_titles(sizes, layer_titles)
    colours = _connection_colours(sizes, connection_colours)
    frame = _NetworkFrame.of(sizes, bool(note))
    if ax is None:
        ax = frame.new_axes()
    positions = _positions(sizes)
    width = 1.0 if connection_colours is None else 1.6
    _draw_connections(ax, positions, colours, width, highlight)
    for layer, column in enumerate(positions):
        _draw_column(ax, layer, column, names[layer], layer_titles[layer], highlight, frame)
    if highlight is not None and note:
        _annotate(ax, positions[highlight[0]][highlight[1]], note, frame)
    frame.fit(ax)
    return ax.figure


_RADIUS = 0.3  # of a unit's circle, in units of the vertical distance between two units


def _unit_labels(sizes: list[int], names: Sequence[Sequence[str]] | None) -> list[list[str]]:
    """``names`` (or the default :func:`unit_names`) as lists, one name per unit."""
    labels = [list(column) for column in (names if names is not None else unit_names(sizes))]
    if [len(column) for column in labels] != sizes:
        raise ValueError("names must give one name per unit, layer by layer")
    return labels


def _check_highlight(sizes: list[int], highlight: tuple[int, int] | None) -> None:
    """Refuse a highlighted unit that is an input or does not exist."""
    if highlight is None:
        return
    layer, unit = highlight
    if not (1 <= layer < len(sizes) and 0 <= unit < sizes[layer]):
        raise ValueError(
            f"highlight must be (layer, unit) with 1 <= layer < {len(sizes)} and a unit "
            f"of that layer, got {highlight!r}"
        )


def _layer_titles(sizes: list[int], layer_titles: Sequence[str] | None) -> list[str]:
    """One title per column: ``layer_titles``, or "input", "hidden" (numbered when there are
    several hidden layers) and "output"."""
    if layer_titles is None:
        hidden = (
            ["hidden"] if len(sizes) == 3 else [f"hidden {l}" for l in range(1, len(sizes) - 1)]
        )
        layer_titles = ["input", *hidden, "output"]
    if len(layer_titles) != len(sizes):
        raise ValueError("layer_titles must give one title per layer")
    return list(layer_titles)


def _connection_colours(sizes: list[int], colours: Sequence[str] | None) -> list[str]:
    """One colour per set of connections: ``colours``, or grey for all."""
    chosen = list(colours) if colours is not None else [_PLAIN] * (len(sizes) - 1)
    if len(chosen) != len(sizes) - 1:
        raise ValueError("connection_colours must give one colour per layer of weights")
    return chosen


@dataclass(frozen=True)
class _NetworkFrame:
    """Where a network picture lies in data coordinates: the last column at ``last``, the
    units between ``low`` and ``top`` (titles included), a note's room on the right up to
    ``right``; ``tallest`` is the number of units of the tallest column."""

    tallest: int
    last: float
    right: float
    top: float
    low: float

    @classmethod
    def of(cls, sizes: list[int], note: bool) -> _NetworkFrame:
        tallest = max(sizes)
        last = _SPACING * (len(sizes) - 1)
        right = last + _RADIUS + 0.3 + (2.9 if note else 0.0)
        top, low = (tallest - 1) / 2.0 + 1.0, -(tallest - 1) / 2.0 - 0.45
        return cls(tallest=tallest, last=last, right=right, top=top, low=low)

    def new_axes(self):
        """Axes on a new figure of the frame's proportions, at most :data:`MAX_WIDTH` wide."""
        import matplotlib.pyplot as plt

        span = self.right + _RADIUS + 0.3
        width = min(MAX_WIDTH, 0.62 * span)
        height = width * (self.top - self.low) / span
        _, ax = plt.subplots(figsize=(width, height), layout="constrained")
        return ax

    def fit(self, ax) -> None:
        """Limit ``ax`` to the frame, at equal scales, with no axes drawn."""
        ax.set_xlim(-_RADIUS - 0.3, self.right)
        ax.set_ylim(self.low, self.top)
        ax.set_aspect("equal")
        ax.set_axis_off()


def _draw_connections(
    ax,
    positions: list[list[tuple[float, float]]],
    colours: list[str],
    width: float,
    highlight: tuple[int, int] | None,
) -> None:
    """A line from every unit to every unit of the next column, from circle edge to circle
    edge; the connections into the highlighted unit thicker, in colour and on top."""
    for l in range(len(positions) - 1):
        for x0, y0 in positions[l]:
            for j, (x1, y1) in enumerate(positions[l + 1]):
                into = highlight is not None and (l + 1, j) == highlight
                ax.plot(
                    [x0 + _RADIUS, x1 - _RADIUS],
                    [y0, y1],
                    color=_HIGHLIGHT if into else colours[l],
                    linewidth=2.4 if into else width,
                    zorder=2 if into else 1,
                )


def _draw_column(
    ax,
    layer: int,
    column: list[tuple[float, float]],
    names: list[str],
    title: str,
    highlight: tuple[int, int] | None,
    frame: _NetworkFrame,
) -> None:
    """The units of one layer, a named circle each (in colour if highlighted or feeding the
    highlighted unit), and the layer's title above the tallest column."""
    from matplotlib.patches import Circle

    for i, (x, y) in enumerate(column):
        coloured = highlight is not None and ((layer, i) == highlight or layer == highlight[0] - 1)
        ax.add_patch(
            Circle(
                (x, y),
                _RADIUS,
                facecolor="#fde8d0" if coloured else "white",
                edgecolor=_HIGHLIGHT if coloured else "0.25",
                linewidth=2.0 if coloured else 1.2,
                zorder=3,
            )
        )
        ax.text(x, y, names[i], ha="center", va="center", fontsize=FONT_SIZE, zorder=4)
    ax.text(
        _SPACING * layer,
        (frame.tallest - 1) / 2.0 + 0.55,
        title,
        ha="center",
        va="bottom",
        fontsize=FONT_SIZE,
    )


def _annotate(ax, unit: tuple[float, float], note: str, frame: _NetworkFrame) -> None:
    """``note`` in the frame's right margin, with an arrow to the unit at ``unit``."""
    x, y = unit
    ax.annotate(
        note,
        xy=(x + _RADIUS * 0.8, y + _RADIUS * 0.6),
        xytext=(frame.last + _RADIUS + 0.35, (frame.tallest - 1) / 2.0 + 0.1),
        fontsize=FONT_SIZE,
        color=_HIGHLIGHT,
        ha="left",
        va="top",
        arrowprops={
            "arrowstyle": "-|>",
            "color": _HIGHLIGHT,
            "connectionstyle": "arc3,rad=0.25",
        },
    )


def _matrix_box(ax, left: float, rows: int, columns: int, label: str, colour: str, cell: float):
    """A ``rows x columns`` grid of cells with its lower-left corner at ``(left, -rows*cell/2)``
    and ``label`` below it; returns the right edge."""
    from matplotlib.patches import Rectangle

    bottom = -rows * cell / 2.0
    for r in range(rows):
        for c in range(columns):
            ax.add_patch(
                Rectangle(
                    (left + c * cell, bottom + r * cell),
                    cell,
                    cell,
                    facecolor=colour,
                    edgecolor="white",
                    linewidth=1.5,
                )
            )
    ax.text(
        left + columns * cell / 2.0,
        bottom - 0.12,
        label,
        ha="center",
        va="top",
        fontsize=FONT_SIZE,
    )
    return left + columns * cell


def draw_collapse(widths: Sequence[int] = (2, 3, 2, 1)):
    r"""The linear collapse, for a network with layer widths ``widths`` (inputs first) and
    identity activations: above, the network (:func:`draw_network`); below, its weight matrices
    :math:`W_n, \dots, W_1` drawn to scale (column convention: :math:`W_k` is
    :math:`m_k \times m_{k-1}`), multiplied in order into the single matrix :math:`W_z`, of
    the shape of a linear regression on the inputs. Returns the figure.
    """
    import matplotlib.pyplot as plt

    sizes = _check_sizes(widths)
    n = len(sizes) - 1
    palette = ["#9ecae1", "#4292c6", "#08519c", "#6baed6", "#2171b5", "#08306b"]
    colours = [palette[k % len(palette)] for k in range(n)]  # W_1, W_2, ...
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(MAX_WIDTH, 5.0), height_ratios=[1.35, 1.0], layout="constrained"
    )
    draw_network(sizes, ax=top, connection_colours=colours)
    top.set_title(r"a network whose activations are all $\phi(t) = t$ ...", fontsize=FONT_SIZE)
    cell = 0.32
    left = 0.0
    for k in range(n, 0, -1):  # W_n ... W_1, left to right, as the product is written
        rows, columns = sizes[k], sizes[k - 1]
        left = _matrix_box(
            bottom,
            left,
            rows,
            columns,
            f"$W_{{{k}}}$\n${rows}\\times{columns}$",
            colours[k - 1],
            cell,
        )
        left += 0.3
        if k > 1:
            bottom.text(left - 0.15, 0.0, r"$\cdot$", ha="center", va="center", fontsize=16)
    bottom.text(left + 0.05, 0.0, "=", ha="center", va="center", fontsize=16)
    left += 0.4
    right = _matrix_box(
        bottom,
        left,
        sizes[-1],
        sizes[0],
        f"$W_z$\n${sizes[-1]}\\times{sizes[0]}$",
        "#f16913",
        cell,
    )
    bottom.set_title("... is one matrix: the product of its layers, in order", fontsize=FONT_SIZE)
    tallest = max(sizes)
    bottom.set_xlim(-0.2, right + 0.3)
    bottom.set_ylim(-tallest * cell / 2.0 - 0.75, tallest * cell / 2.0 + 0.15)
    bottom.set_aspect("equal")
    bottom.set_axis_off()
    return fig
