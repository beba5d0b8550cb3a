"""Moodle XML: a question bank with one category per template, feedback on every expected mistake.

Question types, following what Moodle's own exports contain (see ../shared/lms/moodle/):
counts and accepted values are ``numerical`` (each right value at fraction 100 with tolerance
0, each stored mistake value at fraction 0 with its explanation, then ``*`` with the worked
solution); shapes and model summaries are ``cloze`` with one NUMERICAL blank per dimension
or cell; ``choice`` is ``multichoice`` with feedback on every option; ``formula`` is an
``essay``, because Moodle cannot check symbolic equivalence (quizgen grade does, from the
exported responses). The layer diagram travels inside the question as an embedded file.
"""

from __future__ import annotations

__all__ = ["moodle_xml"]

import base64
import html
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from typing import Any

from .. import __version__
from ..exam import Exam, QuestionKind
from .cells import Blank, shape_html, summary_html, unsplit_mistakes
from .content import (
    accepted_values,
    diagram_file,
    escape,
    explanation,
    is_number,
    mistake_list_html,
    mistake_tolerance,
    number_text,
    question_html,
    solution_html,
    text_in,
    tolerance,
    value_text,
)
from .groups import Entry, Group, category_path, exam_groups, exam_label
from .words import w


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _text(parent: ET.Element, tag: str, text: str, fmt: str | None = "html") -> ET.Element:
    element = _sub(parent, tag, **({"format": fmt} if fmt else {}))
    _sub(element, "text", text)
    return element


def _comment(text: str) -> Any:  # ET.Comment's element type differs from ET.Element's in typeshed
    return ET.Comment(" " + text.replace("--", "- -") + " ")


def _number(value: float) -> str:
    return f"{value:.7f}"


def _head(question_el: ET.Element, entry: Entry, text: str, diagram: tuple[str, bytes] | None, *,
          grade: bool = True) -> ET.Element:
    """name, questiontext (with the diagram as an embedded file), generalfeedback and the common fields."""
    _text(question_el, "name", entry.name, fmt=None)
    body = _text(question_el, "questiontext", text)
    if diagram is not None:
        name, svg = diagram
        _sub(body, "file", base64.b64encode(svg).decode(), name=name, path="/", encoding="base64")
    general = _text(question_el, "generalfeedback", "")
    if grade:
        _sub(question_el, "defaultgrade", _number(entry.question.points))
    _sub(question_el, "penalty", _number(1 / 3))
    _sub(question_el, "hidden", "0")
    _sub(question_el, "idnumber", entry.idnumber)
    return general


def _image_src(diagram: tuple[str, bytes] | None) -> str | None:
    return None if diagram is None else f"@@PLUGINFILE@@/{diagram[0]}"


def _serialized(xml: str) -> str:  # its identity is the tag of a child already serialized (see _answer)
    return xml


_SERIALIZED: Any = _serialized  # typeshed types a tag as str; ElementTree takes any object (ET.Comment is a function)


def _answer(question: ET.Element, fraction: int, value: str, feedback: str, *, tolerance: str | None, fmt: str) -> None:
    """An <answer> of ``question``, written out at once as `indented_xml` writes it there (a question
    is a child of the root, so an answer is at depth 2): a 3000-question export has ~35,000 answers,
    which as elements were most of its tree and of the time it took to build and write it."""
    inner, deeper = "\n" + "  " * 3, "\n" + "  " * 4
    xml = (f'<answer fraction="{_escape_attribute(str(fraction))}" format="{_escape_attribute(fmt)}">'
           f"{inner}<text>{_escape_text(value)}</text>"
           f'{inner}<feedback format="html">{deeper}<text>{_escape_text(feedback)}</text>{inner}</feedback>'
           + (f"{inner}<tolerance>{_escape_text(tolerance)}</tolerance>" if tolerance is not None else "")
           + "\n" + "  " * 2 + "</answer>")
    ET.SubElement(question, _SERIALIZED).text = xml


def _numerical(entry: Entry, accepted: list[int] | list[float], lang: str) -> ET.Element:
    q = entry.question
    diagram = diagram_file(q, lang)
    el = ET.Element("question", type="numerical")
    notes = [w("one_value", lang)] if q.kind is QuestionKind.MISSING_HYPERPARAMETER else []
    _head(el, entry, question_html(q, lang, reference=entry.reference, image_src=_image_src(diagram), notes=notes), diagram)
    right = f"<p>{escape(w('correct', lang))}</p>" + solution_html(q, lang)
    for value in accepted:
        _answer(el, 100, number_text(value), right, tolerance=number_text(tolerance(q, value)), fmt="moodle_auto_format")
    seen = set(accepted)
    near = number_text(mistake_tolerance(q))
    for mistake in q.mistakes:
        if is_number(mistake.value) and mistake.value not in seen:
            seen.add(mistake.value)
            _answer(el, 0, number_text(mistake.value), f"<p>{escape(explanation(mistake, lang))}</p>", tolerance=near,
                    fmt="moodle_auto_format")
    catch_all = f"<p>{escape(w('not_a_known_mistake', lang))}</p>" + solution_html(q, lang, heading=False)
    _answer(el, 0, "*", catch_all, tolerance="0", fmt="moodle_auto_format")
    for tag, setting in (("unitgradingtype", "0"), ("unitpenalty", "0.1000000"), ("showunits", "3"), ("unitsleft", "0")):
        _sub(el, tag, setting)
    return el


def _cloze_feedback(text: str) -> str:
    """Feedback inside a cloze blank: Moodle entity-decodes it once and ends it at a bare ~ or }."""
    return escape(escape(text)).replace("{", "&#123;").replace("}", "&#125;").replace("~", "&#126;")


def _cloze_blank(blank: Blank, lang: str) -> str:
    # A dimension Keras leaves unknown is answered "None": a SHORTANSWER blank instead of NUMERICAL.
    numeric = blank.answer is not None and all(x.value is not None for x in blank.wrong)

    def alt(value: int | None) -> str:
        return f"{value}:0" if numeric else value_text(value)

    parts = [f"={alt(blank.answer)}#{_cloze_feedback(w('correct', lang))}"]
    parts += [f"%0%{alt(x.value)}#{_cloze_feedback(text_in(x.explanation, lang))}" for x in blank.wrong]
    step = text_in(blank.step, lang)
    parts.append("*#" + _cloze_feedback(w("not_a_known_mistake", lang) + (" " + step if step else "")))
    return "{1:" + ("NUMERICAL" if numeric else "SHORTANSWER") + ":" + "~".join(parts) + "}"


def _cloze(entry: Entry, lang: str) -> ET.Element:
    q = entry.question
    diagram = diagram_file(q, lang)
    el = ET.Element("question", type="cloze")

    def render(blank: Blank) -> str:
        return _cloze_blank(blank, lang)

    answer_html = shape_html(q, render) if q.kind is QuestionKind.OUTPUT_SHAPE else summary_html(q, lang, render)
    general = _head(el, entry, question_html(q, lang, reference=entry.reference, image_src=_image_src(diagram),
                                             answer_html=answer_html), diagram, grade=False)
    general[0].text = solution_html(q, lang) + mistake_list_html(q, lang, unsplit_mistakes(q))
    return el


def _multichoice(entry: Entry, lang: str) -> ET.Element:
    q = entry.question
    diagram = diagram_file(q, lang)
    el = ET.Element("question", type="multichoice")
    _head(el, entry, question_html(q, lang, reference=entry.reference, image_src=_image_src(diagram)), diagram)
    for tag, value in (("single", "true"), ("shuffleanswers", "false"), ("answernumbering", "abc")):
        _sub(el, tag, value)
    for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        _text(el, tag, "")
    _sub(el, "shownumcorrect")
    by_value: dict[str, str] = {}
    for mistake in q.mistakes:
        by_value.setdefault(value_text(mistake.value), explanation(mistake, lang))
    for index, option in enumerate(q.details.get("options", [])):
        shown = value_text(option)
        if index == q.answer:
            _answer(el, 100, shown, solution_html(q, lang), tolerance=None, fmt="html")
        else:
            feedback = by_value.get(shown) or w("not_a_known_mistake", lang)
            _answer(el, 0, shown, f"<p>{escape(feedback)}</p>", tolerance=None, fmt="html")
    return el


def _essay(entry: Entry, lang: str) -> ET.Element:
    q = entry.question
    diagram = diagram_file(q, lang)
    el = ET.Element("question", type="essay")
    general = _head(el, entry, question_html(q, lang, reference=entry.reference, image_src=_image_src(diagram)), diagram)
    general[0].text = solution_html(q, lang)
    for tag, value in (("responseformat", "plain"), ("responserequired", "1"), ("responsefieldlines", "3"),
                       ("attachments", "0"), ("attachmentsrequired", "0")):
        _sub(el, tag, value)
    grading = "summary_grading" if q.kind is QuestionKind.SUMMARY else "formula_grading"
    info = (f"<p>{escape(w(grading, lang))}</p><p><strong>{escape(w('formula_answer', lang))}</strong>: "
            f"{escape(value_text(q.answer))}</p>" + mistake_list_html(q, lang))
    _text(el, "graderinfo", info)
    _text(el, "responsetemplate", "")
    return el


def _question(entry: Entry, lang: str) -> Iterable[Any]:
    q = entry.question
    yield _comment(f"question: {entry.name}, shared by {entry.shared_by} variant(s)")
    if q.kind in (QuestionKind.OUTPUT_SHAPE, QuestionKind.SUMMARY):
        yield _cloze(entry, lang)
    elif q.kind is QuestionKind.CHOICE:
        yield _multichoice(entry, lang)
    elif q.kind is QuestionKind.FORMULA:
        yield _comment("Moodle cannot check symbolic equivalence: a formula question is an essay; "
                       "grade it with quizgen grade from the responses report (sympy equivalence)")
        yield _essay(entry, lang)
    elif (accepted := accepted_values(q)) is not None:
        yield _numerical(entry, accepted, lang)
    else:
        yield _comment(f"{q.kind.value} with a non-numeric answer: an essay graded by quizgen grade")
        yield _essay(entry, lang)


def moodle_xml(exam: Exam, *, lang: str, groups: Sequence[Group] | None = None) -> bytes:
    """The whole exam as one Moodle XML file (UTF-8 bytes; same exam, same bytes); ``groups`` are the
    exam's `exam_groups`, when the caller has them already."""
    quiz = ET.Element("quiz")
    quiz.append(_comment(w("exam_info", "en", version=__version__, title=exam_label(exam))))
    for group in exam_groups(exam) if groups is None else groups:
        category = ET.SubElement(quiz, "question", type="category")
        _text(category, "category", category_path(exam, group.template), fmt=None)
        _text(category, "info", f"<p>{html.escape(w('category_info', lang, qid=group.template, n=len(group.entries)))}</p>")
        for entry in group.entries:
            for element in _question(entry, lang):
                quiz.append(element)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + indented_xml(quiz) + "\n").encode()


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") if ("&" in text or "<" in text or ">" in text) else text


def _escape_attribute(text: str) -> str:
    return (_escape_text(text).replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;")
            .replace("\t", "&#09;"))


def indented_xml(root: ET.Element) -> str:
    """What ``ET.indent(root, "  ")`` then ``ET.tostring(root, encoding="unicode", short_empty_elements=False)``
    give, without changing ``root``: ElementTree's writer was most of a 3000-question export's time
    (a function call per node and per escape); this writes one list of strings and joins it once.
    Only what the LMS writers build is handled: plain tags, string attributes, comments."""
    parts: list[str] = []
    append = parts.append

    def write(element: ET.Element, level: int) -> None:
        tag: Any = element.tag  # a str, or the ET.Comment factory for a comment
        if tag is ET.Comment:
            append(f"<!--{element.text}-->")
            return
        if tag is _SERIALIZED:
            append(element.text or "")
            return
        append("<" + tag)
        for key, value in element.attrib.items():
            append(f' {key}="{_escape_attribute(value)}"')
        append(">")
        children = list(element)
        text = element.text
        if children:
            inner = "\n" + "  " * (level + 1)
            append(inner if not text or not text.strip() else _escape_text(text))
            last = len(children) - 1
            for index, child in enumerate(children):
                write(child, level + 1)
                tail = child.tail
                if not tail or not tail.strip():
                    append(inner if index < last else "\n" + "  " * level)
                else:
                    append(_escape_text(tail))
        elif text:
            append(_escape_text(text))
        append("</" + tag + ">")

    write(root, 0)
    if root.tail:
        append(_escape_text(root.tail))
    return "".join(parts)
