"""`quizgen grade` end to end on the LMS export fixtures (tests/fixtures/grading/):

- moodle_responses.csv: a Moodle quiz "Responses" report (UTF-8 with BOM, Moodle's quoting,
  "-" for no answer, "part i:" multi-part answers, two attempts of one student, an unknown
  student and the "Overall average" row); matched by email (roster-email.csv).
- canvas_student_analysis_utf16.txt: a Canvas "Student Analysis" re-saved by Excel as Unicode
  text (UTF-16, tab-separated), question columns "<canvas id>: text" mapped by order.
- plain_gb18030.csv: a plain CSV from Chinese Excel (GB18030) with columns headed by question id.
- responses.jsonl: JSON lines with answers by id, as a list, and malformed lines.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures.grading.answers import HERE, make_exam, make_key
from typer.testing import CliRunner

from quizgen.cli import app
from quizgen.exam import load_key, write_key
from quizgen.filenames import safe_names
from quizgen.grading.write import OUTPUT_FILES

MOODLE = HERE / "moodle_responses.csv"
CANVAS = HERE / "canvas_student_analysis_utf16.txt"
PLAIN = HERE / "plain_gb18030.csv"
JSONL = HERE / "responses.jsonl"


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("keys")
    return {"email": make_key(base, "roster-email.csv"), "sis": make_key(base, "roster-sis.csv")}


def grade(key: Path, responses: Path, out: Path, *extra: str) -> str:
    result = CliRunner().invoke(app, ["grade", str(key), str(responses), "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result.output


def page(student_id: str) -> str:
    """A student's feedback page in a class of the two fixture rosters (no two ids clash)."""
    return f"{safe_names([student_id])[0]}.html"


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def feedback(out: Path) -> dict[tuple[str, str], dict[str, str]]:
    return {(r["student_id"], r["question"]): r for r in rows(out / "feedback.csv")}


def snapshot(out: Path) -> dict[str, bytes]:
    """The outputs, without quizgen's own record of them (out/.quizgen: manifest with file times)."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.relative_to(out).parts[0] != ".quizgen"}


# --- Moodle ---------------------------------------------------------------------------------

def test_moodle_report(keys: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    printed = grade(keys["email"], MOODLE, out)
    assert "moodle (utf-8-sig)" in printed and "graded 4 of 5 students" in printed
    grades = {r["student_id"]: r for r in rows(out / "grades.csv")}
    assert list(grades) == ["ada@example.edu", "alan@example.edu", "grace@example.edu", "zhang@example.edu", "edsger@example.edu"]
    assert grades["ada@example.edu"]["score"] == "13" and grades["ada@example.edu"]["percent"] == "100"
    assert grades["zhang@example.edu"]["score"] == "13"  # full-width digits, ×, 个参数, 万, （，）
    assert grades["edsger@example.edu"]["status"] == "no_response"
    assert grades["grace@example.edu"]["row"] == "6"  # the later of her two attempts

    fb = feedback(out)
    assert len(fb) == 5 * 10
    alan = {q: fb[("alan@example.edu", q)] for q in ("conv-params", "conv-shape", "size", "formula", "choice", "total", "summary",
                                                     "dense-flops")}
    assert {q: r["mistake"] for q, r in alan.items()} == {
        "conv-params": "forgot_bias", "conv-shape": "channel_order", "size": "no_plus_one", "formula": "forgot_bias",
        "choice": "forgot_input_channels", "total": "forgot_bias", "summary": "forgot_bias", "dense-flops": "macs_flops_factor"}
    assert all(r["verdict"] == "mistake" for r in alan.values())
    assert alan["conv-params"]["explanation"].startswith("18144 = 63·(3·3·32): you left out the bias")
    assert fb[("grace@example.edu", "conv-params")]["verdict"] == "unparseable"
    assert fb[("grace@example.edu", "conv-shape")]["verdict"] == "blank"  # Moodle's "-"

    problems = rows(out / "problems.csv")
    assert [(p["kind"], p["row"], p["student_id"]) for p in problems] == [
        ("duplicate", "4", "grace@example.edu"), ("unknown_student", "7", "noah@example.edu"), ("no_response", "", "edsger@example.edu")]
    assert "Nobody,Noah" in problems[1]["data"]  # the ungraded row is kept whole
    assert "Overall average" not in (out / "problems.csv").read_text(encoding="utf-8-sig")


def test_moodle_grade_import_file(keys: dict[str, Path], tmp_path: Path) -> None:
    grade(keys["email"], MOODLE, tmp_path, "--item", "Quiz 3")
    text = (tmp_path / "moodle_grades.csv").read_text(encoding="utf-8")
    assert not text.startswith("\ufeff")
    lines = text.splitlines()
    assert lines[0] == "First name,Last name,Email address,ID number,Quiz 3"  # Moodle's fixture layout + the id
    assert lines[1] == "Ada,Lovelace,ada@example.edu,ada@example.edu,13"
    assert len(lines) == 1 + 4  # graded students only: a blank would not mean "not submitted" to Moodle


def test_moodle_grade_import_file_from_a_roster_with_emails_and_family_names_first(tmp_path: Path) -> None:
    """A roster's "Last, First" name is split at its comma, and its email column reaches the gradebook file."""
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name,email\n2026001,张伟,zw@example.edu\n2026002,\"O'Brien, Seán\",ob@example.edu\n"
                      "2026003,Ana María López,al@example.edu\n", encoding="utf-8")
    key = tmp_path / "key.json"
    write_key(make_exam(roster=roster), key)
    assert load_key(key).variants[1].student_email == "ob@example.edu", "key.json keeps the roster's email"
    responses = tmp_path / "responses.csv"
    responses.write_text("student_id,conv-params\n2026001,18207\n2026002,18207\n2026003,1\n", encoding="utf-8")
    grade(key, responses, tmp_path / "graded")
    lines = (tmp_path / "graded" / "moodle_grades.csv").read_text(encoding="utf-8").splitlines()
    assert lines[1:] == ["张伟,,zw@example.edu,2026001,2", "Seán,O'Brien,ob@example.edu,2026002,2", "Ana María,López,al@example.edu,2026003,0"]


def test_canvas_grade_import_file(keys: dict[str, Path], tmp_path: Path) -> None:
    grade(keys["sis"], CANVAS, tmp_path, "--item", "Quiz 3")
    lines = (tmp_path / "canvas_grades.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "Student,ID,SIS User ID,SIS Login ID,Section,Quiz 3"  # the gradebook export layout
    assert lines[1] == "    Points Possible,,,,,13"
    assert lines[2] == "Ada Lovelace,101,20230001,,NN 101 A,13"


# --- Canvas, plain CSV, JSON lines --------------------------------------------------------------

def test_canvas_student_analysis_utf16(keys: dict[str, Path], tmp_path: Path) -> None:
    printed = grade(keys["sis"], CANVAS, tmp_path)
    assert "canvas (utf-16)" in printed
    grades = {r["student_id"]: r for r in rows(tmp_path / "grades.csv")}
    assert grades["20230001"]["score"] == "13"
    assert grades["20230004"]["status"] == "graded"  # no sis_id: matched by the unique name "Zhang San"
    fb = feedback(tmp_path)
    assert fb[("20230002", "dense-flops")]["verdict"] == "correct"  # "2.0M" for 2048000, rounding allowed
    assert fb[("20230002", "conv-params")]["mistake"] == "bias_per_input_channel"
    assert fb[("20230004", "conv-shape")]["verdict"] == "correct"  # 8@30×30
    problems = [(p["kind"], p["row"]) for p in rows(tmp_path / "problems.csv")]
    assert problems == [("duplicate", "4"), ("unknown_student", "7")]


def test_plain_csv_gb18030_by_question_id(keys: dict[str, Path], tmp_path: Path) -> None:
    printed = grade(keys["sis"], PLAIN, tmp_path)
    assert "plain (gb18030)" in printed
    grades = {r["student_id"]: r for r in rows(tmp_path / "grades.csv")}
    assert grades["20230001"]["score"] == "13"
    assert grades["20230003"]["score"] == "0"
    fb = feedback(tmp_path)
    assert fb[("20230002", "conv-params")]["mistake"] == "forgot_bias"  # 63×3×3×32
    assert fb[("20230004", "conv-params")]["verdict"] == "unparseable"  # 一万八
    kinds = [(p["kind"], p["row"]) for p in rows(tmp_path / "problems.csv")]
    assert ("unmapped_column", "") in kinds  # the 备注 (comment) column
    assert ("malformed_row", "5") in kinds  # a short row, graded with its missing answers blank


def test_jsonl(keys: dict[str, Path], tmp_path: Path) -> None:
    grade(keys["sis"], JSONL, tmp_path)
    grades = {r["student_id"]: r for r in rows(tmp_path / "grades.csv")}
    assert grades["20230001"]["score"] == "13"  # numbers, lists and the key's own summary form
    assert grades["20230004"]["row"] == "3"  # the later submission, though it comes first
    fb = feedback(tmp_path)
    assert fb[("20230002", "summary")]["mistake"] == "forgot_bias"  # answers given as a list, in order
    problems = [(p["kind"], p["row"]) for p in rows(tmp_path / "problems.csv")]
    assert problems == [("duplicate", "4"), ("malformed_row", "5"), ("malformed_row", "6"), ("unknown_student", "7"),
                        ("malformed_row", "8"), ("no_response", "")]


# --- outputs --------------------------------------------------------------------------------

def test_every_output_and_a_page_per_student(keys: dict[str, Path], tmp_path: Path) -> None:
    grade(keys["email"], MOODLE, tmp_path)
    for name in OUTPUT_FILES:
        assert (tmp_path / name).is_file(), name
    pages = sorted(p.name for p in (tmp_path / "feedback").iterdir())
    ids = ["ada@example.edu", "alan@example.edu", "grace@example.edu", "zhang@example.edu", "edsger@example.edu"]
    assert pages == sorted(f"{s}.html" for s in safe_names(ids))  # the same names as the worksheets
    alan = (tmp_path / "feedback" / page("alan@example.edu")).read_text(encoding="utf-8")
    assert "forgot_bias" in alan and "you left out the bias terms" in alan and "3.24 / 13" in alan
    report = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert report.count("<svg") >= 3 and "forgot_bias" in report and "unknown_student" in report


def test_rerun_is_byte_identical_and_keeps_pages_it_did_not_write(keys: dict[str, Path], tmp_path: Path) -> None:
    grade(keys["email"], MOODLE, tmp_path)
    first = snapshot(tmp_path)
    (tmp_path / "feedback" / "someone-gone.html").write_text("old", encoding="utf-8")  # not quizgen's: never deleted
    grade(keys["email"], MOODLE, tmp_path)
    assert snapshot(tmp_path) == {**first, "feedback/someone-gone.html": b"old"}


def test_options_lang_credit_and_map(keys: dict[str, Path], tmp_path: Path) -> None:
    grade(keys["email"], MOODLE, tmp_path / "zh", "--lang", "zh", "--mistake-credit", "0.5")
    fb = feedback(tmp_path / "zh")
    assert fb[("alan@example.edu", "conv-params")]["score"] == "1"
    assert "漏掉了偏置项" in fb[("alan@example.edu", "conv-params")]["explanation"]
    assert "答题反馈" in (tmp_path / "zh" / "feedback" / page("alan@example.edu")).read_text(encoding="utf-8")

    grade(keys["email"], MOODLE, tmp_path / "map", "--map", "Response 1=-", "--format", "moodle")
    assert feedback(tmp_path / "map")[("ada@example.edu", "conv-params")]["verdict"] == "blank"
    assert any(p["kind"] == "missing_question" for p in rows(tmp_path / "map" / "problems.csv"))


@pytest.mark.parametrize(("args", "message"), [
    (["--map", "Response 9=total"], "both answer question 'total'"),
    (["--map", "Response 42=total"], "no answer column 'Response 42'"),
    (["--map", "Response 1=nope"], "neither a question id"),
    (["--map", "Response 1"], "expected COLUMN=QUESTION"),
    (["--format", "canvas"], "Canvas Student Analysis report needs question columns"),
])
def test_bad_options_are_one_line_errors(keys: dict[str, Path], tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["grade", str(keys["email"]), str(MOODLE), "--out", str(tmp_path), *args])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_bad_files_are_one_line_errors(keys: dict[str, Path], tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\x00\xfe\x81" * 10)
    for key, responses, message in [(tmp_path / "missing.json", MOODLE, "no such file"), (keys["email"], empty, "empty"),
                                    (keys["email"], tmp_path / "nope.csv", "no such file"), (MOODLE, MOODLE, "invalid JSON")]:
        result = CliRunner().invoke(app, ["grade", str(key), str(responses), "--out", str(tmp_path / "out")])
        assert result.exit_code == 1, (responses, result.output)
        assert message in result.output, result.output
    result = CliRunner().invoke(app, ["grade", str(keys["email"]), str(binary), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    usage = CliRunner().invoke(app, ["grade", str(keys["email"]), str(MOODLE), "--out", str(tmp_path), "--format", "xlsx"])
    assert usage.exit_code == 2


def test_subprocess(keys: dict[str, Path], tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "quizgen", "grade", str(keys["sis"]), str(CANVAS), "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "graded 4 of 4 students" in done.stdout
    assert "2 problems" in done.stderr


def test_helper_process_gives_the_same_bytes(keys: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Large classes render pages in a helper process while grading goes on; small ones here."""
    from quizgen.grading import write

    grade(keys["email"], MOODLE, tmp_path / "here")
    monkeypatch.setattr(write, "HELPER_MIN_PAGES", 1)
    grade(keys["email"], MOODLE, tmp_path / "helper")
    assert snapshot(tmp_path / "helper") == snapshot(tmp_path / "here")


def test_swapped_key_and_responses_are_named_as_such(tmp_path: Path) -> None:
    key = tmp_path / "key.json"
    key.write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(app, ["grade", str(HERE / "plain_gb18030.csv"), str(key), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "the order is `quizgen grade KEY RESPONSES` (swapped?)" in result.output
    assert not (tmp_path / "out").exists()
