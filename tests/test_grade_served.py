"""Grading the variant the LMS served: Moodle random questions and Canvas question groups.

The reports are built from quizgen's own Moodle XML and QTI exports of a bank with random
parameters (tests/fixtures/lms/small.yaml, one template repeated twice per student), in the
exact layouts Moodle and Canvas write (tests/fixtures/grading/lms_reports.py). Every student is
served variants generated for *other* students, as a random question / question group does.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from fixtures.grading.answers import correct_text, make_exam, mistake_text
from fixtures.grading.lms_reports import (
    Attempt,
    CanvasRow,
    Served,
    canvas_student_analysis,
    exported_moodle_texts,
    exported_qti_texts,
    moodle_responses_report,
    moodle_summary,
)
from typer.testing import CliRunner

from quizgen.cli import app
from quizgen.errors import ResponseError
from quizgen.exam import Question, QuestionKind, write_key
from quizgen.grading.engine import grade_responses
from quizgen.grading.model import GradingResult, ResponseFormat, Verdict
from quizgen.grading.readers import read_responses_text
from quizgen.lms import LmsFormat, export_exam
from quizgen.lms.content import value_text
from quizgen.lms.groups import Entry, exam_groups, find_reference

BANK = Path(__file__).parent / "fixtures" / "lms" / "small.yaml"
EXAM = make_exam(BANK, count=5)
MOODLE_TEXTS = exported_moodle_texts(EXAM)
QTI_TEXTS = exported_qti_texts(EXAM)
NAMES = [("Lovelace", "Ada"), ("Turing", "Alan"), ("Hopper", "Grace"), ("张", "三"), ("Dijkstra", "Edsger")]
REFERENCE = re.compile(r"\[quizgen [^\]]+\]")


def lms_answer(q: Question) -> str:
    """A right answer as the LMS reports it (a multichoice response is the chosen option's text)."""
    if q.kind is QuestionKind.CHOICE:
        return value_text(q.details["options"][q.answer])
    return correct_text(q)


def served_entries() -> list[list[Entry]]:
    """Per student, per own question: the exported entry the LMS picks -- another student's variant
    whenever the template has one that grades differently."""
    groups = {g.template: g.entries for g in exam_groups(EXAM)}
    plan = []
    for i, variant in enumerate(EXAM.variants):
        taken: set[str] = set()
        picks = []
        for q in variant.questions:
            entries = groups[q.template]
            rotated = entries[i + 1:] + entries[: i + 1]
            others = [e for e in rotated if e.name not in taken and correct_text(e.question) != correct_text(q)]
            pick = (others or [e for e in rotated if e.name not in taken])[0]
            taken.add(pick.name)
            picks.append(pick)
        plan.append(picks)
    return plan


PLAN = served_entries()
MISTAKE_SLOT = (1, 0)  # Alan's first question: answered with a stored mistake of the variant he was served


def answer_for(student: int, slot: int) -> str:
    q = PLAN[student][slot].question
    if (student, slot) == MISTAKE_SLOT:
        return mistake_text(q, q.mistakes[0])
    return lms_answer(q)


def moodle_report(**options: bool) -> str:
    attempts = [Attempt(surname, first, v.student_id, f"{first.lower()}@example.edu",
                        [Served(MOODLE_TEXTS[e.name], answer_for(i, n), correct_text(e.question), e.question)
                         for n, e in enumerate(PLAN[i])])
                for i, ((surname, first), v) in enumerate(zip(NAMES, EXAM.variants, strict=True))]
    return moodle_responses_report(attempts, **options)


def grade(text: str, source: str = "responses.csv") -> GradingResult:
    return grade_responses(EXAM, read_responses_text(text.lstrip("\ufeff"), source, ResponseFormat.AUTO))


def test_the_report_is_meaningful() -> None:
    """Most slots hold a variant whose right answer is not the student's own: grading by the roster fails them."""
    differing = sum(correct_text(e.question) != correct_text(q) for picks, v in zip(PLAN, EXAM.variants, strict=True)
                    for e, q in zip(picks, v.questions, strict=True))
    assert differing >= 20
    assert all(picks[0].question is not v.questions[0] for picks, v in zip(PLAN, EXAM.variants, strict=True))


def test_every_exported_question_names_its_variant() -> None:
    """Moodle XML, GIFT and QTI: each question text carries [quizgen <id> <code>], and it names exactly
    the key's question that was exported (in either language)."""
    by_ref = {(q.id, v.code): q for v in EXAM.variants for q in v.questions}
    entries = {e.name: e for g in exam_groups(EXAM) for e in g.entries}
    for lang in ("en", "zh"):
        for texts in (exported_moodle_texts(EXAM, lang), exported_qti_texts(EXAM, lang)):
            assert set(texts) == set(entries)
            for name, text in texts.items():
                ref = find_reference(moodle_summary(text))
                assert ref is not None, name
                assert by_ref[ref] is entries[name].question, name
    gift = export_exam(EXAM, LmsFormat.GIFT).decode()
    assert len(REFERENCE.findall(gift)) == len(entries)


def test_moodle_random_questions_are_graded_against_the_variant_served() -> None:
    result = grade(moodle_report())
    assert [p.kind.value for p in result.problems] == []
    for i, student in enumerate(result.students):
        assert student.submitted
        for n, answer in enumerate(student.answers):
            served = PLAN[i][n].question
            assert student.variant.questions[n].answer == served.answer  # the page shows what was served
            assert answer.question_id == EXAM.variants[i].questions[n].id  # in the student's own slot
            if (i, n) == MISTAKE_SLOT:
                assert answer.verdict is Verdict.MISTAKE and answer.codes[0] == served.mistakes[0].codes[0], answer
                assert answer.explanation.startswith(str(served.mistakes[0].value)), answer.explanation
            else:
                assert answer.verdict is Verdict.CORRECT, (student.variant.student_id, n, answer)
    alan = result.students[1]
    assert alan.score == alan.points - alan.answers[0].points
    for i, student in enumerate(result.students):  # the variants served, not the roster's (which the student never saw)
        served_codes = list(dict.fromkeys(find_reference(MOODLE_TEXTS[e.name])[1] for e in PLAN[i]))
        assert student.variant.code == ", ".join(served_codes), (student.variant.code, served_codes)
        assert served_codes != [EXAM.variants[i].code]


def test_moodle_report_without_question_text_is_refused() -> None:
    with pytest.raises(ResponseError, match=r"responses\.csv row 1: the Moodle report has no 'Question N' columns, so it does not "
                                            r"say which variant of .* Moodle gave each student .*tick 'Question text'"):
        grade(moodle_report(question_text=False))


def test_a_question_text_without_reference_is_refused_where_variants_differ() -> None:
    stripped = REFERENCE.sub("", moodle_report(), count=1)
    with pytest.raises(ResponseError, match=r"responses\.csv row 2: 'Response 1': the question text carries no \[quizgen "
                                            r".* reference and question 'conv-params-1' has several variants in "):
        grade(stripped)


def test_a_response_without_its_question_column_is_not_dropped() -> None:
    lines = list(csv.reader(io.StringIO(moodle_report().lstrip("\ufeff"))))
    gone = lines[0].index("Question 1")
    edited = io.StringIO()
    csv.writer(edited, lineterminator="\n").writerows([line[:gone] + line[gone + 1:] for line in lines])
    with pytest.raises(ResponseError, match=r"row 2: 'Response 1': the question text carries no \[quizgen"):
        grade(edited.getvalue())


def test_a_reference_from_another_exam_is_refused() -> None:
    other = re.sub(r"(\[quizgen conv-params-\d )[A-Z0-9]+\]", r"\1ZZZZZZ]", moodle_report(), count=1)
    with pytest.raises(ResponseError, match=r"row 2: 'Response 1': \[quizgen conv-params-\d ZZZZZZ\] is no question of this key"):
        grade(other)


def test_canvas_question_groups_are_graded_by_the_item_reported() -> None:
    rows = []
    for i, v in enumerate(EXAM.variants):
        answers = {QTI_TEXTS[e.name]: (answer_for(i, n), 0.0) for n, e in enumerate(PLAN[i])}
        rows.append(CanvasRow(" ".join(reversed(NAMES[i])), str(101 + i), v.student_id, answers))
    points = {QTI_TEXTS[e.name]: e.question.points for picks in PLAN for e in picks}
    text = canvas_student_analysis(rows, points)
    header = next(csv.reader(io.StringIO(text)))
    assert len(header) > 8 + 2 * len(EXAM.variants[0].questions) + 3  # a column per variant served, not per question
    result = grade(text, "student_analysis.csv")
    assert result.table.format is ResponseFormat.CANVAS
    assert [p.kind.value for p in result.problems] == []
    for i, student in enumerate(result.students):
        # Canvas lists a group's questions in no per-student order: a template's served questions fill
        # the student's slots of it in column order, each graded against exactly the question served.
        wrong = [(a.verdict, a.response) for a in student.answers if a.verdict is not Verdict.CORRECT]
        assert wrong == ([(Verdict.MISTAKE, answer_for(*MISTAKE_SLOT))] if i == MISTAKE_SLOT[0] else []), student.variant.student_id
        assert sorted(str(q.answer) for q in student.variant.questions) == sorted(str(e.question.answer) for e in PLAN[i])


def test_cli_grades_the_served_variants_and_refuses_a_report_without_them(tmp_path: Path) -> None:
    key = tmp_path / "key.json"
    write_key(EXAM, key)
    report = tmp_path / "responses.csv"
    report.write_text(moodle_report(), encoding="utf-8")
    run = CliRunner().invoke(app, ["grade", str(key), str(report), "--out", str(tmp_path / "graded")])
    assert run.exit_code == 0, run.output
    grades = {r["student_id"]: r for r in csv.DictReader(io.StringIO((tmp_path / "graded" / "grades.csv").read_text("utf-8-sig")))}
    assert all(grades[v.student_id]["percent"] == "100" for i, v in enumerate(EXAM.variants) if i != MISTAKE_SLOT[0])
    assert "answers graded against the variant the LMS served" in run.output
    ada = EXAM.variants[0]
    page = (tmp_path / "graded" / "feedback" / f"{ada.student_id}.html").read_text(encoding="utf-8")
    assert grades[ada.student_id]["variant"] != ada.code and grades[ada.student_id]["variant"] in page
    bare = tmp_path / "bare.csv"
    bare.write_text(moodle_report(question_text=False), encoding="utf-8")
    run = CliRunner().invoke(app, ["grade", str(key), str(bare), "--out", str(tmp_path / "bare")])
    assert run.exit_code == 1 and "tick 'Question text'" in run.output and "Traceback" not in run.output
