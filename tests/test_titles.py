"""An exam's title in every language its banks give, named after all its banks, kept in key.json
(an additive field: older keys still load) and used when rendering in another language."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from quizgen.cli import app
from quizgen.exam import load_key

runner = CliRunner()


def _generate(out: Path, *extra: str) -> None:
    result = runner.invoke(app, ["generate", "conv-basics", "pooling-and-shapes", "--seed", "1", "--count", "1",
                                 "--lang", "zh", "--out", str(out), *extra])
    assert result.exit_code == 0, result.output


def _html_title(path: Path) -> str:
    found = re.search(r"<h1>(.*?)</h1>", path.read_text(encoding="utf-8"))
    assert found
    return found.group(1)


def test_a_chinese_exam_renders_in_english_with_the_banks_english_titles(tmp_path: Path) -> None:
    _generate(tmp_path)
    key = json.loads((tmp_path / "key.json").read_text(encoding="utf-8"))
    assert key["exam"]["title"] == "卷积基础 · 池化与特征图形状", "every bank's title, not only the first's"
    assert key["exam"]["titles"] == {"en": "Convolution basics · Pooling and feature-map shapes", "zh": "卷积基础 · 池化与特征图形状"}
    assert runner.invoke(app, ["render", str(tmp_path), "--lang", "en", "--format", "html"]).exit_code == 0
    assert _html_title(tmp_path / "students" / "S001.html") == "Convolution basics · Pooling and feature-map shapes"
    assert runner.invoke(app, ["render", str(tmp_path), "--lang", "zh", "--format", "html"]).exit_code == 0
    assert _html_title(tmp_path / "keys" / "S001.html") == "卷积基础 · 池化与特征图形状"


def test_an_explicit_title_serves_every_language(tmp_path: Path) -> None:
    _generate(tmp_path, "--title", "期中测验")
    assert "titles" not in json.loads((tmp_path / "key.json").read_text(encoding="utf-8"))["exam"]
    assert runner.invoke(app, ["render", str(tmp_path), "--lang", "en", "--format", "html"]).exit_code == 0
    assert _html_title(tmp_path / "students" / "S001.html") == "期中测验"


def test_a_key_written_before_titles_existed_still_reads(tmp_path: Path) -> None:
    _generate(tmp_path)
    key = json.loads((tmp_path / "key.json").read_text(encoding="utf-8"))
    del key["exam"]["titles"]
    (tmp_path / "key.json").write_text(json.dumps(key, ensure_ascii=False), encoding="utf-8")
    exam = load_key(tmp_path / "key.json")
    assert exam.titles == {} and exam.in_language("en").title == "卷积基础 · 池化与特征图形状"
    assert runner.invoke(app, ["render", str(tmp_path), "--lang", "en", "--format", "html"]).exit_code == 0


def test_malformed_titles_are_one_clear_error(tmp_path: Path) -> None:
    _generate(tmp_path)
    key = json.loads((tmp_path / "key.json").read_text(encoding="utf-8"))
    key["exam"]["titles"] = ["en"]
    (tmp_path / "key.json").write_text(json.dumps(key), encoding="utf-8")
    result = runner.invoke(app, ["render", str(tmp_path), "--format", "html"])
    assert result.exit_code == 1 and "titles" in result.output and "Traceback" not in result.output


def test_grade_in_english_names_a_chinese_exam_in_english(tmp_path: Path) -> None:
    _generate(tmp_path / "exam")
    (tmp_path / "responses.csv").write_text("student_id\nS001\n", encoding="utf-8")
    result = runner.invoke(app, ["grade", str(tmp_path / "exam" / "key.json"), str(tmp_path / "responses.csv"),
                                 "--out", str(tmp_path / "graded"), "--lang", "en"])
    assert result.exit_code == 0, result.output
    report = (tmp_path / "graded" / "report.html").read_text(encoding="utf-8")
    assert "Convolution basics · Pooling and feature-map shapes" in report and "卷积基础" not in report


def test_export_in_english_names_a_chinese_exam_in_english(tmp_path: Path) -> None:
    """The Moodle category and the QTI assessment carry the title in the language of the exported questions."""
    _generate(tmp_path / "exam")
    key = str(tmp_path / "exam" / "key.json")
    for fmt, name in (("moodle", "q.xml"), ("gift", "q.gift")):
        result = runner.invoke(app, ["export", key, "--format", fmt, "--lang", "en", "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert "Convolution basics · Pooling and feature-map shapes (seed 1)" in text and "卷积基础" not in text
    result = runner.invoke(app, ["export", key, "--format", "moodle", "--lang", "zh", "--out", str(tmp_path / "zh.xml")])
    assert result.exit_code == 0 and "卷积基础 · 池化与特征图形状 (seed 1)" in (tmp_path / "zh.xml").read_text(encoding="utf-8")
