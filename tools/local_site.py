"""Serve a built site on 127.0.0.1, as a reader's browser and pip reach it (tests and tools).

with serving(Path("_build/html")) as url:   # "http://127.0.0.1:<free port>"
    ...
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Files from one directory, without a log line per request."""

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serving(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port) in a thread; yields its URL (no trailing
    slash) and stops the server on exit."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
