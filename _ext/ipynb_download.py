"""Offer every executed chapter as a downloadable notebook, with its outputs.

myst-nb writes each chapter to ``_build/jupyter_execute/<docname>.ipynb``, but when it takes the
outputs from its execution cache (an unchanged chapter) that file has no outputs. The
sphinx-book-theme download menu shows an ``.ipynb`` entry when the page context has
``ipynb_source``; nothing in the stack sets it for MyST Markdown notebooks. This extension sets
it, and writes each notebook, merged with its cached outputs, to ``_sources/`` in the built site,
where the menu links.
"""

from pathlib import Path

import nbformat
from jupyter_cache import get_cache


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
        target = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)


def setup(app):
    # Before sphinx-book-theme builds its header buttons (priority 501).
    app.connect("html-page-context", add_ipynb_source, priority=400)
    app.connect("build-finished", write_notebooks_with_outputs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
