"""Remove two defects that the Jupyter Book 1 theme stack puts on every page.

- sphinx-thebe (always loaded by Jupyter Book) registers its configuration script twice, so every
  page logs "Identifier 'THEBE_JS_URL' has already been declared", and that script names a CDN.
  The book does not use live code cells (readers download the notebook instead), so sphinx-thebe's
  page set-up is disconnected.
- pydata-sphinx-theme renders ``data-mode=""`` when no default mode is configured, and its script
  then logs "Got invalid theme mode". The default is set to ``auto`` (follow the reader's system).
"""


def disconnect_thebe(app, config):
    for listener in list(app.events.listeners.get("env-before-read-docs", [])):
        if getattr(listener.handler, "__qualname__", "") == "init_thebe_core":
            app.disconnect(listener.id)


def default_theme_mode(app, pagename, templatename, context, doctree):
    if not context.get("default_mode"):
        context["default_mode"] = "auto"


def setup(app):
    app.connect("config-inited", disconnect_thebe)
    app.connect("html-page-context", default_theme_mode)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
