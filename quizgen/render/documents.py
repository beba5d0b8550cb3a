"""HTML documents: one student's worksheet, one variant's answer key.

``target`` decides only how formulas are drawn: MathML for the .html files browsers open,
HTML/CSS for the copies WeasyPrint turns into PDF (it has no MathML).
"""

from __future__ import annotations

__all__ = ["PAPERS", "DocumentSet", "compile_templates", "key_html", "student_html"]

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from markupsafe import Markup

from ..errors import KeyFileError
from ..exam import Exam, Variant
from ..instructions import without_repeats
from ..solver import ModelSolution, solve
from ..spec import NetworkSpec, spec_to_mapping
from .env import FONTS, MONO_FONTS, css_string, environment, stylesheet
from .fit import diagram_heights
from .mathfmt import MathMode
from .text import words
from .views import QuestionView, question_view

PAPERS = {"a4": "A4", "letter": "letter"}
DIAGRAM_WIDTH = 640  # px: fits the text width of A4 and Letter with the page margins of worksheet.css
FOOTER_CHARS = 60  # of course and title in the footer; the header shows them in full


class Target(StrEnum):
    HTML = "html"
    PDF = "pdf"


@dataclass(frozen=True, slots=True)
class DocumentSet:
    """Everything shared by the documents of one exam render: language, paper, fixed words."""

    exam: Exam
    lang: str
    paper: str = "a4"
    # Each distinct network's solution, solved once in this render (students who drew the same variant
    # share its question, and so its spec object) or handed over by `generate`, which solved them
    # already: keyed by the spec object's id, the spec kept beside it (the exam keeps it alive anyway).
    solved: dict[int, tuple[NetworkSpec, ModelSolution]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def words(self) -> dict[str, str]:
        return words(self.lang)

    def solution(self, spec: NetworkSpec) -> ModelSolution:
        found = self.solved.get(id(spec))
        if found is None or found[0] is not spec:
            found = self.solved[id(spec)] = (spec, solve(spec))
        return found[1]


def views_for(docs: DocumentSet, variant: Variant) -> list[QuestionView]:
    out = []
    first_use: dict[str, int] = {}
    for number, question in enumerate(variant.questions, start=1):
        try:
            view = question_view(question, number, docs.lang, docs.words, font_family=FONTS[docs.lang], width=DIAGRAM_WIDTH,
                                 solved=docs.solution)
        except KeyFileError as error:
            raise KeyFileError(f"student {variant.student_id}: {error.bare_message}", error.location) from None
        # Banks often ask several questions about one network: the key prints its table once.
        first = first_use.setdefault(json.dumps(spec_to_mapping(question.spec), sort_keys=True), number)
        out.append(replace(view, same_network_as=first) if first != number else view)
    return out


def _page_css(docs: DocumentSet, variant: Variant, answer_key: bool) -> Markup:
    w = docs.words
    kind = w["answer_key"] if answer_key else w["worksheet"]
    left = " — ".join(part for part in (docs.exam.course, docs.exam.title) if part)
    if len(left) > FOOTER_CHARS:
        left = left[: FOOTER_CHARS - 1].rstrip() + "…"
    left = f"{left} — {kind}" if left else kind
    page = (f"{css_string(w['page'] + ' ')} counter(page) {css_string(' ' + w['page_of'] + ' ')} counter(pages) "
            f"{css_string(' ' + w['page_end'] if w['page_end'] else '')}")
    # Fixed widths keep the page number centred however long the title is.
    return Markup(  # noqa: S704 - every string below goes through css_string
        f"@page {{ size: {PAPERS[docs.paper]}; font-family: {FONTS[docs.lang]};"
        f" @bottom-left {{ content: {css_string(left)}; width: 42%; text-align: left; }}"
        f" @bottom-center {{ content: {page}; width: 16%; text-align: center; }}"
        f" @bottom-right {{ content: {css_string(w['variant'] + ' ' + variant.code)}; width: 42%; text-align: right; }} }}\n"
        f"body {{ font-family: {FONTS[docs.lang]}; }}\n"
        f"pre, code, .mono {{ font-family: {MONO_FONTS}; }}\n"
    )


def compile_templates() -> None:
    """Compile the page templates now (the environment keeps them): before helper processes fork, so
    they are compiled once, not once in each."""
    for template in ("student.html.j2", "key.html.j2"):
        environment().get_template(template)


def _render(template: str, docs: DocumentSet, variant: Variant, views: Sequence[QuestionView], target: Target, answer_key: bool) -> str:
    exam = docs.exam
    # A key.json written before generate left out repeated clauses still has them: rendering leaves them out too.
    text = str(exam.instructions.get(docs.lang) or next(iter(exam.instructions.values()), ""))
    instructions = without_repeats(line for line in text.splitlines() if line.strip())
    return environment().get_template(template).render(
        exam=exam,
        variant=variant,
        questions=views,
        instructions=instructions,
        w=docs.words,
        lang=docs.lang,
        html_lang="zh-CN" if docs.lang == "zh" else "en",
        mode=MathMode.MATHML if target is Target.HTML else MathMode.CSS,
        target=target.value,
        css=stylesheet(),
        # Print only: a diagram a screen shows at its own size may be made smaller to keep its question on one page.
        diagram_heights=diagram_heights(views, docs.paper) if target is Target.PDF and not answer_key else {},
        page_css=_page_css(docs, variant, answer_key),
        total_points=sum(q.points for q in variant.questions),
    )


def student_html(docs: DocumentSet, variant: Variant, views: Sequence[QuestionView], target: Target = Target.HTML) -> str:
    return _render("student.html.j2", docs, variant, views, target, answer_key=False)


def key_html(docs: DocumentSet, variant: Variant, views: Sequence[QuestionView], target: Target = Target.HTML) -> str:
    return _render("key.html.j2", docs, variant, views, target, answer_key=True)
