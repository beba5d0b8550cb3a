"""Build a network spec in the real frameworks and read back what they report per layer.

The oracle for every count quizgen computes: PyTorch 2.13 (`parameters()`, buffers excluded)
and Keras 3 on the torch backend (`trainable_weights` / `non_trainable_weights`). Tests that
use it are marked ``oracle``; they skip only when the frameworks are not installed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from math import prod
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")

from quizgen.solver import ModelSolution  # noqa: E402


@dataclass(frozen=True)
class Reference:
    output_shape: tuple[int | None, ...]
    params: int
    trainable: int
    non_trainable: int
    macs: int | None = None  # FlopCounterMode FLOPs / 2 (PyTorch only)


def resolved_layers(solution: ModelSolution) -> list[tuple[str, dict[str, Any]]]:
    """The spec's layers with the arguments quizgen inferred (in_channels, ...) filled in."""
    out = []
    for layer, spec_layer in zip(solution.layers, solution.spec.layers, strict=True):
        kwargs = dict(spec_layer.kwargs)
        for key, value in layer.outcome.resolved.items():
            kwargs.setdefault(key, value)
        out.append((layer.type, kwargs))
    return out


def _tuples(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, Mapping):
        return {k: _tuples(v) for k, v in value.items()}
    return value


# --- PyTorch ---------------------------------------------------------------------------------


def torch_reference(solution: ModelSolution, *, count_macs: bool = True) -> list[Reference]:
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    torch.manual_seed(0)
    x: Any = torch.zeros(1, *solution.spec.input_shape)
    refs = []
    for name, kwargs in resolved_layers(solution):
        module = getattr(torch.nn, name)(**_tuples(kwargs))
        if name == "Embedding":
            x = x.long()
        macs = None
        with torch.no_grad():
            if count_macs:
                counter = FlopCounterMode(display=False)
                with counter:
                    y = _torch_call(module, name, x)
                macs = counter.get_total_flops() // 2
            else:
                y = _torch_call(module, name, x)
        params = list(module.parameters())
        trainable = sum(p.numel() for p in params if p.requires_grad)
        refs.append(Reference(tuple(y.shape[1:]), sum(p.numel() for p in params), trainable,
                              sum(p.numel() for p in params) - trainable, macs))
        x = y
    return refs


def _torch_call(module: Any, name: str, x: Any) -> Any:
    if name == "MultiheadAttention":
        return module(x, x, x, need_weights=False)[0]
    y = module(x)
    if isinstance(y, tuple):  # RNN/LSTM/GRU: (output, state)
        y = y[0]
    return y


# --- Keras -----------------------------------------------------------------------------------


def _keras_layer(keras: Any, name: str, kwargs: Mapping[str, Any]) -> Any:
    kwargs = dict(_tuples(kwargs))
    kwargs.pop("input_shape", None)
    for wrapped in ("layer", "backward_layer"):
        inner = kwargs.get(wrapped)
        if isinstance(inner, Mapping):
            ((inner_name, inner_kwargs),) = inner.items()
            kwargs[wrapped] = _keras_layer(keras, inner_name, inner_kwargs)
    return getattr(keras.layers, name)(**kwargs)


def keras_reference(solution: ModelSolution) -> list[Reference]:
    import keras

    inputs = keras.Input(shape=solution.spec.input_shape)
    x = inputs
    refs = []
    for name, kwargs in resolved_layers(solution):
        layer = _keras_layer(keras, name, kwargs)
        x = layer(x)
        trainable = sum(int(prod(w.shape)) for w in layer.trainable_weights)
        non_trainable = sum(int(prod(w.shape)) for w in layer.non_trainable_weights)
        refs.append(Reference(tuple(x.shape[1:]), layer.count_params(), trainable, non_trainable))
    return refs


def reference(solution: ModelSolution, *, count_macs: bool = True) -> list[Reference]:
    if solution.spec.framework.value == "keras":
        return keras_reference(solution)
    return torch_reference(solution, count_macs=count_macs)


def compare(solution: ModelSolution, *, macs_families: tuple[str, ...] = ("conv", "dense")) -> None:
    """Assert quizgen agrees with the framework on every layer (shape, params, trainable split).

    MACs are compared for the families whose MAC convention equals FlopCounterMode's FLOPs/2.
    """
    refs = reference(solution, count_macs=solution.spec.framework.value == "pytorch")
    for layer, ref in zip(solution.layers, refs, strict=True):
        where = f"layer {layer.index + 1} {layer.type} {dict(solution.spec.layers[layer.index].kwargs)} on {list(layer.input_shape)}"
        assert tuple(layer.output_shape) == ref.output_shape, f"{where}: shape {layer.output_shape} != {ref.output_shape}"
        assert layer.params == ref.params, f"{where}: params {layer.params} != {ref.params}"
        assert int(layer.trainable.value) == ref.trainable, f"{where}: trainable {layer.trainable.value} != {ref.trainable}"
        assert int(layer.non_trainable.value) == ref.non_trainable, f"{where}: non-trainable {layer.non_trainable.value} != {ref.non_trainable}"
        if ref.macs is not None and layer.kind.family in macs_families:
            assert layer.macs == ref.macs, f"{where}: MACs {layer.macs} != {ref.macs}"
