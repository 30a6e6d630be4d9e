"""The site shows what was recorded: the outputs the book build produced equal the reference
notebooks'.

``make test`` builds the book (every chapter executed in this environment) and then re-executes
every reference notebook under other numeric environments with nbval (``tools/portability.py``).
This test closes the loop for the ordinary environment without a third execution: the built
site's notebooks (``_build/html/_sources/book/<chapter>.ipynb``, the book build's own outputs)
are compared with ``tests/notebooks/<chapter>.ipynb`` as nbval compares them — text, HTML,
LaTeX, Markdown and streams, with the same sanitizing patterns; images and metadata are not
compared.
"""

from __future__ import annotations

import configparser
import re

import chapters
import nbformat
import pytest

SOURCES = chapters.chapter_sources()
COMPARED = ("text/plain", "text/html", "text/latex", "text/markdown")


def sanitizers(root):
    config = configparser.ConfigParser()
    config.read(root / "tests" / "nbval-sanitize.cfg")
    return [(re.compile(config[s]["regex"]), config[s]["replace"]) for s in config.sections()]


def comparable(outputs, patterns):
    """What nbval compares in a cell's outputs, sanitized; streams of one name joined."""

    def clean(text):
        text = "".join(text) if isinstance(text, list) else str(text)
        for pattern, replacement in patterns:
            text = pattern.sub(replacement, text)
        return text

    result, streams = [], {}
    for output in outputs:
        kind = output.get("output_type")
        if kind == "stream":
            streams[output["name"]] = streams.get(output["name"], "") + clean(output["text"])
        elif kind in ("display_data", "execute_result"):
            data = output.get("data", {})
            result.append({key: clean(data[key]) for key in COMPARED if key in data})
        elif kind == "error":
            result.append({"error": f"{output.get('ename')}: {output.get('evalue')}"})
    return [*({"stream " + name: text} for name, text in sorted(streams.items())), *result]


@pytest.mark.parametrize("source", SOURCES, ids=[path.stem for path in SOURCES])
def test_the_built_book_shows_the_recorded_outputs(site, root, source):
    built_path = site / "_sources" / "book" / f"{source.stem}.ipynb"
    assert built_path.exists(), f"the site has no notebook for {source.stem}"
    built = nbformat.read(built_path, as_version=4)
    recorded = nbformat.read(chapters.reference_path(source), as_version=4)
    # The download's first cell installs glmnotes (test_notebook_downloads.py): not the book's.
    built_cells = [
        cell
        for cell in built.cells
        if cell.cell_type == "code" and "glmnotes-install" not in cell.metadata.get("tags", [])
    ]
    recorded_cells = [cell for cell in recorded.cells if cell.cell_type == "code"]
    assert len(built_cells) == len(recorded_cells), "stale reference notebook: run `make record`"
    patterns = sanitizers(root)
    for index, (ours, theirs) in enumerate(zip(built_cells, recorded_cells, strict=True)):
        if {"nbval-ignore-output", "nbval-skip"} & set(theirs.metadata.get("tags", [])):
            continue  # as nbval: outputs that legitimately change are not compared
        shown = comparable(ours.get("outputs", []), patterns)
        expected = comparable(theirs.get("outputs", []), patterns)
        assert shown == expected, (
            f"{source.stem}, code cell {index}: the built book's output differs from the "
            f"recorded one (run `make record` and review the diff).\n"
            f"cell source: {theirs.source[:200]!r}"
        )


def test_a_changed_output_is_caught(root):
    # it can fail: one character of a stream output differs
    patterns = sanitizers(root)
    first = [{"output_type": "stream", "name": "stdout", "text": "value 1.0\n"}]
    second = [{"output_type": "stream", "name": "stdout", "text": "value 1.1\n"}]
    assert comparable(first, patterns) != comparable(second, patterns)
    address = [{"output_type": "stream", "name": "stdout", "text": "at 0x7f3a2b1c9d40\n"}]
    other = [{"output_type": "stream", "name": "stdout", "text": "at 0x7f00000c9d40\n"}]
    assert comparable(address, patterns) == comparable(other, patterns)  # sanitized, as nbval
