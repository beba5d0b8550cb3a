"""Students who give the same answer to equal questions share one grade object, wrong answers too
(issue 15: a class of 10,000 repeats its mistakes; the grade is made once and every output describes it
once), and nothing that differs is ever shared."""

from __future__ import annotations

import copy
import dataclasses

from fixtures.grading.answers import make_exam, mistake_text

from quizgen.exam import Question
from quizgen.grading.model import GradingOptions, Verdict
from quizgen.grading.score import Grader
from quizgen.grading.tables import feedback_csv

EXAM = make_exam(count=2)
Q = {q.id: q for q in EXAM.variants[0].questions}
ANSWERS = {"conv-params": ["63*3*3*32", "12345", "banana", ""], "conv-shape": ["(8, 28, 28)", "(9, 9, 9)", "(8, 30"],
           "formula": ["C_out*K_h*K_w*C_in", "C_in + C_out"], "summary": ["1; 2; 3"]}


def another_students(q: Question) -> Question:
    """The same question as another student's key holds it: equal content, objects of its own."""
    return copy.deepcopy(q)


def test_the_same_wrong_answer_to_equal_questions_is_one_grade() -> None:
    grader = Grader()
    for qid, texts in ANSWERS.items():
        q, twin = Q[qid], another_students(Q[qid])
        for text in texts:
            first = grader.grade(q, text)
            assert first.verdict is not Verdict.CORRECT
            assert grader.grade(twin, text) is first, (qid, text)
            assert first == Grader().grade(q, text)


def test_a_mistake_is_shared_only_with_the_same_wording_points_and_question() -> None:
    q = Q["conv-params"]
    text = mistake_text(q, next(m for m in q.mistakes if not m.cell))
    grader = Grader()
    first = grader.grade(q, text)
    assert first.verdict is Verdict.MISTAKE
    reworded = dataclasses.replace(q, mistakes=tuple(dataclasses.replace(m, explanation={"en": "other words"}) for m in q.mistakes))
    heavier = dataclasses.replace(q, points=q.points + 1)
    renamed = dataclasses.replace(q, id="other-id")
    for other in (reworded, heavier, renamed):
        grade = grader.grade(other, text)
        assert grade is not first
        assert grade == Grader().grade(other, text)
    assert grader.grade(reworded, text).explanation == "other words"
    assert grader.grade(heavier, text).points == q.points + 1


def test_mistake_credit_and_language_are_a_graders_own() -> None:
    q = Q["conv-params"]
    plain, credited, chinese = Grader(), Grader(GradingOptions(mistake_credit=0.5)), Grader(GradingOptions(lang="zh"))
    assert plain.grade(q, "63*3*3*32").score == 0.0
    assert credited.grade(q, "63*3*3*32").score == q.points * 0.5
    assert chinese.grade(q, "12345").explanation != plain.grade(q, "12345").explanation


def test_shared_grades_write_the_same_feedback_csv_as_grades_of_their_own() -> None:
    from quizgen.grading.engine import grade_responses
    from quizgen.grading.readers import read_responses_text

    first = EXAM.variants[0]
    twin = dataclasses.replace(copy.deepcopy(first), student_id="twin")  # another student drew the same variant
    exam = dataclasses.replace(EXAM, variants=(first, twin))
    texts = [(ANSWERS.get(q.id) or ["7"])[-1] for q in first.questions]
    row = ",".join('"' + t + '"' for t in texts)
    table = read_responses_text(f"student_id,{','.join(q.id for q in first.questions)}\n{first.student_id},{row}\ntwin,{row}\n", "r.csv")
    result = grade_responses(exam, table)
    one, other = result.students
    assert any(a.verdict is not Verdict.CORRECT for a in one.answers)
    assert all(a is b for a, b in zip(one.answers, other.answers, strict=True))
    unshared = dataclasses.replace(result, students=(one, dataclasses.replace(other, answers=tuple(copy.copy(a) for a in other.answers))))
    assert not any(a is b for a, b in zip(one.answers, unshared.students[1].answers, strict=True))
    assert feedback_csv(unshared) == feedback_csv(result)
