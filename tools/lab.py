"""JupyterLab on this checkout, each chapter a notebook: what ``make lab`` runs.

    python tools/lab.py [--port 8888]

The server listens on 127.0.0.1 only, opens no browser and prints the one address to open (a
fresh token in it). Its kernel is this environment's Python, which imports the checkout's
glmnotes (the editable install). jupytext's contents manager (registered with the server by
jupytext itself) serves every ``book/*.md`` as a notebook, and the settings below make a
double-click open a Markdown file as one ("Open With > Editor" still shows the text).

Nothing is requested from other hosts: no news feed (``LabApp.news_url=None``), no check for a
newer JupyterLab (``NeverCheckForUpdate``), a read-only extension manager (the PyPI one searches
pypi.org), and the settings turn the news prompt off in the page as well.

Saving from the notebook view writes the chapter back through jupytext, which adds its version
to the header and rewraps long cell options: autosave is off, so only an explicit save does.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: JupyterLab settings defaults for this environment (``overrides.d``: below the user's own).
SETTINGS = {
    "@jupyterlab/docmanager-extension:plugin": {
        "defaultViewers": {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"},
        "autosave": False,
    },
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def settings_file(prefix: str = sys.prefix) -> Path:
    """Where JupyterLab reads this environment's settings defaults."""
    return Path(prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.d" / "glmnotes.json"


def install_settings(prefix: str = sys.prefix) -> Path:
    """Write :data:`SETTINGS` into the environment (only when they changed)."""
    path = settings_file(prefix)
    text = json.dumps(SETTINGS, indent=2, sort_keys=True) + "\n"
    if not path.exists() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return path


def command(port: int, root: Path = ROOT) -> list[str]:
    """The server's command line (the token goes in the environment: ``JUPYTER_TOKEN``)."""
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.open_browser=False",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",  # the printed address is the one served, or nothing
        f"--ServerApp.root_dir={root}",
        "--LabApp.extension_manager=readonly",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers often run as root
        argv.append("--allow-root")
    return argv


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8888)
    args = parser.parse_args()
    install_settings()
    token = os.environ.get("JUPYTER_TOKEN") or secrets.token_hex(24)
    address = f"http://127.0.0.1:{args.port}/lab/tree/book?token={token}"
    print(
        f"JupyterLab on the chapters (book/*.md open as notebooks):\n\n    {address}\n", flush=True
    )
    os.execve(sys.executable, command(args.port), {**os.environ, "JUPYTER_TOKEN": token})


if __name__ == "__main__":
    main()
