"""LMS exports of a key full of hostile text: the same bytes as before the writers were sped up (issue 15).

The goldens under tests/golden/lms/hostile.* were written by the ElementTree-based writers (main at
ee26dd3), before the Moodle writer wrote whole questions as strings and the exports read the compact key
directly. The exam mixes every question kind of the small bank with decimal kinds and a Keras graph
summary, and puts into its ids, title, prompts, worked steps and mistake explanations what an XML, HTML or
GIFT writer must escape: ``< > & " '``, a CDATA end ``]]>``, ``--`` (comments), braces and GIFT's
``~=#:\\``, control characters, line breaks, non-BMP characters and Chinese. Keys are read in both forms
(compact, key_format 2, and the full form, key_format 1), through the CLI's fast path and in process.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from functools import cache
from pathlib import Path

import pytest
from test_export_golden import _stable
from test_export_support import TESTS, small_exam
from typer.testing import CliRunner

from quizgen.bank import load_bank
from quizgen.cli import _fast, app
from quizgen.exam import Exam, MistakeValue, Question, exam_to_json, load_key, write_key
from quizgen.generate import generate_exam
from quizgen.keyformat import compact_exam
from quizgen.lms import LmsFormat, export_exam
from quizgen.roster import numbered_students

GOLDEN = TESTS / "golden" / "lms"
BANKS = TESTS.parent / "banks"
HOSTILE = ' <b>&amp;</b> "q" \'s ]]> -- {1:x} {} ~=#:\\ \x01\x0b\r\n\t 😀𝕏 参数 </text></question><!-- x --> 1.5e3 007 conv2d '
EXTRA = {"memory": "mem-weights", "design-ratios": "ratio-separable-macs", "residual-and-attention": "residual-summary"}


def _hostile(text: str, n: int) -> str:
    return f"{text}{HOSTILE}#{n}"


@cache
def hostile_exam() -> Exam:
    extra = []
    for bank, template in EXTRA.items():
        loaded = load_bank(BANKS / f"{bank}.yaml")
        exam, _ = generate_exam([loaded], 3, numbered_students(1), lang="en")
        extra.append([next(q for q in v.questions if q.template == template) for v in exam.variants])
    base = small_exam("en", 1)
    counter = iter(range(1_000_000))

    def texts(mapping: object) -> dict[str, str]:
        assert isinstance(mapping, dict)
        return {lang: _hostile(text, next(counter)) for lang, text in mapping.items()}

    def mutate(q: Question, k: int) -> Question:
        mistakes = tuple(dataclasses.replace(m, explanation=texts(dict(m.explanation))) if i % 2 == 0 else m
                         for i, m in enumerate(q.mistakes[:5]))  # a few: the goldens stay small
        solution = {lang: tuple(_hostile(s, next(counter)) if j == 0 else s for j, s in enumerate(steps))
                    for lang, steps in q.solution.items()}
        qid = q.id if k % 3 else f'{q.id}<&>"--😀'
        return dataclasses.replace(q, id=qid, template=qid, prompt=texts(dict(q.prompt)), solution=solution, mistakes=mistakes)

    variants = []
    for i, variant in enumerate(base.variants):
        questions = [*variant.questions, *(column[i] for column in extra)]
        sid = f'S<2>&"--😀{HOSTILE[:12]}'
        variants.append(dataclasses.replace(variant, student_id=sid, student_name=f"N{HOSTILE}",
                                            questions=tuple(mutate(q, k) for k, q in enumerate(questions))))
    return dataclasses.replace(base, title=f"T{HOSTILE}", titles={}, variants=tuple(variants))


def _shown(fmt: LmsFormat, data: bytes) -> str:
    if fmt is not LmsFormat.QTI:
        return _stable(data.decode("utf-8"))
    archive = zipfile.ZipFile(io.BytesIO(data))
    return "\n".join(f"==> {_stable(info.filename)} <==\n" + ("(diagram)" if info.filename.endswith(".svg")
                                                             else _stable(archive.read(info).decode("utf-8")))
                     for info in archive.infolist())


CASES = [(LmsFormat.MOODLE, "en", "hostile.moodle.xml"), (LmsFormat.MOODLE, "zh", "hostile.zh.moodle.xml"),
         (LmsFormat.GIFT, "en", "hostile.gift"), (LmsFormat.QTI, "en", "hostile.qti.txt")]


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    compact, full = folder / "key.json", folder / "full.json"
    write_key(hostile_exam(), compact)
    full.write_text(json.dumps(exam_to_json(hostile_exam()), ensure_ascii=False), encoding="utf-8")
    assert json.loads(compact.read_text(encoding="utf-8"))["key_format"] == 2
    return {"compact": compact, "full": full}


@pytest.mark.parametrize(("fmt", "lang", "name"), CASES)
def test_hostile_exports_are_the_golden_bytes(fmt: LmsFormat, lang: str, name: str, keys: dict[str, Path],
                                              update_golden: bool, tmp_path: Path) -> None:
    path = GOLDEN / name
    actual = _shown(fmt, export_exam(hostile_exam(), fmt, lang=lang))
    if update_golden or not path.exists():
        path.write_bytes(actual.encode("utf-8"))
        if not update_golden:
            pytest.fail(f"{path} did not exist; written now, check it in")
    golden = path.read_bytes().decode("utf-8")
    assert actual == golden, f"{name} changed; if intended, run pytest --update-golden"
    for form, key in keys.items():
        assert _shown(fmt, export_exam(load_key(key), fmt, lang=lang)) == golden, form
        # The command refuses a key holding a character XML cannot carry (only a hand-edited key has one).
        out = tmp_path / f"{form}.out"
        assert not _fast.run_fast(["export", str(key), "--format", fmt.value, "--lang", lang, "--out", str(out)])
        result = CliRunner().invoke(app, ["export", str(key), "--format", fmt.value, "--lang", lang, "--out", str(out)])
        assert result.exit_code == 1 and not out.exists()
        assert re.fullmatch(rf"error: {re.escape(str(key))} line \d+ column \d+: a string holds the control character U\+000[1B] "
                            r"\(written \\u000[1bB]\), which Moodle XML and QTI cannot carry; remove it\n", result.output), result.output


@pytest.mark.parametrize(("fmt", "lang", "name"), CASES)
def test_the_command_exports_hostile_text_without_control_characters_as_the_library_does(
        fmt: LmsFormat, lang: str, name: str, tmp_path: Path) -> None:
    exam = _without_control_characters(hostile_exam())
    expected = _shown(fmt, export_exam(exam, fmt, lang=lang))
    for form, text in (("compact", json.dumps(compact_exam(exam), ensure_ascii=False)),
                       ("full", json.dumps(exam_to_json(exam), ensure_ascii=False))):
        key, out = tmp_path / f"{form}.json", tmp_path / f"{form}.out"
        key.write_text(text, encoding="utf-8")
        assert _fast.run_fast(["export", str(key), "--format", fmt.value, "--lang", lang, "--out", str(out)])
        assert _shown(fmt, out.read_bytes()) == expected, form


def test_the_hostile_moodle_file_is_what_elementtree_reads_and_writes_back() -> None:
    """Where the text allows XML at all (no control characters), the file parses and ElementTree writes
    back exactly these bytes; every question's text and answer feedback come back as given."""
    text = export_exam(_without_control_characters(hostile_exam()), LmsFormat.MOODLE).decode("utf-8")
    head, body = text.split("\n", 1)
    assert head == '<?xml version="1.0" encoding="UTF-8"?>'
    root = ET.fromstring(body, parser=ET.XMLParser(target=ET.TreeBuilder(insert_comments=True)))  # noqa: S314 - our own output
    ET.indent(root, "  ")
    assert ET.tostring(root, encoding="unicode", short_empty_elements=False) + "\n" == body
    questions = [q for q in root.iter("question") if q.get("type") != "category"]
    prompts = [q.find("questiontext/text").text for q in questions]  # type: ignore[union-attr]
    assert all(p is not None and "]]&gt; --" in p and "😀𝕏" in p for p in prompts)  # the HTML escapes the ">"


def _without_control_characters(exam: Exam) -> Exam:
    return dataclasses.replace(exam, variants=tuple(dataclasses.replace(v, questions=tuple(
        _without_controls(q) for q in v.questions), student_name="") for v in exam.variants), title="T" + _clean(HOSTILE))


def _clean(text: str) -> str:
    """Without what XML 1.0 cannot hold (control characters) or reads back changed (a carriage return)."""
    return text.replace("\x01", "").replace("\x0b", "").replace("\r", "")


def _without_controls(q: Question) -> Question:
    clean = _clean
    return dataclasses.replace(
        q, prompt={k: clean(v) for k, v in q.prompt.items()},
        solution={k: tuple(map(clean, v)) for k, v in q.solution.items()},
        mistakes=tuple(MistakeValue(m.codes, m.value, {k: clean(v) for k, v in m.explanation.items()}, m.cell) for m in q.mistakes))
