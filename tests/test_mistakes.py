"""The mistake catalogue: hand-computed wrong values, codes, and the rule that no mistake equals the answer."""

from __future__ import annotations

import re
from typing import Any

import pytest
from typer.testing import CliRunner

from quizgen.cli import app
from quizgen.mistakes import CATALOGUE, Quantity, layer_mistakes, total_mistakes
from quizgen.solver import ModelSolution, solve
from quizgen.spec import parse_spec

REQUIRED = [
    "forgot_input_channels", "forgot_bias", "extra_bias", "bias_per_input_channel", "kernel_side_not_area",
    "kernels_counted_twice", "ignored_groups", "conv_as_dense", "separable_extra_bias", "pooling_has_params",
    "dense_wrong_fan_in", "bn_trainable_only", "bn_running_stats_as_params", "rnn_gate_count", "rnn_forgot_recurrent",
    "rnn_bias_convention", "rnn_stacked_input", "bidirectional_not_doubled", "no_plus_one", "ignored_stride",
    "ignored_padding", "padding_one_side", "ceil_instead_of_floor", "floor_instead_of_ceil", "same_padding_misread",
    "ignored_dilation", "channel_order", "pool_stride_one", "transpose_as_conv", "ignored_output_padding",
    "macs_flops_factor", "macs_counted_as_params",
]


def model(framework: str, shape: list[Any], *layers: dict[str, Any]) -> ModelSolution:
    return solve(parse_spec({"framework": framework, "input_shape": shape, "layers": list(layers)}))


def values(solution: ModelSolution, index: int, quantity: Quantity, answer: Any) -> dict[str, Any]:
    """Every single code (not pairs) -> the value it gives."""
    return {code: m.value for m in layer_mistakes(solution, index, quantity, answer) for code in m.codes if "+" not in code}


MNIST = model("keras", [28, 28, 1], {"Conv2D": {"filters": 32, "kernel_size": 3}}, {"Conv2D": {"filters": 63, "kernel_size": 3}},
              {"MaxPooling2D": {"pool_size": 2}}, {"Flatten": {}}, {"Dense": {"units": 128}})


def test_catalogue_has_every_required_code() -> None:
    codes = {m.code for m in CATALOGUE} | {"missed_layer", "double_counted_layer"}
    assert set(REQUIRED) <= codes
    assert len({m.code for m in CATALOGUE}) == len(CATALOGUE)
    for m in CATALOGUE:
        assert m.title["en"] and m.title["zh"] and m.reason["en"] and m.reason["zh"]


def test_seed001_forgot_input_channels_is_630() -> None:
    found = values(MNIST, 1, Quantity("params"), 18207)
    assert found["forgot_input_channels"] == 630  # (3·3 + 1)·63, the question in seed 001
    assert found["forgot_bias"] == 18144
    assert found["kernel_side_not_area"] == 63 * (3 * 32 + 1)
    assert found["bias_per_input_channel"] == 63 * 32 * (3 * 3 + 1)
    assert found["kernels_counted_twice"] == (3 * 3 * 32 * 63 + 63) * 63  # seed 003's formula
    assert found["conv_as_dense"] == 63 * (26 * 26 * 32 + 1)


def test_explanation_quotes_the_numbers() -> None:
    mistake = next(m for m in layer_mistakes(MNIST, 1, Quantity("params"), 18207) if m.value == 630)
    assert mistake.explanation["en"] == (
        "630 = 63·(3·3 + 1): you forgot that each filter spans all 32 input channels; correct: 63·(3·3·32 + 1) = 18207")
    assert "32 个输入通道" in mistake.explanation["zh"]


def test_pairs_and_shared_values_keep_all_codes() -> None:
    found = layer_mistakes(MNIST, 1, Quantity("params"), 18207)
    pair = next(m for m in found if m.value == 63 * 3 * 3)
    assert pair.codes[0] == "forgot_input_channels+forgot_bias"
    assert all(m.value != 18207 for m in found)
    assert len({repr(m.value) for m in found}) == len(found)


def test_dense_after_flatten_fan_in() -> None:
    found = {m.value for m in layer_mistakes(MNIST, 4, Quantity("params"), MNIST.layers[4].params) if "dense_wrong_fan_in" in m.codes}
    assert found == {128 * (12 * 12 + 1), 128 * (63 + 1)}


def test_shape_mistakes() -> None:
    conv = model("pytorch", [3, 32, 32], {"Conv2d": {"out_channels": 8, "kernel_size": 3, "stride": 2, "padding": 1}})
    found = values(conv, 0, Quantity("shape"), [8, 16, 16])
    assert found["ignored_stride"] == [8, 32, 32]
    assert found["ignored_padding"] == [8, 15, 15]
    assert found["channel_order"] == [16, 16, 8]
    assert found["ceil_instead_of_floor"] == [8, 17, 17] or found.get("ceil_instead_of_floor") is None
    size = values(conv, 0, Quantity("dim", 1), 16)
    assert size["no_plus_one"] == 15
    wide = model("pytorch", [3, 32, 32], {"Conv2d": {"out_channels": 8, "kernel_size": 3, "stride": 2, "padding": 2}})
    assert wide.layers[0].output_shape[1] == 17
    assert values(wide, 0, Quantity("dim", 1), 17)["padding_one_side"] == 16


def test_pool_and_ceil_mode() -> None:
    pool = model("pytorch", [8, 11, 11], {"MaxPool2d": {"kernel_size": 2, "ceil_mode": True}})
    assert pool.layers[0].output_shape == (8, 6, 6)
    found = values(pool, 0, Quantity("dim", 1), 6)
    assert found["floor_instead_of_ceil"] == 5
    assert found["pool_stride_one"] == 10
    params = values(pool, 0, Quantity("params"), 0)
    assert params["pooling_has_params"] == 8 * (2 * 2 + 1)


def test_batchnorm_conventions() -> None:
    keras_bn = model("keras", [18, 64], {"BatchNormalization": {}})
    assert values(keras_bn, 0, Quantity("params"), 256)["bn_trainable_only"] == 128
    torch_bn = model("pytorch", [64, 8, 8], {"BatchNorm2d": {}})
    assert values(torch_bn, 0, Quantity("params"), 128)["bn_running_stats_as_params"] == 256


def test_recurrent_mistakes() -> None:
    lstm = model("keras", [18, 10], {"LSTM": {"units": 64, "return_sequences": True}}, {"LSTM": {"units": 32}})
    assert lstm.layers[1].params == 12416
    found = values(lstm, 1, Quantity("params"), 12416)
    assert found["rnn_bias_convention"] == 4 * 32 * (64 + 32 + 2)
    assert found["rnn_forgot_recurrent"] == 4 * 32 * (64 + 1)
    assert found["rnn_stacked_input"] == 4 * 32 * (10 + 32 + 1)
    gates = {m.value for m in layer_mistakes(lstm, 1, Quantity("params"), 12416) if m.codes[0] == "rnn_gate_count"}
    assert 3 * 32 * (64 + 32 + 1) in gates
    bidir = model("pytorch", [25, 8], {"LSTM": {"hidden_size": 16, "bidirectional": True}})
    assert values(bidir, 0, Quantity("params"), bidir.layers[0].params)["bidirectional_not_doubled"] == bidir.layers[0].params // 2


def test_grouped_separable_transpose() -> None:
    grouped = model("pytorch", [16, 8, 8], {"Conv2d": {"out_channels": 32, "kernel_size": 3, "groups": 4}})
    assert values(grouped, 0, Quantity("params"), 1184)["ignored_groups"] == 32 * (3 * 3 * 16 + 1)
    transpose = model("pytorch", [16, 7, 7], {"ConvTranspose2d": {"out_channels": 8, "kernel_size": 3, "stride": 2, "output_padding": 1}})
    found = values(transpose, 0, Quantity("shape"), list(transpose.layers[0].output_shape))
    assert found["transpose_as_conv"] == [8, 3, 3]
    assert found["ignored_output_padding"] == [8, 15, 15]


def test_compute_mistakes() -> None:
    macs = MNIST.layers[1].macs
    found = values(MNIST, 1, Quantity("flops"), 2 * macs)
    assert found["macs_flops_factor"] == macs
    assert found["macs_counted_as_params"] == 18207


def test_total_mistakes_name_the_layer() -> None:
    found = total_mistakes(MNIST)
    missed = next(m for m in found if m.codes[0] == "missed_layer" and m.value == MNIST.total_params - 18207)
    assert "conv2d_1" in missed.explanation["en"]
    assert all(m.value != MNIST.total_params for m in found)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_mistakes_command_lists_the_catalogue(lang: str) -> None:
    result = CliRunner().invoke(app, ["mistakes", "--lang", lang])
    assert result.exit_code == 0
    for code in REQUIRED:
        assert code in result.stdout


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_mistakes_command_shows_each_mistake_worked_in_numbers(lang: str) -> None:
    lines = CliRunner().invoke(app, ["mistakes", "--lang", lang]).stdout.splitlines()
    assert not [line for line in lines if re.search(r"\{\w*\}", line)], "no unfilled placeholder such as {C_in} or {bias_rule}"
    heads = {line.split()[0]: i for i, line in enumerate(lines) if not line.startswith(" ")}
    assert {m.code for m in CATALOGUE} | {"missed_layer", "double_counted_layer"} <= set(heads)
    correct = "correct: " if lang == "en" else "正确:"
    for code, i in heads.items():
        example = lines[i + 1] if i + 1 < len(lines) else ""
        assert example.startswith("    ") and re.search(r"\d", example) and correct in example, f"{code}: no worked example"
    forgot = lines[heads["forgot_input_channels"] + 1]
    assert re.search(r"spans all \d+ input channels", forgot) or lang == "zh"
