"""The answer boxes of a practice page and the sealed data each one checks itself against.

One box per question, except a summary question: one box per table cell (every layer's output
shape and parameter count, and the total), each with the mistakes of its cell. See seal.py for
what is stored and why it does not show the answer.
"""

from __future__ import annotations

__all__ = ["Box", "question_boxes"]

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..exam import COUNT_KINDS, DECIMAL_KINDS, MistakeValue, Question, QuestionKind
from ..grading.decimals import decimal_places, exact_value, tolerance_of
from ..i18n import Lang
from ..solver import ModelSolution, solve
from ..spec import Framework
from ..squarekernel import SQUARE_KERNEL, square_kernel_names
from ..summary import layer_steps, shape_text
from .seal import canon_count, canon_formula, canon_shape, canon_values, formula_probes, seal, seal_key, tag
from .text import pt


@dataclass(frozen=True, slots=True)
class Box:
    id: str  # DOM id and the salt's box name: "q3", "q7-0-shape"
    kind: str  # count | shape | choice | values | formula: how the page's script reads typed text
    label: str  # shown before the box ("H_out =", "kernel_size =", "")
    note: str  # the expected format, shown as the box's placeholder
    data: Mapping[str, Any]  # what the script checks against (tags and sealed texts only)


def _pick(texts: Mapping[str, Any], lang: str) -> str:
    return str(texts.get(lang) or texts.get("en") or next(iter(texts.values()), ""))


def _sealed_data(salt: str, box: str, kind: str, answer: str | None, mistakes: Sequence[tuple[str | None, MistakeValue]],
                 solution: str, lang: str, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": kind, **(extra or {})}
    if answer is None:  # the answer has no canonical form the script could reach: the box says so
        data["answer"] = []
        data["mistakes"] = {}
        return data
    data["answer"] = [tag(salt, box, answer)]
    data["solution"] = seal(seal_key("sol", salt, box, answer), solution)
    sealed: dict[str, str] = {}
    for value, m in mistakes:
        if value is None or value == answer:
            continue
        key = tag(salt, box, value)
        if key in sealed:  # the grader's rule: the first (most likely) mistake of a value explains it
            continue
        text = json.dumps({"codes": list(m.codes), "text": _pick(m.explanation, lang)}, ensure_ascii=False)
        sealed[key] = seal(seal_key("key", salt, box, value), text)
    data["mistakes"] = dict(sorted(sealed.items()))  # ordered by tag: the order says nothing about likelihood
    return data


def _steps(q: Question, lang: str) -> tuple[str, ...]:
    return tuple(str(s) for s in (q.solution.get(lang) or q.solution.get("en") or ()))


def _cell_steps(model: ModelSolution, index: int, lang: str) -> tuple[str, str]:
    """(shape steps, parameter steps) of one summary row: a cell shows only its own working."""
    if index >= len(model.layers):
        return "", ""
    layer = model.layers[index]
    steps = layer_steps(layer, Lang(lang))
    macs = [s for s in steps if s.startswith(("MACs", "乘加"))]  # "MACs: N_in·N_out = ..." is no shape step
    shape = [s for s in steps if s not in macs and s.split(" = ")[0].endswith("_out")]
    params = [s for s in steps if s not in shape and s not in macs]
    return "\n".join([*shape, shape_text(layer.output_shape, model.spec.framework)]), "\n".join(params)


def _summary_boxes(q: Question, salt: str, base: str, lang: str, model: ModelSolution) -> list[Box]:
    answer: Mapping[str, Any] = q.answer
    rows = list(answer.get("rows", ()))
    boxes = []
    keras = q.spec.framework is Framework.KERAS
    for i, row in enumerate(rows):
        shape = list(row.get("output_shape") or [])
        rank = len(shape)
        shape_steps, params_steps = _cell_steps(model, i, lang)
        cell = f"{i}.shape"
        box = f"{base}-{i}-shape"
        mistakes = [(canon_shape(m.value, rank), m) for m in q.mistakes if m.cell == cell]
        boxes.append(Box(box, "shape", "", pt("fmt_shape_keras" if keras else "fmt_shape_torch", lang),
                         _sealed_data(salt, box, "shape", canon_shape(shape, rank), mistakes, shape_steps, lang, {"dims": rank})))
        cell = f"{i}.params"
        box = f"{base}-{i}-params"
        mistakes = [(canon_count(m.value), m) for m in q.mistakes if m.cell == cell]
        boxes.append(Box(box, "count", "", pt("fmt_count", lang),
                         _sealed_data(salt, box, "count", canon_count(row.get("params")), mistakes, params_steps, lang)))
    box = f"{base}-total"
    mistakes = [(canon_count(m.value), m) for m in q.mistakes if m.cell == "total_params"]
    counts = [str(layer.params) for layer in model.layers]
    total = f"{' + '.join(counts)} = {model.total_params}" if len(counts) > 1 else ""
    boxes.append(Box(box, "count", pt("cell_total", lang) + ":", pt("fmt_count", lang),
                     _sealed_data(salt, box, "count", canon_count(answer.get("total_params")), mistakes, total, lang)))
    return boxes


def question_boxes(q: Question, salt: str, base: str, lang: str, model: ModelSolution | None = None) -> list[Box]:
    """The boxes of one question; ``base`` is the question's DOM id, ``model`` its solved network."""
    kind = q.kind
    solution = "\n".join(_steps(q, lang))
    if kind is QuestionKind.SUMMARY:
        return _summary_boxes(q, salt, base, lang, model or solve(q.spec))
    if kind in COUNT_KINDS:
        label = f"{q.details.get('axis', '')}_out =" if kind is QuestionKind.OUTPUT_SIZE else ""
        note = pt("fmt_count", lang)
        mistakes = [(canon_count(m.value), m) for m in q.mistakes if not m.cell]
        return [Box(base, "count", label, note, _sealed_data(salt, base, "count", canon_count(q.answer), mistakes, solution, lang))]
    if kind in DECIMAL_KINDS:
        return [_decimal_box(q, salt, base, lang, solution)]
    if kind is QuestionKind.OUTPUT_SHAPE:
        rank = len(q.answer) if isinstance(q.answer, list) else 0
        keras = q.spec.framework is Framework.KERAS
        mistakes = [(canon_shape(m.value, rank), m) for m in q.mistakes if not m.cell]
        return [Box(base, "shape", "", pt("fmt_shape_keras" if keras else "fmt_shape_torch", lang),
                    _sealed_data(salt, base, "shape", canon_shape(q.answer, rank), mistakes, solution, lang, {"dims": rank}))]
    if kind is QuestionKind.CHOICE:
        options = list(q.details.get("options") or [])
        mistakes = [(str(options.index(m.value)) if m.value in options else None, m) for m in q.mistakes]
        shown = [show_option(v, q.spec.framework) for v in options]
        answer = str(q.answer) if isinstance(q.answer, int) and 0 <= q.answer < len(options) else None
        return [Box(base, "choice", "", pt("fmt_choice", lang),
                    _sealed_data(salt, base, "choice", answer, mistakes, solution, lang, {"options": shown}))]
    if kind is QuestionKind.MISSING_HYPERPARAMETER:
        accepted = [v for v in (q.answer if isinstance(q.answer, list) else [q.answer]) if isinstance(v, int)]
        unknown = str(q.details.get("unknown", "?"))
        data = _sealed_data(salt, base, "values", canon_values(accepted) if accepted else None, [], solution, lang)
        if len(accepted) > 1:  # one fitting value of several: say so, not "wrong"
            data["partial"] = sorted(tag(salt, base, str(v)) for v in accepted)
        return [Box(base, "values", f"{unknown} =", pt("fmt_values", lang).format(arg=unknown), data)]
    symbols = [str(s) for s in q.details.get("symbols", ())]
    sides = square_kernel_names(symbols, q.details.get("values") or {})
    if sides:  # the prompt says "you may write K for K_h = K_w": K is a name of the box, every side has its value
        symbols.append(SQUARE_KERNEL)
    probes = formula_probes(salt, base, symbols)
    for point in probes:
        for side in sides:
            point[symbols.index(side)] = point[-1]
    mistakes = [(canon_formula(str(m.value), symbols, probes), m) for m in q.mistakes if not m.cell]
    answer = canon_formula(str(q.answer), symbols, probes) if symbols else None
    return [Box(base, "formula", "", pt("fmt_formula", lang).format(symbols=", ".join(symbols)),
                _sealed_data(salt, base, "formula", answer, mistakes, solution, lang, {"symbols": symbols, "probes": probes}))]


def canon_decimal(value: Fraction, digits: int) -> str:
    """A decimal answer on the box's grid: the nearest multiple of 10^-digits, as that multiple (642.0391 at 3 digits: 642039)."""
    return str(math.floor(value * 10**digits + Fraction(1, 2)))


def _decimal_box(q: Question, salt: str, base: str, lang: str, solution: str) -> Box:
    """A memory or ratio answer, right within half a unit of its last stated place of the exact value (the grader's rule).

    Exact tags cannot hold a range, so the box reads a typed number to one place more than the key states
    (the script's canon_decimal) and holds a tag for every such value the grader's rule accepts, and for
    every value it would call a mistake, each explained by the mistake nearest to it, as the grader picks.
    Only a number typed to two or more places beyond the stated ones, within a twentieth of a unit of the
    range's edge, can be judged otherwise than by the grader.
    """
    unit = str(q.details.get("unit", ""))
    tolerance = tolerance_of(q.details)
    digits = decimal_places(q.details) + 1
    scale = 10**digits
    try:
        exact = exact_value(q.answer, q.details)
    except (ValueError, TypeError, ZeroDivisionError):  # a hand-edited key without a number: the box says it cannot check
        return Box(base, "decimal", "", unit, _sealed_data(salt, base, "decimal", None, [], solution, lang, {"digits": digits}))

    def grid(center: Fraction) -> range:
        return range(math.ceil((center - tolerance) * scale), math.floor((center + tolerance) * scale) + 1)

    right = grid(exact)
    accepted = [str(n) for n in right]
    candidates = [(Fraction(str(m.value)), m) for m in q.mistakes if not m.cell and isinstance(m.value, (int, float))
                  and not isinstance(m.value, bool)]
    nearest: dict[int, tuple[Fraction, MistakeValue]] = {}
    for target, m in candidates:
        for n in grid(target):
            distance = abs(Fraction(n, scale) - target)
            if n not in right and (n not in nearest or distance < nearest[n][0]):
                nearest[n] = (distance, m)
    mistakes = [(str(n), m) for n, (_, m) in sorted(nearest.items())]
    data = _sealed_data(salt, base, "decimal", accepted[0], mistakes, solution, lang, {"digits": digits})
    data["answer"] = [tag(salt, base, value) for value in accepted]
    # The worked solution is sealed under each accepted value: whichever of them was typed opens it.
    data["solution"] = {tag(salt, base, value): seal(seal_key("sol", salt, base, value), solution) for value in accepted}
    return Box(base, "decimal", "", unit, data)


def show_option(value: Any, framework: Framework) -> str:
    if isinstance(value, list):
        return shape_text(tuple(value), framework)
    return str(value)
