"""Worksheets and answer keys: golden HTML, escaping, files written, shards, determinism, the CLI.

Golden files live in tests/golden/render/: the input key.json (generated from bank.yaml there)
and the HTML of the first student's worksheet and key in English and Chinese. The shared
stylesheet is stripped before comparing, so a CSS tweak does not rewrite every golden file.
Rewrite them with ``python -m pytest tests/test_render.py --update-golden``.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizgen.bank import load_bank
from quizgen.cli import app
from quizgen.exam import Exam, load_key, write_key
from quizgen.generate import generate_exam
from quizgen.render import (
    DocumentSet,
    Shard,
    ShardError,
    Target,
    key_html,
    parse_shard,
    render_outputs,
    safe_names,
    student_html,
    views_for,
)
from quizgen.roster import Student

GOLDEN = Path(__file__).parent / "golden" / "render"
STUDENTS = [Student("S001", "Ada Lovelace"), Student("S002", "李雷")]


@pytest.fixture(scope="module")
def exam(request: pytest.FixtureRequest) -> Exam:
    key = GOLDEN / "key.json"
    if request.config.getoption("--update-golden") or not key.exists():
        generated, _ = generate_exam([load_bank(GOLDEN / "bank.yaml")], 5, STUDENTS, lang="en")
        write_key(generated, key)
    return load_key(key)


def strip_volatile(html: str) -> str:
    """The shared stylesheet is not content: keep the per-document <style> (paper, footer), drop the first."""
    return re.sub(r"<style>\n/\* Worksheets and answer keys.*?</style>", "<style>/* worksheet.css */</style>", html, count=1, flags=re.S)


def _compare(name: str, actual: str, update: bool) -> None:
    path = GOLDEN / name
    if update or not path.exists():
        path.write_text(actual, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(list(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), name, "actual"))[:60])
        pytest.fail(f"{name} differs from the golden file (run pytest --update-golden if intended):\n{diff}")


@pytest.mark.parametrize(("lang", "target"), [("en", Target.HTML), ("zh", Target.HTML), ("en", Target.PDF)])
def test_golden_html(exam: Exam, lang: str, target: Target, update_golden: bool) -> None:
    docs = DocumentSet(exam, lang)
    variant = exam.variants[0]
    views = views_for(docs, variant)
    suffix = "" if target is Target.HTML else "-print"
    _compare(f"student-{lang}{suffix}.html", strip_volatile(student_html(docs, variant, views, target)), update_golden)
    _compare(f"key-{lang}{suffix}.html", strip_volatile(key_html(docs, variant, views, target)), update_golden)


def test_html_is_self_contained(exam: Exam) -> None:
    docs = DocumentSet(exam, "en")
    for variant in exam.variants:
        views = views_for(docs, variant)
        for html in (student_html(docs, variant, views), key_html(docs, variant, views)):
            assert not re.search(r"\b(?:src|href)\s*=|url\(|@import|<link\b|<script\b", html, flags=re.I)
            assert re.findall(r"https?://[^\s\"']+", html) == ["http://www.w3.org/2000/svg"] * html.count("<svg")


@pytest.mark.pdf
def test_files_written_and_returned(exam: Exam, tmp_path: Path) -> None:
    written = render_outputs(exam, tmp_path, {"key", "html", "pdf", "practice-html"}, jobs=2, shard=None)
    expected = {f"{folder}/{sid}.{ext}" for folder in ("students", "keys") for sid in ("S001", "S002") for ext in ("html", "pdf")}
    expected |= {"class.pdf", "keys.pdf", "answers.csv", "answers.pdf"}
    assert {str(Path(p).relative_to(tmp_path)) for p in written} == expected
    assert len(written) == len(set(written))
    on_disk = {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()}
    assert on_disk == expected, "no stray temporary files, no practice pages (another writer owns them)"


@pytest.mark.pdf
def test_same_key_same_bytes(exam: Exam, tmp_path: Path) -> None:
    """HTML and PDF bytes depend only on the key: two runs (one with a process pool) agree."""
    one, two = tmp_path / "one", tmp_path / "two"
    render_outputs(exam, one, {"html", "pdf"}, jobs=1, shard=None)
    render_outputs(exam, two, {"html", "pdf"}, jobs=2, shard=None)

    def digests(root: Path) -> dict[str, str]:
        return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}

    assert digests(one) == digests(two)


# -- escaping -------------------------------------------------------------------------------

HOSTILE_NAME = "<script>alert(1)</script>"


@pytest.mark.pdf
def test_roster_and_bank_text_is_escaped(exam: Exam, tmp_path: Path) -> None:
    import dataclasses

    variant = dataclasses.replace(exam.variants[0], student_id="x/../<b>id</b>", student_name=HOSTILE_NAME)
    hostile = dataclasses.replace(exam, variants=(variant,), course='</style><script>alert("c")</script>', title='Quiz "1" & <i>2</i>')
    written = render_outputs(hostile, tmp_path, {"html", "pdf"}, jobs=1, shard=None)
    for path in map(Path, written):
        assert path.parent in (tmp_path, tmp_path / "students", tmp_path / "keys")
        assert re.fullmatch(r"[A-Za-z0-9._-]+", path.name), path.name
    for path in (p for p in map(Path, written) if p.suffix == ".html"):
        html = path.read_text(encoding="utf-8")
        assert "<script" not in html.lower()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;b&gt;id&lt;/b&gt;" in html
        assert html.count("</style>") == 2, "text in the footer CSS cannot close the <style> element"
        assert "Quiz &#34;1&#34; &amp; &lt;i&gt;2&lt;/i&gt;" in html
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(next(p for p in written if p.endswith(".pdf") and "students" in p)).pages)
    assert HOSTILE_NAME in text, "the name prints as the text it is"


# -- shards and file names -------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [("1/1", Shard(1, 1)), ("2/8", Shard(2, 8)), (" 3 / 3 ", Shard(3, 3)), (None, None)])
def test_parse_shard(text: str | None, expected: Shard | None) -> None:
    assert parse_shard(text) == expected


@pytest.mark.parametrize("text", ["", "1", "0/3", "4/3", "1/0", "-1/2", "a/b", "1/2/3", "1.5/2"])
def test_parse_shard_rejects(text: str) -> None:
    with pytest.raises(ShardError, match="shard"):
        parse_shard(text)


@pytest.mark.parametrize("total", [0, 1, 2, 7, 300])
@pytest.mark.parametrize("count", [1, 2, 3, 8])
def test_shards_cover_the_roster_once(total: int, count: int) -> None:
    positions = [p for i in range(1, count + 1) for p in Shard(i, count).slice(total)]
    assert positions == list(range(total))


@pytest.mark.pdf
def test_shards_write_disjoint_files(exam: Exam, tmp_path: Path) -> None:
    from pypdf import PdfReader

    first = render_outputs(exam, tmp_path, {"pdf"}, jobs=1, shard="1/2")
    second = render_outputs(exam, tmp_path, {"pdf"}, jobs=1, shard="2/2")
    assert not set(first) & set(second)
    assert {Path(p).name for p in first + second} >= {"S001.pdf", "S002.pdf", "class-1-of-2.pdf", "class-2-of-2.pdf",
                                                      "keys-1-of-2.pdf", "keys-2-of-2.pdf", "answers-1-of-2.csv", "answers-2-of-2.pdf"}
    for part, student in (("1", "S001"), ("2", "S002")):
        pages = len(PdfReader(tmp_path / "students" / f"{student}.pdf").pages)
        assert len(PdfReader(tmp_path / f"class-{part}-of-2.pdf").pages) == pages + pages % 2  # padded for duplex


def test_safe_names() -> None:
    ids = ["S001", "s001", "a b", "a_b", "ünï", "学生1", "../etc/passwd", "CON", "", "x" * 200, "a.b-c_d"]
    names = safe_names(ids)
    assert len({n.lower() for n in names}) == len(ids), "unique even on case-insensitive file systems"
    for name in names:
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,80}", name), name
    assert names[-1] == "a.b-c_d", "a clean id is kept as it is"
    assert safe_names(ids) == names, "stable"


# -- the command line ------------------------------------------------------------------------

@pytest.fixture
def generated(exam: Exam, tmp_path: Path) -> Path:
    write_key(exam, tmp_path / "key.json")
    return tmp_path


def test_cli_render_html_in_chinese(generated: Path) -> None:
    result = CliRunner().invoke(app, ["render", str(generated), "--format", "html", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    html = (generated / "students" / "S002.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html and "练习卷" in html and "李雷" in html
    assert not (generated / "class.pdf").exists()


@pytest.mark.pdf
def test_cli_render_letter_pdf_one_shard(generated: Path) -> None:
    from pypdf import PdfReader

    result = CliRunner().invoke(app, ["render", str(generated), "--format", "pdf", "--paper", "letter", "--shard", "2/2", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert not (generated / "students" / "S001.pdf").exists()
    box = PdfReader(generated / "students" / "S002.pdf").pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


@pytest.mark.parametrize("args", [["--shard", "0/2"], ["--shard", "2"], ["--format", "docx"], ["--format", ""], ["--lang", "fr"],
                                  ["--paper", "a5"], ["--jobs", "0"]])
def test_cli_render_usage_errors(generated: Path, args: list[str]) -> None:
    result = CliRunner().invoke(app, ["render", str(generated), *args])
    assert result.exit_code == 2, result.output


def test_cli_render_bad_key(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["render", str(tmp_path)])
    assert result.exit_code == 1 and "key.json: no such file" in result.output
    (tmp_path / "key.json").write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["render", str(tmp_path)])
    assert result.exit_code == 1 and "invalid JSON" in result.output and "Traceback" not in result.output


def test_generate_renders_html(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["generate", str(GOLDEN / "bank.yaml"), "--seed", "3", "--count", "2", "--out", str(tmp_path),
                                      "--format", "key,html"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "students" / "S002.html").exists() and (tmp_path / "keys" / "S001.html").exists()
