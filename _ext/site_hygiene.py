"""Remove defects that the Jupyter Book 1 theme stack puts on every page, and ship what the
pages link to.

- sphinx-thebe (always loaded by Jupyter Book) registers its configuration script twice, so every
  page logs "Identifier 'THEBE_JS_URL' has already been declared", and that script names a CDN.
  The book does not use live code cells (readers download the notebook instead), so sphinx-thebe's
  page set-up is disconnected.
- pydata-sphinx-theme renders ``data-mode=""`` when no default mode is configured, and its script
  then logs "Got invalid theme mode". The default is set to ``auto`` (follow the reader's system).
- Two search boxes on every wide page (the header's and the sidebar's): the header's goes, the
  sidebar's stays (a narrow page keeps its header search icon).
- Launch buttons (Binder) only when ``_config.yml`` names a repository: Jupyter Book fills
  ``repository: url:`` with its own repository when none is given, and the theme would link every
  chapter to Binder sessions of *that* repository. Without a repository of our own, no launch
  button (and no link to another host).
- The three source notes (``sources/*.txt``) are copied into the site as ``sources/``: the
  bibliography and the errata link them.
"""

import shutil
from pathlib import Path


def disconnect_thebe(app, config):
    for listener in list(app.events.listeners.get("env-before-read-docs", [])):
        if getattr(listener.handler, "__qualname__", "") == "init_thebe_core":
            app.disconnect(listener.id)


#: What Jupyter Book puts in ``repository: url:`` when ``_config.yml`` names no repository.
JUPYTER_BOOK_PLACEHOLDER_REPOSITORY = "https://github.com/executablebooks/jupyter-book"


def launch_buttons_only_for_a_named_repository(app, config):
    options = config.html_theme_options
    repository = (options.get("repository_url") or "").rstrip("/")
    if repository in ("", JUPYTER_BOOK_PLACEHOLDER_REPOSITORY):
        options["launch_buttons"] = {}


def default_theme_mode(app, pagename, templatename, context, doctree):
    if not context.get("default_mode"):
        context["default_mode"] = "auto"


def one_search_box(app, config):
    options = dict(config.html_theme_options or {})
    options["navbar_persistent"] = []
    config.html_theme_options = options


def ship_sources(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "sources"
    target.mkdir(exist_ok=True)
    for note in sorted((Path(app.srcdir) / "sources").glob("*.txt")):
        shutil.copyfile(note, target / note.name)


def setup(app):
    app.connect("config-inited", disconnect_thebe)
    app.connect("config-inited", one_search_box)
    app.connect("config-inited", launch_buttons_only_for_a_named_repository)
    app.connect("build-finished", ship_sources)
    app.connect("html-page-context", default_theme_mode)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
