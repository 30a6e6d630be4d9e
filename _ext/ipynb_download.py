"""Offer every executed chapter as a downloadable notebook that runs anywhere, with its outputs.

myst-nb writes each chapter to ``_build/jupyter_execute/<docname>.ipynb``, but when it takes the
outputs from its execution cache (an unchanged chapter) that file has no outputs. The
sphinx-book-theme download menu shows an ``.ipynb`` entry when the page context has
``ipynb_source``; nothing in the stack sets it for MyST Markdown notebooks. This extension sets
it, and writes each notebook, merged with its cached outputs, to ``_sources/`` in the built site,
where the menu links.

Each downloaded notebook starts with one more cell, :data:`INSTALL_CELL`: outside this repository
glmnotes is usually not installed, and that cell installs the version this site was built from
(with the ``chapters`` extra: what the chapters import beyond the library), then does nothing
when glmnotes is importable. pip's own configuration applies (``PIP_INDEX_URL``,
``PIP_FIND_LINKS``, ``pip.conf``); when ``html.baseurl`` says where the site is published, the
cell also points pip at the distribution served beside it (``packages/``, see
``_ext/site_packages.py``). The cell is only in the download: the page and the PDF never show it.
"""

from pathlib import Path

import nbformat
from jupyter_cache import get_cache

import glmnotes

#: The first cell of every downloaded chapter; ``{requirement}`` and ``{find_links}`` are filled in
#: per build. It fails in one line (IPython prints ``_render_traceback_``) when pip cannot install.
INSTALL_CELL = """\
# This chapter runs the Python package glmnotes. Where it is not installed (a notebook downloaded
# from the book), this cell installs the version the book was built with, and what the chapter
# imports. pip's own settings apply (PIP_INDEX_URL, PIP_FIND_LINKS). Where glmnotes is
# importable, it does nothing.
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("glmnotes") is None:
    requirement = "{requirement}"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", requirement]{find_links}
    if subprocess.run(pip, capture_output=True, text=True).returncode != 0:

        class GlmnotesNotInstalled(Exception):
            def _render_traceback_(self):
                return [str(self)]

        raise GlmnotesNotInstalled(
            f"glmnotes is not installed and pip could not install it: run "
            f"pip install '{{requirement}}' where this kernel runs, then restart the kernel."
        )
    importlib.invalidate_caches()
    print(f"installed {{requirement}}")
"""

#: The cell's tags: nbval does not compare what pip printed, which depends on the machine.
INSTALL_CELL_TAGS = ["nbval-ignore-output", "glmnotes-install"]


def install_cell(baseurl: str = "") -> nbformat.NotebookNode:
    """The first cell of a downloaded chapter, for this build's glmnotes version."""
    find_links = ""
    if baseurl:
        find_links = f'\n    pip += ["--find-links", "{baseurl.rstrip("/")}/packages/"]'
    source = INSTALL_CELL.format(
        requirement=f"glmnotes[chapters]=={glmnotes.__version__}", find_links=find_links
    )
    return nbformat.v4.new_code_cell(source, metadata={"tags": list(INSTALL_CELL_TAGS)})


def _executed_notebook(app, docname):
    return Path(app.outdir).parent / "jupyter_execute" / f"{docname}.ipynb"


def add_ipynb_source(app, pagename, templatename, context, doctree):
    if doctree is not None and _executed_notebook(app, pagename).exists():
        context["ipynb_source"] = f"{pagename}.ipynb"


def write_notebooks_with_outputs(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    cache = get_cache(str(Path(app.outdir).parent / ".jupyter_cache"))
    for docname in sorted(app.env.found_docs):
        source = _executed_notebook(app, docname)
        if not source.exists():
            continue
        notebook = nbformat.read(source, as_version=4)
        try:
            _, notebook = cache.merge_match_into_notebook(notebook)
        except KeyError:
            pass  # no cached execution: the file myst-nb wrote already has its outputs
        if any(cell.cell_type == "code" for cell in notebook.cells):
            notebook.cells.insert(0, install_cell(app.config.html_baseurl))
        target = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)


def setup(app):
    # Before sphinx-book-theme builds its header buttons (priority 501).
    app.connect("html-page-context", add_ipynb_source, priority=400)
    app.connect("build-finished", write_notebooks_with_outputs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
