"""``make lab``: JupyterLab on 127.0.0.1 serves each chapter as a notebook, its kernel imports this
checkout's glmnotes, and nothing in it asks another host for news, updates or extensions.

The test runs what ``make lab`` runs (tools/lab.py) on a free port with a token of its own, and
Jupyter's user directories in a temporary directory (a developer's own settings stay out).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STARTUP_S = 90  # about 4 s on an idle 2-core machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Lab:
    def __init__(self, port: int, token: str, output: Path):
        self.base, self.token, self.output = f"http://127.0.0.1:{port}", token, output

    def request(self, method: str, path: str, body: dict | None = None) -> bytes:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()

    def get_json(self, path: str):
        return json.loads(self.request("GET", path))


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    pytest.importorskip("jupyterlab")
    pytest.importorskip("jupytext")
    home = tmp_path_factory.mktemp("jupyter-home")
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_TOKEN": token,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "lab-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "lab-workspaces"),
    }
    output = home / "lab.log"
    with output.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, str(ROOT / "tools" / "lab.py"), "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    running = Lab(port, token, output)
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab exited ({server.returncode}):\n{output.read_text()}")
            try:
                running.get_json("/api/status")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab not up after {STARTUP_S} s:\n{output.read_text()}")
                time.sleep(0.25)
        yield running
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_the_address_printed_is_the_one_served(lab):
    printed = re.findall(
        r"http://127\.0\.0\.1:\d+/lab/tree/book\?token=\w+", lab.output.read_text()
    )
    assert printed and printed[0] == f"{lab.base}/lab/tree/book?token={lab.token}"
    with urllib.request.urlopen(printed[0], timeout=30) as response:
        assert response.status == 200
    with pytest.raises(urllib.error.HTTPError) as refused:  # the token is required
        urllib.request.urlopen(f"{lab.base}/api/contents/book/glm.md?type=notebook", timeout=30)
    assert refused.value.code == 403


@pytest.mark.parametrize("chapter", ["glm", "backpropagation"])
def test_a_chapter_is_served_as_a_notebook(lab, chapter):
    model = lab.get_json(f"/api/contents/book/{chapter}.md?type=notebook")
    assert model["type"] == "notebook" and model["format"] == "json"
    notebook = model["content"]
    assert any(cell["cell_type"] == "code" for cell in notebook["cells"])
    assert notebook["metadata"]["jupytext"]["text_representation"]["format_name"] == "myst"
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


def test_markdown_opens_as_a_notebook_and_nothing_is_fetched_from_other_hosts(lab):
    docmanager = lab.get_json("/lab/api/settings/@jupyterlab/docmanager-extension:plugin")
    defaults = docmanager["schema"]["properties"]
    assert defaults["defaultViewers"]["default"]["markdown"] == "Jupytext Notebook"
    assert defaults["autosave"]["default"] is False
    notification = lab.get_json("/lab/api/settings/@jupyterlab/apputils-extension:notification")
    properties = notification["schema"]["properties"]
    assert properties["fetchNews"]["default"] == "false"
    assert properties["checkForUpdates"]["default"] is False
    page = lab.request("GET", "/lab").decode()
    assert '"news": {"disabled": true}' in page
    assert '"can_install": false' in page and '"name": "read-only"' in page  # not the PyPI one
    assert lab.get_json("/lab/api/update") == {"notification": None}
    assert lab.get_json("/lab/api/news") == {"news": []}


def test_the_kernel_imports_this_checkouts_glmnotes(lab):
    websocket = pytest.importorskip("websocket")
    kernel = json.loads(lab.request("POST", "/api/kernels", {"name": "python3", "path": "book"}))
    try:
        channel = websocket.create_connection(
            lab.base.replace("http", "ws", 1) + f"/api/kernels/{kernel['id']}/channels",
            header=[f"Authorization: token {lab.token}"],
            timeout=60,
        )
        msg_id = uuid.uuid4().hex
        code = "import glmnotes, sys; print(glmnotes.__file__); print(sys.prefix)"
        channel.send(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "msg_type": "execute_request",
                        "username": "test",
                        "session": uuid.uuid4().hex,
                        "version": "5.3",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "channel": "shell",
                    "content": {"code": code, "silent": False},
                }
            )
        )
        printed, deadline = "", time.monotonic() + 60
        while time.monotonic() < deadline:
            message = json.loads(channel.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if message["msg_type"] == "stream":
                printed += message["content"]["text"]
            assert message["msg_type"] != "error", message["content"]
            if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
                break
        channel.close()
    finally:
        lab.request("DELETE", f"/api/kernels/{kernel['id']}")
    module, prefix = printed.split()
    assert Path(module) == ROOT / "glmnotes" / "__init__.py"
    assert Path(prefix) == Path(sys.prefix)
