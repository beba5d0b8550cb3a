"""Keras ``MultiHeadAttention`` and PyTorch's Transformer layers.

Keras ``MultiHeadAttention(num_heads=h, key_dim=d_k, value_dim=d_v)`` is called on
``[query, value]`` or ``[query, value, key]``; each input is ``[..., features]``, attention
runs over every axis but the last. Parameters (``B`` = 1 with use_bias):
``E_q·h·d_k + B·h·d_k`` (query) + ``E_k·h·d_k + B·h·d_k`` (key) + ``E_v·h·d_v + B·h·d_v`` (value)
+ ``h·d_v·E_o + B·E_o`` (output, E_o = output_shape or E_q) (+ a gate ``E_q·h·d_v + B·h·d_v``
with use_gate). MACs: the projections, the scores ``L·S·h·d_k`` and the weighted values
``L·S·h·d_v`` (L, S: query and key positions).

PyTorch (inputs ``[L, d]``, batch excluded; ``norm_first`` and the activation change no count):
``TransformerEncoderLayer`` = self-attention (4·d² + 4·d) + feed-forward ``d·F + F`` and ``F·d + d``
+ two LayerNorms (2·d each) = ``4·d² + 4·d + 2·d·F + F + d + 4·d``; ``bias=False`` drops every bias
(LayerNorm keeps its weight). ``TransformerDecoderLayer`` adds a cross-attention on the memory
(second input) and a third LayerNorm. ``TransformerEncoder``/``TransformerDecoder`` stack
``num_layers`` copies (plus ``norm``, a LayerNorm, when given); ``Transformer`` is an encoder of
``num_encoder_layers`` and a decoder of ``num_decoder_layers``, each with a final LayerNorm,
called on ``(src, tgt)``. MACs add the attention (see `attention`) and ``2·L·d·F`` for the
feed-forward layers.
"""

from __future__ import annotations

__all__: list[str] = []

from functools import cache
from math import prod
from typing import Any

from ..formula import Add, Expr, Mul, Num, Sym
from ..spec import Framework
from . import register
from .base import (
    ANY,
    REQUIRED,
    ArgError,
    Args,
    Bool,
    Float,
    LayerKind,
    LayerOutcome,
    Opt,
    PosInt,
    Shape,
    Validator,
    keras_common,
    outcome,
    torch_common,
)

Table = dict[str, tuple[Validator, Any]]
d, F, L, S, N = Sym("d"), Sym("F"), Sym("L"), Sym("S"), Sym("N")


def _output_features(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, (list, tuple)) and len(value) == 1 and isinstance(value[0], int) and value[0] > 0:
        return value[0]
    raise ArgError(f"must be a positive integer (or a list of one), got {value!r}")


@cache
def _keras_mha_params(bias: bool, gate: bool) -> Expr:
    h, dk, dv = Sym("h"), Sym("d_k"), Sym("d_v")
    eq, ek, ev, eo = Sym("E_q"), Sym("E_k"), Sym("E_v"), Sym("E_o")

    def proj(features: Expr, width: Expr, out: Expr) -> Expr:
        return Add((Mul((features, width, out)), Mul((width, out)))) if bias else Mul((features, width, out))

    terms = [proj(eq, h, dk), proj(ek, h, dk), proj(ev, h, dv),
             Add((Mul((h, dv, eo)), eo)) if bias else Mul((h, dv, eo))]
    if gate:
        terms.append(proj(eq, h, dv))
    return Add(tuple(terms))


@cache
def _keras_mha_macs(gate: bool) -> Expr:
    h, dk, dv = Sym("h"), Sym("d_k"), Sym("d_v")
    eq, ek, ev, eo = Sym("E_q"), Sym("E_k"), Sym("E_v"), Sym("E_o")
    terms = [Mul((L, eq, h, dk)), Mul((S, ek, h, dk)), Mul((S, ev, h, dv)), Mul((L, S, h, dk)), Mul((L, S, h, dv)),
             Mul((L, h, dv, eo))]
    if gate:
        terms.append(Mul((L, eq, h, dv)))
    return Add(tuple(terms))


def _keras_mha() -> LayerKind:
    table: Table = {
        **keras_common(weights=True), "num_heads": (PosInt, REQUIRED), "key_dim": (PosInt, REQUIRED),
        "value_dim": (Opt(PosInt), None), "dropout": (Float, 0.0), "use_bias": (Bool, True), "output_shape": (ANY, None),
        "attention_axes": (ANY, None), "sliding_window": (ANY, None), "flash_attention": (ANY, None), "use_gate": (Bool, False),
        "seed": (ANY, None),
    }

    def solve(a: Args, shapes: tuple[Shape, ...]) -> LayerOutcome:
        query, value = shapes[0], shapes[1]
        key = shapes[2] if len(shapes) == 3 else value
        if a["attention_axes"] is not None:
            raise ArgError("only the default attention_axes (every axis but the batch and the features) is supported",
                           "attention_axes")
        if key[:-1] != value[:-1]:
            raise ArgError(f"the key {list(key)} and value {list(value)} must have the same positions (all but the last axis)")
        out = _output_features(a["output_shape"])
        heads, dk = a["num_heads"], a["key_dim"]
        dv = a["value_dim"] or dk
        eq, ek, ev = query[-1], key[-1], value[-1]
        if None in (eq, ek, ev):
            raise ArgError("the features (last axis) of query, key and value must be known")
        eo = out or eq
        env: dict[str, Any] = {"h": heads, "d_k": dk, "d_v": dv, "E_q": eq, "E_k": ek, "E_v": ev, "E_o": eo,
                               "B": int(a["use_bias"])}
        known = None not in query[:-1] and None not in key[:-1]
        if known:
            env.update({"L": prod(x for x in query[:-1] if x is not None), "S": prod(x for x in key[:-1] if x is not None)})
        return outcome(env, (*query[:-1], eo), trainable=_keras_mha_params(a["use_bias"], a["use_gate"]),
                       macs=_keras_mha_macs(a["use_gate"]) if known else None)

    return LayerKind(Framework.KERAS, "MultiHeadAttention", "attention", table, solve,
                     positional=("num_heads", "key_dim", "value_dim", "dropout", "use_bias", "output_shape"),
                     min_rank=2, min_inputs=2, max_inputs=3)


# --- PyTorch ----------------------------------------------------------------------------------


def _torch_table(**extra: tuple[Validator, Any]) -> Table:
    return {**torch_common(), "d_model": (PosInt, REQUIRED), "nhead": (PosInt, REQUIRED), "dim_feedforward": (PosInt, 2048),
            "dropout": (Float, 0.1), "activation": (ANY, "relu"), "layer_norm_eps": (Float, 1e-5), "batch_first": (Bool, False),
            "norm_first": (Bool, False), "bias": (Bool, True), **extra}


@cache
def _layer_params(bias: bool, decoder: bool) -> Expr:
    """One encoder (decoder) layer: attention(s) + feed-forward + LayerNorms."""
    attention = _attention(bias)
    feed = Add((Mul((d, F)), F, Mul((F, d)), d)) if bias else Add((Mul((d, F)), Mul((F, d))))
    norms = Mul((Num(3 if decoder else 2), Num(2) if bias else Num(1), d))
    parts = (attention, attention, feed, norms) if decoder else (attention, feed, norms)
    return Add(parts)


@cache
def _attention(bias: bool) -> Expr:
    """4·d² + 4·d: the q, k, v and output projections of one attention block (4·d² without bias)."""
    return Add((Mul((Num(4), d, d)), Mul((Num(4), d)))) if bias else Mul((Num(4), d, d))


@cache
def _layer_macs(decoder: bool) -> Expr:
    """Self-attention 4·L·d² + 2·L·L·d, (cross-attention 2·L·d² + 2·S·d² + 2·L·S·d,) feed-forward 2·L·d·F."""
    self_attn = Add((Mul((Num(4), L, d, d)), Mul((Num(2), L, L, d))))
    feed = Mul((Num(2), L, d, F))
    if not decoder:
        return Add((self_attn, feed))
    cross = Add((Mul((Num(2), L, d, d)), Mul((Num(2), S, d, d)), Mul((Num(2), L, S, d))))
    return Add((self_attn, cross, feed))


def _check_model(a: Args, shape: Shape, role: str) -> None:
    if a["d_model"] % a["nhead"]:
        raise ArgError(f"d_model ({a['d_model']}) must be divisible by nhead ({a['nhead']})", "nhead")
    if shape[-1] is not None and shape[-1] != a["d_model"]:
        raise ArgError(f"d_model={a['d_model']} but the {role} has {shape[-1]} features (its shape is [L, d])", "d_model")


def _torch_layer(decoder: bool) -> LayerKind:
    def solve(a: Args, shapes: Any) -> LayerOutcome:
        target = shapes[0] if decoder else shapes
        _check_model(a, target, "target" if decoder else "input")
        env: dict[str, Any] = {"d": a["d_model"], "F": a["dim_feedforward"], "h": a["nhead"]}
        known = target[0] is not None
        if decoder:
            memory = shapes[1]
            _check_model(a, memory, "memory")
            known = known and memory[0] is not None
            if memory[0] is not None:
                env["S"] = memory[0]
        if target[0] is not None:
            env["L"] = target[0]
        return outcome(env, target, trainable=_layer_params(a["bias"], decoder), macs=_layer_macs(decoder) if known else None)

    name = "TransformerDecoderLayer" if decoder else "TransformerEncoderLayer"
    return LayerKind(Framework.PYTORCH, name, "attention", _torch_table(), solve,
                     positional=("d_model", "nhead", "dim_feedforward", "dropout", "activation", "layer_norm_eps", "batch_first",
                                 "norm_first", "bias"),
                     min_rank=2, max_rank=2, min_inputs=2 if decoder else 1, max_inputs=2 if decoder else 1)


def _inner_layer(name: str) -> Validator:
    def check(value: object) -> dict[str, Any]:
        if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) != name:
            raise ArgError(f"must be one {name} written as a mapping, like {{{name}: {{d_model: 512, nhead: 8}}}}, got {value!r}")
        kind = _KINDS[name]
        return {name: kind.validate(dict(value[name] or {}))}

    return check


def _norm(value: object) -> Any:
    if value is None:
        return None
    if isinstance(value, dict) and list(value) == ["LayerNorm"]:
        return value
    raise ArgError(f"must be a LayerNorm written as {{LayerNorm: {{normalized_shape: 512}}}} or null, got {value!r}")


def _torch_stack(decoder: bool) -> LayerKind:
    layer_name = "TransformerDecoderLayer" if decoder else "TransformerEncoderLayer"
    field = "decoder_layer" if decoder else "encoder_layer"
    table: Table = {field: (_inner_layer(layer_name), REQUIRED), "num_layers": (PosInt, REQUIRED), "norm": (_norm, None),
                    **({} if decoder else {"enable_nested_tensor": (Bool, True), "mask_check": (Bool, True)})}

    def solve(a: Args, shapes: Any) -> LayerOutcome:
        inner = a[field][layer_name]
        kind = _KINDS[layer_name]
        one = kind.solve(inner, shapes)
        env = {**one.env, "N": a["num_layers"]}
        norm = a["norm"]
        norm_params: Expr = Num(0)
        if norm is not None:
            norm_args = norm["LayerNorm"] or {}
            size = norm_args.get("normalized_shape")
            if size not in (inner["d_model"], [inner["d_model"]]):
                raise ArgError(f"norm: LayerNorm normalized_shape {size!r} must be d_model={inner['d_model']}", "norm")
            affine, bias = norm_args.get("elementwise_affine", True), norm_args.get("bias", True)
            norm_params = Mul((Num(int(affine) * (1 + int(bias))), d))
        params = Add((Mul((N, one.trainable.expr)), norm_params)) if norm is not None else Mul((N, one.trainable.expr))
        macs = Mul((N, one.macs.expr)) if one.macs is not None else None
        return outcome(env, one.output_shape, trainable=params, macs=macs)

    name = "TransformerDecoder" if decoder else "TransformerEncoder"
    return LayerKind(Framework.PYTORCH, name, "attention", table, solve, positional=(field, "num_layers", "norm"),
                     min_rank=2, max_rank=2, min_inputs=2 if decoder else 1, max_inputs=2 if decoder else 1)


def _torch_transformer() -> LayerKind:
    table = _torch_table(num_encoder_layers=(PosInt, 6), num_decoder_layers=(PosInt, 6), custom_encoder=(ANY, None),
                         custom_decoder=(ANY, None))
    table["d_model"], table["nhead"] = (PosInt, 512), (PosInt, 8)

    def solve(a: Args, shapes: tuple[Shape, ...]) -> LayerOutcome:
        if a["custom_encoder"] is not None or a["custom_decoder"] is not None:
            raise ArgError("custom_encoder/custom_decoder are not supported: write the encoder and decoder as layers")
        source, target = shapes
        _check_model(a, source, "source")
        _check_model(a, target, "target")
        norm = Mul((Num(2), d)) if a["bias"] else d
        params = Add((Mul((Sym("N_enc"), _layer_params(a["bias"], False))), norm,
                      Mul((Sym("N_dec"), _layer_params(a["bias"], True))), norm))
        env: dict[str, Any] = {"d": a["d_model"], "F": a["dim_feedforward"], "h": a["nhead"],
                               "N_enc": a["num_encoder_layers"], "N_dec": a["num_decoder_layers"]}
        macs: Expr | None = None
        if source[0] is not None and target[0] is not None:
            # The encoder runs on the source (length S), the decoder on the target (length L) against it.
            env.update({"S": source[0], "L": target[0]})
            encoder = Add((Mul((Num(4), S, d, d)), Mul((Num(2), S, S, d)), Mul((Num(2), S, d, F))))
            macs = Add((Mul((Sym("N_enc"), encoder)), Mul((Sym("N_dec"), _layer_macs(True)))))
        return outcome(env, target, trainable=params, macs=macs)

    return LayerKind(Framework.PYTORCH, "Transformer", "attention", table, solve,
                     positional=("d_model", "nhead", "num_encoder_layers", "num_decoder_layers", "dim_feedforward", "dropout"),
                     min_rank=2, max_rank=2, min_inputs=2, max_inputs=2)


_KINDS = {"TransformerEncoderLayer": _torch_layer(False), "TransformerDecoderLayer": _torch_layer(True)}
for _kind in (_keras_mha(), *_KINDS.values(), _torch_stack(False), _torch_stack(True), _torch_transformer()):
    register(_kind)
