"""Generation works out each distinct variant once (issue 15): the same network drawn for another
repeat of a template (q-3 for one student, q-7 for another) is the same built question, renamed."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizgen.bank import load_bank
from quizgen.bank.sample import fingerprint
from quizgen.exam import exam_to_json
from quizgen.generate import generate_exam
from quizgen.roster import numbered_students
from quizgen.spec import NetworkSpec

BANK = Path(__file__).parent / "benchmarks" / "conv2d-x10.yaml"


def test_a_network_drawn_for_two_repeats_is_built_once() -> None:
    exam, _ = generate_exam([load_bank(BANK)], 1, numbered_students(60))
    first_seen = {}
    shared = 0
    for variant in exam.variants:
        for question in variant.questions:
            key = (fingerprint(question.spec), question.layer)
            other = first_seen.setdefault(key, question)
            if other.id != question.id:
                # Built once: the worked mistakes are the very same objects, only the id differs.
                assert other.mistakes is question.mistakes and other.solution is question.solution
                assert exam_to_json_question(other) == {**exam_to_json_question(question), "id": other.id}
                shared += 1
    assert shared > 0


def exam_to_json_question(question: object) -> dict[str, object]:
    from quizgen.exam import Exam, Variant

    exam = Exam("t", "", "en", 1, (), {}, (Variant("s", "", "c", (question,)),))  # type: ignore[arg-type]
    return exam_to_json(exam)["variants"][0]["questions"][0]  # type: ignore[no-any-return]


def test_each_drawn_network_is_fingerprinted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fingerprint worked out for a draw serves generation too (it took three per question; issue 15)."""
    from quizgen import generate
    from quizgen.bank import sample

    calls: list[object] = []
    real = sample.fingerprint

    def counted(spec: NetworkSpec) -> str:
        calls.append(spec)
        return real(spec)

    monkeypatch.setattr(sample, "fingerprint", counted)
    monkeypatch.setattr(generate, "fingerprint", counted, raising=False)
    exam, report = generate_exam([load_bank(BANK)], 1, numbered_students(40))
    questions = sum(len(v.questions) for v in exam.variants)
    assert questions <= len(calls) < 2 * questions
    assert report.distinct == {"conv2d-params": len({(fingerprint(q.spec), q.layer) for v in exam.variants for q in v.questions})}
