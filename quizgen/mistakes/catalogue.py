"""The mistake catalogue: every misconception quizgen can recognise, with its explanation.

Codes are stable identifiers: reports, exports and tests use them. Reasons are templates
filled from the layer's numbers ({C_in}, {kernel}, {layer}, ...), in English and Chinese.
"""

from __future__ import annotations

__all__ = ["CATALOGUE", "by_code"]

from collections.abc import Callable, Sequence
from functools import cache
from math import prod
from typing import Any

from ..formula import Add, Ceil, Expr, Floor, Mul, Num, Sym, transform
from ..spec import Framework
from .model import DROP, Alteration, Context, Mistake, Rewrite, replace_with

PARAMS = frozenset({"params", "trainable"})
COUNTS = frozenset({"params", "trainable", "macs", "flops"})
SHAPES = frozenset({"dim", "shape"})

_CATALOGUE: list[Mistake] = []


def mistake(code: str, rank: int, quantities: frozenset[str], title: tuple[str, str], reason: tuple[str, str]) -> Callable[
        [Callable[[Context], Sequence[Alteration]]], Callable[[Context], Sequence[Alteration]]]:
    def register(alter: Callable[[Context], Sequence[Alteration]]) -> Callable[[Context], Sequence[Alteration]]:
        _CATALOGUE.append(Mistake(code, rank, {"en": title[0], "zh": title[1]}, {"en": reason[0], "zh": reason[1]}, quantities, alter))
        return alter

    return register


def _family(ctx: Context, *families: str) -> bool:
    return ctx.layer.kind.family in families


def _is(ctx: Context, *fragments: str) -> bool:
    return any(f in ctx.layer.type for f in fragments)


def _keras(ctx: Context) -> bool:
    return ctx.model.spec.framework is Framework.KERAS


def _channels_last(ctx: Context) -> bool:
    """Where this layer keeps its channels: Keras defaults to last unless data_format says first."""
    return _keras(ctx) and ctx.layer.args.get("data_format") != "channels_first"


def _kernel_names(ctx: Context) -> list[str]:
    return [n for n in ("K_d", "K_h", "K_w", "K") if n in ctx.env]


def _arg(ctx: Context, *names: str) -> str | None:
    return next((n for n in names if n in ctx.layer.args), None)


def _standard_conv(ctx: Context) -> bool:
    return _family(ctx, "conv") and not _is(ctx, "Transpose", "Depthwise", "Separable")


# --- parameter counts ------------------------------------------------------------------------


@mistake("forgot_input_channels", 1, COUNTS,
         ("Forgot the input channels", "漏乘输入通道数"),
         ("you forgot that each filter spans all {C_in} input channels", "忘了每个卷积核要覆盖全部 {C_in} 个输入通道"))
def _forgot_input_channels(ctx: Context) -> Sequence[Alteration]:
    # A depthwise filter does see one channel: its mistake is the opposite one (depthwise_as_standard).
    if _family(ctx, "conv") and ctx.env.get("C_in", 1) > 1 and ctx.env.get("g", 1) == 1 and not _is(ctx, "Depthwise"):
        return [Alteration(env={"C_in": 1})]
    return []


def _rewrite_nodes(expr: Expr, rewrite: Callable[[Expr], Expr | None]) -> Expr | None:
    """``expr`` with every node that ``rewrite`` replaces (it returns None to keep one); None when none was replaced.

    A mistake whose rewrite changes nothing does not apply to this formula.
    """
    changed = False

    def apply(node: Expr) -> Expr:
        nonlocal changed
        replacement = rewrite(node)
        if replacement is None:
            return node
        changed = True
        return replacement

    result = transform(expr, apply)
    return result if changed else None


def _drop_constant_terms(expr: Expr) -> Expr | None:
    def drop(node: Expr) -> Expr | None:
        if isinstance(node, Add):
            kept = tuple(t for t in node.terms if not isinstance(t, Num))
            if len(kept) < len(node.terms):
                return kept[0] if len(kept) == 1 else Add(kept)
        return None

    return _rewrite_nodes(expr, drop)


@mistake("forgot_bias", 2, PARAMS,
         ("Forgot the bias", "漏算偏置"),
         ("you left out the bias terms ({layer} has a bias per output)", "漏掉了偏置项({layer} 的每个输出都有一个偏置)"))
def _forgot_bias(ctx: Context) -> Sequence[Alteration]:
    if ctx.env.get("B") == 1 or (_family(ctx, "rnn") and ctx.layer.args.get("use_bias", ctx.layer.args.get("bias", False))):
        return [Alteration(rewrite=_drop_constant_terms)]
    return []


@mistake("extra_bias", 3, PARAMS,
         ("Counted a bias that is switched off", "多算了已关闭的偏置"),
         ("this layer is built without bias ({flag}), so it has no bias terms", "该层没有偏置({flag}),不应计入偏置"))
def _extra_bias(ctx: Context) -> Sequence[Alteration]:
    flag = _arg(ctx, "use_bias", "bias")
    if flag and ctx.layer.args.get(flag) is False:
        return [Alteration(args={flag: True})]
    return []


@mistake("bias_per_input_channel", 6, PARAMS,
         ("Counted one bias per input channel", "按输入通道计偏置"),
         ("a filter has one bias, not one per input channel", "每个卷积核只有一个偏置,而不是每个输入通道一个"))
def _bias_per_input_channel(ctx: Context) -> Sequence[Alteration]:
    if _standard_conv(ctx) and ctx.env.get("B") == 1 and ctx.env.get("g") == 1 and ctx.env.get("C_in", 1) > 1:
        return [Alteration(rewrite=_bias_per_channel_formula(tuple(_kernel_names(ctx))))]
    return []


# The wrong formulas below depend only on which symbols a layer has, so each is built once (cached by
# those names): the mistake engine then rewrites and prints the same formula objects for every question.
@cache
def _bias_per_channel_formula(kernel_names: tuple[str, ...]) -> Rewrite:
    kernel = Mul(tuple(Sym(n) for n in kernel_names)) if len(kernel_names) > 1 else Sym(kernel_names[0])
    return replace_with(Mul((Sym("C_out"), Sym("C_in"), Add((kernel, Num(1))))))


@mistake("kernel_side_not_area", 4, COUNTS,
         ("Used the kernel side instead of its area", "用卷积核边长代替面积"),
         ("a {kernel} kernel has {kernel_area} weights per channel, not {K_h}",
          "{kernel} 卷积核每个通道有 {kernel_area} 个权重,而不是 {K_h} 个"))
def _kernel_side_not_area(ctx: Context) -> Sequence[Alteration]:
    names = _kernel_names(ctx)
    if _family(ctx, "conv") and len(names) > 1 and "K_h" in names:
        return [Alteration(env={n: 1 for n in names if n != "K_h"})]
    return []


@mistake("kernels_counted_twice", 5, PARAMS,
         ("Multiplied by the number of kernels twice", "卷积核个数乘了两次"),
         ("C_out already counts the kernels; multiplying (K·C_in·C_out + C_out) by C_out again counts them twice",
          "C_out 已经是卷积核个数,(K·C_in·C_out + C_out) 再乘 C_out 就重复计算了"))
def _kernels_counted_twice(ctx: Context) -> Sequence[Alteration]:
    if not (_standard_conv(ctx) and ctx.env.get("g") == 1):
        return []
    return [Alteration(rewrite=_counted_twice_formula(tuple(_kernel_names(ctx)), ctx.env.get("B") == 1))]


@cache
def _counted_twice_formula(kernel_names: tuple[str, ...], bias: bool) -> Rewrite:
    weights = Mul((*(Sym(n) for n in kernel_names), Sym("C_in"), Sym("C_out")))
    inner: Expr = Add((weights, Sym("C_out"))) if bias else weights
    return replace_with(Mul((inner, Sym("C_out"))))


@mistake("ignored_groups", 3, COUNTS,
         ("Ignored the groups", "忽略了分组"),
         ("with groups={g} each filter only sees C_in/g = {C_in_per_group} input channels",
          "groups={g} 时每个卷积核只看到 C_in/g = {C_in_per_group} 个输入通道"))
def _ignored_groups(ctx: Context) -> Sequence[Alteration]:
    if _family(ctx, "conv") and ctx.env.get("g", 1) > 1 and not _is(ctx, "Depthwise", "Separable"):
        return [Alteration(env={"g": 1})]
    return []


@mistake("depthwise_as_standard", 2, COUNTS,
         ("Counted a depthwise convolution like a standard one", "把深度卷积当成普通卷积计算"),
         ("a depthwise convolution gives each of the {C_in} input channels its own {kernel} filter: K_h·K_w·C_in weights, "
          "not K_h·K_w·C_in·C_out",
          "深度卷积给 {C_in} 个输入通道各自一个 {kernel} 卷积核:共 K_h·K_w·C_in 个权重,而不是 K_h·K_w·C_in·C_out"))
def _depthwise_as_standard(ctx: Context) -> Sequence[Alteration]:
    """Keras' DepthwiseConv2D (PyTorch writes it as groups = C_in, where ignored_groups says the same)."""
    if not (_is(ctx, "Depthwise") and "C_out" in ctx.env and _kernel_names(ctx)):
        return []
    kernel = tuple(_kernel_names(ctx))
    if ctx.quantity.kind in ("macs", "flops"):
        outputs = tuple(n for n in ("D_out", "H_out", "W_out", "L_out") if n in ctx.env)
        return [Alteration(rewrite=_depthwise_as_standard_macs(outputs, kernel, ctx.quantity.kind == "flops"))]
    return [Alteration(rewrite=_depthwise_as_standard_params(kernel, ctx.env.get("B") == 1))]


@cache
def _depthwise_as_standard_macs(outputs: tuple[str, ...], kernel_names: tuple[str, ...], flops: bool) -> Rewrite:
    macs: Expr = Mul((*(Sym(n) for n in outputs), *(Sym(n) for n in kernel_names), Sym("C_in"), Sym("C_out")))
    return replace_with(Mul((Num(2), macs)) if flops else macs)


@cache
def _depthwise_as_standard_params(kernel_names: tuple[str, ...], bias: bool) -> Rewrite:
    weights = Mul((*(Sym(n) for n in kernel_names), Sym("C_in"), Sym("C_out")))
    return replace_with(Add((weights, Sym("C_out"))) if bias else weights)


@mistake("conv_as_dense", 7, PARAMS,
         ("Counted a convolution like a dense layer", "把卷积当成全连接层计算"),
         ("a convolution shares its weights across positions: its parameters do not depend on the input size {spatial}",
          "卷积在各位置共享权重:参数量与输入尺寸 {spatial} 无关"))
def _conv_as_dense(ctx: Context) -> Sequence[Alteration]:
    sizes = [n for n in ("D_in", "H_in", "W_in", "L_in") if n in ctx.env]
    if not (_standard_conv(ctx) and sizes and ctx.env.get("g") == 1):
        return []
    return [Alteration(rewrite=_conv_as_dense_formula(tuple(sizes), ctx.env.get("B") == 1))]


@cache
def _conv_as_dense_formula(sizes: tuple[str, ...], bias: bool) -> Rewrite:
    fan_in = Mul((*(Sym(n) for n in sizes), Sym("C_in")))
    return replace_with(Mul((Sym("C_out"), Add((fan_in, Num(1))))) if bias else Mul((Sym("C_out"), fan_in)))


@mistake("separable_extra_bias", 5, PARAMS,
         ("Gave the depthwise step of a separable convolution a bias", "给可分离卷积的逐通道部分加了偏置"),
         ("in a separable convolution only the pointwise (1×1) step has a bias", "可分离卷积只有逐点 (1×1) 部分有偏置"))
def _separable_extra_bias(ctx: Context) -> Sequence[Alteration]:
    if _is(ctx, "Separable") and ctx.layer.args.get("use_bias"):
        channels = int(ctx.env.get("C_in", 0)) * int(ctx.env.get("M", ctx.env.get("dm", 1)))
        return [Alteration(rewrite=lambda e: Add((e, Num(channels))))] if channels else []
    return []


@mistake("pooling_has_params", 4, PARAMS,
         ("Gave a pooling layer parameters", "认为池化层有参数"),
         ("pooling has no weights: it only takes the max or the mean of each window", "池化层没有权重,只取窗口内的最大值或平均值"))
def _pooling_has_params(ctx: Context) -> Sequence[Alteration]:
    if not _family(ctx, "pooling") or ctx.layer.params:
        return []
    size = ctx.layer.args.get("pool_size") or ctx.layer.args.get("kernel_size")
    channels = ctx.layer.output_shape[-1 if _channels_last(ctx) else 0]
    if not isinstance(size, tuple) or channels is None:
        return []
    window = prod(size)
    value = channels * (window + 1)
    return [Alteration(value=value, working=f"{channels}·({'·'.join(map(str, size))} + 1)")]


@mistake("dense_wrong_fan_in", 3, COUNTS,
         ("Wrong input size after Flatten", "Flatten 后的输入维度算错"),
         ("after Flatten the {kind} layer sees all {N_in} = {flatten_working} values",
          "Flatten 之后 {kind} 层的输入是全部 {N_in} = {flatten_working} 个数"))
def _dense_wrong_fan_in(ctx: Context) -> Sequence[Alteration]:
    prev = ctx.previous
    if not (_family(ctx, "dense") and prev is not None and prev.type == "Flatten" and len(prev.input_shape) >= 2):
        return []
    dims = [d for d in prev.input_shape if d is not None]
    if len(dims) != len(prev.input_shape):
        return []
    channel_axis = -1 if _keras(ctx) else 0
    without_channels = prod(dims) // dims[channel_axis]
    options = {without_channels, dims[-1]} - {ctx.env["N_in"]}
    return [Alteration(env={"N_in": n}) for n in sorted(options)]


@mistake("bn_trainable_only", 2, frozenset({"params"}),
         ("Left out BatchNormalization's moving statistics", "漏掉了 BatchNormalization 的滑动统计量"),
         ("Keras counts the moving mean and variance as non-trainable parameters: 4·C, not 2·C",
          "Keras 把滑动均值和方差计为不可训练参数:共 4·C,而不是 2·C"))
def _bn_trainable_only(ctx: Context) -> Sequence[Alteration]:
    if _keras(ctx) and ctx.layer.type == "BatchNormalization" and ctx.layer.non_trainable.value:
        trainable = ctx.layer.trainable
        return [Alteration(value=int(trainable.value), working=trainable.substituted())]
    return []


@mistake("bn_running_stats_as_params", 2, frozenset({"params"}),
         ("Counted BatchNorm's running statistics as parameters", "把 BatchNorm 的运行统计量算作参数"),
         ("PyTorch keeps running_mean and running_var as buffers, not parameters: 2·C, not 4·C",
          "PyTorch 的 running_mean 和 running_var 是缓冲区而不是参数:共 2·C,而不是 4·C"))
def _bn_running_stats(ctx: Context) -> Sequence[Alteration]:
    if not _keras(ctx) and ctx.layer.type.startswith("BatchNorm") and ctx.layer.args.get("track_running_stats", True):
        channels = ctx.layer.output_shape[0]
        if channels:
            value = ctx.layer.params + 2 * channels
            return [Alteration(value=value, working=f"{ctx.layer.params} + 2·{channels}")]
    return []


# --- shapes ----------------------------------------------------------------------------------


def _drop_plus_one(expr: Expr) -> Expr | None:
    if isinstance(expr, Add) and isinstance(expr.terms[-1], Num) and expr.terms[-1].value == 1:
        rest = expr.terms[:-1]
        return rest[0] if len(rest) == 1 else Add(rest)
    return None


@mistake("no_plus_one", 2, SHAPES,
         ("Forgot the +1 in the output-size formula", "输出尺寸公式漏了 +1"),
         ("the first window also counts: ⌊(X + 2P − K)/S⌋ + 1", "第一个窗口也要算上:⌊(X + 2P − K)/S⌋ + 1"))
def _no_plus_one(ctx: Context) -> Sequence[Alteration]:
    return [Alteration(rewrite=_drop_plus_one)] if _family(ctx, "conv", "pooling") else []


def _stride_key(ctx: Context) -> str | None:
    """The stride argument's name when the effective stride is above 1 (pooling defaults to its window)."""
    key = _arg(ctx, "strides", "stride")
    value = ctx.layer.args.get(key) if key else None
    if value is None and _family(ctx, "pooling"):
        value = ctx.layer.args.get("pool_size") or ctx.layer.args.get("kernel_size")
    if isinstance(value, int):
        value = (value,)
    return key if isinstance(value, tuple) and any(v > 1 for v in value) else None


@mistake("ignored_stride", 1, SHAPES | COUNTS,
         ("Ignored the stride", "忽略了步长"),
         ("with stride {stride} the window moves {stride} positions at a time", "步长为 {stride} 时窗口每次移动 {stride} 格"))
def _ignored_stride(ctx: Context) -> Sequence[Alteration]:
    key = _stride_key(ctx)
    if key and _family(ctx, "conv") and ctx.quantity.kind not in PARAMS:
        return [Alteration(args={key: 1})]
    return []


@mistake("pool_stride_one", 2, SHAPES,
         ("Took the pooling stride as 1", "把池化步长当成 1"),
         ("a pooling layer's stride defaults to its window size ({pool})", "池化层的步长默认等于窗口大小 ({pool})"))
def _pool_stride_one(ctx: Context) -> Sequence[Alteration]:
    key = _stride_key(ctx)
    return [Alteration(args={key: 1})] if key and _family(ctx, "pooling") else []


def _numeric_padding(ctx: Context) -> tuple[int, ...] | None:
    value = ctx.layer.args.get("padding")
    return value if isinstance(value, tuple) and any(v > 0 for v in value) else None


@mistake("ignored_padding", 2, SHAPES | frozenset({"macs", "flops"}),
         ("Ignored the padding", "忽略了填充"),
         ("padding={padding} adds {padding} on each side before the window slides", "padding={padding} 会先在每侧补 {padding}"))
def _ignored_padding(ctx: Context) -> Sequence[Alteration]:
    if _numeric_padding(ctx) and _family(ctx, "conv", "pooling") and ctx.quantity.kind not in PARAMS:
        return [Alteration(args={"padding": 0})]
    return []


def _halve_padding(expr: Expr) -> Expr | None:
    def halve(node: Expr) -> Expr | None:
        if isinstance(node, Mul) and len(node.factors) == 2 and isinstance(node.factors[0], Num) and node.factors[0].value == 2 \
                and isinstance(node.factors[1], Sym) and node.factors[1].name.startswith("P"):
            return node.factors[1]
        return None

    return _rewrite_nodes(expr, halve)


@mistake("padding_one_side", 3, SHAPES,
         ("Added the padding on one side only", "只在一侧加了填充"),
         ("padding is added on both sides: X + 2P", "填充加在两侧:X + 2P"))
def _padding_one_side(ctx: Context) -> Sequence[Alteration]:
    return [Alteration(rewrite=_halve_padding)] if _numeric_padding(ctx) and _family(ctx, "conv", "pooling") else []


def _swap_rounding(source: type[Floor | Ceil], target: type[Floor | Ceil]) -> Callable[[Expr], Expr | None]:
    def swap(node: Expr) -> Expr | None:
        return target(node.arg) if isinstance(node, source) else None

    return lambda expr: _rewrite_nodes(expr, swap)


_FLOOR_TO_CEIL, _CEIL_TO_FLOOR = _swap_rounding(Floor, Ceil), _swap_rounding(Ceil, Floor)  # one object each: see model.rewritten


@mistake("ceil_instead_of_floor", 3, SHAPES,
         ("Rounded up instead of down", "向上取整而非向下取整"),
         ("a window that does not fit is dropped: the division is rounded down", "放不下的窗口会被舍弃:除法向下取整"))
def _ceil_instead_of_floor(ctx: Context) -> Sequence[Alteration]:
    return [Alteration(rewrite=_FLOOR_TO_CEIL)] if _family(ctx, "conv", "pooling") else []


@mistake("floor_instead_of_ceil", 3, SHAPES,
         ("Rounded down instead of up", "向下取整而非向上取整"),
         ("here the size is rounded up (padding='same' or ceil_mode=True)", "这里要向上取整(padding='same' 或 ceil_mode=True)"))
def _floor_instead_of_ceil(ctx: Context) -> Sequence[Alteration]:
    return [Alteration(rewrite=_CEIL_TO_FLOOR)] if _family(ctx, "conv", "pooling") else []


@mistake("same_padding_misread", 2, SHAPES | frozenset({"macs", "flops"}),
         ("Misread padding='same'/'valid'", "把 'same' 和 'valid' 填充弄反"),
         ("padding='{padding}': 'same' keeps ⌈X/S⌉ positions, 'valid' only windows that fit",
          "padding='{padding}':'same' 输出 ⌈X/S⌉,'valid' 只保留完整窗口"))
def _same_padding_misread(ctx: Context) -> Sequence[Alteration]:
    value = ctx.layer.args.get("padding")
    if isinstance(value, str) and _family(ctx, "conv", "pooling") and not _is(ctx, "Transpose"):
        other = {"same": "valid", "valid": "same", "causal": "valid"}.get(value)
        if other == "same" and not _keras(ctx) and _stride_key(ctx):
            return []
        return [Alteration(args={"padding": other})] if other else []
    return []


@mistake("ignored_dilation", 2, SHAPES,
         ("Ignored the dilation", "忽略了膨胀率"),
         ("a kernel of size K dilated by D spans D·(K − 1) + 1 inputs", "大小为 K、膨胀率为 D 的卷积核覆盖 D·(K − 1) + 1 个输入"))
def _ignored_dilation(ctx: Context) -> Sequence[Alteration]:
    key = _arg(ctx, "dilation_rate", "dilation")
    value = ctx.layer.args.get(key) if key else None
    if key and isinstance(value, tuple) and any(v > 1 for v in value):
        return [Alteration(args={key: 1})]
    return []


@mistake("channel_order", 2, frozenset({"shape"}),
         ("Used the other framework's channel order", "用了另一个框架的通道顺序"),
         ("{framework} shapes are {layout}", "{framework} 的形状是 {layout}"))
def _channel_order(ctx: Context) -> Sequence[Alteration]:
    if len(ctx.layer.output_shape) < 2 or not _family(ctx, "conv", "pooling", "norm", "padding"):
        return []
    if _channels_last(ctx):
        return [Alteration(shape=lambda s: (s[-1], *s[:-1]))]
    return [Alteration(shape=lambda s: (*s[1:], s[0]))]


@mistake("transpose_as_conv", 2, SHAPES,
         ("Computed a transposed convolution like a convolution", "把转置卷积当成普通卷积"),
         ("a transposed convolution enlarges: (X − 1)·S − 2P + D·(K − 1) + output_padding + 1",
          "转置卷积会放大尺寸:(X − 1)·S − 2P + D·(K − 1) + output_padding + 1"))
def _transpose_as_conv(ctx: Context) -> Sequence[Alteration]:
    if not _is(ctx, "Transpose"):
        return []
    conv_type = ctx.layer.type.replace("Transpose", "")  # Conv2DTranspose -> Conv2D, ConvTranspose2d -> Conv2d
    return [Alteration(as_type=conv_type, args={"output_padding": DROP})]


@mistake("ignored_output_padding", 3, SHAPES,
         ("Ignored output_padding", "忽略了 output_padding"),
         ("output_padding={output_padding} adds to one side of the output", "output_padding={output_padding} 会加在输出的一侧"))
def _ignored_output_padding(ctx: Context) -> Sequence[Alteration]:
    value = ctx.layer.args.get("output_padding")
    if isinstance(value, tuple) and any(v > 0 for v in value):
        return [Alteration(args={"output_padding": None if _keras(ctx) else 0})]
    return []


# --- compute ---------------------------------------------------------------------------------


@mistake("macs_flops_factor", 1, frozenset({"macs", "flops"}),
         ("Confused MACs and FLOPs", "混淆了 MACs 与 FLOPs"),
         ("one multiply–add (MAC) is two floating-point operations: FLOPs = 2·MACs", "一次乘加 (MAC) 是两次浮点运算:FLOPs = 2·MACs"))
def _macs_flops_factor(ctx: Context) -> Sequence[Alteration]:
    macs = ctx.layer.macs
    if not macs:
        return []
    if ctx.quantity.kind == "macs":
        return [Alteration(value=2 * macs, working=f"2·{macs}")]
    return [Alteration(value=macs, working=str(macs))]


@mistake("macs_counted_as_params", 4, frozenset({"macs", "flops"}),
         ("Gave the parameter count instead of MACs", "把参数量当成了计算量"),
         ("every weight is used at each of the {positions} output positions, so MACs ≫ parameters",
          "每个权重在 {positions} 个输出位置上都要用一次,所以计算量远大于参数量"))
def _macs_counted_as_params(ctx: Context) -> Sequence[Alteration]:
    return [Alteration(value=ctx.layer.params, working=str(ctx.layer.params))] if ctx.layer.params and ctx.layer.macs else []


CATALOGUE: tuple[Mistake, ...] = ()  # filled by __init__ after the recurrent and total mistakes register


def by_code(code: str) -> Mistake | None:
    return next((m for m in CATALOGUE if m.code == code), None)


def registered() -> list[Mistake]:
    return list(_CATALOGUE)


def words(ctx: Context) -> dict[str, Any]:
    """Placeholders for reason templates: the layer's numbers plus a few derived words."""
    env = dict(ctx.env)
    args = ctx.layer.args
    kernel = [env[n] for n in _kernel_names(ctx)] or list(args.get("kernel_size") or args.get("pool_size") or ())
    spatial = [env[n] for n in ("D_in", "H_in", "W_in", "L_in") if n in env]
    stride = args.get("strides") or args.get("stride")
    padding = args.get("padding")
    keras = _keras(ctx)
    extra: dict[str, Any] = {}
    if ctx.layer.kind.family == "rnn":
        from .recurrent import bias_words

        extra = bias_words(ctx)
    elif ctx.layer.kind.family == "attention":
        from .attention import attention_words

        extra = attention_words(ctx)
    return {
        **extra,
        **env,
        "layer": ctx.layer.name,
        "type": ctx.layer.type,
        "kind": ctx.layer.type,
        "kernel": "×".join(map(str, kernel)) if kernel else "",
        "kernel_area": prod(kernel) if kernel else "",
        "spatial": "×".join(map(str, spatial)),
        "stride": stride[0] if isinstance(stride, tuple) and len(set(stride)) == 1 else stride,
        "padding": padding[0] if isinstance(padding, tuple) and len(set(padding)) == 1 else padding,
        "pool": "×".join(map(str, args.get("pool_size") or args.get("kernel_size") or ())),
        "output_padding": args.get("output_padding"),
        "flag": "use_bias=False" if "use_bias" in args else "bias=False",
        "C_in_per_group": env["C_in"] // env["g"] if "C_in" in env and env.get("g") else "",
        "framework": "Keras" if keras else "PyTorch",
        "layout": "channels-last (…, C)" if _channels_last(ctx) else "channels-first (C, …)",
        "positions": prod(d for d in (ctx.layer.output_shape[:-1] if _channels_last(ctx) else ctx.layer.output_shape[1:]) if d) or 1,
        "flatten_working": "·".join(map(str, ctx.previous.input_shape)) if ctx.previous else "",
    }

