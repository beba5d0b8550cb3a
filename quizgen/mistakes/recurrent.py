"""Mistakes of recurrent layers: gates, recurrent weights, bias conventions, stacking, directions.

The recurrent kinds bind gates, H (units), I (input features), n_b (bias vectors per gate),
D (directions) and num_layers; the wrong formulas here are written over the same symbols.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..formula import Add, Expr, Mul, Num, Sym
from ..spec import Framework
from .catalogue import PARAMS, SHAPES, mistake
from .model import Alteration, Context, replace_with

H, IN, N_B = Sym("H"), Sym("I"), Sym("n_b")
_RNN_TYPES = {"SimpleRNN", "LSTM", "GRU", "RNN"}
# The gate counts students confuse: an LSTM taken for a GRU or a plain RNN, a GRU said to have
# 2 gates (update and reset, forgetting the candidate block) or taken for an LSTM, ...
_WRONG_GATES = {4: (3, 1), 3: (2, 4, 1), 1: (4,)}


def _single_rnn(ctx: Context) -> bool:
    """One layer, one direction, no projection: the textbook gates·H·(I + H + n_b)."""
    env = ctx.env
    return (ctx.layer.type in _RNN_TYPES and env.get("num_layers", 1) == 1 and env.get("D", 1) == 1
            and env.get("P", 0) == 0 and "gates" in env)


def _block(gates: Expr | int, recurrent: bool = True, bias: Expr | None = N_B) -> Expr:
    terms: tuple[Expr, ...] = (IN, H) if recurrent else (IN,)
    if bias is not None:
        terms = (*terms, bias)
    body = Mul((H, Add(terms)))
    return Mul((Num(gates), *body.factors)) if isinstance(gates, int) and gates > 1 else body


def _bias(ctx: Context) -> Expr | None:
    """The bias term of a gate block: n_b bias vectors, or none for a layer without bias."""
    return N_B if ctx.env.get("n_b") else None


@mistake("rnn_gate_count", 2, PARAMS,
         ("Wrong number of gates", "门的数量算错"),
         ("a {type} has {weight_blocks}, each H·(I + H + biases)",
          "{type} 有{weight_blocks_zh},每组 H·(I + H + 偏置)"))
def _rnn_gate_count(ctx: Context) -> Sequence[Alteration]:
    if not _single_rnn(ctx):
        return []
    return [Alteration(rewrite=replace_with(_block(g, bias=_bias(ctx)))) for g in _WRONG_GATES.get(int(ctx.env["gates"]), ())]


@mistake("rnn_forgot_recurrent", 2, PARAMS,
         ("Forgot the recurrent weights", "漏算了循环权重"),
         ("every gate also multiplies the previous state: H·H recurrent weights per gate",
          "每个门还要乘以上一时刻的状态:每个门有 H·H 个循环权重"))
def _rnn_forgot_recurrent(ctx: Context) -> Sequence[Alteration]:
    if not _single_rnn(ctx):
        return []
    # The wrong formula is built here, not in a closure over the context: the run-long rewrite memo
    # (model.rewritten) keeps its rewrites, and a context holds the question's whole solved network.
    return [Alteration(rewrite=replace_with(_block(int(ctx.env["gates"]), recurrent=False, bias=_bias(ctx))))]


@mistake("rnn_bias_convention", 2, PARAMS,
         ("Used the other framework's bias convention", "用了另一个框架的偏置约定"),
         ("{bias_rule}", "{bias_rule_zh}"))
def _rnn_bias_convention(ctx: Context) -> Sequence[Alteration]:
    if not _single_rnn(ctx) or not ctx.env.get("n_b"):
        return []
    other = 1 if ctx.env["n_b"] == 2 else 2
    return [Alteration(rewrite=replace_with(_block(int(ctx.env["gates"]))), env={"n_b": other})]


@mistake("rnn_stacked_input", 3, PARAMS,
         ("Fed a stacked layer the original input size", "堆叠层的输入维度用了原始输入"),
         ("a stacked recurrent layer reads the previous layer's {I} features, not the model input's",
          "堆叠的循环层读取的是上一层输出的 {I} 个特征,而不是模型输入的特征数"))
def _rnn_stacked_input(ctx: Context) -> Sequence[Alteration]:
    if ctx.model.spec.framework is not Framework.KERAS or ctx.layer.type not in _RNN_TYPES or ctx.layer.index == 0:
        return []
    original = ctx.model.spec.input_shape[-1]
    stacked = any(before.kind.family == "rnn" for before in ctx.model.layers[:ctx.layer.index])
    if original is None or original == ctx.env.get("I") or not stacked:
        return []
    return [Alteration(env={"I": original})]


@mistake("bidirectional_not_doubled", 1, PARAMS | SHAPES,
         ("Counted one direction of a bidirectional layer", "双向层只算了一个方向"),
         ("a bidirectional layer has two independent copies (forward and backward)", "双向层有前向和后向两套独立的权重"))
def _bidirectional_not_doubled(ctx: Context) -> Sequence[Alteration]:
    layer = ctx.layer
    if layer.type == "Bidirectional" and layer.outcome.inner:
        inner = layer.outcome.inner[0]
        if ctx.quantity.kind in PARAMS:
            value = int(inner.trainable.value + inner.non_trainable.value)
            return [Alteration(value=value, working=inner.trainable.substituted())]
        if ctx.quantity.kind == "shape":
            return [Alteration(value=list(inner.output_shape), working=str(tuple(inner.output_shape)))]
        return []
    if layer.type in _RNN_TYPES and layer.args.get("bidirectional"):
        return [Alteration(args={"bidirectional": False})]
    return []


def bias_words(ctx: Context) -> dict[str, str]:
    keras = ctx.model.spec.framework is Framework.KERAS
    if keras:
        reset_after = ctx.layer.type == "GRU" and ctx.layer.args.get("reset_after", True)
        rule = ("Keras' GRU with reset_after=True keeps two bias vectors per block" if reset_after
                else "Keras keeps one bias vector per gate (PyTorch keeps two)")
        rule_zh = ("Keras 的 GRU 在 reset_after=True 时每组有两个偏置向量" if reset_after
                   else "Keras 每个门只有一个偏置向量(PyTorch 有两个)")
    else:
        rule, rule_zh = ("PyTorch keeps two bias vectors per gate (b_ih and b_hh)", "PyTorch 每个门有两个偏置向量 (b_ih 和 b_hh)")
    gates = ctx.env.get("gates")
    # A SimpleRNN has one block and no gates: never "1 weight blocks (gates and candidate)".
    blocks = "1 weight block (no gates)" if gates == 1 else f"{gates} weight blocks (gates and candidate)"
    blocks_zh = " 1 组权重(没有门)" if gates == 1 else f" {gates} 组权重(各个门和候选状态)"
    return {"bias_rule": rule, "bias_rule_zh": rule_zh, "weight_blocks": blocks, "weight_blocks_zh": blocks_zh}
