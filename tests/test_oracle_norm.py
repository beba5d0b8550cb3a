"""Normalization layers against real PyTorch and Keras (Keras counts moving statistics, PyTorch does not)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from oracle import ALL_FAMILIES, check_signatures, compare, kinds_defined_in
from strategies import spec

from quizgen.errors import SpecError
from quizgen.solver import ModelSolution, solve

pytestmark = pytest.mark.oracle
SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
MODULES = ("quizgen.layers.norm",)
Case = tuple[list[Any], list[dict[str, Any]]]


def _solve(framework: str, shape: list[Any], layers: list[dict[str, Any]]) -> ModelSolution:
    try:
        return solve(spec(framework, shape, layers))
    except SpecError:
        assume(False)
        raise


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


@st.composite
def keras_norms(draw: st.DrawFn) -> Case:
    rank = draw(st.integers(1, 4))
    shape: list[int | None] = [draw(st.one_of(st.integers(1, 6), st.none())) for _ in range(rank)]
    known = [i + 1 for i, size in enumerate(shape) if size is not None]
    assume(known)
    axis = st.sampled_from(known + [a - rank - 1 for a in known])  # positive and negative spellings
    flags = st.fixed_dictionaries({"center": st.booleans(), "scale": st.booleans()})
    layers: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(2, 4))):
        name = draw(st.sampled_from(["BatchNormalization", "LayerNormalization", "GroupNormalization", "RMSNormalization",
                                     "UnitNormalization"]))
        chosen = draw(axis)
        size = shape[chosen - 1 if chosen > 0 else chosen]
        assert size is not None
        args: dict[str, Any] = {
            "BatchNormalization": {"axis": chosen, **draw(flags), "renorm": draw(st.booleans()), "momentum": 0.9},
            "LayerNormalization": {"axis": draw(st.one_of(st.just(chosen), st.lists(axis, min_size=1, max_size=3))), **draw(flags),
                                   "rms_scaling": draw(st.booleans())},
            "GroupNormalization": {"axis": chosen, "groups": draw(st.sampled_from([*_divisors(size), -1])), **draw(flags)},
            "RMSNormalization": {"axis": draw(st.one_of(st.just(chosen), st.lists(axis, min_size=1, max_size=2, unique=True)))},
            "UnitNormalization": {"axis": draw(st.one_of(st.just(chosen), st.lists(axis, min_size=1, max_size=2, unique=True)))},
        }[name]
        layers.append({name: args})
    return shape, layers


@given(keras_norms())
@SETTINGS
def test_keras_norms(case: Case) -> None:
    compare(_solve("keras", *case), macs_families=ALL_FAMILIES)


def test_keras_batch_norm_counts_moving_statistics() -> None:
    # Seed 000: BatchNormalization on (18, 64) has 256 parameters, 128 of them non-trainable.
    solution = solve(spec("keras", [18, 64], [{"BatchNormalization": {}}]))
    assert (solution.total_params, solution.non_trainable_params) == (256, 128)
    assert solution.layers[0].non_trainable.steps() == "2·C = 2·64 = 128"
    renorm = solve(spec("keras", [18, 64], [{"BatchNormalization": {"renorm": True}}]))
    assert (renorm.trainable_params, renorm.non_trainable_params) == (128, 320)
    compare(renorm)


@st.composite
def torch_norms(draw: st.DrawFn) -> Case:
    rank = draw(st.integers(1, 3))
    channels = draw(st.integers(1, 6))
    spatial = [draw(st.integers(2, 5)) for _ in range(rank)]  # >1 value per channel: the oracle runs in training mode
    shape = [channels, *spatial]
    flags = {"affine": draw(st.booleans()), "bias": draw(st.booleans())}
    explicit = draw(st.booleans())
    layers: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(2, 4))):
        name = draw(st.sampled_from([f"BatchNorm{rank}d", f"InstanceNorm{rank}d", "GroupNorm", "LayerNorm", "RMSNorm", "LocalResponseNorm"]))
        trailing = shape[len(shape) - draw(st.integers(1, len(shape))):]
        normalized: Any = trailing[0] if len(trailing) == 1 and draw(st.booleans()) else trailing
        args: dict[str, Any] = {
            f"BatchNorm{rank}d": {**flags, "track_running_stats": draw(st.booleans()), "momentum": draw(st.sampled_from([0.1, None]))},
            f"InstanceNorm{rank}d": {**flags, "track_running_stats": draw(st.booleans())},
            "GroupNorm": {"num_groups": draw(st.sampled_from(_divisors(channels))), **flags},
            "LayerNorm": {"normalized_shape": normalized, "elementwise_affine": flags["affine"], "bias": flags["bias"]},
            "RMSNorm": {"normalized_shape": normalized, "elementwise_affine": flags["affine"], "eps": draw(st.sampled_from([None, 1e-5]))},
            "LocalResponseNorm": {"size": draw(st.integers(1, 4)), "k": 2.0},
        }[name]
        if explicit and name.startswith(("BatchNorm", "InstanceNorm")):
            args["num_features"] = channels
        if explicit and name == "GroupNorm":
            args["num_channels"] = channels
        layers.append({name: args})
    return shape, layers


@given(torch_norms())
@SETTINGS
def test_torch_norms(case: Case) -> None:
    compare(_solve("pytorch", *case), macs_families=ALL_FAMILIES)


@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("bias", [True, False])
def test_torch_batch_norm_1d_on_features(affine: bool, bias: bool) -> None:
    """BatchNorm1d on (N, C): the oracle's batch of 1 cannot run in training mode, so check in eval mode."""
    import torch

    solution = solve(spec("pytorch", [7], [{"BatchNorm1d": {"affine": affine, "bias": bias}}]))
    module = torch.nn.BatchNorm1d(7, affine=affine, bias=bias).eval()
    assert solution.output_shape == tuple(module(torch.zeros(1, 7)).shape[1:])
    assert solution.total_params == sum(p.numel() for p in module.parameters())
    assert solution.non_trainable_params == 0  # running statistics are buffers, not parameters


def test_every_kind_is_exercised_by_an_oracle_test() -> None:
    names = {f"{n}{r}d" for n in ("BatchNorm", "InstanceNorm") for r in (1, 2, 3)} | {"GroupNorm", "LayerNorm", "RMSNorm", "LocalResponseNorm"}
    keras = {"BatchNormalization", "LayerNormalization", "GroupNormalization", "RMSNormalization", "UnitNormalization"}
    covered = {("pytorch", n) for n in names} | {("keras", n) for n in keras}
    assert {(k.framework.value, k.name) for k in kinds_defined_in(MODULES)} == covered


def test_real_signatures() -> None:
    check_signatures(MODULES)


BAD = [
    ("keras", [5, 4], {"BatchNormalization": {"axis": 0}}, "axis"),
    ("keras", [5, 4], {"BatchNormalization": {"axis": 3}}, "axis"),
    ("keras", [None, 4], {"LayerNormalization": {"axis": 1}}, "axis"),
    ("keras", [5, 6], {"GroupNormalization": {"groups": 4}}, "groups"),
    ("keras", [5, 6], {"GroupNormalization": {}}, "groups"),  # the default 32 groups need 32·k channels
    ("pytorch", [4, 5], {"BatchNorm1d": {"num_features": 3}}, "num_features"),
    ("pytorch", [4, 5], {"BatchNorm2d": {}}, "rank"),
    ("pytorch", [4], {"InstanceNorm1d": {"num_features": 4}}, "rank"),
    ("pytorch", [4, 5], {"GroupNorm": {"num_groups": 3}}, "num_groups"),
    ("pytorch", [4, 5], {"GroupNorm": {"num_groups": 2, "num_channels": 6}}, "num_channels"),
    ("pytorch", [4, 5], {"LayerNorm": {"normalized_shape": [4]}}, "normalized_shape"),
    ("pytorch", [4, 5], {"LayerNorm": {"normalized_shape": [1, 4, 5]}}, "normalized_shape"),
    ("pytorch", [None, 5], {"BatchNorm1d": {}}, "num_features"),
]


@pytest.mark.parametrize(("framework", "shape", "layer", "field"), BAD)
def test_bad_input_names_the_field(framework: str, shape: list[Any], layer: dict[str, Any], field: str) -> None:
    with pytest.raises(SpecError, match=field):
        solve(spec(framework, shape, [layer]))
