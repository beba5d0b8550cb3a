"""Exporting a compact key question by question (issue 15, `lms.fromkey`): the groups that `exam_groups`
gives after reading the whole key, the same bytes in one or two processes, every question read, and any
key this way cannot read handed back to the general way (which reports it as ever)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from test_export_support import TESTS, small_exam
from typer.testing import CliRunner

from quizgen.bank import load_bank
from quizgen.cli import _fast, app
from quizgen.exam import exam_from_json
from quizgen.generate import generate_exam
from quizgen.keyformat import CompactQuestions, compact_exam
from quizgen.lms import LmsFormat, export_exam
from quizgen.lms import groups as lms_groups
from quizgen.lms.fromkey import export_key_data
from quizgen.lms.groups import exam_groups, key_groups
from quizgen.roster import numbered_students

BENCH_BANK = TESTS / "benchmarks" / "conv2d-x10.yaml"
runner = CliRunner()


def _bench(count: int = 60) -> dict[str, Any]:
    exam, _ = generate_exam([load_bank(BENCH_BANK)], 1, numbered_students(count))  # shared answers, a few twins
    return json.loads(json.dumps(compact_exam(exam)))


def _small(lang: str) -> dict[str, Any]:
    return json.loads(json.dumps(compact_exam(small_exam(lang, 6))))


def _same_network_twice(data: dict[str, Any]) -> dict[str, Any]:
    """A hand-edited key: one network in the specs twice (once with its arguments in another order), one
    sentence in the texts twice, and a student whose first question is another's, written with those
    copies. Equal questions all the same, though their references differ."""
    data = copy.deepcopy(data)
    first = data["variants"][0]["questions"][0]
    spec = data["specs"][first["spec"]]
    reordered = {**spec, "layers": [{**layer, "kwargs": dict(reversed(list(layer.get("kwargs", {}).items())))} if "kwargs" in layer
                                    else dict(reversed(list(layer.items()))) for layer in spec["layers"]]}
    data["specs"] += [copy.deepcopy(spec), reordered]
    copies = []
    for index in (len(data["specs"]) - 2, len(data["specs"]) - 1):
        twin = copy.deepcopy(first)
        twin["spec"] = index
        copies.append(twin)
    prompt = copy.deepcopy(first)
    data["texts"].append(data["texts"][first["prompt"][0][0]])
    prompt["prompt"] = [[len(data["texts"]) - 1, *first["prompt"][0][1:]], *first["prompt"][1:]]
    copies.append(prompt)
    for other in (float(first["answer"]), str(first["answer"]), [first["answer"]]):  # a float, string or list answer is another
        changed = copy.deepcopy(first)
        changed["answer"] = other
        copies.append(changed)
    extra = copy.deepcopy(data["variants"][0])
    extra["student_id"], extra["code"] = "TWIN", "TWIN01"
    extra["questions"] = [*copies, *extra["questions"][1:]]
    data["variants"].append(extra)
    return data


KEYS = {"bench": _bench, "small-en": lambda: _small("en"), "small-zh": lambda: _small("zh"),
        "same-network-twice": lambda: _same_network_twice(_bench(8))}


@pytest.mark.parametrize("name", KEYS)
def test_the_groups_are_those_of_reading_the_whole_key(name: str) -> None:
    data = KEYS[name]()
    groups = key_groups(CompactQuestions(data))
    assert groups == exam_groups(exam_from_json(data))
    if name == "same-network-twice":  # its three copies merged with the first student's question
        assert groups[0].entries[0].shared_by == 4


def test_only_questions_equal_in_answer_and_network_are_made_before_writing(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _bench()
    made: list[tuple[int, int]] = []
    original = CompactQuestions.question

    def counting(self: CompactQuestions, i: int, j: int) -> Any:
        made.append((i, j))
        return original(self, i, j)

    monkeypatch.setattr(CompactQuestions, "question", counting)
    groups = key_groups(CompactQuestions(data))
    total = sum(len(v["questions"]) for v in data["variants"])
    duplicates = total - sum(len(g.entries) for g in groups)
    assert duplicates >= 1 and 2 * duplicates <= len(made) < total / 10  # each duplicate and its first, few others
    before = len(made)
    for group in groups:
        for entry in group.entries:
            entry.question  # noqa: B018 - made on first use, once
            entry.question  # noqa: B018
    assert len(made) > before and len(set(made)) == len(made) == total  # every question made, once


@pytest.mark.parametrize("fmt", list(LmsFormat))
@pytest.mark.parametrize("jobs", [1, 2])
def test_the_same_bytes_as_reading_the_whole_key(fmt: LmsFormat, jobs: int) -> None:
    for data in (_bench(), _small("zh"), _same_network_twice(_bench(8))):
        exam = exam_from_json(data)
        for lang in (None, "zh"):
            exported = export_key_data(data, fmt, lang=lang, jobs=jobs)
            assert exported is not None
            assert exported.data == export_exam(exam, fmt, lang=lang, groups=exam_groups(exam), jobs=1)
            assert (exported.variants, exported.questions) == (len(exam.variants), sum(len(v.questions) for v in exam.variants))


def test_a_key_this_way_does_not_read_goes_the_general_way() -> None:
    data = _bench(4)
    full = json.loads(json.dumps(data))
    full["key_format"] = 1
    assert export_key_data(full, LmsFormat.MOODLE, lang=None, jobs=1) is None  # not compact
    assert export_key_data([], LmsFormat.MOODLE, lang=None, jobs=1) is None
    unusual = copy.deepcopy(data)
    unusual["variants"][1]["questions"][2]["points"] = True  # read by the general reader as 1.0
    assert export_key_data(unusual, LmsFormat.MOODLE, lang=None, jobs=1) is None
    no_variants = {**data, "variants": []}
    assert export_key_data(no_variants, LmsFormat.MOODLE, lang=None, jobs=1) is None


def _damaged(tmp_path: Path, where: int) -> Path:
    """A key whose question at variant ``where`` refers to a mistake form that does not exist: found only
    when that question is made, which is where it is written (in the copy's half for a late variant)."""
    data = _bench()
    data["variants"][where]["questions"][3]["mistakes"][0] = [10**6, 1]
    path = tmp_path / "key.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("where", [0, 59])  # in this process's half, in the copy's half
def test_a_damaged_question_fails_the_export_with_the_usual_error(where: int, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    key = _damaged(tmp_path, where)
    monkeypatch.setattr("quizgen.lms.halves.spare_cores", lambda: 2)
    data = json.loads(key.read_text(encoding="utf-8"))
    assert export_key_data(data, LmsFormat.MOODLE, lang=None, jobs=2) is None
    assert not _fast.run_fast(["export", str(key), "--format", "moodle", "--out", str(tmp_path / "m.xml")])
    result = runner.invoke(app, ["export", str(key), "--format", "moodle", "--out", str(tmp_path / "m.xml")])
    assert result.exit_code == 1
    assert result.output.strip() == f"error: {key}: variant {where + 1} (S{where + 1:03d}) question 4 mistake 1: not a mistake reference [form, value, numbers...]"
    assert not (tmp_path / "m.xml").exists()


def test_groups_tell_twins_apart_by_their_network_then_their_content(monkeypatch: pytest.MonkeyPatch) -> None:
    """Questions equal in answer but not in network are told apart without a content key; those equal in
    both get one (and are merged only when it is equal)."""
    data = _bench()
    keyed: list[object] = []
    original = lms_groups.content_key
    monkeypatch.setattr(lms_groups, "content_key", lambda q: keyed.append(q) or original(q))
    groups = key_groups(CompactQuestions(data))
    duplicates = sum(len(v["questions"]) for v in data["variants"]) - sum(len(g.entries) for g in groups)
    assert duplicates <= len(keyed) <= 3 * duplicates
