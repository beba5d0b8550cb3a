"""The class report (report.html): score distribution, question difficulty, the most common
mistakes per question as inline SVG charts, and every problem met while reading the responses."""

from __future__ import annotations

__all__ = ["report_page"]

import statistics
from collections import Counter
from typing import Any

from .charts import VERDICT_COLORS, histogram, horizontal_bars, stacked_bar
from .htmlenv import template
from .model import GradingResult, Verdict
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


def _question_stats(result: GradingResult, lang: str) -> list[dict[str, Any]]:
    by_id: dict[str, list[Any]] = {qid: [] for qid in question_ids(result)}
    kinds: dict[str, str] = {}
    points: dict[str, float] = {}
    prompts: dict[str, str] = {}
    for s in result.students:
        for q in s.variant.questions:
            if q.id not in kinds:
                kinds[q.id] = gt(f"qkind.{q.kind.value}", lang)
                points[q.id] = q.points
                prompts[q.id] = q.prompt.get(lang) or q.prompt.get("en", "")
        for a in s.answers:
            by_id[a.question_id].append(a)
    # The Chinese tooltips name verdicts as the legend does; English keeps its identifiers (as it always wrote them).
    labels = {v.value: gt(f"verdict.{v.value}", lang) for v in Verdict} if lang == "zh" else None
    stats = []
    for qid, answers in by_id.items():
        n = len(answers)
        verdicts = Counter(a.verdict.value for a in answers)
        codes = Counter(code for a in answers for code in a.codes)
        mean = sum(a.score for a in answers) / n if n else 0.0
        top = sorted(codes.items(), key=lambda item: (-item[1], item[0]))[:5]
        stats.append({
            "id": qid, "kind": kinds.get(qid, ""), "prompt": prompts.get(qid, ""), "points": points.get(qid, 0.0), "n": n, "mean": mean,
            "correct": verdicts.get("correct", 0) / n if n else 0.0,
            "difficulty": 1 - mean / points[qid] if n and points.get(qid) else 0.0,
            "verdicts": stacked_bar([(v.value, verdicts.get(v.value, 0)) for v in Verdict], labels=labels),
            "verdict_counts": [(gt(f"verdict.{v.value}", lang), verdicts.get(v.value, 0), VERDICT_COLORS[v.value]) for v in Verdict],
            "mistakes": [(code, count, _title(code, lang)) for code, count in top],
            "chart": horizontal_bars([(f"{code}", count) for code, count in top], total=n) if top else None,
        })
    return stats


def report_page(result: GradingResult) -> str:
    lang = result.options.lang
    # A row whose every answer is blank is a response only on paper: counted with the students who
    # sent none, and left out of the score statistics like them.
    graded = [s for s in result.students if s.submitted and any(a.verdict is not Verdict.BLANK for a in s.answers)]
    percents = [100 * s.score / s.points if s.points else 0.0 for s in graded]
    bins = [0] * 10
    for p in percents:
        bins[min(int(p // 10), 9)] += 1
    labels = [f"{10 * i}–{10 * i + 10}%" for i in range(10)]
    scores = [s.score for s in graded]
    summary = {
        "students": len(result.students), "graded": len(graded), "missing": len(result.students) - len(graded),
        "mean": statistics.fmean(scores) if scores else 0.0, "median": statistics.median(scores) if scores else 0.0,
        "min": min(scores, default=0.0), "max": max(scores, default=0.0),
        "points": max((s.points for s in result.students), default=0.0),
    }
    overall = Counter(code for s in graded for a in s.answers for code in a.codes)
    top = sorted(overall.items(), key=lambda item: (-item[1], item[0]))[:10]
    answers_total = sum(len(s.answers) for s in graded)
    kinds: Counter[str] = Counter()
    for problem in result.problems:
        kinds[problem.kind.value] += problem.count  # a summary entry stands for the problems not listed one by one
    problem_counts = sorted(kinds.items())
    return template("report.html.j2").render(
        lang=lang, t=lambda key: gt(key, lang), exam=result.exam, table=result.table, summary=summary,
        histogram=histogram(bins, labels, gt("students_axis", lang)),
        questions=_question_stats(result, lang),
        top=[(code, count, _title(code, lang)) for code, count in top],
        top_chart=horizontal_bars(top, total=answers_total) if top else None,
        problems=[(p, p.message_in(lang)) for p in result.problems[:MAX_PROBLEMS_SHOWN]], problems_total=len(result.problems),
        problem_counts=problem_counts,
        mistake_credit=result.options.mistake_credit,
    )
