"""Export groups: a question whose few cheap fields no other question of its template shares is distinct
without its content key (issue 15); the groups are exactly those that comparing every content key gives."""

from __future__ import annotations

import dataclasses

from test_export_support import TESTS, small_exam

from quizgen.bank import load_bank
from quizgen.exam import Exam
from quizgen.generate import generate_exam
from quizgen.lms import groups as lms_groups
from quizgen.lms.groups import Entry, Group, _Seen, content_key, exam_groups
from quizgen.roster import numbered_students

BENCH_BANK = TESTS / "benchmarks" / "conv2d-x10.yaml"


def _by_content_key(exam: Exam) -> tuple[Group, ...]:
    """exam_groups as it was: every question's content key compared."""
    seen: dict[str, dict[str, _Seen]] = {}
    pick: dict[str, int] = {}
    points: dict[str, float] = {}
    for variant in exam.variants:
        per_template: dict[str, int] = {}
        for question in variant.questions:
            distinct = seen.setdefault(question.template, {})
            points.setdefault(question.template, question.points)
            per_template[question.template] = per_template.get(question.template, 0) + 1
            key = content_key(question)
            if key in distinct:
                distinct[key].count += 1
            else:
                distinct[key] = _Seen(question, variant.student_id, variant.code)
        for template, count in per_template.items():
            pick[template] = max(pick.get(template, 0), count)
    return tuple(Group(t, tuple(Entry(s.question, s.student_id, s.code, s.count) for s in d.values()),
                       min(pick[t], len(d)), points[t]) for t, d in seen.items())


def _twins(exam: Exam) -> Exam:
    """Questions that agree in id, kind, layer, answer and number of mistakes but not in their network
    or their texts, beside exact copies: only the content key tells them apart."""
    first = exam.variants[0]
    other_spec = dataclasses.replace(first.questions[0], spec=first.questions[1].spec)
    other_text = dataclasses.replace(first.questions[0], prompt={**first.questions[0].prompt, "en": "another prompt"})
    extra = dataclasses.replace(first, student_id="TWIN", questions=(other_spec, other_text, first.questions[0], *first.questions[1:]))
    return dataclasses.replace(exam, variants=(*exam.variants, extra, dataclasses.replace(extra, student_id="TWIN2")))


def test_groups_are_those_of_comparing_every_content_key() -> None:
    bench, _ = generate_exam([load_bank(BENCH_BANK)], 1, numbered_students(60))  # shared variants and repeats
    for exam in (small_exam("en", 4), small_exam("zh", 4), bench, _twins(small_exam("en", 4))):
        assert exam_groups(exam) == _by_content_key(exam)


def test_only_questions_whose_sketch_is_shared_get_a_content_key(monkeypatch: object) -> None:
    exam, _ = generate_exam([load_bank(BENCH_BANK)], 1, numbered_students(60))
    calls = []
    original = lms_groups.content_key

    def counting(question: object) -> str:
        calls.append(question)
        return original(question)  # type: ignore[arg-type]

    monkeypatch.setattr(lms_groups, "content_key", counting)  # type: ignore[attr-defined]
    exam_groups(exam)
    total = sum(len(v.questions) for v in exam.variants)
    shared = total - sum(len(g.entries) for g in exam_groups(exam))
    assert shared >= 1 and 2 * shared <= len(calls) < total / 4  # each shared question and its first, few others
