"""PDFs as a reader gets them: every question in the text, sane page counts, combined class files,
Chinese text that extracts as the right characters from an embedded CJK font, and a clear
warning (never silent empty boxes) when no such font is installed."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from system import require_cjk_font

from quizgen.bank import load_bank
from quizgen.exam import Exam
from quizgen.generate import generate_exam
from quizgen.render import MissingFontError, MissingFontWarning, render_outputs
from quizgen.render import pdf as pdf_module
from quizgen.roster import Student

BANK = Path(__file__).parent / "golden" / "render" / "bank.yaml"
CJK = re.compile(r"[\u4e00-\u9fff]")
pytestmark = pytest.mark.pdf


def _exam(lang: str, count: int = 2) -> Exam:
    students = [Student(f"S{i:03d}", f"Student {i}") for i in range(1, count + 1)]
    return generate_exam([load_bank(BANK)], 9, students, lang=lang)[0]


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> tuple[Exam, Path]:
    out = tmp_path_factory.mktemp("en")
    exam = _exam("en", 3)
    render_outputs(exam, out, {"pdf"}, jobs=2, shard=None)
    return exam, out


@pytest.fixture(scope="module")
def chinese(tmp_path_factory: pytest.TempPathFactory) -> tuple[Exam, Path]:
    require_cjk_font()
    out = tmp_path_factory.mktemp("zh")
    exam = _exam("zh", 1)
    render_outputs(exam, out, {"pdf"}, jobs=1, shard=None)
    return exam, out


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_question_is_in_the_pdf_text(english: tuple[Exam, Path]) -> None:
    exam, out = english
    for variant in exam.variants:
        text = _text(out / "students" / f"{variant.student_id}.pdf")
        squashed = _squash(text)
        for number, question in enumerate(variant.questions, start=1):
            assert f"Question {number}" in text
            words = re.sub(r"[^A-Za-z ]", " ", question.prompt["en"]).split()[:6]
            assert _squash(" ".join(words)) in re.sub(r"[^A-Za-z]", "", squashed), f"{question.id}: prompt missing from the PDF text"
        assert variant.code in text and variant.student_name in text
        assert re.search(r"Page 1 of \d+", text), "footer with page numbers"


def test_page_counts_are_sane_and_class_files_add_up(english: tuple[Exam, Path]) -> None:
    exam, out = english
    total_students = total_keys = 0
    for variant in exam.variants:
        pages = len(PdfReader(out / "students" / f"{variant.student_id}.pdf").pages)
        keys = len(PdfReader(out / "keys" / f"{variant.student_id}.pdf").pages)
        assert 1 <= pages <= len(variant.questions), "a worksheet never needs more than a page per question"
        assert 1 <= keys <= 2 * len(variant.questions)
        total_students += pages
        total_keys += keys
    combined = PdfReader(out / "class.pdf")
    assert len(combined.pages) >= total_students
    assert len(PdfReader(out / "keys.pdf").pages) >= total_keys
    assert [item.title for item in combined.outline if not isinstance(item, list)] == [
        f"{v.student_id} {v.student_name}" for v in exam.variants], "one bookmark per student, in roster order"


def test_keys_show_answers_students_do_not(english: tuple[Exam, Path]) -> None:
    exam, out = english
    variant = exam.variants[0]
    question = next(q for q in variant.questions if q.id == "total")
    key_text = _text(out / "keys" / f"{variant.student_id}.pdf")
    assert str(question.answer) in key_text and "Answer key" in key_text
    assert str(question.answer) not in _text(out / "students" / f"{variant.student_id}.pdf")


def test_a4_by_default(english: tuple[Exam, Path]) -> None:
    _, out = english
    box = PdfReader(out / "class.pdf").pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def _fonts(reader: PdfReader) -> dict[str, bool]:
    """BaseFont name -> whether the font program is embedded (FontFile/2/3 in its descriptor)."""
    found: dict[str, bool] = {}

    def visit(font: Any) -> None:
        font = font.get_object()
        for descendant in font.get("/DescendantFonts", []):
            visit(descendant)
        descriptor = font.get("/FontDescriptor")
        if descriptor is not None:
            descriptor = descriptor.get_object()
            found[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))

    for page in reader.pages:
        for font in (page.get("/Resources", {}).get("/Font", {}) or {}).values():
            visit(font)
    return found


def test_chinese_pdf_extracts_chinese_from_an_embedded_font(chinese: tuple[Exam, Path]) -> None:
    exam, out = chinese
    variant = exam.variants[0]
    reader = PdfReader(out / "students" / f"{variant.student_id}.pdf")
    text = _squash("".join(page.extract_text() for page in reader.pages))
    assert "练习卷" in text and "说明" in text and "第1题" in text
    for question in variant.questions:
        chinese_run = "".join(CJK.findall(question.prompt["zh"]))[:8]
        assert chinese_run and chinese_run in "".join(CJK.findall(text)), f"{question.id}: {chinese_run} not extracted"
    fonts = _fonts(reader)
    assert any("CJK" in name for name in fonts), f"no CJK font used: {sorted(fonts)}"
    assert all(fonts.values()), f"every font is embedded: {fonts}"
    assert "答案" in _squash(_text(out / "keys" / f"{variant.student_id}.pdf"))


def test_missing_cjk_font_refuses_before_writing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(pdf_module, "_matched_family", lambda family: "DejaVu Sans")
    with pytest.raises(MissingFontError, match="fonts-noto-cjk"):
        render_outputs(_exam("zh", 1), tmp_path, {"html", "pdf"}, jobs=1, shard=None)
    assert list(tmp_path.iterdir()) == [], "nothing written: not even the HTML"


def test_missing_cjk_font_allowed_warns(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(pdf_module, "_matched_family", lambda family: "DejaVu Sans")
    with pytest.warns(MissingFontWarning, match="fonts-noto-cjk"):
        render_outputs(_exam("zh", 1), tmp_path, {"pdf"}, jobs=1, shard=None, allow_missing_font=True)
    assert (tmp_path / "class.pdf").exists()


def _starts(reader: PdfReader) -> list[int]:
    """The page index each bookmark (one per student) points at."""
    return [reader.get_destination_page_number(item) for item in reader.outline if not isinstance(item, list)]


def test_combined_pdfs_start_every_student_on_a_fresh_sheet(english: tuple[Exam, Path]) -> None:
    exam, out = english
    for name, folder in (("class.pdf", "students"), ("keys.pdf", "keys")):
        reader = PdfReader(out / name)
        pages = [len(PdfReader(out / folder / f"{v.student_id}.pdf").pages) for v in exam.variants]
        assert any(n % 2 for n in pages), "the fixture must have an odd-length document to pad"
        padded = [n + n % 2 for n in pages]
        assert _starts(reader) == [sum(padded[:i]) for i in range(len(padded))], name
        assert len(reader.pages) == sum(padded)
        for start, n in zip(_starts(reader), pages, strict=True):
            if n % 2:
                assert not (reader.pages[start + n].extract_text() or "").strip(), "the padding page is blank"


def test_simplex_adds_no_blank_pages(tmp_path: Path) -> None:
    exam = _exam("en", 2)
    render_outputs(exam, tmp_path, {"pdf"}, jobs=1, shard=None, duplex=False)
    reader = PdfReader(tmp_path / "class.pdf")
    pages = [len(PdfReader(tmp_path / "students" / f"{v.student_id}.pdf").pages) for v in exam.variants]
    assert len(reader.pages) == sum(pages)
    assert _starts(reader) == [sum(pages[:i]) for i in range(len(pages))]


def test_no_font_warning_for_english(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(pdf_module, "_matched_family", lambda family: "DejaVu Sans")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        render_outputs(_exam("en", 1), tmp_path, {"pdf"}, jobs=1, shard=None)
