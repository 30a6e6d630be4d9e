"""Shared fixtures: where the repository, the built site and the tools live."""

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
