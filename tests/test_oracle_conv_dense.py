"""Standard convolutions, Dense/Linear and Flatten against real PyTorch and Keras."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from oracle import compare
from strategies import ints_or_tuple, spec

from quizgen.errors import SpecError
from quizgen.solver import solve

pytestmark = pytest.mark.oracle
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def torch_conv(draw: st.DrawFn) -> tuple[list[int], list[dict[str, Any]]]:
    rank = draw(st.sampled_from([1, 2, 3]))
    groups = draw(st.sampled_from([1, 1, 2, 4]))
    c_in = groups * draw(st.integers(1, 3))
    sizes = [draw(st.integers(5, 12 if rank < 3 else 7)) for _ in range(rank)]
    padding: Any = draw(st.one_of(ints_or_tuple(rank, 0, 2), st.sampled_from(["valid", "same"])))
    stride = 1 if padding == "same" else draw(ints_or_tuple(rank, 1, 3))
    conv = {
        "out_channels": groups * draw(st.integers(1, 3)),
        "kernel_size": draw(ints_or_tuple(rank, 1, 3)),
        "stride": stride,
        "padding": padding,
        "dilation": draw(ints_or_tuple(rank, 1, 2)),
        "groups": groups,
        "bias": draw(st.booleans()),
    }
    if draw(st.booleans()):
        conv["in_channels"] = c_in
    layers = [{f"Conv{rank}d": conv}, {"Flatten": {}}, {"Linear": {"out_features": draw(st.integers(1, 5)), "bias": draw(st.booleans())}}]
    return [c_in, *sizes], layers


@given(torch_conv())
@SETTINGS
def test_torch_conv_linear(case: tuple[list[int], list[dict[str, Any]]]) -> None:
    shape, layers = case
    try:
        solution = solve(spec("pytorch", shape, layers))
    except SpecError:
        assume(False)  # a collapsing window; the bad-input tests cover the message
        raise
    compare(solution)


@st.composite
def keras_conv(draw: st.DrawFn) -> tuple[list[int], list[dict[str, Any]]]:
    rank = draw(st.sampled_from([1, 2, 3]))
    groups = draw(st.sampled_from([1, 1, 2]))
    sizes = [draw(st.integers(5, 12 if rank < 3 else 7)) for _ in range(rank)]
    dilated = draw(st.booleans())
    conv = {
        "filters": groups * draw(st.integers(1, 3)),
        "kernel_size": draw(ints_or_tuple(rank, 1, 3)),
        "strides": 1 if dilated else draw(ints_or_tuple(rank, 1, 3)),
        "dilation_rate": draw(ints_or_tuple(rank, 1, 2)) if dilated else 1,
        "padding": draw(st.sampled_from(["valid", "same", "causal"] if rank == 1 else ["valid", "same"])),
        "groups": groups,
        "use_bias": draw(st.booleans()),
    }
    dense: dict[str, Any] = {"units": draw(st.integers(1, 5)), "use_bias": draw(st.booleans())}
    layers = [{f"Conv{rank}D": conv}, {"Dense": dense}, {"Flatten": {}}, {"Dense": {"units": 3}}]
    return [*sizes, groups * draw(st.integers(1, 3))], layers


@given(keras_conv())
@SETTINGS
def test_keras_conv_dense(case: tuple[list[int], list[dict[str, Any]]]) -> None:
    shape, layers = case
    try:
        solution = solve(spec("keras", shape, layers))
    except SpecError:
        assume(False)
        raise
    compare(solution)


def test_keras_frozen_layer_counts_as_non_trainable() -> None:
    solution = solve(spec("keras", [8, 8, 3], [{"Conv2D": {"filters": 4, "kernel_size": 3, "trainable": False}}]))
    assert (solution.trainable_params, solution.non_trainable_params) == (0, 112)
    compare(solution)
