"""The real book passes its own audit: each display equation is checked or declared."""

import json

from glmnotes import audit


def test_the_book_has_no_uncovered_display_equation(root, capsys):
    status = audit.main(
        ["--strict", "--book", str(root / "book"), "--notebooks", str(root / "tests" / "notebooks")]
    )
    report = capsys.readouterr().out
    assert status == 0, report


def test_the_book_checks_derivation_steps(root, capsys):
    audit.main(
        ["--json", "--book", str(root / "book"), "--notebooks", str(root / "tests" / "notebooks")]
    )
    report = json.loads(capsys.readouterr().out)
    assert report["ok"]
    assert report["totals"]["steps"] >= report["totals"]["derivations"] > 0
    assert report["totals"]["failed"] == 0
    checking = next(c for c in report["chapters"] if c["file"].endswith("checking.md"))
    assert checking["counts"]["covered"] == checking["counts"]["display"] > 0
