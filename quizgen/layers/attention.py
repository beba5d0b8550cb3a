"""Multi-head attention: PyTorch's ``nn.MultiheadAttention`` and Keras' ``MultiHeadAttention``.

PyTorch (specs give ``[L, E]``; ``batch_first`` only moves the batch axis, which specs exclude):
one input is self-attention (query = key = value), three inputs are query ``[L, E]``, key
``[S, kdim]`` and value ``[S, vdim]``. Parameters: the input projections (E×E for q, E×kdim for
k, E×vdim for v, 3E biases; packed as in_proj when kdim = vdim = E) and out_proj (E×E + E):
``3·E·(E + 1) + E·(E + 1)`` for self-attention; ``add_bias_kv`` adds bias_k and bias_v, 2·E.
The heads split E, so they change no count. ``S'`` = S keys, plus 1 with ``add_bias_kv`` and
plus 1 with ``add_zero_attn``.

Keras (inputs query, value and optionally key, each ``[..., features]``): four EinsumDense
projections, query/key to ``h·key_dim``, value to ``h·value_dim``, output from ``h·value_dim``
to ``output_shape`` (default: the query's features), each with a bias when ``use_bias``.

MACs (one multiply–add = 1; the attention matmuls are counted, softmax, scaling and bias adds
are not): the projections (rows × in × out each), the scores Q·Kᵀ ``L·S'·d_k`` summed over the
heads (``L·S'·E`` in PyTorch) and the weighted sum of the values ``L·S'·d_v`` over the heads.
For PyTorch this equals ``FlopCounterMode`` FLOPs/2 when the module is called with
``need_weights=True`` (two batched matmuls); with ``need_weights=False`` PyTorch calls a fused
scaled_dot_product_attention kernel that FlopCounterMode does not count on CPU.
"""

from __future__ import annotations

__all__ = ["mha_macs", "mha_params"]

from functools import cache
from typing import Any

from ..formula import Add, Expr, Mul, Num, Sym
from ..spec import Framework
from . import register
from .base import REQUIRED, ArgError, Args, Bool, Float, LayerKind, LayerOutcome, Opt, PosInt, Shape, Validator, outcome, torch_common

E, L, S = Sym("E"), Sym("L"), Sym("S")
KD, VD = Sym("K_d"), Sym("V_d")


@cache
def mha_params(bias: bool, bias_kv: bool, same_dims: bool = True) -> Expr:
    """in_proj + out_proj (+ bias_k, bias_v): 3·E·(E + 1) + E·(E + 1) (+ 2·E), or with kdim/vdim
    E·E + E·K_d + E·V_d + 3·E + E·(E + 1)."""
    if same_dims:
        terms: tuple[Expr, ...] = (Mul((Num(3), E, E + 1)), Mul((E, E + 1))) if bias else (Mul((Num(3), E, E)), Mul((E, E)))
    else:
        projections = (Mul((E, E)), Mul((E, KD)), Mul((E, VD)))
        terms = (*projections, Mul((Num(3), E)), Mul((E, E + 1))) if bias else (*projections, Mul((E, E)))
    if bias_kv:
        terms = (*terms, Mul((Num(2), E)))
    return Add(terms)


@cache
def mha_macs(extra_keys: int, cross: bool = False) -> Expr:
    """3·L·E·E (q, k, v) + L·S·E (scores) + L·S·E (weighted values) + L·E·E (output), S = L (+ extra keys);
    for cross-attention L·E·E + S·K_d·E + S·V_d·E + 2·L·S'·E + L·E·E."""
    if not cross:
        keys: Expr = L + extra_keys if extra_keys else L
        return Add((Mul((Num(3), L, E, E)), Mul((L, keys, E)), Mul((L, keys, E)), Mul((L, E, E))))
    keys = S + extra_keys if extra_keys else S
    return Add((Mul((L, E, E)), Mul((S, KD, E)), Mul((S, VD, E)), Mul((L, keys, E)), Mul((L, keys, E)), Mul((L, E, E))))


def _mha() -> LayerKind:
    args: dict[str, tuple[Validator, Any]] = {
        **torch_common(),
        "embed_dim": (PosInt, REQUIRED),
        "num_heads": (PosInt, REQUIRED),
        "dropout": (Float, 0.0),
        "bias": (Bool, True),
        "add_bias_kv": (Bool, False),
        "add_zero_attn": (Bool, False),
        "kdim": (Opt(PosInt), None),
        "vdim": (Opt(PosInt), None),
        # Specs give [L, E]; batch_first only moves the batch axis, which specs exclude.
        "batch_first": (Bool, False),
    }

    def solve(a: Args, shapes: tuple[Shape, ...]) -> LayerOutcome:
        if len(shapes) == 2:
            raise ArgError("takes one input (self-attention) or three (query, key, value), got 2")
        query = shapes[0]
        key, value = (shapes[1], shapes[2]) if len(shapes) == 3 else (query, query)
        (steps, features), (keys, key_features), (values, value_features) = query, key, value
        embed, heads = a["embed_dim"], a["num_heads"]
        if embed % heads:
            raise ArgError(f"embed_dim ({embed}) must be divisible by num_heads ({heads})", "num_heads")
        if features is not None and features != embed:
            raise ArgError(f"embed_dim={embed} but the query has {features} features (its shape is [L, E])", "embed_dim")
        kdim, vdim = a["kdim"] or embed, a["vdim"] or embed
        for field, size, got in (("kdim", kdim, key_features), ("vdim", vdim, value_features)):
            if got is not None and got != size:
                role = "key" if field == "kdim" else "value"
                given = f"{field}={size}" if a[field] else f"{field} (default embed_dim={embed})"
                hint = "" if len(shapes) == 3 else f" (with one input, the layer is self-attention: the [L, {got}] input is " \
                    "query, key and value; give three inputs for query, key and value)"
                raise ArgError(f"{given} but the {role} has {got} features{hint}", field)
        if keys is not None and values is not None and keys != values:
            raise ArgError(f"the key has {keys} steps but the value {values}; they must match", "vdim")
        cross = len(shapes) == 3
        extra = int(a["add_bias_kv"]) + int(a["add_zero_attn"])
        env: dict[str, Any] = {"E": embed, "h": heads, "d_head": embed // heads, "B": int(a["bias"]),
                               "n_kv": int(a["add_bias_kv"]), "n_zero": int(a["add_zero_attn"])}
        same = kdim == embed and vdim == embed
        if not same:
            env.update({"K_d": kdim, "V_d": vdim})
        known = steps is not None and keys is not None
        if cross and steps is not None and keys is not None:
            env.update({"L": steps, "S": keys, "K_d": kdim, "V_d": vdim})
        elif steps is not None:
            env.update({"L": steps, "S": steps + extra})
        return outcome(env, (steps, embed), trainable=mha_params(a["bias"], a["add_bias_kv"], same),
                       macs=(mha_macs(extra, cross) if known else None))

    return LayerKind(Framework.PYTORCH, "MultiheadAttention", "attention", args, solve,
                     positional=("embed_dim", "num_heads", "dropout", "bias", "add_bias_kv", "add_zero_attn", "kdim", "vdim",
                                 "batch_first"),
                     min_rank=2, max_rank=2, min_inputs=1, max_inputs=3)


register(_mha())
from . import transformer  # noqa: E402,F401 - Keras MultiHeadAttention and the Transformer layers register with this family
