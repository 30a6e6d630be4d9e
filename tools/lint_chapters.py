"""Lint the chapters' code: ruff over the jupytext Python form of every chapter.

The chapters are MyST Markdown notebooks; their code cells are Python that the book runs, so they
are linted like the package. Each chapter's code cells are written to a ``# %%`` script in a
temporary folder (one file per chapter, named after it), and ruff checks it with the project's
rules plus chapter-specific allowances: imports may come after code (a chapter introduces what it
uses where it uses it, E402), and a notebook's last expression is its output (B018).

Usage::

    python tools/lint_chapters.py [NAME ...]   # exit 1 and ruff's report if anything is wrong
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import chapters  # noqa: E402

CHAPTER_ALLOWANCES = ["E402", "B018"]


def write_scripts(sources: list[Path], folder: Path) -> list[Path]:
    """Each chapter's code cells as ``<folder>/<name>.py``, one ``# %% cell N`` block per cell
    (the prose is not code: it is left out)."""
    import jupytext

    scripts = []
    for source in sources:
        notebook = jupytext.read(source)
        blocks = [
            f"# %% cell {index}\n{cell.source}\n"
            for index, cell in enumerate(notebook.cells)
            if cell.cell_type == "code"
        ]
        script = folder / f"{source.stem.replace('-', '_')}.py"
        script.write_text("\n\n".join(blocks))
        scripts.append(script)
    return scripts


def main(argv: list[str]) -> int:
    sources = chapters.chapter_sources()
    if argv:
        sources = [source for source in sources if source.stem in argv]
    with tempfile.TemporaryDirectory(prefix="glmnotes-chapters-") as tmp:
        scripts = write_scripts(sources, Path(tmp))
        command = [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--no-cache",
            "--config",
            str(ROOT / "pyproject.toml"),
            "--extend-ignore",
            ",".join(CHAPTER_ALLOWANCES),
            *map(str, scripts),
        ]
        result = subprocess.run(command, capture_output=True, text=True, cwd=tmp)
    report = result.stdout.replace(tmp + "/", "book/").replace(".py:", ".md (as script):")
    if result.returncode != 0:
        print(report + result.stderr, end="")
        print("chapters: lint failed (lines are those of the script: look for '# %% cell N')")
        return 1
    print(f"chapters: {len(scripts)} chapters' code passes ruff")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
