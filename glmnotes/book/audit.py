r"""Audit the book: which display equations are covered by checked derivations.

The book promises that every displayed derivation was checked by machine and that the reader
sees exactly what was checked. A chapter keeps that promise by building a
:class:`glmnotes.verify.Derivation`, gluing it (``glue(name, d, display=False)``) and pasting it
into the prose with a ``{glue:math}`` directive. This module reads the chapters (``book/*.md``,
MyST Markdown, read with MyST's own parser: markdown-it-py and its plugins) and their executed
reference notebooks (``tests/notebooks/<stem>.ipynb``) and classifies every display equation of
the prose (``$$...$$`` blocks, ``{math}`` directives,
``\begin{equation}``/``\begin{align}``/... environments, and ``{glue:math}`` directives; HTML
comments ``<!-- ... -->`` are not rendered and are skipped):

* **covered**: a ``{glue:math}`` directive whose glued output in the notebook carries a
  ``"glmnotes"`` derivation record in its metadata;
* **declared**: a definition or assumption, not a derivation: a display block preceded by a MyST
  comment line ``% glmnotes: definition`` or ``% glmnotes: assumption`` (blank lines may
  separate them), or a ``{math}`` directive (or ``$$ ... $$ (label)``) whose label starts with
  ``def-`` or ``asm-``;
* **uncovered**: every other display equation;
* **bad glue**: a ``{glue:math}`` naming something that is not a checked derivation.

It also counts the derivation steps recorded in each notebook (proved / numeric / errata shown
false / unverified).

Usage::

    python -m glmnotes.book.audit [--book DIR] [--notebooks DIR] [--json] [--strict]

With ``--strict`` the exit status is 1 if any chapter has an uncovered display equation, a bad
glue, or a missing or unreadable reference notebook.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "ChapterAudit",
    "DisplayEquation",
    "NotebookRecords",
    "audit_book",
    "audit_chapter",
    "find_display_equations",
    "format_table",
    "main",
    "read_notebook",
]

#: directives whose content is not MyST prose (code, data, pasted outputs): not scanned.
OPAQUE_DIRECTIVES = {
    "code-cell",
    "code",
    "code-block",
    "sourcecode",
    "literalinclude",
    "include",
    "raw",
    "eval-rst",
    "glue",
    "glue:",
    "glue:any",
    "glue:text",
    "glue:md",
    "glue:figure",
    "toctree",
    "tableofcontents",
    "bibliography",
    "csv-table",
    "mermaid",
    "graphviz",
    "jupyter-execute",
}

STEP_KINDS = ("proved", "by definition", "numeric", "errata", "unverified", "failed")
#: Checked lines that a machine established (a proof, a numeric agreement, an erratum shown
#: false); "by definition" lines had nothing to check, "unverified" ones were not decided.
MACHINE_CHECKED = ("proved", "numeric", "errata")
#: The proved lines split by scope (the two add up to "proved"): proved with no size fixed by the
#: checker, and proved for fixed sizes only (a size the proof needed, ``m = 3`` or matrix
#: ``dims``, or explicit matrices of symbols in the derivation).
PROVED_GENERAL, PROVED_SIZED = "proved, no size fixed", "proved for fixed sizes"

_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,}|:{3,})\s*(?P<info>.*)$")
_DIRECTIVE = re.compile(r"^\{(?P<name>[^}\s]+)\}\s*(?P<argument>.*)$")
_MARKER = re.compile(r"^%\s*glmnotes:\s*(?P<kind>definition|assumption|argued|cited)\s*$")
_SCRIPT_GROUP = re.compile(r"[_^]\{[^{}]*\}")
_DOLLAR_LABEL = re.compile(r"^\s*\((?P<label>[^()\s]+)\)")


@dataclass
class DisplayEquation:
    """One display equation in a chapter's prose.

    ``kind``: ``"dollar"``, ``"math-directive"``, ``"environment"`` or ``"glue-math"``;
    ``status``: ``"covered"``, ``"definition"``, ``"assumption"``, ``"argued"``, ``"cited"``,
    ``"uncovered"`` or ``"bad-glue"``; ``name``: the glued name of a ``{glue:math}``;
    ``reason``: why a glue is bad, or why a declared display is not accepted as declared.
    """

    file: str
    line: int
    kind: str
    text: str
    status: str = "uncovered"
    label: str | None = None
    name: str | None = None
    declared: str | None = None
    reason: str | None = None

    def location(self) -> str:
        """``file:line: <first 60 characters>``."""
        return f"{self.file}:{self.line}: {self.text[:60]}"


@dataclass
class NotebookRecords:
    """What an executed notebook says: glued names (with their derivation record, or None when
    the glued object is not a derivation) and all derivation records by label."""

    glue: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    derivations: dict[str, dict[str, Any]] = field(default_factory=dict)
    argued: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class ChapterAudit:
    """The audit of one chapter."""

    file: str
    notebook: str | None
    notebook_status: str  # "ok", "missing", "unreadable: ...", "not needed (no code cells)"
    equations: list[DisplayEquation]
    steps: dict[str, int]
    derivations: int
    argued: int = 0
    records: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    argued_labels: set[str] = field(default_factory=set, repr=False)

    def count(self, status: str) -> int:
        return sum(1 for e in self.equations if e.status == status)

    def counts(self) -> dict[str, int]:
        """Display equations by status."""
        return {
            "display": len(self.equations),
            "covered": self.count("covered"),
            "declared": self.count("definition") + self.count("assumption"),
            "definitions": self.count("definition"),
            "assumptions": self.count("assumption"),
            "argued_displays": self.count("argued") + self.count("cited"),
            "uncovered": self.count("uncovered"),
            "bad_glue": self.count("bad-glue"),
        }

    def problems(self) -> list[str]:
        """What makes ``--strict`` fail for this chapter."""
        problems = []
        if self.notebook_status == "missing" or self.notebook_status.startswith("unreadable"):
            problems.append(
                f"{self.file}: reference notebook {self.notebook} is {self.notebook_status}"
            )
        for e in self.equations:
            if e.status == "uncovered":
                why = f" ({e.reason})" if e.reason else ""
                problems.append(f"uncovered display equation {e.location()}{why}")
            elif e.status == "bad-glue":
                problems.append(f"{e.file}:{e.line}: glue:math {e.name!r} {e.reason}")
        if self.steps.get("failed"):
            problems.append(f"{self.file}: {self.steps['failed']} derivation steps recorded false")
        return problems

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "notebook": self.notebook,
            "notebook_status": self.notebook_status,
            "counts": self.counts(),
            "steps": self.steps,
            "derivations": self.derivations,
            "argued": self.argued,
            "equations": [asdict(e) for e in self.equations],
            "problems": self.problems(),
        }


# --- reading the prose -----------------------------------------------------------------------


@functools.cache
def _markdown_parser():
    """markdown-it as MyST configures it for the book (``_config.yml``: amsmath, dollarmath,
    colon_fence, deflist, substitution), except that ``$$...$$`` inside a paragraph is read as
    display math (``dmath_double_inline``): MyST typesets it inline, but its author wrote
    display delimiters, and the audit would rather ask about it than miss it."""
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    extensions = {"amsmath", "dollarmath", "colon_fence", "deflist", "substitution"}
    config = MdParserConfig(enable_extensions=extensions, dmath_double_inline=True)
    return create_md_parser(config, RendererHTML)


_COMMENT = re.compile(r"<!--(?:-?>|.*?-->)|<!--.*\Z", re.S)  # <!-->, <!--->, closed or not
_OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):\s*(?P<value>.*)$")


def _short(text: str) -> str:
    return " ".join(text.split())


class _Reader:
    """Collects a chapter's display equations from markdown-it tokens, in order, and gives a
    pending ``% glmnotes: ...`` marker to the display that follows it."""

    def __init__(self, file: str) -> None:
        self.parser = _markdown_parser()
        self.file = file
        self.found: list[DisplayEquation] = []
        self.marker: str | None = None

    def equation(self, line: int, kind: str, text: str, label: str | None = None):
        found = DisplayEquation(file=self.file, line=line, kind=kind, text=text, label=label)
        found.declared, self.marker = self.marker, None
        self.found.append(found)
        return found

    def read(self, text: str, offset: int = 0) -> None:
        """The displays of MyST ``text`` whose first line is line ``offset + 1`` of the file."""
        for token in self.parser.parse(text):
            if token.map is None:
                continue  # closing tokens
            line = offset + token.map[0] + 1
            if token.type == "myst_line_comment":  # consecutive % lines are one token
                for comment in token.content.splitlines():
                    declared = _MARKER.match("%" + comment.strip())
                    self.marker = declared.group("kind") if declared else self.marker
            elif token.type in ("math_block", "math_block_label"):
                self.dollar_block(token.content, line, token.info or None)
            elif token.type == "amsmath":
                self.equation(line, "environment", _short(token.content))
            elif token.type in ("fence", "colon_fence"):
                self.fence(token, line)
            elif token.type == "html_block":  # comments are not shown, the rest is read
                if shown := _COMMENT.sub(" ", token.content).strip():
                    self.inline(self.parser.parseInline(shown)[0], line)
            elif token.type == "inline":
                self.inline(token, line)
            elif not token.type.endswith("_open") or token.type == "heading_open":
                self.marker = None

    def dollar_block(self, content: str, line: int, label: str | None) -> None:
        """A ``$$`` block; ``$$`` inside it close one display and open another (MyST would
        typeset them as one broken display)."""
        for index, part in enumerate(content.split("$$")):
            if index % 2 == 0:
                self.equation(line, "dollar", _short(part), label if index == 0 else None)
            line += part.count("\n")

    def fence(self, token, line: int) -> None:
        """A code block or a directive: math and glue:math are displays, the content of
        prose directives (admonitions, exercises, proofs, ``:::`` fences) is read."""
        directive = _DIRECTIVE.match(token.info.strip())
        name = directive.group("name") if directive else None
        if name == "math":
            options, body = _directive_options(token.content)
            label = options.get("label", options.get("name"))
            self.equation(line, "math-directive", _short(body), label)
        elif name == "glue:math":
            glued = directive.group("argument").strip() or None
            self.equation(line, "glue-math", f"{{glue:math}} {glued or ''}".strip()).name = glued
        else:
            self.marker = None
            if (name is None and token.type == "colon_fence") or (
                name is not None and name not in OPAQUE_DIRECTIVES
            ):
                self.read(token.content, offset=line)

    def inline(self, token, line: int) -> None:
        """The ``$$...$$`` of a paragraph (or of the text of an HTML block), each on its line;
        a pending marker goes to the first if it is on the paragraph's first line."""
        source, cursor, first = token.content, 0, line
        children = token.children or []
        for index, child in enumerate(children):
            if child.type == "code_inline":  # skip its source: it may span lines
                opening = source.find(child.markup, cursor)
                cursor = source.find(child.markup, opening + len(child.markup)) + 1
            elif child.type == "html_inline":
                cursor = source.find(child.content, cursor) + len(child.content)
            elif child.type == "math_inline_double":
                at = source.find(f"$${child.content}$$", cursor)
                cursor = at + len(child.content) + 4
                following = children[index + 1] if index + 1 < len(children) else None
                label = _DOLLAR_LABEL.match(following.content) if following else None
                here = first + source.count("\n", 0, at)
                if here != first:
                    self.marker = None
                self.equation(here, "dollar", _short(child.content), label and label["label"])
        self.marker = None


def _directive_options(content: str) -> tuple[dict[str, str], str]:
    """The ``:key: value`` lines opening a directive's content, and the rest of it."""
    lines = content.splitlines()
    options: dict[str, str] = {}
    while lines and (option := _OPTION.match(lines[0])):
        options[option.group("key")] = option.group("value").strip()
        lines.pop(0)
    return options, "\n".join(lines)


def find_display_equations(text: str, file: str = "<chapter>") -> list[DisplayEquation]:
    r"""Every display equation in the prose of a MyST Markdown chapter, in order, as MyST's
    parser (markdown-it with the book's extensions) reads the chapter.

    A display equation is a ``$$...$$`` block (or ``$$...$$`` inside a paragraph), a
    ``{math}`` directive, an amsmath environment starting a block (``egin{equation}``,
    ``align``, ``gather``, ...), or a ``{glue:math}`` directive. Code cells and other non-prose
    directives (``OPAQUE_DIRECTIVES``) are skipped, and so are HTML comments: MyST does not
    render them (other text of an HTML block is read). The content of admonitions, exercises,
    proofs and similar directives is prose and is read. ``declared`` is set from a
    ``% glmnotes: ...`` comment before the display (blank lines may separate them, nothing
    else) and ``label`` from a ``def-``/``asm-``/other label.
    """
    reader = _Reader(file)
    reader.read(text)
    return reader.found


# --- reading the notebooks -------------------------------------------------------------------


def _is_derivation_record(record: Any) -> bool:
    return (
        isinstance(record, dict)
        and isinstance(record.get("label"), str)
        and isinstance(record.get("steps"), list)
    )


def read_notebook(path: Path) -> NotebookRecords:
    """Glued names and derivation records from an executed notebook's output metadata.

    Raises ``ValueError`` if the file is not a readable notebook.
    """
    import nbformat

    try:
        notebook = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # nbformat raises json, validation and OS errors
        raise ValueError(f"{type(exc).__name__}: {exc}") from None
    records = NotebookRecords()
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            metadata = output.get("metadata", {}) or {}
            record = metadata.get("glmnotes")
            if isinstance(record, dict) and isinstance(record.get("argued"), dict):
                records.argued[str(record["argued"].get("label"))] = record["argued"]
            record = record if _is_derivation_record(record) else None
            name = (metadata.get("scrapbook") or {}).get("name")
            if name is not None:
                records.glue[name] = record
            if record is not None:
                records.derivations[record["label"]] = record
    return records


def step_counts(records: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Checked lines of the given derivation records: proved / by definition / numeric / errata
    shown false / unverified (and ``failed``: a false step that is not an erratum, which should
    not exist)."""
    counts = dict.fromkeys(("steps", *STEP_KINDS, PROVED_GENERAL, PROVED_SIZED), 0)
    for record in records:
        lines = [{"verdict": record["start_verdict"]}] if record.get("start_verdict") else []
        lines += [s for s in record["steps"] if isinstance(s, dict)]
        explicit = _fixed_sizes(record)
        for line in lines:
            verdict = line.get("verdict") or {}
            kind = verdict.get("kind")
            counts["steps"] += 1
            if line.get("erratum") and kind == "failed":
                counts["errata"] += 1
            elif kind in counts:
                counts[kind] += 1
                if kind == "proved":
                    sized = explicit or bool(verdict.get("concrete"))
                    counts[PROVED_SIZED if sized else PROVED_GENERAL] += 1
            else:
                counts["unverified"] += 1
    return counts


def _fixed_sizes(record: dict[str, Any]) -> bool:
    """Whether a derivation is written for fixed sizes as a whole: explicit matrices in its lines
    or definitions (``explicit_matrices`` in its record: a proof of such a line holds for those
    sizes). Matrix ``dims`` alone do not count: a line proved with symbolic shapes holds for
    every size, and one that needed the ``dims`` says so in its verdict (``concrete``)."""
    return bool(record.get("explicit_matrices"))


# --- the audit -------------------------------------------------------------------------------


def _has_code_cells(text: str) -> bool:
    return "```{code-cell}" in text or re.search(r"^`{3,}\{code-cell\}", text, re.M) is not None


def audit_chapter(chapter: Path, notebooks: Path) -> ChapterAudit:
    """Classify the display equations of one chapter using its reference notebook."""
    text = chapter.read_text(encoding="utf-8")
    equations = find_display_equations(text, file=str(chapter))
    notebook_path = notebooks / f"{chapter.stem}.ipynb"
    records = NotebookRecords()
    if not _has_code_cells(text) and not notebook_path.exists():
        status, notebook = "not needed (no code cells)", None
    elif not notebook_path.exists():
        status, notebook = "missing", str(notebook_path)
    else:
        notebook = str(notebook_path)
        try:
            records = read_notebook(notebook_path)
            status = "ok"
        except ValueError as exc:
            status = f"unreadable: {exc}"

    for equation in equations:
        if equation.kind == "glue-math":
            _classify_glue(equation, records, status)
        else:
            _classify_declared(equation)
    return ChapterAudit(
        file=str(chapter),
        notebook=notebook,
        notebook_status=status,
        equations=equations,
        steps=step_counts(records.derivations.values()),
        derivations=len(records.derivations),
        argued=len(records.argued),
        records=dict(records.derivations),
        argued_labels=set(records.argued),
    )


# --- words as strong as the checks -----------------------------------------------------------

#: Words that claim generality in size: "any size", "every number", "all depths", "always".
GENERAL_WORDS = re.compile(
    r"\b(?:any|every|all)\s+(?:sizes?|numbers?|depths?|widths?|shapes?)\b|\balways\b", re.I
)
#: A sentence that says which sizes were checked, or that the general case is argued.
NAMED_SIZES = re.compile(
    r"[A-Za-z]\s*=\s*\d|\d\s*\\times\s*\d|\bnot checked\b|\bargued\b|\bnot a check\b", re.I
)


def _fixed_size_record(record: dict[str, Any]) -> bool:
    """A derivation some line of which holds only for fixed sizes."""
    lines = [record.get("start_verdict") or {}]
    lines += [(s.get("verdict") or {}) for s in record.get("steps", []) if isinstance(s, dict)]
    return _fixed_sizes(record) or any(line.get("concrete") for line in lines)


def _prose_blocks(text: str) -> list[tuple[int, str, str | None]]:
    """The chapter as blocks in order: ``(line, "prose", paragraph)`` for each paragraph of
    prose outside fences, ``(line, "glue", name)`` for each ``{glue:math}``; other fenced
    blocks (code cells, directives) are skipped."""
    blocks: list[tuple[int, str, str | None]] = []
    fence: str | None = None
    paragraph: list[str] = []
    start = 0

    def flush() -> None:
        if paragraph:
            blocks.append((start, "prose", " ".join(paragraph)))
            paragraph.clear()

    for number, line in enumerate(text.splitlines(), start=1):
        match = _FENCE.match(line.strip())
        if fence is not None:
            if match and match.group("fence") == fence and not match.group("info"):
                fence = None
            continue
        if match:
            flush()
            fence = match.group("fence")
            directive = _DIRECTIVE.match(match.group("info"))
            if directive and directive.group("name") == "glue:math":
                blocks.append((number, "glue", directive.group("argument").strip() or None))
            continue
        if not line.strip() or line.startswith(("#", "%", "(")):
            flush()
            continue
        if not paragraph:
            start = number
        paragraph.append(line.strip())
    flush()
    return blocks


def overclaims(chapter: Path, notebooks: Path) -> list[str]:
    """Sentences beside a derivation checked only for fixed sizes that claim generality ("any
    size", "every number", "always") without naming the sizes (``m = 4``, ``3 \\times 2``) or
    saying that the general case is argued or not checked: ``file:line: sentence``.

    "Beside" is the paragraph of prose just before the glued derivation and the one just after
    it."""
    path = notebooks / f"{chapter.stem}.ipynb"
    if not path.exists():
        return []
    records = read_notebook(path)
    blocks = _prose_blocks(chapter.read_text(encoding="utf-8"))
    found: list[str] = []
    for index, (_, kind, name) in enumerate(blocks):
        record = records.glue.get(name) if kind == "glue" else None
        if not record or not _fixed_size_record(record):
            continue
        before = [b for b in blocks[:index] if b[1] == "prose"][-1:]
        after = [b for b in blocks[index + 1 :] if b[1] == "prose"][:1]
        for line, _, paragraph in before + after:
            for sentence in re.split(r"(?<=[.!?])\s+", paragraph or ""):
                if GENERAL_WORDS.search(sentence) and not NAMED_SIZES.search(sentence):
                    problem = f"{chapter}:{line}: {sentence[:120]} (beside {name})"
                    if problem not in found:
                        found.append(problem)
    return found


def relations(text: str) -> int:
    r"""How many relations (``=``, ``\le``, ``<``, ...) a display states: not counting those in
    sub- and superscripts (``\sum_{j=1}``), in brackets (``P(Y = y \mid X = x)``), in the
    conditions of ``cases``, or in a qualifier after ``\quad``/``\qquad`` on a row
    (``\qquad \eta = \theta^\top x``)."""
    previous = None
    while previous != text:
        previous, text = text, _SCRIPT_GROUP.sub("", text)
    text = re.sub(r"\\begin\{cases\}.*?\\end\{cases\}", " cases ", text, flags=re.S)
    rows = re.split(r"\\\\", text)
    text = " ".join(re.split(r"\\q?quad", row)[0] for row in rows)
    previous = None
    while previous != text:  # arguments of functions, P(Y = y | X = x), are not statements
        previous, text = text, re.sub(r"\([^()]*\)|\[[^\[\]]*\]", " ", text)
    text = re.sub(r"\\(?:neq|ne|leq|le|geq|ge|approx|equiv|propto)\b", " = ", text)
    text = re.sub(r"\\[A-Za-z]+", " ", text.replace("&", ""))  # other commands: \left< etc.
    return len(re.findall(r"=|<|>", text))


def chained_relations(text: str) -> int:
    r"""The most relations one statement of a display makes: its rows are separate statements
    (``h &= \sigma(a) \\ \hat y &= \sigma(b)`` makes two, one relation each) unless a row
    continues the one above with an empty left side (``\ell &= a \\ &= b`` is one statement,
    a chain of two relations)."""
    statements: list[str] = []
    text = re.sub(r"\\begin\{cases\}.*?\\end\{cases\}", " cases ", text, flags=re.S)
    for row in re.split(r"\\\\", text):
        if not row.strip():
            continue
        continues = statements and not row.split("&", 1)[0].strip() and "&" in row
        if continues:
            statements[-1] += " " + row.replace("&", "", 1)
        else:
            statements.append(row)
    return max((relations(statement) for statement in statements), default=0)


def _classify_declared(equation: DisplayEquation) -> None:
    """A display with a marker or a ``def-``/``asm-`` label is declared, unless it states more
    than one relation: a chain ``a = b = c`` is a derivation, whatever its label says."""
    declared = equation.declared
    if declared is None and equation.label and equation.label.startswith("def-"):
        declared = "definition"
    if declared is None and equation.label and equation.label.startswith("asm-"):
        declared = "assumption"
    if declared is None:
        equation.status = "uncovered"
        return
    equation.declared = declared
    if declared in ("definition", "assumption") and chained_relations(equation.text) > 1:
        equation.status = "uncovered"
        equation.reason = (
            f"declared a {declared} but states {chained_relations(equation.text)} relations: a "
            "chain of steps is a derivation and must be glued and checked"
        )
        return
    equation.status = declared


def _classify_glue(equation: DisplayEquation, records: NotebookRecords, status: str) -> None:
    equation.status = "bad-glue"
    if equation.name is None:
        equation.reason = "names nothing (the directive needs the glued name as argument)"
    elif status != "ok":
        equation.reason = f"cannot be confirmed: the reference notebook is {status}"
    elif equation.name not in records.glue:
        equation.reason = "is not glued in the reference notebook"
    elif records.glue[equation.name] is None:
        equation.reason = "is glued but is not a checked Derivation (no glmnotes record)"
    else:
        equation.status = "covered"


def audit_book(book: Path, notebooks: Path) -> list[ChapterAudit]:
    """Audit every ``*.md`` chapter of ``book`` (sorted by name)."""
    return [audit_chapter(chapter, notebooks) for chapter in sorted(book.glob("*.md"))]


def totals(audits: list[ChapterAudit]) -> dict[str, int]:
    """Display equations summed over the chapters; derivations and argued claims counted once
    each, by label, even when two chapters show the same one (an erratum in its chapter and in
    the errata appendix)."""
    total: dict[str, int] = {}
    for audit in audits:
        for key, value in audit.counts().items():
            total[key] = total.get(key, 0) + value
    unique = {label: record for audit in audits for label, record in audit.records.items()}
    total.update(step_counts(unique.values()))
    total["derivations"] = len(unique)
    total["argued"] = len(set().union(*(audit.argued_labels for audit in audits)))
    return total


def machine_checked_share(total: dict[str, int]) -> tuple[int, int]:
    """``(machine-checked, claims)``: checked lines a machine established (proved, numeric,
    errata shown false) out of every claim — all checked lines, those argued in prose or
    cited, and the displays declared argued or cited."""
    checked = sum(total.get(kind, 0) for kind in MACHINE_CHECKED)
    claims = total.get("steps", 0) + total.get("argued", 0) + total.get("argued_displays", 0)
    return checked, claims


# --- output ----------------------------------------------------------------------------------

_COLUMNS = (
    ("chapter", None),
    ("display", "display"),
    ("covered", "covered"),
    ("declared", "declared"),
    ("uncovered", "uncovered"),
    ("bad glue", "bad_glue"),
    ("proved", PROVED_GENERAL),
    ("for sizes", PROVED_SIZED),
    ("by definition", "by definition"),
    ("numeric", "numeric"),
    ("errata", "errata"),
    ("unverified", "unverified"),
    ("argued", "argued"),
    ("notebook", None),
)


def format_table(audits: list[ChapterAudit]) -> str:
    """A readable table (one row per chapter, then totals), followed by the uncovered display
    equations and the other problems, one per line."""
    rows = []
    for audit in audits:
        values = {**audit.counts(), **audit.steps, "argued": audit.argued}
        rows.append(
            [Path(audit.file).name]
            + [str(values[key]) for _, key in _COLUMNS[1:-1]]
            + [audit.notebook_status]
        )
    total = totals(audits)
    rows.append(["total"] + [str(total.get(key, 0)) for _, key in _COLUMNS[1:-1]] + [""])
    header = [title for title, _ in _COLUMNS]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def render(row: list[str]) -> str:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:-1], widths[1:-1], strict=True)]
        cells.append(row[-1])
        return "  ".join(cells).rstrip()

    lines = [render(header), "  ".join("-" * w for w in widths)]
    lines += [render(row) for row in rows[:-1]]
    lines += ["  ".join("-" * w for w in widths), render(rows[-1])]
    uncovered = [e for a in audits for e in a.equations if e.status == "uncovered"]
    if uncovered:
        lines += ["", f"Uncovered display equations ({len(uncovered)}):"]
        lines += [f"  {e.location()}" for e in uncovered]
    others = [p for a in audits for p in a.problems() if not p.startswith("uncovered")]
    if others:
        lines += ["", f"Other problems ({len(others)}):"]
        lines += [f"  {p}" for p in others]
    if not uncovered and not others:
        lines += ["", "Every display equation is covered by a checked derivation or declared."]
    checked, claims = machine_checked_share(total)
    if claims:
        lines += [f"Machine-checked: {checked} of {claims} claims ({100 * checked / claims:.0f}%)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: print the audit; exit 1 with ``--strict`` if there are problems."""
    parser = argparse.ArgumentParser(
        prog="python -m glmnotes.book.audit",
        description="Which display equations of the book are covered by checked derivations.",
    )
    parser.add_argument("--book", default="book", help="directory of the chapters (*.md)")
    parser.add_argument(
        "--notebooks", default="tests/notebooks", help="directory of the reference notebooks"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 on an uncovered display equation, a bad glue:math, or a missing notebook",
    )
    arguments = parser.parse_args(argv)
    book, notebooks = Path(arguments.book), Path(arguments.notebooks)
    if not book.is_dir():
        print(f"error: book directory {book} does not exist (use --book DIR)", file=sys.stderr)
        return 2
    audits = audit_book(book, notebooks)
    problems = [p for audit in audits for p in audit.problems()]
    if arguments.json:
        report = {
            "book": str(book),
            "notebooks": str(notebooks),
            "ok": not problems,
            "totals": totals(audits),
            "chapters": [audit.to_json() for audit in audits],
        }
        print(json.dumps(report, indent=2))
    else:
        print(format_table(audits))
    return 1 if arguments.strict and problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
