"""Problems of a grading run, listed one by one up to a limit per kind, then counted.

A responses file of millions of rows (an export of every attempt of every course, a file of
strangers) would otherwise copy each ungraded row into problems.csv and keep it in memory. The
first `LISTED` problems of each kind keep their row and data; every further one is counted, with
its first few row numbers, in one summary problem per kind, so each row read is still accounted
for (the listed rows plus the counts add up to the rows read).
"""

from __future__ import annotations

__all__ = ["LISTED", "ProblemLog"]

from .model import Problem, ProblemKind
from .text import gt

LISTED = 1000  # problems of one kind listed one by one
_SAMPLE_ROWS = 10  # row numbers quoted in a summary


class ProblemLog:
    def __init__(self, listed: int = LISTED) -> None:
        self.limit = listed
        self.listed: list[Problem] = []
        self.counts: dict[ProblemKind, int] = {}
        self.more: dict[ProblemKind, list[int]] = {}  # kind -> first row numbers beyond the limit

    def wants_detail(self, kind: ProblemKind) -> bool:
        """Whether the next problem of ``kind`` is listed (callers skip building its text otherwise)."""
        return self.counts.get(kind, 0) < self.limit

    def add(self, problem: Problem) -> None:
        if self.wants_detail(problem.kind):
            self.counts[problem.kind] = self.counts.get(problem.kind, 0) + 1
            self.listed.append(problem)
        else:
            self.count_only(problem.kind, problem.row)

    def count_only(self, kind: ProblemKind, row: int | None) -> None:
        """A problem beyond the limit: counted, and its row quoted if among the first few."""
        self.counts[kind] = self.counts.get(kind, 0) + 1
        rows = self.more.setdefault(kind, [])
        if len(rows) < _SAMPLE_ROWS and row is not None:
            rows.append(row)

    def extend(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        for problem in problems:
            self.add(problem)

    def summaries(self) -> list[Problem]:
        """One problem per kind with more than the limit: how many more, and the first of their rows."""
        out = []
        for kind in sorted(self.more, key=lambda k: k.value):
            extra = self.counts[kind] - self.limit
            rows = self.more[kind]
            shown = ", ".join(map(str, rows)) + (", …" if extra > len(rows) else "")
            where = f" (rows {shown})" if rows else ""
            where_zh = f" (第 {shown} 行)" if rows else ""
            zh = (f"另有 {extra:,} 个“{gt(f'problem.{kind.value}', 'zh')}”问题{where_zh}未逐条列出:"
                  f"共 {self.counts[kind]:,} 个,上面列出了前 {self.limit:,} 个")
            out.append(Problem(kind, None, "", f"{extra:,} more {kind.value} problems{where}, not listed one by one: "
                                               f"{self.counts[kind]:,} in all, the first {self.limit:,} above", count=extra, zh=zh))
        return out
