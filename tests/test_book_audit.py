"""The real book passes its own audit: each display equation is checked or declared."""

import json

from glmnotes.book import audit


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


def test_no_general_words_beside_a_derivation_checked_for_fixed_sizes(root):
    problems = [
        problem
        for chapter in sorted((root / "book").glob("*.md"))
        for problem in audit.overclaims(chapter, root / "tests" / "notebooks")
    ]
    assert not problems, "\n".join(problems)


def test_the_overclaim_check_can_fail(tmp_path, root):
    """A chapter that says "for any number" beside the scores checked for a fixed m is
    flagged; naming the size, or saying the general case is argued, passes."""
    import shutil

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(root / "tests" / "notebooks" / "glm.ipynb", notebooks / "sized.ipynb")
    chapter = tmp_path / "sized.md"

    def write(sentence: str) -> list[str]:
        chapter.write_text(
            f"# A chapter\n\nThe gradient's sum. {sentence}\n\n"
            "```{glue:math} glm-score-families\n:label: eq-x\n```\n\nMore prose.\n"
        )
        return audit.overclaims(chapter, notebooks)

    assert write("It holds for any number of examples.")
    assert write("It always holds.")
    assert not write("It is checked for $m = 3$ examples, and holds for any number of them.")
    assert not write("For any number of examples the argument is the same; it is argued.")
    assert not write("It holds here.")
