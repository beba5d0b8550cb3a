"""The class report (report.html): score distribution, question difficulty, the most common
mistakes per question as inline SVG charts, and every problem met while reading the responses."""

from __future__ import annotations

__all__ = ["ReportContext", "ReportTally", "render_report", "report_page"]

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from .charts import VERDICT_COLORS, histogram, horizontal_bars, stacked_bar
from .htmlenv import template
from .model import GradingResult, Problem, ResponseFormat, Verdict
from .tables import question_ids
from .text import gt

MAX_PROBLEMS_SHOWN = 300  # the report lists this many; problems.csv has every one


def _title(code: str, lang: str) -> str:
    from ..mistakes import by_code

    fixed = {"missed_layer": ("Left a layer out of the total", "总数中漏掉了某一层"),
             "double_counted_layer": ("Counted a layer twice in the total", "总数中某一层被重复计算")}
    titles = []
    for part in code.split("+"):
        mistake = by_code(part)
        if mistake is not None:
            titles.append(mistake.title.get(lang) or mistake.title.get("en", part))
        else:
            titles.append(fixed[part][lang == "zh"] if part in fixed else part)
    return " + ".join(titles)


class _QuestionTally(NamedTuple):
    verdicts: Counter[str]
    codes: Counter[str]
    scores: list[float]  # summed at the end, in student order, as sum() adds


@dataclass(frozen=True)
class ReportContext:
    """What report.html shows besides the answers: the exam, the responses file, the problems, the options."""

    title: str
    course: str
    source: str
    format: ResponseFormat
    encoding: str
    problems: tuple[Problem, ...]
    lang: str
    mistake_credit: float

    @staticmethod
    def of(result: GradingResult) -> ReportContext:
        exam, table = result.exam, result.table
        return ReportContext(exam.title, exam.course, table.source, table.format, table.encoding, result.problems,
                             result.options.lang, result.options.mistake_credit)


class ReportTally:
    """Everything report.html counts, fed one student at a time in key order: from a GradingResult
    (`report_page`), or from the feedback pages' descriptions in the page helper (spectables)."""

    def __init__(self, question_ids: Sequence[str]) -> None:
        # Counted as the students come (the page helper counts while pages stream in, not after the last one).
        self.by_id = {qid: _QuestionTally(Counter(), Counter(), []) for qid in question_ids}
        self.kinds: dict[str, str] = {}  # first seen: kind, points and prompt of each question id
        self.points: dict[str, float] = {}
        self.prompts: dict[str, str] = {}
        self.students = 0
        self.most_points: float | None = None
        self.graded: list[tuple[float, float]] = []  # (score, points) of the students with an answer that is not blank
        self.overall: Counter[str] = Counter()
        self.answers_total = 0

    def question(self, qid: str, kind: str, points: float, prompt: str) -> None:
        if qid not in self.kinds:
            self.kinds[qid], self.points[qid], self.prompts[qid] = kind, points, prompt

    def student(self, submitted: bool, score: float, points: float, answers: Sequence[tuple[str, str, float, tuple[str, ...]]]) -> None:
        """``answers``: (question id, verdict, score, codes) of each answer given (none without a response)."""
        self.students += 1
        if self.most_points is None or points > self.most_points:
            self.most_points = points
        by_id = self.by_id
        for qid, verdict, answer_score, codes in answers:
            tally = by_id[qid]
            tally.verdicts[verdict] += 1
            if codes:
                tally.codes.update(codes)
            tally.scores.append(answer_score)
        # A row whose every answer is blank is a response only on paper: counted with the students who
        # sent none, and left out of the score statistics like them.
        if submitted and any(verdict != "blank" for _, verdict, _, _ in answers):
            self.graded.append((score, points))
            self.overall.update(code for _, _, _, codes in answers for code in codes)
            self.answers_total += len(answers)

    def question_stats(self, lang: str) -> list[dict[str, Any]]:
        kinds = {qid: gt(f"qkind.{kind}", lang) for qid, kind in self.kinds.items()}
        points, prompts = self.points, self.prompts
        # The Chinese tooltips name verdicts as the legend does; English keeps its identifiers (as it always wrote them).
        labels = {v.value: gt(f"verdict.{v.value}", lang) for v in Verdict} if lang == "zh" else None
        stats = []
        for qid, (verdicts, codes, scores) in self.by_id.items():
            n = len(scores)
            mean = sum(scores) / n if n else 0.0
            top = sorted(codes.items(), key=lambda item: (-item[1], item[0]))[:5]
            stats.append({
                "id": qid, "kind": kinds.get(qid, ""), "prompt": prompts.get(qid, ""), "points": points.get(qid, 0.0), "n": n,
                "mean": mean, "correct": verdicts.get("correct", 0) / n if n else 0.0,
                "difficulty": 1 - mean / points[qid] if n and points.get(qid) else 0.0,
                "verdicts": stacked_bar([(v.value, verdicts.get(v.value, 0)) for v in Verdict], labels=labels),
                "verdict_counts": [(gt(f"verdict.{v.value}", lang), verdicts.get(v.value, 0), VERDICT_COLORS[v.value]) for v in Verdict],
                "mistakes": [(code, count, _title(code, lang)) for code, count in top],
                "chart": horizontal_bars([(f"{code}", count) for code, count in top], total=n) if top else None,
            })
        return stats


def report_page(result: GradingResult) -> str:
    lang = result.options.lang
    tally = ReportTally(question_ids(result))
    for s in result.students:
        for q in s.variant.questions:
            tally.question(q.id, q.kind.value, q.points, q.prompt.get(lang) or q.prompt.get("en", ""))
        tally.student(s.submitted, s.score, s.points, [(a.question_id, a.verdict.value, a.score, a.codes) for a in s.answers])
    return render_report(tally, ReportContext.of(result))


def render_report(tally: ReportTally, context: ReportContext) -> str:
    lang = context.lang
    percents = [100 * score / points if points else 0.0 for score, points in tally.graded]
    bins = [0] * 10
    for p in percents:
        bins[min(int(p // 10), 9)] += 1
    labels = [f"{10 * i}–{10 * i + 10}%" for i in range(10)]
    scores = [score for score, _ in tally.graded]
    summary = {
        "students": tally.students, "graded": len(tally.graded), "missing": tally.students - len(tally.graded),
        "mean": statistics.fmean(scores) if scores else 0.0, "median": statistics.median(scores) if scores else 0.0,
        "min": min(scores, default=0.0), "max": max(scores, default=0.0),
        "points": 0.0 if tally.most_points is None else tally.most_points,
    }
    top = sorted(tally.overall.items(), key=lambda item: (-item[1], item[0]))[:10]
    kinds: Counter[str] = Counter()
    for problem in context.problems:
        kinds[problem.kind.value] += problem.count  # a summary entry stands for the problems not listed one by one
    problem_counts = sorted(kinds.items())
    return template("report.html.j2").render(
        lang=lang, t=lambda key: gt(key, lang), exam=context, table=context, summary=summary,
        histogram=histogram(bins, labels, gt("students_axis", lang)),
        questions=tally.question_stats(lang),
        top=[(code, count, _title(code, lang)) for code, count in top],
        top_chart=horizontal_bars(top, total=tally.answers_total) if top else None,
        problems=[(p, p.message_in(lang)) for p in context.problems[:MAX_PROBLEMS_SHOWN]], problems_total=len(context.problems),
        problem_counts=problem_counts,
        mistake_credit=context.mistake_credit,
    )
