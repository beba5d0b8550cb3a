"""How printed worksheets look: the header of a long title, diagram labels inside their lane, code
that wraps without losing its indentation, instructions said once, and questions kept on one page."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader
from system import require_cjk_font

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
