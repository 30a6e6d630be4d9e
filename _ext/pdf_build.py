"""Build the whole book as one PDF: `make pdf` (LaTeX through xelatex, into _build/pdf/).

Jupyter Book's ``--builder pdflatex`` keeps its Sphinx environment in ``_build/.doctrees``, the
folder of the HTML build: two builds at once in one checkout would overwrite each other's
environment. This script runs the same Sphinx build (Jupyter Book's own configuration code, the
LaTeX builder, warnings as errors) with a doctree folder of its own, and shares the execution
cache ``_build/.jupyter_cache``, so a chapter that either build has executed is not executed again.
latexmk then runs xelatex quietly (it reruns only when the LaTeX changed), the PDF is copied to
``_build/pdf/glmnotes.pdf`` and, when the site is built, into ``_build/html/`` (see
``_ext/pdf_latex.py`` for how the site links it).

Without TeX it stops at once with one line naming the Debian packages to install. On a LaTeX
error it prints the first errors of the log, not the log.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
LATEX = BUILD / "latex"
DOCTREES = BUILD / ".doctrees-latex"
NAME = "glmnotes"
PDF = BUILD / "pdf" / f"{NAME}.pdf"
SITE = BUILD / "html"

# What the PDF build needs from Debian: the Makefile's TEX_PACKAGES and .ci/run install the same
# list (tests/test_pdf.py checks that the three agree).
DEBIAN_PACKAGES = (
    "texlive-xetex",
    "texlive-latex-recommended",
    "texlive-latex-extra",
    "texlive-fonts-recommended",
    "texlive-plain-generic",
    "latexmk",
    "fonts-freefont-otf",
    "fonts-texgyre-math",
)
COMMANDS = ("xelatex", "latexmk", "kpsewhich")
MATH_FONT = "texgyretermes-math.otf"  # _static/latex/glmnotes.sty
TEXT_FONT = "FreeSerif"  # Sphinx's xelatex default (with FreeSans, FreeMono)

OVERFULL = re.compile(r"^Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\)")
SCALED = re.compile(r"^glmnotes: display on input line (\d+) scaled to\s*(\d+)%")
BROKEN_ROW = re.compile(r"^glmnotes: row on input line (\d+) broken into lines")


def missing_tex() -> list[str]:
    """What of TeX and the book's fonts this machine lacks (empty: all there)."""
    missing = [command for command in COMMANDS if shutil.which(command) is None]
    if not missing:
        found = subprocess.run(["kpsewhich", MATH_FONT], capture_output=True, text=True)
        if not found.stdout.strip():
            missing.append(MATH_FONT)
    if (
        shutil.which("fc-list")
        and not subprocess.run(
            ["fc-list", TEXT_FONT], capture_output=True, text=True
        ).stdout.strip()
    ):
        missing.append(TEXT_FONT)
    return missing


def sphinx_latex(quiet: bool, strict: bool) -> int:
    """The LaTeX sources, with Jupyter Book's configuration of the book."""
    from jupyter_book.cli.main import find_config_path
    from jupyter_book.sphinx import build_sphinx

    config_dir, found = find_config_path(ROOT)
    return build_sphinx(
        ROOT,
        LATEX,
        doctreedir=DOCTREES,
        noconfig=True,
        path_config=str(config_dir / "_config.yml") if found else None,
        confoverrides={
            "external_toc_path": (ROOT / "_toc.yml").as_posix(),
            "latex_individualpages": False,
            "glmnotes_print": True,  # the chapters of the printed book: _ext/pdf_latex.py
        },
        builder="latex",
        warningiserror=strict,
        keep_going=True,
        quiet=quiet,
    )


def run_latexmk() -> int:
    """xelatex through latexmk (Sphinx's latexmkrc), quietly; on failure, the first errors."""
    result = subprocess.run(
        [
            "latexmk",
            "-xelatex",
            "-interaction=nonstopmode",
            "-halt-on-error",
            "-file-line-error",
            "-silent",
            f"{NAME}.tex",
        ],
        cwd=LATEX,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        log = LATEX / f"{NAME}.log"
        lines = log.read_text(errors="replace").splitlines() if log.exists() else []
        errors = [line for line in lines if re.match(r"^(\S+:\d+: |! )", line)]
        print(
            f"LaTeX failed; the first errors (whole log: {log.relative_to(ROOT)}):",
            *(errors[:10] or result.stdout.splitlines()[-20:]),
            sep="\n",
            file=sys.stderr,
        )
    return result.returncode


def layout_report() -> str:
    """The worst overfull line and the displays scaled to the line, from the last TeX log."""
    log = (LATEX / f"{NAME}.log").read_text(errors="replace").splitlines()
    overfull = [float(match[1]) for line in log if (match := OVERFULL.match(line))]
    worst = f"{max(overfull):.1f} pt" if overfull else "none"
    report = [f"overfull lines: {len(overfull)}, worst {worst}"]
    broken = sum(1 for line in log if BROKEN_ROW.match(line))
    report.append(f"long rows of derivations broken into lines: {broken}")
    scaled = [int(match[2]) for line in log if (match := SCALED.match(line))]
    smallest = f" (smallest {min(scaled)}%)" if scaled else ""
    report.append(f"displays scaled down to the line: {len(scaled)}{smallest}")
    return "; ".join(report)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="show Sphinx's progress")
    parser.add_argument(
        "--draft", action="store_true", help="a draft: Sphinx warnings are not errors"
    )
    arguments = parser.parse_args()
    missing = missing_tex()
    if missing:
        print(
            f"make pdf needs LaTeX ({', '.join(missing)} not found): "
            f"apt-get install -y {' '.join(DEBIAN_PACKAGES)}",
            file=sys.stderr,
        )
        return 2
    start = time.perf_counter()
    if sphinx_latex(quiet=not arguments.verbose, strict=not arguments.draft):
        print("Sphinx could not write the LaTeX (its messages are above)", file=sys.stderr)
        return 1
    status = run_latexmk()
    if status:
        return status
    PDF.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(LATEX / f"{NAME}.pdf", PDF)
    if (SITE / "index.html").exists():
        shutil.copyfile(PDF, SITE / PDF.name)
    print(layout_report())
    print(f"The PDF is at {PDF} ({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
