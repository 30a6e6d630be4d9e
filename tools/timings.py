"""How long each phase of `make test` took: the Makefile's recipes note when they start and end.

Usage (the Makefile's; any Python 3 runs it, before .venv exists too)::

    python3 tools/timings.py FILE reset              # a new run: forget the last one
    python3 tools/timings.py FILE start PHASE        # first line of a phase's recipe
    python3 tools/timings.py FILE end PHASE          # its last line
    python3 tools/timings.py FILE report PHASE[=WHY] ...  # the table, in this order

A phase may run more than once (install: the environment, then the PyTorch oracle): its times add
up. A phase that never started is reported as skipped, with WHY (e.g. ``install="up to date"``);
one that started and did not end failed (make stopped there).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def note(path: Path, event: str, phase: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as file:
        file.write(f"{event} {phase} {time.time():.3f}\n")


def duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{seconds:.1f} s"


def report(path: Path, phases: list[str]) -> str:
    began: float | None = None
    spent: dict[str, float] = {}
    open_since: dict[str, float] = {}
    lines = path.read_text().splitlines() if path.exists() else []
    for line in lines:
        event, phase, stamp = line.split()
        moment = float(stamp)
        if event == "reset":
            began = moment
        elif event == "start":
            open_since[phase] = moment
        elif event == "end" and phase in open_since:
            spent[phase] = spent.get(phase, 0.0) + moment - open_since.pop(phase)
    now = time.time()
    rows = []
    for entry in phases:
        phase, _, why = entry.partition("=")
        if phase in open_since:
            rows.append((phase, f"FAILED after {duration(now - open_since[phase])}"))
        elif phase in spent:
            rows.append((phase, duration(spent[phase])))
        else:
            rows.append((phase, f"skipped: {why}" if why else "not run"))
    if began is not None:
        rows.append(("total", duration(now - began)))
    width = max(len(phase) for phase, _ in rows)
    table = "\n".join(f"  {phase:<{width}}  {text}" for phase, text in rows)
    return f"make test phases:\n{table}"


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[1] not in {"reset", "start", "end", "report"}:
        print(__doc__, file=sys.stderr)
        return 2
    path, command, names = Path(argv[0]), argv[1], argv[2:]
    if command == "reset":
        path.unlink(missing_ok=True)
        note(path, "reset", "-")
    elif command in {"start", "end"}:
        note(path, command, names[0])
    else:
        print(report(path, names))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
