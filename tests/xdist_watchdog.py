"""A watchdog for the test run: no test may take the machine's memory or hang the run.

The pytest-xdist controller (which runs no test itself) polls, once a second, the resident memory
of every worker and of the processes each worker started (notebook kernels, book builds):

* a process above ``GLMNOTES_WATCHDOG_DUMP_GB`` (default 4) has its Python stack printed once,
  with ``py-spy dump``, which reads the process from outside, so it works even while the process
  is inside one long C call that holds the GIL;
* a process above ``GLMNOTES_WATCHDOG_KILL_GB`` (default 10) is killed (a worker with the
  processes it started), so that the test it was running fails by name (with
  ``--max-worker-restart=0``, xdist then stops the run) before the kernel's OOM killer picks a
  victim;
* a worker still inside one test ``GLMNOTES_WATCHDOG_GRACE_S`` seconds (default 120) after that
  test's pytest-timeout has passed (a hang that the timeout, a signal handled between bytecodes,
  could not interrupt) has its stack printed and is killed.

At the end it prints the peak resident memory of every worker and of the largest process a worker
started. Without xdist it watches the processes the test run starts (memory only: a thread of the
process under test cannot run while a C call holds the GIL) and prints the peak line.
``GLMNOTES_WATCHDOG=0`` turns it off. Register it from a conftest (``install(config)`` in
``pytest_configure``) or with ``-p xdist_watchdog``.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

ENABLED = "GLMNOTES_WATCHDOG"
DUMP_GB = "GLMNOTES_WATCHDOG_DUMP_GB"
KILL_GB = "GLMNOTES_WATCHDOG_KILL_GB"
GRACE_S = "GLMNOTES_WATCHDOG_GRACE_S"
DEFAULTS = {DUMP_GB: 4.0, KILL_GB: 10.0, GRACE_S: 120.0}
POLL_SECONDS = 1.0
GB = 1e9
PLUGIN_NAME = "glmnotes-watchdog"
STATE_KEY = "glmnotes_watchdog_dir"  # workerinput: where each worker writes what it runs
OUTPUT_KEY = "glmnotes_watchdog"  # workeroutput: the worker's own peak memory figures


def setting(name: str) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return DEFAULTS[name]
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0:
        raise pytest.UsageError(f"{name}={text!r}: it must be a positive number")
    return value


def gigabytes(size: float, digits: int = 2) -> str:
    return f"{size / GB:.{digits}f} GB"


def install(config: pytest.Config) -> None:
    """Register the watchdog's part for this process: the controller (or a run without xdist)
    watches, an xdist worker says which test it runs."""
    if os.environ.get(ENABLED, "1").strip() == "0" or config.pluginmanager.has_plugin(PLUGIN_NAME):
        return
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None:
        config.pluginmanager.register(Watchdog(config), PLUGIN_NAME)
    elif STATE_KEY in workerinput:
        label = workerinput["workerid"]
        config.pluginmanager.register(Tracker(config, workerinput[STATE_KEY], label), PLUGIN_NAME)


def pytest_configure(config: pytest.Config) -> None:
    """For ``-p xdist_watchdog``."""
    install(config)


def default_timeout(config: pytest.Config) -> float | None:
    """pytest-timeout's timeout for a test without a marker (None: none, or no pytest-timeout)."""
    try:
        from pytest_timeout import get_env_settings
    except ImportError:
        return None
    return get_env_settings(config).timeout


def item_timeout(item: pytest.Item, default: float | None) -> float | None:
    """The test's pytest-timeout: its ``timeout`` marker, else the configured one."""
    marker = item.get_closest_marker("timeout")
    if marker is None:
        return default
    value = marker.args[0] if marker.args else marker.kwargs.get("timeout", default)
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return default


def allow_tracing() -> None:
    """Let py-spy, which the controller starts, read this process where Yama's ptrace_scope=1
    allows tracing only by ancestors (PR_SET_PTRACER, PR_SET_PTRACER_ANY). Harmless elsewhere."""
    if sys.platform != "linux":
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(0x59616D61, ctypes.c_ulong(-1), ctypes.c_ulong(0), 0, 0)
    except (OSError, AttributeError):
        pass


def high_water_mark(process: psutil.Process, rss: int) -> int:
    """The process's peak resident size so far (Linux's VmHWM), at least ``rss``; elsewhere
    ``rss`` (the poll's own figure)."""
    try:
        with open(f"/proc/{process.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return max(rss, int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    return rss


def own_peak() -> int:
    """This process's peak resident size in bytes: Linux's VmHWM (of its own memory map; not
    getrusage, whose figure starts from the parent's size at the fork before exec)."""
    try:
        return high_water_mark(psutil.Process(), 0)
    except psutil.Error:
        return 0


class Tracker:
    """In a process that runs tests: which test runs now, in ``<directory>/<label>.json``."""

    def __init__(self, config: pytest.Config, directory: str, label: str) -> None:
        self.config = config
        self.path = Path(directory) / f"{label}.json"
        self.label = label
        self.default = default_timeout(config)
        allow_tracing()
        self.write(None, None)

    def write(self, test: str | None, timeout: float | None) -> None:
        state = {
            "label": self.label,
            "pid": os.getpid(),
            "test": test,
            "started": time.time(),
            "timeout": timeout,
        }
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps(state))
        os.replace(partial, self.path)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> None:
        self.write(item.nodeid, item_timeout(item, self.default))

    def pytest_runtest_logfinish(self) -> None:
        self.write(None, None)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        output = getattr(self.config, "workeroutput", None)
        if output is not None:
            output[OUTPUT_KEY] = {"rss": own_peak()}


@dataclass
class State:
    label: str
    pid: int
    test: str | None
    started: float
    timeout: float | None

    def running(self) -> str:
        return f"running {self.test}" if self.test else "outside any test"


def py_spy() -> str | None:
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


class Watchdog:
    """In the xdist controller (or a run without xdist): polls the test processes' memory."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.dump_at = setting(DUMP_GB) * GB
        self.kill_at = setting(KILL_GB) * GB
        self.grace = setting(GRACE_S)
        self.directory = Path(tempfile.mkdtemp(prefix="glmnotes-watchdog-"))
        self.local = False  # True without xdist: this process runs the tests
        self.peaks: dict[str, int] = {}  # label -> peak resident bytes
        self.child_peak = (0, "")  # (bytes, "gw1: name") of the largest started process
        self.dumped: set[int] = set()
        self.killed: set[tuple[int, str | None]] = set()
        self.events: list[str] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        # The terminal's stderr, even if pytest captures fd 2 later (without xdist, during tests).
        self.out = os.fdopen(os.dup(2), "w", buffering=1)

    # -- pytest and xdist hooks ---------------------------------------------------------------

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node) -> None:
        node.workerinput[STATE_KEY] = str(self.directory)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node, error) -> None:
        label = node.gateway.id
        # A worker that is gone is no longer watched (its pid may be reused).
        (self.directory / f"{label}.json").unlink(missing_ok=True)
        figures = getattr(node, "workeroutput", {}).get(OUTPUT_KEY)
        if figures:
            with self.lock:
                self.peaks[label] = max(self.peaks.get(label, 0), figures["rss"])

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        if not self.config.pluginmanager.has_plugin("dsession"):
            self.local = True
            process = Tracker(self.config, str(self.directory), "pytest")
            self.config.pluginmanager.register(process, PLUGIN_NAME + "-local")
        self.thread = threading.Thread(target=self.watch, name=PLUGIN_NAME, daemon=True)
        self.thread.start()

    def pytest_sessionfinish(self) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout=30)

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.local:
            self.peaks["pytest"] = max(self.peaks.get("pytest", 0), own_peak())
        if self.events:
            terminalreporter.section("watchdog")
            for event in self.events:
                terminalreporter.write_line(event)
        if self.peaks:
            terminalreporter.write_line(self.peak_line())

    def pytest_unconfigure(self) -> None:
        self.stopping.set()
        shutil.rmtree(self.directory, ignore_errors=True)
        self.out.close()

    # -- the watching thread ------------------------------------------------------------------

    def peak_line(self) -> str:
        def order(label: str) -> tuple[int, str]:
            digits = label.removeprefix("gw")
            return (int(digits), label) if digits.isdigit() else (-1, label)

        shown = ", ".join(
            f"{label} {gigabytes(self.peaks[label], 1)}" for label in sorted(self.peaks, key=order)
        )
        size, owner = self.child_peak
        child = f" (largest child {gigabytes(size, 1)}, {owner})" if size else ""
        return f"peak resident memory: {shown}{child}"

    def say(self, text: str) -> None:
        with self.lock:
            self.out.write(f"\n[watchdog] {text}\n")
            self.out.flush()

    def watch(self) -> None:
        while not self.stopping.wait(POLL_SECONDS):
            for state in self.states():
                try:
                    self.check(state)
                except psutil.Error:
                    continue  # the process ended meanwhile
                except Exception as error:  # keep watching the others
                    self.say(f"could not watch {state.label} (pid {state.pid}): {error!r}")

    def states(self) -> list[State]:
        found = []
        for path in self.directory.glob("*.json"):
            try:
                found.append(State(**json.loads(path.read_text())))
            except (OSError, ValueError, TypeError):
                continue
        return found

    def check(self, state: State) -> None:
        worker = psutil.Process(state.pid)
        children = worker.children(recursive=True)
        for process in [worker, *children]:
            try:
                rss = process.memory_info().rss
            except psutil.Error:
                continue
            peak = high_water_mark(process, rss)
            if process is worker:
                with self.lock:
                    self.peaks[state.label] = max(self.peaks.get(state.label, 0), peak)
            elif peak > self.child_peak[0]:
                self.child_peak = (peak, f"{state.label}: {process.name()}")
            who = self.describe(process, worker, state)
            if rss > self.dump_at and process.pid not in self.dumped:
                self.dumped.add(process.pid)
                self.dump(
                    process,
                    f"{who}: resident memory {gigabytes(rss)} is above "
                    f"{gigabytes(self.dump_at)} ({DUMP_GB})",
                )
            if rss > self.kill_at:
                self.kill(
                    process,
                    worker,
                    state,
                    f"resident memory {gigabytes(rss)} above the ceiling "
                    f"{gigabytes(self.kill_at)} ({KILL_GB})",
                )
                return
        if state.test is None or not state.timeout or self.local:
            return
        spent = time.time() - state.started
        if spent > state.timeout + self.grace and (worker.pid, state.test) not in self.killed:
            why = (
                f"still in the test {spent:.0f} s after it started, beyond its timeout "
                f"{state.timeout:g} s + {self.grace:g} s ({GRACE_S}): stuck where pytest-timeout "
                "cannot interrupt it (one C call that holds the GIL?)"
            )
            self.dump(worker, f"{self.describe(worker, worker, state)}: {why}")
            self.kill(worker, worker, state, why)

    @staticmethod
    def describe(process: psutil.Process, worker: psutil.Process, state: State) -> str:
        if process.pid == worker.pid:
            return f"{state.label} (pid {process.pid}) {state.running()}"
        try:
            command = " ".join(" ".join(process.cmdline()).split())
            command = command if len(command) <= 80 else command[:77] + "..."
        except psutil.Error:
            command = process.name()
        return f"{state.label}'s child pid {process.pid} ({command}), {state.running()}"

    def dump(self, process: psutil.Process, why: str) -> None:
        """Print why, then the process's Python stack as py-spy reads it from outside."""
        tool = py_spy()
        if tool is None:
            self.say(f"{why}\n(py-spy is not installed: no stack)")
            return
        try:
            result = subprocess.run(
                [tool, "dump", "--pid", str(process.pid)],
                capture_output=True,
                text=True,
                timeout=60,
            )
            stack = (result.stdout + result.stderr).rstrip()
        except (OSError, subprocess.TimeoutExpired) as error:
            stack = f"py-spy failed: {error}"
        self.say(f"{why}; its stack (py-spy dump --pid {process.pid}):\n{stack}")

    def kill(self, process: psutil.Process, worker: psutil.Process, state: State, why: str) -> None:
        """Kill the process (a worker with every process it started); say why and note it for
        the summary."""
        if (process.pid, state.test) in self.killed:
            return
        self.killed.add((process.pid, state.test))
        who = self.describe(process, worker, state)
        if self.local and process.pid == worker.pid:
            self.note(f"{who}: {why}; not killed (it is this pytest process)")
            return
        victims = [process]
        if process.pid == worker.pid:
            victims += process.children(recursive=True)
        for victim in victims:
            try:
                victim.send_signal(signal.SIGKILL)
            except psutil.Error:
                pass
        extra = f" and the {len(victims) - 1} processes it started" if len(victims) > 1 else ""
        self.note(f"killed {who}{extra}: {why}")

    def note(self, event: str) -> None:
        self.say(event)
        with self.lock:
            self.events.append(event)
