"""Reading a compact key's mistakes (issue 15): each mistake form is checked once, then its ~10 mistakes
per question are filled straight in; anything unusual still goes the general way, with its message."""

from __future__ import annotations

import json
from typing import Any

import pytest

from quizgen.errors import KeyFileError
from quizgen.exam import exam_from_json
from quizgen.keyformat import _Reader, compact_key, expand_key


def _key(explanations: list[tuple[str, str]]) -> dict[str, Any]:
    mistakes = [{"code": "forgot_bias", "codes": ["forgot_bias"], "value": 100 + i, "explanation": en, "translations": {"zh": zh}}
                for i, (en, zh) in enumerate(explanations)]
    question = {"id": "q", "template": "q", "kind": "params", "topic": "", "points": 1.0,
                "spec": {"framework": "keras", "input_shape": [8, 8, 3], "layers": [{"Conv2D": {"filters": 4, "kernel_size": 3}}]},
                "layer": 0, "prompt": {"en": "p", "zh": "p"}, "answer": 112, "solution": {"en": ["s"], "zh": ["s"]}, "details": {},
                "mistakes": mistakes}
    return {"quizgen_version": "0.1.0", "key_format": 1,
            "exam": {"title": "t", "course": "", "lang": "en", "seed": 1, "banks": [], "instructions": {}, "total_points": 1.0},
            "variants": [{"student_id": "S1", "student_name": "", "code": "X", "questions": [question]}]}


def test_mistakes_of_one_form_come_back_exactly_and_the_form_is_checked_once() -> None:
    full = _key([(f"{n} = 4·({n}·3): you forgot it", f"{n} = 4·({n}·3):忘了") for n in (3, 5, 7)])
    compact = json.loads(json.dumps(compact_key(full)))
    assert len(compact["mistake_forms"]) == 1
    assert expand_key(compact) == full
    reader = _Reader(compact)
    refs = compact["variants"][0]["questions"][0]["mistakes"]
    assert [reader.mistake(ref, "en", "here") for ref in refs] == full["variants"][0]["questions"][0]["mistakes"]
    assert list(reader._forms) == [0]  # one form, checked once for its three mistakes


def test_a_mistake_with_a_number_too_many_is_an_error() -> None:
    compact = compact_key(_key([("3 = 4·3: no", "3 = 4·3:不")]))
    compact["variants"][0]["questions"][0]["mistakes"][0].append(9)
    with pytest.raises(KeyFileError, match="takes 3 numbers, got 4"):
        exam_from_json(compact)


def test_languages_that_differ_in_their_numbers_stay_whole() -> None:
    full = _key([("3 = 4·3: no", "3 不")])  # not the same numbers: kept as a full-form mistake
    assert expand_key(json.loads(json.dumps(compact_key(full)))) == full
