"""Sphinx extension: the glmnotes distribution beside the site, where pip finds it.

``tools/site_packages.py`` (run by ``make book``) stages the wheel (and, in the publishing
workflow, the sdist) with a find-links page and a PEP 503 index under ``_build/packages/site``;
at the end of an HTML build this copies them to ``packages/`` in the built book. A downloaded
chapter's first cell installs glmnotes from there when ``html.baseurl`` names where the site is
published (``_ext/ipynb_download.py``); tests point pip at it with ``PIP_FIND_LINKS``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGED = ROOT / "_build" / "packages" / "site"


def on_build_finished(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "packages"
    shutil.rmtree(target, ignore_errors=True)
    if (STAGED / "index.html").is_file():
        shutil.copytree(STAGED, target)


def setup(app):
    app.connect("build-finished", on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
