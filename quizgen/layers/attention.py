"""torch.nn.MultiheadAttention used as self-attention on an ``[L, E]`` input (output ``[L, E]``).

Symbols: ``E`` embed_dim, ``h`` num_heads (``d_head = E/h``), ``L`` sequence length, ``S`` the
number of keys each query attends to: L, plus 1 with ``add_bias_kv`` (the learned bias_k /
bias_v appended as one more key and value) and plus 1 with ``add_zero_attn`` (a zero key and
value).

Parameters: the packed input projection ``in_proj`` (three E×E matrices for q, k, v and 3E
biases) and ``out_proj`` (E×E + E): ``3·E·(E + 1) + E·(E + 1)``; without bias ``3·E·E + E·E``;
``add_bias_kv`` adds bias_k and bias_v, ``2·E``. The heads split E, so they change no count.

MACs (one multiply-add = 1): the q/k/v projections ``3·L·E·E``, the scores Q·Kᵀ ``L·S·E``
(per head L·S·d_head, times h heads), the weighted sum of the values ``L·S·E`` and the output
projection ``L·E·E``. Softmax, scaling and bias adds are not counted. This equals PyTorch's
``FlopCounterMode`` FLOPs/2 when the module is called with ``need_weights=True`` (the
attention then runs as two batched matmuls); with ``need_weights=False`` PyTorch calls a
fused scaled_dot_product_attention kernel that FlopCounterMode does not count on CPU, so it
reports the projections alone.

Keras' MultiHeadAttention is not covered: it needs separate query and value inputs, which a
single-input layer stack cannot express.
"""

from __future__ import annotations

__all__ = ["mha_macs", "mha_params"]

from functools import cache
from typing import Any

from ..formula import Add, Expr, Mul, Num, Sym
from ..spec import Framework
from . import register
from .base import REQUIRED, ArgError, Args, Bool, Float, LayerKind, LayerOutcome, Opt, PosInt, Shape, Validator, outcome, torch_common

E, L = Sym("E"), Sym("L")


@cache
def mha_params(bias: bool, bias_kv: bool) -> Expr:
    """in_proj + out_proj (+ bias_k, bias_v): 3·E·(E + 1) + E·(E + 1) (+ 2·E)."""
    terms: tuple[Expr, ...] = (Mul((Num(3), E, E + 1)), Mul((E, E + 1))) if bias else (Mul((Num(3), E, E)), Mul((E, E)))
    if bias_kv:
        terms = (*terms, Mul((Num(2), E)))
    return Add(terms)


@cache
def mha_macs(extra_keys: int) -> Expr:
    """3·L·E·E (q, k, v) + L·S·E (scores) + L·S·E (weighted values) + L·E·E (output), S = L (+ extra keys)."""
    keys: Expr = L + extra_keys if extra_keys else L
    return Add((Mul((Num(3), L, E, E)), Mul((L, keys, E)), Mul((L, keys, E)), Mul((L, E, E))))


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

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        steps, features = shape
        embed, heads = a["embed_dim"], a["num_heads"]
        if embed % heads:
            raise ArgError(f"embed_dim ({embed}) must be divisible by num_heads ({heads})", "num_heads")
        if features is not None and features != embed:
            raise ArgError(f"embed_dim={embed} but the input has {features} features (input shape is [L, E])", "embed_dim")
        for field in ("kdim", "vdim"):
            if a[field] is not None and a[field] != embed:
                raise ArgError(f"{field}={a[field]} differs from embed_dim={embed}, but as self-attention the layer "
                               f"receives the [L, {embed}] input as key and value too", field)
        extra = int(a["add_bias_kv"]) + int(a["add_zero_attn"])
        env: dict[str, Any] = {"E": embed, "h": heads, "d_head": embed // heads, "B": int(a["bias"]),
                               "n_kv": int(a["add_bias_kv"]), "n_zero": int(a["add_zero_attn"])}
        if steps is not None:
            env.update({"L": steps, "S": steps + extra})
        return outcome(env, (steps, embed), trainable=mha_params(a["bias"], a["add_bias_kv"]),
                       macs=mha_macs(extra) if steps is not None else None)

    return LayerKind(Framework.PYTORCH, "MultiheadAttention", "attention", args, solve,
                     positional=("embed_dim", "num_heads", "dropout", "bias", "add_bias_kv", "add_zero_attn", "kdim", "vdim",
                                 "batch_first"),
                     min_rank=2, max_rank=2)


register(_mha())
