"""GIFT export, read back by an independent parser (pygiftparser from PyPI)."""

from __future__ import annotations

import dataclasses
import html
import io
import re

import pytest
from test_export_support import gift_parser, small_exam

from quizgen.exam import Exam, Question, QuestionKind
from quizgen.lms import LmsFormat, export_exam
from quizgen.lms.content import explanation, solution_steps
from quizgen.lms.groups import exam_groups

_SPECIAL = re.compile(r"\\([#=~:{}])")

@pytest.fixture(scope="module")
def exam() -> Exam:
    return small_exam()



def _plain(gift_text: str) -> str:
    """GIFT unescaping (as pygiftparser's transformSpecials), then the [html] text's entities."""
    return html.unescape(_SPECIAL.sub(r"\1", gift_text).replace("\\\\", "\\"))


def _parse(data: bytes) -> list:  # type: ignore[type-arg]
    return gift_parser()(io.StringIO(data.decode("utf-8")))


def _by_name(exam: Exam) -> dict[str, Question]:
    return {entry.name: entry.question for group in exam_groups(exam) for entry in group.entries}


def test_every_question_parses_back(exam: Exam) -> None:
    parsed = _parse(export_exam(exam, LmsFormat.GIFT))
    expected = _by_name(exam)
    assert [q.valid for q in parsed] == [True] * len(expected)
    assert [_plain(q.title) for q in parsed] == list(expected)


def test_numerical_answers_and_feedback_are_recovered(exam: Exam) -> None:
    expected = _by_name(exam)
    numerical = 0
    for parsed in _parse(export_exam(exam, LmsFormat.GIFT)):
        source = expected[_plain(parsed.title)]
        if type(parsed.answers).__name__ != "NumericAnswerSet":
            continue
        numerical += 1
        answers = [(a.value, a.tolerance, a.fraction, _plain(a.feedback)) for a in parsed.answers.answers]
        accepted = source.answer if isinstance(source.answer, list) else [source.answer]
        assert [(v, t, f) for v, t, f, _ in answers[: len(accepted)]] == [(float(a), 0.0, 100) for a in accepted]
        wrong = {v: fb for v, _, f, fb in answers[len(accepted):] if f == 0}
        assert len(wrong) == len(answers) - len(accepted)
        for mistake in source.mistakes:
            if isinstance(mistake.value, int):
                assert float(mistake.value) in wrong
        for mistake in {m.value: m for m in reversed(source.mistakes)}.values():  # first mistake per value
            assert wrong[float(mistake.value)] == explanation(mistake, "en")
        assert all(step in _plain(parsed.generalFeedback) for step in solution_steps(source, "en"))
    assert numerical >= 8


def test_text_with_gift_special_characters_survives(exam: Exam) -> None:
    parsed = [q for q in _parse(export_exam(exam, LmsFormat.GIFT)) if _plain(q.title).startswith("tricky ")]
    assert parsed
    for question in parsed:
        assert "Mind the set {a, b} ~ and x = 1 # y: how many parameters does layer 1 have?" in _plain(question.text)
    # worked solutions of the inverse questions quote sets in braces: "kernel_size ∈ {3, 4}"
    inverse = next(q for q in _parse(export_exam(exam, LmsFormat.GIFT)) if _plain(q.title).startswith("inv-pad "))
    assert "kernel_size ∈ {3, 4}" in _plain(inverse.generalFeedback)
    assert [a.value for a in inverse.answers.answers] == [3.0, 4.0]


def test_choice_options_and_their_feedback(exam: Exam) -> None:
    expected = _by_name(exam)
    for parsed in _parse(export_exam(exam, LmsFormat.GIFT)):
        source = expected[_plain(parsed.title)]
        if source.kind is not QuestionKind.CHOICE:
            continue
        options = [(_plain(a.answer), a.fraction, _plain(a.feedback)) for a in parsed.answers.answers]
        assert [text for text, _, _ in options] == [str(v) for v in source.details["options"]]
        assert [fraction for _, fraction, _ in options].index(100) == source.answer
        for mistake in source.mistakes:
            assert any(text == str(mistake.value) and feedback == explanation(mistake, "en") for text, _, feedback in options)


def test_shape_answers_accept_common_notations(exam: Exam) -> None:
    expected = _by_name(exam)
    for parsed in _parse(export_exam(exam, LmsFormat.GIFT)):
        source = expected[_plain(parsed.title)]
        if source.kind is not QuestionKind.OUTPUT_SHAPE:
            continue
        right = {_plain(a.answer) for a in parsed.answers.answers if a.fraction == 100}
        dims = ", ".join(map(str, source.answer))
        assert {dims, f"({dims})", "x".join(map(str, source.answer))} <= right
        assert (f"(None, {dims})" in right) == (source.spec.framework.value == "keras")
        wrong = {_plain(a.answer): _plain(a.feedback) for a in parsed.answers.answers if a.fraction == 0}
        for mistake in source.mistakes:
            assert ", ".join(map(str, mistake.value)) in wrong
            assert ",".join(map(str, mistake.value)) in wrong
        # Typed without spaces, as students often do: quizgen grade reads it right, so Moodle must too.
        packed = ",".join(map(str, source.answer))
        assert {packed, f"({packed})", f"[{packed}]"} <= right
        assert (f"(None,{packed})" in right) == (source.spec.framework.value == "keras")


def test_categories_one_per_template(exam: Exam) -> None:
    text = export_exam(exam, LmsFormat.GIFT).decode()
    categories = re.findall(r"^\$CATEGORY: (.+)$", text, re.M)
    assert categories == [f"$course$/quizgen/LMS export test (seed 7)/{g.template}" for g in exam_groups(exam)]


@pytest.mark.parametrize("kind", [QuestionKind.FORMULA, QuestionKind.SUMMARY])
def test_formula_and_summary_are_essays_with_the_solution(exam: Exam, kind: QuestionKind) -> None:
    expected = _by_name(exam)
    found = [q for q in _parse(export_exam(exam, LmsFormat.GIFT)) if expected[_plain(q.title)].kind is kind]
    assert found
    for parsed in found:
        assert type(parsed.answers).__name__ == "Essay"
        source = expected[_plain(parsed.title)]
        assert all(step in _plain(parsed.generalFeedback) for step in solution_steps(source, "en"))


def test_chinese_survives() -> None:
    data = export_exam(small_exam("zh"), LmsFormat.GIFT)
    parsed = _parse(data)
    assert all(q.valid for q in parsed)
    assert any("注意集合 {a, b} ~ 以及 x = 1 # y" in _plain(q.text) for q in parsed)
    feedback = [_plain(a.feedback) for q in parsed if type(q.answers).__name__ == "NumericAnswerSet" for a in q.answers.answers]
    assert any("忘了每个卷积核要覆盖全部" in f for f in feedback)


def test_same_exam_same_bytes(exam: Exam) -> None:
    assert export_exam(exam, LmsFormat.GIFT) == export_exam(small_exam(), LmsFormat.GIFT)


NASTY = "x {a, b} = ~y #z: w \\ v <b>not bold</b> & 'q' \"r\" 第1层"


def _with_nasty_text(exam: Exam) -> Exam:
    """The exam with every explanation and worked step made of GIFT's (and HTML's) special characters."""
    variants = []
    for variant in exam.variants:
        questions = tuple(dataclasses.replace(
            q, mistakes=tuple(dataclasses.replace(m, explanation={"en": f"{m.value}: {NASTY}"}) for m in q.mistakes),
            solution={"en": (NASTY, *solution_steps(q, "en"))}) for q in variant.questions)
        variants.append(dataclasses.replace(variant, questions=questions))
    return dataclasses.replace(exam, variants=tuple(variants))


def test_special_characters_in_feedback_survive(exam: Exam) -> None:
    nasty = _with_nasty_text(exam)
    expected = _by_name(nasty)
    seen = 0
    for parsed in _parse(export_exam(nasty, LmsFormat.GIFT)):
        assert parsed.valid
        source = expected[_plain(parsed.title)]
        assert NASTY in _plain(parsed.generalFeedback)
        if type(parsed.answers).__name__ == "NumericAnswerSet":
            wrong = [_plain(a.feedback) for a in parsed.answers.answers if a.fraction == 0]
            assert wrong == [f"{v}: {NASTY}" for v in dict.fromkeys(m.value for m in source.mistakes)]
            seen += len(wrong)
    assert seen > 20
