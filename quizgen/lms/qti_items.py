"""QTI 1.2 items the way Canvas classic quizzes write them (see ../shared/lms/canvas/qti12/).

Counts are ``numerical_question`` items: each accepted value is an exact answer written as
Canvas does (``varequal`` or the ``vargte``/``varlte`` pair), the worked solution is the
general feedback. Canvas gives every numerical answer full credit, so a wrong value cannot
be an answer: each expected mistake is a feedback-only condition (plain ``varequal``, no
score, which Canvas' importer skips and other QTI players show), and the incorrect-answer
feedback lists every mistake with its explanation, which Canvas does show. Shapes and model
summaries are ``fill_in_multiple_blanks_question`` items (blanks ``[p1]``, ``[p2]``, … in
the order of ``cells.cloze_parts``), ``choice`` is ``multiple_choice_question`` with
feedback on every option, formulas are ``essay_question`` items graded by quizgen.
"""

from __future__ import annotations

__all__ = ["qti_item"]

import xml.etree.ElementTree as ET
from collections.abc import Callable

from ..exam import Question, QuestionKind
from .cells import Blank, blanks, shape_html, summary_html
from .content import (
    accepted_values,
    escape,
    explanation,
    is_number,
    mistake_list_html,
    number_text,
    question_html,
    solution_html,
    tolerance,
    value_text,
)
from .groups import Entry
from .words import w


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _material(parent: ET.Element, html_text: str, texttype: str = "text/html") -> None:
    _sub(_sub(parent, "material"), "mattext", html_text, texttype=texttype)


def _metadata(item: ET.Element, kind: str, points: float, ref: str) -> None:
    meta = _sub(_sub(item, "itemmetadata"), "qtimetadata")
    for label, entry in (("question_type", kind), ("points_possible", f"{points:g}"), ("original_answer_ids", ""),
                         ("assessment_question_identifierref", ref)):
        field = _sub(meta, "qtimetadatafield")
        _sub(field, "fieldlabel", label)
        _sub(field, "fieldentry", entry)


def _resprocessing(item: ET.Element) -> ET.Element:
    proc = _sub(item, "resprocessing")
    _sub(_sub(proc, "outcomes"), "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
    return proc


def _condition(proc: ET.Element, build: Callable[[ET.Element], None], *, feedback: tuple[str, ...] = (),
               score: str | None = None, action: str = "Set", cont: str | None = "Yes") -> None:
    cond = _sub(proc, "respcondition", **({"continue": cont} if cont else {}))
    build(_sub(cond, "conditionvar"))
    if score is not None:
        _sub(cond, "setvar", score, action=action, varname="SCORE")
    for ref in feedback:
        _sub(cond, "displayfeedback", feedbacktype="Response", linkrefid=ref)


def _other(var: ET.Element) -> None:
    _sub(var, "other")


def _varequal(value: str, respident: str = "response1") -> Callable[[ET.Element], None]:
    def build(var: ET.Element) -> None:
        _sub(var, "varequal", value, respident=respident)

    return build


def _feedback(item: ET.Element, ident: str, html_text: str) -> None:
    if html_text:
        _material(_sub(_sub(item, "itemfeedback", ident=ident), "flow_mat"), html_text)


def _numerical(item: ET.Element, q: Question, values: list[int] | list[float], lang: str) -> None:
    proc = _resprocessing(item)
    _condition(proc, _other, feedback=("general_fb",))
    for value in values:
        tol = tolerance(q, value)

        def exact(var: ET.Element, value: int | float = value, tol: int | float = tol) -> None:
            either = _sub(var, "or")
            _sub(either, "varequal", number_text(value), respident="response1")
            both = _sub(either, "and")
            _sub(both, "vargte", number_text(value - tol), respident="response1")
            _sub(both, "varlte", number_text(value + tol), respident="response1")

        _condition(proc, exact, score="100", feedback=("correct_fb",), cont="No")
    mistakes = []
    seen = set(values)
    for mistake in q.mistakes:
        if is_number(mistake.value) and mistake.value not in seen:
            seen.add(mistake.value)
            mistakes.append(mistake)
            ident = f"m{len(mistakes)}_fb"
            _condition(proc, _varequal(number_text(mistake.value)), feedback=(ident,))
    _condition(proc, _other, feedback=("general_incorrect_fb",))
    _feedback(item, "general_fb", solution_html(q, lang))
    _feedback(item, "correct_fb", f"<p>{escape(w('correct', lang))}</p>")
    _feedback(item, "general_incorrect_fb", mistake_list_html(q, lang, mistakes))
    for i, mistake in enumerate(mistakes, start=1):
        _feedback(item, f"m{i}_fb", f"<p>{escape(explanation(mistake, lang))}</p>")


def _presentation(item: ET.Element, text: str) -> ET.Element:
    presentation = _sub(item, "presentation")
    _material(presentation, text)
    return presentation


def qti_item(entry: Entry, ident: str, ref: str, image_src: str | None, lang: str) -> ET.Element:
    """One ``<item>`` for an exported question."""
    q = entry.question
    item = ET.Element("item", ident=ident, title=entry.name)
    values = accepted_values(q)
    notes = [w("one_value", lang)] if q.kind is QuestionKind.MISSING_HYPERPARAMETER else []
    if q.kind in (QuestionKind.OUTPUT_SHAPE, QuestionKind.SUMMARY):
        parts = blanks(q)
        names = {b.key: f"p{i}" for i, b in enumerate(parts, start=1)}

        def render(blank: Blank) -> str:
            return f"[{names[blank.key]}]"

        answer_html = shape_html(q, render) if q.kind is QuestionKind.OUTPUT_SHAPE else summary_html(q, lang, render)
        _metadata(item, "fill_in_multiple_blanks_question", q.points, ref)
        presentation = _presentation(item, question_html(q, lang, reference=entry.reference, image_src=image_src,
                                                          answer_html=answer_html))
        _blanks(item, presentation, q, parts, names, ident, lang)
    elif q.kind is QuestionKind.CHOICE:
        _metadata(item, "multiple_choice_question", q.points, ref)
        presentation = _presentation(item, question_html(q, lang, reference=entry.reference, image_src=image_src))
        _multiple_choice(item, presentation, q, ident, lang)
    elif values is not None:
        _metadata(item, "numerical_question", q.points, ref)
        presentation = _presentation(item, question_html(q, lang, reference=entry.reference, image_src=image_src, notes=notes))
        fib = _sub(_sub(presentation, "response_str", ident="response1", rcardinality="Single"), "render_fib", fibtype="Decimal")
        _sub(fib, "response_label", ident="answer1")
        _numerical(item, q, values, lang)
    else:  # formula (Canvas cannot check symbolic equivalence) or a non-numeric answer: quizgen grades it
        _metadata(item, "essay_question", q.points, ref)
        presentation = _presentation(item, question_html(q, lang, reference=entry.reference, image_src=image_src))
        _sub(_sub(_sub(presentation, "response_str", ident="response1", rcardinality="Single"), "render_fib"),
             "response_label", ident="answer1", rshuffle="No")
        proc = _resprocessing(item)
        _condition(proc, _other, feedback=("general_fb",))
        _condition(proc, _other, cont="No")
        _feedback(item, "general_fb", solution_html(q, lang) + mistake_list_html(q, lang))
    return item


def _multiple_choice(item: ET.Element, presentation: ET.Element, q: Question, ident: str, lang: str) -> None:
    options = [value_text(v) for v in q.details.get("options", [])]
    labels = [f"{ident}_{i + 1}" for i in range(len(options))]
    choice = _sub(_sub(presentation, "response_lid", ident="response1", rcardinality="Single"), "render_choice")
    for label, text in zip(labels, options, strict=True):
        _material(_sub(choice, "response_label", ident=label), text, "text/plain")
    by_value: dict[str, str] = {}
    for mistake in q.mistakes:
        by_value.setdefault(value_text(mistake.value), explanation(mistake, lang))
    proc = _resprocessing(item)
    _condition(proc, _other, feedback=("general_fb",))
    for label in labels:
        _condition(proc, _varequal(label), feedback=(f"{label}_fb",))
    correct = labels[int(q.answer)]
    _condition(proc, _varequal(correct), score="100",
               feedback=("correct_fb",), cont="No")
    _condition(proc, _other, feedback=("general_incorrect_fb",))
    _feedback(item, "general_fb", solution_html(q, lang))
    _feedback(item, "correct_fb", f"<p>{escape(w('correct', lang))}</p>")
    for label, text in zip(labels, options, strict=True):
        note = w("correct", lang) if label == correct else (by_value.get(text) or w("not_a_known_mistake", lang))
        _feedback(item, f"{label}_fb", f"<p>{escape(note)}</p>")


def _blanks(item: ET.Element, presentation: ET.Element, q: Question, parts: tuple[Blank, ...],
            names: dict[str, str], ident: str, lang: str) -> None:
    for blank in parts:
        lid = _sub(presentation, "response_lid", ident=f"response_{names[blank.key]}")
        _sub(_sub(lid, "material"), "mattext", names[blank.key])
        choice = _sub(lid, "render_choice")
        _material(_sub(choice, "response_label", ident=f"{ident}_{names[blank.key]}"), value_text(blank.answer), "text/plain")
    proc = _resprocessing(item)
    _condition(proc, _other, feedback=("general_fb",))
    share = f"{100 / len(parts):.2f}"
    for blank in parts:
        name = names[blank.key]
        _condition(proc, _varequal(f"{ident}_{name}", f"response_{name}"),
                   score=share, action="Add", cont=None)
    _feedback(item, "general_fb", solution_html(q, lang))
    _feedback(item, "general_incorrect_fb", mistake_list_html(q, lang))
