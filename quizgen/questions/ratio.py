"""The `ratio` kind: a design trade-off as a number — the alternative's cost over the original's.

The asked layer is the original design; quizgen builds the alternative from its arguments and
solves it with the same solver (so both counts follow the framework's conventions):

* ``separable``: a k×k convolution vs. a k×k depthwise convolution followed by a 1×1 pointwise
  one (for MACs without biases the ratio is the classic 1/C_out + 1/K²);
* ``stacked``: a k×k convolution (k odd, stride 1) vs. (k − 1)/2 stacked 3×3 convolutions with
  the same receptive field, C_in → C_out → … → C_out;
* ``bottleneck``: a k×k convolution C_in → C_out vs. a 1×1 convolution to ``width`` channels and
  the k×k convolution from ``width`` to C_out;
* ``grouped``: a convolution vs. the same one with ``groups`` groups;
* ``gru``: an LSTM vs. a GRU with the same units (each framework's GRU bias convention).

Both designs keep the original's padding, stride and bias setting. ``of: params | macs``;
``as: ratio`` (alternative / original) or ``saving`` (percent saved, (1 − ratio)·100), stated to
``decimals`` places (default 3 for a ratio, 1 for a saving). Proven by building both designs in
the framework and counting their parameters and FlopCounterMode MACs (tests/test_oracle_ratio.py).
"""

from __future__ import annotations

__all__ = ["AS", "COMPARE", "OF", "alternative_layers", "prompt_words", "ratio_question"]

from fractions import Fraction
from typing import Any

from ..exam import MistakeValue
from ..solver import LayerSolution, ModelSolution, solve
from ..spec import Framework, parse_spec
from .built import Steps
from .family import Candidate, collect, decimal_answer, show_number

COMPARE = ("separable", "stacked", "bottleneck", "grouped", "gru")
OF = ("params", "macs")
AS = ("ratio", "saving")
_CONVS = {"Conv2D", "Conv2d", "Conv1D", "Conv1d"}
_NAMES = {
    "separable": ("a depthwise-separable convolution (depthwise k×k, then pointwise 1×1)", "深度可分离卷积(逐通道 k×k,再逐点 1×1)"),
    "stacked": ("a stack of 3×3 convolutions with the same receptive field", "感受野相同的若干个 3×3 卷积堆叠"),
    "bottleneck": ("a 1×1 bottleneck followed by the convolution", "先 1×1 瓶颈层再做该卷积"),
    "grouped": ("the same convolution with groups", "分组卷积"),
    "gru": ("a GRU with the same units", "单元数相同的 GRU"),
}


def _conv_args(layer: LayerSolution, framework: Framework) -> dict[str, Any]:
    args = layer.args
    env = layer.env
    k = args["kernel_size"][0]
    if any(size != k for size in args["kernel_size"]):
        raise ValueError("the kernel is not square")
    if framework is Framework.KERAS:
        return {"k": k, "c_in": int(env["C_in"]), "c_out": int(env["C_out"]), "stride": args["strides"][0], "padding": args["padding"],
                "bias": bool(args["use_bias"]), "groups": int(env.get("g", 1))}
    padding = args["padding"]
    return {"k": k, "c_in": int(env["C_in"]), "c_out": int(env["C_out"]), "stride": args["stride"][0],
            "padding": padding if isinstance(padding, str) else padding[0], "bias": bool(args["bias"]), "groups": int(env.get("g", 1))}


def _conv(framework: Framework, rank: int, c_in: int, c_out: int, k: int, *, stride: int = 1, padding: Any = 0, bias: bool = True,
          groups: int = 1, depthwise: bool = False) -> dict[str, Any]:
    if framework is Framework.KERAS:
        if depthwise:
            return {f"DepthwiseConv{rank}D": {"kernel_size": k, "strides": stride, "padding": padding, "use_bias": bias}}
        keras_padding = padding if isinstance(padding, str) else ("same" if padding else "valid")
        return {f"Conv{rank}D": {"filters": c_out, "kernel_size": k, "strides": stride, "padding": keras_padding, "use_bias": bias,
                                 "groups": groups}}
    return {f"Conv{rank}d": {"in_channels": c_in, "out_channels": c_out, "kernel_size": k, "stride": stride, "padding": padding,
                             "bias": bias, "groups": c_in if depthwise else groups}}


def alternative_layers(layer: LayerSolution, framework: Framework, compare: str, options: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternative design as spec layers, taking the original layer's input."""
    if compare == "gru":
        if layer.type != "LSTM" or layer.env.get("D", 1) != 1 or layer.env.get("num_layers", 1) != 1:
            raise ValueError("gru compares a one-layer, one-direction LSTM")
        units = int(layer.env["H"])
        if framework is Framework.KERAS:
            return [{"GRU": {"units": units, "return_sequences": bool(layer.args.get("return_sequences"))}}]
        return [{"GRU": {"input_size": int(layer.env["I"]), "hidden_size": units, "batch_first": True}}]
    if layer.type not in _CONVS:
        raise ValueError(f"{compare} compares a plain convolution, not {layer.type}")
    rank = len(layer.args["kernel_size"])
    a = _conv_args(layer, framework)
    if a["groups"] != 1:
        raise ValueError("the original convolution is already grouped")
    k, c_in, c_out, bias = a["k"], a["c_in"], a["c_out"], a["bias"]
    if compare == "separable":
        return [_conv(framework, rank, c_in, c_in, k, stride=a["stride"], padding=a["padding"], bias=bias, depthwise=True),
                _conv(framework, rank, c_in, c_out, 1, bias=bias)]
    if compare == "stacked":
        if k % 2 == 0 or k < 5 or a["stride"] != 1:
            raise ValueError("stacked compares an odd kernel of 5 or more with stride 1")
        keep = a["padding"] == "same" or (isinstance(a["padding"], int) and a["padding"] == (k - 1) // 2)
        if not keep and a["padding"] not in ("valid", 0):
            raise ValueError("stacked needs 'same' or no padding")
        padding = 1 if keep and framework is Framework.PYTORCH else "same" if keep else 0 if framework is Framework.PYTORCH else "valid"
        count = (k - 1) // 2
        return [_conv(framework, rank, c_in if i == 0 else c_out, c_out, 3, padding=padding, bias=bias) for i in range(count)]
    if compare == "bottleneck":
        width = options.get("width")
        if not isinstance(width, int) or isinstance(width, bool) or width < 1:
            raise ValueError("bottleneck needs width: the 1×1 layer's channels")
        return [_conv(framework, rank, c_in, width, 1, bias=bias),
                _conv(framework, rank, width, c_out, k, stride=a["stride"], padding=a["padding"], bias=bias)]
    groups = options.get("groups")
    if not isinstance(groups, int) or isinstance(groups, bool) or groups < 2 or c_in % groups or c_out % groups:
        raise ValueError("grouped needs groups ≥ 2 dividing both channel counts")
    return [_conv(framework, rank, c_in, c_out, k, stride=a["stride"], padding=a["padding"], bias=bias, groups=groups)]


def _solve_alternative(model: ModelSolution, layer: LayerSolution, layers: list[dict[str, Any]]) -> ModelSolution:
    return solve(parse_spec({"framework": model.spec.framework.value, "input_shape": list(layer.input_shape), "layers": layers}))


def _cost(layer: LayerSolution, of: str) -> int:
    if of == "params":
        return layer.params
    if layer.macs is None:
        raise ValueError("MACs unknown")
    return layer.macs


def _working(layer: LayerSolution, of: str) -> str:
    bound = layer.outcome.macs if of == "macs" else layer.trainable
    return bound.steps() if bound is not None else str(_cost(layer, of))


def ratio_question(model: ModelSolution, layer: LayerSolution, options: dict[str, Any]) -> tuple[
        int | float, tuple[MistakeValue, ...], Steps, dict[str, Any]]:
    compare = options.get("compare")
    if compare not in COMPARE:
        raise ValueError(f"compare: {compare!r} is not one of {list(COMPARE)}")
    of = options.get("of", "params")
    express = options.get("as", "ratio")
    if of not in OF or express not in AS:
        raise ValueError(f"of must be one of {list(OF)} and as one of {list(AS)}")
    decimals = options.get("decimals", 3 if express == "ratio" else 1)
    if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 6:
        raise ValueError(f"decimals must be 0 to 6, got {decimals!r}")
    alt_layers = alternative_layers(layer, model.spec.framework, compare, options)
    alt = _solve_alternative(model, layer, alt_layers)
    if tuple(alt.output_shape) != tuple(layer.output_shape):
        raise ValueError("the alternative does not give the same output shape")
    original = _cost(layer, of)
    alternative = sum(_cost(item, of) for item in alt.layers)
    if not original or not alternative:
        raise ValueError("a cost is zero")
    ratio = Fraction(alternative, original)
    exact = ratio if express == "ratio" else (1 - ratio) * 100
    answer, details = decimal_answer(exact, decimals)
    stated = show_number(answer, decimals)
    label = "parameters" if of == "params" else "MACs"
    label_zh = "参数量" if of == "params" else "乘加次数"
    alt_terms = " + ".join(str(_cost(item, of)) for item in alt.layers)
    final = (f"ratio = {alternative}/{original} = {show_number(ratio, 6)}" if express == "ratio" else
             f"saving = (1 − {alternative}/{original})·100 = {show_number(exact, 6)} %")
    steps: Steps = {}
    for lang in ("en", "zh"):
        head = (f"original {layer.name} ({layer.type}) {label}: {_working(layer, of)}" if lang == "en"
                else f"原设计 {layer.name} ({layer.type}) 的{label_zh}:{_working(layer, of)}")
        lines = [head]
        for item in alt.layers:
            lines.append((f"alternative {item.type}: " if lang == "en" else f"替代设计 {item.type}:") + _working(item, of))
        if len(alt.layers) > 1:
            lines.append(f"alternative total: {alt_terms} = {alternative}" if lang == "en" else f"替代设计合计:{alt_terms} = {alternative}")
        if compare == "separable" and of == "macs" and not _conv_args(layer, model.spec.framework)["bias"]:
            c_out, k = int(layer.env["C_out"]), layer.args["kernel_size"][0]
            lines.append(f"= 1/C_out + 1/K² = 1/{c_out} + 1/{k}² (same output positions for both)" if lang == "en"
                         else f"= 1/C_out + 1/K² = 1/{c_out} + 1/{k}²(两者输出位置相同)")
        lines.append(final if lang == "en" else final.replace("saving =", "节省 =").replace("ratio =", "比值 ="))
        if exact != answer:
            lines.append(f"≈ {stated}" + (" %" if express == "saving" else ""))
        steps[lang] = tuple(lines)
    candidates = _candidates(ratio, express, original, alternative, layer, alt, of, compare, options)
    unit = "%" if express == "saving" else ""
    mistakes = collect(exact, candidates, f"{stated}{' %' if unit else ''}", decimals)
    details.update({"unit": unit, "compare": compare, "of": of, "as": express, "original": original, "alternative": alternative,
                    "alternative_layers": alt_layers})
    return answer, mistakes, steps, details


def _express(ratio: Fraction, express: str) -> Fraction:
    return ratio if express == "ratio" else (1 - ratio) * 100


def _candidates(ratio: Fraction, express: str, original: int, alternative: int, layer: LayerSolution, alt: ModelSolution, of: str,
                compare: str, options: dict[str, Any]) -> list[Candidate]:
    def shown(top: int | str, bottom: int | str) -> str:
        return f"{top}/{bottom}" if express == "ratio" else f"(1 − {top}/{bottom})·100"

    out = []
    if express == "ratio":
        out.append(Candidate("ratio_inverted", Fraction(original, alternative), f"{original}/{alternative}", {
            "en": f"you divided the original by the alternative; the question asks alternative / original = {alternative}/{original}",
            "zh": f"用原设计除以了替代设计;题目问的是 替代/原 = {alternative}/{original}"}))
    else:
        out.append(Candidate("ratio_kept_not_saved", ratio * 100, f"{alternative}/{original}·100", {
            "en": "you gave the share that remains; the saving is 100 % minus it", "zh": "给出的是剩下的比例;节省的是 100% 减去它"}))
        out.append(Candidate("ratio_fraction_not_percent", 1 - ratio, f"1 − {alternative}/{original}", {
            "en": "you gave the saving as a fraction; the question asks for percent", "zh": "把节省写成了小数;题目要求百分数"}))
        out.append(Candidate("ratio_inverted", (Fraction(original, alternative) - 1) * 100, f"({original}/{alternative} − 1)·100", {
            "en": "you computed how much more the original costs, relative to the alternative; the saving is relative to the "
                  "original", "zh": "算的是原设计比替代设计多出多少(相对替代设计);节省应相对原设计计算"}))
    if of == "params" and any(item.env.get("B") for item in (layer, *alt.layers)):
        def no_bias(item: LayerSolution) -> int:
            env = item.env
            return item.params - (int(env.get("C_out", 0)) if env.get("B") else 0) if item.kind.family == "conv" else item.params

        top, bottom = sum(no_bias(item) for item in alt.layers), no_bias(layer)
        if top and bottom:
            out.append(Candidate("ratio_ignored_bias", _express(Fraction(top, bottom), express), shown(top, bottom), {
                "en": "you left out the biases; they count in both designs", "zh": "漏掉了偏置;两种设计都要算偏置"}))
    costs = [_cost(item, of) for item in alt.layers]
    if compare == "separable":
        out.append(Candidate("ratio_depthwise_only", _express(Fraction(costs[0], original), express), shown(costs[0], original), {
            "en": f"you counted only the depthwise step ({costs[0]}); the 1×1 pointwise step ({costs[1]}) belongs to the design too",
            "zh": f"只算了逐通道卷积 ({costs[0]});逐点 1×1 卷积 ({costs[1]}) 也属于该设计"}))
    if compare == "stacked" and len(costs) > 1:
        out.append(Candidate("ratio_one_of_the_stack", _express(Fraction(costs[0], original), express), shown(costs[0], original), {
            "en": f"you counted one 3×3 layer ({costs[0]}); {len(costs)} are stacked to reach the same receptive field",
            "zh": f"只算了一个 3×3 层 ({costs[0]});要堆叠 {len(costs)} 层才有相同的感受野"}))
    if compare == "bottleneck":
        out.append(Candidate("ratio_bottleneck_without_1x1", _express(Fraction(costs[1], original), express), shown(costs[1], original), {
            "en": f"you left out the 1×1 layer ({costs[0]})", "zh": f"漏掉了 1×1 层 ({costs[0]})"}))
    if compare == "grouped":
        groups = int(options.get("groups", 1))
        twice = Fraction(alternative, groups * original)
        out.append(Candidate("ratio_groups_twice", _express(twice, express), shown(f"{alternative}/{groups}", original), {
            "en": f"you divided by the {groups} groups twice; each filter already sees C_in/{groups} channels",
            "zh": f"除以了两次组数 {groups};每个卷积核本来就只看 C_in/{groups} 个通道"}))
    if compare == "gru":
        h, i = int(layer.env["H"]), int(layer.env["I"])
        two = 2 * h * (i + h + 1)
        out.append(Candidate("ratio_gru_two_gates", _express(Fraction(two, original), express), shown(two, original), {
            "en": "a GRU has three gate blocks (update, reset and candidate), not two",
            "zh": "GRU 有三组门(更新门、重置门和候选状态),不是两组"}))
    return out


def prompt_words(options: dict[str, Any]) -> dict[str, str]:
    compare = options.get("compare", "separable")
    express = options.get("as", "ratio")
    of = options.get("of", "params")
    decimals = options.get("decimals", 3 if express == "ratio" else 1)
    what = ("parameters" if of == "params" else "multiply–accumulate operations (MACs)", "参数量" if of == "params" else "乘加次数 (MACs)")
    asked = ((f"the ratio alternative / original, to {decimals} decimal places", f"替代设计与原设计之比(替代/原),保留 {decimals} 位小数")
             if express == "ratio" else
             (f"the saving in percent, (1 − alternative/original)·100, to {decimals} decimal place{'s' if decimals != 1 else ''}",
              f"节省的百分比 (1 − 替代/原)·100,保留 {decimals} 位小数"))
    name = _NAMES.get(compare, ("", ""))
    return {"alt": name[0], "alt_zh": name[1], "of_what": what[0], "of_what_zh": what[1], "asked": asked[0], "asked_zh": asked[1]}


DEFAULT_PROMPT = {
    "en": "Layer {n} ({name}, {type}) is replaced by {alt}, with the same output shape. Compare their {of_what}: give {asked}.",
    "zh": "把第 {n} 层 ({name}, {type}) 换成{alt_zh},输出形状不变。比较两者的{of_what_zh}:给出{asked_zh}。",
}
