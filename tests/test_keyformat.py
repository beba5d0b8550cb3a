"""key.json's compact form (quizgen/keyformat.py): lossless, a quarter of the full form or less, old keys still read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from quizgen.bank import load_bank
from quizgen.errors import KeyFileError
from quizgen.exam import Exam, exam_from_json, exam_to_json, load_key, write_key
from quizgen.generate import generate_exam
from quizgen.keyformat import COMPACT_FORMAT, compact_exam, compact_key, expand_key, read_compact
from quizgen.roster import numbered_students

BENCH_BANK = Path(__file__).parent / "benchmarks" / "conv2d-x10.yaml"
runner = CliRunner()


@pytest.fixture(scope="module")
def mixed_exams() -> list[Exam]:
    """Every question kind the shipped banks have, in both exam languages."""
    banks = [load_bank(name) for name in ("seed-examples", "conv-basics", "full-models", "inverse", "compute", "recurrent",
                                          "receptive-field", "pooling-and-shapes")]
    return [generate_exam(banks, 7, numbered_students(3), lang=lang)[0] for lang in ("en", "zh")]


def test_compact_form_expands_to_the_full_form_exactly(mixed_exams: list[Exam]) -> None:
    for exam in mixed_exams:
        full = exam_to_json(exam)
        compact = json.loads(json.dumps(compact_key(full), ensure_ascii=False))
        assert compact["key_format"] == COMPACT_FORMAT and "variants" in compact and compact["texts"]
        assert expand_key(compact) == full


def test_compact_exam_writes_what_compacting_the_full_form_gives(mixed_exams: list[Exam]) -> None:
    bench, _ = generate_exam([load_bank(BENCH_BANK)], 1, numbered_students(40))  # shared variants and repeats
    for exam in [*mixed_exams, bench]:
        direct = json.dumps(compact_exam(exam), ensure_ascii=False, separators=(",", ":"))
        assert direct == json.dumps(compact_key(exam_to_json(exam)), ensure_ascii=False, separators=(",", ":"))


def test_written_key_reads_back_as_the_same_exam(mixed_exams: list[Exam], tmp_path: Path) -> None:
    for exam in mixed_exams:
        write_key(exam, tmp_path / "key.json")
        assert json.loads((tmp_path / "key.json").read_text(encoding="utf-8"))["key_format"] == COMPACT_FORMAT
        assert exam_to_json(load_key(tmp_path / "key.json")) == exam_to_json(exam)


def test_an_older_full_form_key_still_reads(mixed_exams: list[Exam], tmp_path: Path) -> None:
    full = exam_to_json(mixed_exams[1])
    (tmp_path / "key.json").write_text(json.dumps(full, ensure_ascii=False), encoding="utf-8")
    assert exam_to_json(load_key(tmp_path / "key.json")) == full


def test_key_command_prints_the_full_form_of_either_form(mixed_exams: list[Exam], tmp_path: Path) -> None:
    full = exam_to_json(mixed_exams[0])
    write_key(mixed_exams[0], tmp_path / "compact.json")
    (tmp_path / "full.json").write_text(json.dumps(full), encoding="utf-8")
    for name in ("compact.json", "full.json"):
        shown = runner.invoke(app(), ["key", str(tmp_path / name)])
        assert shown.exit_code == 0, shown.output
        assert json.loads(shown.stdout) == full
    written = runner.invoke(app(), ["key", str(tmp_path / "compact.json"), "--out", str(tmp_path / "expanded.json")])
    assert written.exit_code == 0 and written.stdout == ""
    assert json.loads((tmp_path / "expanded.json").read_text(encoding="utf-8")) == full


def app() -> Any:
    from quizgen.cli import app as typer_app

    return typer_app


def test_a_class_key_is_a_quarter_of_the_full_form(tmp_path: Path) -> None:
    exam, _ = generate_exam([load_bank(BENCH_BANK)], 1, numbered_students(60))
    write_key(exam, tmp_path / "key.json")
    compact = (tmp_path / "key.json").stat().st_size
    full = len(json.dumps(exam_to_json(exam), ensure_ascii=False, separators=(",", ":")).encode())
    assert compact * 4 <= full, (compact, full)


@pytest.mark.parametrize("text", [
    "plain", "", "{} and {{}} and {0.__class__} stay text", "conv2d keeps its 2, Conv2D too", "１８２０７ full-width", "007 and 0 and 10",
    "1.5 × 10 = 15", "-3 + 4", "x" + "9" * 40, "第 2 层 (conv2d) 有多少个参数?", "(None, 26, 26, 32)", "{", "}",
])
def test_every_sentence_comes_back_character_for_character(text: str) -> None:
    full = _one_question_key({"en": text, "zh": text + " 中"})
    assert expand_key(json.loads(json.dumps(compact_key(full)))) == full


def _one_question_key(prompt: dict[str, str]) -> dict[str, Any]:
    question = {"id": "q", "template": "q", "kind": "params", "topic": "", "points": 1.0,
                "spec": {"framework": "keras", "input_shape": [8, 8, 3], "layers": [{"Conv2D": {"filters": 4, "kernel_size": 3}}]},
                "layer": 0, "prompt": prompt, "answer": 112, "solution": {"en": [prompt["en"]], "zh": [prompt["zh"]]}, "details": {},
                "mistakes": [{"code": "forgot_bias", "codes": ["forgot_bias"], "value": 108,
                              "explanation": prompt["en"] + " 108", "translations": {"zh": prompt["zh"] + " 108"}}]}
    return {"quizgen_version": "0.1.0", "key_format": 1,
            "exam": {"title": "t", "course": "", "lang": "en", "seed": 1, "banks": [], "instructions": {}, "total_points": 1.0},
            "variants": [{"student_id": "S1", "student_name": "", "code": "X", "questions": [question]}]}


@pytest.mark.parametrize(("change", "message"), [
    (lambda k: k["texts"].__setitem__(0, "{0.__class__}"), "must be a string of text, {} and doubled braces"),
    (lambda k: k["texts"].__setitem__(0, 5), "must be a string of text"),
    (lambda k: k["variants"][0]["questions"][0].__setitem__("prompt", [[0, 1], 1, 2, 3, 4]), "takes"),
    (lambda k: k["variants"][0]["questions"][0].__setitem__("prompt", [[99, 1]]), "99 is not an index into texts"),
    (lambda k: k["variants"][0]["questions"][0].__setitem__("spec", 7), "spec must be an index into specs"),
    (lambda k: k["variants"][0]["questions"][0]["mistakes"].__setitem__(0, [9, 1]), "not a mistake reference"),
    (lambda k: k.pop("texts"), "field 'texts' must be a list"),
    (lambda k: k.__setitem__("key_format", 3), "key_format 3 is not supported"),
])
def test_a_damaged_compact_key_is_one_clear_error(change: Any, message: str) -> None:
    key = compact_key(_one_question_key({"en": "layer 1 of 2", "zh": "第 1 层, 共 2"}))
    change(key)
    with pytest.raises(KeyFileError) as caught:
        exam_from_json(key)
    assert message in str(caught.value)


def _general(compact: dict[str, Any]) -> Exam:
    full = expand_key(compact)
    assert full["key_format"] == 1
    return exam_from_json(full)


def test_a_compact_key_is_read_straight_into_the_exam_the_general_reader_gives(mixed_exams: list[Exam]) -> None:
    """read_compact builds the questions from the references (issue 15); it gives the very exam that expanding
    the key to its full form and reading that gives, also for mistakes stored whole and texts per language."""
    odd = exam_to_json(mixed_exams[0])
    question = odd["variants"][0]["questions"][0]
    question["prompt"] = {"zh": question["prompt"]["zh"], "en": question["prompt"]["en"]}  # not in the order of langs
    question["mistakes"][0]["code"] = "not_the_first_code"  # kept whole, not as a form
    for exam_json in [*(exam_to_json(exam) for exam in mixed_exams), odd]:
        compact = json.loads(json.dumps(compact_key(exam_json), ensure_ascii=False))
        fast = read_compact(compact)
        assert fast is not None and fast == _general(compact)
    assert any(isinstance(m, dict) for m in compact["variants"][0]["questions"][0]["mistakes"])


@pytest.mark.parametrize("change", [
    lambda k: k["texts"].__setitem__(0, "{0.__class__}"),
    lambda k: k["variants"][0]["questions"][0].__setitem__("prompt", [[0, 1], 1, 2, 3, 4]),
    lambda k: k["variants"][0]["questions"][0].__setitem__("spec", 7),
    lambda k: k["variants"][0]["questions"][0].__setitem__("kind", "nonsense"),
    lambda k: k["variants"][0]["questions"][0].__setitem__("points", "1"),
    lambda k: k["variants"][0]["questions"][0].pop("id"),
    lambda k: k["variants"][0].__setitem__("student_id", 5),
    lambda k: k["exam"].__setitem__("titles", 5),
    lambda k: k["specs"][0].__setitem__("layers", 5),
])
def test_what_the_straight_reader_does_not_read_is_left_to_the_general_reader(change: Any) -> None:
    key = compact_key(_one_question_key({"en": "layer 1 of 2", "zh": "第 1 层, 共 2"}))
    assert read_compact(key) is not None
    change(key)
    assert read_compact(key) is None
    with pytest.raises(KeyFileError):
        exam_from_json(key)
