"""The blanks of multi-part questions (output shapes, model summaries) and their wrong values.

An LMS grades a shape or a summary blank by blank (Moodle cloze, Canvas fill-in-multiple-
blanks), so each stored mistake is split over the blanks it touches: a shape mistake
(8, 30, 30) against the answer (8, 34, 34) becomes "30 in blank 2" and "30 in blank 3",
each with the mistake's explanation. A mistake whose shape has another rank cannot be
split; it still reaches the student through the general feedback, and the grader sees the
whole answer in the response report.

``cloze_parts`` names the blanks in the order they appear, which is the order of
"part 1: …; part 2: …" in a Moodle responses report: the grader uses it to put a response
back together.
"""

from __future__ import annotations

__all__ = ["Blank", "Wrong", "blanks", "cloze_parts", "shape_html", "summary_html", "unsplit_mistakes"]

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..exam import MistakeValue, Question, QuestionKind
from ..i18n import t
from .content import escape, solution_steps

LANGS = ("en", "zh")


@dataclass(frozen=True, slots=True)
class Wrong:
    value: int | None
    codes: tuple[str, ...]
    explanation: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Blank:
    key: str  # "shape.0"; "2.shape.1", "2.params", "total_params", ... for summaries
    answer: int | None  # None: the dimension is unknown (Keras None) and must be answered "None"
    wrong: tuple[Wrong, ...] = ()
    step: Mapping[str, str] = field(default_factory=dict)  # lang -> the worked step behind this blank


def _dims(value: Any) -> list[int | None] | None:
    if isinstance(value, (list, tuple)) and all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in value):
        return list(value)
    return None


def _dim_blanks(prefix: str, answer: Sequence[int | None], mistakes: Sequence[MistakeValue],
                step: Mapping[str, str]) -> list[Blank]:
    wrong: list[list[Wrong]] = [[] for _ in answer]
    for mistake in mistakes:
        dims = _dims(mistake.value)
        if dims is None or len(dims) != len(answer):
            continue  # another rank: not expressible per blank (see the module docstring)
        for i, (got, want) in enumerate(zip(dims, answer, strict=True)):
            if got != want and all(x.value != got for x in wrong[i]):
                wrong[i].append(Wrong(got, mistake.codes, mistake.explanation))
    return [Blank(f"{prefix}{i}", want, tuple(wrong[i]), step) for i, want in enumerate(answer)]


def _count_blank(key: str, answer: int, mistakes: Sequence[MistakeValue], step: Mapping[str, str]) -> Blank:
    wrong: list[Wrong] = []
    for mistake in mistakes:
        value = mistake.value
        if isinstance(value, int) and not isinstance(value, bool) and value != answer and all(x.value != value for x in wrong):
            wrong.append(Wrong(value, mistake.codes, mistake.explanation))
    return Blank(key, answer, tuple(wrong), step)


def _summary_blanks(question: Question) -> list[Blank]:
    answer = question.answer
    rows = answer["rows"]
    by_cell: dict[str, list[MistakeValue]] = {}
    for mistake in question.mistakes:
        by_cell.setdefault(mistake.cell, []).append(mistake)
    out: list[Blank] = []
    for i, row in enumerate(rows):
        step = {lang: (steps[i] if i < len(steps := solution_steps(question, lang)) else "") for lang in LANGS}
        out.extend(_dim_blanks(f"{i}.shape.", row["output_shape"], by_cell.get(f"{i}.shape", []), step))
        out.append(_count_blank(f"{i}.params", row["params"], by_cell.get(f"{i}.params", []), step))
    counts = [int(row["params"]) for row in rows]
    total_step = {lang: f"{t('total_params', lang)} = {' + '.join(map(str, counts))} = {answer['total_params']}" for lang in LANGS}
    split_step = {lang: f"{t('total_params', lang)} = {t('trainable_params', lang)} + {t('non_trainable_params', lang)} = "
                        f"{answer['trainable_params']} + {answer['non_trainable_params']}" for lang in LANGS}
    out.append(_count_blank("total_params", answer["total_params"], by_cell.get("total_params", []), total_step))
    out.append(_count_blank("trainable_params", answer["trainable_params"], by_cell.get("trainable_params", []), split_step))
    out.append(_count_blank("non_trainable_params", answer["non_trainable_params"], by_cell.get("non_trainable_params", []), split_step))
    return out


def blanks(question: Question) -> tuple[Blank, ...]:
    """Every blank of an output_shape or summary question, in the order they appear in the text."""
    if question.kind is QuestionKind.OUTPUT_SHAPE:
        step = {lang: "; ".join(solution_steps(question, lang)) for lang in LANGS}
        return tuple(_dim_blanks("shape.", question.answer, [m for m in question.mistakes if not m.cell], step))
    if question.kind is QuestionKind.SUMMARY:
        return tuple(_summary_blanks(question))
    raise ValueError(f"{question.kind.value} questions have one answer, not blanks")


def unsplit_mistakes(question: Question) -> tuple[MistakeValue, ...]:
    """Shape mistakes of another rank than the answer: no blank can carry them, the general feedback must."""
    out = []
    for mistake in question.mistakes:
        if mistake.cell and not mistake.cell.endswith(".shape"):
            continue
        dims = _dims(mistake.value)
        if question.kind is QuestionKind.OUTPUT_SHAPE and not mistake.cell:
            expected = len(question.answer)
        elif question.kind is QuestionKind.SUMMARY and mistake.cell.endswith(".shape"):
            expected = len(question.answer["rows"][int(mistake.cell.split(".")[0])]["output_shape"])
        else:
            continue
        if dims is None or len(dims) != expected:
            out.append(mistake)
    return tuple(out)


def cloze_parts(question: Question) -> tuple[str, ...]:
    """The blank keys in response-report order ("part 1", "part 2", ...)."""
    return tuple(blank.key for blank in blanks(question))


def _keras(question: Question) -> bool:
    return question.spec.framework.value == "keras"


def _shape_text(cells: Sequence[str], keras: bool) -> str:
    return "(" + ", ".join(["None", *cells]) + ")" if keras else "[" + ", ".join(cells) + "]"


def shape_html(question: Question, render: Callable[[Blank], str]) -> str:
    """The answer line of a shape question: Keras' batch None is printed, the rest are blanks."""
    return f"<p>{_shape_text([render(b) for b in blanks(question)], _keras(question))}</p>"


def _connected_cells(question: Question) -> tuple[str, ...]:
    """A Keras graph's "Connected to" cells, given as on the worksheet; () for chains and PyTorch."""
    if not (_keras(question) and question.spec.is_graph):
        return ()  # no solving for the tables that have no such column
    from ..solver import solve  # sympy: only exports that hold a Keras graph pay for it
    from ..summary import connections

    links = connections(solve(question.spec))
    return () if links is None else tuple(", ".join(refs) for refs in links)


def summary_html(question: Question, lang: str, render: Callable[[Blank], str]) -> str:
    """A model.summary()-like table whose shape and parameter cells are blanks (with Keras'
    "Connected to" column, given, for a Keras graph)."""
    cells = {b.key: render(b) for b in blanks(question)}
    keras = _keras(question)
    connected = _connected_cells(question)
    if len(connected) != len(question.answer["rows"]):
        connected = ()
    head = "".join(f"<th>{escape(t(k, lang))}</th>" for k in ("layer", "output_shape", "params", *(("connected_to",) if connected else ())))
    body = []
    for i, row in enumerate(question.answer["rows"]):
        shape = _shape_text([cells[f"{i}.shape.{d}"] for d in range(len(row["output_shape"]))], keras)
        link = f"<td>{escape(connected[i])}</td>" if connected else ""
        body.append(f"<tr><td>{escape(str(row['name']))} ({escape(str(row['type']))})</td><td>{shape}</td>"
                    f"<td>{cells[f'{i}.params']}</td>{link}</tr>")
    span = ' colspan="2"' if connected else ""
    totals = "".join(f"<tr><td colspan=\"2\">{escape(t(k, lang))}</td><td{span}>{cells[k]}</td></tr>"
                     for k in ("total_params", "trainable_params", "non_trainable_params"))
    return f'<table border="1" cellpadding="4"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}{totals}</tbody></table>'
