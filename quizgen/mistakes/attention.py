"""Mistakes of attention and Transformer layers, and of a Vision Transformer's embedding.

Multi-head attention has four projections (q, k, v and the output), each with a bias:
4·d² + 4·d for self-attention in PyTorch. Students forget the output projection or the q/k/v
biases, or mix up the model dimension d and the per-head dimension d_head = d / h. An encoder
layer adds two LayerNorms and a feed-forward block, either of which gets forgotten. Attention
MACs include the two matmuls Q·Kᵀ and softmax·V, which students leave out.
"""

from __future__ import annotations

__all__ = ["attention_deltas", "attention_words"]

from collections.abc import Sequence

from ..solver import ModelSolution
from ..spec import Framework
from .catalogue import PARAMS, mistake
from .graphs import Delta
from .model import Alteration, Context

_MHA = frozenset({"MultiheadAttention", "MultiHeadAttention"})


def _torch_mha(ctx: Context) -> bool:
    """PyTorch self-attention (kdim = vdim = embed_dim), no bias_k/bias_v: the textbook 4·E² + 4·E."""
    env = ctx.env
    return ctx.layer.type == "MultiheadAttention" and "K_d" not in env and not env.get("n_kv")


def _keras_mha(ctx: Context) -> bool:
    return ctx.layer.type == "MultiHeadAttention" and not ctx.layer.args.get("use_gate")


def _projections(ctx: Context) -> tuple[int, int, int] | None:
    """(q/k/v weights, q/k/v biases, output projection weights + bias) of one attention layer."""
    env = ctx.env
    if _torch_mha(ctx):
        e, b = int(env["E"]), int(env["B"])
        return 3 * e * e, 3 * e * b, e * e + e * b
    if _keras_mha(ctx):
        h, dk, dv, b = int(env["h"]), int(env["d_k"]), int(env["d_v"]), int(env["B"])
        eq, ek, ev, eo = (int(env[n]) for n in ("E_q", "E_k", "E_v", "E_o"))
        return eq * h * dk + ek * h * dk + ev * h * dv, b * (2 * h * dk + h * dv), h * dv * eo + b * eo
    if ctx.layer.type == "TransformerEncoderLayer" and "d" in env:
        d, b = int(env["d"]), int(ctx.layer.args.get("bias", True))
        return 3 * d * d, 3 * d * b, d * d + d * b
    return None


@mistake("mha_forgot_output_projection", 1, PARAMS,
         ("Forgot the attention's output projection", "漏算了注意力的输出投影"),
         ("after the heads are joined, an output projection maps them back to the model dimension: "
          "the fourth weight matrix, with its bias", "各个头拼接之后,还有一个输出投影把它们映射回模型维度:第四个权重矩阵及其偏置"))
def _forgot_output_projection(ctx: Context) -> Sequence[Alteration]:
    found = _projections(ctx)
    if found is None:
        return []
    _, _, output = found
    value = ctx.layer.params - output
    return [Alteration(value=value, working=f"{ctx.layer.params} − {output}",
                       note={"en": f" ({output} parameters)", "zh": f"(共 {output} 个参数)"})]


@mistake("mha_forgot_qkv_bias", 2, PARAMS,
         ("Forgot the q, k, v projection biases", "漏算了 q、k、v 投影的偏置"),
         ("each of the query, key and value projections has its own bias", "query、key、value 三个投影各有自己的偏置"))
def _forgot_qkv_bias(ctx: Context) -> Sequence[Alteration]:
    found = _projections(ctx)
    if found is None or not found[1]:
        return []
    value = ctx.layer.params - found[1]
    return [Alteration(value=value, working=f"{ctx.layer.params} − {found[1]}",
                       note={"en": f" ({found[1]} biases)", "zh": f"(共 {found[1]} 个偏置)"})]


@mistake("mha_head_vs_model_dim", 2, PARAMS,
         ("Mixed up the per-head and the model dimension", "混淆了每个头的维度和模型维度"),
         ("the heads split the model dimension: each of q, k and v projects d_model = {d_model} features to h·d_head = "
          "{heads}·{d_head} = {d_model} outputs in total",
          "多个头是对模型维度的切分:q、k、v 各自把 d_model = {d_model} 个特征投影到共 h·d_head = {heads}·{d_head} = {d_model} 个输出"))
def _head_vs_model_dim(ctx: Context) -> Sequence[Alteration]:
    env = ctx.env
    if _torch_mha(ctx) and int(env["h"]) > 1:
        e, h, dh, b = int(env["E"]), int(env["h"]), int(env["d_head"]), int(env["B"])
        one_head = 3 * (e * dh + b * dh) + e * e + b * e
        every_head = h * 3 * (e * e + b * e) + e * e + b * e
        bias = " + " if b else ""
        return [
            Alteration(value=one_head, working=f"3·({e}·{dh}{bias}{dh if b else ''}) + {e}·{e}{bias}{e if b else ''}",
                       note={"en": f" (you projected to one head's d_head = {dh})", "zh": f"(你只投影到了一个头的 d_head = {dh})"}),
            Alteration(value=every_head, working=f"{h}·3·({e}·{e}{bias}{e if b else ''}) + {e}·{e}{bias}{e if b else ''}",
                       note={"en": f" (you gave each of the {h} heads a full {e}×{e} projection)",
                             "zh": f"(你给 {h} 个头每个都算了完整的 {e}×{e} 投影)"}),
        ]
    if _keras_mha(ctx) and int(env["h"]) > 1:
        h, dk, dv, b = int(env["h"]), int(env["d_k"]), int(env["d_v"]), int(env["B"])
        eq, ek, ev, eo = (int(env[n]) for n in ("E_q", "E_k", "E_v", "E_o"))
        one_head = eq * dk + ek * dk + ev * dv + b * (2 * dk + dv) + dv * eo + b * eo
        return [Alteration(value=one_head, working=f"{eq}·{dk} + {ek}·{dk} + {ev}·{dv}{f' + {2 * dk + dv}' if b else ''} + {dv}·{eo}"
                           + (f" + {eo}" if b else ""),
                           note={"en": f" (key_dim = {dk} is per head: the projections have {h}·{dk} = {h * dk} outputs)",
                                 "zh": f"(key_dim = {dk} 是每个头的维度:投影共有 {h}·{dk} = {h * dk} 个输出)"})]
    return []


def _encoder_parts(ctx: Context) -> tuple[int, int] | None:
    """(the LayerNorms' parameters, the feed-forward block's) of a PyTorch encoder layer."""
    if ctx.layer.type != "TransformerEncoderLayer" or "d" not in ctx.env:
        return None
    d, f, bias = int(ctx.env["d"]), int(ctx.env["F"]), bool(ctx.layer.args.get("bias", True))
    return 2 * (2 if bias else 1) * d, 2 * d * f + (f + d if bias else 0)


@mistake("encoder_forgot_layernorm", 2, PARAMS,
         ("Forgot the encoder layer's LayerNorms", "漏算了编码器层的 LayerNorm"),
         ("an encoder layer has two LayerNorms, each with a scale and a shift per feature (2·d)",
          "编码器层有两个 LayerNorm,每个特征都有缩放和平移两个参数 (2·d)"))
def _encoder_forgot_layernorm(ctx: Context) -> Sequence[Alteration]:
    found = _encoder_parts(ctx)
    if found is None:
        return []
    return [Alteration(value=ctx.layer.params - found[0], working=f"{ctx.layer.params} − {found[0]}")]


@mistake("encoder_forgot_feedforward", 1, PARAMS,
         ("Forgot the encoder layer's feed-forward block", "漏算了编码器层的前馈网络"),
         ("after the attention, every token goes through two linear layers d → F → d with their biases",
          "注意力之后,每个词元还要经过两个线性层 d → F → d(含偏置)"))
def _encoder_forgot_feedforward(ctx: Context) -> Sequence[Alteration]:
    found = _encoder_parts(ctx)
    if found is None:
        return []
    return [Alteration(value=ctx.layer.params - found[1], working=f"{ctx.layer.params} − {found[1]}")]


@mistake("attention_forgot_matmuls", 1, frozenset({"macs", "flops"}),
         ("Counted only the attention's projections", "只算了注意力的投影"),
         ("attention also multiplies Q·Kᵀ (L·S·d_k per head) and softmax·V (L·S·d_v per head)",
          "注意力还要计算 Q·Kᵀ(每个头 L·S·d_k)和 softmax·V(每个头 L·S·d_v)"))
def _attention_forgot_matmuls(ctx: Context) -> Sequence[Alteration]:
    env, macs = ctx.env, ctx.layer.macs
    if macs is None or "L" not in env or "S" not in env:
        return []
    if _torch_mha(ctx):
        matmuls = 2 * int(env["L"]) * int(env["S"]) * int(env["E"])
    elif _keras_mha(ctx):
        matmuls = int(env["L"]) * int(env["S"]) * int(env["h"]) * (int(env["d_k"]) + int(env["d_v"]))
    else:
        return []
    factor = 2 if ctx.quantity.kind == "flops" else 1
    value = factor * (macs - matmuls)
    working = f"2·({macs} − {matmuls})" if factor == 2 else f"{macs} − {matmuls}"
    return [Alteration(value=value, working=working)]


def attention_words(ctx: Context) -> dict[str, int]:
    env = ctx.env
    if "E" in env and "d_head" in env:
        return {"d_model": int(env["E"]), "heads": int(env["h"]), "d_head": int(env["d_head"])}
    if "d_k" in env:
        return {"d_model": int(env["E_q"]), "heads": int(env["h"]), "d_head": int(env["d_k"])}
    return {}


_TOTAL_ONLY = frozenset({"total"})


def _listed_only(_ctx: Context) -> Sequence[Alteration]:
    return []


# Whole-model codes: their values come from `attention_deltas`; the entries give them a title and reason.
for _code, _rank, _title, _reason in (
        ("vit_forgot_class_token", 1, ("Forgot the ViT class token", "漏算了 ViT 的类别词元"),
         ("the class token is a learned 1×d weight vector prepended to the patch tokens",
          "类别词元是拼接在图块词元前面的一个可学习的 1×d 权重向量")),
        ("vit_forgot_position_embedding", 1, ("Forgot the ViT position embedding", "漏算了 ViT 的位置嵌入"),
         ("every token, the class token included, has a learned position vector of d weights",
          "每个词元(包括类别词元)都有一个可学习的 d 维位置向量"))):
    mistake(_code, _rank, _TOTAL_ONLY, _title, _reason)(_listed_only)


# --- whole-model totals --------------------------------------------------------------------------


def attention_deltas(model: ModelSolution, which: str) -> list[Delta]:
    """A hand-built encoder layer without its LayerNorms or feed-forward layers; a ViT without class token or positions."""
    if which == "non_trainable":
        return []
    deltas: list[Delta] = []
    types = {layer.type for layer in model.layers}
    if types & _MHA and model.spec.framework is Framework.KERAS:
        order = list(model.topological_order)
        first = min(order.index(layer.index) for layer in model.layers if layer.type in _MHA)
        after = [model.layers[i] for i in order[first:]]
        norms = [layer for layer in after if layer.type == "LayerNormalization" and layer.params]
        dense = [layer for layer in after if layer.type == "Dense" and layer.params]
        for code, rank, layers, en, zh in (
                ("encoder_forgot_layernorm", 2, norms, "the LayerNorms", "LayerNorm"),
                ("encoder_forgot_feedforward", 1, dense, "the feed-forward layers", "前馈层")):
            if len(layers) > 1:
                total = sum(layer.params for layer in layers)
                listed = " + ".join(f"{layer.name} {layer.params}" for layer in layers)
                deltas.append(Delta((code,), (rank,), -total, {"en": f"{en} ({listed} = {total}) are missing",
                                                                "zh": f"漏掉了{zh}({listed} = {total})"}))
    consumers: dict[str, list[str]] = {}
    for layer in model.layers:
        for ref in layer.inputs:
            consumers.setdefault(ref, []).append(layer.type)
    for layer in model.layers:
        if layer.type != "Parameter" or not layer.params:
            continue
        users = consumers.get(layer.name, [])
        shape = "×".join(str(int(layer.env[f"d_{i + 1}"])) for i in range(len(layer.output_shape) + 1))
        if "torch.cat" in users:
            deltas.append(Delta(("vit_forgot_class_token",), (1,), -layer.params, {
                "en": f"the class token {layer.name} ({shape} = {layer.params} weights) is missing",
                "zh": f"漏掉了类别词元 {layer.name}({shape} = {layer.params} 个权重)"}))
        elif "torch.add" in users and len(layer.output_shape) == 2:
            deltas.append(Delta(("vit_forgot_position_embedding",), (1,), -layer.params, {
                "en": f"the position embedding {layer.name} ({shape} = {layer.params} weights) is missing",
                "zh": f"漏掉了位置嵌入 {layer.name}({shape} = {layer.params} 个权重)"}))
    return deltas


@mistake("patches_one_side", 2, frozenset({"dim"}),
         ("Counted the patches along one side only", "只数了一条边上的图块"),
         ("the patches tile the image in both directions: (H/P)·(W/P) tokens", "图块在两个方向上铺满图像:共 (H/P)·(W/P) 个词元"))
def _patches_one_side(ctx: Context) -> Sequence[Alteration]:
    if ctx.layer.kind.family != "reshape" or ctx.quantity.axis is None:
        return []
    at = ctx.previous
    while at is not None and at.kind.family == "reshape":
        at = next((layer for layer in ctx.model.layers if at.inputs and layer.name == at.inputs[0]), None)
    if at is None or at.kind.family != "conv" or len(at.output_shape) != 3:
        return []
    keras = ctx.model.spec.framework is Framework.KERAS
    rows, cols = at.output_shape[:2] if keras else at.output_shape[1:]
    asked = ctx.layer.output_shape[ctx.quantity.axis]
    if rows is None or cols is None or asked != rows * cols or rows == asked:
        return []
    return [Alteration(value=int(rows), working=str(rows),
                       note={"en": f": {rows}·{cols} = {asked} patches from {at.name}'s {rows}×{cols} grid",
                             "zh": f":{at.name} 输出 {rows}×{cols} 的网格,共 {rows}·{cols} = {asked} 个图块"})]
