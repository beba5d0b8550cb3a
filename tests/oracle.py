"""Build a network spec in the real frameworks and read back what they report per layer.

The oracle for every count quizgen computes: PyTorch 2.13 (`parameters()`, buffers excluded)
and Keras 3 on the torch backend (`trainable_weights` / `non_trainable_weights`). Tests that
use it are marked ``oracle``; they skip only when the frameworks are not installed.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Mapping
from dataclasses import dataclass
from math import prod
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")

from strategies import spec

from quizgen.errors import SpecError
from quizgen.layers import LayerKind, all_kinds, get_kind
from quizgen.solver import ModelSolution, solve
from quizgen.spec import Framework

# Every family whose MAC convention the oracle can check (compare's macs_families).
ALL_FAMILIES = ("conv", "dense", "norm", "activation", "dropout", "reshape", "padding", "embedding")


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


def keras_layer(keras: Any, name: str, kwargs: Mapping[str, Any]) -> Any:
    kwargs = dict(_tuples(kwargs))
    kwargs.pop("input_shape", None)
    for wrapped in ("layer", "backward_layer"):
        inner = kwargs.get(wrapped)
        if isinstance(inner, Mapping):
            ((inner_name, inner_kwargs),) = inner.items()
            kwargs[wrapped] = keras_layer(keras, inner_name, inner_kwargs)
    return getattr(keras.layers, name)(**kwargs)


def keras_reference(solution: ModelSolution) -> list[Reference]:
    import keras

    inputs = keras.Input(shape=solution.spec.input_shape)
    x = inputs
    refs = []
    for name, kwargs in resolved_layers(solution):
        layer = keras_layer(keras, name, kwargs)
        x = layer(x)
        trainable = sum(int(prod(w.shape)) for w in layer.trainable_weights)
        non_trainable = sum(int(prod(w.shape)) for w in layer.non_trainable_weights)
        refs.append(Reference(tuple(x.shape[1:]), layer.count_params(), trainable, non_trainable))
    return refs


# --- graphs ------------------------------------------------------------------------------------


def _torch_node(torch: Any, name: str, kwargs: Mapping[str, Any], inputs: list[Any], module: Any) -> tuple[Any, Any]:
    """(output, the module or weight tensor whose parameters this call owns)."""
    if name == "Parameter":
        weight = torch.nn.Parameter(torch.zeros(*kwargs["shape"]), requires_grad=kwargs.get("requires_grad", True))
        return weight, weight
    if name.startswith("torch."):
        function = getattr(torch, name.removeprefix("torch."))
        if name in ("torch.cat", "torch.stack"):
            return function(inputs, **_tuples(dict(kwargs))), None
        return function(*inputs, **_tuples(dict(kwargs))), None
    if module is None:
        module = getattr(torch.nn, name)(**_tuples(dict(kwargs)))
        if name.startswith("BatchNorm"):
            module.eval()  # one sample after global pooling; other modules stay in training mode, off PyTorch's fused fast paths
    if name == "MultiheadAttention":
        query, key, value = (inputs * 3)[:3] if len(inputs) == 1 else inputs
        return module(query, key, value, need_weights=True)[0], module  # need_weights: the two matmuls FlopCounterMode sees
    out = module(*inputs)
    return (out[0] if isinstance(out, tuple) else out), module


def torch_graph_reference(solution: ModelSolution) -> list[Reference]:
    """Every node of a graph built and called in plain torch, in topological order (shared nodes reuse the module)."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    torch.manual_seed(0)
    tensors: dict[str, Any] = {name: torch.zeros(1, *shape) for name, shape in solution.spec.model_inputs}
    owners: dict[str, Any] = {}
    kwargs_of = dict(zip((layer.name for layer in solution.layers), (kw for _, kw in resolved_layers(solution)), strict=True))
    refs: dict[int, Reference] = {}
    for index in solution.topological_order:
        layer = solution.layers[index]
        shared = owners.get(layer.shares) if layer.shares else None
        spec_type = solution.layer_named(layer.shares).type if layer.shares else layer.type
        counter = FlopCounterMode(display=False)
        with counter:  # with gradients on: under no_grad, attention takes a fused kernel FlopCounterMode does not count
            out, owner = _torch_node(torch, spec_type, kwargs_of[layer.shares or layer.name], [tensors[r] for r in layer.inputs], shared)
        owners[layer.name] = owner
        weights = [] if layer.shares or owner is None else [owner] if isinstance(owner, torch.nn.Parameter) else list(owner.parameters())
        trainable = sum(w.numel() for w in weights if w.requires_grad)
        total = sum(w.numel() for w in weights)
        refs[index] = Reference(tuple(out.shape[1:]), total, trainable, total - trainable, counter.get_total_flops() // 2)
        tensors[layer.name] = out
    unique = {id(w): w.numel() for owner in owners.values() if owner is not None
              for w in ([owner] if isinstance(owner, torch.nn.Parameter) else owner.parameters())}
    assert sum(unique.values()) == sum(r.params for r in refs.values()), "shared weights counted once"
    return [refs[i] for i in range(len(solution.layers))]


def keras_graph_reference(solution: ModelSolution) -> list[Reference]:
    """Every node of a graph built with Keras' functional API (a shared node calls the same layer object again)."""
    import keras

    tensors: dict[str, Any] = {name: keras.Input(shape=shape) for name, shape in solution.spec.model_inputs}
    built: dict[str, Any] = {}
    kwargs_of = dict(zip((layer.name for layer in solution.layers), (kw for _, kw in resolved_layers(solution)), strict=True))
    refs: dict[int, Reference] = {}
    for index in solution.topological_order:
        layer = solution.layers[index]
        obj = built[layer.shares] if layer.shares else keras_layer(keras, layer.type, kwargs_of[layer.name])
        built[layer.name] = obj
        inputs = [tensors[r] for r in layer.inputs]
        if layer.type == "MultiHeadAttention" or (layer.shares and solution.layer_named(layer.shares).type == "MultiHeadAttention"):
            out = obj(*inputs)
        elif layer.kind.max_inputs != 1:
            out = obj(inputs)
        else:
            out = obj(inputs[0])
        tensors[layer.name] = out
        trainable = 0 if layer.shares else sum(int(prod(w.shape)) for w in obj.trainable_weights)
        non_trainable = 0 if layer.shares else sum(int(prod(w.shape)) for w in obj.non_trainable_weights)
        refs[index] = Reference(tuple(out.shape[1:]), trainable + non_trainable, trainable, non_trainable)
    model = keras.Model([tensors[name] for name, _ in solution.spec.model_inputs], [tensors[name] for name in solution.outputs])
    assert model.count_params() == sum(r.params for r in refs.values()), "Keras counts the whole model's weights once"
    return [refs[i] for i in range(len(solution.layers))]


def reference(solution: ModelSolution, *, count_macs: bool = True) -> list[Reference]:
    if solution.is_graph:
        return keras_graph_reference(solution) if solution.spec.framework.value == "keras" else torch_graph_reference(solution)
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


def framework_rejects(framework: str, shape: list[Any], layers: list[dict[str, Any]]) -> bool:
    """Build the stack in the real framework; True when it raises somewhere or yields an empty tensor.

    (Grouped ConvTranspose1d in torch 2.13 returns a length-0 output where the other ranks
    raise "Output size is too small", and Keras 'same' transposes with output_padding can
    compute a 0 size without complaint; quizgen rejects all of them.)
    """
    try:
        if framework == "pytorch":
            import torch

            x = torch.zeros(1, *shape)
            for layer in layers:
                ((name, kwargs),) = layer.items()
                kwargs = _tuples(kwargs)
                if name.startswith("ConvTranspose"):
                    kwargs.setdefault("in_channels", x.shape[1])
                out = getattr(torch.nn, name)(**kwargs)(x)
                x = out[0] if isinstance(out, tuple) else out
                if 0 in x.shape:
                    return True
        else:
            import keras

            x = keras.Input(shape=tuple(shape))
            for layer in layers:
                ((name, kwargs),) = layer.items()
                x = getattr(keras.layers, name)(**_tuples(kwargs))(x)
                if 0 in x.shape:
                    return True
    except Exception:  # any framework error counts as a rejection
        return True
    return False


def solve_or_rejected(framework: str, shape: list[Any], layers: list[dict[str, Any]]) -> ModelSolution | None:
    """Solve and compare with the framework; None when quizgen rejects the spec, which the framework must reject too."""
    try:
        solution = solve(spec(framework, shape, layers))
    except SpecError as error:
        assert framework_rejects(framework, shape, layers), f"quizgen rejected what {framework} accepts: {error}"
        return None
    compare(solution)
    return solution


# --- the real classes' signatures --------------------------------------------------------------


def kinds_defined_in(modules: tuple[str, ...]) -> list[LayerKind]:
    """The layer kinds whose solver is defined in one of ``modules`` (``quizgen.layers.norm``, ...)."""
    return [k for k in all_kinds() if getattr(k.solve, "__module__", "") in modules]


def _real_parameters(kind: LayerKind) -> list[inspect.Parameter]:
    import keras
    import torch

    cls = getattr(keras.layers if kind.framework is Framework.KERAS else torch.nn, kind.name)
    return [p for name, p in inspect.signature(cls.__init__).parameters.items() if name != "self"]


def assert_signature(name: str) -> None:
    """Every named parameter of the real class is accepted; `positional` follows the signature's order."""
    framework = Framework.PYTORCH if name[-1] == "d" else Framework.KERAS
    kind = get_kind(framework, name)
    assert kind is not None
    names = [p.name for p in _real_parameters(kind) if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
    assert [n for n in names if n not in kind.args] == []
    assert tuple(names[:len(kind.positional)]) == kind.positional


def check_signatures(modules: tuple[str, ...]) -> None:
    """Every argument of the real class is accepted, and `positional` is the real positional order, whole."""
    import keras

    base = set(inspect.signature(keras.layers.Layer.__init__).parameters) - {"self", "kwargs"}
    for kind in kinds_defined_in(modules):
        params = _real_parameters(kind)
        named = {p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
        if kind.framework is Framework.KERAS and any(p.kind == p.VAR_KEYWORD for p in params):
            named |= base
        assert named <= set(kind.args), f"{kind.name}: missing {sorted(named - set(kind.args))}"
        positional = tuple(p.name for p in params if p.kind == p.POSITIONAL_OR_KEYWORD)
        assert kind.positional == positional, f"{kind.name}: positional {kind.positional} != {positional}"
