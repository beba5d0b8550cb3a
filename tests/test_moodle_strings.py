"""The Moodle writer writes its XML as strings: exactly what ElementTree's indent + tostring gave for the
same elements (issue 15), tricky values included. The whole file is checked the same way in
tests/test_lms_hostile.py."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from quizgen.lms.moodle_xml import _answer, _attrs, _comment, _leaf, _parent, _text

TRICKY = ["", "   ", "5720", '1 < 2 & "3" > 0', "a\nb\r\tc ]]> -- 参数 😀𝕏 \x01", "<p>5 &lt; 6</p>"]


def _elementtree(root: ET.Element) -> str:
    ET.indent(root, "  ")
    return ET.tostring(root, encoding="unicode", short_empty_elements=False)


def _in_quiz(lines: list[str]) -> str:
    return "<quiz>\n" + "\n".join(lines) + "\n</quiz>"


def test_elements_and_comments_are_what_elementtree_writes() -> None:
    quiz = ET.Element("quiz")
    lines = []
    for i, value in enumerate(TRICKY):
        quiz.append(ET.Comment(" " + value.replace("--", "- -") + " "))
        lines.append(_comment(value))
        question = ET.SubElement(quiz, "question", {"type": value, "n": str(i)})
        ET.SubElement(question, "empty")
        ET.SubElement(question, "leaf", {"a": value}).text = value
        text = ET.SubElement(ET.SubElement(question, "questiontext", format="html"), "text")
        text.text = value
        ET.SubElement(ET.SubElement(question, "name"), "text").text = value
        lines.append(_parent(1, "question", _attrs({"type": value, "n": str(i)}), [
            _leaf(2, "empty"), _leaf(2, "leaf", value, _attrs({"a": value})), _text(2, "questiontext", value),
            _text(2, "name", value, fmt=None)]))
    assert _in_quiz(lines) == _elementtree(quiz)


def test_an_answer_written_at_once_is_what_its_elements_gave() -> None:
    quiz = ET.Element("quiz")
    question = ET.SubElement(quiz, "question", type="numerical")
    lines = []
    for fraction, value in enumerate(TRICKY):
        for tolerance in (None, value):
            answer = ET.SubElement(question, "answer", fraction=str(fraction), format=value)
            ET.SubElement(answer, "text").text = value
            ET.SubElement(ET.SubElement(answer, "feedback", format="html"), "text").text = value[::-1]
            if tolerance is not None:
                ET.SubElement(answer, "tolerance").text = tolerance
            lines.append(_answer(fraction, value, value[::-1], tolerance=tolerance, fmt=value))
    assert _in_quiz([_parent(1, "question", ' type="numerical"', lines)]) == _elementtree(quiz)
