"""Every chapter has a current reference notebook, so nbval re-executes what the book shows."""

import shutil

import chapters
import pytest

SOURCES = chapters.chapter_sources()


def test_the_book_has_chapters():
    assert SOURCES, "no chapter with code cells found through _toc.yml"


@pytest.mark.parametrize("source", SOURCES, ids=[path.stem for path in SOURCES])
def test_reference_notebook_is_current(source):
    problem = chapters.staleness(source)
    assert problem is None, problem


def test_every_reference_notebook_belongs_to_a_chapter():
    orphans = sorted(
        path.name
        for path in chapters.NOTEBOOKS.glob("*.ipynb")
        if path.stem not in {source.stem for source in SOURCES}
    )
    assert not orphans, f"reference notebooks with no chapter in _toc.yml: {orphans}; delete them"


def test_an_edited_chapter_is_reported_stale_by_name(tmp_path, monkeypatch):
    source = SOURCES[0]
    edited = tmp_path / "book" / source.name
    edited.parent.mkdir()
    notebooks = tmp_path / "tests" / "notebooks"
    notebooks.mkdir(parents=True)
    shutil.copy(chapters.reference_path(source), notebooks)
    monkeypatch.setattr(chapters, "ROOT", tmp_path)
    monkeypatch.setattr(chapters, "NOTEBOOKS", notebooks)
    assert chapters.staleness(tmp_path / "book" / "missing.md").endswith("run `make record`")
    shutil.copy(source, edited)
    assert chapters.staleness(edited) is None, "an unedited copy must be current"
    edited.write_text(source.read_text() + "\nOne more sentence.\n")
    problem = chapters.staleness(edited)
    assert problem is not None
    assert f"book/{source.name} is stale" in problem
    assert "make record" in problem


def test_the_book_sources_hold_no_notebooks(root):
    # An .ipynb beside its .md inside book/ breaks the build ("multiple files found").
    assert not list((root / "book").glob("*.ipynb"))


@pytest.mark.parametrize("source", SOURCES, ids=[path.stem for path in SOURCES])
def test_no_recorded_verdict_was_decided_by_a_time_budget(source):
    # A verdict that a time budget cut short could come out differently on a slower or faster
    # machine; every recorded derivation line must have been decided by the mathematics alone.
    from glmnotes.book.audit import read_notebook

    records = read_notebook(chapters.reference_path(source)).derivations
    cut = []
    for label, record in records.items():
        lines = [("start", record.get("start_verdict") or {})]
        lines += [(f"step {s['number']}", s["verdict"]) for s in record["steps"]]
        cut += [f"{label} {where}: {v['clock_cuts']}" for where, v in lines if v.get("clock_cuts")]
    assert not cut, "verdicts that depend on the machine's speed:\n" + "\n".join(cut)
