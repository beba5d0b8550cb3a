"""torch.nn.MultiheadAttention as self-attention on [L, E], against real PyTorch.

Shapes and parameters through tests/oracle.py. MACs against FlopCounterMode with
``need_weights=True`` and ``batch_first=True``: then the attention runs as two batched matmuls
that the counter sees. (With need_weights=False PyTorch's CPU path calls a fused
scaled_dot_product_attention that FlopCounterMode does not count: only the projections
remain; test_flop_counter_misses_fused_attention pins that difference.)
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import compare
from strategies import spec

from quizgen.errors import SpecError
from quizgen.solver import solve

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
oracle = pytest.mark.oracle


def counted_macs(kwargs: dict[str, Any], steps: int, *, need_weights: bool = True) -> int:
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    module = torch.nn.MultiheadAttention(**{**kwargs, "batch_first": True})
    x = torch.zeros(1, steps, kwargs["embed_dim"])
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        module(x, x, x, need_weights=need_weights)
    return int(counter.get_total_flops()) // 2


@st.composite
def attention(draw: st.DrawFn) -> tuple[list[int], dict[str, Any]]:
    heads = draw(st.integers(1, 4))
    embed = heads * draw(st.integers(1, 4))
    kwargs: dict[str, Any] = {
        "embed_dim": embed,
        "num_heads": heads,
        "bias": draw(st.booleans()),
        "add_bias_kv": draw(st.booleans()),
        "add_zero_attn": draw(st.booleans()),
        "batch_first": draw(st.booleans()),
        "dropout": draw(st.sampled_from([0.0, 0.1])),
    }
    if draw(st.booleans()):
        kwargs["kdim"] = kwargs["vdim"] = embed
    return [draw(st.integers(1, 8)), embed], kwargs


@oracle
@given(attention())
@SETTINGS
def test_multihead_attention(case: tuple[list[int], dict[str, Any]]) -> None:
    shape, kwargs = case
    solution = solve(spec("pytorch", shape, [{"MultiheadAttention": kwargs}, {"Linear": {"out_features": 3}}]))
    compare(solution)
    assert solution.layers[0].macs == counted_macs(kwargs, shape[0])


@oracle
def test_flop_counter_misses_fused_attention() -> None:
    kwargs = {"embed_dim": 16, "num_heads": 4}
    solved = solve(spec("pytorch", [7, 16], [{"MultiheadAttention": kwargs}])).layers[0]
    projections = 4 * 7 * 16 * 16
    assert counted_macs(kwargs, 7, need_weights=False) == projections
    assert solved.macs == projections + 2 * 7 * 7 * 16 == counted_macs(kwargs, 7)


def test_formulas_and_hand_computed_counts() -> None:
    solved = solve(spec("pytorch", [10, 6], [{"MultiheadAttention": {"embed_dim": 6, "num_heads": 2, "add_bias_kv": True}}])).layers[0]
    assert solved.trainable.steps() == "3·E·(E + 1) + E·(E + 1) + 2·E = 3·6·(6 + 1) + 6·(6 + 1) + 2·6 = 180"
    assert solved.outcome.macs is not None
    assert solved.outcome.macs.steps() == (
        "3·L·E·E + L·(L + 1)·E + L·(L + 1)·E + L·E·E = 3·10·6·6 + 10·(10 + 1)·6 + 10·(10 + 1)·6 + 10·6·6 = 2760")
    assert {k: solved.env[k] for k in ("E", "h", "d_head", "L", "S", "B", "n_kv", "n_zero")} == {
        "E": 6, "h": 2, "d_head": 3, "L": 10, "S": 11, "B": 1, "n_kv": 1, "n_zero": 0}
    plain = solve(spec("pytorch", [10, 6], [{"MultiheadAttention": {"embed_dim": 6, "num_heads": 3, "bias": False}}])).layers[0]
    assert (plain.params, plain.macs) == (4 * 36, 4 * 10 * 36 + 2 * 100 * 6)


def test_null_sequence_length() -> None:
    solved = solve(spec("pytorch", [None, 8], [{"MultiheadAttention": {"embed_dim": 8, "num_heads": 2}}])).layers[0]
    assert (solved.output_shape, solved.params, solved.macs) == ((None, 8), 4 * 8 * 9, None)


@pytest.mark.parametrize(("shape", "kwargs", "message"), [
    ([5, 6], {"embed_dim": 6, "num_heads": 4}, "embed_dim (6) must be divisible by num_heads (4)"),
    ([5, 6], {"embed_dim": 8, "num_heads": 2}, "embed_dim=8 but the query has 6 features"),
    ([5, 6], {"embed_dim": 6, "num_heads": 2, "kdim": 4}, "kdim=4 but the key has 6 features (with one input, the layer is self-attention"),
    ([5, 6], {"num_heads": 2}, "missing required argument 'embed_dim'"),
    ([5, 6, 2], {"embed_dim": 2, "num_heads": 2}, "rank 2"),
])
def test_bad_input(shape: list[int], kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(SpecError, match="layer 1") as error:
        solve(spec("pytorch", shape, [{"MultiheadAttention": kwargs}]))
    assert message in str(error.value)
