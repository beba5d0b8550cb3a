"""Practice pages: one self-contained, self-checking HTML file per exam variant.

``quizgen generate ... --format practice-html`` writes ``practice/<student>.html`` beside the
worksheets. A page shows the worksheet's questions (prompt, code, diagram) with a live answer
box under each; its inline script checks every answer in the browser (no server, no network:
a Content-Security-Policy forbids any request) and shows the verdict, the explanation of a
known mistake, or the worked solution. See seal.py for how the answers stay out of the source.
"""

from __future__ import annotations

__all__ = ["practice_page", "write_practice_pages"]

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from ..atomic import write_text_atomic
from ..errors import KeyFileError, QuizgenError
from ..exam import Exam, Question, QuestionKind, Variant
from ..render.codelines import code_block_style, code_lines
from ..render.documents import DIAGRAM_WIDTH
from ..render.env import FONTS, MONO_FONTS, stylesheet
from ..render.mathfmt import MathMode, typeset
from ..render.network import NetworkView
from ..render.slicing import Shard, parse_shard, safe_names
from ..render.text import words as sheet_words
from ..render.views import connected_cells, question_view
from ..resources import templates_dir
from ..solver import ModelSolution, solve
from ..templating import make_environment
from .boxes import Box, question_boxes
from .present import LETTERS, hint_lines
from .seal import page_salt, seal, seal_key
from .text import words as practice_words

# What the script needs to speak: verdicts and messages, nothing else.
_SCRIPT_WORDS = ("verdict.correct", "verdict.mistake", "verdict.wrong", "verdict.unparseable", "verdict.blank", "page_wrong",
                 "page_blank", "partial", "err_count", "err_decimal", "err_shape", "err_values", "err_formula", "err_choice", "err_word",
                 "err_dims", "not_whole", "not_checkable", "no_crypto", *(key for key in practice_words("en") if key.startswith("perr_")))


@dataclass(frozen=True, slots=True)
class PageQuestion:
    number: int
    dom_id: str
    kind: str
    points: float
    prompt: Markup
    net: NetworkView
    hints: tuple[str, ...]
    options: tuple[tuple[str, str], ...]  # choice: (letter, value)
    boxes: tuple[Box, ...]
    rows: tuple[tuple[str, Box, Box], ...]  # summary: (layer label, shape box, params box)
    connected: tuple[str, ...] = ()  # summary of a Keras graph: each row's given "Connected to" cell


@cache
def _environment() -> jinja2.Environment:
    # practice/ first; the worksheet's macros (heading, network) are shared, not copied
    return make_environment("practice", "worksheet", filters={"math": typeset, "code_lines": code_lines, "code_style": code_block_style})


@cache
def _inline(name: str, closer: str) -> Markup:
    text = (templates_dir() / "practice" / name).read_text(encoding="utf-8")
    if closer in text.casefold():
        raise ValueError(f"templates/practice/{name} must not contain {closer!r} (it is inlined into the page)")
    return Markup(text)  # noqa: S704 - our own shipped file, checked above


def _script_json(data: Any) -> Markup:
    """JSON safe inside <script>: '<', '>' and '&' escaped so no text can close the element."""
    text = json.dumps(data, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))  # noqa: S704 - escaped here


@dataclass(frozen=True, slots=True)
class _Shown:
    """What a question shows whatever the page: students who drew the same variant share it."""

    question: Question  # kept so that its id() is not reused while the cache lives
    prompt: Markup
    net: NetworkView
    model: ModelSolution
    hints: tuple[str, ...]


_Cache = dict[tuple[int, str], _Shown]


def _shown(q: Question, lang: str, cache: _Cache) -> _Shown:
    found = cache.get((id(q), lang))
    if found is None:
        view = question_view(q, 1, lang, sheet_words(lang), font_family=FONTS[lang], width=DIAGRAM_WIDTH)
        model = solve(q.spec)
        found = _Shown(q, typeset(view.prompt, MathMode.MATHML), view.student_net, model, hint_lines(q, model, lang, numbers=False))
        cache[(id(q), lang)] = found
    return found


def _page_questions(variant: Variant, lang: str, salt: str, cache: _Cache) -> tuple[list[PageQuestion], dict[str, Any]]:
    questions = []
    data: dict[str, Any] = {}
    # A hint is one question's formula, and may be another question's answer (the parameter
    # formula of the same layer): such a hint line is left out of the page.
    formulas = {str(q.answer) for q in variant.questions if q.kind is QuestionKind.FORMULA}
    for number, q in enumerate(variant.questions, start=1):
        try:
            shown = _shown(q, lang, cache)
        except QuizgenError as error:
            raise KeyFileError(f"student {variant.student_id}: {error.bare_message}", error.location) from None
        dom_id = f"q{number}"
        boxes = question_boxes(q, salt, dom_id, lang, shown.model)
        rows: tuple[tuple[str, Box, Box], ...] = ()
        if q.kind is QuestionKind.SUMMARY:
            rows = tuple((f"{layer.name} ({layer.type})", boxes[2 * i], boxes[2 * i + 1]) for i, layer in enumerate(shown.model.layers))
        hints = tuple(line for line in shown.hints if not any(f in line for f in formulas))
        steps = "\n".join(str(s) for s in (q.solution.get(lang) or q.solution.get("en") or ()))
        # Shown on request after a first attempt: sealed only to keep it out of the visible source.
        data[dom_id] = {"boxes": [b.id for b in boxes], "reveal": seal(seal_key("reveal", salt, dom_id, ""), steps)}
        options = tuple((LETTERS[i], value) for i, value in enumerate(boxes[0].data.get("options", []))) \
            if q.kind is QuestionKind.CHOICE else ()
        connected = connected_cells(shown.model) if rows else ()
        questions.append(PageQuestion(number, dom_id, q.kind.value, q.points, shown.prompt, shown.net, hints, options, tuple(boxes), rows,
                                      connected))
    return questions, data


def practice_page(exam: Exam, variant: Variant, *, cache: _Cache | None = None) -> str:
    """The practice page of one variant (deterministic: same exam, same bytes). ``cache`` shares
    the rendering of questions between the pages of one exam."""
    lang = exam.lang if exam.lang in ("en", "zh") else "en"
    salt = page_salt(exam.seed, variant.student_id)
    questions, qdata = _page_questions(variant, lang, salt, {} if cache is None else cache)
    w = {**sheet_words(lang), **practice_words(lang)}
    data = {
        "salt": salt,
        "words": {key: w[key] for key in _SCRIPT_WORDS},
        "questions": qdata,
        "boxes": {box.id: dict(box.data) for q in questions for box in q.boxes},
    }
    instructions = [line for line in str(exam.instructions.get(lang) or next(iter(exam.instructions.values()), "")).splitlines()
                    if line.strip()]
    page_css = Markup(f"body {{ font-family: {FONTS[lang]}; }}\npre, code, input, .mono {{ font-family: {MONO_FONTS}; }}\n")  # noqa: S704
    return _environment().get_template("page.html.j2").render(
        exam=exam,
        variant=variant,
        questions=questions,
        instructions=instructions,
        w=w,
        lang=lang,
        html_lang="zh-CN" if lang == "zh" else "en",
        mode=MathMode.MATHML,
        css=stylesheet(),
        practice_css=_inline("practice.css", "</"),
        page_css=page_css,
        script=_inline("practice.js", "</script"),
        data=_script_json(data),
        box_count=sum(len(q.boxes) for q in questions),
        total_points=sum(q.points for q in variant.questions),
    )


def write_practice_pages(exam: Exam, out_dir: Path, *, shard: str | Shard | None = None) -> list[str]:
    """Write ``out_dir/practice/<student>.html`` for every variant (or one shard of them); return the paths."""
    part = shard if isinstance(shard, Shard) or shard is None else parse_shard(shard)
    names = safe_names([v.student_id for v in exam.variants])  # as the worksheets: the same stem per student
    positions: Sequence[int] = part.slice(len(exam.variants)) if part is not None else range(len(exam.variants))
    written = []
    cache: _Cache = {}
    for position in positions:
        path = Path(out_dir) / "practice" / f"{names[position]}.html"
        write_text_atomic(path, practice_page(exam, exam.variants[position], cache=cache))
        written.append(str(path))
    return written
