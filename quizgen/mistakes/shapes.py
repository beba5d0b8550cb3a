"""Shape mistakes of the "kept the input's size instead of the layer's" sort.

A student who knows the spatial formula often copies the wrong channel/feature count:
`(None, 20, 20, 16)` for 32 filters on 16 channels, a Dense(10) output of 128 features, an
LSTM whose output keeps the input's features instead of its units, a Flatten that forgot
the channels. Each swaps one entry of the right shape, so it also applies to an output_size
question on that axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import prod
from typing import Any

from .catalogue import SHAPES, mistake
from .model import Alteration, Context


def _channel_axis(ctx: Context) -> int:
    """Where the layer's output keeps its channels (Keras channels-last unless data_format says first)."""
    keras = ctx.model.spec.framework.value == "keras"
    last = keras and ctx.layer.args.get("data_format") != "channels_first"
    return len(ctx.layer.output_shape) - 1 if last else 0


def _swap(ctx: Context, axis: int, wrong: Any) -> Sequence[Alteration]:
    """The right shape with entry ``axis`` replaced by ``wrong`` (a shape or dim question on that axis)."""
    right = ctx.layer.output_shape
    if wrong is None or right[axis] == wrong:
        return []
    if ctx.quantity.kind == "dim":
        return [Alteration(value=wrong, working=str(wrong))] if ctx.quantity.axis == axis else []
    return [Alteration(shape=lambda s: (*s[:axis], wrong, *s[axis + 1:]))]


@mistake("kept_input_channels", 1, SHAPES,
         ("Kept the input's channel count", "沿用了输入的通道数"),
         ("the output has one channel per filter: {C_out}, not the {C_in} input channels",
          "输出的通道数等于卷积核个数 {C_out},而不是输入的 {C_in} 个通道"))
def _kept_input_channels(ctx: Context) -> Sequence[Alteration]:
    if ctx.layer.kind.family != "conv" or "Depthwise" in ctx.layer.type or "C_in" not in ctx.env or "C_out" not in ctx.env:
        return []
    return _swap(ctx, _channel_axis(ctx), ctx.env["C_in"])


@mistake("kept_input_features", 1, SHAPES,
         ("Kept the input's feature count", "沿用了输入的特征数"),
         ("a {type} layer outputs {N_out} features (its units), not the {N_in} it receives",
          "{type} 层输出 {N_out} 个特征(即神经元个数),而不是它接收的 {N_in} 个"))
def _kept_input_features(ctx: Context) -> Sequence[Alteration]:
    if ctx.layer.kind.family != "dense" or "N_in" not in ctx.env or "N_out" not in ctx.env:
        return []
    return _swap(ctx, len(ctx.layer.output_shape) - 1, ctx.env["N_in"])


@mistake("rnn_kept_input_features", 2, SHAPES,
         ("Gave a recurrent layer's output the input's features", "循环层输出沿用了输入特征数"),
         ("a recurrent layer outputs its {H} units per step (times the directions), not the {I} input features",
          "循环层每个时间步输出 {H} 个隐藏单元(乘以方向数),而不是 {I} 个输入特征"))
def _rnn_kept_input_features(ctx: Context) -> Sequence[Alteration]:
    if ctx.layer.kind.family != "rnn" or "I" not in ctx.env or "H" not in ctx.env:
        return []
    return _swap(ctx, len(ctx.layer.output_shape) - 1, ctx.env["I"])


@mistake("flatten_forgot_channels", 2, SHAPES,
         ("Flattened without the channels", "展平时漏乘通道数"),
         ("Flatten keeps every value: {spatial}×{C_in}, the {C_in} channels included",
          "Flatten 保留所有数值:{spatial}×{C_in},包括 {C_in} 个通道"))
def _flatten_forgot_channels(ctx: Context) -> Sequence[Alteration]:
    shape = ctx.layer.input_shape
    if ctx.layer.type != "Flatten" or len(shape) < 2 or any(d is None for d in shape) or len(ctx.layer.output_shape) != 1:
        return []
    keras = ctx.model.spec.framework.value == "keras" and ctx.layer.args.get("data_format") != "channels_first"
    spatial = shape[:-1] if keras else shape[1:]
    channels = shape[-1] if keras else shape[0]
    if channels == 1:
        return []
    return _swap(ctx, 0, prod(d for d in spatial if d is not None))
