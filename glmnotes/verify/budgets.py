"""Time budgets: a safety net for sympy operations that could run for ever, never a judge.

Each symbolic route, each ``doit()`` and each numeric evaluation runs under a budget (an
interval timer, where the platform has one: the main thread of CPython on Unix). A budget that
stops an operation is a *clock cut*, named in the verdict: a verdict without clock cuts was
decided by the mathematics alone and is the same on any machine. The budgets leave a wide margin
over the slowest operation of the book (``bench/bench_verify.py`` prints it), the tests require
that no recorded verdict has a clock cut, and ``GLMNOTES_TIME_SCALE`` (default 1) multiplies
every budget, so that ``0.25`` behaves like a machine four times slower.
"""

from __future__ import annotations

import contextvars
import math
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = [
    "EVALUATION_TIME_LIMIT",
    "ROUTE_TIME_LIMIT",
    "SYMBOLIC_BUDGET",
    "TIME_SCALE_VARIABLE",
    "time_scale",
    "timings",
]

# The book's slowest operations (bench/bench_verify.py): a numeric evaluation of a quadrature
# at a point near the end of its box, about 7 s on a loaded 2-core machine; a route, about 1 s.
ROUTE_TIME_LIMIT = 20.0  # seconds for one symbolic route (and for .doit())
SYMBOLIC_BUDGET = 40.0  # seconds for all symbolic routes of one check
EVALUATION_TIME_LIMIT = 60.0  # seconds for evaluating both sides at one point
TIME_SCALE_VARIABLE = "GLMNOTES_TIME_SCALE"


def time_scale() -> float:
    """The factor applied to every time budget: the environment variable ``GLMNOTES_TIME_SCALE``
    (a positive float, default 1). ``0.25`` behaves like a machine four times slower."""
    text = os.environ.get(TIME_SCALE_VARIABLE, "").strip()
    if not text:
        return 1.0
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(
            f"{TIME_SCALE_VARIABLE}={text!r}: it must be a positive number that multiplies "
            "every time budget of glmnotes.verify (e.g. 0.25 for a machine four times slower); "
            "unset it for the default 1"
        )
    return value


class Timeout(BaseException):
    """Raised by the interval timer; a BaseException so that sympy's ``except Exception`` cannot
    swallow it."""


def timer_available() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _raise_timeout(signum, frame):
    raise Timeout


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Raise :class:`Timeout` inside the block after ``seconds`` (main thread only).

    A timer that was already running is restored afterwards (minus the time spent here).
    """
    previous_handler = signal.signal(signal.SIGALRM, _raise_timeout)
    previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, max(seconds, 1e-3))
    started = time.perf_counter()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay > 0:
            remaining = max(previous_delay - (time.perf_counter() - started), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, remaining, previous_interval)


# Names of the operations of the current check that a budget stopped (see Verdict.clock_cuts).
_CLOCK_CUTS: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "clock_cuts", default=None
)
# (operation, seconds it took, its budget) of every bounded operation, while timings() runs.
_TIMINGS: contextvars.ContextVar[list[tuple[str, float, float | None]] | None] = (
    contextvars.ContextVar("timings", default=None)
)


@contextmanager
def collect_clock_cuts() -> Iterator[list[str]]:
    """Collect the names of the operations a budget stops inside the block."""
    cuts: list[str] = []
    token = _CLOCK_CUTS.set(cuts)
    try:
        yield cuts
    finally:
        _CLOCK_CUTS.reset(token)


def note_clock_cut(what: str) -> None:
    cuts = _CLOCK_CUTS.get()
    if cuts is not None:
        cuts.append(what)


@contextmanager
def timings() -> Iterator[list[tuple[str, float, float | None]]]:
    """Collect ``(operation, seconds, budget)`` for every time-bounded operation in the block:
    how close the slowest one comes to its budget (``bench/bench_verify.py`` prints it)."""
    collected: list[tuple[str, float, float | None]] = []
    token = _TIMINGS.set(collected)
    try:
        yield collected
    finally:
        _TIMINGS.reset(token)


def _timed_call(function: Callable[[], Any], seconds: float | None, what: str) -> Any:
    """``function()`` under the timer (when one is usable), its duration noted if collected."""
    log = _TIMINGS.get()
    started = time.perf_counter()
    try:
        if seconds is not None and timer_available():
            with _alarm(seconds):
                return function()
        return function()
    finally:
        if log is not None:
            log.append((what, time.perf_counter() - started, seconds))


def run_bounded(function: Callable[[], Any], seconds: float | None, what: str) -> tuple[bool, Any]:
    """``(True, function())``, or ``(False, None)`` if it ran out of time (a clock cut of
    ``what``) or raised (sympy raises many kinds; a failed route proves nothing).

    Without a usable timer (not the main thread, or ``seconds is None``) the call is unbounded;
    callers then avoid routes that can take long.
    """
    try:
        return True, _timed_call(function, seconds, what)
    except Timeout:
        note_clock_cut(what)
        return False, None
    except (Exception, RecursionError):
        return False, None


def run_timed(function: Callable[[], Any], seconds: float | None, what: str) -> tuple[bool, Any]:
    """Like :func:`run_bounded`, but exceptions other than the timeout propagate."""
    try:
        return True, _timed_call(function, seconds, what)
    except Timeout:
        note_clock_cut(what)
        return False, None


class Deadline:
    """The symbolic budget of one check: ``remaining(limit)`` is the time a route may take."""

    def __init__(self, seconds: float) -> None:
        self.end = time.perf_counter() + seconds

    def spent(self, what: str) -> bool:
        """True (and a clock cut noted) once the budget is spent."""
        if time.perf_counter() >= self.end:
            note_clock_cut(f"{what} (symbolic budget spent)")
            return True
        return False

    def remaining(self, limit: float) -> float:
        return max(min(limit, self.end - time.perf_counter()), 1e-3)
