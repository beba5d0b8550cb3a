"""Transposed, depthwise and separable convolutions against real PyTorch and Keras.

Besides shapes and parameter counts (oracle.compare), MACs are checked against
FlopCounterMode FLOPs / 2: for PyTorch by compare itself, for Keras by running the Keras layer
(torch backend) on a real tensor, which dispatches to torch's convolution kernels. Specs that
quizgen rejects must be rejected by the framework too.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import assert_signature, framework_rejects, solve_or_rejected
from strategies import ints_or_tuple, spec

from quizgen.errors import SpecError
from quizgen.solver import ModelSolution, solve

pytestmark = pytest.mark.oracle
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
Case = tuple[list[Any], list[dict[str, Any]]]


def check(framework: str, case: Case) -> ModelSolution | None:
    """Solve and compare with the framework; a spec quizgen rejects must fail there as well."""
    return solve_or_rejected(framework, *case)


def keras_macs(solution: ModelSolution) -> list[int]:
    """FlopCounterMode FLOPs / 2 of each Keras layer run on a zero tensor (torch backend)."""
    import keras
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    x: Any = torch.zeros(1, *solution.spec.input_shape)
    counts = []
    for layer in solution.spec.layers:
        module = keras.layers.__dict__[layer.type](**{k: tuple(v) if isinstance(v, list) else v for k, v in layer.kwargs.items()})
        counter = FlopCounterMode(display=False)
        with counter, torch.no_grad():
            x = module(x)
        counts.append(counter.get_total_flops() // 2)
    return counts


# --- PyTorch ConvTranspose -------------------------------------------------------------------


@st.composite
def torch_transpose(draw: st.DrawFn) -> Case:
    rank = draw(st.sampled_from([1, 2, 3]))
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    c_in = groups * draw(st.integers(1, 2))
    sizes = [draw(st.integers(1, 6 if rank < 3 else 4)) for _ in range(rank)]
    stride = draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank))
    dilation = draw(st.lists(st.integers(1, 2), min_size=rank, max_size=rank))
    # Mostly valid output_padding (< stride or < dilation), sometimes one too large.
    output_padding = [draw(st.integers(0, max(s, d) - 1 + draw(st.sampled_from([0, 0, 0, 1])))) for s, d in zip(stride, dilation, strict=True)]
    conv: dict[str, Any] = {
        "out_channels": groups * draw(st.integers(1, 2)),
        "kernel_size": draw(ints_or_tuple(rank, 1, 4)),
        "stride": stride if draw(st.booleans()) or len(set(stride)) > 1 else stride[0],
        "padding": draw(ints_or_tuple(rank, 0, 2)),
        "output_padding": output_padding,
        "dilation": dilation,
        "groups": groups,
        "bias": draw(st.booleans()),
    }
    if draw(st.booleans()):
        conv["in_channels"] = c_in
    layers = [{f"ConvTranspose{rank}d": conv}]
    if draw(st.booleans()):  # a second, plain one consumes the first one's output
        layers.append({f"ConvTranspose{rank}d": {"out_channels": 2, "kernel_size": 2, "stride": 2}})
    return [c_in, *sizes], layers


@given(torch_transpose())
@SETTINGS
def test_torch_conv_transpose(case: Case) -> None:
    check("pytorch", case)


def test_torch_conv_transpose_worked_example() -> None:
    solution = check("pytorch", ([4, 5, 5], [{"ConvTranspose2d": {"out_channels": 6, "kernel_size": 3, "stride": 2, "padding": 1,
                                                                  "output_padding": 1, "groups": 2}}]))
    assert solution is not None
    layer = solution.layers[0]
    assert layer.output_shape == (6, 10, 10) and layer.params == 114 and layer.macs == 5 * 5 * 4 * 3 * 9
    assert layer.outcome.dims[1] is not None
    assert layer.outcome.dims[1].steps() == "(H_in − 1)·S_h − 2·P_h + D_h·(K_h − 1) + OP_h + 1 = (5 − 1)·2 − 2·1 + 1·(3 − 1) + 1 + 1 = 10"


@pytest.mark.parametrize(("layer", "field"), [
    ({"ConvTranspose1d": {"out_channels": 2, "kernel_size": 3, "stride": 2, "output_padding": 2}}, "output_padding"),
    ({"ConvTranspose1d": {"out_channels": 2, "kernel_size": 1, "padding": 2}}, "padding"),
    ({"ConvTranspose1d": {"out_channels": 2, "kernel_size": 3, "padding": "same"}}, "padding"),
    ({"ConvTranspose1d": {"out_channels": 2, "kernel_size": 3, "padding_mode": "reflect"}}, "padding_mode"),
    ({"ConvTranspose1d": {"in_channels": 3, "out_channels": 2, "kernel_size": 3}}, "in_channels"),
    ({"ConvTranspose1d": {"out_channels": 3, "kernel_size": 3, "groups": 2}}, "groups"),
])
def test_torch_conv_transpose_rejects(layer: dict[str, Any], field: str) -> None:
    with pytest.raises(SpecError, match=field):
        solve(spec("pytorch", [2, 3], [layer]))
    assert framework_rejects("pytorch", [2, 3], [layer])


# --- Keras ConvNDTranspose -------------------------------------------------------------------


@st.composite
def keras_transpose(draw: st.DrawFn) -> Case:
    rank = draw(st.sampled_from([1, 2, 3]))
    sizes: list[int | None] = [draw(st.one_of(st.none(), st.integers(1, 6 if rank < 3 else 4))) for _ in range(rank)]
    dilated = draw(st.booleans())
    strides = [1] * rank if dilated else draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank))
    conv: dict[str, Any] = {
        "filters": draw(st.integers(1, 3)),
        "kernel_size": draw(ints_or_tuple(rank, 1, 5)),
        "strides": strides,
        "padding": draw(st.sampled_from(["valid", "same"])),
        "dilation_rate": draw(ints_or_tuple(rank, 1, 3)) if dilated else 1,
        "use_bias": draw(st.booleans()),
    }
    if draw(st.booleans()):  # < strides is valid; one case in ~8 tries strides itself (rejected by both)
        conv["output_padding"] = [draw(st.integers(0, s - 1 + draw(st.sampled_from([0] * 7 + [1])))) for s in strides]
    channels = draw(st.integers(1, 3))
    if draw(st.booleans()):
        conv["data_format"] = "channels_first"
        return [channels, *sizes], [{f"Conv{rank}DTranspose": conv}]
    return [*sizes, channels], [{f"Conv{rank}DTranspose": conv}]


@given(keras_transpose())
@SETTINGS
def test_keras_conv_transpose(case: Case) -> None:
    solution = check("keras", case)
    if solution is not None and solution.total_macs is not None:
        assert [layer.macs for layer in solution.layers] == keras_macs(solution)


@pytest.mark.parametrize(("kwargs", "size", "expected"), [
    ({"kernel_size": 3, "strides": 2, "padding": "same"}, 5, 10),  # X·S
    ({"kernel_size": 4, "strides": 2, "padding": "same", "output_padding": 1}, 5, 9),  # (X−1)·S + K mod 2 + OP
    ({"kernel_size": 3, "strides": 2, "padding": "same", "output_padding": 1}, 5, 10),
    ({"kernel_size": 1, "strides": 3}, 5, 15),  # (X−1)·S + max(K, S)
    ({"kernel_size": 1, "strides": 3, "output_padding": 0}, 5, 13),  # (X−1)·S + K + OP
    ({"kernel_size": 3, "dilation_rate": 2, "padding": "same", "output_padding": 0}, 5, 5),
])
def test_keras_transpose_lengths(kwargs: dict[str, Any], size: int, expected: int) -> None:
    solution = check("keras", ([size, 2], [{"Conv1DTranspose": {"filters": 1, **kwargs}}]))
    assert solution is not None and solution.output_shape == (expected, 1)


# --- Keras DepthwiseConv / SeparableConv -----------------------------------------------------


@st.composite
def keras_depthwise(draw: st.DrawFn) -> Case:
    rank = draw(st.sampled_from([1, 2]))
    separable = draw(st.booleans())
    sizes: list[int | None] = [draw(st.one_of(st.none(), st.integers(2, 10))) for _ in range(rank)]
    conv: dict[str, Any] = {
        "kernel_size": draw(ints_or_tuple(rank, 1, 4)),
        "strides": draw(ints_or_tuple(rank, 1, 3)),
        "padding": draw(st.sampled_from(["valid", "same"])),
        "depth_multiplier": draw(st.integers(1, 3)),
        "dilation_rate": draw(ints_or_tuple(rank, 1, 2)),
        "use_bias": draw(st.booleans()),
    }
    if separable:
        conv["filters"] = draw(st.integers(1, 4))
    channels = draw(st.integers(1, 3))
    name = f"{'Separable' if separable else 'Depthwise'}Conv{rank}D"
    if draw(st.booleans()):
        conv["data_format"] = "channels_first"
        return [channels, *sizes], [{name: conv}]
    return [*sizes, channels], [{name: conv}]


@given(keras_depthwise())
@SETTINGS
def test_keras_depthwise_separable(case: Case) -> None:
    solution = check("keras", case)
    if solution is not None and solution.total_macs is not None:
        assert [layer.macs for layer in solution.layers] == keras_macs(solution)


def test_keras_separable_worked_example() -> None:
    solution = check("keras", ([17, 17, 8], [{"SeparableConv2D": {"filters": 8, "kernel_size": 3, "depth_multiplier": 2,
                                                                   "padding": "same", "strides": 2}}]))
    assert solution is not None
    layer = solution.layers[0]
    assert layer.trainable.steps() == "K_h·K_w·C_in·dm + C_out·(C_in·dm + 1) = 3·3·8·2 + 8·(8·2 + 1) = 280"
    assert layer.macs == 9 * 9 * 16 * 9 + 9 * 9 * 16 * 8


def test_keras_depthwise_needs_known_channels() -> None:
    with pytest.raises(SpecError, match="channel"):
        solve(spec("keras", [8, 8, None], [{"DepthwiseConv2D": {"kernel_size": 3}}]))


@pytest.mark.parametrize("name", ["Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "DepthwiseConv1D", "DepthwiseConv2D",
                                  "SeparableConv1D", "SeparableConv2D", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"])
def test_accepts_every_argument_of_the_real_class(name: str) -> None:
    assert_signature(name)
