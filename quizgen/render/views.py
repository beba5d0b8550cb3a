"""What the templates show for one question: prompt, network, answer space, and the key part.

Everything a template needs is computed here once per question and shared by the student
copy and the answer key; templates only lay it out. The student half is built from the
question's givens alone (prompt, network with the hidden argument as ``?``, option values),
and the key half holds the answer, the worked steps and the expected wrong answers.
"""

from __future__ import annotations

__all__ = ["AnswerSpace", "KeyPart", "MistakeRow", "QuestionView", "SummaryKey", "connected_cells", "question_view"]

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import KeyFileError, QuizgenError
from ..exam import COUNT_KINDS, DECIMAL_KINDS, MistakeValue, Question, QuestionKind
from ..solver import ModelSolution, solve
from ..spec import Framework, NetworkSpec
from ..summary import connections, shape_text
from .network import NetworkView, network_view

LETTERS = "ABCDEFGHIJ"
MISTAKES_SHOWN = 5  # per question: what fits at the grading table; key.json holds them all
MISTAKES_SHOWN_SUMMARY = 8


@dataclass(frozen=True, slots=True)
class AnswerSpace:
    kind: str  # count | decimal | shape | size | summary | values | formula | choice
    label: str = ""  # axis (size) or argument name (values)
    dims: int = 0  # boxes of a shape answer
    keras: bool = False  # a Keras shape starts with the batch dimension None
    rows: tuple[tuple[str, str], ...] = ()  # summary: (name, type) per layer
    connected: tuple[str, ...] = ()  # summary of a Keras graph: each layer's given "Connected to" cell
    symbols: tuple[str, ...] = ()
    options: tuple[tuple[str, str], ...] = ()  # choice: (letter, value)
    rounding: bool = False


@dataclass(frozen=True, slots=True)
class MistakeRow:
    value: str
    where: str  # the cell of a summary answer, else ""
    codes: tuple[str, ...]
    explanation: str


@dataclass(frozen=True, slots=True)
class SummaryKey:
    rows: tuple[tuple[str, str, str, int], ...]  # name, type, output shape, params
    total: int
    trainable: int
    non_trainable: int
    connected: tuple[str, ...] = ()  # a Keras graph's "Connected to" cells, as on the student's table


@dataclass(frozen=True, slots=True)
class KeyPart:
    answer: str
    summary: SummaryKey | None
    steps: tuple[tuple[str, ...], ...]  # each worked step, split into its "; " parts
    mistakes: tuple[MistakeRow, ...]
    more: int  # expected wrong answers not shown (all are in key.json)


@dataclass(frozen=True, slots=True)
class QuestionView:
    number: int
    id: str
    kind: str
    points: float
    prompt: str
    student_net: NetworkView
    key_net: NetworkView
    space: AnswerSpace
    key: KeyPart
    same_network_as: int | None = None  # an earlier question of the same variant shows this network


def _pick(texts: Mapping[str, Any], lang: str) -> Any:
    """The text in ``lang``; a bank that only wrote the other language still shows something."""
    if lang in texts:
        return texts[lang]
    return next(iter(texts.values()), "")


def show_value(value: Any, framework: Framework) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, str)):
        return str(value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list) and all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in value):
        return shape_text(tuple(value), framework)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _space(q: Question, model: ModelSolution) -> AnswerSpace:
    rounding = bool(q.details.get("allow_rounding"))
    keras = model.spec.framework is Framework.KERAS
    if q.kind in COUNT_KINDS:
        return AnswerSpace("count", rounding=rounding)
    if q.kind in DECIMAL_KINDS:  # a number in the stated unit, to the stated decimals (dims carries how many)
        return AnswerSpace("decimal", label=str(q.details.get("unit", "")), dims=int(q.details.get("decimals", 0)))
    if q.kind is QuestionKind.OUTPUT_SHAPE:
        return AnswerSpace("shape", dims=len(model.layers[q.layer].output_shape) if q.layer is not None else len(q.answer), keras=keras)
    if q.kind is QuestionKind.OUTPUT_SIZE:
        return AnswerSpace("size", label=str(q.details.get("axis", "")))
    if q.kind is QuestionKind.SUMMARY:
        return AnswerSpace("summary", rows=tuple((layer.name, layer.type) for layer in model.layers), keras=keras,
                           connected=connected_cells(model))
    if q.kind is QuestionKind.MISSING_HYPERPARAMETER:
        return AnswerSpace("values", label=str(q.details.get("unknown", "")))
    if q.kind is QuestionKind.FORMULA:
        return AnswerSpace("formula", symbols=tuple(str(s) for s in q.details.get("symbols", ())))
    options = q.details.get("options", [])
    return AnswerSpace("choice", options=tuple((LETTERS[i], show_value(v, model.spec.framework)) for i, v in enumerate(options)))


def _answer_text(q: Question, model: ModelSolution) -> str:
    fw = model.spec.framework
    if q.kind in DECIMAL_KINDS:
        return _decimal_text(q, q.answer)
    if q.kind is QuestionKind.MISSING_HYPERPARAMETER:
        values = q.answer if isinstance(q.answer, list) else [q.answer]
        unknown = q.details.get("unknown", "?")
        return f"{unknown} = {values[0]}" if len(values) == 1 else f"{unknown} ∈ {{{', '.join(map(str, values))}}}"
    if q.kind is QuestionKind.CHOICE:
        options = q.details.get("options", [])
        if isinstance(q.answer, int) and 0 <= q.answer < len(options):
            return f"{LETTERS[q.answer]} ({show_value(options[q.answer], fw)})"
    if q.kind is QuestionKind.SUMMARY and isinstance(q.answer, Mapping):
        return str(q.answer.get("total_params", ""))
    return show_value(q.answer, fw)


def _cell(cell: str, model: ModelSolution, words: Mapping[str, str]) -> str:
    if cell == "total_params":
        return words["cell_total"]
    index, _, part = cell.partition(".")
    if index.isdigit() and int(index) < len(model.layers):
        name = model.layers[int(index)].name
        return f"{name}: {words['col_shape'] if part == 'shape' else words['col_params']}"
    return cell


def _decimal_text(q: Question, value: Any) -> str:
    """A decimal answer as the key states it: its decimals and unit (16554.50 KiB, not 16554.5)."""
    decimals = q.details.get("decimals", 0)
    places = decimals if isinstance(decimals, int) and not isinstance(decimals, bool) and 0 <= decimals <= 12 else 0
    unit = str(q.details.get("unit", ""))
    number = f"{value:.{places}f}" if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)
    return f"{number} {unit}".strip()


def _mistake_value(q: Question, m: MistakeValue, fw: Framework) -> str:
    if q.kind in DECIMAL_KINDS:
        return _decimal_text(q, m.value)
    if q.kind is QuestionKind.CHOICE:
        options = q.details.get("options", [])
        if m.value in options:
            return f"{LETTERS[options.index(m.value)]} ({show_value(m.value, fw)})"
    return show_value(m.value, fw)


def _mistakes(q: Question, model: ModelSolution, lang: str, words: Mapping[str, str]) -> tuple[tuple[MistakeRow, ...], int]:
    limit = MISTAKES_SHOWN_SUMMARY if q.kind is QuestionKind.SUMMARY else MISTAKES_SHOWN
    # Single misconceptions before combinations of two (the commoner wrong answers), and for a
    # summary one per cell in turn, so the list covers every layer rather than the first one.
    seen: dict[tuple[bool, str], int] = {}
    ranks = []
    for index, m in enumerate(q.mistakes):
        group = ("+" in m.code, m.cell)
        seen[group] = seen.get(group, 0) + 1
        ranks.append((group[0], seen[group], index))
    shown = [q.mistakes[index] for _, _, index in sorted(ranks)[:limit]]
    rows = tuple(MistakeRow(_mistake_value(q, m, model.spec.framework), _cell(m.cell, model, words) if m.cell else "",
                            m.codes, str(_pick(m.explanation, lang))) for m in shown)
    return rows, len(q.mistakes) - len(shown)


def _summary_key(q: Question, model: ModelSolution) -> SummaryKey | None:
    if q.kind is not QuestionKind.SUMMARY:
        return None
    fw = model.spec.framework
    rows = tuple((layer.name, layer.type, shape_text(layer.output_shape, fw), layer.params) for layer in model.layers)
    return SummaryKey(rows, model.total_params, model.trainable_params, model.non_trainable_params, connected_cells(model))


def connected_cells(model: ModelSolution) -> tuple[str, ...]:
    """Keras prints a graph's summary with a "Connected to" column: the table to fill shows it as
    given (which layers a merge combines), in Keras' own text; chains and PyTorch have none."""
    links = connections(model)
    return () if links is None else tuple(", ".join(refs) for refs in links)


def question_view(q: Question, number: int, lang: str, words: Mapping[str, str], *, font_family: str, width: int,
                  solved: Callable[[NetworkSpec], ModelSolution] = solve) -> QuestionView:
    """``solved`` gives a network's solution (a render solves each distinct network once)."""
    try:
        model = solved(q.spec)
    except QuizgenError as error:
        raise KeyFileError(f"question {q.id}: its network does not solve: {error.bare_message}") from None
    hidden_detail = q.details.get("hidden") if q.kind is QuestionKind.MISSING_HYPERPARAMETER else None
    hidden = None
    if isinstance(hidden_detail, Mapping) and isinstance(hidden_detail.get("layer"), int) and isinstance(hidden_detail.get("arg"), str):
        hidden = (int(hidden_detail["layer"]), str(hidden_detail["arg"]))
        if not 0 <= hidden[0] < len(q.spec.layers):
            raise KeyFileError(f"question {q.id}: details.hidden.layer {hidden[0]} is not a layer of its network")
    elif q.kind is QuestionKind.MISSING_HYPERPARAMETER:
        # Without knowing which argument is hidden the worksheet would print the answer in the code.
        raise KeyFileError(f"question {q.id}: missing_hyperparameter needs details.hidden = {{layer, arg}}")
    multi = len(q.spec.layers) >= 2
    student_net, key_net = network_view(model, hidden, diagram=multi, input_label=words["input"],
                                        diagram_label=words["diagram_label"], font_family=font_family, width=width)
    steps = tuple(tuple(part for part in str(step).split("; ") if part) for step in _pick(q.solution, lang) or ())
    mistakes, more = _mistakes(q, model, lang, words)
    key = KeyPart(_answer_text(q, model), _summary_key(q, model), steps, mistakes, more)
    return QuestionView(number, q.id, q.kind.value, q.points, str(_pick(q.prompt, lang)), student_net, key_net,
                        _space(q, model), key)
