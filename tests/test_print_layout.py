"""How printed worksheets look: the header of a long title, diagram labels inside their lane, code
that wraps without losing its indentation, instructions said once, and questions kept on one page."""

from __future__ import annotations

import ast
import io
import json
import shutil
import subprocess
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from system import missing, require_cjk_font

from quizgen.bank import load_bank
from quizgen.exam import Exam
from quizgen.generate import generate_exam
from quizgen.render.documents import DocumentSet, Target, student_html, views_for
from quizgen.render.pdf import pdf_bytes
from quizgen.roster import Student

BANK = Path(__file__).parent / "golden" / "render" / "bank.yaml"
LONG_ZH_TITLE = "残差、Inception、DenseNet 与注意力模块 · 感受野 · 模型的内存占用 · 训练计算量:每批、每步与每个 epoch 的 FLOPs"


def _student_pdf(exam: Exam, paper: str = "a4") -> PdfReader:
    docs = DocumentSet(exam, exam.lang, paper)
    variant = exam.variants[0]
    return PdfReader(io.BytesIO(pdf_bytes(student_html(docs, variant, views_for(docs, variant), Target.PDF))))


def _runs(reader: PdfReader, page: int) -> list[tuple[str, float, float]]:
    """(text run, x, baseline y) in PDF points, in drawing order."""
    runs: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            runs.append((text.strip(), round(cm[0] * tm[4] + cm[4], 1), round(cm[3] * tm[5] + cm[5], 1)))

    reader.pages[page].extract_text(visitor_text=visit)
    return runs


@pytest.mark.pdf
def test_a_long_chinese_title_leaves_the_worksheet_label_on_one_line() -> None:
    """A title filling the header's width squeezed the label beside it to one character per line."""
    require_cjk_font()
    bank = load_bank(BANK)
    bank = replace(bank, templates=bank.templates[:1])
    exam = generate_exam([bank], 1, [Student("S001", "")], lang="zh", title=LONG_ZH_TITLE)[0]
    runs = _runs(_student_pdf(exam), 0)
    label = [(text, y) for text, _, y in runs if set(text) <= set("练习卷")]  # the footer says 练习卷 too, after the title
    assert label, f"the label 练习卷 is not on page 1: {runs[:12]}"
    assert len({y for _, y in label}) == 1, f"the label 练习卷 is broken over lines: {label}"


@pytest.mark.pdf
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_total_of_a_hundred_points_or_more_prints_whole_in_the_header(lang: str) -> None:
    """The header's points cell was too narrow for three digits: a 143-point exam read 14 over 3."""
    if lang == "zh":
        require_cjk_font()
    bank = load_bank(BANK)
    bank = replace(bank, templates=bank.templates[:1])
    exam = generate_exam([bank], 1, [Student("S001", "")], lang=lang)[0]
    variant = replace(exam.variants[0], questions=(replace(exam.variants[0].questions[0], points=143),))
    runs = [text for text, _, _ in _runs(_student_pdf(replace(exam, variants=(variant,))), 0)]
    assert "143" in runs, runs[:16]


# One line of ~120 columns (the newcomer's `bias=False)` wrapped to column 0) and one of ~190 that no font size fits.
LONG_LINES = {"framework": "pytorch", "input_shape": [3, 32, 32], "layers": [
    {"Conv2d": {"in_channels": 3, "out_channels": 64, "kernel_size": 3, "stride": 2, "padding": 1, "bias": False},
     "name": "residual_block_conv1"},
    {"Conv2d": {"in_channels": 64, "out_channels": 64, "kernel_size": 3, "stride": 1, "padding": 2, "dilation": 2, "groups": 64,
                "bias": False, "padding_mode": "reflect"}, "name": "residual_block_depthwise_dilated_conv"},
    {"torch.add": {}, "name": "out", "inputs": ["residual_block_conv1", "residual_block_depthwise_dilated_conv"]}]}


def _assert_copied_code_runs(reader: PdfReader) -> None:
    """The code as a PDF reader copies it (poppler's text, wrapped lines and all) is Python that parses."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        missing("pdftotext is not installed", "poppler-utils")
    buffer = io.BytesIO()
    PdfWriter(clone_from=reader).write(buffer)
    lines = subprocess.run([pdftotext, "-layout", "-", "-"], input=buffer.getvalue(), capture_output=True, check=True).stdout.decode().splitlines()
    first = next(i for i, text in enumerate(lines) if text.strip() == "import torch")
    last = next(i for i, text in enumerate(lines) if text.strip() == "model = Net()")
    ast.parse(textwrap.dedent("\n".join(lines[first:last + 1])))


def long_lines_exam(folder: Path) -> Exam:
    bank = folder / "long-lines.yaml"
    bank.write_text(json.dumps({"title": {"en": "Long lines"}, "questions": [
        {"id": "long-lines", "kind": "total_params", "network": LONG_LINES}]}), encoding="utf-8")
    return generate_exam([load_bank(bank)], 1, [Student("S001", "")], lang="en")[0]


@pytest.mark.pdf
def test_printed_code_keeps_its_lines_and_wraps_with_a_hanging_indent(tmp_path: Path) -> None:
    reader = _student_pdf(long_lines_exam(tmp_path))
    runs = [run for page in range(len(reader.pages)) for run in _runs(reader, page)]
    _assert_copied_code_runs(reader)
    column_0 = next(x for text, x, _ in runs if text.startswith("class Net("))

    def line(start: str) -> tuple[float, float]:
        return next((x, y) for text, x, y in runs if text.startswith(start))

    _, y = line("self.residual_block_conv1 =")
    assert line("self.residual_block_depthwise")[1] != y
    ends = [(text, ty) for text, _, ty in runs if text.endswith("bias=False)")]
    assert ends and all(ty == y for _, ty in ends), f"the 120-column line is broken over lines: {ends}, starting at y={y}"
    _, y_long = line("self.residual_block_depthwise")
    _, y_next = line("def forward(")
    continued = [(text, x) for text, x, ty in runs if y_next < ty < y_long]
    assert continued, "a 190-column line fits on none of the papers: it wraps"
    for text, x in continued:
        # The line is indented 8 columns; its continuation 12 (a column is at least 6.5 pt · 0.6 = 3.9 pt wide).
        assert x - column_0 > 10 * 3.9, f"the continuation {text!r} starts {x - column_0:.1f} pt from column 0: no hanging indent"


# The newcomer's Q10: a MobileNetV2 block, 12 lines of Keras and a diagram ten layers tall. At its own size the
# diagram did not fit beside the code: code on one page, diagram on the next, half of each blank.
INVERTED_RESIDUAL = {"framework": "keras", "input_shape": [28, 28, 32], "layers": [
    {"Conv2D": {"filters": 192, "kernel_size": 1, "use_bias": False}, "name": "block_expand"},
    {"BatchNormalization": {}, "name": "block_expand_bn"},
    {"ReLU": {"max_value": 6}, "name": "block_expand_relu"},
    {"DepthwiseConv2D": {"kernel_size": 3, "padding": "same", "use_bias": False}, "name": "block_depthwise"},
    {"BatchNormalization": {}, "name": "block_depthwise_bn"},
    {"ReLU": {"max_value": 6}, "name": "block_depthwise_relu"},
    {"Conv2D": {"filters": 32, "kernel_size": 1, "use_bias": False}, "name": "block_project"},
    {"BatchNormalization": {}, "name": "block_project_bn"},
    {"Add": {}, "name": "block_add", "inputs": ["input", "block_project_bn"]}]}


@pytest.fixture(scope="module", params=["a4", "letter"])
def inverted_residual(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Exam, str]:
    bank = tmp_path_factory.mktemp("bank") / "inverted-residual.yaml"
    bank.write_text(json.dumps({"title": {"en": "Blocks"}, "questions": [
        {"id": "first", "kind": "output_shape", "network": {"framework": "keras", "input_shape": [8], "layers": [{"Dense": {"units": 4}}]},
         "layer": 0},
        {"id": "inverted-residual", "kind": "total_params", "network": INVERTED_RESIDUAL}]}), encoding="utf-8")
    return generate_exam([load_bank(bank)], 1, [Student("S001", "")], lang="en")[0], request.param


@pytest.mark.pdf
def test_code_and_a_tall_diagram_print_on_one_page(inverted_residual: tuple[Exam, str]) -> None:
    """The diagram is made smaller (not below 3/4 of its size) so that its question fits on one page."""
    exam, paper = inverted_residual
    reader = _student_pdf(exam, paper)
    pages = [{text for text, _, _ in _runs(reader, page)} for page in range(len(reader.pages))]
    where = {wanted: [n for n, texts in enumerate(pages) if any(t.startswith(wanted) for t in texts)]
             for wanted in ("Question 2", "import keras", "9 · Add", "Input", "Answer:")}
    start = where["Question 2"][0]
    assert where["import keras"][-1] == start and where["9 · Add"] == [start] and where["Answer:"][-1] == start, \
        f"question 2 is split over pages: {where}"


def test_screens_show_a_diagram_at_its_own_size(inverted_residual: tuple[Exam, str]) -> None:
    exam, paper = inverted_residual
    docs = DocumentSet(exam, "en", paper)
    variant = exam.variants[0]
    views = views_for(docs, variant)
    assert "--fit:" in student_html(docs, variant, views, Target.PDF)
    assert "--fit:" not in student_html(docs, variant, views, Target.HTML)
