"""How an exam becomes an LMS question bank: one group of variants per question template.

Every LMS format exports the same structure. Moodle puts a template's variants into one
category, so a quiz slot holding a "random question" from that category gives each student
a different variant; Canvas gets one question group per template picking as many items as
each student answers. Variants that came out identical (a template with a small parameter
space) are exported once: an LMS picks variants at random, so duplicates only bloat the
bank. Each exported question keeps the quizgen question id and the variant code of the
first student who had it, so LMS responses map back to key.json.
"""

from __future__ import annotations

__all__ = ["Entry", "Group", "category_path", "content_key", "exam_groups", "exam_label", "find_reference", "key_groups", "stable_id"]

import hashlib
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from ..exam import Exam, Question
from ..spec import spec_to_mapping

if TYPE_CHECKING:
    from ..keyformat import CompactQuestions


class Entry:
    """One distinct question as exported, named after the first variant that has it. Its question may be
    made when first asked for (`key_groups`): an export then makes each question in the process that writes it."""

    __slots__ = ("_made", "_make", "code", "shared_by", "student_id")

    def __init__(self, question: Question | None, student_id: str, code: str, shared_by: int, *,
                 make: Callable[[], Question] | None = None) -> None:
        if question is None and make is None:
            raise ValueError("an entry needs its question or a way to make it")
        self._made, self._make = question, make
        self.student_id = student_id
        self.code = code
        self.shared_by = shared_by  # how many students' variants contain exactly this question

    @property
    def question(self) -> Question:
        made = self._made
        if made is None:
            assert self._make is not None
            made = self._made = self._make()
        return made

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Entry):
            return NotImplemented
        return (self.student_id, self.code, self.shared_by, self.question) == (
            other.student_id, other.code, other.shared_by, other.question)

    def __hash__(self) -> int:
        return hash((self.student_id, self.code, self.shared_by))

    def __repr__(self) -> str:
        return f"Entry({self.question.id!r}, {self.student_id!r}, {self.code!r}, shared_by={self.shared_by})"

    @property
    def name(self) -> str:
        """The LMS question name, e.g. ``conv-params [S001 4KQ2ZX]``."""
        return f"{self.question.id} [{self.student_id} {self.code}]"

    @property
    def reference(self) -> str:
        """Printed at the end of the question text: LMS response reports carry the text, not the name
        (Moodle's Responses report in its "Question N" columns, Canvas' Student Analysis in its
        question column titles), so `find_reference` tells the grader which variant a student was served."""
        return f"quizgen {self.question.id} {self.code}"

    @property
    def idnumber(self) -> str:
        return f"{self.question.id}-{self.code}"


# "[quizgen conv2d-params BOPV3W]" as it survives Moodle's html_to_text and Canvas' strip_tags
# (entities may stay encoded, lines may be re-wrapped).
_REFERENCE = re.compile(r"\[\s*quizgen\s+(.+?)\s+([A-Z0-9]+)\s*\]", re.DOTALL)


def find_reference(text: str) -> tuple[str, str] | None:
    """(question id, variant code) of the last quizgen reference in an LMS question text, or None."""
    found = _REFERENCE.findall(text)
    if not found:
        return None
    qid, code = found[-1]
    return html.unescape(" ".join(qid.split())), code


@dataclass(frozen=True, slots=True)
class Group:
    template: str
    entries: tuple[Entry, ...]
    pick: int  # questions of this template each student answers (the template's repeat)
    points: float


def content_key(question: Question) -> str:
    """Everything a student sees or is graded on; equal keys mean interchangeable questions."""
    return json.dumps({
        "id": question.id, "kind": question.kind.value, "points": question.points,
        "spec": spec_to_mapping(question.spec), "layer": question.layer, "prompt": dict(question.prompt),
        "answer": question.answer, "details": dict(question.details),
        "solution": {lang: list(steps) for lang, steps in question.solution.items()},
        "mistakes": [[list(m.codes), m.value, m.cell, dict(m.explanation)] for m in question.mistakes],
    }, sort_keys=True, ensure_ascii=False)


@dataclass
class _Seen:
    question: Question
    student_id: str
    code: str
    count: int = 1


def _sketch(question: Question) -> tuple[object, ...]:
    """A few fields of `content_key`: equal content keys have equal sketches, so a question whose sketch no
    other question of its template shares is distinct without its content key (most of a class set: a
    content key costs ~30 µs, a third of a 3000-question export's grouping, issue 15)."""
    return (question.id, question.kind, question.layer, len(question.mistakes),
            json.dumps(question.answer, sort_keys=True, ensure_ascii=False))


def exam_groups(exam: Exam) -> tuple[Group, ...]:
    """Groups in the order of the exam's templates; entries in roster order of first appearance."""
    drawn = [[(question, (question.template, _sketch(question))) for question in variant.questions] for variant in exam.variants]
    sketches: dict[tuple[str, tuple[object, ...]], int] = {}
    for questions in drawn:
        for _, sketch in questions:
            sketches[sketch] = sketches.get(sketch, 0) + 1
    seen: dict[str, dict[object, _Seen]] = {}  # template -> content key -> first variant with it
    pick: dict[str, int] = {}
    points: dict[str, float] = {}
    for variant, questions in zip(exam.variants, drawn, strict=True):
        per_template: dict[str, int] = {}
        for question, sketch in questions:
            template = question.template
            distinct = seen.setdefault(template, {})
            points.setdefault(template, question.points)
            per_template[template] = per_template.get(template, 0) + 1
            key: object = content_key(question) if sketches[sketch] > 1 else sketch  # a sketch is no JSON string
            if key in distinct:
                distinct[key].count += 1
            else:
                distinct[key] = _Seen(question, variant.student_id, variant.code)
        for template, count in per_template.items():
            pick[template] = max(pick.get(template, 0), count)
    groups = []
    for template, distinct in seen.items():  # dicts keep insertion order: the exam's template order
        entries = tuple(Entry(s.question, s.student_id, s.code, s.count) for s in distinct.values())
        groups.append(Group(template, entries, min(pick[template], len(entries)), points[template]))
    return tuple(groups)


@dataclass
class _Place:
    variant: int
    question: int
    student_id: str
    code: str
    count: int = 1


def key_groups(key: CompactQuestions) -> tuple[Group, ...]:
    """`exam_groups` of a compact key, without making every question first (issue 15: a 3000-question export
    made them all before it forked, then wrote half of them in each process).

    Questions are told apart as `exam_groups` tells them apart, by what is cheapest first: the sketch read
    straight off a question's fields in the key (the fields `_sketch` reads off the question made from
    them); where a sketch is shared, the sketch and the network's spec as a made question holds it (a
    class set's convolutions share their answers: parameters do not depend on the input's size); and
    where that too is shared, the made question's content key. Equal questions agree at every step, so
    the groups are those of `exam_groups`. Each entry makes its question when the export writes it; a
    question no entry holds equals another, so it was made here for its content key: every question is
    made, and a damaged one fails the export as it fails reading the key. Raises on anything unusual
    (the caller then reads the key the general way, which names the problem)."""
    made: dict[tuple[int, int], Question] = {}

    def question(i: int, j: int) -> Question:
        found = made.get((i, j))
        if found is None:
            found = made[i, j] = key.question(i, j)
        return found

    spec_json: dict[int, str] = {}

    def with_spec(sketch: tuple[object, ...], index: int) -> tuple[object, ...]:
        found = spec_json.get(index)
        if found is None:
            found = spec_json[index] = json.dumps(spec_to_mapping(key.spec(index)), sort_keys=True, ensure_ascii=False)
        return (*sketch, found)

    drawn: list[list[tuple[str, tuple[object, ...]]]] = []
    sketches: dict[tuple[str, tuple[object, ...]], int] = {}
    for v in key.variants:
        questions: list[tuple[str, tuple[object, ...]]] = []
        for q in v["questions"]:
            qid, mistakes = q["id"], q["mistakes"]
            if not isinstance(qid, str) or not isinstance(mistakes, list) or type(q["points"]) not in (int, float):
                raise TypeError("question")
            answer = q.get("answer")
            if type(answer) not in (int, str):  # equal JSON of an int or a string means an equal int or string
                answer = json.dumps(answer, sort_keys=True, ensure_ascii=False)
            sketch: tuple[str, tuple[object, ...]] = (str(q.get("template", qid)), (qid, q["kind"], q.get("layer"), len(mistakes), answer))
            sketches[sketch] = sketches.get(sketch, 0) + 1
            questions.append(sketch)
        drawn.append(questions)
    refined: dict[tuple[object, ...], int] = {}
    for v, questions in zip(key.variants, drawn, strict=True):
        for q, sketch in zip(v["questions"], questions, strict=True):
            if sketches[sketch] > 1:
                finer = with_spec(sketch, q["spec"])
                refined[finer] = refined.get(finer, 0) + 1
    seen: dict[str, dict[object, _Place]] = {}
    pick: dict[str, int] = {}
    points: dict[str, float] = {}
    for i, (v, questions) in enumerate(zip(key.variants, drawn, strict=True)):
        student, code = key.student_id(i), str(v.get("code", ""))
        per_template: dict[str, int] = {}
        for j, sketch in enumerate(questions):
            template = sketch[0]
            distinct = seen.setdefault(template, {})
            points.setdefault(template, float(v["questions"][j]["points"]))
            per_template[template] = per_template.get(template, 0) + 1
            found: object = sketch[1]  # a tuple: never equal to a content key (a string)
            if sketches[sketch] > 1:
                found = with_spec(sketch, v["questions"][j]["spec"])
                if refined[found] > 1:
                    found = content_key(question(i, j))
            if found in distinct:  # (so a content key: the tuples are each question's own)
                distinct[found].count += 1
            else:
                distinct[found] = _Place(i, j, student, code)
        for template, count in per_template.items():
            pick[template] = max(pick.get(template, 0), count)
    groups = []
    for template, distinct in seen.items():
        entries = tuple(Entry(made.get((p.variant, p.question)), p.student_id, p.code, p.count,
                              make=partial(question, p.variant, p.question)) for p in distinct.values())
        groups.append(Group(template, entries, min(pick[template], len(entries)), points[template]))
    return tuple(groups)


def exam_label(exam: Exam) -> str:
    """Names the exam's category: two exams from one bank with different seeds must not merge."""
    return f"{exam.title or 'quizgen'} (seed {exam.seed})"


def _category_part(name: str) -> str:
    # Moodle splits category paths on "/"; a slash inside a name is written "//".
    return " ".join(name.replace("/", "//").split())


def category_path(exam: Exam, template: str | None = None) -> str:
    parts = ["$course$", "quizgen", _category_part(exam_label(exam))]
    if template is not None:
        parts.append(_category_part(template))
    return "/".join(parts)


def stable_id(*parts: str, size: int = 16) -> str:
    """A content-derived identifier (32 hex digits by default): same exam, same ids."""
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=size).hexdigest()
