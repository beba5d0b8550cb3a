"""Expected wrong answers: the value of every applicable mistake (and pair) for a question.

`layer_mistakes` covers one quantity of one layer; `total_mistakes` covers whole-model
counts, where each mistake shifts the total by a layer's error. Values equal to the right
answer are dropped; a value reached by several codes keeps them all, most likely first.
"""

from __future__ import annotations

__all__ = ["CATALOGUE", "Mistake", "Quantity", "by_code", "layer_mistakes", "total_macs_mistakes", "total_mistakes"]

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from ..exam import MistakeValue
from ..formula import render_shaped
from ..i18n import Words, fill_words
from ..solver import ModelSolution
from . import attention, catalogue, families, graphs, recurrent, shapes  # noqa: F401 - registration
from .catalogue import by_code, words
from .model import Alteration, Context, Mistake, Quantity, Working, evaluate_unprinted, quantity_formula, working_text

CATALOGUE: tuple[Mistake, ...] = tuple(sorted(catalogue.registered(), key=lambda m: (m.rank, m.code)))
catalogue.CATALOGUE = CATALOGUE

_JOIN = {"en": ", and ", "zh": ",并且"}
_CORRECT = {"en": "correct: ", "zh": "正确:"}
MAX_PAIR_INPUTS = 8  # singles considered for pairs, most likely first (keeps keys small and fast)


def _reason(mistake: Mistake, lang: str, context_words: Mapping[str, Any]) -> str:
    return fill_words(mistake.reason[lang], context_words)


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "(" + ", ".join("None" if v is None else str(v) for v in value) + ")"
    return str(value)


@dataclass(frozen=True, slots=True)
class _Found:
    codes: tuple[str, ...]
    ranks: tuple[int, ...]
    value: Any
    explanation: dict[str, str]


def _collect(found: Iterable[_Found], answer: Any, cell: str) -> tuple[MistakeValue, ...]:
    """Group by value (dropping the right answer), codes of a value ordered most likely first."""
    return _grouped([(f.codes, f.ranks, f.value, f.explanation) for f in found], answer, cell, lambda explanation: explanation)


Item = TypeVar("Item")


def _grouped(found: Sequence[tuple[tuple[str, ...], tuple[int, ...], Any, Item]], answer: Any, cell: str,
             explain: Callable[[Item], dict[str, str]]) -> tuple[MistakeValue, ...]:
    """`_collect` of (codes, ranks, value, what explains it): each value's likeliest mistake is explained."""
    groups: dict[str, list[tuple[tuple[str, ...], tuple[int, ...], Any, Item]]] = {}
    for item in found:
        value = item[2]
        if value == answer or value is None:
            continue
        if isinstance(value, (int, float)) and value < 0:
            continue
        groups.setdefault(repr(value), []).append(item)
    result = []
    for items in groups.values():
        if len(items) > 1:
            items.sort(key=lambda f: (len(f[0]), sum(f[1]), f[0]))
            codes = tuple(dict.fromkeys("+".join(f[0]) for f in items))
        else:
            codes = ("+".join(items[0][0]),)
        first = items[0]
        result.append((len(first[0]), sum(first[1]), MistakeValue(codes, first[2], explain(first[3]), cell)))
    result.sort(key=lambda r: (r[0], r[1], r[2].codes))
    return tuple(r[2] for r in result)


def _correct_working(ctx: Context) -> str:
    found = quantity_formula(ctx.layer.outcome, ctx.quantity)
    if found is None:
        return _show(list(ctx.layer.output_shape))
    expr, env = found
    return f"{render_shaped(expr, env)} = {_show(expr.evaluate(env))}"


_APPLYING: dict[str, tuple[Mistake, ...]] = {}  # quantity kind -> the catalogue's mistakes for it, in order


def _applying(kind: str) -> tuple[Mistake, ...]:
    found = _APPLYING.get(kind)
    if found is None:
        found = _APPLYING[kind] = tuple(m for m in CATALOGUE if kind in m.quantities)
    return found


Single = tuple[Mistake, Alteration]
Made = tuple[tuple[Single, ...], Any, Working]  # the mistakes chosen, their value, its working


def layer_mistakes(model: ModelSolution, index: int, quantity: Quantity, answer: Any, *, cell: str = "",
                   pairs: bool = True) -> tuple[MistakeValue, ...]:
    ctx = Context(model.layers[index], quantity, model)
    singles: list[Single] = []
    for mistake in _applying(quantity.kind):
        for alteration in mistake.alter(ctx):  # most give none: no generator made for them
            singles.append((mistake, alteration))
    correct = _correct_working(ctx)
    context_words = Words(words(ctx))
    # Each single's reason, filled once: pairs repeat them.
    reasons: dict[int, tuple[str, str]] = {}

    def reason(mistake: Mistake, alteration: Alteration) -> tuple[str, str]:
        key = id(alteration)
        if key not in reasons:
            reasons[key] = (_reason(mistake, "en", context_words) + alteration.note.get("en", ""),
                            _reason(mistake, "zh", context_words) + alteration.note.get("zh", ""))
        return reasons[key]

    found: list[tuple[tuple[str, ...], tuple[int, ...], Any, Made]] = []

    def explain(made: Made) -> dict[str, str]:  # for each value's likeliest mistake only: most values repeat
        chosen, value, working = made
        shown, worked = _show(value), working_text(working)
        head = shown if worked == shown else f"{shown} = {worked}"
        if len(chosen) == 1:
            en, zh = reason(*chosen[0])
        else:
            texts = [reason(m, a) for m, a in chosen]
            en, zh = _JOIN["en"].join(text[0] for text in texts), _JOIN["zh"].join(text[1] for text in texts)
        return {"en": f"{head}: {en}; {_CORRECT['en']}{correct}", "zh": f"{head}: {zh}; {_CORRECT['zh']}{correct}"}

    # A mistake that changes nothing here (ceil of an exact division) is left out of pairs too.
    singles.sort(key=lambda single: single[0].rank)
    effective: list[Single] = []
    for single in singles:
        outcome = evaluate_unprinted(ctx, (single[1],))
        if outcome is not None and outcome[0] != answer:
            effective.append(single)
            found.append(((single[0].code,), (single[0].rank,), outcome[0], ((single,), *outcome)))
    if pairs:
        for a, b in itertools.combinations(effective[:MAX_PAIR_INPUTS], 2):
            if a[0].code != b[0].code:
                outcome = evaluate_unprinted(ctx, (a[1], b[1]))
                if outcome is not None and outcome[0] != answer:
                    found.append(((a[0].code, b[0].code), (a[0].rank, b[0].rank), outcome[0], ((a, b), *outcome)))
    return _grouped(found, answer, cell, explain)


def total_mistakes(model: ModelSolution, which: str = "total") -> tuple[MistakeValue, ...]:
    """Mistakes on a whole-model count: which is total, trainable or non_trainable."""
    answer = {"total": model.total_params, "trainable": model.trainable_params, "non_trainable": model.non_trainable_params}[which]
    deltas: list[Delta] = []
    counted = [layer for layer in model.layers if layer.params]
    for layer in counted:
        if len(counted) > 1:
            deltas.append((("missed_layer",), (2,), -layer.params, {
                "en": f"the {layer.params} parameters of {layer.name} ({layer.type}) are missing",
                "zh": f"漏掉了 {layer.name} ({layer.type}) 的 {layer.params} 个参数"}))
        deltas.append((("double_counted_layer",), (4,), layer.params, {
            "en": f"{layer.name} ({layer.type}) was counted twice (+{layer.params})",
            "zh": f"{layer.name} ({layer.type}) 被重复计算 (+{layer.params})"}))
        for item in layer_mistakes(model, layer.index, Quantity("params"), layer.params, pairs=False):
            mistake = by_code(item.code)
            if mistake is None or not isinstance(item.value, int):
                continue
            deltas.append(((item.code,), (mistake.rank,), item.value - layer.params, {
                lang: (f"in {layer.name}, " if lang == "en" else f"{layer.name} 中:") + text.rsplit(f"; {_CORRECT[lang]}", 1)[0]
                for lang, text in item.explanation.items()}))
    for branching in (*graphs.graph_deltas(model, which), *attention.attention_deltas(model, which)):
        deltas.append((branching.codes, branching.ranks, branching.change, branching.reason))
    if which == "total" and model.non_trainable_params:
        deltas.append((("bn_trainable_only",), (2,), -model.non_trainable_params, {
            "en": f"the {model.non_trainable_params} non-trainable parameters also count in the total",
            "zh": f"总参数量也包括 {model.non_trainable_params} 个不可训练参数"}))
    if which == "trainable" and model.non_trainable_params:
        deltas.append((("bn_trainable_only",), (2,), model.non_trainable_params, {
            "en": f"the {model.non_trainable_params} non-trainable parameters are not trainable",
            "zh": f"{model.non_trainable_params} 个不可训练参数不属于可训练参数"}))
    return _total_values(answer, deltas)


Delta = tuple[tuple[str, ...], tuple[int, ...], int, dict[str, str]]  # codes, ranks, change of the total, why (by language)


def total_macs_mistakes(model: ModelSolution, factor: int = 1) -> tuple[MistakeValue, ...]:
    """Mistakes on a whole-model MAC count (``factor`` 2: FLOPs): a layer or branch left out, one layer's own
    mistake, and FLOPs read as MACs or back."""
    if model.total_macs is None:
        return ()
    answer = factor * model.total_macs
    unit = {"en": "MACs" if factor == 1 else "FLOPs", "zh": "次乘加" if factor == 1 else "次浮点运算"}
    other = model.total_macs * (2 if factor == 1 else 1)
    deltas: list[Delta] = [(("macs_flops_factor",), (1,), other - answer, {
        "en": "one multiply–add (MAC) is two FLOPs; FLOPs = 2·MACs", "zh": "一次乘加 (MAC) 是两次浮点运算;FLOPs = 2·MACs"})]
    counted = [layer for layer in model.layers if layer.macs]
    quantity = Quantity("flops" if factor == 2 else "macs")
    for layer in counted:
        count = factor * (layer.macs or 0)
        if len(counted) > 1:
            deltas.append((("missed_layer",), (2,), -count, {
                "en": f"the {count} {unit['en']} of {layer.name} ({layer.type}) are missing",
                "zh": f"漏掉了 {layer.name} ({layer.type}) 的 {count} {unit['zh']}"}))
        for item in layer_mistakes(model, layer.index, quantity, count, pairs=False):
            mistake = by_code(item.code)
            if mistake is None or not isinstance(item.value, int) or item.code == "macs_flops_factor":
                continue
            deltas.append(((item.code,), (mistake.rank,), item.value - count, {
                lang: (f"in {layer.name}, " if lang == "en" else f"{layer.name} 中:") + text.rsplit(f"; {_CORRECT[lang]}", 1)[0]
                for lang, text in item.explanation.items()}))
    for branching in graphs.graph_deltas(model, "macs" if factor == 1 else "flops"):
        deltas.append((branching.codes, branching.ranks, branching.change, branching.reason))
    return _total_values(answer, deltas)


def _total_values(answer: int, deltas: Sequence[Delta]) -> tuple[MistakeValue, ...]:
    """Each delta's total and each pair's, among the likeliest, with their explanations."""
    found: list[_Found] = []
    correct = {"en": f"{_CORRECT['en']}{answer}", "zh": f"{_CORRECT['zh']}{answer}"}
    for delta in deltas:
        value = answer + delta[2]
        found.append(_Found(delta[0], delta[1], value, {lang: f"{value}: {delta[3][lang]}; {correct[lang]}" for lang in ("en", "zh")}))
    ranked = sorted(deltas, key=lambda d: d[1])[:MAX_PAIR_INPUTS]
    for a, b in itertools.combinations(ranked, 2):
        if a[0] == b[0] and a[3] == b[3]:
            continue
        value = answer + a[2] + b[2]
        found.append(_Found(a[0] + b[0], a[1] + b[1], value,
                            {lang: f"{value}: {a[3][lang]}{_JOIN[lang]}{b[3][lang]}; {correct[lang]}" for lang in ("en", "zh")}))
    return _collect(found, answer, "")
