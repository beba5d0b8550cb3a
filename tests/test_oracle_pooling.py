"""Pooling layers against real PyTorch and Keras: output shapes (0 parameters, 0 MACs).

Specs quizgen rejects must be rejected by the framework too (padding > kernel/2, windows
that do not fit, pool sizes beyond a 'valid' input).
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import assert_signature, framework_rejects, solve_or_rejected
from strategies import ints_or_tuple, spec

from quizgen.errors import SpecError
from quizgen.solver import ModelSolution, solve

pytestmark = pytest.mark.oracle
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
Case = tuple[list[Any], list[dict[str, Any]]]


def check(framework: str, case: Case) -> ModelSolution | None:
    solution = solve_or_rejected(framework, *case)
    if solution is None:
        return None
    assert solution.total_params == 0 and solution.total_macs == 0
    for layer in solution.layers:  # every computed dimension has its worked steps, and they agree with the shape
        for size, bound in zip(layer.output_shape, layer.outcome.dims, strict=True):
            assert bound is None or bound.value == size
    return solution


# --- PyTorch ---------------------------------------------------------------------------------


@st.composite
def torch_pool(draw: st.DrawFn) -> Case:
    rank = draw(st.sampled_from([1, 2, 3]))
    kind = draw(st.sampled_from(["Max", "Avg"]))
    sizes = [draw(st.integers(1, 8 if rank < 3 else 5)) for _ in range(rank)]
    kernel = draw(st.lists(st.integers(1, 4), min_size=rank, max_size=rank))
    # padding up to half the kernel; one case in ~8 goes one beyond (rejected by both)
    padding = [draw(st.integers(0, k // 2 + draw(st.sampled_from([0] * 7 + [1])))) for k in kernel]
    pool: dict[str, Any] = {
        "kernel_size": kernel[0] if len(set(kernel)) == 1 and draw(st.booleans()) else kernel,
        "padding": padding,
        "ceil_mode": draw(st.booleans()),
    }
    stride = draw(st.one_of(st.none(), ints_or_tuple(rank, 1, 3)))
    if stride is not None or draw(st.booleans()):
        pool["stride"] = stride
    if kind == "Max":
        pool["dilation"] = draw(st.one_of(st.just(1), ints_or_tuple(rank, 1, 3)))
        pool["return_indices"] = draw(st.booleans())
    else:
        pool["count_include_pad"] = draw(st.booleans())
        if rank > 1 and draw(st.booleans()):
            pool["divisor_override"] = draw(st.sampled_from([-3, 1, 2, 7]))
    return [draw(st.integers(1, 3)), *sizes], [{f"{kind}Pool{rank}d": pool}]


@given(torch_pool())
@SETTINGS
def test_torch_pool(case: Case) -> None:
    check("pytorch", case)


@pytest.mark.parametrize("kind", ["MaxPool1d", "AvgPool1d"])
def test_torch_pool_ceil_mode_grid(kind: str) -> None:
    """Every small (X, K, S, P, D) with ceil_mode, where PyTorch drops a last window starting in the right padding."""
    import torch

    clipped = 0
    for x, k, s, d in itertools.product(range(1, 9), range(1, 5), range(1, 5), (1, 2) if kind == "MaxPool1d" else (1,)):
        for p in range(k // 2 + 1):
            kwargs: dict[str, Any] = {"kernel_size": k, "stride": s, "padding": p, "ceil_mode": True}
            if d > 1:
                kwargs["dilation"] = d
            try:
                expected: int | None = getattr(torch.nn, kind)(**kwargs)(torch.zeros(1, 1, x)).shape[-1]
            except RuntimeError:
                expected = None
            try:
                solution = solve(spec("pytorch", [1, x], [{kind: kwargs}]))
            except SpecError:
                assert expected is None or expected == 0, f"{kind}{kwargs} on {x}: rejected, torch gives {expected}"
                continue
            assert solution.output_shape[-1] == expected, f"{kind}{kwargs} on {x}: {solution.output_shape[-1]} != {expected}"
            bound = solution.layers[0].outcome.dims[1]
            clipped += bound is not None and "+ 1 − 1" in bound.formula()
    assert clipped > 10  # the window-dropping rule was exercised


def test_torch_ceil_mode_steps_show_the_dropped_window() -> None:
    solution = check("pytorch", ([1, 5], [{"MaxPool1d": {"kernel_size": 2, "padding": 1, "ceil_mode": True}}]))
    assert solution is not None and solution.output_shape == (1, 3)
    bound = solution.layers[0].outcome.dims[1]
    assert bound is not None and bound.steps() == "⌈(L_in + 2·P − D·(K − 1) − 1)/S⌉ + 1 − 1 = ⌈(5 + 2·1 − 1·(2 − 1) − 1)/2⌉ + 1 − 1 = 3"


@pytest.mark.parametrize(("layer", "field"), [
    ({"MaxPool2d": {"kernel_size": 3, "padding": 2}}, "padding"),
    ({"AvgPool2d": {"kernel_size": 4, "padding": 3}}, "padding"),
    ({"MaxPool2d": {"kernel_size": 2, "padding": 2, "dilation": 3}}, "padding"),  # half of the kernel, not of the dilated span
    ({"MaxPool2d": {"kernel_size": 5}}, "kernel_size"),
    ({"AvgPool2d": {"kernel_size": 3, "divisor_override": 0}}, "divisor_override"),
    ({"AdaptiveAvgPool2d": {"output_size": None}}, "output_size"),
    ({"AdaptiveAvgPool2d": {"output_size": [3]}}, "output_size"),
    ({"AdaptiveMaxPool2d": {"output_size": 0}}, "output_size"),
])
def test_torch_pool_rejects(layer: dict[str, Any], field: str) -> None:
    with pytest.raises(SpecError, match=field):
        solve(spec("pytorch", [2, 4, 4], [layer]))
    assert framework_rejects("pytorch", [2, 4, 4], [layer])


def test_torch_pool_needs_a_channel_dimension() -> None:
    """PyTorch treats (H, W) as an unbatched (C, W) 1-D input; specs exclude the batch, so a 2-D pool needs (C, H, W)."""
    with pytest.raises(SpecError, match="rank 3"):
        solve(spec("pytorch", [4, 4], [{"MaxPool2d": {"kernel_size": 2}}]))


@st.composite
def torch_adaptive(draw: st.DrawFn) -> Case:
    rank = draw(st.sampled_from([1, 2, 3]))
    kind = draw(st.sampled_from(["Max", "Avg"]))
    sizes = [draw(st.integers(1, 7)) for _ in range(rank)]
    entry = st.integers(1, 9) if rank == 1 else st.one_of(st.none(), st.integers(1, 9))
    pool: dict[str, Any] = {"output_size": draw(st.one_of(st.integers(1, 9), st.lists(entry, min_size=rank, max_size=rank)))}
    if kind == "Max" and draw(st.booleans()):
        pool["return_indices"] = True
    return [draw(st.integers(1, 3)), *sizes], [{f"Adaptive{kind}Pool{rank}d": pool}]


@given(torch_adaptive())
@SETTINGS
def test_torch_adaptive_pool(case: Case) -> None:
    check("pytorch", case)


# --- Keras -----------------------------------------------------------------------------------


def _keras_shape(draw: st.DrawFn, rank: int, layer: dict[str, Any], low: int = 1) -> list[Any]:
    sizes = [draw(st.one_of(st.none(), st.integers(low, 8 if rank < 3 else 5))) for _ in range(rank)]
    channels = draw(st.one_of(st.none(), st.integers(1, 3)))
    if draw(st.booleans()):
        layer["data_format"] = "channels_first"
        return [channels, *sizes]
    return [*sizes, channels]


@st.composite
def keras_pool(draw: st.DrawFn) -> Case:
    rank = draw(st.sampled_from([1, 2, 3]))
    kind = draw(st.sampled_from(["Max", "Average"]))
    pool: dict[str, Any] = {"padding": draw(st.sampled_from(["valid", "same"]))}
    if kind == "Average" or draw(st.booleans()):  # MaxPooling defaults to pool_size 2
        pool["pool_size"] = draw(ints_or_tuple(rank, 1, 4))
    if draw(st.booleans()):
        pool["strides"] = draw(st.one_of(st.none(), ints_or_tuple(rank, 1, 3)))
    shape = _keras_shape(draw, rank, pool)
    return shape, [{f"{kind}Pooling{rank}D": pool}]


@given(keras_pool())
@SETTINGS
def test_keras_pool(case: Case) -> None:
    check("keras", case)


@st.composite
def keras_global(draw: st.DrawFn) -> Case:
    rank = draw(st.sampled_from([1, 2, 3]))
    pool: dict[str, Any] = {"keepdims": draw(st.booleans())}
    shape = _keras_shape(draw, rank, pool)
    return shape, [{f"Global{draw(st.sampled_from(['Max', 'Average']))}Pooling{rank}D": pool}]


@given(keras_global())
@SETTINGS
def test_keras_global_pool(case: Case) -> None:
    check("keras", case)


def test_keras_pool_rejects_window_beyond_valid_input() -> None:
    layers = [{"MaxPooling2D": {"pool_size": 3}}]
    with pytest.raises(SpecError, match="pool_size"):
        solve(spec("keras", [2, 5, 3], layers))
    assert framework_rejects("keras", [2, 5, 3], layers)


def test_keras_pool_steps() -> None:
    solution = check("keras", ([None, 7, 3], [{"MaxPooling2D": {}}, {"AveragePooling2D": {"pool_size": 2, "strides": 1, "padding": "same"}}]))
    assert solution is not None and solution.output_shape == (None, 3, 3)
    first, second = (layer.outcome.dims for layer in solution.layers)
    assert first[0] is None and first[1] is not None and first[1].steps() == "⌊(W_in − K_w)/S_w⌋ + 1 = ⌊(7 − 2)/2⌋ + 1 = 3"
    assert second[1] is not None and second[1].steps() == "⌈W_in/S_w⌉ = ⌈3/1⌉ = 3"


@pytest.mark.parametrize("name", [
    *(f"{kind}Pooling{n}D" for kind in ("Max", "Average", "GlobalMax", "GlobalAverage") for n in (1, 2, 3)),
    *(f"{kind}Pool{n}d" for kind in ("Max", "Avg", "AdaptiveMax", "AdaptiveAvg") for n in (1, 2, 3)),
])
def test_accepts_every_argument_of_the_real_class(name: str) -> None:
    assert_signature(name)
