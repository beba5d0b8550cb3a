"""The Moodle writer's own serializer gives exactly what ElementTree's indent + tostring gave (issue 15)."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET

from quizgen.lms.moodle_xml import indented_xml


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
