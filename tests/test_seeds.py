"""The seeds' models and VGG16: the numbers the source material prints, checked where right, corrected where wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from oracle import compare

from quizgen import load_spec, solve

SPECS = Path(__file__).parent / "fixtures" / "specs"


def params_of(name: str) -> list[int]:
    return [layer.params for layer in solve(load_spec(SPECS / name)).layers]


def test_seed000_keras_conv1d_lstm() -> None:
    solution = solve(load_spec(SPECS / "seed000-conv1d-lstm.yaml"))
    assert [layer.params for layer in solution.layers] == [960, 0, 12352, 12352, 0, 12352, 12352, 256, 33024, 33024, 12416, 165]
    assert [layer.output_shape for layer in solution.layers][:8] == [
        (82, 64), (82, 64), (80, 64), (39, 64), (39, 64), (37, 64), (18, 64), (18, 64)]
    # Keras 3 counts BatchNormalization's moving mean and variance as non-trainable.
    assert (solution.total_params, solution.non_trainable_params) == (129253, 128)


def test_seed001_mnist_cnn() -> None:
    solution = solve(load_spec(SPECS / "seed001-mnist.yaml"))
    assert [layer.params for layer in solution.layers] == [320, 18207, 0, 0, 0, 1161344, 0, 1290]
    assert solution.layers[4].output_shape == (9072,)
    assert solution.total_params == 1181161


def test_seed001_steps_read_like_the_answer() -> None:
    conv = solve(load_spec(SPECS / "seed001-mnist.yaml")).layers[1]
    assert conv.trainable.steps() == "C_out·(K_h·K_w·C_in + 1) = 63·(3·3·32 + 1) = 18207"


def test_seed002_lenet_style_convs() -> None:
    from quizgen import parse_spec

    spec = parse_spec({"framework": "keras", "input_shape": [32, 32, 3],
                       "layers": [{"Conv2D": {"filters": 6, "kernel_size": 5}}, {"Conv2D": {"filters": 10, "kernel_size": 5}}]})
    solution = solve(spec)
    assert [layer.params for layer in solution.layers] == [456, 1510]
    assert solution.layers[0].output_shape == (28, 28, 6)


def test_seed003_pytorch_total_is_105450_not_29226() -> None:
    solution = solve(load_spec(SPECS / "seed003-conv1d.yaml"))
    assert solution.total_params == 105450
    assert [layer.params for layer in solution.layers if layer.params] == [64, 1568, 102528, 1290]


def test_seed004_pytorch_net() -> None:
    solution = solve(load_spec(SPECS / "seed004-net.yaml"))
    assert [layer.params for layer in solution.layers if layer.params] == [448, 1160, 16416, 66]
    assert [layer.output_shape for layer in solution.layers] == [
        (16, 32, 32), (16, 32, 32), (16, 16, 16), (8, 16, 16), (8, 16, 16), (8, 8, 8), (512,), (32,), (32,), (2,)]


def test_vgg16_total() -> None:
    assert solve(load_spec(SPECS / "vgg16.yaml")).total_params == 138357544


@pytest.mark.oracle
@pytest.mark.parametrize("name", ["seed000-conv1d-lstm.yaml", "seed001-mnist.yaml", "seed003-conv1d.yaml", "seed004-net.yaml"])
def test_seed_models_against_the_frameworks(name: str) -> None:
    compare(solve(load_spec(SPECS / name)))
