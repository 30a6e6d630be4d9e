"""Offer every executed chapter as a downloadable notebook, with its outputs.

myst-nb writes each executed chapter to ``_build/jupyter_execute/<docname>.ipynb``. The
sphinx-book-theme download menu shows an ``.ipynb`` entry when the page context has
``ipynb_source``; nothing in the stack sets it for MyST Markdown notebooks, so this extension
does, and copies the notebooks to ``_sources/`` in the built site, where the menu links.
"""

import shutil
from pathlib import Path


def _executed_notebook(app, docname):
    return Path(app.outdir).parent / "jupyter_execute" / f"{docname}.ipynb"


def add_ipynb_source(app, pagename, templatename, context, doctree):
    if doctree is not None and _executed_notebook(app, pagename).exists():
        context["ipynb_source"] = f"{pagename}.ipynb"


def copy_executed_notebooks(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    for docname in app.env.found_docs:
        source = _executed_notebook(app, docname)
        if source.exists():
            target = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def setup(app):
    # Before sphinx-book-theme builds its header buttons (default priority 500).
    app.connect("html-page-context", add_ipynb_source, priority=400)
    app.connect("build-finished", copy_executed_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
