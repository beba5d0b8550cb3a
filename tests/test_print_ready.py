"""Print-ready PDFs: no PDFs of empty boxes without a Chinese font, a long first question that
starts on page 1, and worked-solution numbers on the baseline of their step."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader
from system import require_cjk_font
from typer.testing import CliRunner

from quizgen.bank import load_bank
from quizgen.bank.model import Domain, Template
from quizgen.cli import app
from quizgen.exam import Exam
from quizgen.generate import generate_exam
from quizgen.render import pdf as pdf_module
from quizgen.render import render_outputs
from quizgen.roster import Student

runner = CliRunner()
pytestmark = pytest.mark.pdf


@pytest.fixture(scope="module")
def long_first_question(tmp_path_factory: pytest.TempPathFactory) -> tuple[Exam, Path]:
    """full-models opens with a summary question whose code, diagram and blank table fill most of a page."""
    require_cjk_font()
    out = tmp_path_factory.mktemp("long")
    exam = generate_exam([load_bank("full-models"), load_bank("recurrent")], 1, [Student("S001", "")], lang="zh")[0]
    render_outputs(exam, out, {"pdf"}, jobs=1, shard=None)
    return exam, out


def _positioned_text(path: Path, page: int) -> list[tuple[str, float]]:
    """(text run, baseline y in PDF points) in drawing order."""
    runs: list[tuple[str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            runs.append((text.strip(), round(cm[3] * tm[5] + cm[5], 1)))

    PdfReader(path).pages[page].extract_text(visitor_text=visit)
    return runs


@pytest.mark.parametrize("folder", ["students", "keys"])
def test_a_long_first_question_starts_on_page_1(long_first_question: tuple[Exam, Path], folder: str) -> None:
    _, out = long_first_question
    first_page = re.sub(r"\s+", "", PdfReader(out / folder / "S001.pdf").pages[0].extract_text())
    assert "说明" in first_page and "第1题" in first_page, "page 1 holds more than the header and instructions"


def test_solution_step_numbers_sit_on_the_baseline(long_first_question: tuple[Exam, Path]) -> None:
    _, out = long_first_question
    runs = [run for page in range(2) for run in _positioned_text(out / "keys" / "S001.pdf", page)]
    numbered = [(runs[i], runs[i + 1]) for i in range(len(runs) - 1) if re.fullmatch(r"\d+\.", runs[i][0])]
    assert len(numbered) >= 5, f"the worked solution's numbered steps were not found: {runs[:40]}"
    for (number, y_number), (text, y_text) in numbered:
        assert abs(y_number - y_text) < 0.5, f"step {number} sits at {y_number}, its text {text[:20]!r} at {y_text}"


def test_generate_without_a_chinese_font_exits_1_before_writing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(pdf_module, "_matched_family", lambda family: "DejaVu Sans")
    out = tmp_path / "exam"
    result = runner.invoke(app, ["generate", "conv-basics", "--seed", "1", "--count", "1", "--lang", "zh",
                                 "--format", "key,pdf", "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "fonts-noto-cjk" in result.output and "--allow-missing-font" in result.output
    assert not out.exists() or not any(out.iterdir()), "no key, no PDFs of empty boxes"
    allowed = runner.invoke(app, ["generate", "conv-basics", "--seed", "1", "--count", "1", "--lang", "zh",
                                  "--format", "key,html", "--out", str(out)])
    assert allowed.exit_code == 0, "HTML needs no font of ours: the browser brings its own"


def test_render_without_a_chinese_font_exits_1_unless_allowed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert runner.invoke(app, ["generate", "conv-basics", "--seed", "1", "--count", "1", "--lang", "zh",
                               "--out", str(tmp_path)]).exit_code == 0
    monkeypatch.setattr(pdf_module, "_matched_family", lambda family: "DejaVu Sans")
    refused = runner.invoke(app, ["render", str(tmp_path), "--format", "pdf", "--jobs", "1"])
    assert refused.exit_code == 1 and "fonts-noto-cjk" in refused.output
    assert not (tmp_path / "class.pdf").exists()
    allowed = runner.invoke(app, ["render", str(tmp_path), "--format", "pdf", "--jobs", "1", "--allow-missing-font"])
    assert allowed.exit_code == 0 and "fonts-noto-cjk" in allowed.output
    assert (tmp_path / "class.pdf").exists()


def _pinned(bank: str, template_id: str, **values: object) -> Template:
    """One template of a shipped bank with some parameters fixed (the tallest network it can draw)."""
    template = next(t for t in load_bank(bank).templates if t.id == template_id)
    params = tuple(replace(p, values=(values[p.name],)) if isinstance(p, Domain) and p.name in values else p
                   for p in template.params)
    return replace(template, params=params)


@pytest.fixture(scope="module", params=["a4", "letter"])
def tall_diagrams(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Exam, Path]:
    """A 4-layer DenseNet block and a 3-block VGG: their diagrams, 16 layers tall, are higher than a page."""
    templates = (_pinned("residual-and-attention", "dense-block-channels", framework="pytorch", depth=4),
                 _pinned("receptive-field", "rf-vgg", framework="pytorch", blocks=2))
    bank = replace(load_bank("residual-and-attention"), templates=templates)
    exam = generate_exam([bank], 7, [Student("S001", "")], lang="en")[0]
    out = tmp_path_factory.mktemp(f"tall-{request.param}")
    render_outputs(exam, out, {"pdf"}, jobs=1, shard=None, paper=request.param)
    return exam, out


def test_a_diagram_taller_than_a_page_is_drawn_whole_inside_the_page(tall_diagrams: tuple[Exam, Path]) -> None:
    """Every layer of the diagram, the asked one included, is drawn above the page's bottom margin
    (18 mm): a diagram never splits, so one taller than a page used to run off it and lose its last layers."""
    _, out = tall_diagrams
    bottom = 18 / 25.4 * 72  # the bottom page margin of worksheet.css, in PDF points
    pdf = out / "students" / "S001.pdf"  # the keys show a layer table instead
    headings = [(text, y) for page in range(len(PdfReader(pdf).pages)) for text, y in _positioned_text(pdf, page)
                if re.fullmatch(r"\d+ · \S+", text)]
    for wanted in ("16 · torch.cat", "16 · Conv2d"):  # the asked layers: dense.3.concat and head
        assert wanted in {text for text, _ in headings}, f"{wanted} is not drawn"
    for text, y in headings:
        assert y > bottom, f"diagram layer {text!r} sits at y={y} pt, below the page's text area"
