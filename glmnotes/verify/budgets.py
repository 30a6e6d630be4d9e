"""Time budgets: a safety net for sympy operations that could run for ever, never a judge.

Each symbolic route, each ``doit()`` and each numeric evaluation runs under a budget (an
interval timer, where the platform has one: the main thread of CPython on Unix). A budget that
stops an operation is a *clock cut*, named in the verdict: a verdict without clock cuts was
decided by the mathematics alone and is the same on any machine. The budgets leave a wide margin
over the slowest operation of the book (``bench/bench_verify.py`` prints it), the tests require
that no recorded verdict has a clock cut, and ``GLMNOTES_TIME_SCALE`` (default 1) multiplies
every budget, so that ``0.25`` behaves like a machine four times slower.

Memory: a signal cannot stop one long C-level operation (exact arithmetic on a huge integer, a
huge allocation), so memory is bounded twice. Exact values whose size is known in advance to be
too large are never computed (:mod:`glmnotes.verify.exact_size`). And every bounded operation,
and each whole check, runs under a ceiling on the process's address space (``RLIMIT_AS``, where
the platform has it: CPython on Linux) of :data:`MEMORY_LIMIT` bytes above what the process
already uses: an allocation past it raises ``MemoryError`` inside the operation, which stops it
and is recorded as a *memory cut* (``Verdict.memory_cuts``), never a dead process.
"""

from __future__ import annotations

import math
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from glmnotes.verify.collectors import Collector
from glmnotes.verify.exact_size import note_memory_cut

try:  # CPython on Unix; not in Pyodide or on Windows
    import resource
except ImportError:  # pragma: no cover - platform dependent
    resource = None

__all__ = [
    "EVALUATION_TIME_LIMIT",
    "MEMORY_LIMIT",
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
# Bytes of address space one check (and each operation in it) may add to the process. The book's
# largest check adds under 100 MB; a machine has gigabytes to spare.
MEMORY_LIMIT = 2 * 1024**3


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


#: After the first alarm, it fires again at this interval until the block ends: an exception
#: raised while a garbage-collector callback runs (hypothesis installs one) is printed and lost,
#: and a single alarm would then leave the operation unbounded.
ALARM_REPEAT = 0.1


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Raise :class:`Timeout` inside the block after ``seconds`` (main thread only), and again
    every :data:`ALARM_REPEAT` seconds until the block ends (a lost one is repeated).

    A timer that was already running is restored afterwards (minus the time spent here).
    """
    active = [True]

    def raise_timeout(signum, frame):
        if active[0]:
            raise Timeout

    previous_handler = signal.signal(signal.SIGALRM, raise_timeout)
    previous_delay, previous_interval = signal.setitimer(
        signal.ITIMER_REAL, max(seconds, 1e-3), ALARM_REPEAT
    )
    started = time.perf_counter()
    try:
        yield
    finally:
        active[0] = False  # an alarm from now on is ignored, even before the timer is cleared
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay > 0:
            remaining = max(previous_delay - (time.perf_counter() - started), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, remaining, previous_interval)


#: Names of the operations of the current check that a budget stopped (see Verdict.clock_cuts).
CLOCK_CUTS: Collector[str] = Collector("clock_cuts")
#: (operation, seconds it took, its budget) of every bounded operation, while collected: how
#: close the slowest one comes to its budget (``bench/bench_verify.py`` prints it).
TIMINGS: Collector[tuple[str, float, float | None]] = Collector("timings")

collect_clock_cuts = CLOCK_CUTS.collect
note_clock_cut = CLOCK_CUTS.note
timings = TIMINGS.collect


def ceiling_available() -> bool:
    """Whether an address-space ceiling can be set (CPython on Linux, in the main thread)."""
    return (
        resource is not None
        and sys.platform.startswith("linux")
        and hasattr(resource, "RLIMIT_AS")
        and threading.current_thread() is threading.main_thread()
    )


def _address_space() -> int | None:
    """The process's current address space in bytes (``VmSize``), or None if unknown."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


@contextmanager
def memory_ceiling(extra: int = MEMORY_LIMIT) -> Iterator[None]:
    """Inside the block, an allocation that would take the process's address space more than
    ``extra`` bytes above its current size raises ``MemoryError``. A tighter ceiling already in
    force is kept; the previous limit is restored afterwards. Does nothing where no ceiling can
    be set."""
    current = _address_space() if ceiling_available() else None
    if current is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = current + extra
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft <= wanted:
        yield  # an outer ceiling is at least as tight
        return
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _timed_call(function: Callable[[], Any], seconds: float | None, what: str) -> Any:
    """``function()`` under the timer (when one is usable) and the memory ceiling, its duration
    noted if collected."""
    started = time.perf_counter()
    try:
        with memory_ceiling():
            if seconds is not None and timer_available():
                with _alarm(seconds):
                    return function()
            return function()
    finally:
        TIMINGS.note((what, time.perf_counter() - started, seconds))


def memory_cut_text(what: str) -> str:
    return f"{what} stopped at the memory ceiling ({MEMORY_LIMIT / 1024**3:.3g} GiB)"


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
    except MemoryError:
        note_memory_cut(memory_cut_text(what))
        return False, None
    except (Exception, RecursionError):
        return False, None


class MemoryCut(Exception):
    """An operation stopped at the memory ceiling (raised by :func:`run_timed`)."""


def run_timed(function: Callable[[], Any], seconds: float | None, what: str) -> tuple[bool, Any]:
    """Like :func:`run_bounded`, but exceptions other than the timeout propagate, and the
    memory ceiling raises :class:`MemoryCut` (the cut noted)."""
    try:
        return True, _timed_call(function, seconds, what)
    except Timeout:
        note_clock_cut(what)
        return False, None
    except MemoryError:
        note_memory_cut(memory_cut_text(what))
        raise MemoryCut(memory_cut_text(what)) from None


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
