"""Formula typesetting (MathML and CSS) and the layer diagram (SVG)."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizgen.render.diagram import Box, layer_diagram
from quizgen.render.mathfmt import MathMode, typeset

CASES = [
    # (text, what must be in the MathML, what must be in the CSS version)
    ("parameters: C_out·(K_h·K_w·C_in + 1) = 63·(3·3·32 + 1) = 18207",
     ["parameters: <math", "<msub><mi>C</mi><mi>out</mi></msub>", "<mn>18207</mn>"],
     ["parameters: <span class=\"mx\">", "<i>C</i><sub>out</sub>", " = 18207"]),
    ("H_out = ⌊(H_in + 2·P_h − K_h)/S_h⌋ + 1",
     ["<mfrac><mrow><msub><mi>H</mi><mi>in</mi></msub>", '<mo fence="true">⌊</mo>'],
     ['<span class="fr"><span class="fn"><i>H</i><sub>in</sub>', '<span class="fence">⌊</span>']),
    ("FLOPs = 2·MACs", ["<mi>FLOPs</mi><mo>=</mo><mn>2</mn>"], ["FLOPs = 2·MACs"]),
    ("a 3×3 kernel has 9 weights", ["a <math", "<mn>3</mn><mo>×</mo><mn>3</mn>"], ["a <span class=\"mx\">3 × 3</span> kernel"]),
]
PROSE = ["(None, 26, 26, 32)", "A blog post claims 29,226 parameters.", "the 1-D ConvNet", "kernel_size ∈ {3} (checked from 1 to 64)",
         "Linear/Dense: in·out", "第 1 层 (conv2d, Conv2D) 有多少个参数?"]


@pytest.mark.parametrize(("text", "mathml", "css"), CASES)
def test_formulas_are_typeset(text: str, mathml: list[str], css: list[str]) -> None:
    for fragment in mathml:
        assert fragment in typeset(text, MathMode.MATHML)
    for fragment in css:
        assert fragment in typeset(text, MathMode.CSS)


@pytest.mark.parametrize("text", PROSE)
def test_prose_and_shapes_stay_text(text: str) -> None:
    for mode in MathMode:
        assert str(typeset(text, mode)) == html.escape(text, quote=False)


def test_markup_in_text_is_escaped() -> None:
    out = str(typeset("<script>alert(1)</script> & C_out·2 </math>", MathMode.MATHML))
    assert "<script" not in out and "&lt;script&gt;" in out and "&amp;" in out and out.count("</math>") == 1


def _text_content(markup: str, mode: MathMode) -> str:
    if mode is MathMode.MATHML:
        markup = re.sub(r' alttext="[^"]*"', "", markup)
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


FORMULA_ALPHABET = st.sampled_from(["C_out", "K_h", "H_in", "x", "N", "3", "12", "0", "·", "+", "−", "-", "/", "=", "×", "(", ")",
                                    "⌊", "⌋", "⌈", "⌉", "[", "]", "{", "}", ",", " ", "  ", ":", ";", "a", "word", "中文", "'", "<", "&",
                                    "∏", "⇒", "∈"])


@given(st.lists(FORMULA_ALPHABET, max_size=30).map("".join))
def test_typesetting_never_loses_a_character(text: str) -> None:
    """Whatever the text, its characters come out in order: spacing, the minus sign and the slash
    of a fraction (drawn as a bar) aside."""
    def norm(s: str) -> str:
        return re.sub(r"[\s/]+", "", s).replace("-", "−").replace("_", "")

    for mode in MathMode:
        out = _text_content(str(typeset(text, mode)), mode)
        assert norm(out) == norm(text)
        assert out.count("/") <= text.count("/")


def test_diagram_is_valid_svg_with_one_glyph_per_layer() -> None:
    boxes = [Box("", "Input", "", "(None, 28, 28, 1)", 3, is_input=True)]
    boxes += [Box(str(i), kind, note, "?", rank) for i, (kind, note, rank) in enumerate(
        [("Conv2D", "32 × 3×3", 3), ("BatchNormalization", "", 3), ("MaxPooling2D", "2×2", 3), ("Flatten", "", 1),
         ("LSTM", "64", 2), ("Dense", "10", 1), ("Dense", "<&>", 1)], start=1)]
    svg = str(layer_diagram(boxes, width=640, label='Layers "of" <net>', font_family='"DejaVu Sans", sans-serif'))
    root = ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it is well-formed
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts.count("?") == 7 and "(None, 28, 28, 1)" in texts and "<&>" in texts
    assert "7 · Dense" in texts and "2 · BatchNorm" in texts, "long layer names are shortened to fit"
    width, height = float(root.get("width", 0)), float(root.get("height", 0))
    assert width == 640 and height > 2 * 138, "eight boxes wrap onto a second row"
    for element in root.iter():
        for name in ("x", "y"):
            if element.get(name) is not None:
                assert 0 <= float(element.get(name, 0)) <= max(width, height)


def test_long_sum_is_split_into_math_pieces_a_browser_can_wrap() -> None:
    terms = [1792, 36928, 73856, 147584, 295168, 590080, 590080, 1180160, 2359808, 2359808, 102764544, 16781312, 4097000]
    text = "total: " + " + ".join(map(str, terms)) + f" = {sum(terms)}"
    out = str(typeset(text, MathMode.MATHML))
    pieces = re.findall(r'<math alttext="([^"]*)">', out)
    assert pieces == [str(terms[0]), *(f"+ {t}" for t in terms[1:]), f"= {sum(terms)}"]
    assert out.count('<mo form="infix" lspace="0">') == len(terms)  # every leading + and = spaced as a binary operator
    assert re.search(r"</math> <math", out)  # a space between pieces: a line-break opportunity
    # The CSS version (PDF) wraps on its own: one formula span, unchanged.
    assert str(typeset(text, MathMode.CSS)).count('<span class="mx">') == 1


def test_brackets_are_never_split_and_short_formulas_stay_whole() -> None:
    long_bracket = "x = (" + " + ".join(["1234567"] * 12) + ")"
    pieces = re.findall(r"<math ", str(typeset(long_bracket, MathMode.MATHML)))
    assert len(pieces) == 2  # "x" and "= (...)": nothing inside the brackets is cut
    assert len(re.findall(r"<math ", str(typeset("C_out·(K_h·K_w·C_in + 1) = 18207", MathMode.MATHML)))) == 1
