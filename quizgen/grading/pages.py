"""HTML outputs: one feedback page per student and the class report.

Both come from Jinja templates in templates/grading/ (autoescaped). The feedback template is
compiled once and rendered for every student; per-student work is only building a small
context, so thousands of pages take about a second.
"""

from __future__ import annotations

__all__ = ["FeedbackPages", "feedback_page", "page_name", "report_page"]

import hashlib
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

from ..exam import Question
from ..resources import templates_dir
from .charts import VERDICT_COLORS, histogram, horizontal_bars, stacked_bar
from .model import AnswerGrade, GradingResult, StudentGrade, Verdict
from .score import cell_label
from .tables import format_points, question_ids
from .text import gt

MAX_PROBLEMS_SHOWN = 300  # the report lists this many; problems.csv has every one


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["points"] = format_points
    env.globals["gt"] = gt
    return env


def _template(name: str) -> jinja2.Template:
    return _environment().get_template(f"grading/{name}")


_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")


def page_name(student_id: str) -> str:
    """A file name for a student's page; ids that need changing get a hash so two never collide."""
    safe = _UNSAFE.sub("_", student_id)
    if safe != student_id or not safe or safe.startswith("."):
        safe = f"{safe.lstrip('.')[:60]}-{hashlib.blake2b(student_id.encode(), digest_size=4).hexdigest()}"
    return f"{safe}.html"


class FeedbackPages:
    """Renders feedback pages with one compiled template. A question's block depends only on the
    question's text and the answer's grade, so students who gave the same answer to the same
    question share it: the block is rendered once and reused (cached by content, not identity)."""

    def __init__(self, result: GradingResult) -> None:
        self.result = result
        self.lang = result.options.lang
        self.page = _template("feedback.html.j2")
        self.block = _template("feedback_question.html.j2").module.question  # type: ignore[attr-defined]
        self.blocks: dict[tuple[Any, ...], Markup] = {}

    def _block(self, n: int, q: Question, answer: AnswerGrade | None) -> Markup:
        lang = self.lang
        prompt = q.prompt.get(lang) or q.prompt.get("en", "")
        options = q.details.get("options")
        right = answer is not None and answer.verdict is Verdict.CORRECT
        # A right answer shows no worked solution (its page stays small); a summary shows its cells only
        # when some are not right. The key holds exactly what the block shows.
        solution = () if right else q.solution.get(lang) or q.solution.get("en") or ()
        shown = None if answer is None else (answer.response, answer.verdict, answer.score, answer.codes, answer.explanation,
                                             () if right else answer.cells)
        key = (n, prompt, solution, tuple(options) if options else None, q.points, shown)
        found = self.blocks.get(key)
        if found is None:
            cells = [(cell_label(q, c.cell, lang), c) for c in answer.cells] if answer is not None and answer.cells else ()
            found = self.blocks[key] = self.block(n, prompt, options, solution, q.points, answer, cells, lang)
        return found

    def render(self, student: StudentGrade) -> str:
        questions = student.variant.questions
        answers: Sequence[AnswerGrade | None] = student.answers if student.submitted else [None] * len(questions)
        body = Markup("\n".join([self._block(n, q, a) for n, (q, a) in enumerate(zip(questions, answers, strict=True), 1)]))
        return self.page.render(lang=self.lang, t=self._t, exam=self.result.exam, student=student, colors=VERDICT_COLORS, body=body)

    def _t(self, key: str) -> str:
        return gt(key, self.lang)


def feedback_page(result: GradingResult, student: StudentGrade) -> str:
    """One student's page (for many students use FeedbackPages, which shares identical blocks)."""
    return FeedbackPages(result).render(student)


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
                kinds[q.id] = q.kind.value
                points[q.id] = q.points
                prompts[q.id] = q.prompt.get(lang) or q.prompt.get("en", "")
        for a in s.answers:
            by_id[a.question_id].append(a)
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
            "verdicts": stacked_bar([(v.value, verdicts.get(v.value, 0)) for v in Verdict]),
            "verdict_counts": [(gt(f"verdict.{v.value}", lang), verdicts.get(v.value, 0), VERDICT_COLORS[v.value]) for v in Verdict],
            "mistakes": [(code, count, _title(code, lang)) for code, count in top],
            "chart": horizontal_bars([(f"{code}", count) for code, count in top], total=n) if top else None,
        })
    return stats


def report_page(result: GradingResult) -> str:
    lang = result.options.lang
    graded = [s for s in result.students if s.submitted]
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
    problem_counts = sorted(Counter(p.kind.value for p in result.problems).items())
    return _template("report.html.j2").render(
        lang=lang, t=lambda key: gt(key, lang), exam=result.exam, table=result.table, summary=summary,
        histogram=histogram(bins, labels, gt("students_axis", lang)),
        questions=_question_stats(result, lang),
        top=[(code, count, _title(code, lang)) for code, count in top],
        top_chart=horizontal_bars(top, total=answers_total) if top else None,
        problems=result.problems[:MAX_PROBLEMS_SHOWN], problems_total=len(result.problems), problem_counts=problem_counts,
        mistake_credit=result.options.mistake_credit,
    )
