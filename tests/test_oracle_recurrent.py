"""Recurrent layers (Keras SimpleRNN/LSTM/GRU, Bidirectional, TimeDistributed; PyTorch RNN/LSTM/GRU).

Shapes and parameter counts come from the real frameworks (tests/oracle.py). No framework
counts RNN MACs, so they are checked two ways: hand-computed cases, and the identity the
definition implies — every weight of a kernel (not a bias) is one multiply-add per time step,
so MACs = time steps × kernel weights of the real module.
"""

from __future__ import annotations

from math import prod
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import compare, keras_layer, resolved_layers
from strategies import spec

from quizgen.errors import SpecError
from quizgen.solver import ModelSolution, solve

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
oracle = pytest.mark.oracle


def keras_kernel_weights(solution: ModelSolution) -> list[int]:
    """Per layer: the number of kernel weights (biases excluded) of the real Keras layer."""
    import keras

    x = keras.Input(shape=solution.spec.input_shape)
    counts = []
    for name, kwargs in resolved_layers(solution):
        layer = keras_layer(keras, name, kwargs)
        x = layer(x)
        counts.append(sum(int(prod(w.shape)) for w in layer.weights if w.name != "bias"))
    return counts


def torch_kernel_weights(solution: ModelSolution) -> list[int]:
    import torch

    counts = []
    for name, kwargs in resolved_layers(solution):
        module = getattr(torch.nn, name)(**kwargs)
        counts.append(sum(p.numel() for n, p in module.named_parameters() if n.startswith("weight")))
    return counts


def check_macs_by_weights(solution: ModelSolution, kernels: list[int]) -> None:
    for layer, weights in zip(solution.layers, kernels, strict=True):
        steps = layer.input_shape[0] if len(layer.input_shape) > 1 else 1
        expected = None if steps is None else steps * weights
        assert layer.macs == expected, f"layer {layer.index + 1} {layer.type}: MACs {layer.macs} != {steps}·{weights}"


# --- Keras -----------------------------------------------------------------------------------


@st.composite
def keras_cell(draw: st.DrawFn, *, sequences: bool | None = None, units: int | None = None) -> dict[str, Any]:
    name = draw(st.sampled_from(["SimpleRNN", "LSTM", "GRU"]))
    args: dict[str, Any] = {
        "units": units or draw(st.integers(1, 6)),
        "use_bias": draw(st.booleans()),
        "return_sequences": draw(st.booleans()) if sequences is None else sequences,
        "go_backwards": draw(st.booleans()),
        "unroll": draw(st.booleans()),
        "dropout": draw(st.sampled_from([0.0, 0.25])),
    }
    if name == "GRU":
        args["reset_after"] = draw(st.booleans())
    if draw(st.integers(0, 5)) == 0:
        args["trainable"] = False
    return {name: args}


@st.composite
def keras_stack(draw: st.DrawFn) -> tuple[list[int | None], list[dict[str, Any]]]:
    steps = draw(st.one_of(st.none(), st.integers(1, 6)))
    count = draw(st.integers(1, 3))
    layers: list[dict[str, Any]] = []
    sequences = True
    for i in range(count):
        cell = draw(keras_cell(sequences=None if i == count - 1 else True))
        ((_, fw),) = cell.items()
        sequences = fw["return_sequences"]
        wrap = draw(st.sampled_from(["plain", "plain", "bidirectional", "backward_layer"]))
        if wrap == "plain":
            layers.append(cell)
            continue
        if wrap == "bidirectional":
            fw["go_backwards"] = False  # Keras 3 would build a second backward layer (see test_keras_bad_input)
        bidi: dict[str, Any] = {"layer": cell, "merge_mode": draw(st.sampled_from(["concat", "sum", "mul", "ave"]))}
        if wrap == "backward_layer":
            ((bw_name, bw),) = draw(keras_cell(sequences=sequences, units=fw["units"])).items()
            bw["go_backwards"] = not fw["go_backwards"]
            bidi["backward_layer"] = {bw_name: bw}
        layers.append({"Bidirectional": bidi})
    if sequences:
        layers.append({"TimeDistributed": {"layer": {"Dense": {"units": draw(st.integers(1, 4)), "use_bias": draw(st.booleans())}}}})
    layers.append({"Dense": {"units": 2}})
    return [steps, draw(st.integers(1, 6))], layers


@oracle
@given(keras_stack())
@SETTINGS
def test_keras_recurrent(case: tuple[list[int | None], list[dict[str, Any]]]) -> None:
    shape, layers = case
    solution = solve(spec("keras", shape, layers))
    compare(solution)
    check_macs_by_weights(solution, keras_kernel_weights(solution))


@st.composite
def keras_time_distributed(draw: st.DrawFn) -> tuple[list[int | None], list[dict[str, Any]]]:
    steps = draw(st.one_of(st.none(), st.integers(1, 5)))
    inner = draw(st.sampled_from(["Conv2D", "Flatten", "LSTM", "Bidirectional", "Dense"]))
    if inner in ("Conv2D", "Flatten"):
        shape = [steps, draw(st.integers(3, 6)), draw(st.integers(3, 6)), draw(st.integers(1, 3))]
        layer: dict[str, Any] = {"Conv2D": {"filters": draw(st.integers(1, 4)), "kernel_size": draw(st.integers(1, 3))}} if inner == "Conv2D" else {"Flatten": {}}
        layers = [{"TimeDistributed": {"layer": layer}}, {"TimeDistributed": {"layer": {"Flatten": {}}}}] if inner == "Conv2D" else [{"TimeDistributed": {"layer": layer}}]
    elif inner == "Dense":
        shape = [steps, draw(st.integers(1, 4)), draw(st.integers(1, 4))]
        layers = [{"TimeDistributed": {"layer": {"TimeDistributed": {"layer": {"Dense": {"units": 3}}}}}}]
    else:
        shape = [steps, draw(st.integers(1, 5)), draw(st.integers(1, 4))]
        cell = draw(keras_cell())
        if inner == "Bidirectional":
            next(iter(cell.values()))["go_backwards"] = False
        layers = [{"TimeDistributed": {"layer": cell if inner == "LSTM" else {"Bidirectional": {"layer": cell}}}}]
    return shape, layers


@oracle
@given(keras_time_distributed())
@SETTINGS
def test_keras_time_distributed(case: tuple[list[int | None], list[dict[str, Any]]]) -> None:
    shape, layers = case
    solution = solve(spec("keras", shape, layers))
    compare(solution)
    layer = solution.layers[0]
    inner = layer.outcome.inner[0]
    assert layer.outcome.output_shape == (shape[0], *inner.output_shape)
    if shape[0] is None or inner.macs is None:
        assert layer.macs is None
    else:
        assert layer.macs == shape[0] * inner.macs.value


def test_seed_000_lstms() -> None:
    solution = solve(spec("keras", [18, 64], [
        {"LSTM": {"units": 64, "dropout": 0.5, "return_sequences": True}},
        {"LSTM": {"units": 64, "dropout": 0.5, "return_sequences": True}},
        {"LSTM": {"units": 32}},
        {"Dense": {"units": 5, "activation": "softmax"}},
    ]))
    assert [layer.params for layer in solution.layers] == [33024, 33024, 12416, 165]
    assert [layer.output_shape for layer in solution.layers] == [(18, 64), (18, 64), (32,), (5,)]
    first = solution.layers[0].trainable
    assert first.steps() == "4·H·(I + H + 1) = 4·64·(64 + 64 + 1) = 33024"
    assert solution.layers[2].trainable.steps() == "4·H·(I + H + 1) = 4·32·(64 + 32 + 1) = 12416"


@pytest.mark.parametrize(("layer", "params", "macs"), [
    ({"SimpleRNN": {"units": 8}}, 8 * (3 + 8 + 1), 5 * 8 * (3 + 8)),
    ({"GRU": {"units": 8}}, 3 * 8 * (3 + 8 + 2), 5 * 3 * 8 * (3 + 8)),  # reset_after: two biases per gate
    ({"GRU": {"units": 8, "reset_after": False}}, 3 * 8 * (3 + 8 + 1), 5 * 3 * 8 * (3 + 8)),
    ({"LSTM": {"units": 8, "use_bias": False}}, 4 * 8 * (3 + 8), 5 * 4 * 8 * (3 + 8)),
    ({"Bidirectional": {"layer": {"LSTM": {"units": 8}}}}, 2 * 4 * 8 * (3 + 8 + 1), 2 * 5 * 4 * 8 * (3 + 8)),
    ({"TimeDistributed": {"layer": {"Dense": {"units": 4}}}}, 4 * (3 + 1), 5 * 3 * 4),
])
def test_keras_hand_computed(layer: dict[str, Any], params: int, macs: int) -> None:
    solved = solve(spec("keras", [5, 3], [layer])).layers[0]
    assert (solved.params, solved.macs) == (params, macs)


def test_keras_null_time_dimension() -> None:
    solution = solve(spec("keras", [None, 3], [
        {"Bidirectional": {"layer": {"GRU": {"units": 4, "return_sequences": True}}}},
        {"TimeDistributed": {"layer": {"Dense": {"units": 2}}}},
        {"LSTM": {"units": 5}},
    ]))
    assert [layer.output_shape for layer in solution.layers] == [(None, 8), (None, 2), (5,)]
    assert [layer.macs for layer in solution.layers] == [None, None, None]
    assert solution.total_macs is None
    assert solution.layers[0].params == 2 * 3 * 4 * (3 + 4 + 2)


def test_keras_env_and_formulas() -> None:
    solved = solve(spec("keras", [7, 3], [{"Bidirectional": {"layer": {"GRU": {"units": 4, "return_sequences": True}}}}])).layers[0]
    assert {k: solved.env[k] for k in ("gates", "H", "I", "n_b", "D", "num_layers", "P", "L")} == {
        "gates": 3, "H": 4, "I": 3, "n_b": 2, "D": 2, "num_layers": 1, "P": 0, "L": 7}
    assert solved.trainable.formula() == "D·3·H·(I + H + 2)"
    assert solved.outcome.dims[-1] is not None and solved.outcome.dims[-1].steps() == "D·H = 2·4 = 8"
    assert len(solved.outcome.inner) == 1 and solved.outcome.inner[0].output_shape == (7, 4)


@oracle
def test_keras_return_state_keeps_the_output() -> None:
    import keras

    for layer, kwargs in [("LSTM", {"units": 4, "return_state": True}),
                          ("Bidirectional", {"layer": keras.layers.GRU(4, return_state=True)})]:
        spec_kwargs = {"layer": {"GRU": {"units": 4, "return_state": True}}} if layer == "Bidirectional" else kwargs
        solved = solve(spec("keras", [5, 3], [{layer: spec_kwargs}])).layers[0]
        real = getattr(keras.layers, layer)(**kwargs)
        outputs = real(keras.Input(shape=(5, 3)))
        assert isinstance(outputs, (list, tuple))
        assert solved.output_shape == tuple(outputs[0].shape[1:])
        assert solved.params == real.count_params()


@oracle
def test_keras_stateful_changes_no_count() -> None:
    import keras

    solved = solve(spec("keras", [5, 3], [{"LSTM": {"units": 4, "stateful": True}}])).layers[0]
    real = keras.layers.LSTM(4, stateful=True)
    y = real(keras.Input(shape=(5, 3), batch_size=2))  # Keras needs a fixed batch size for stateful RNNs
    assert solved.output_shape == tuple(y.shape[1:])
    assert (solved.params, solved.non_trainable.value) == (real.count_params(), 0)


@pytest.mark.parametrize(("layers", "message"), [
    ([{"Bidirectional": {"layer": {"LSTM": {"units": 4}}, "merge_mode": None}}], "two separate outputs"),
    ([{"Bidirectional": {"layer": {"Dense": {"units": 4}}}}], "must be a recurrent layer"),
    ([{"Bidirectional": {"layer": {"LSTM": {"units": 4, "go_backwards": True}}}}], "rejects two layers running the same way"),
    ([{"Bidirectional": {"layer": {"Lstm": {"units": 4}}}}], "did you mean 'LSTM'"),
    ([{"Bidirectional": {"layer": {"LSTM": {"units": 0}}}}], "layer: LSTM: units: must be a positive integer"),
    ([{"Bidirectional": {"layer": {"LSTM": {"units": 4}, "GRU": {"units": 4}}}}], "single name"),
    ([{"Bidirectional": {"layer": {"LSTM": {"units": 4}}, "backward_layer": {"GRU": {"units": 4}}}}], "go_backwards=True"),
    ([{"Bidirectional": {"layer": {"LSTM": {"units": 4}}, "backward_layer": {"GRU": {"units": 3, "go_backwards": True}}}}],
     "from the forward layer alone"),
    ([{"TimeDistributed": {"layer": {"Conv2d": {"filters": 2, "kernel_size": 3}}}}], "did you mean 'Conv2D'"),
    ([{"LSTM": {"units": 4}}], "feature (last) dimension"),
])
def test_keras_bad_input(layers: list[dict[str, Any]], message: str) -> None:
    shape = [5, None] if message.startswith("feature") else [5, 3]
    with pytest.raises(SpecError, match="layer 1") as error:
        solve(spec("keras", shape, layers))
    assert message in str(error.value)


def test_keras_time_distributed_inner_errors_name_the_inner_layer() -> None:
    with pytest.raises(SpecError) as error:
        solve(spec("keras", [4, 2, 2, 1], [{"TimeDistributed": {"layer": {"Conv2D": {"filters": 2, "kernel_size": 3}}}}]))
    assert "layer 1 TimeDistributed: layer Conv2D:" in str(error.value)
    with pytest.raises(SpecError, match="rank"):
        solve(spec("keras", [4, 3], [{"TimeDistributed": {"layer": {"LSTM": {"units": 2}}}}]))


# --- PyTorch ---------------------------------------------------------------------------------


@st.composite
def torch_stack(draw: st.DrawFn) -> tuple[list[int], list[dict[str, Any]]]:
    features = draw(st.integers(1, 6))
    layers: list[dict[str, Any]] = []
    width = features
    for _ in range(draw(st.integers(1, 2))):
        name = draw(st.sampled_from(["RNN", "LSTM", "GRU"]))
        hidden, num_layers = draw(st.integers(1, 6)), draw(st.integers(1, 3))
        args: dict[str, Any] = {
            "hidden_size": hidden,
            "num_layers": num_layers,
            "bias": draw(st.booleans()),
            "batch_first": draw(st.booleans()),
            "bidirectional": draw(st.booleans()),
            "dropout": draw(st.sampled_from([0.0, 0.5])) if num_layers > 1 else 0.0,
        }
        if draw(st.booleans()):
            args["input_size"] = width
        if name == "RNN":
            args["nonlinearity"] = draw(st.sampled_from(["tanh", "relu"]))
        if name == "LSTM" and hidden > 1 and draw(st.booleans()):
            args["proj_size"] = draw(st.integers(1, hidden - 1))
        layers.append({name: args})
        width = (args.get("proj_size") or hidden) * (2 if args["bidirectional"] else 1)
    layers.append({"Linear": {"out_features": 2}})
    return [draw(st.integers(1, 6)), features], layers


@oracle
@given(torch_stack())
@SETTINGS
def test_torch_recurrent(case: tuple[list[int], list[dict[str, Any]]]) -> None:
    shape, layers = case
    solution = solve(spec("pytorch", shape, layers))
    compare(solution)
    check_macs_by_weights(solution, torch_kernel_weights(solution))


@pytest.mark.parametrize(("layer", "params", "macs"), [
    # gates·H·(I + H + 2): PyTorch keeps two bias vectors (b_ih, b_hh) per gate.
    ({"LSTM": {"hidden_size": 20}}, 4 * 20 * (10 + 20 + 2), 5 * 4 * 20 * (10 + 20)),
    ({"GRU": {"hidden_size": 20, "bias": False}}, 3 * 20 * (10 + 20), 5 * 3 * 20 * (10 + 20)),
    ({"RNN": {"hidden_size": 20, "num_layers": 2}}, 20 * (10 + 20 + 2) + 20 * (20 + 20 + 2), 5 * (20 * 30 + 20 * 40)),
    # bidirectional, 2 layers: layer 2 reads 2·H = 40 features, in both directions.
    ({"LSTM": {"hidden_size": 20, "num_layers": 2, "bidirectional": True}},
     2 * 4 * 20 * (10 + 20 + 2) + 2 * 4 * 20 * (40 + 20 + 2), 5 * (2 * 2400 + 2 * 4800)),
    # proj_size 5: recurrent kernels H×P, W_hr P×H, layer 2 reads P features.
    ({"LSTM": {"hidden_size": 20, "num_layers": 2, "proj_size": 5}},
     4 * 20 * (10 + 5 + 2) + 5 * 20 + 4 * 20 * (5 + 5 + 2) + 5 * 20, 5 * (1300 + 900)),
])
def test_torch_hand_computed(layer: dict[str, Any], params: int, macs: int) -> None:
    solved = solve(spec("pytorch", [5, 10], [layer])).layers[0]
    assert (solved.params, solved.macs) == (params, macs)


def test_torch_formulas_show_layer_one_and_later_layers() -> None:
    solved = solve(spec("pytorch", [5, 10], [{"LSTM": {"hidden_size": 20, "num_layers": 3, "bidirectional": True}}])).layers[0]
    assert solved.trainable.formula() == "D·4·H·(I + H + 2) + (num_layers − 1)·D·4·H·(D·H + H + 2)"
    assert solved.trainable.substituted() == "2·4·20·(10 + 20 + 2) + (3 − 1)·2·4·20·(2·20 + 20 + 2)"
    assert solved.outcome.macs is not None
    assert solved.outcome.macs.formula() == "L·D·4·H·(I + H) + (num_layers − 1)·L·D·4·H·(D·H + H)"
    assert {k: solved.env[k] for k in ("gates", "H", "I", "n_b", "B", "D", "num_layers", "P", "L")} == {
        "gates": 4, "H": 20, "I": 10, "n_b": 2, "B": 1, "D": 2, "num_layers": 3, "P": 0, "L": 5}
    assert solved.output_shape == (5, 40)
    assert solved.args["input_size"] == 10  # inferred and recorded


def test_torch_null_sequence_length() -> None:
    solved = solve(spec("pytorch", [None, 10], [{"GRU": {"hidden_size": 4, "bidirectional": True}}])).layers[0]
    assert (solved.output_shape, solved.params, solved.macs) == ((None, 8), 2 * 3 * 4 * (10 + 4 + 2), None)


@pytest.mark.parametrize(("shape", "layer", "message"), [
    ([5, 10], {"LSTM": {"input_size": 8, "hidden_size": 4}}, "input_size=8 but the input has 10 features"),
    ([5, None], {"GRU": {"hidden_size": 4}}, "input_size cannot be inferred"),
    ([5, 10], {"LSTM": {"hidden_size": 4, "proj_size": 4}}, "proj_size (4) has to be smaller than hidden_size (4)"),
    ([5, 10], {"GRU": {"hidden_size": 4, "proj_size": 2}}, "unknown argument 'proj_size'"),
    ([5, 10], {"RNN": {"hidden_size": 4, "nonlinearity": "sigmoid"}}, "nonlinearity"),
    ([5, 10], {"LSTM": {"hidden_size": 4, "dropout": 1.5}}, "[0, 1]"),
    ([5, 10, 2], {"LSTM": {"hidden_size": 4}}, "rank 2"),
])
def test_torch_bad_input(shape: list[int | None], layer: dict[str, Any], message: str) -> None:
    with pytest.raises(SpecError, match="layer 1") as error:
        solve(spec("pytorch", shape, [layer]))
    assert message in str(error.value)
