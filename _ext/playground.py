"""Sphinx extension: the "Check your own step" playground under every checked derivation.

When the assets staged by ``tools/playground_assets.py`` exist (``make book`` stages them when npm
is installed), every page gets one small script and one stylesheet
(``playground/static/``); the script adds the control under each
``<div class="glmnotes-derivation" data-glmnotes-reader=...>`` and starts Python in a Web Worker
on the first check. At the end of the build the Pyodide core, the wheels and the worker are
copied to ``_playground/`` in the built site: not into ``_static/``, where Jupyter Book would add a
``<script>`` tag for every ``.js`` file to every page.

Without the assets the book is built without the playground (the Makefile says so in one line).
``GLMNOTES_PLAYGROUND_ASSETS`` overrides where the staged assets are looked for.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "playground"
DEFAULT_ASSETS = ROOT / "_build" / "playground" / "site"


def _assets() -> Path | None:
    assets = Path(os.environ.get("GLMNOTES_PLAYGROUND_ASSETS") or DEFAULT_ASSETS)
    return assets if (assets / "pyodide" / "pyodide-lock.json").is_file() else None


def on_config_inited(app, config):
    # A config value that changes when the playground is switched on or off, so that every page
    # is written again (its <script> and <link> tags change).
    config.glmnotes_playground = _assets() is not None
    if config.glmnotes_playground:
        config.html_static_path = [*config.html_static_path, str(SOURCES / "static")]


def on_builder_inited(app):
    if app.config.glmnotes_playground and app.builder.format == "html":
        app.add_js_file("glmnotes-playground.js", defer="defer")
        app.add_css_file("glmnotes-playground.css")


def on_build_finished(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_playground"
    shutil.rmtree(target, ignore_errors=True)
    assets = _assets()
    if not app.config.glmnotes_playground or assets is None:
        return
    shutil.copytree(assets, target)
    shutil.copy2(SOURCES / "worker.js", target / "worker.js")


def setup(app):
    app.add_config_value("glmnotes_playground", False, "html")
    app.connect("config-inited", on_config_inited)
    app.connect("builder-inited", on_builder_inited)
    app.connect("build-finished", on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
