"""Shared fixtures: where the repository, the built site and the tools live."""

import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import settings
from xdist_watchdog import install as install_watchdog  # pytest put tests/ on sys.path

# Property tests draw the same examples on every run (CI must not be flaky); run with
# `--hypothesis-profile=explore` to search new examples locally.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", deadline=None, max_examples=500)
settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from local_site import serving  # noqa: E402  (tools/, just put on the path)

#: Debian's Chromium (`apt-get install chromium`, as .ci/run does), driven by Playwright's Python
#: package; no browser is ever downloaded.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_configure(config):
    # Memory and hang watchdog (tests/xdist_watchdog.py): the xdist controller watches each
    # worker and the processes it starts, kills one that would take the machine's memory or hangs
    # past its timeout, and prints every worker's peak resident memory at the end.
    install_watchdog(config)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def site(root) -> Path:
    """The built HTML book. `make test` builds it before running the tests."""
    html = root / "_build" / "html"
    if not (html / "index.html").exists():
        pytest.fail("the book is not built: run `make book` (`make test` builds it first)")
    return html


@pytest.fixture(scope="module")
def server(site):
    """The built site on 127.0.0.1; its URL, ending in a slash."""
    with serving(site) as url:
        yield url + "/"


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (one per test module), or a skip saying how to install it."""
    if not Path(CHROMIUM).exists():
        pytest.skip(
            "Chromium is not installed: `apt-get install chromium` (as .ci/run does) "
            "to run the browser tests"
        )
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
