"""Grade the variant the LMS served, not the one the roster gave.

A Moodle quiz built from random questions (one category per template, as `quizgen export`
lays it out) and a Canvas quiz built from question groups pick each student's variant
themselves; key.json's variant for that student is then only one of many. Every exported
question text ends with ``[quizgen <question id> <variant code>]``, which the reports carry
back (Moodle's "Question N" columns, Canvas' question column titles): the answer is graded
against exactly that question of the key, whoever it was generated for, with its mistakes.

A served question fills the student's own slot of the same template (the i-th question of a
template a student was served fills their i-th question of it), so per-question scores stay in
the key's columns. A question text without a reference is graded by the column's position, but
only where every variant of the template grades alike; a report that does not say which
variant was served is refused when the key has several (never graded against the roster's).
"""

from __future__ import annotations

__all__ = ["ServedPlan", "check_served_report"]

import dataclasses
import json
from collections.abc import Iterable

from ..errors import Location, ResponseError
from ..exam import Exam, Question, QuestionKind, Variant
from ..spec import spec_to_mapping
from .mapping import ColumnPlan
from .model import UNTAGGED, Problem, ProblemKind, ResponseFormat, ResponseRow, ResponseTable


def _grades_as(q: Question) -> str:
    """What decides a grade: two questions with equal keys grade every answer alike (a choice's
    option order aside: LMS reports give the chosen option's text)."""
    answer = q.answer
    options = q.details.get("options")
    if q.kind is QuestionKind.CHOICE and isinstance(options, list) and isinstance(answer, int) and 0 <= answer < len(options):
        answer = options[answer]
    mistakes = sorted(json.dumps([list(m.codes), m.value, m.cell], default=str) for m in q.mistakes)
    return json.dumps([q.id, q.kind.value, q.points, spec_to_mapping(q.spec), q.layer, answer, mistakes], default=str, sort_keys=True)


def ambiguous_templates(variants: Iterable[Variant]) -> set[str]:
    """Templates whose variants do not all grade alike."""
    first: dict[str, tuple[Question, str]] = {}
    varying: set[str] = set()
    for v in variants:
        for q in v.questions:
            known = first.get(q.template)
            if known is None:
                first[q.template] = (q, _grades_as(q))
            elif q.template not in varying and q is not known[0] and _grades_as(q) != known[1]:
                varying.add(q.template)
    return varying


def check_served_report(exam: Exam, table: ResponseTable) -> set[str] | None:
    """The templates with several variants when the table comes from an LMS (else None); refuses a
    Moodle report that does not say which variant each student was served."""
    if table.format not in (ResponseFormat.MOODLE, ResponseFormat.CANVAS):
        return None
    varying = ambiguous_templates(exam.variants)
    if varying and not table.served_columns:
        named = ", ".join(sorted(varying)[:3]) + (", ..." if len(varying) > 3 else "")
        raise ResponseError(
            f"the Moodle report has no 'Question N' columns, so it does not say which variant of {named} Moodle gave each "
            "student (a random question picks one per student): in the quiz's Responses report tick 'Question text' "
            "(with 'Response') under the display options, download it again and grade that file",
            Location(file=table.source, row=1))
    return varying


class ServedPlan:
    """Per row: the questions the LMS served, in the student's own slots, and the answers to them."""

    def __init__(self, exam: Exam, table: ResponseTable, plan: ColumnPlan, varying: set[str]) -> None:
        self.table = table
        self.plan = plan
        self.varying = varying
        self.index: dict[tuple[str, str], Question] = {}
        self.clashes: set[tuple[str, str]] = set()  # two students with one variant code (5 bytes of a hash)
        for v in exam.variants:
            for q in v.questions:
                found = self.index.setdefault((q.id, v.code), q)
                if found is not q and _grades_as(found) != _grades_as(q):
                    self.clashes.add((q.id, v.code))
        self.problems: list[Problem] = []
        self._reported: set[str] = set()

    def _report(self, kind: ProblemKind, row: int | None, student: str, message: str, zh: str) -> None:
        if message not in self._reported:
            self._reported.add(message)
            self.problems.append(Problem(kind, row, student, message, zh=zh))

    def _by_position(self, own: tuple[Question, ...], column: int, row: ResponseRow) -> int | None:
        """The slot a column without a reference answers, by the column plan (position or --map)."""
        target = self.plan.targets[column]
        if isinstance(target, int):
            slot = target if target < len(own) else None
        else:
            slot = next((i for i, q in enumerate(own) if q.id == target), None)
        name = self.table.columns[column]
        if slot is None:
            self._report(ProblemKind.UNMAPPED_COLUMN, None, "", f"column {name!r} answers no question of the students: not graded",
                         f"列 {name!r} 不回答学生的任何题目:未评分")
            return None
        template = own[slot].template
        if template in self.varying:
            raise ResponseError(
                f"{name!r}: the question text carries no [quizgen <question id> <variant code>] reference and question "
                f"{own[slot].id!r} has several variants in the key, so which one the student was served is unknown; "
                "export the quiz again with quizgen export (every question carries its reference) "
                f"or leave the column out with --map '{name}=-'",
                Location(file=self.table.source, row=row.row))
        return slot

    def assign(self, variant: Variant, row: ResponseRow) -> tuple[Variant, tuple[str, ...]]:
        own = variant.questions
        chosen: list[Question | None] = [None] * len(own)
        codes = [variant.code] * len(own)  # the variant each slot's question came from
        texts = [""] * len(own)
        for column, ref in enumerate(row.served):
            if ref is None or self.plan.targets[column] is None:
                continue  # nothing served there, or the column is left out (--map COLUMN=-)
            name = self.table.columns[column]
            if ref == UNTAGGED:
                slot = self._by_position(own, column, row)
                if slot is None:
                    continue
                served = own[slot]
            else:
                found = self.index.get(ref)
                if found is None or ref in self.clashes:
                    why = ("is no question of this key (a quiz exported from another exam or seed?)" if found is None else
                           "names two different questions of this key (two students share the variant code)")
                    raise ResponseError(f"{name!r}: [quizgen {ref[0]} {ref[1]}] {why}", Location(file=self.table.source, row=row.row))
                served = found
                free = [i for i, q in enumerate(own) if q.template == served.template and chosen[i] is None]
                if not free:
                    self.problems.append(Problem(
                        ProblemKind.UNMAPPED_COLUMN, row.row, variant.student_id,
                        f"column {name!r} holds question {served.id!r} (variant {ref[1]}), but the student's questions of "
                        f"{served.template!r} are answered in other columns: not graded ({row.answers[column]!r})",
                        zh=f"列 {name!r} 是题目 {served.id!r} (版本 {ref[1]}),但该学生属于 {served.template!r} 的题目已在其他列作答:"
                           f"未评分 ({row.answers[column]!r})"))
                    continue
                slot = free[0]
            if chosen[slot] is not None:
                self.problems.append(Problem(ProblemKind.UNMAPPED_COLUMN, row.row, variant.student_id,
                                             f"column {name!r} answers question {own[slot].id!r} a second time: not graded "
                                             f"({row.answers[column]!r})",
                                             zh=f"列 {name!r} 再次回答了题目 {own[slot].id!r}:未评分 ({row.answers[column]!r})"))
                continue
            chosen[slot] = served if served.id == own[slot].id else dataclasses.replace(served, id=own[slot].id)
            codes[slot] = ref[1] if ref != UNTAGGED else variant.code
            texts[slot] = row.answers[column]
        for slot, q in enumerate(chosen):
            if q is None:
                self._report(ProblemKind.MISSING_QUESTION, None, "", f"some students were served no question {own[slot].id!r} "
                             "in the report: graded as blank", f"报告中有学生没有收到题目 {own[slot].id!r}:按未作答评分")
        questions = tuple(q if q is not None else own[i] for i, q in enumerate(chosen))
        changed = any(a is not b for a, b in zip(questions, own, strict=True))
        if not changed:
            return variant, tuple(texts)
        # The variant codes the student was served, in question order (their feedback page and grades.csv
        # named the roster's variant, which the student never saw).
        served_codes = ", ".join(dict.fromkeys(codes))
        return dataclasses.replace(variant, questions=questions, code=served_codes), tuple(texts)
