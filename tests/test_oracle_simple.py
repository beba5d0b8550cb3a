"""Activations, dropout, embeddings, padding, cropping, upsampling and reshaping against real PyTorch and Keras."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from oracle import ALL_FAMILIES, check_signatures, compare, kinds_defined_in
from strategies import spec

from quizgen.errors import SpecError
from quizgen.solver import ModelSolution, solve
from quizgen.spec import parse_spec

pytestmark = pytest.mark.oracle
SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
MODULES = ("quizgen.layers.simple", "quizgen.layers.shaping")
Case = tuple[list[Any], list[dict[str, Any]]]


def _solve(framework: str, shape: list[Any], layers: list[dict[str, Any]]) -> ModelSolution:
    try:
        return solve(spec(framework, shape, layers))
    except SpecError:
        assume(False)  # an invalid random combination; the bad-input tests cover the messages
        raise


# --- Keras -------------------------------------------------------------------------------------

KERAS_SAME = ["Activation", "ReLU", "LeakyReLU", "ELU", "Softmax", "Identity", "ActivityRegularization", "Masking", "Dropout",
              "AlphaDropout", "GaussianDropout", "GaussianNoise", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "PReLU"]


@st.composite
def keras_same_layer(draw: st.DrawFn, shape: list[int | None]) -> dict[str, Any]:
    rank = len(shape)
    names = [n for n in KERAS_SAME if not n.startswith("SpatialDropout") or int(n[14]) + 1 == rank]
    name = draw(st.sampled_from(names))
    rate = draw(st.sampled_from([0.0, 0.25, 0.5, 1.0]))
    axis = st.integers(-rank, rank)
    args: dict[str, Any] = {
        "Activation": {"activation": draw(st.sampled_from(["relu", "tanh", "softmax", "linear", None]))},
        "ReLU": draw(st.fixed_dictionaries({}, optional={"max_value": st.sampled_from([None, 6.0]), "negative_slope": st.sampled_from([0.0, 0.1]),
                                                         "threshold": st.sampled_from([0.0, 0.5])})),
        "LeakyReLU": draw(st.sampled_from([{}, {"negative_slope": 0.2}])),
        "ELU": {"alpha": 0.5},
        "Softmax": {"axis": draw(st.one_of(axis, st.lists(axis.filter(bool), min_size=1, max_size=2, unique=True)))},
        "Identity": {},
        "ActivityRegularization": {"l1": 0.01},
        "Masking": {"mask_value": 0.0},
        "Dropout": {"rate": rate, "seed": 1},
        "AlphaDropout": {"rate": rate},
        "GaussianDropout": {"rate": rate},
        "GaussianNoise": {"stddev": rate},
        "PReLU": {"shared_axes": draw(st.lists(st.integers(1, rank), max_size=rank, unique=True))
                  + [i + 1 for i, size in enumerate(shape) if size is None] or None},
    }.get(name, {"rate": rate})
    if name.startswith("SpatialDropout") and name != "SpatialDropout1D":
        args["data_format"] = draw(st.sampled_from(["channels_last", "channels_first"]))
    if name == "PReLU" and args["shared_axes"]:
        args["shared_axes"] = sorted(set(args["shared_axes"]))
    return {name: args}


@st.composite
def keras_same(draw: st.DrawFn) -> Case:
    shape = draw(st.lists(st.one_of(st.integers(1, 5), st.none()), min_size=1, max_size=4))
    layers = [draw(keras_same_layer(shape)) for _ in range(draw(st.integers(2, 5)))]
    return shape, layers


@given(keras_same())
@SETTINGS
def test_keras_shape_preserving(case: Case) -> None:
    compare(_solve("keras", *case), macs_families=ALL_FAMILIES)


@st.composite
def keras_resize(draw: st.DrawFn) -> Case:
    """ZeroPadding, Cropping and UpSampling of one rank, then Reshape/Permute/RepeatVector/Embedding."""
    rank = draw(st.integers(1, 3))
    shape = [draw(st.one_of(st.integers(3, 6), st.none())) for _ in range(rank)] + [draw(st.integers(1, 3))]
    fmt = {} if rank == 1 else {"data_format": draw(st.sampled_from(["channels_last", "channels_first"]))}
    small = st.integers(0, 2)
    pair = st.one_of(small, st.lists(small, min_size=2, max_size=2))
    spread = small if rank == 1 else st.one_of(small, st.lists(pair, min_size=rank, max_size=rank))
    up = st.integers(1, 3) if rank == 1 else st.one_of(st.integers(1, 2), st.lists(st.integers(1, 3), min_size=rank, max_size=rank))
    crop_fmt = fmt if rank > 1 else {}
    layers: list[dict[str, Any]] = [
        {f"ZeroPadding{rank}D": {"padding": draw(st.one_of(spread, st.lists(small, min_size=2, max_size=2) if rank == 1 else spread)), **fmt}},
        {f"UpSampling{rank}D": {"size": draw(up), **fmt, **({"interpolation": draw(st.sampled_from(["nearest", "bilinear"]))} if rank == 2 else {})}},
        {f"Cropping{rank}D": {"cropping": draw(spread), **crop_fmt}},
    ]
    layers = draw(st.permutations(layers))
    total = rank + 1
    tail = draw(st.sampled_from(["reshape", "permute", "repeat"]))
    if tail == "reshape":
        layers.append({"Reshape": {"target_shape": draw(st.sampled_from([[-1], [-1, 1], [1, -1, 1]]))}})
    elif tail == "permute":
        layers.append({"Permute": {"dims": [d + 1 for d in draw(st.permutations(range(total)))]}})
    else:
        layers += [{"Reshape": {"target_shape": [-1]}}, {"RepeatVector": {"n": draw(st.integers(1, 3))}},
                   {"Embedding": {"input_dim": draw(st.integers(1, 9)), "output_dim": draw(st.integers(1, 4)),
                                  "mask_zero": draw(st.booleans())}}]
    return shape, layers


@given(keras_resize())
@SETTINGS
def test_keras_resize_and_reshape(case: Case) -> None:
    compare(_solve("keras", *case), macs_families=ALL_FAMILIES)


@given(st.lists(st.one_of(st.integers(1, 6), st.none()), min_size=1, max_size=3), st.integers(1, 20), st.integers(1, 8))
@SETTINGS
def test_keras_embedding(shape: list[int | None], vocab: int, dim: int) -> None:
    compare(_solve("keras", shape, [{"Embedding": {"input_dim": vocab, "output_dim": dim}}, {"Dropout": {"rate": 0.1}}]),
            macs_families=ALL_FAMILIES)


def test_keras_reshape_infers_the_minus_one_and_propagates_null() -> None:
    solution = solve(spec("keras", [6, 4], [{"Reshape": {"target_shape": [-1, 3]}}]))
    assert solution.output_shape == (8, 3)
    assert solution.layers[0].outcome.dims[0].steps() == "L_in·C_in/t_2 = 6·4/3 = 8"
    assert solve(spec("keras", [None, 4], [{"Reshape": {"target_shape": [-1, 2]}}])).output_shape == (None, 2)


def test_keras_prelu_shared_axes_quirk() -> None:
    # Keras sets param_shape[axis - 1] = 1: shared_axes=-1 shares the second-to-last axis.
    solution = solve(spec("keras", [5, 4], [{"PReLU": {"shared_axes": -1}}]))
    assert solution.total_params == 4
    compare(solution)


# --- PyTorch -----------------------------------------------------------------------------------

TORCH_SAME = ["ReLU", "ReLU6", "SELU", "SiLU", "Mish", "Hardswish", "Hardsigmoid", "Tanh", "Sigmoid", "Softsign", "LogSigmoid",
              "Tanhshrink", "LeakyReLU", "ELU", "CELU", "GELU", "Softplus", "Softshrink", "Hardshrink", "Hardtanh", "Threshold",
              "RReLU", "Softmax", "LogSoftmax", "Softmin", "Softmax2d", "Dropout", "AlphaDropout", "FeatureAlphaDropout",
              "Dropout1d", "Dropout2d", "Dropout3d", "Identity", "PReLU", "ChannelShuffle"]


@st.composite
def torch_same_layer(draw: st.DrawFn, shape: list[int]) -> dict[str, Any]:
    rank = len(shape)
    ranks = {"Softmax2d": (3, 3), "Dropout1d": (2, 2), "Dropout2d": (3, 3), "Dropout3d": (4, 4), "ChannelShuffle": (2, 9),
             "FeatureAlphaDropout": (2, 9)}
    names = [n for n in TORCH_SAME if ranks.get(n, (1, 9))[0] <= rank <= ranks.get(n, (1, 9))[1]]
    name = draw(st.sampled_from(names))
    dim = draw(st.integers(-rank - 1, rank))
    channels = shape[0]
    groups = draw(st.sampled_from([g for g in range(1, channels + 1) if channels % g == 0]))
    args: dict[str, Any] = {
        "LeakyReLU": {"negative_slope": 0.2, "inplace": draw(st.booleans())},
        "ELU": {"alpha": 0.5}, "CELU": {"alpha": 2.0}, "GELU": {"approximate": draw(st.sampled_from(["none", "tanh"]))},
        "Softplus": {"beta": 2.0, "threshold": 10.0}, "Softshrink": {"lambd": 0.3}, "Hardshrink": {"lambd": 0.3},
        "Hardtanh": {"min_val": -2.0, "max_val": 2.0}, "Threshold": {"threshold": 0.1, "value": 0.0}, "RReLU": {"lower": 0.1, "upper": 0.2},
        "Softmax": {"dim": dim}, "LogSoftmax": {"dim": dim}, "Softmin": {"dim": dim},
        "PReLU": {"num_parameters": draw(st.sampled_from([1, channels])), "init": 0.1},
        "ChannelShuffle": {"groups": groups},
    }.get(name, {})
    if "Dropout" in name:
        args = {"p": draw(st.sampled_from([0.0, 0.5, 1.0])), "inplace": draw(st.booleans())}
    if name in ("ReLU", "ReLU6", "SELU", "SiLU", "Mish", "Hardswish", "Hardsigmoid"):
        args = draw(st.sampled_from([{}, {"inplace": True}]))
    return {name: args}


@st.composite
def torch_same(draw: st.DrawFn) -> Case:
    shape = draw(st.lists(st.integers(1, 5), min_size=1, max_size=4))
    return shape, [draw(torch_same_layer(shape)) for _ in range(draw(st.integers(2, 5)))]


@given(torch_same())
@SETTINGS
def test_torch_shape_preserving(case: Case) -> None:
    compare(_solve("pytorch", *case), macs_families=ALL_FAMILIES)


def test_torch_identity_accepts_any_arguments() -> None:
    compare(solve(spec("pytorch", [3, 4], [{"Identity": {"anything": 1, "goes": [2]}}])), macs_families=ALL_FAMILIES)


@st.composite
def torch_resize(draw: st.DrawFn) -> Case:
    rank = draw(st.integers(1, 3))
    shape = [draw(st.sampled_from([1, 2, 4]))] + [draw(st.integers(2, 6)) for _ in range(rank)]
    pad_rank = draw(st.integers(1, rank))
    sides = st.integers(-1, 2)
    padding = draw(st.one_of(st.integers(0, 2), st.lists(sides, min_size=2 * pad_rank, max_size=2 * pad_rank)))
    pad: dict[str, Any] = draw(st.sampled_from([{f"ZeroPad{pad_rank}d": {"padding": padding}},
                                                {f"ConstantPad{pad_rank}d": {"padding": padding, "value": 1.5}}]))
    mode = draw(st.sampled_from(["nearest", "nearest-exact", "area", ["linear", "bilinear", "trilinear"][rank - 1]]
                                + (["bicubic"] if rank == 2 else [])))
    if draw(st.booleans()):
        size: Any = draw(st.one_of(st.integers(1, 9), st.lists(st.integers(1, 9), min_size=rank, max_size=rank)))
        upsample: dict[str, Any] = {"size": size, "mode": mode}
    else:
        factor = st.sampled_from([0.5, 1, 1.5, 2, 2.5, 0.29, 1.7, 3])
        upsample = {"scale_factor": draw(st.one_of(factor, st.lists(factor, min_size=rank, max_size=rank))), "mode": mode}
    if mode in ("linear", "bilinear", "bicubic", "trilinear") and draw(st.booleans()):
        upsample["align_corners"] = draw(st.booleans())
    layers = draw(st.permutations([pad, {"Upsample": upsample}]))
    if rank == 2:
        r = draw(st.integers(1, 2))
        layers += draw(st.sampled_from([[{"PixelUnshuffle": {"downscale_factor": r}}, {"PixelShuffle": {"upscale_factor": r}}],
                                        [{"UpsamplingNearest2d": {"scale_factor": r}}],
                                        [{"UpsamplingBilinear2d": {"size": [r + 2, r + 3]}}]]))
    index = draw(st.integers(1, len(shape)))
    layers += [{"Flatten": {"start_dim": index}}, {"Unflatten": {"dim": index, "unflattened_size": draw(st.sampled_from([[-1], [1, -1], [-1, 1, 1]]))}}]
    if draw(st.booleans()):
        layers.append({"GLU": {"dim": draw(st.sampled_from([-1, 1]))}})
    return shape, layers


@given(torch_resize())
@SETTINGS
def test_torch_resize_and_reshape(case: Case) -> None:
    compare(_solve("pytorch", *case), macs_families=ALL_FAMILIES)


@given(st.lists(st.integers(1, 6), min_size=1, max_size=3), st.integers(1, 20), st.integers(1, 8), st.data())
@SETTINGS
def test_torch_embedding(shape: list[int], vocab: int, dim: int, data: st.DataObject) -> None:
    args: dict[str, Any] = {"num_embeddings": vocab, "embedding_dim": dim, "_freeze": data.draw(st.booleans())}
    if data.draw(st.booleans()):
        args["padding_idx"] = data.draw(st.integers(-vocab, vocab - 1))
    if data.draw(st.booleans()):
        args.update(max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True, sparse=True)
    solution = _solve("pytorch", shape, [{"Embedding": args}])
    compare(solution, macs_families=ALL_FAMILIES)
    assert solution.non_trainable_params == (vocab * dim if args["_freeze"] else 0)


def test_torch_upsample_rounds_in_floating_point() -> None:
    # 100·0.29 is 29 exactly, but PyTorch multiplies in double precision and gets 28.999…: 28.
    solution = solve(spec("pytorch", [1, 100], [{"Upsample": {"scale_factor": 0.29}}]))
    assert solution.output_shape == (1, 28)
    assert solution.layers[0].outcome.dims[1] is None  # the decimal formula would say 29, so none is shown
    compare(solution)
    exact = solve(spec("pytorch", [1, 10], [{"Upsample": {"scale_factor": 2.5}}]))
    assert exact.layers[0].outcome.dims[1].steps() == "⌊s·L_in⌋ = ⌊(5/2)·10⌋ = 25"


# --- every kind and argument ---------------------------------------------------------------------

COVERED = {("keras", n) for n in [*KERAS_SAME, "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "Cropping1D", "Cropping2D",
                                  "Cropping3D", "UpSampling1D", "UpSampling2D", "UpSampling3D", "Reshape", "Permute", "RepeatVector",
                                  "Embedding"]} | {("pytorch", n) for n in [
    *TORCH_SAME, "ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "Upsample",
    "UpsamplingNearest2d", "UpsamplingBilinear2d", "PixelShuffle", "PixelUnshuffle", "Unflatten", "GLU", "Embedding",
    *(f"{mode}Pad{rank}d" for mode in ("Reflection", "Replication", "Circular") for rank in (1, 2, 3))]}


@pytest.mark.oracle
@pytest.mark.parametrize("mode", ["Reflection", "Replication", "Circular"])
@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("padding", ["one", "sides"])
def test_reflection_replication_circular_pads(mode: str, rank: int, padding: str) -> None:
    """Same sizes as ZeroPad (pads the last dimensions, last-dim-first), other values; style-transfer code uses them."""
    pads: Any = 2 if padding == "one" else [(i % 3) for i in range(2 * rank)]
    compare(solve(spec("pytorch", [2, *([5] * rank)], [{f"{mode}Pad{rank}d": {"padding": pads}}])))


def test_every_kind_is_exercised_by_an_oracle_test() -> None:
    assert {(k.framework.value, k.name) for k in kinds_defined_in(MODULES)} == COVERED


def test_real_signatures() -> None:
    check_signatures(MODULES)


BAD = [
    ("keras", [5, 4], {"Reshape": {"target_shape": [3, 2]}}, "target_shape"),
    ("keras", [5, 4], {"Reshape": {"target_shape": [-1, -1]}}, "target_shape"),
    ("keras", [5, 4], {"Cropping1D": {"cropping": [3, 2]}}, "cropping"),
    ("keras", [5, 4], {"Permute": {"dims": [1, 3]}}, "dims"),
    ("keras", [None, 4], {"PReLU": {}}, "shared_axes"),
    ("keras", [5, 4], {"Softmax": {"axis": 3}}, "axis"),
    ("keras", [5, 4], {"Dropout": {"rate": 1.5}}, "rate"),
    ("keras", [5, 4], {"SpatialDropout1D": {"rate": 0.5, "trainable": False}}, "trainable"),
    ("pytorch", [5], {"ZeroPad2d": {"padding": 1}}, "padding"),
    ("pytorch", [3, 5], {"PReLU": {"num_parameters": 4}}, "num_parameters"),
    ("pytorch", [3, 5], {"Upsample": {"size": 4, "scale_factor": 2}}, "scale_factor"),
    ("pytorch", [3, 5], {"Upsample": {"scale_factor": 2, "mode": "bilinear"}}, "mode"),
    ("pytorch", [3, 5], {"Upsample": {"scale_factor": 2, "align_corners": True}}, "align_corners"),
    ("pytorch", [3, 5], {"Unflatten": {"dim": 1, "unflattened_size": [2, -1]}}, "unflattened_size"),
    ("pytorch", [3, 5], {"Unflatten": {"dim": 0, "unflattened_size": [1, 1]}}, "dim"),
    ("pytorch", [3, 5], {"GLU": {"dim": 1}}, "dim"),
    ("pytorch", [3, 5], {"Embedding": {"num_embeddings": 4, "embedding_dim": 2, "padding_idx": 4}}, "padding_idx"),
    ("pytorch", [3, 5], {"Tanh": {"inplace": True}}, "inplace"),
    ("pytorch", [3, 5, 5], {"PixelShuffle": {"upscale_factor": 2}}, "upscale_factor"),
]


@pytest.mark.parametrize(("framework", "shape", "layer", "field"), BAD)
def test_bad_input_names_the_field(framework: str, shape: list[Any], layer: dict[str, Any], field: str) -> None:
    with pytest.raises(SpecError, match=field):
        solve(spec(framework, shape, [layer]))


@pytest.mark.oracle
def test_dropout2d_on_features_keeps_the_shape_as_pytorch_does() -> None:
    """(N, C) into Dropout2d: PyTorch warns that it is deprecated but runs it (pytorch/examples mnist_rnn does)."""
    import warnings

    torch = pytest.importorskip("torch")
    solution = solve(parse_spec({"framework": "pytorch", "input_shape": [64], "layers": [{"Dropout2d": {"p": 0.25}}]}, "t"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = torch.nn.Dropout2d(0.25).eval()(torch.zeros(2, 64))
    assert solution.output_shape == tuple(out.shape[1:]) == (64,)
