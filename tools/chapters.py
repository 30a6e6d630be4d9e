"""The chapters as notebooks: list them, record their reference outputs, detect stale records.

``book/<name>.md`` (MyST Markdown, jupytext header) is the single source of each chapter. Its
reference notebook ``tests/notebooks/<name>.ipynb`` holds the outputs of one execution; nbval
re-executes that notebook in the tests and compares every output. The notebook's metadata keeps
the SHA-256 of the source it was recorded from, so an edited chapter that was not re-recorded is
reported as stale, by name, instead of silently testing old code.

Usage::

    python tools/chapters.py record [NAME ...]   # re-execute and store outputs (make record)
    python tools/chapters.py check               # list stale or missing reference notebooks
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
NOTEBOOKS = ROOT / "tests" / "notebooks"
TOC = ROOT / "_toc.yml"


def chapter_sources(toc: Path = TOC) -> list[Path]:
    """The chapter sources named in the table of contents that contain code cells, in book order."""
    import yaml

    entries = yaml.safe_load(toc.read_text())
    files = [entries["root"]]
    stack = list(entries.get("chapters", [])) + [
        chapter for part in entries.get("parts", []) for chapter in part.get("chapters", [])
    ]
    while stack:
        entry = stack.pop(0)
        if "file" in entry:
            files.append(entry["file"])
        stack[0:0] = entry.get("sections", [])
    sources = [toc.parent / f"{name}.md" for name in files]
    return [path for path in sources if "```{code-cell}" in path.read_text()]


def source_hash(source: Path) -> str:
    return hashlib.sha256(source.read_bytes()).hexdigest()


def reference_path(source: Path) -> Path:
    return NOTEBOOKS / f"{source.stem}.ipynb"


def staleness(source: Path) -> str | None:
    """Why the reference notebook of ``source`` cannot be trusted, or None if it is current."""
    import nbformat

    reference = reference_path(source)
    name = source.relative_to(ROOT)
    if not reference.exists():
        return f"{name}: no reference notebook {reference.relative_to(ROOT)}; run `make record`"
    recorded = nbformat.read(reference, as_version=4).metadata.get("glmnotes", {})
    if recorded.get("source_sha256") != source_hash(source):
        return (
            f"{name} is stale: it changed since its outputs were recorded in "
            f"{reference.relative_to(ROOT)}; run `make record` and review the output diff"
        )
    return None


def execute(source: Path):
    """The chapter ``source`` as a notebook, executed top to bottom in a fresh kernel."""
    import jupytext
    from nbclient import NotebookClient

    notebook = jupytext.read(source)
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(source.parent)}},
        record_timing=False,
    )
    client.execute()
    return notebook


def merged_streams(outputs: list) -> list:
    """Consecutive outputs to the same stream joined into one: how the kernel splits printed
    text into messages depends on timing, and the record must not."""
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            output.get("output_type") == "stream"
            and previous is not None
            and previous.get("output_type") == "stream"
            and previous.get("name") == output.get("name")
        ):
            previous["text"] += output["text"]
        else:
            merged.append(output)
    return merged


def record(source: Path) -> Path:
    """Execute ``source`` in a fresh kernel and store it, with its outputs, as its reference."""
    import nbformat

    notebook = execute(source)
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index}"  # jupytext draws random ids: fixed ones keep diffs to outputs
        if cell.cell_type == "code":
            cell.outputs = merged_streams(cell.outputs)
    notebook.metadata["glmnotes"] = {
        "source": str(source.relative_to(ROOT)),
        "source_sha256": source_hash(source),
    }
    notebook.metadata.pop("jupytext", None)
    target = reference_path(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    return target


def main(argv: list[str]) -> int:
    command, *names = argv or ["check"]
    sources = chapter_sources()
    if names:
        sources = [path for path in sources if path.stem in names]
    if command == "record":
        for source in sources:
            print(f"recording {source.relative_to(ROOT)} ...", flush=True)
            print(f"  wrote {record(source).relative_to(ROOT)}")
        return 0
    if command == "check":
        problems = [problem for problem in map(staleness, sources) if problem]
        print("\n".join(problems) or f"all {len(sources)} reference notebooks are current")
        return 1 if problems else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
