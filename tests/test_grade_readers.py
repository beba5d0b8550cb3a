"""Reading responses: layouts, encodings, delimiters, malformed rows, and column mapping."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.grading.answers import make_exam

from quizgen.errors import QuizgenError, ResponseError
from quizgen.grading.mapping import parse_map_option, plan_columns
from quizgen.grading.model import ResponseFormat, ResponseTable
from quizgen.grading.readers import detect_format, read_responses, read_responses_text
from quizgen.grading.readers.jsonl import json_answer_text
from quizgen.textfile import decode_bytes

EXAM = make_exam(count=2)
IDS = [q.id for q in EXAM.variants[0].questions]
MOODLE_HEADER = ('Surname,"First name",Institution,Department,"Email address",State,"Started on",Completed,"Time taken",Grade/10.00,'
                 '"Response 1","Response 2"')


def read(text: str, fmt: ResponseFormat = ResponseFormat.AUTO, source: str = "r.csv") -> ResponseTable:
    return read_responses_text(text, source, fmt)


@pytest.mark.parametrize(("text", "fmt"), [
    (MOODLE_HEADER + "\n", ResponseFormat.MOODLE),
    ("name,id,sis_id,section,section_id,section_sis_id,submitted,attempt,5501: How many?,1.0,n correct,n incorrect,score\n",
     ResponseFormat.CANVAS),
    ("student_id,conv-params\nS001,18207\n", ResponseFormat.PLAIN),
    ('{"student_id": "S001"}\n', ResponseFormat.JSONL),
])
def test_detect_format(text: str, fmt: ResponseFormat) -> None:
    assert detect_format(text, "x.csv") is fmt


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters(delimiter: str) -> None:
    table = read(f"student_id{delimiter}size{delimiter}inv\nS001{delimiter}26{delimiter}3\n")
    assert table.columns == ("size", "inv") and table.rows[0].answers == ("26", "3")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030"])
def test_encodings(encoding: str) -> None:
    text, found = decode_bytes("学号,size\n张三,２６\n".encode(encoding), "r.csv")
    table = read(text)
    assert table.rows[0].ids == ("张三",) and table.rows[0].answers == ("２６",)
    assert found == {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "utf-16": "utf-16", "gb18030": "gb18030"}[encoding]


def test_moodle_rows() -> None:
    text = "\ufeff" + MOODLE_HEADER + "\n" + "\n".join([
        'Lovelace,Ada,X,Y,ada@example.edu,Finished,"1 March 2021  9:00 AM","1 March 2021  9:30 AM","30 mins",5.00,18207,-',
        'Lovelace,Ada,X,Y,ada@example.edu,"In progress","1 March 2021  8:00 AM",-,-,-,1,2',
        '"Overall average",,,,,,,,,5.00,,',
    ]) + "\n"
    table = read(text.lstrip("\ufeff"))
    assert table.format is ResponseFormat.MOODLE and table.positions == (0, 1)
    assert len(table.rows) == 2  # the "Overall average" row is Moodle's summary, not a submission
    finished, in_progress = table.rows
    assert finished.ids[0] == "ada@example.edu" and "Ada Lovelace" in finished.ids
    assert finished.answers == ("18207", "-")
    assert finished.order > in_progress.order  # a finished attempt outranks an unfinished one
    assert finished.identity == {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.edu"}


def test_canvas_skips_points_and_trailer_columns() -> None:
    text = ("name,id,sis_id,section,section_id,section_sis_id,submitted,attempt,\"5501: How many, really?\",2.0,"
            "5502: Shape?,1.0,n correct,n incorrect,score\n"
            "Ada,101,A1,S,1,s,2021-03-01 17:44:20 UTC,2,18207,2.0,\"(8, 30, 30)\",1.0,2,0,3.0\n")
    table = read(text)
    assert table.columns == ("5501: How many, really?", "5502: Shape?")
    assert table.column_ids == ("5501", "5502")
    assert table.rows[0].answers == ("18207", "(8, 30, 30)")
    assert table.rows[0].ids == ("A1", "101", "Ada")


def test_plain_first_column_is_the_id_whatever_its_title() -> None:
    table = read("Matrikel,Name,conv-params\n123,Ada,18207\n")
    assert table.rows[0].ids == ("123",) and table.columns == ("conv-params",)
    assert table.rows[0].identity == {"name": "Ada"}


def test_plain_rows_with_missing_or_extra_fields_are_noted() -> None:
    table = read("student_id,a,b\nS1,1\nS2,1,2,3\nS3,1,2,,\n")
    notes = [row.note for row in table.rows]
    assert "missing answers count as blank" in notes[0]
    assert "extra fields not graded: 3" in notes[1]
    assert notes[2] == ""  # trailing empty fields lose nothing


def test_empty_and_broken_files() -> None:
    with pytest.raises(ResponseError, match="empty"):
        read("  \n")
    with pytest.raises(ResponseError, match=r"r\.csv line 3: not readable as CSV: field larger than field limit"):
        read("student_id,a\nS1,1\nS2," + "x" * 200_000 + "\n")


@pytest.mark.parametrize(("value", "text"), [
    (18207, "18207"), (None, ""), ([26, 26, 32], "[26, 26, 32]"), ([None, 26], "[null, 26]"), ("(8, 30, 30)", "(8, 30, 30)"),
    (["(26, 26, 32)", 320], "(26, 26, 32); 320"),
    ({"0.shape": [26], "total_params": 5}, "0.shape: [26]; total_params: 5"),
    ({"rows": [{"output_shape": [26], "params": 1}], "total_params": 1}, "0.shape: [26]; 0.params: 1; total_params: 1"),
])
def test_json_answer_text(value: object, text: str) -> None:
    assert json_answer_text(value) == text


def test_jsonl_lines() -> None:
    table = read('{"student_id": "S1", "answers": {"size": 26}}\n\n[1]\n{"id": 7, "answers": ["a", "b"]}\n', source="r.jsonl")
    assert table.columns == ("size", "#1", "#2") and table.column_ids == ("size", None, None) and table.positions == (0, 0, 1)
    assert [r.row for r in table.rows] == [1, 4] and table.rows[1].ids == ("7",)
    assert [(p.kind.value, p.row) for p in table.malformed] == [("malformed_row", 3)]


# --- mapping --------------------------------------------------------------------------------

def test_map_by_question_id_in_any_order() -> None:
    table = read(f"student_id,{IDS[2]},{IDS[0]}\nS001,a,b\n")
    plan = plan_columns(table, EXAM)
    columns = plan.columns_for(EXAM.variants[0])
    assert columns[0] == (1,) and columns[2] == (0,) and columns[1] == ()
    assert any(p.kind.value == "missing_question" for p in plan.problems)


def test_map_by_order_when_no_header_is_an_id() -> None:
    table = read("student_id,Q1,Q2\nS001,a,b\n")
    assert plan_columns(table, EXAM).columns_for(EXAM.variants[0])[:3] == ((0,), (1,), ())


def test_map_override_by_name_prefix_number_or_ignore() -> None:
    table = read("name,id,sis_id,section,submitted,attempt,5501: A,1.0,5502: B,1.0,n correct\nAda,1,S001,s,x,1,a,0,b,0,1\n")
    plan = plan_columns(table, EXAM, parse_map_option(["5501=" + IDS[3], "5502: B=-"]))
    columns = plan.columns_for(EXAM.variants[0])
    assert columns[3] == (0,) and all(c == () for i, c in enumerate(columns) if i != 3)
    plan = plan_columns(table, EXAM, parse_map_option(["5502: b=1", "5501=-"]))  # a 1-based question number; case ignored
    assert plan.columns_for(EXAM.variants[0])[0] == (1,)


def test_map_option_errors() -> None:
    table = read("student_id,Q1,Q2\nS001,a,b\n")
    with pytest.raises(ResponseError, match="expected COLUMN=QUESTION"):
        parse_map_option(["Q1"])
    with pytest.raises(ResponseError, match="no answer column 'Q9'; the answer columns are 'Q1', 'Q2'"):
        plan_columns(table, EXAM, parse_map_option(["Q9=1"]))
    with pytest.raises(ResponseError, match="both answer question"):
        plan_columns(table, EXAM, parse_map_option(["Q2=1"])).columns_for(EXAM.variants[0])


def test_unmapped_columns_are_reported_not_dropped() -> None:
    table = read(f"student_id,{IDS[0]},comment\nS001,a,b\n")
    plan = plan_columns(table, EXAM)
    assert [p.message for p in plan.problems] == [
        "column 'comment' is not a question id of the key: not graded (map it with --map 'comment=QUESTION')"]
    wide = read("student_id," + ",".join(f"Q{i}" for i in range(len(IDS) + 1)) + "\nS001" + ",x" * (len(IDS) + 1) + "\n")
    plan = plan_columns(wide, EXAM)
    plan.columns_for(EXAM.variants[0])
    assert any("stands for question" in p.message for p in plan.problems)


def test_read_responses_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("学号,size\n1,26\n".encode("gb18030"))
    table = read_responses(path)
    assert table.encoding == "gb18030" and table.source == str(path)
    with pytest.raises(QuizgenError, match="no such file"):
        read_responses(tmp_path / "missing.csv")
