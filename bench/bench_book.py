"""Build timings (a benchmark, not a test): `make bench-book`.

Prints the clean build time, the no-op rebuild time, the rebuild time after touching one
chapter, the same three for the PDF (`make pdf`, which shares the HTML build's execution cache;
only when TeX is installed), and each chapter's own execution time in a fresh kernel. Builds a
copy of the book in a temporary folder so the working build is left alone.
"""

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "_ext"))
import chapters  # noqa: E402
import pdf_build  # noqa: E402

JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"


def timed_build(book: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [str(JUPYTER_BOOK), "build", str(book), "-W", "--keep-going"],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def timed_pdf(book: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, str(book / "_ext" / "pdf_build.py")], check=True, capture_output=True
    )
    return time.perf_counter() - start


def chapter_execution_time(source: Path) -> float:
    """Wall time of one execution in a fresh kernel (kernel start-up included)."""
    start = time.perf_counter()
    chapters.execute(source)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        book = Path(folder) / "book-copy"
        ignore = shutil.ignore_patterns(".venv", "_build", ".git", "*.egg-info", "__pycache__")
        shutil.copytree(ROOT, book, ignore=ignore)
        clean = timed_build(book)
        noop = timed_build(book)
        touched = chapters.chapter_sources(book / "_toc.yml")[-1]
        touched.write_text(touched.read_text() + "\n<!-- touched by bench_book -->\n")
        one = timed_build(book)
        # The PDF last: once it exists the HTML build links it, which rewrites every page.
        tex = not pdf_build.missing_tex()
        if tex:
            pdf_clean = timed_pdf(book)
            pdf_noop = timed_pdf(book)
            touched.write_text(touched.read_text() + "\n<!-- touched again -->\n")
            pdf_one = timed_pdf(book)
    print(f"clean build:                   {clean:7.1f} s")
    print(f"no-op rebuild:                 {noop:7.1f} s")
    print(f"rebuild after touching {touched.name + ':':<8}{one:7.1f} s")
    if tex:
        print(f"PDF after the clean build:     {pdf_clean:7.1f} s  (chapters already executed)")
        print(f"PDF no-op rebuild:             {pdf_noop:7.1f} s")
        print(f"PDF after touching {touched.name + ':':<12}{pdf_one:7.1f} s")
    else:
        print("PDF: not timed, TeX is not installed (make pdf names the packages)")
    print("chapter execution (fresh kernel each):")
    for source in chapters.chapter_sources():
        print(f"  {source.name:<32}{chapter_execution_time(source):7.1f} s")


if __name__ == "__main__":
    main()
