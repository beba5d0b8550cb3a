"""Mistakes of branching networks and attention: each gives the wrong value worked out by hand here,
differs from the answer, and its explanation quotes the numbers in English and Chinese."""

from __future__ import annotations

from typing import Any

import pytest

from quizgen.exam import MistakeValue
from quizgen.mistakes import CATALOGUE, Quantity, layer_mistakes, total_macs_mistakes, total_mistakes
from quizgen.solver import ModelSolution, solve
from quizgen.spec import parse_spec

NEW_CODES = {"concat_as_add", "add_as_concat", "shared_layer_counted_twice", "forgot_projection_shortcut", "missed_branch",
             "mha_forgot_output_projection", "mha_forgot_qkv_bias", "mha_head_vs_model_dim", "encoder_forgot_layernorm",
             "encoder_forgot_feedforward", "attention_forgot_matmuls", "vit_forgot_class_token",
             "vit_forgot_position_embedding", "patches_one_side", "depthwise_as_standard"}


def model(spec: dict[str, Any]) -> ModelSolution:
    return solve(parse_spec(spec))


def found(mistakes: tuple[MistakeValue, ...], code: str, value: Any) -> MistakeValue:
    """The single mistake ``code`` with ``value``; its explanation quotes the value in both languages."""
    hits = [m for m in mistakes if code in m.codes and m.value == value]
    assert hits, f"{code} = {value!r} not among {[(m.codes, m.value) for m in mistakes]}"
    hit = hits[0]
    shown = str(value) if not isinstance(value, list) else "(" + ", ".join(map(str, value)) + ")"
    for lang in ("en", "zh"):
        assert hit.explanation[lang].startswith(shown), hit.explanation[lang]
    return hit


def layer_index(solution: ModelSolution, name: str) -> int:
    return solution.layer_named(name).index


def test_every_new_code_is_catalogued() -> None:
    assert {m.code for m in CATALOGUE} >= NEW_CODES


BASIC_KERAS = {
    "framework": "keras", "input_shape": [32, 32, 16],
    "layers": [
        {"Conv2D": {"filters": 32, "kernel_size": 3, "strides": 2, "padding": "same", "use_bias": False}, "name": "conv1"},
        {"BatchNormalization": {}, "name": "bn1"},
        {"ReLU": {}, "name": "relu"},
        {"Conv2D": {"filters": 32, "kernel_size": 3, "padding": "same", "use_bias": False}, "name": "conv2"},
        {"BatchNormalization": {}, "name": "bn2"},
        {"Conv2D": {"filters": 32, "kernel_size": 1, "strides": 2, "use_bias": False}, "name": "proj", "inputs": ["input"]},
        {"BatchNormalization": {}, "name": "proj_bn"},
        {"Add": {}, "name": "add", "inputs": ["bn2", "proj_bn"]},
        {"Conv2D": {"filters": 10, "kernel_size": 1}, "name": "head"},
    ],
}


def test_forgot_projection_shortcut_leaves_out_the_1x1_conv_and_its_batchnorm() -> None:
    solution = model(BASIC_KERAS)
    # 3·3·16·32 + 4·32 + 3·3·32·32 + 4·32 + 1·1·16·32 + 4·32 + 10·(32 + 1) = 4608 + 128 + 9216 + 128 + 512 + 128 + 330
    assert solution.total_params == 15050
    hit = found(total_mistakes(solution), "forgot_projection_shortcut", 15050 - 512 - 128)
    assert "proj 512 + proj_bn 128 = 640" in hit.explanation["en"] and "proj 512 + proj_bn 128 = 640" in hit.explanation["zh"]
    assert "15050" in hit.explanation["en"] and "1×1" in hit.explanation["zh"]
    # Keras' non-trainable count without the shortcut's BatchNorm statistics: 3·64 − 64.
    found(total_mistakes(solution, "non_trainable"), "forgot_projection_shortcut", 192 - 64)


def test_add_read_as_concatenate_on_the_shape_and_on_the_next_layers_parameters() -> None:
    solution = model(BASIC_KERAS)
    add = layer_index(solution, "add")
    shape = found(layer_mistakes(solution, add, Quantity("shape"), [16, 16, 32]), "add_as_concat", [16, 16, 64])
    assert "32" in shape.explanation["en"] and "32" in shape.explanation["zh"]
    found(layer_mistakes(solution, add, Quantity("dim", 2), 32), "add_as_concat", 64)
    head = layer_index(solution, "head")
    params = found(layer_mistakes(solution, head, Quantity("params"), 330), "add_as_concat", 10 * (64 + 1))
    assert "32 + 32 = 64" in params.explanation["en"] and "32 + 32 = 64" in params.explanation["zh"]


INCEPTION_TORCH = {
    "framework": "pytorch", "input_shape": [192, 28, 28],
    "layers": [
        {"Conv2d": {"out_channels": 64, "kernel_size": 1}, "name": "b1"},
        {"Conv2d": {"out_channels": 96, "kernel_size": 1}, "name": "b2r", "inputs": ["input"]},
        {"Conv2d": {"out_channels": 128, "kernel_size": 3, "padding": 1}, "name": "b2"},
        {"MaxPool2d": {"kernel_size": 3, "stride": 1, "padding": 1}, "name": "pool", "inputs": ["input"]},
        {"Conv2d": {"out_channels": 32, "kernel_size": 1}, "name": "b4"},
        {"torch.cat": {"dim": 1}, "name": "cat", "inputs": ["b1", "b2", "b4"]},
        {"ReLU": {}, "name": "relu"},
        {"Conv2d": {"out_channels": 16, "kernel_size": 1}, "name": "after"},
    ],
}


def test_concatenate_read_as_add_on_the_channels_and_on_the_next_layers_parameters() -> None:
    solution = model(INCEPTION_TORCH)
    cat = layer_index(solution, "cat")
    assert solution.layers[cat].output_shape == (224, 28, 28)
    channels = found(layer_mistakes(solution, cat, Quantity("dim", 0), 224), "concat_as_add", 64)
    assert "64 + 128 + 32" in channels.explanation["en"] and "64 + 128 + 32" in channels.explanation["zh"]
    assert "C_1 + C_2 + C_3" not in channels.explanation["en"] and "64 + 128 + 32 = 224" in channels.explanation["en"]
    found(layer_mistakes(solution, cat, Quantity("shape"), [224, 28, 28]), "concat_as_add", [64, 28, 28])
    after = layer_index(solution, "after")  # through the ReLU: 16·(224 + 1) = 3600, read as 16·(64 + 1)
    hit = found(layer_mistakes(solution, after, Quantity("params"), 3600), "concat_as_add", 16 * 65)
    assert "64 + 128 + 32 = 224" in hit.explanation["en"] and "64 + 128 + 32 = 224" in hit.explanation["zh"]


def test_a_missed_inception_branch_is_the_total_without_its_layers() -> None:
    solution = model(INCEPTION_TORCH)
    b2r, b2 = 96 * 193, 128 * (9 * 96 + 1)
    hit = found(total_mistakes(solution), "missed_branch", solution.total_params - b2r - b2)
    assert f"b2r {b2r} + b2 {b2} = {b2r + b2}" in hit.explanation["en"]
    assert f"b2r {b2r} + b2 {b2} = {b2r + b2}" in hit.explanation["zh"]


SIAMESE = {
    "framework": "keras", "inputs": {"left": [100], "right": [100]},
    "layers": [
        {"Dense": {"units": 32}, "name": "encoder", "inputs": ["left"]},
        {"shares": "encoder", "name": "encoder_right", "inputs": ["right"]},
        {"Concatenate": {}, "name": "joined", "inputs": ["encoder", "encoder_right"]},
        {"Dense": {"units": 10}, "name": "head"},
    ],
}


def test_a_shared_layer_counted_twice() -> None:
    solution = model(SIAMESE)
    assert solution.total_params == 3232 + 650
    hit = found(total_mistakes(solution), "shared_layer_counted_twice", 3882 + 3232)
    assert "3232" in hit.explanation["en"] and "3232" in hit.explanation["zh"]
    row = layer_index(solution, "encoder_right")  # the summary row of the second call: 0, not 3232
    found(layer_mistakes(solution, row, Quantity("params"), 0), "shared_layer_counted_twice", 3232)
    # the head after the concatenation, read as an add: 10·(32 + 1) instead of 10·(64 + 1)
    found(layer_mistakes(solution, layer_index(solution, "head"), Quantity("params"), 650), "concat_as_add", 330)


@pytest.mark.parametrize("framework", ["pytorch", "keras"])
def test_multi_head_attention_parameter_mistakes(framework: str) -> None:
    layer = ({"MultiheadAttention": {"embed_dim": 64, "num_heads": 4}, "name": "mha"} if framework == "pytorch"
             else {"MultiHeadAttention": {"num_heads": 4, "key_dim": 16}, "name": "mha", "inputs": ["input", "input"]})
    solution = model({"framework": framework, "input_shape": [16, 64], "layers": [layer]})
    assert solution.layers[0].params == 4 * 64 * 64 + 4 * 64 == 16640
    mistakes = layer_mistakes(solution, 0, Quantity("params"), 16640)
    hit = found(mistakes, "mha_forgot_output_projection", 16640 - 4160)
    assert "4160" in hit.explanation["en"] and "4160" in hit.explanation["zh"]
    found(mistakes, "mha_forgot_qkv_bias", 16640 - 192)
    # one head's q, k, v projections only: 3·(64·16 + 16) + 64·64 + 64 (Keras: 64·16·3 + 48 + 16·64 + 64)
    one_head = 7280 if framework == "pytorch" else 4208
    hit = found(mistakes, "mha_head_vs_model_dim", one_head)
    assert "16" in hit.explanation["en"] and "64" in hit.explanation["zh"]
    if framework == "pytorch":  # every head given a full 64×64 projection
        found(mistakes, "mha_head_vs_model_dim", 4 * 3 * (64 * 64 + 64) + 64 * 64 + 64)


def test_attention_flops_without_the_two_matmuls() -> None:
    solution = model({"framework": "pytorch", "input_shape": [16, 64],
                      "layers": [{"MultiheadAttention": {"embed_dim": 64, "num_heads": 4}}]})
    assert solution.layers[0].macs == 4 * 16 * 64 * 64 + 2 * 16 * 16 * 64
    hit = found(layer_mistakes(solution, 0, Quantity("flops"), 589824), "attention_forgot_matmuls", 2 * 4 * 16 * 64 * 64)
    assert "294912 − 32768" in hit.explanation["en"] and "294912 − 32768" in hit.explanation["zh"]


def test_encoder_layer_without_layernorm_or_feed_forward() -> None:
    solution = model({"framework": "pytorch", "input_shape": [16, 64],
                      "layers": [{"TransformerEncoderLayer": {"d_model": 64, "nhead": 4, "dim_feedforward": 256}}]})
    total = 16640 + (64 * 256 + 256) + (256 * 64 + 64) + 2 * 2 * 64
    assert solution.layers[0].params == total == 49984
    mistakes = layer_mistakes(solution, 0, Quantity("params"), total)
    found(mistakes, "encoder_forgot_layernorm", total - 256)
    found(mistakes, "encoder_forgot_feedforward", total - 33088)
    found(mistakes, "mha_forgot_output_projection", total - 4160)


def test_hand_built_keras_encoder_totals() -> None:
    solution = model({"framework": "keras", "input_shape": [16, 64], "layers": [
        {"MultiHeadAttention": {"num_heads": 4, "key_dim": 16}, "name": "att", "inputs": ["input", "input"]},
        {"Add": {}, "name": "add1", "inputs": ["input", "att"]},
        {"LayerNormalization": {}, "name": "norm1"},
        {"Dense": {"units": 256}, "name": "ff1"},
        {"Dense": {"units": 64}, "name": "ff2"},
        {"Add": {}, "name": "add2", "inputs": ["norm1", "ff2"]},
        {"LayerNormalization": {}, "name": "norm2"}]})
    assert solution.total_params == 49984
    mistakes = total_mistakes(solution)
    hit = found(mistakes, "encoder_forgot_layernorm", 49984 - 256)
    assert "norm1 128 + norm2 128 = 256" in hit.explanation["en"] and "norm1 128 + norm2 128 = 256" in hit.explanation["zh"]
    found(mistakes, "encoder_forgot_feedforward", 49984 - 33088)


VIT = {
    "framework": "pytorch", "input_shape": [3, 224, 224],
    "layers": [
        {"Conv2d": {"out_channels": 768, "kernel_size": 16, "stride": 16}, "name": "patch"},
        {"torch.flatten": {"start_dim": 2}, "name": "flat"},
        {"torch.permute": {"dims": [0, 2, 1]}, "name": "tokens"},
        {"Parameter": {"shape": [1, 1, 768]}, "name": "cls", "inputs": []},
        {"torch.cat": {"dim": 1}, "name": "with_cls", "inputs": ["cls", "tokens"]},
        {"Parameter": {"shape": [1, 197, 768]}, "name": "pos", "inputs": []},
        {"torch.add": {}, "name": "embedded", "inputs": ["with_cls", "pos"]},
    ],
}


def test_vit_class_token_position_embedding_and_patch_count() -> None:
    solution = model(VIT)
    conv = 768 * (16 * 16 * 3 + 1)
    assert solution.total_params == conv + 768 + 197 * 768
    mistakes = total_mistakes(solution)
    hit = found(mistakes, "vit_forgot_class_token", conv + 197 * 768)
    assert "1×1×768 = 768" in hit.explanation["en"] and "1×1×768 = 768" in hit.explanation["zh"]
    hit = found(mistakes, "vit_forgot_position_embedding", conv + 768)
    assert "1×197×768 = 151296" in hit.explanation["en"] and "1×197×768 = 151296" in hit.explanation["zh"]
    tokens = layer_index(solution, "tokens")
    hit = found(layer_mistakes(solution, tokens, Quantity("dim", 0), 196), "patches_one_side", 14)
    assert "14·14 = 196" in hit.explanation["en"] and "14·14 = 196" in hit.explanation["zh"]


def test_no_new_mistake_on_a_plain_chain() -> None:
    """A chain has no merge, shared layer or attention: none of the new codes may appear."""
    solution = model({"framework": "keras", "input_shape": [28, 28, 1],
                      "layers": [{"Conv2D": {"filters": 8, "kernel_size": 3}}, {"Flatten": {}}, {"Dense": {"units": 10}}]})
    codes = {code for m in total_mistakes(solution) for code in m.codes[0].split("+")}
    for index, layer in enumerate(solution.layers):
        codes |= {c for m in layer_mistakes(solution, index, Quantity("params"), layer.params) for c in m.codes[0].split("+")}
    assert not codes & NEW_CODES


def test_whole_model_macs_on_a_graph_miss_a_branch_or_a_layer() -> None:
    """MACs and FLOPs totals get the total's mistakes too: the projection shortcut's MACs left out, a layer left out,
    one layer's own mistake, MACs and FLOPs confused."""
    solution = model(BASIC_KERAS)
    macs = solution.total_macs
    assert macs is not None
    proj = 16 * 16 * 32 * 16  # 1×1 over the 16×16 output, 16 input channels, 32 filters
    assert solution.layer_named("proj").macs == proj
    mistakes = total_macs_mistakes(solution)
    hit = found(mistakes, "forgot_projection_shortcut", macs - proj)
    assert f"proj {proj}" in hit.explanation["en"] and "MACs" in hit.explanation["en"] and "次乘加" in hit.explanation["zh"]
    found(mistakes, "missed_layer", macs - solution.layer_named("conv1").macs)  # type: ignore[operator]
    found(mistakes, "macs_flops_factor", 2 * macs)
    flops = total_macs_mistakes(solution, 2)
    found(flops, "forgot_projection_shortcut", 2 * (macs - proj))
    found(flops, "macs_flops_factor", macs)
    # conv1 without its 16 input channels: 2·(16·16·32·3·3) instead of 2·(16·16·32·3·3·16)
    found(flops, "forgot_input_channels", 2 * macs - 2 * 16 * 16 * 32 * 9 * 15)


def test_keras_depthwise_conv_counted_like_a_standard_one() -> None:
    """The inverted residual's 3×3 depthwise step: 3·3·16 = 144 weights; a standard conv's 3·3·16·16 is the mistake,
    and "forgot the input channels" (9) does not apply to a filter that sees one channel."""
    solution = model({"framework": "keras", "input_shape": [8, 8, 16],
                      "layers": [{"DepthwiseConv2D": {"kernel_size": 3, "use_bias": False}, "name": "depthwise"}]})
    mistakes = layer_mistakes(solution, 0, Quantity("params"), 144)
    hit = found(mistakes, "depthwise_as_standard", 2304)
    assert "3·3·16·16" in hit.explanation["en"] and "3·3·16·16" in hit.explanation["zh"]
    assert not [m for m in mistakes if "forgot_input_channels" in m.codes[0]]
    found(layer_mistakes(solution, 0, Quantity("macs"), 5184), "depthwise_as_standard", 6 * 6 * 9 * 16 * 16)
