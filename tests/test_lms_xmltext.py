"""xmltext.indented writes an element as ET.indent + ET.tostring do (issue 15), for any tree of plain tags,
string attributes, texts and tails the LMS writers could build, at any level, and leaves the tree unchanged."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from quizgen.lms.xmltext import indented

TEXTS = st.one_of(st.none(), st.sampled_from(["", "   ", "\n  ", "x", "1 < 2 & 3 > 0", 'a "q" \'s\r\n\tb ]]> -- 参数 😀𝕏 \x01']),
                  st.text(max_size=12))
TAGS = st.sampled_from(["item", "mattext", "a", "b-c", "x_1"])


@st.composite
def trees(draw: st.DrawFn, depth: int = 0) -> ET.Element:
    element = ET.Element(draw(TAGS), {k: draw(st.text(max_size=8)) for k in draw(st.lists(st.sampled_from(["ident", "title", "t"]),
                                                                                          unique=True, max_size=2))})
    element.text = draw(TEXTS)
    if depth < 3:
        for child in draw(st.lists(trees(depth + 1), max_size=3)):
            child.tail = draw(TEXTS)
            element.append(child)
    return element


def _elementtree(element: ET.Element, level: int) -> str:
    expected = copy.deepcopy(element)
    ET.indent(expected, "  ", level=level)
    return ET.tostring(expected, encoding="unicode")


@settings(max_examples=400, deadline=None)
@given(trees(), st.integers(min_value=0, max_value=5))
def test_indented_is_what_elementtree_writes(element: ET.Element, level: int) -> None:
    before = ET.tostring(element, encoding="unicode")
    assert indented(element, level) == _elementtree(element, level)
    assert ET.tostring(element, encoding="unicode") == before


def test_the_cases_that_matter_are_drawn() -> None:
    item = ET.Element("item", {"ident": 'a"<&>\r\n\t'})
    ET.SubElement(item, "empty")
    ET.SubElement(item, "blank").text = "   "
    mixed = ET.SubElement(item, "mixed")
    mixed.text = "lead"
    ET.SubElement(mixed, "inner").tail = " kept tail & more "
    ET.SubElement(mixed, "last").tail = "\n\n   "
    expected = _elementtree(item, 4)
    assert indented(item, 4) == expected
    assert "<empty />" in expected and "&#10;" in expected and "kept tail &amp; more" in expected
