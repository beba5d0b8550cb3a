"""Feedback pages: one HTML page per student, from templates/grading/feedback*.html.j2.

Split in two so the rendering can run in another process (see write.py):

- `PageModel` walks the graded result and describes each page as plain data: the student's
  header and, per question, a *head* (number, prompt, options) and an *answer part* (response,
  verdict, diagnosis, worked solution). Parts are deduplicated by content: students with the same
  question share its head, students who gave the same answer share its answer part. Each
  distinct part is described once and then referred to by number.
- `PageRenderer` turns those descriptions into HTML with templates compiled once: each distinct
  part is rendered once, and a page is its header plus the pre-rendered parts.

Both sides are deterministic, so the same result gives the same bytes wherever it is rendered.
An answer part also carries what feedback.csv shows of the answer, so the tables can be made
from the same descriptions (`spectables`).
"""

from __future__ import annotations

__all__ = ["PageModel", "PageRenderer", "PageSpec", "feedback_page"]

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from ..exam import Question
from .cells import CellLabels
from .charts import VERDICT_COLORS
from .htmlenv import template
from .model import AnswerGrade, GradingResult, StudentGrade, Verdict
from .text import gt

# (n, prompt, points, verdict, options or None)
HeadArgs = tuple[int, str, float, str, "tuple[Any, ...] | None"]
# (response, verdict, score, points, codes, diagnosis, cells (label, response, verdict, explanation), solution steps,
#  then what only feedback.csv shows: question id, other codes, explanation, the grade's points; see spectables)
AnswerArgs = tuple[str, str, float, float, "tuple[str, ...]", str, "tuple[tuple[str, str, str, str], ...]", "tuple[str, ...]",
                   str, "tuple[str, ...]", str, float]
# (student id, name, variant code, score, points, submitted)
Header = tuple[str, str, str, float, float, bool]


@dataclass
class PageSpec:
    """One page as data, with the parts first described in it (numbered in order of first use)."""

    header: Header
    parts: list[tuple[int, int]]  # (head number, answer number) per question
    new_heads: list[HeadArgs] = field(default_factory=list)
    new_answers: list[AnswerArgs] = field(default_factory=list)
    row: int | None = None  # the student's row in the responses (grades.csv)
    # Question ids first seen on this page: (id, kind, points, prompt), as report.html names them.
    new_questions: list[tuple[str, str, float, str]] = field(default_factory=list)


class PageModel:
    """Describes pages for `PageRenderer`; keeps the numbering of the distinct parts."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.heads: dict[HeadArgs, int] = {}
        self.answers: dict[AnswerArgs, int] = {}
        self.right: dict[tuple[Any, ...], tuple[int, int]] = {}
        self.no_response = gt("no_response", lang)
        self.cell_labels = CellLabels(lang)
        self.question_ids: set[str] = set()

    def spec(self, student: StudentGrade) -> PageSpec:
        v = student.variant
        page = PageSpec((v.student_id, v.student_name, v.code, student.score, student.points, student.submitted), [], row=student.row)
        answers: Any = student.answers if student.submitted else [None] * len(v.questions)
        seen = self.question_ids
        for n, (q, a) in enumerate(zip(v.questions, answers, strict=True), 1):
            if q.id not in seen:
                seen.add(q.id)
                page.new_questions.append((q.id, q.kind.value, q.points, q.prompt.get(self.lang) or q.prompt.get("en", "")))
            page.parts.append(self._part(n, q, a, page))
        return page

    def _part(self, n: int, q: Question, a: AnswerGrade | None, page: PageSpec) -> tuple[int, int]:
        lang = self.lang
        prompt = q.prompt.get(lang) or q.prompt.get("en", "")
        options = q.details.get("options")
        options_key = tuple(options) if options else None
        right = a is not None and a.verdict is Verdict.CORRECT
        if right:
            # The grader shares one grade object per (question, text) for right answers and the result
            # keeps it alive, so its id is a safe key. A right answer shows no worked solution.
            key = (n, prompt, options_key, q.points, id(a))
            found = self.right.get(key)
            if found is not None:
                return found
        head: HeadArgs = (n, prompt, q.points, a.verdict if a is not None else "blank", options_key)
        head_number = self.heads.get(head)
        if head_number is None:
            head_number = self.heads[head] = len(self.heads)
            page.new_heads.append(head)
        solution = () if right else tuple(q.solution.get(lang) or q.solution.get("en") or ())
        if a is None:
            answer: AnswerArgs = ("", "blank", 0.0, q.points, (), "", (), solution, q.id, (), self.no_response, q.points)
        else:
            cells = tuple((self.cell_labels(q, c.cell), c.response, c.verdict.value, c.explanation)
                          for c in a.cells if c.verdict is not Verdict.CORRECT) if a.cells and not right else ()
            answer = (a.response, a.verdict, a.score, q.points, a.codes, a.diagnosis, cells, solution, a.question_id, a.other_codes,
                      a.explanation, a.points)
        answer_number = self.answers.get(answer)
        if answer_number is None:
            answer_number = self.answers[answer] = len(self.answers)
            page.new_answers.append(answer)
        if right:
            self.right[key] = (head_number, answer_number)
        return head_number, answer_number


class PageRenderer:
    """Renders `PageSpec`s in the order they were made (parts are numbered in that order)."""

    def __init__(self, lang: str, title: str) -> None:
        self.lang, self.title = lang, title
        self.page = template("feedback.html.j2")
        parts = template("feedback_parts.html.j2").module
        self.head_macro = parts.question_head  # type: ignore[attr-defined]
        self.answer_macro = parts.question_answer  # type: ignore[attr-defined]
        self.options_macro = parts.options  # type: ignore[attr-defined]
        self.solution_macro = parts.solution  # type: ignore[attr-defined]
        self.page_head = parts.page_head(lang, VERDICT_COLORS)  # type: ignore[attr-defined]
        self.labels = {key: gt(key, lang) for key in (
            "feedback_title", "student", "variant", "score", "no_response", "your_answer", "solution", "points", "point",
            *(f"verdict.{v.value}" for v in Verdict))}
        self.heads: list[Markup] = []
        self.answers: list[Markup] = []
        self.static: dict[tuple[str, tuple[Any, ...]], Markup] = {}

    def _static(self, kind: str, content: tuple[Any, ...] | None) -> Markup:
        """Options lists and worked solutions, rendered once per distinct content."""
        if not content:
            return Markup()
        found = self.static.get((kind, content))
        if found is None:
            macro = self.options_macro if kind == "options" else self.solution_macro
            found = self.static[(kind, content)] = macro(content, self.labels)
        return found

    def render(self, spec: PageSpec) -> str:
        labels = self.labels
        for n, prompt, points, verdict, options in spec.new_heads:
            self.heads.append(self.head_macro(n, prompt, points, verdict, self._static("options", options), labels))
        for response, verdict, score, points, codes, diagnosis, cells, solution, *_ in spec.new_answers:
            self.answers.append(self.answer_macro(response, verdict, score, points, codes, diagnosis, cells, labels,
                                                  self._static("solution", solution)))
        heads, answers = self.heads, self.answers
        pieces: list[str] = []
        for h, a in spec.parts:
            pieces.append(heads[h])
            pieces.append(answers[a])
        body = Markup("".join(pieces))  # noqa: S704 -- every piece is the output of an autoescaped template
        sid, name, code, score, points, submitted = spec.header
        return self.page.render(head=self.page_head, labels=labels, title=self.title, student_id=sid, name=name, code=code,
                                score=score, points=points, submitted=submitted, body=body)


def feedback_page(result: GradingResult, student: StudentGrade) -> str:
    """One student's page, rendered here (write.py renders many, possibly in a helper process)."""
    renderer = PageRenderer(result.options.lang, result.exam.title)
    return renderer.render(PageModel(result.options.lang).spec(student))
