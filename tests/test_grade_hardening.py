"""Grading hostile or broken responses (issue 14): Moodle part labels that cannot be trusted,
deeply nested JSON answers, student ids unfit for file names, spreadsheet formulas in CSV
cells, files in mixed encodings, and grading into a folder that holds other files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fixtures.grading.answers import HERE, make_key
from typer.testing import CliRunner

from quizgen.cli import app
from quizgen.errors import AnswerParseError
from quizgen.grading.answers import part_label_error, split_parts

MOODLE = HERE / "moodle_responses.csv"


@pytest.fixture(scope="module")
def email_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_key(tmp_path_factory.mktemp("keys"), "roster-email.csv")


def run_grade(key: Path, responses: Path, out: Path, *extra: str) -> str:
    result = CliRunner().invoke(app, ["grade", str(key), str(responses), "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result.output


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


# --- item 3: Moodle part labels ---------------------------------------------------------------

@pytest.mark.parametrize(("text", "problem"), [
    ("part 1: 26; part 2: 288; part 2: 320", "part 2 is given twice"),
    ("part 2: 26; part 1: 32", "part 1 comes after part 2"),
    ("part 0: 26; part 1: 32", "part 0 does not exist"),
    ("part 1: 26 part 2: 32", "a label 'part 2:' inside part 1"),
    ("部分 1: 26; 部分 1: 32", "part 1 is given twice"),
])
def test_untrustworthy_part_labels_are_named(text: str, problem: str) -> None:
    assert part_label_error(text) is not None and problem in str(part_label_error(text))
    with pytest.raises(AnswerParseError, match="part labels"):
        split_parts(text)


def test_moodle_part_labels_in_order_still_read() -> None:
    assert part_label_error("part 1: 26; part 3: 32") is None  # a skipped part stays blank
    assert split_parts("part 1: 26; part 3: 32")[0] == ["26", "", "32"]


def test_repeated_part_label_is_unparseable_and_listed(email_key: Path, tmp_path: Path) -> None:
    text = MOODLE.read_text(encoding="utf-8-sig")
    # Alan's summary: his wrong 288 for part 2, then the right 320 again under the same label.
    assert text.count("part 2: 288; part 3") == 1
    hostile = tmp_path / "moodle.csv"
    hostile.write_text(text.replace("part 2: 288; part 3", "part 2: 288; part 2: 320; part 3"), encoding="utf-8-sig")
    out = tmp_path / "out"
    run_grade(email_key, hostile, out)
    fb = {(r["student_id"], r["question"]): r for r in rows(out / "feedback.csv")}
    alan = fb[("alan@example.edu", "summary")]
    assert alan["verdict"] == "unparseable" and alan["score"] == "0"
    assert "part 2 is given twice" in alan["explanation"]
    problems = [p for p in rows(out / "problems.csv") if p["kind"] == "malformed_answer"]
    assert [(p["row"], p["student_id"]) for p in problems] == [("3", "alan@example.edu")]
    assert "summary" in problems[0]["message"] and "part 2: 320" in problems[0]["data"]
