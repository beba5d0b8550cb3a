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
from collections.abc import Iterable, Sequence

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
from .halves import in_two_text
from .words import w

_PAD = tuple("  " * level for level in range(5))


def _attrs(attrs: dict[str, str]) -> str:
    return "".join(f' {key}="{_escape_attribute(value)}"' for key, value in attrs.items())


def _leaf(level: int, tag: str, text: str | None = None, attrs: str = "") -> str:
    """An element without children, as ElementTree writes it (``attrs`` from `_attrs`)."""
    return f"{_PAD[level]}<{tag}{attrs}>{_escape_text(text) if text else ''}</{tag}>"


def _parent(level: int, tag: str, attrs: str, children: Iterable[str]) -> str:
    """An element with children (each already written at ``level + 1``), as ``ET.indent`` lays it out."""
    return f"{_PAD[level]}<{tag}{attrs}>\n" + "\n".join(children) + f"\n{_PAD[level]}</{tag}>"


def _text(level: int, tag: str, text: str, fmt: str | None = "html") -> str:
    """``<tag format="html"><text>text</text></tag>``, Moodle's way of holding a text."""
    return _parent(level, tag, _attrs({"format": fmt}) if fmt else "", (_leaf(level + 1, "text", text),))


def _comment(text: str, level: int = 1) -> str:
    return f"{_PAD[level]}<!-- {text.replace('--', '- -')} -->"


def _number(value: float) -> str:
    return f"{value:.7f}"


def _head(entry: Entry, text: str, diagram: tuple[str, bytes] | None, *, general: str = "", grade: bool = True) -> list[str]:
    """name, questiontext (with the diagram as an embedded file), generalfeedback and the common fields,
    written at a question's child level. A 3000-question export is 22 MB: written as strings at once,
    not built as ElementTree elements and serialized (most of its time before, issue 15); the head is one
    string, with its fixed lines written once (`_HEAD_*`), as `_leaf`, `_text` and `_parent` write them."""
    file = ""
    if diagram is not None:
        name, svg = diagram
        file = (f'\n{_PAD[3]}<file name="{_escape_attribute(name)}" path="/" encoding="base64">'
                f"{base64.b64encode(svg).decode()}</file>")
    grade_line = f"\n{_PAD[2]}<defaultgrade>{_number(entry.question.points)}</defaultgrade>" if grade else ""
    return [f"{_HEAD_NAME}{_escape_text(entry.name)}{_HEAD_TEXT}{_escape_text(text)}</text>{file}{_HEAD_GENERAL}"
            f"{_escape_text(general)}{_HEAD_AFTER_GENERAL}{grade_line}{_HEAD_FIXED}{_escape_text(entry.idnumber)}</idnumber>"]


_HEAD_NAME = f"{_PAD[2]}<name>\n{_PAD[3]}<text>"
_HEAD_TEXT = f'</text>\n{_PAD[2]}</name>\n{_PAD[2]}<questiontext format="html">\n{_PAD[3]}<text>'
_HEAD_GENERAL = f'\n{_PAD[2]}</questiontext>\n{_PAD[2]}<generalfeedback format="html">\n{_PAD[3]}<text>'
_HEAD_AFTER_GENERAL = f"</text>\n{_PAD[2]}</generalfeedback>"
_HEAD_FIXED = f"\n{_PAD[2]}<penalty>{_number(1 / 3)}</penalty>\n{_PAD[2]}<hidden>0</hidden>\n{_PAD[2]}<idnumber>"


def _image_src(diagram: tuple[str, bytes] | None) -> str | None:
    return None if diagram is None else f"@@PLUGINFILE@@/{diagram[0]}"


_OPENINGS: dict[tuple[int, str], str] = {}  # a few (fraction, format) pairs, ~35,000 answers in a class set
_FEEDBACK = f'</text>\n{_PAD[3]}<feedback format="html">\n{_PAD[4]}<text>'
_TOLERANCE = f"</text>\n{_PAD[3]}</feedback>\n{_PAD[3]}<tolerance>"
_TOLERANCE_END = f"</tolerance>\n{_PAD[2]}</answer>"
_NO_TOLERANCE_END = f"</text>\n{_PAD[3]}</feedback>\n{_PAD[2]}</answer>"


def _opening(fraction: int, fmt: str) -> str:
    opening = _OPENINGS.get((fraction, fmt))
    if opening is None:
        opening = _OPENINGS[fraction, fmt] = (f'{_PAD[2]}<answer fraction="{_escape_attribute(str(fraction))}" '
                                              f'format="{_escape_attribute(fmt)}">\n{_PAD[3]}<text>')
    return opening


def _answer(fraction: int, value: str, feedback: str, *, tolerance: str | None, fmt: str) -> str:
    """An <answer> of a question (at a question's child level): a 3000-question export has ~35,000."""
    end = _NO_TOLERANCE_END if tolerance is None else f"{_TOLERANCE}{_escape_text(tolerance)}{_TOLERANCE_END}"
    return f"{_opening(fraction, fmt)}{_escape_text(value)}{_FEEDBACK}{_escape_text(feedback)}{end}"


def _paragraph(text: str) -> str:
    """``_escape_text(f"<p>{escape(text)}</p>")``: a feedback paragraph as the XML holds it, without the six
    replace calls when ``text`` has nothing to escape (nearly every mistake explanation)."""
    if "&" in text or "<" in text or ">" in text:
        return _escape_text(f"<p>{escape(text)}</p>")
    return f"&lt;p&gt;{text}&lt;/p&gt;"


def _typed(kind: str, children: list[str]) -> str:
    return _parent(1, "question", f' type="{_escape_attribute(kind)}"', children)


def _numerical(entry: Entry, accepted: list[int] | list[float], lang: str) -> str:
    q = entry.question
    diagram = diagram_file(q, lang)
    notes = [w("one_value", lang)] if q.kind is QuestionKind.MISSING_HYPERPARAMETER else []
    lines = _head(entry, question_html(q, lang, reference=entry.reference, image_src=_image_src(diagram), notes=notes), diagram)
    right = f"<p>{escape(w('correct', lang))}</p>" + solution_html(q, lang)
    for value in accepted:
        lines.append(_answer(100, number_text(value), right, tolerance=number_text(tolerance(q, value)), fmt="moodle_auto_format"))
    seen = set(accepted)
    # Every mistake's <answer> is written at once from its parts: a number (nothing to escape) and its explanation.
    opening = _opening(0, "moodle_auto_format")
    end = f"{_TOLERANCE}{_escape_text(number_text(mistake_tolerance(q)))}{_TOLERANCE_END}"
    for mistake in q.mistakes:
        if is_number(mistake.value) and mistake.value not in seen:
            seen.add(mistake.value)
            lines.append(f"{opening}{number_text(mistake.value)}{_FEEDBACK}{_paragraph(explanation(mistake, lang))}{end}")
    catch_all = f"<p>{escape(w('not_a_known_mistake', lang))}</p>" + solution_html(q, lang, heading=False)
    lines.append(_answer(0, "*", catch_all, tolerance="0", fmt="moodle_auto_format"))
    lines.append(_UNITS)
    return _typed("numerical", lines)


_UNITS = "\n".join(f"{_PAD[2]}<{tag}>{setting}</{tag}>" for tag, setting in (
    ("unitgradingtype", "0"), ("unitpenalty", "0.1000000"), ("showunits", "3"), ("unitsleft", "0")))


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


def _cloze(entry: Entry, lang: str) -> str:
    q = entry.question
    diagram = diagram_file(q, lang)

    def render(blank: Blank) -> str:
        return _cloze_blank(blank, lang)

    answer_html = shape_html(q, render) if q.kind is QuestionKind.OUTPUT_SHAPE else summary_html(q, lang, render)
    general = solution_html(q, lang) + mistake_list_html(q, lang, unsplit_mistakes(q))
    return _typed("cloze", _head(entry, question_html(q, lang, reference=entry.reference, image_src=_image_src(diagram),
                                                      answer_html=answer_html), diagram, general=general, grade=False))


def _multichoice(entry: Entry, lang: str) -> str:
    q = entry.question
    diagram = diagram_file(q, lang)
    lines = _head(entry, question_html(q, lang, reference=entry.reference, image_src=_image_src(diagram)), diagram)
    for tag, value in (("single", "true"), ("shuffleanswers", "false"), ("answernumbering", "abc")):
        lines.append(_leaf(2, tag, value))
    for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        lines.append(_text(2, tag, ""))
    lines.append(_leaf(2, "shownumcorrect"))
    by_value: dict[str, str] = {}
    for mistake in q.mistakes:
        by_value.setdefault(value_text(mistake.value), explanation(mistake, lang))
    for index, option in enumerate(q.details.get("options", [])):
        shown = value_text(option)
        if index == q.answer:
            lines.append(_answer(100, shown, solution_html(q, lang), tolerance=None, fmt="html"))
        else:
            feedback = by_value.get(shown) or w("not_a_known_mistake", lang)
            lines.append(_answer(0, shown, f"<p>{escape(feedback)}</p>", tolerance=None, fmt="html"))
    return _typed("multichoice", lines)


def _essay(entry: Entry, lang: str) -> str:
    q = entry.question
    diagram = diagram_file(q, lang)
    lines = _head(entry, question_html(q, lang, reference=entry.reference, image_src=_image_src(diagram)), diagram,
                  general=solution_html(q, lang))
    for tag, value in (("responseformat", "plain"), ("responserequired", "1"), ("responsefieldlines", "3"),
                       ("attachments", "0"), ("attachmentsrequired", "0")):
        lines.append(_leaf(2, tag, value))
    grading = "summary_grading" if q.kind is QuestionKind.SUMMARY else "formula_grading"
    info = (f"<p>{escape(w(grading, lang))}</p><p><strong>{escape(w('formula_answer', lang))}</strong>: "
            f"{escape(value_text(q.answer))}</p>" + mistake_list_html(q, lang))
    lines += [_text(2, "graderinfo", info), _text(2, "responsetemplate", "")]
    return _typed("essay", lines)


def _question(entry: Entry, lang: str) -> Iterable[str]:
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


def moodle_xml(exam: Exam, *, lang: str, groups: Sequence[Group] | None = None, jobs: int = 1) -> bytes:
    """The whole exam as one Moodle XML file (UTF-8 bytes; same exam, same bytes); ``groups`` are the
    exam's `exam_groups`, when the caller has them already; ``jobs`` > 1 writes half the questions in a
    second process (`halves.in_two`). Written as ElementTree's ``indent`` and ``tostring(short_empty_elements=False)``
    would write the same elements (tests/test_moodle_strings.py)."""
    about = w("exam_info", "en", version=__version__, title=exam_label(exam))
    head = "\n".join(['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>", _comment(about)])
    groups = exam_groups(exam) if groups is None else groups

    def write(item: Group | Entry) -> str:  # each group's category, then its questions; each after a line break
        if isinstance(item, Entry):
            return "\n" + "\n".join(_question(item, lang))
        info = f"<p>{html.escape(w('category_info', lang, qid=item.template, n=len(item.entries)))}</p>"
        return "\n" + _typed("category", [_text(2, "category", category_path(exam, item.template), fmt=None), _text(2, "info", info)])

    items: list[Group | Entry] = []
    for group in groups:
        items += (group, *group.entries)
    return in_two_text(items, write, jobs=jobs, head=head.encode(), tail=b"\n</quiz>\n")


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") if ("&" in text or "<" in text or ">" in text) else text


def _escape_attribute(text: str) -> str:
    return (_escape_text(text).replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;")
            .replace("\t", "&#09;"))
