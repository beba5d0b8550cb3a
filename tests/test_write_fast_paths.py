"""The fast paths and run memos of the question writers (issue 15: 3000 Moodle questions) give exactly what
the plain way gives, on hostile text too: escaping skipped when there is nothing to escape, a Moodle head and
mistake answers written at once, whole numbers written without rounding, diagram glyphs, texts and label
widths drawn once per run, and code-writer errors that still name their layer and argument.
The whole files are compared in tests/test_lms_hostile.py and tests/test_export_golden.py."""

from __future__ import annotations

import base64
import dataclasses
import html
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_export_support import small_exam
from test_lms_hostile import HOSTILE

from quizgen.codeio import write_model_code
from quizgen.errors import Location, SpecError
from quizgen.lms import content
from quizgen.lms.groups import Entry, exam_groups
from quizgen.lms.moodle_xml import _attrs, _escape_text, _head, _leaf, _paragraph, _parent, _text
from quizgen.render import diagram
from quizgen.render.diagram import Box

# Text an escaper must get right: markup, entities, quotes, control characters, non-BMP and Chinese.
_PIECES = st.sampled_from([*"<>&\"' ;#ax1\n\r\t\x01😀参", "&amp;", "&lt;", "]]>", "--", HOSTILE])
texts = st.one_of(st.text(), st.lists(_PIECES).map("".join))


@given(texts)
def test_escape_is_html_escape_without_quotes(text: str) -> None:
    assert content.escape(text) == html.escape(text, quote=False)


@given(texts)
def test_a_feedback_paragraph_is_the_html_escaped_then_xml_escaped_paragraph(text: str) -> None:
    assert _paragraph(text) == _escape_text(f"<p>{html.escape(text, quote=False)}</p>")


def _by_rounding(value: float) -> str:
    """number_text as it was, every number rounded."""
    rounded = round(value, 10)
    return str(int(rounded)) if rounded == int(rounded) else repr(rounded)


@given(st.integers(-(10**30), 10**30))
def test_a_whole_number_is_written_as_the_rounding_wrote_it(value: int) -> None:
    assert content.number_text(value) == _by_rounding(value)


def test_floats_and_bools_still_take_the_rounding_path() -> None:
    assert content.number_text(0.11499999999999999) == "0.115"
    assert content.number_text(3.0) == "3"
    assert content.number_text(True) == "1"  # not "True": only an exact int skips the rounding


@pytest.mark.parametrize("diagram_file", [None, ("network-<&\">.svg", b"<svg>\x00\xff</svg>")])
@pytest.mark.parametrize("general", ["", "<p>a &amp; b</p>", HOSTILE])
@pytest.mark.parametrize("grade", [True, False])
def test_a_head_written_at_once_is_what_its_elements_gave(diagram_file: tuple[str, bytes] | None, general: str,
                                                          grade: bool) -> None:
    question = exam_groups(small_exam("en", 1))[0].entries[0].question
    entry = Entry(dataclasses.replace(question, id=f"q{HOSTILE}", points=2.5), HOSTILE, "<&>", 1)
    text = f"<p>{HOSTILE}</p>"
    body = [_leaf(3, "text", text)]
    if diagram_file is not None:
        body.append(_leaf(3, "file", base64.b64encode(diagram_file[1]).decode(),
                          _attrs({"name": diagram_file[0], "path": "/", "encoding": "base64"})))
    lines = [_text(2, "name", entry.name, fmt=None), _parent(2, "questiontext", ' format="html"', body),
             _text(2, "generalfeedback", general)]
    if grade:
        lines.append(_leaf(2, "defaultgrade", "2.5000000"))
    lines += [_leaf(2, "penalty", "0.3333333"), _leaf(2, "hidden", "0"), _leaf(2, "idnumber", entry.idnumber)]
    assert "\n".join(_head(entry, text, diagram_file, general=general, grade=grade)) == "\n".join(lines)


BOXES = [Box("", "Input", "", "(None, 28, 28, 1)", 3, is_input=True), Box("1", "Conv2D", "63 × 3×3 /2", "?", 3),
         Box("2", "LSTM", "32", "?", 2), Box("3", "Dense", "128", "?", 1), Box("4", "Mystery", "", "?", 0),
         Box("5", f"Bidirectional{HOSTILE}", HOSTILE, HOSTILE, 7), Box("6", "BatchNormalization", "", "?", 4)]


@pytest.mark.parametrize("box", BOXES)
def test_a_remembered_glyph_text_and_width_are_what_drawing_them_gives(box: Box) -> None:
    diagram._GLYPHS.clear()
    diagram._TEXTS.clear()
    diagram._WIDTHS.clear()
    for cx, cy in ((68, 62), (68.0, 62.0), (176.5, 216)):
        first = diagram._glyph(box, cx, cy)
        assert first == diagram._drawn_glyph(box, cx, cy)
        assert diagram._glyph(box, cx, cy) is first  # drawn once
        text = diagram._text(cx, cy, box.note)
        assert text == f'<text x="{cx:g}" y="{cy:g}">{html.escape(box.note)}</text>'
        assert diagram._text(cx, cy, box.note) is text
    width = diagram.label_width(box)
    assert width == max(diagram.text_width(diagram._heading(box), diagram.HEADING_SIZE, bold=True),
                        diagram.text_width(box.note, diagram.TEXT_SIZE), diagram.text_width(box.shape, diagram.TEXT_SIZE))


def test_the_diagram_memos_stay_bounded() -> None:
    diagram._TEXTS.clear()
    for i in range(diagram._MEMO_SIZE + 10):
        diagram._text(1, 2, str(i))
    assert len(diagram._TEXTS) <= diagram._MEMO_SIZE
    assert diagram._text(1, 2, "<&>") == '<text x="1" y="2">&lt;&amp;&gt;</text>'


def test_a_glyph_memo_tells_ranks_and_colours_apart() -> None:
    drawn = {diagram._glyph(Box("1", title, "", "?", rank), 50, 60) for title in ("Conv2D", "Dense", "Mystery")
             for rank in (0, 1, 2, 3)}
    assert len(drawn) == 12
    assert diagram._glyph(Box("1", "Conv2D", "", "?", 9), 50, 60) == diagram._glyph(Box("1", "Conv2D", "", "?", 3), 50, 60)


@pytest.mark.parametrize(
    ("layers", "input_shape", "location"),
    [
        ([{"Dense": {"units": 3, "unitz": 4}}], [3], Location(layer=1)),
        ([{"Dense": {"units": 3}}, {"Dense": {"units": float("inf")}}], [3], Location(layer=2, field="units")),
        ([{"Conv2D": {"filters": 3, "kernel_size": [3, {"a": 1}]}}], [8, 8, 1], Location(layer=1, field="kernel_size")),
        ([{"Bidirectional": {"layer": {"LSTM": {"units": 2, "bad": 1}}}}], [4, 3], Location(layer=1, field="layer")),
        ([{"Bidirectional": {"layer": {"LSTM": {"units": float("nan")}}}}], [4, 3], Location(layer=1, field="units")),
        ([{"Dense": {"units": 3}}, "Dense"], [3], Location(layer=2)),
    ],
)
def test_code_writer_errors_still_name_the_layer_and_argument(layers: list[object], input_shape: list[int],
                                                             location: Location) -> None:
    with pytest.raises(SpecError) as raised:
        write_model_code({"framework": "keras", "input_shape": input_shape, "layers": layers})
    assert raised.value.location == location


def _layer_diagram_as_it_was(boxes: list[Box], *, width: int, label: str, font_family: str) -> str:
    """layer_diagram before its frame (opening tag, connectors, places) was drawn once per run."""
    from quizgen.render.diagram import BAND, CELL_W, GLYPH_Y, LABEL_GAP, MARGIN, ROW_H, TEXT_SIZE

    cell = max(CELL_W, math.ceil(max(diagram.label_width(box) for box in boxes)) + LABEL_GAP)
    columns = max(2, (width - 2 * MARGIN) // cell)
    width = max(width, columns * cell + 2 * MARGIN)
    rows = (len(boxes) + columns - 1) // columns
    height = rows * ROW_H + (rows - 1) * BAND + 4
    half = 34
    glyphs, headings, notes, shapes, lines, heads = [], [], [], [], [], []
    for i, box in enumerate(boxes):
        row, col = divmod(i, columns)
        top = row * (ROW_H + BAND)
        cx = MARGIN + col * cell + cell / 2
        cy = top + GLYPH_Y
        headings.append(f'<text x="{cx:g}" y="{top + 14:g}">{html.escape(diagram._heading(box))}</text>')
        glyphs.append(diagram._drawn_glyph(box, cx, cy))
        if box.note:
            notes.append(f'<text x="{cx:g}" y="{top + 106:g}">{html.escape(box.note)}</text>')
        shapes.append(f'<text x="{cx:g}" y="{top + 122:g}">{html.escape(box.shape)}</text>')
        if i + 1 == len(boxes):
            continue
        if col + 1 < columns:
            x1, x2 = cx + half, cx + cell - half
            lines.append(f"M{x1:g} {cy:g}H{x2 - 6:g}")
            heads.append(f"M{x2:g} {cy:g}l-6 -3.5v7z")
        else:
            band = top + ROW_H + BAND / 2
            next_cy = cy + ROW_H + BAND
            first = MARGIN + cell / 2 - half
            lines.append(f"M{cx + half:g} {cy:g}H{width - 4:g}V{band:g}H4V{next_cy:g}H{first - 6:g}")
            heads.append(f"M{first:g} {next_cy:g}l-6 -3.5v7z")
    return "".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" role="img" aria-label="{html.escape(label)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="{html.escape(font_family)}">',
        f'<path d="{" ".join(lines)}" fill="none" stroke="#555" stroke-width="1.2"/><path d="{" ".join(heads)}" fill="#555"/>',
        f'<g stroke-width="1.2">{"".join(glyphs)}</g>',
        f'<g text-anchor="middle" font-size="{diagram.HEADING_SIZE}" font-weight="bold" fill="#222">{"".join(headings)}</g>',
        f'<g text-anchor="middle" font-size="{TEXT_SIZE}" fill="#333">{"".join(notes)}</g>',
        f'<g text-anchor="middle" font-size="{TEXT_SIZE}" fill="#1f4e8c">{"".join(shapes)}</g>',
        "</svg>",
    ])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(BOXES), min_size=1, max_size=30), st.integers(60, 1400), st.sampled_from(["Layer diagram", HOSTILE]))
def test_a_diagram_from_remembered_frames_is_what_drawing_it_whole_gave(boxes: list[Box], width: int, label: str) -> None:
    font = 'DejaVu Sans, "x" <&>'
    first = diagram.layer_diagram(boxes, width=width, label=label, font_family=font)
    assert str(first) == _layer_diagram_as_it_was(boxes, width=width, label=label, font_family=font)
    assert diagram.layer_diagram(boxes, width=width, label=label, font_family=font) == first  # drawn from the memos


def test_questions_on_one_network_share_its_code_and_a_hidden_argument_does_not() -> None:
    content._CODE.clear()
    question = next(q for v in small_exam("en", 2).variants for q in v.questions if q.spec.layers)
    plain = content.network_code(question)
    assert plain == content._network_code(question)
    assert content.network_code(dataclasses.replace(question, id="other")) is plain  # the same spec object
    hidden_arg = next(iter(question.spec.layers[0].kwargs))
    hidden = dataclasses.replace(question, details={**question.details, "hidden": {"layer": 0, "arg": hidden_arg}})
    assert content.network_code(hidden) == content._network_code(hidden) != plain
    assert content.HIDDEN in content.network_code(hidden)
    copy = dataclasses.replace(question, spec=dataclasses.replace(question.spec))  # equal, not the same object
    assert content.network_code(copy) == plain


def test_a_hidden_default_argument_still_reads_as_a_question_mark_under_its_glyph() -> None:
    from quizgen.render.network import _boxes
    from quizgen.solver import solve
    from quizgen.spec import parse_spec

    spec = parse_spec({"framework": "keras", "input_shape": [28, 28, 1], "layers": [{"Conv2D": {"filters": 8, "kernel_size": 3}}]})
    model = solve(spec)
    assert [box.note for box in _boxes(model, (0, "strides"), input_label="Input")] == ["", "8 × 3×3 /?"]
    assert [box.note for box in _boxes(model, None, input_label="Input")] == ["", "8 × 3×3"]
    assert dict(spec.layers[0].kwargs) == {"filters": 8, "kernel_size": 3}  # the spec is left as it was


def test_the_code_listing_and_the_diagram_key_read_one_mapping_and_leave_it_as_it_was() -> None:
    for memo in (content._CODE, content._MAPPINGS, content._SPEC_JSON):
        memo.clear()
    question = next(q for v in small_exam("en", 2).variants for q in v.questions if q.spec.layers)
    hidden_arg = next(iter(question.spec.layers[0].kwargs))
    hidden = dataclasses.replace(question, details={**question.details, "hidden": {"layer": 0, "arg": hidden_arg}})
    before = content.shown_spec(question)
    assert content.HIDDEN in content.network_code(hidden)
    assert content._mapping(question.spec) is content._mapping(question.spec) == before  # the hidden one was a copy
    assert content._spec_json(question.spec) == json.dumps(content.shown_spec(question), sort_keys=True)
    assert content.shown_spec(hidden) is not content.shown_spec(hidden)  # callers still get their own


@given(texts)
def test_an_attribute_is_escaped_as_html_escape_escapes_it(text: str) -> None:
    assert content._escape_quoted(text) == html.escape(text)
