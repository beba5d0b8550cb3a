"""Which response column answers which question.

A column is mapped by question id when its title names one (a plain CSV headed by ids, a
Canvas column ``"conv-params: ..."``), otherwise by order: Moodle's ``Response i`` and
untitled columns are the student's i-th question. ``--map COLUMN=QUESTION`` overrides a
column (QUESTION is an id, a 1-based position, or ``-`` to ignore the column).
"""

from __future__ import annotations

__all__ = ["ColumnPlan", "parse_map_option", "plan_columns"]

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import Location, ResponseError
from ..exam import Exam, Variant
from .model import Problem, ProblemKind, ResponseFormat, ResponseTable


def parse_map_option(items: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """``COLUMN=QUESTION`` pairs; split at the last '=' because column titles may contain one."""
    pairs = []
    for item in items:
        column, sep, target = item.rpartition("=")
        if not sep or not column.strip():
            raise ResponseError(f"--map {item!r}: expected COLUMN=QUESTION, e.g. --map 'Response 1=conv-params'")
        pairs.append((column.strip(), target.strip()))
    return tuple(pairs)


@dataclass
class ColumnPlan:
    """Targets per column: a question id (str), a 0-based position (int), or None (ignored)."""

    table: ResponseTable
    targets: tuple[str | int | None, ...]
    problems: list[Problem] = field(default_factory=list)
    _resolved: dict[tuple[str, ...], tuple[tuple[int, ...], ...]] = field(default_factory=dict)
    _reported: set[str] = field(default_factory=set)

    def columns_for(self, variant: Variant) -> tuple[tuple[int, ...], ...]:
        """For each question of the variant, the columns that may hold its answer (the first non-empty one
        counts): one column, none, or -- in JSON lines, where a line gives answers by id or as a list --
        a question's id column and its position."""
        ids = tuple(q.id for q in variant.questions)
        found = self._resolved.get(ids)
        if found is None:
            found = self._resolve(ids)
            self._resolved[ids] = found
        return found

    def _resolve(self, ids: tuple[str, ...]) -> tuple[tuple[int, ...], ...]:
        where: dict[str, list[int]] = {}
        columns = self.table.columns
        for index, target in enumerate(self.targets):
            if target is None:
                continue
            if isinstance(target, int):
                if target >= len(ids):
                    self._report(ProblemKind.UNMAPPED_COLUMN, f"column {columns[index]!r} stands for question {target + 1}, "
                                 f"but the students have {len(ids)} questions: not graded",
                                 f"列 {columns[index]!r} 对应第 {target + 1} 题,但学生只有 {len(ids)} 道题:未评分")
                    continue
                qid = ids[target]
            else:
                if target not in ids:
                    continue  # a question of other variants only
                qid = target
            if qid in where and self.table.format is not ResponseFormat.JSONL:
                raise ResponseError(f"columns {columns[where[qid][0]]!r} and {columns[index]!r} both answer question {qid!r}; "
                                    f"choose one with --map (e.g. --map '{columns[index]}=-')", Location(file=self.table.source, row=1))
            where.setdefault(qid, []).append(index)
        for qid in ids:
            if qid not in where:
                self._report(ProblemKind.MISSING_QUESTION, f"no column answers question {qid!r}: graded as blank "
                             "(map a column to it with --map 'COLUMN=" + qid + "')",
                             f"没有回答题目 {qid!r} 的列:按未作答评分 (可用 --map '列名={qid}' 指定回答它的列)")
        return tuple(tuple(where.get(qid, ())) for qid in ids)

    def _report(self, kind: ProblemKind, message: str, zh: str) -> None:
        if message not in self._reported:
            self._reported.add(message)
            self.problems.append(Problem(kind, None, "", message, zh=zh))


def _find_column(table: ResponseTable, name: str) -> int:
    # The exact title, then ignoring case and spaces, then a Canvas id prefix ("5501" for "5501: text").
    for i, column in enumerate(table.columns):
        if column == name:
            return i
    for i, column in enumerate(table.columns):
        if column.strip().casefold() == name.casefold():
            return i
    for i, prefix in enumerate(table.column_ids):
        if prefix is not None and prefix == name:
            return i
    shown = ", ".join(repr(c if len(c) <= 40 else c[:40] + "…") for c in table.columns)
    raise ResponseError(f"--map: no answer column {name!r}; the answer columns are {shown}", Location(file=table.source, row=1))


def plan_columns(table: ResponseTable, exam: Exam, overrides: Sequence[tuple[str, str]] = ()) -> ColumnPlan:
    question_ids = {q.id for v in exam.variants for q in v.questions}
    targets: list[str | int | None] = [None] * len(table.columns)
    decided = [False] * len(table.columns)
    for name, target in overrides:
        index = _find_column(table, name)
        if target in ("", "-"):
            targets[index] = None
        elif target in question_ids:
            targets[index] = target
        elif target.isdigit() and int(target) >= 1:
            targets[index] = int(target) - 1
        else:
            raise ResponseError(f"--map {name}={target}: {target!r} is neither a question id ({', '.join(sorted(question_ids))}) "
                                "nor a question number")
        decided[index] = True
    named = [i for i in range(len(targets)) if not decided[i] and table.column_ids[i] in question_ids]
    for i in named:
        targets[i] = table.column_ids[i]
        decided[i] = True
    plan = ColumnPlan(table, ())
    for i in range(len(targets)):
        if decided[i]:
            continue
        if table.column_ids[i] is None or not named:
            targets[i] = table.positions[i]
        else:
            plan.problems.append(Problem(ProblemKind.UNMAPPED_COLUMN, None, "", f"column {table.columns[i]!r} is not a question id "
                                         f"of the key: not graded (map it with --map '{table.columns[i]}=QUESTION')",
                                         zh=f"列 {table.columns[i]!r} 不是答案文件中的题目编号:未评分 "
                                            f"(可用 --map '{table.columns[i]}=题目' 指定它回答的题目)"))
    plan.targets = tuple(targets)
    return plan
