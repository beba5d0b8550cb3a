"""Mistakes of networks with branches: Add read as Concatenate and back, shared layers, missed branches.

Layer quantities: the output of a merge (a Concatenate taken for an Add keeps one branch's
channels; an Add taken for a Concatenate sums them) and the parameters of the first layer with
weights after it, which sees the wrong number of input channels. Whole-model totals: a branch
left out (the layers that only feed one input of a merge, back to where the paths fork; a 1×1
convolution into an Add is the projection shortcut), a shared layer counted at each call.
"""

from __future__ import annotations

__all__ = ["graph_deltas"]

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..solver import LayerSolution, ModelSolution
from ..spec import Framework
from .catalogue import COUNTS, PARAMS, SHAPES, mistake
from .model import Alteration, Context

_ADDS = frozenset({"Add", "torch.add"})
_CONCATS = frozenset({"Concatenate", "torch.cat"})
# Layers that pass the channel count through unchanged: the next layer with weights still sees the merge's channels.
_PASS_THROUGH = frozenset({"activation", "norm", "dropout", "pooling", "reshape"})


def _channel_axis(model: ModelSolution, layer: LayerSolution) -> int | None:
    """Where a merge joins or adds: the axis a Concatenate grows; for an Add, the framework's channel axis."""
    if layer.type in _CONCATS and layer.input_shapes:
        first = layer.input_shapes[0]
        return next((i for i, (a, b) in enumerate(zip(first, layer.output_shape, strict=False)) if a != b), None)
    if not layer.output_shape:
        return None
    keras = model.spec.framework is Framework.KERAS
    return len(layer.output_shape) - 1 if keras or len(layer.output_shape) == 1 else 0


def _merge_misread(model: ModelSolution, layer: LayerSolution) -> tuple[str, int, list[int]] | None:
    """(code, the channel count the misreading gives, the branch channels) for a two-or-more-input Add or Concatenate."""
    if len(layer.input_shapes) < 2 or layer.type not in _ADDS | _CONCATS:
        return None
    axis = _channel_axis(model, layer)
    if axis is None:
        return None
    sizes = [shape[axis] if axis < len(shape) else None for shape in layer.input_shapes]
    if any(size is None for size in sizes):
        return None
    known = [int(size) for size in sizes if size is not None]
    if layer.type in _CONCATS:
        return "concat_as_add", known[0], known
    return "add_as_concat", sum(known), known


def _merge_before(ctx: Context) -> LayerSolution | None:
    """The merge whose channels this layer reads: its input's producer, through activations, norms and dropout."""
    at = ctx.previous
    while at is not None and at.type not in _ADDS | _CONCATS:
        if at.kind.family not in _PASS_THROUGH or len(at.inputs) > 1:
            return None
        at = next((layer for layer in ctx.model.layers if at.inputs and layer.name == at.inputs[0]), None)
    return at


def _shape_alteration(ctx: Context, code: str) -> Sequence[Alteration]:
    found = _merge_misread(ctx.model, ctx.layer)
    axis = _channel_axis(ctx.model, ctx.layer)
    if found is None or found[0] != code or axis is None:
        return []
    _, wrong, sizes = found
    joined = " + ".join(map(str, sizes))
    working = str(sizes[0]) if code == "concat_as_add" else f"{joined} = {wrong}"
    note = ({"en": f" ({ctx.layer.name} joins {joined} channels)", "zh": f"({ctx.layer.name} 拼接 {joined} 个通道)"}
            if code == "concat_as_add" else
            {"en": f" (the branches of {ctx.layer.name} have {sizes[0]} channels each, summed element by element)",
             "zh": f"({ctx.layer.name} 的各分支都是 {sizes[0]} 个通道,逐元素相加)"})
    if ctx.quantity.kind == "dim":
        if ctx.quantity.axis != axis:
            return []
        return [Alteration(value=wrong, working=working, note=note)]
    shape = list(ctx.layer.output_shape)
    shape[axis] = wrong
    return [Alteration(value=shape, working="(" + ", ".join("None" if d is None else str(d) for d in shape) + ")", note=note)]


def _next_layer_alteration(ctx: Context, code: str) -> Sequence[Alteration]:
    """The layer after the merge built for the misread channel count (C_in or N_in)."""
    merge = _merge_before(ctx)
    if merge is None:
        return []
    found = _merge_misread(ctx.model, merge)
    if found is None or found[0] != code:
        return []
    _, wrong, sizes = found
    symbol = "C_in" if "C_in" in ctx.env else "N_in" if "N_in" in ctx.env else None
    axis = _channel_axis(ctx.model, merge)
    # Only where this layer reads exactly the merge's channels (not H·W·C after a Flatten, say).
    if symbol is None or axis is None or ctx.env.get("g", 1) != 1 or ctx.env[symbol] != merge.output_shape[axis]:
        return []
    joined = " + ".join(map(str, sizes))
    note = ({"en": f": {merge.name} concatenates {joined} = {ctx.env[symbol]} channels, not {wrong}",
             "zh": f":{merge.name} 拼接得到 {joined} = {ctx.env[symbol]} 个通道,而不是 {wrong}"}
            if code == "concat_as_add" else
            {"en": f": {merge.name} adds {sizes[0]}-channel tensors element by element, keeping {ctx.env[symbol]} channels, "
                   f"not {joined} = {wrong}",
             "zh": f":{merge.name} 把 {sizes[0]} 通道的张量逐元素相加,仍是 {ctx.env[symbol]} 个通道,而不是 {joined} = {wrong}"})
    return [Alteration(env={symbol: wrong}, note=note)]


@mistake("concat_as_add", 2, SHAPES | COUNTS,
         ("Added where the branches are concatenated", "把拼接当成了相加"),
         ("a concatenation joins its inputs along the channels, so their channel counts add up; "
          "it does not sum them element by element",
          "拼接沿通道连接各输入,通道数相加;它不是逐元素相加"))
def _concat_as_add(ctx: Context) -> Sequence[Alteration]:
    if ctx.quantity.kind in SHAPES:
        return _shape_alteration(ctx, "concat_as_add")
    return _next_layer_alteration(ctx, "concat_as_add")


@mistake("add_as_concat", 2, SHAPES | COUNTS,
         ("Concatenated where the branches are added", "把相加当成了拼接"),
         ("an Add sums tensors of the same shape element by element: the channel count stays, it does not grow",
          "Add 把形状相同的张量逐元素相加:通道数不变,不会增加"))
def _add_as_concat(ctx: Context) -> Sequence[Alteration]:
    if ctx.quantity.kind in SHAPES:
        return _shape_alteration(ctx, "add_as_concat")
    return _next_layer_alteration(ctx, "add_as_concat")


@mistake("shared_layer_counted_twice", 1, PARAMS,
         ("Counted a shared layer's weights at each call", "共享层的权重按调用次数重复计算"),
         ("a layer applied again reuses the same weights; they are counted once, at its first call",
          "再次调用同一层时复用的是同一组权重,只在第一次调用时计数一次"))
def _shared_layer_counted_twice(ctx: Context) -> Sequence[Alteration]:
    if ctx.layer.shares is None:
        return []
    owner = next((layer for layer in ctx.model.layers if layer.name == ctx.layer.shares), None)
    if owner is None or not owner.params:
        return []
    return [Alteration(value=owner.params, working=f"{owner.params} ({owner.name})",
                       note={"en": f" ({ctx.layer.name} is {owner.name} called again)",
                             "zh": f"({ctx.layer.name} 是再次调用的 {owner.name})"})]


_TOTAL_ONLY = frozenset({"total"})


def _listed_only(_ctx: Context) -> Sequence[Alteration]:
    return []


# Whole-model codes: their values come from `graph_deltas`; the entries give them a title and reason.
mistake("forgot_projection_shortcut", 1, _TOTAL_ONLY, ("Forgot the projection shortcut", "漏算了投影捷径"),
        ("where a residual block changes the width or the size, the shortcut is a 1×1 convolution (with its BatchNorm) whose "
         "weights count too", "残差块改变通道数或尺寸时,捷径是一个 1×1 卷积(及其 BatchNorm),它的权重也要计入"))(_listed_only)
mistake("missed_branch", 2, _TOTAL_ONLY, ("Left a branch out of the total", "总数中漏掉了一个分支"),
        ("every branch that feeds a merge has its own layers and weights", "汇入合并层的每个分支都有自己的层和权重"))(_listed_only)


# --- whole-model totals --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Delta:
    """A whole-model mistake: the codes, their ranks, what it adds to the total, and why (by language)."""

    codes: tuple[str, ...]
    ranks: tuple[int, ...]
    change: int
    reason: dict[str, str]


def _branches(model: ModelSolution) -> list[tuple[LayerSolution, list[LayerSolution]]]:
    """(merge, the layers of one of its input branches): from the input back to where the paths fork."""
    consumers: dict[str, int] = {}
    for layer in model.layers:
        for ref in set(layer.inputs):
            consumers[ref] = consumers.get(ref, 0) + 1
    by_name = {layer.name: layer for layer in model.layers}
    found = []
    for merge in model.layers:
        if merge.kind.family != "merge" or len(merge.inputs) < 2:
            continue
        for ref in merge.inputs:
            branch: list[LayerSolution] = []
            at = by_name.get(ref)
            while at is not None and consumers.get(at.name, 0) == 1 and len(at.inputs) == 1 and at.kind.family != "merge":
                branch.append(at)
                at = by_name.get(at.inputs[0])
            if branch:
                found.append((merge, list(reversed(branch))))
    return found


def _is_projection(merge: LayerSolution, branch: list[LayerSolution]) -> bool:
    convs = [layer for layer in branch if layer.kind.family == "conv"]
    return merge.type in _ADDS and len(convs) == 1 and all(k == 1 for k in (convs[0].env.get("K_h"), convs[0].env.get("K_w")) if k)


def _listed(layers: Sequence[LayerSolution], pick: Callable[[LayerSolution], int]) -> str:
    counted = [layer for layer in layers if pick(layer)]
    parts = " + ".join(f"{layer.name} {pick(layer)}" for layer in counted)
    total = sum(pick(layer) for layer in counted)
    return parts if len(counted) == 1 else f"{parts} = {total}"


def graph_deltas(model: ModelSolution, which: str) -> list[Delta]:
    """Mistakes on a whole-model count that only branching networks have (which: total, trainable, non_trainable,
    macs or flops)."""
    picks: dict[str, Callable[[LayerSolution], int]] = {
        "total": lambda layer: layer.params, "trainable": lambda layer: int(layer.trainable.value),
        "non_trainable": lambda layer: int(layer.non_trainable.value),
        "macs": lambda layer: layer.macs or 0, "flops": lambda layer: 2 * (layer.macs or 0)}
    pick = picks[which]
    unit = {"en": "parameters", "zh": "个参数"} if which not in ("macs", "flops") else \
        {"en": "MACs", "zh": "次乘加"} if which == "macs" else {"en": "FLOPs", "zh": "次浮点运算"}
    deltas: list[Delta] = []
    for merge, branch in _branches(model):
        missing = sum(pick(layer) for layer in branch)
        if not missing:
            continue
        listed = _listed(branch, pick)
        if missing == sum(pick(layer) for layer in model.layers):
            continue  # the whole network is one branch: not a count anyone gives
        if _is_projection(merge, branch):
            deltas.append(Delta(("forgot_projection_shortcut",), (1,), -missing, {
                "en": f"the 1×1 projection shortcut into {merge.name} ({listed} {unit['en']}) is missing",
                "zh": f"漏掉了进入 {merge.name} 的 1×1 投影捷径({listed} {unit['zh']})"}))
        elif merge.type not in _ADDS:  # an Add's main path is not "a branch" students skip; its shortcut is above
            deltas.append(Delta(("missed_branch",), (2,), -missing, {
                "en": f"the branch {branch[0].name} … {branch[-1].name} into {merge.name} ({listed} {unit['en']}) is missing",
                "zh": f"漏掉了进入 {merge.name} 的分支 {branch[0].name} … {branch[-1].name}({listed} {unit['zh']})"}))
    for layer in model.layers:
        if layer.shares is None or which in ("macs", "flops"):  # a shared layer's second call costs its own MACs
            continue
        owner = model.layer_named(layer.shares)
        if pick(owner):
            deltas.append(Delta(("shared_layer_counted_twice",), (1,), pick(owner), {
                "en": f"{layer.name} is {owner.name} called again: its {pick(owner)} weights were counted a second time",
                "zh": f"{layer.name} 是再次调用的 {owner.name}:它的 {pick(owner)} 个权重被重复计算"}))
    return deltas
