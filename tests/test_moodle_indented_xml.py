"""The Moodle writer's own serializer gives exactly what ElementTree's indent + tostring gave (issue 15)."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET

from quizgen.lms.moodle_xml import _answer, indented_xml


def _tree() -> ET.Element:
    quiz = ET.Element("quiz")
    quiz.append(ET.Comment(" a <comment> & more "))
    question = ET.SubElement(quiz, "question", {"type": "numerical", "note": 'a "quoted" <b> & x\ny\r\tz'})
    ET.SubElement(question, "empty")
    ET.SubElement(question, "blank").text = "   "
    text = ET.SubElement(ET.SubElement(question, "questiontext", format="html"), "text")
    text.text = "<p>5 < 6 & 7 > 3</p> 参数"
    mixed = ET.SubElement(question, "mixed")
    mixed.text = "lead text"
    child = ET.SubElement(mixed, "inner")
    child.text = "x"
    child.tail = " kept tail & more "
    ET.SubElement(mixed, "last").tail = "\n\n   "
    ET.SubElement(ET.SubElement(ET.SubElement(quiz, "deep"), "deeper"), "deepest").text = "d"
    return quiz


def test_indented_xml_matches_elementtree_byte_for_byte() -> None:
    tree = _tree()
    expected_tree = copy.deepcopy(tree)
    ET.indent(expected_tree, "  ")
    expected = ET.tostring(expected_tree, encoding="unicode", short_empty_elements=False)
    assert indented_xml(tree) == expected
    assert "&#10;" in expected and "&quot;" in expected and "</empty>" in expected  # the cases above are exercised


def test_indented_xml_leaves_the_tree_unchanged() -> None:
    tree = _tree()
    before = ET.tostring(tree, encoding="unicode")
    indented_xml(tree)
    assert ET.tostring(tree, encoding="unicode") == before


def _answers(question: ET.Element) -> list[tuple[int, str, str, str | None, str]]:
    cases = [(100, "5720", "<p>Correct.</p><ul><li>C_out·(K + 1) = 5720</li></ul>", "0", "moodle_auto_format"),
             (0, "1 < 2 & \"3\"", 'a\nb\r\tc & <x> "q" 参数', None, "html"), (0, "", "", "", 'f"m\tt')]
    for fraction, value, feedback, tolerance, fmt in cases:
        _answer(question, fraction, value, feedback, tolerance=tolerance, fmt=fmt)
    return cases


def test_an_answer_written_at_once_is_what_its_elements_gave() -> None:
    """_answer writes its <answer> out at once; as elements (what it built before) ElementTree gives the same."""
    quiz = ET.Element("quiz")
    question = ET.SubElement(quiz, "question", type="numerical")
    ET.SubElement(question, "idnumber").text = "q-1"
    cases = _answers(question)
    ET.SubElement(question, "unitsleft").text = "0"
    assert sum(1 for _ in question.iter()) == 3 + len(cases)  # one node per answer, not its five elements
    expected_quiz = ET.Element("quiz")
    expected_question = ET.SubElement(expected_quiz, "question", type="numerical")
    ET.SubElement(expected_question, "idnumber").text = "q-1"
    for fraction, value, feedback, tolerance, fmt in cases:
        answer = ET.SubElement(expected_question, "answer", fraction=str(fraction), format=fmt)
        ET.SubElement(answer, "text").text = value
        ET.SubElement(ET.SubElement(answer, "feedback", format="html"), "text").text = feedback
        if tolerance is not None:
            ET.SubElement(answer, "tolerance").text = tolerance
    ET.SubElement(expected_question, "unitsleft").text = "0"
    ET.indent(expected_quiz, "  ")
    assert indented_xml(quiz) == ET.tostring(expected_quiz, encoding="unicode", short_empty_elements=False)
