"""Output details: page names, the page-writing helper process, reports, grade formatting."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures.grading.answers import correct_text, make_exam, mistake_text

from quizgen.errors import QuizgenError
from quizgen.exam import Exam
from quizgen.filenames import safe_names
from quizgen.grading import write
from quizgen.grading.engine import grade_responses
from quizgen.grading.feedback import PageModel, feedback_page
from quizgen.grading.model import GradingOptions, GradingResult
from quizgen.grading.readers import read_responses_text
from quizgen.grading.report import report_page
from quizgen.grading.tables import format_points

EXAM = make_exam(count=6)


def page_name(student_id: str) -> str:
    return f"{safe_names([student_id])[0]}.html"


def graded(exam: Exam = EXAM, *, lang: str = "en", skip: int = 0) -> GradingResult:
    """Student i answers right, except every question's first mistake for odd i; the last ``skip`` students do not answer."""
    lines = []
    for i, v in enumerate(exam.variants[: len(exam.variants) - skip]):
        answers = {q.id: mistake_text(q, q.mistakes[0]) if i % 2 and q.mistakes else correct_text(q) for q in v.questions}
        lines.append(json.dumps({"student_id": v.student_id, "answers": answers}))
    table = read_responses_text("\n".join(lines), "r.jsonl")
    return grade_responses(exam, table, GradingOptions(lang=lang))


@pytest.mark.parametrize(("sid", "name"), [("S001", "S001.html"), ("a.b-c_d", "a.b-c_d.html")])
def test_page_names_keep_plain_ids(sid: str, name: str) -> None:
    assert page_name(sid) == name


@pytest.mark.parametrize("sid", ["a/b", "../x", "张三", ".hidden", "a b", "", "ada@example.edu"])
def test_page_names_of_unsafe_ids_are_safe_and_distinct(sid: str) -> None:
    name = page_name(sid)
    assert "/" not in name and not name.startswith(".") and name.isascii() and name.endswith(".html")
    assert name != page_name(sid + "x")


def test_helper_process_writes_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = graded()
    write.write_outputs(result, tmp_path / "here")
    monkeypatch.setattr(write, "HELPER_MIN_PAGES", 1)
    write.write_outputs(result, tmp_path / "helper")
    here = {p.name: p.read_bytes() for p in (tmp_path / "here" / "feedback").iterdir()}
    assert here == {p.name: p.read_bytes() for p in (tmp_path / "helper" / "feedback").iterdir()}
    assert len(here) == len(EXAM.variants)
    for table in write.OUTPUT_FILES:  # grades.csv and feedback.csv are the helper's too
        assert (tmp_path / "here" / table).read_bytes() == (tmp_path / "helper" / table).read_bytes(), table
    write.write_outputs(result, tmp_path / "helper")  # again: nothing changes, nothing left behind
    assert {p.name for p in (tmp_path / "helper" / "feedback").iterdir()} == set(here)


def test_helper_failure_is_a_quizgen_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(write, "HELPER_MIN_PAGES", 1)
    target = tmp_path / "out"
    (target / "feedback" / "S001.html").mkdir(parents=True)  # a directory where a page must go
    with pytest.raises(QuizgenError, match="cannot write the feedback pages"):
        write.write_outputs(graded(), target)


def test_helper_failure_on_a_table_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The helper writes grades.csv, feedback.csv and report.html too: its failure there was called a failure to write the pages."""
    monkeypatch.setattr(write, "HELPER_MIN_PAGES", 1)
    target = tmp_path / "out"
    (target / "report.html").mkdir(parents=True)  # a directory where the report must go
    with pytest.raises(QuizgenError) as raised:
        write.write_outputs(graded(), target)
    assert "cannot write the feedback pages, grades.csv, feedback.csv or report.html:" in str(raised.value)
    assert "report.html" in str(raised.value).split("report.html:", 1)[1]


def test_helper_refuses_paths(tmp_path: Path) -> None:
    result = graded()
    spec = PageModel("en").spec(result.students[0])
    stream = pickle.dumps(("init", "en", "T", None)) + pickle.dumps([("../x.html", spec)])
    done = subprocess.run([sys.executable, "-m", "quizgen.grading.pagewriter", str(tmp_path), "644"], input=stream,
                          capture_output=True, check=False, timeout=60)
    assert done.returncode == 1 and b"not a plain file name" in done.stderr
    assert not (tmp_path.parent / "x.html").exists()


def test_unwritable_output_is_a_quizgen_error(tmp_path: Path) -> None:
    (tmp_path / "grades.csv").mkdir()
    with pytest.raises(QuizgenError, match="cannot write the outputs"):
        write.write_outputs(graded(), tmp_path)


def test_feedback_page_content() -> None:
    result = graded()
    right, wrong = result.students[0], result.students[1]
    page = feedback_page(result, right)
    assert page.startswith("<!doctype html>") and '<html lang="en">' in page
    assert "Worked solution" not in page  # right answers only: no solutions to wade through
    page = feedback_page(result, wrong)
    assert "Worked solution" in page and "known mistake" in page
    q = wrong.variant.questions[0]
    assert q.mistakes[0].explanation["en"].split(":")[0] in page


def test_pages_escape_student_text() -> None:
    table = read_responses_text(json.dumps({"student_id": "S001", "answers": {"size": "<script>alert(1)</script>"}}), "r.jsonl")
    result = grade_responses(EXAM, table, GradingOptions())
    page = feedback_page(result, result.students[0])
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_no_response_page_and_report() -> None:
    result = graded(skip=2)
    missing = result.students[-1]
    assert not missing.submitted
    assert "No response was found" in feedback_page(result, missing)
    report = report_page(result)
    assert "without a response" in report and "no_response" in report


def test_report_counts_an_all_blank_row_as_without_a_response_and_words_small_numbers() -> None:
    """One student sends a row of blanks, one makes a single mistake among 25 students' answers."""
    exam = make_exam(count=25)
    lines = []
    for i, v in enumerate(exam.variants):
        answers = {q.id: correct_text(q) for q in v.questions}
        if i == 0:
            first = next(q for q in v.questions if q.mistakes)
            answers[first.id] = mistake_text(first, first.mistakes[0])
        if i == 1:
            answers = dict.fromkeys(answers, "")
        lines.append(json.dumps({"student_id": v.student_id, "answers": answers}))
    result = grade_responses(exam, read_responses_text("\n".join(lines), "r.jsonl"), GradingOptions())
    assert result.students[1].submitted, "the blank row is a row"
    report = report_page(result)
    assert "<b>24</b>graded" in report and "<b>1</b>without a response" in report
    assert "1 points" not in report and "· 1 point ·" in report
    assert "1 (0%)" not in report and "1 (&lt;1%)" in report


def test_report_in_chinese_with_nobody_graded() -> None:
    table = read_responses_text('{"student_id": "nobody"}', "r.jsonl")
    result = grade_responses(EXAM, table, GradingOptions(lang="zh"))
    assert not any(s.submitted for s in result.students)
    report = report_page(result)
    assert '<html lang="zh">' in report and "成绩报告" in report and "没有诊断出典型错误" in report


def test_report_counts_mistakes_per_question() -> None:
    result = graded()
    report = report_page(result)
    first = EXAM.variants[0].questions[0]
    assert first.mistakes[0].code in report
    assert report.count("<svg") >= 2 + len(EXAM.variants[0].questions)  # histogram, mistakes, one stacked bar per question


@pytest.mark.parametrize(("value", "text"), [(0.0, "0"), (2.0, "2"), (7.5, "7.5"), (1 / 3, "0.33"), (2 / 3, "0.67"), (-0.0, "0")])
def test_format_points(value: float, text: str) -> None:
    assert format_points(value) == text


def test_feedback_csv_round_trips_awkward_responses() -> None:
    texts = ['18,207', 'say "18207"', "18207\nparams", "part 1: 26; part 2: 32", "=1+1", "  spaced  "]
    table = read_responses_text(json.dumps({"student_id": "S001", "answers": dict(zip(("conv-params", "size", "inv", "summary",
                                                                                          "total", "formula"), texts, strict=True))}),
                                "r.jsonl")
    result = grade_responses(EXAM, table, GradingOptions())
    import csv
    import io

    from quizgen.grading.tables import feedback_csv

    records = list(csv.reader(io.StringIO(feedback_csv(result).lstrip("\ufeff"))))
    got = {r[1]: r[2] for r in records[1:] if r[0] == "S001"}
    neutralised = ["'=1+1" if t == "=1+1" else t for t in texts]  # a formula comes back as text (CSV injection)
    assert [got[q] for q in ("conv-params", "size", "inv", "summary", "total", "formula")] == neutralised


def test_unfinished_attempts_are_graded_and_reported() -> None:
    header = ('Surname,"First name",Institution,Department,"Email address",State,"Started on",Completed,"Time taken",Grade/10.00,'
              '"Response 1"')
    text = f'{header}\nOne,S,X,Y,S001,"In progress","1 March 2021  8:00 AM",-,-,-,"part 1: {EXAM.variants[0].questions[0].answer}"\n'
    result = grade_responses(EXAM, read_responses_text(text, "r.csv"), GradingOptions())
    assert result.students[0].answers[0].verdict.value == "correct"  # a one-blank Cloze answer: "part 1: ..."
    assert [(p.kind.value, p.row) for p in result.problems if p.student_id == "S001"] == [("attempt_state", 2)]
