"""Whole networks with branches against the frameworks: every layer's output shape and
parameters, the totals, trainable and non-trainable.

PyTorch: the specs in tests/fixtures/specs/zoo/ against the same architectures written in
plain torch (tests/zoo_reference.py), compared call by call through forward hooks. Keras:
keras.applications models (weights=None, nothing downloaded) turned into specs layer by layer
from the model's own graph, and the hand-written ResNet50 spec against ResNet50 itself.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from quizgen.solver import ModelSolution, solve
from quizgen.spec import load_spec, parse_spec

os.environ.setdefault("KERAS_BACKEND", "torch")
pytestmark = pytest.mark.oracle
ZOO = Path(__file__).parent / "fixtures" / "specs" / "zoo"
TOTALS = {"resnet18": 11_689_512, "resnet50": 25_557_032, "mobilenet_v2": 3_504_872, "densenet121": 7_978_856,
          "googlenet": 6_624_904, "squeezenet1_1": 1_235_496, "unet": 31_037_698}


def _torch_calls(model: Any, shape: tuple[int, ...]) -> tuple[list[tuple[str, int, tuple[int, ...]]], tuple[int, ...]]:
    """(type, parameters, output shape) of every leaf module call, in call order, and the model's output shape."""
    import torch

    calls: list[tuple[str, int, tuple[int, ...]]] = []

    def hook(module: Any, _inputs: Any, output: Any) -> None:
        calls.append((type(module).__name__, sum(p.numel() for p in module.parameters()), tuple(output.shape[1:])))

    handles = [m.register_forward_hook(hook) for m in model.modules() if not list(m.children())]
    model.eval()
    with torch.no_grad():
        out = model(torch.zeros(1, *shape))
    for handle in handles:
        handle.remove()
    return calls, tuple(out.shape[1:])


@pytest.mark.parametrize("name", sorted(TOTALS))
def test_torch_zoo(name: str) -> None:
    import zoo_reference

    model = solve(load_spec(ZOO / f"{name}.yaml"))
    reference = zoo_reference.MODELS[name]()
    calls, out_shape = _torch_calls(reference, model.spec.input_shape)
    ours = [(layer.type, layer.params, layer.output_shape) for layer in model.layers if not layer.type.startswith("torch.")]
    assert Counter(ours) == Counter(calls)  # every layer: type, parameters and output shape
    assert model.total_params == sum(p.numel() for p in reference.parameters()) == TOTALS[name]
    assert model.non_trainable_params == 0  # PyTorch's parameters() leaves BatchNorm's statistics out
    assert model.output_shape == out_shape


def _keras_spec(model: Any) -> dict[str, Any]:
    """A spec of a Keras functional model, read from the model's own graph (names, arguments, inbound layers)."""
    from quizgen.layers import get_kind
    from quizgen.spec import Framework

    inputs: dict[str, list[int | None]] = {}
    layers: list[dict[str, Any]] = []
    for layer in model.layers:
        cls = type(layer).__name__
        if cls == "InputLayer":
            inputs[layer.name] = list(layer.output.shape[1:])
            continue
        kind = get_kind(Framework.KERAS, cls)
        assert kind is not None, f"no quizgen kind for {cls}"
        config = {k: v for k, v in layer.get_config().items() if k in kind.args and k not in ("dtype", "name")}
        node = layer._inbound_nodes[0]
        sources = [t._keras_history.operation.name for t in node.input_tensors]
        layers.append({cls: config, "name": layer.name, "inputs": sources})
    return {"framework": "keras", "inputs": inputs, "layers": layers}


def _compare_keras(model: ModelSolution, reference: Any) -> None:
    def size(weights: Any) -> int:
        return sum(int(w.numpy().size) for w in weights)

    theirs = [(layer.name, size(layer.trainable_weights), size(layer.non_trainable_weights), tuple(layer.output.shape[1:]))
              for layer in reference.layers if type(layer).__name__ != "InputLayer"]
    ours = [(layer.name, int(layer.trainable.value), int(layer.non_trainable.value), layer.output_shape) for layer in model.layers]
    assert ours == theirs
    assert model.trainable_params == sum(int(w.numpy().size) for w in reference.trainable_weights)
    assert model.non_trainable_params == sum(int(w.numpy().size) for w in reference.non_trainable_weights)
    assert model.total_params == reference.count_params()


KERAS_APPS = {"ResNet50": 25_636_712, "MobileNetV2": 3_538_984, "DenseNet121": 8_062_504, "InceptionV3": 23_851_784,
              "Xception": 22_910_480}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(KERAS_APPS))
def test_keras_applications(name: str) -> None:
    import keras

    reference = getattr(keras.applications, name)(weights=None)
    model = solve(parse_spec(_keras_spec(reference)))
    _compare_keras(model, reference)
    assert model.total_params == KERAS_APPS[name]


@pytest.mark.slow
def test_handwritten_keras_resnet50_spec() -> None:
    import keras

    reference = keras.applications.ResNet50(weights=None)
    model = solve(load_spec(ZOO / "keras_resnet50.yaml"))
    theirs = [(type(layer).__name__, layer.count_params(), tuple(layer.output.shape[1:]))
              for layer in reference.layers if type(layer).__name__ != "InputLayer"]
    assert Counter((layer.type, layer.params, layer.output_shape) for layer in model.layers) == Counter(theirs)
    assert (model.total_params, model.trainable_params, model.non_trainable_params) == (25_636_712, 25_583_592, 53_120)
