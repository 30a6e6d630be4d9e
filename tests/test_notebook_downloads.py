"""A chapter downloaded from the site runs anywhere: its first cell installs glmnotes when it is
not importable, and every derivation shows where it is computed, with or without myst-nb.

The whole path (served site, clean environment, every chapter executed and compared with the
reference notebooks) is `make portability` (tools/portability.py), which `make test` runs last.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import venv

import chapters
import nbformat
import pytest

import glmnotes

sys.path.insert(0, str(chapters.ROOT / "_ext"))
from ipynb_download import INSTALL_CELL_TAGS, install_cell  # noqa: E402

REQUIREMENT = f"glmnotes[chapters]=={glmnotes.__version__}"


def test_the_install_cell_names_this_version_and_pip_s_own_settings():
    source = install_cell().source
    assert f'requirement = "{REQUIREMENT}"' in source
    assert "--find-links" not in source  # no published address: pip's own settings only
    published = install_cell("https://example.org/glmnotes/").source
    assert '"--find-links", "https://example.org/glmnotes/packages/"' in published
    compile(published, "install cell", "exec")


def test_where_glmnotes_is_importable_the_install_cell_does_nothing(monkeypatch, capsys):
    def no_pip(*args, **kwargs):
        raise AssertionError(f"the cell ran {args}")

    monkeypatch.setattr(subprocess, "run", no_pip)
    exec(install_cell().source, {})
    assert capsys.readouterr() == ("", "")


def test_without_an_index_the_install_cell_says_in_one_line_what_to_install(tmp_path):
    """A clean environment (no glmnotes) whose pip reaches no index: one line, naming the
    requirement, and the cell fails (nothing after it runs)."""
    venv.create(tmp_path / "venv", with_pip=True)
    python = tmp_path / "venv" / "bin" / "python"
    nowhere = tmp_path / "no-links"
    nowhere.mkdir()
    cell = install_cell().source
    probe = f"{cell}\nraise SystemExit('the cell did not stop')\n"
    runner = (
        "import sys\n"
        "try:\n"
        f"    exec({probe!r}, {{}})\n"
        "except Exception as error:\n"
        "    print('\\n'.join(error._render_traceback_()))\n"
    )
    result = subprocess.run(
        [python, "-c", runner],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "PIP_CONFIG_FILE": "/dev/null",  # none of this machine's index settings
            "PIP_INDEX_URL": "http://127.0.0.1:9/simple/",  # nothing listens on port 9
            "PIP_FIND_LINKS": str(nowhere),
            "PIP_RETRIES": "0",
            "PIP_TIMEOUT": "2",
        },
    )
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result
    assert f"pip install '{REQUIREMENT}'" in lines[0]
    assert lines[0].startswith("glmnotes is not installed and pip could not install it")


@pytest.fixture
def published():
    """What IPython's display publishes, as (data, metadata) pairs, in a shell of its own."""
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    calls = []

    class Recorder(DisplayPublisher):
        def publish(self, data, metadata=None, **kwargs):
            calls.append((data, metadata or {}))

    shell = InteractiveShell.instance()
    shell.display_pub = Recorder()
    yield calls
    InteractiveShell.clear_instance()


def test_glue_displays_the_value_where_it_is_computed_and_glues_it_for_the_book(
    monkeypatch, published
):
    """With myst-nb, the same mimebundle is published with the glue's metadata (the book's
    directives find it); without, it is displayed plainly."""
    from glmnotes.book.glue import glue

    glue("a-key", 3.5)
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # myst-nb not installed
    glue("a-key", 3.5)
    (glued, glued_meta), (plain, plain_meta) = published
    assert glued == plain == {"text/plain": "3.5"}
    assert glued_meta == {"scrapbook": {"name": "a-key", "mime_prefix": ""}}
    assert "scrapbook" not in plain_meta


@pytest.mark.parametrize("source", chapters.chapter_sources(), ids=lambda path: path.stem)
def test_each_chapter_shows_its_glued_results_once(source):
    """A cell that glues a result for the text is tagged remove-output (the page shows the result
    where the text pastes it) and outputs nothing else (which the tag would hide)."""
    reference = chapters.ROOT / "tests" / "notebooks" / f"{source.stem}.ipynb"
    notebook = nbformat.read(reference, as_version=4)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        glued = [o for o in cell.outputs if "scrapbook" in o.get("metadata", {})]
        if not glued and not re.search(r"^glue\(", cell.source, re.M):
            continue
        assert "remove-output" in cell.metadata.get("tags", []), f"cell {index}: not removed"
        others = [o for o in cell.outputs if "scrapbook" not in o.get("metadata", {})]
        assert not others, f"cell {index} outputs more than its glued results: {others}"
        assert glued, f"cell {index} glues nothing"


@pytest.mark.book
@pytest.mark.parametrize("source", chapters.chapter_sources(), ids=lambda path: path.stem)
def test_each_downloaded_chapter_starts_with_the_install_cell_the_page_never_shows(site, source):
    docname = source.relative_to(chapters.ROOT).with_suffix("")
    notebook = json.loads((site / "_sources" / f"{docname}.ipynb").read_text())
    first = notebook["cells"][0]
    assert "".join(first["source"]) == install_cell().source
    assert first["metadata"]["tags"] == INSTALL_CELL_TAGS
    page = (site / docname).with_suffix(".html").read_text()
    assert "glmnotes-install" not in page and "pip could not install" not in page


def test_a_glued_derivation_carries_what_a_reader_s_step_is_checked_against(published):
    """The page's "Check your own step" reads the glued output's ``glmnotes_reader``; showing the
    derivation itself checks nothing (tests/test_verify_html.py)."""
    import sympy as sp

    from glmnotes.book.glue import glue
    from glmnotes.verify import Derivation

    x = sp.Symbol("x", real=True)
    derivation = Derivation((x + 1) ** 2, label="square")
    derivation.step(x**2 + 2 * x + 1, "expand")
    glue("square", derivation)
    ((data, metadata),) = published
    assert metadata["glmnotes"]["label"] == "square"
    assert metadata["glmnotes_reader"]["label"] == "square"
    assert metadata["glmnotes_reader"]["available"]
    assert "text/html" in data
