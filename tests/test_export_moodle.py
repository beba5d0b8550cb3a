"""Moodle XML export: structure as Moodle's own exports have it, answers, feedback, cloze, files."""

from __future__ import annotations

import base64
import html
import re
from collections import Counter
from typing import Any

import pytest
from test_export_support import moodle_blanks as _blanks
from test_export_support import shared, small_exam

from quizgen.exam import Exam, Question, QuestionKind
from quizgen.lms import LmsFormat, cloze_parts, export_exam
from quizgen.lms.content import explanation

etree = pytest.importorskip("lxml.etree")

NAME = re.compile(r"^(?P<qid>\S+) \[(?P<sid>\S+) (?P<code>\S+)\]$")


_EXPORTS: dict[tuple[int, str], Any] = {}

@pytest.fixture(scope="module")
def exam() -> Exam:
    return small_exam()



def _quiz(exam: Exam, lang: str = "en") -> Any:
    key = (id(exam), lang)
    if key not in _EXPORTS:
        _EXPORTS[key] = etree.fromstring(export_exam(exam, LmsFormat.MOODLE, lang=lang))
    return _EXPORTS[key]


def _questions(root: Any) -> list[tuple[str, Any]]:
    """(category path, question) pairs, categories applying to what follows them as in Moodle's import."""
    out, category = [], ""
    for question in root.iter("question"):
        if question.get("type") == "category":
            category = question.findtext("category/text") or ""
        else:
            out.append((category, question))
    return out


def _source(exam: Exam, name: str) -> Question:
    match = NAME.match(name)
    assert match, name
    variant = next(v for v in exam.variants if v.student_id == match["sid"])
    assert variant.code == match["code"]
    return next(q for q in variant.questions if q.id == match["qid"])


_MOODLE_EXPORTS = ("moodle/moodlexml/Moodle2QTI_DS-20200731_numerical-excerpt.xml", "moodle/moodlexml/amc2moodle_moodle-bank-exemple.xml")

# The child tags of each question type in Moodle's own XML exports (the two files above, from
# ../shared/lms, which cannot be copied here for their licenses): (in every example, in any).
# test_recorded_tags_match_moodles_exports checks this table against the files when present.
_RECORDED_TAGS: dict[str, tuple[set[str], set[str]]] = {
    "numerical": ({"answer", "defaultgrade", "generalfeedback", "hidden", "idnumber", "name", "penalty", "questiontext",
                   "showunits", "unitgradingtype", "unitpenalty", "unitsleft"}, set()),
    "multichoice": ({"answer", "answernumbering", "correctfeedback", "defaultgrade", "generalfeedback", "hidden",
                     "incorrectfeedback", "name", "partiallycorrectfeedback", "penalty", "questiontext", "shownumcorrect",
                     "shuffleanswers", "single"}, {"idnumber", "showstandardinstruction"}),
    "essay": ({"attachments", "attachmentsrequired", "defaultgrade", "generalfeedback", "graderinfo", "hidden", "name",
               "penalty", "questiontext", "responsefieldlines", "responseformat", "responserequired", "responsetemplate"}, set()),
}


def _recorded_tags(kind: str) -> tuple[set[str], set[str]]:
    required, optional = _RECORDED_TAGS[kind]
    # Moodle >= 3.6 writes an idnumber for every question type; the essay example predates that.
    return required, required | optional | {"idnumber"}


@pytest.mark.parametrize("kind", sorted(_RECORDED_TAGS))
def test_recorded_tags_match_moodles_exports(kind: str) -> None:
    files = [shared(path) for path in _MOODLE_EXPORTS]
    sets = [{child.tag for child in q if isinstance(child.tag, str)} for f in files for q in etree.parse(f).getroot().iter("question") if q.get("type") == kind]
    assert sets, kind
    required, optional = _RECORDED_TAGS[kind]
    assert (set.intersection(*sets), set.union(*sets)) == (required, required | optional)


@pytest.mark.parametrize("kind", sorted(_RECORDED_TAGS))
def test_questions_have_the_structure_of_moodles_own_exports(exam: Exam, kind: str) -> None:
    required, known = _recorded_tags(kind)
    ours = [q for _, q in _questions(_quiz(exam)) if q.get("type") == kind]
    assert ours
    for question in ours:
        tags = {child.tag for child in question}
        assert required <= tags, (question.findtext("name/text"), required - tags)
        assert tags <= known, (question.findtext("name/text"), tags - known)
        for answer in question.findall("answer"):
            assert set(answer.attrib) == {"fraction", "format"}
            assert answer.find("text") is not None and answer.find("feedback/text") is not None
            assert (answer.find("tolerance") is not None) == (kind == "numerical")


def test_every_question_is_exported_in_its_templates_category(exam: Exam) -> None:
    pairs = _questions(_quiz(exam))
    seen = set()
    for category, question in pairs:
        source = _source(exam, question.findtext("name/text") or "")
        assert category == f"$course$/quizgen/LMS export test (seed 7)/{source.template}"
        seen.add((source.id, question.findtext("idnumber")))
    # Identical variants are merged, distinct ones all exported: compare with the exam itself.
    distinct = {(q.id, repr((q.prompt, q.answer, q.spec, q.details))) for v in exam.variants for q in v.questions}
    assert len(pairs) == len(distinct)
    idnumbers = Counter(q.findtext("idnumber") for _, q in pairs)
    assert max(idnumbers.values()) == 1
    assert len({category for category, _ in pairs}) == len({q.template for q in exam.variants[0].questions})


def _answers(question: Any) -> list[tuple[str, str, str | None, str]]:
    return [(a.get("fraction") or "", a.findtext("text") or "", a.findtext("tolerance"), a.findtext("feedback/text") or "")
            for a in question.findall("answer")]


def test_counts_list_the_answer_every_mistake_value_and_a_catch_all(exam: Exam) -> None:
    checked = 0
    for _, question in _questions(_quiz(exam)):
        if question.get("type") != "numerical":
            continue
        source = _source(exam, question.findtext("name/text") or "")
        if source.kind is QuestionKind.MISSING_HYPERPARAMETER:
            continue
        answers = _answers(question)
        assert answers[0][:3] == ("100", str(source.answer), "0")
        assert answers[-1][:2] == ("0", "*") and "Worked solution" not in answers[-1][3]
        wrong = {text: feedback for fraction, text, tolerance, feedback in answers[1:-1] if fraction == "0" and tolerance == "0"}
        assert len(wrong) == len(answers) - 2
        for mistake in source.mistakes:
            assert html.unescape(re.sub("<[^>]+>", "", wrong[str(mistake.value)])).startswith(str(mistake.value))
            assert explanation(mistake, "en") in html.unescape(wrong[str(mistake.value)]) or any(
                m.value == mistake.value for m in source.mistakes[: source.mistakes.index(mistake)])
        checked += 1
    assert checked >= 8


def test_several_accepted_values_are_each_worth_full_marks(exam: Exam) -> None:
    question = next(q for _, q in _questions(_quiz(exam)) if (q.findtext("name/text") or "").startswith("inv-pad "))
    full = [text for fraction, text, _, _ in _answers(question) if fraction == "100"]
    assert full == ["3", "4"]
    assert "Enter one value" in (question.findtext("questiontext/text") or "")


def test_choice_is_multichoice_with_feedback_on_every_option(exam: Exam) -> None:
    for _, question in _questions(_quiz(exam)):
        if question.get("type") != "multichoice":
            continue
        source = _source(exam, question.findtext("name/text") or "")
        answers = _answers(question)
        assert [text for _, text, _, _ in answers] == [str(v) for v in source.details["options"]]
        assert [fraction for fraction, *_ in answers].count("100") == 1
        assert answers[source.answer][0] == "100"
        for mistake in source.mistakes:
            feedback = next(fb for _, text, _, fb in answers if text == str(mistake.value))
            assert html.escape(explanation(mistake, "en"), quote=False) in feedback


def test_formula_is_an_essay_with_the_worked_solution_and_a_note(exam: Exam) -> None:
    text = export_exam(exam, LmsFormat.MOODLE, lang="en").decode()
    assert "Moodle cannot check symbolic equivalence" in text
    question = next(q for _, q in _questions(_quiz(exam)) if (q.findtext("name/text") or "").startswith("formula "))
    assert question.get("type") == "essay"
    assert "63·(3·3·32 + 1) = 18207" in (question.findtext("generalfeedback/text") or "")
    assert "C_out·(K_h·K_w·C_in + 1)" in (question.findtext("graderinfo/text") or "")


@pytest.mark.parametrize("template", ["conv-shape", "keras-shape", "summary"])
def test_shapes_and_summaries_are_cloze_with_one_blank_per_cell(exam: Exam, template: str) -> None:
    found = [(q, _source(exam, q.findtext("name/text") or "")) for _, q in _questions(_quiz(exam))
             if (q.findtext("name/text") or "").startswith(template + " ")]
    assert found
    for question, source in found:
        assert question.get("type") == "cloze"
        text = question.findtext("questiontext/text") or ""
        blanks = _blanks(text)
        parts = cloze_parts(source)
        assert len(blanks) == len(parts) == text.count("{1:")
        if source.kind is QuestionKind.OUTPUT_SHAPE:
            assert [alts[0][:2] for _, alts in blanks] == [("100", f"{d}:0") for d in source.answer]
            assert ("(None, {1:" in text) == (source.spec.framework.value == "keras")
        for _, alts in blanks:
            assert alts[-1][:2] == ("0", "*")
            assert all(fraction == "0" for fraction, _, _ in alts[1:])
        # every mistake of the answer's rank puts its wrong value into each blank it gets wrong
        cells = dict(zip(parts, blanks, strict=True))
        for mistake in source.mistakes:
            answer = source.answer if source.kind is QuestionKind.OUTPUT_SHAPE else None
            prefix = "shape."
            if source.kind is QuestionKind.SUMMARY:
                if not mistake.cell.endswith(".shape"):
                    continue
                row = int(mistake.cell.split(".")[0])
                answer, prefix = source.answer["rows"][row]["output_shape"], f"{row}.shape."
            if not isinstance(mistake.value, list) or len(mistake.value) != len(answer):
                continue
            for i, (got, want) in enumerate(zip(mistake.value, answer, strict=True)):
                if got != want:
                    assert any(alt == f"{got}:0" for _, alt, _ in cells[f"{prefix}{i}"][1]), (mistake, i)
        explained = {fb for _, alts in blanks for _, _, fb in alts[1:-1]}
        assert all(any(explanation(m, "en") == fb for m in source.mistakes) for fb in explained)


def test_summary_cloze_diagnoses_every_parameter_mistake_in_its_cell(exam: Exam) -> None:
    question = next(q for _, q in _questions(_quiz(exam)) if (q.findtext("name/text") or "").startswith("summary "))
    source = _source(exam, question.findtext("name/text") or "")
    blanks = dict(zip(cloze_parts(source), _blanks(question.findtext("questiontext/text") or ""), strict=True))
    for mistake in source.mistakes:
        if mistake.cell.endswith(".params") or mistake.cell == "total_params":
            alts = blanks[mistake.cell][1]
            assert any(answer == f"{mistake.value}:0" for _, answer, _ in alts), mistake


def test_layer_diagram_is_embedded_as_a_file(exam: Exam) -> None:
    for _, question in _questions(_quiz(exam)):
        files = question.findall("questiontext/file")
        assert len(files) == 1
        name = files[0].get("name") or ""
        assert files[0].get("encoding") == "base64" and files[0].get("path") == "/"
        assert f'src="@@PLUGINFILE@@/{name}"' in (question.findtext("questiontext/text") or "")
        svg = etree.fromstring(base64.b64decode(files[0].text or ""))
        assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    hidden = next(q for _, q in _questions(_quiz(exam)) if (q.findtext("name/text") or "").startswith("inv "))
    svg_text = base64.b64decode(hidden.find("questiontext/file").text or "").decode()  # type: ignore[union-attr]
    assert "63 × ?" in svg_text  # the diagram's note: 63 filters, kernel size hidden
    assert "kernel_size=?" in (hidden.findtext("questiontext/text") or "")


def test_same_exam_same_bytes(exam: Exam) -> None:
    assert export_exam(exam, LmsFormat.MOODLE) == export_exam(small_exam(), LmsFormat.MOODLE)


def test_chinese_survives() -> None:
    exam_zh = small_exam("zh")
    data = export_exam(exam_zh, LmsFormat.MOODLE)
    root = etree.fromstring(data)
    texts = [q.findtext("questiontext/text") or "" for _, q in _questions(root)]
    assert any("有多少个参数" in t for t in texts)
    assert any("注意集合 {a, b} ~ 以及 x = 1 # y" in html.unescape(t) for t in texts)
    feedback = " ".join(a.findtext("feedback/text") or "" for _, q in _questions(root) for a in q.findall("answer"))
    assert "忘了每个卷积核要覆盖全部" in feedback
    assert data.decode("utf-8").startswith('<?xml version="1.0" encoding="UTF-8"?>')


def test_special_characters_survive_moodles_cloze_decoding(exam: Exam) -> None:
    """Moodle entity-decodes cloze feedback once and ends it at a bare ~ or }: text must still come back whole."""
    from test_export_gift import NASTY, _with_nasty_text

    nasty = _with_nasty_text(exam)
    root = etree.fromstring(export_exam(nasty, LmsFormat.MOODLE))
    checked = 0
    for _, question in _questions(root):
        if question.get("type") != "cloze":
            continue
        source = _source(nasty, question.findtext("name/text") or "")
        blanks = _blanks(question.findtext("questiontext/text") or "")
        assert len(blanks) == len(cloze_parts(source))
        for _, alts in blanks:
            for _, _, feedback in alts[1:-1]:
                assert feedback.endswith(f": {NASTY}"), feedback
                checked += 1
            if source.kind is QuestionKind.OUTPUT_SHAPE:
                assert NASTY in alts[-1][2]  # the catch-all quotes the worked steps
    assert checked > 10
