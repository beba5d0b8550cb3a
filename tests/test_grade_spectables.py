"""grades.csv, feedback.csv and report.html made from the feedback pages' descriptions (spectables, written
by the page helper off the grader's core; issue 15) are byte for byte what tables.grades_csv,
tables.feedback_csv and report.report_page make from the GradingResult: awkward names and ids, hostile answers, every verdict, partial and mistake
credit, missing questions, students without a response, both languages, served Moodle variants."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from fixtures.grading.answers import HERE, correct_text, make_exam, make_key, mistake_text

from quizgen.exam import load_key
from quizgen.grading import write
from quizgen.grading.engine import grade_responses
from quizgen.grading.feedback import PageModel
from quizgen.grading.model import GradingOptions, GradingResult
from quizgen.grading.readers import read_responses, read_responses_text
from quizgen.grading.report import ReportContext, report_page
from quizgen.grading.spectables import SpecTables
from quizgen.grading.tables import feedback_csv, grades_csv, question_ids

AWKWARD = ["Ann, the first", 'Bob "B" Brown', "Cy\nNewline", "=HYPERLINK(1)", "-3", "@sum", "tab\tin", "Zoë 张", "nul\x00l"]
HOSTILE = ["=1+1", "-", "", "part 1: 3; part 1: 4", "<script>", "1e999999", "9" * 400, "18207 apples", "x*y*", "（26，26）", '"q"',
           "a,b\nc", "？", "1/0", "C_out*(K_h*K_w*C_in+1)", "0.5", "-0", "1,234,567"]


def from_specs(result: GradingResult) -> dict[str, str]:
    tables = SpecTables(question_ids(result))
    model = PageModel(result.options.lang)
    for student in result.students:
        tables.add(model.spec(student))
    return tables.texts(ReportContext.of(result))


def assert_same(result: GradingResult) -> None:
    made = from_specs(result)
    assert made["grades.csv"] == grades_csv(result)
    assert made["feedback.csv"] == feedback_csv(result)
    assert made["report.html"] == report_page(result)


def _awkward_exam() -> tuple[object, list[str]]:
    exam = make_exam(count=len(AWKWARD) + 3)
    names = [*AWKWARD, "", "Last Student", "No Questions"]
    variants = [dataclasses.replace(v, student_id=f"{name} id" if i % 2 else v.student_id, student_name=name, code=name[:3])
                for i, (v, name) in enumerate(zip(exam.variants, names, strict=True))]
    variants[1] = dataclasses.replace(variants[1], questions=variants[1].questions[1:])  # a question missing: its cell stays empty
    variants[-1] = dataclasses.replace(variants[-1], questions=())  # nothing to answer at all
    exam = dataclasses.replace(exam, variants=tuple(variants))
    lines = []
    for i, v in enumerate(exam.variants[:-2]):  # the second-to-last student sends nothing
        answers = {}
        for j, q in enumerate(v.questions):
            pick = (i + j) % 4
            answers[q.id] = (mistake_text(q, q.mistakes[0]) if pick == 1 and q.mistakes else HOSTILE[(i * 7 + j) % len(HOSTILE)]
                             if pick == 2 else "" if pick == 3 else correct_text(q))
        lines.append(json.dumps({"student_id": v.student_id, "answers": answers}))
    lines.append(json.dumps({"student_id": exam.variants[-1].student_id, "answers": {}}))
    return exam, lines


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("credit", [0.0, 1 / 3])
def test_awkward_students_and_hostile_answers(lang: str, credit: float) -> None:
    exam, lines = _awkward_exam()
    result = grade_responses(exam, read_responses_text("\n".join(lines), "r.jsonl"), GradingOptions(mistake_credit=credit, lang=lang))
    assert {a.verdict.value for s in result.students for a in s.answers} >= {"correct", "mistake", "wrong", "unparseable", "blank"}
    assert any(not s.submitted for s in result.students)
    assert_same(result)


@pytest.mark.parametrize(("roster", "responses"), [("roster-email.csv", "moodle_responses.csv"),
                                                   ("roster-sis.csv", "canvas_student_analysis_utf16.txt"),
                                                   ("roster-sis.csv", "plain_gb18030.csv"), ("roster-sis.csv", "responses.jsonl")])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_lms_fixtures(tmp_path: Path, roster: str, responses: str, lang: str) -> None:
    exam = load_key(make_key(tmp_path, roster))
    assert_same(grade_responses(exam, read_responses(HERE / responses), GradingOptions(mistake_credit=0.5, lang=lang)))


def test_helper_and_in_process_tables_match_the_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exam, lines = _awkward_exam()
    result = grade_responses(exam, read_responses_text("\n".join(lines), "r.jsonl"), GradingOptions(lang="zh"))
    write.write_outputs(result, tmp_path / "here")
    monkeypatch.setattr(write, "HELPER_MIN_PAGES", 1)
    write.write_outputs(result, tmp_path / "helper")
    for where in ("here", "helper"):
        assert (tmp_path / where / "grades.csv").read_bytes() == grades_csv(result).encode()
        assert (tmp_path / where / "feedback.csv").read_bytes() == feedback_csv(result).encode()
        assert (tmp_path / where / "report.html").read_bytes() == report_page(result).encode()


def test_a_run_that_fails_half_way_writes_no_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(write, "HELPER_MIN_PAGES", 1)
    exam, _ = _awkward_exam()
    with write.PageStream(exam, tmp_path / "feedback", "en", tmp_path) as pages:
        pages.close()  # the grader stopped before finish: the helper got no "finish"
    assert not (tmp_path / "grades.csv").exists()
    assert not (tmp_path / "feedback.csv").exists()
    assert not (tmp_path / "report.html").exists()
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # nor half a feedback.csv
