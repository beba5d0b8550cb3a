"""The branch diagram reads at a glance: no edge runs behind a layer, identity shortcuts stand out,
a shared layer is tied to its first call."""

from __future__ import annotations

import re
from typing import Any

import pytest

from quizgen.render import diagram_graph as dg
from quizgen.render.network import network_view
from quizgen.solver import solve
from quizgen.spec import parse_spec

ENCODER = {"framework": "keras", "input_shape": [16, 64], "layers": [
    {"MultiHeadAttention": {"num_heads": 4, "key_dim": 16}, "name": "att", "inputs": ["input", "input"]},
    {"Add": {}, "name": "add1", "inputs": ["input", "att"]},
    {"LayerNormalization": {}, "name": "norm1"},
    {"Dense": {"units": 256}, "name": "ff1"},
    {"Dense": {"units": 64}, "name": "ff2"},
    {"Add": {}, "name": "add2", "inputs": ["norm1", "ff2"]},
    {"LayerNormalization": {}, "name": "norm2"}]}
BOTTLENECK = {"framework": "pytorch", "input_shape": [64, 8, 8], "layers": [
    {"Conv2d": {"out_channels": 16, "kernel_size": 1}, "name": "reduce"},
    {"ReLU": {}, "name": "relu1"},
    {"Conv2d": {"out_channels": 16, "kernel_size": 3, "padding": 1}, "name": "conv"},
    {"Conv2d": {"out_channels": 64, "kernel_size": 1}, "name": "expand"},
    {"torch.add": {}, "name": "add", "inputs": ["expand", "input"]}]}
INCEPTION = {"framework": "keras", "input_shape": [28, 28, 64], "layers": [
    {"Conv2D": {"filters": 16, "kernel_size": 1}, "name": "b1"},
    {"Conv2D": {"filters": 16, "kernel_size": 1}, "name": "b2r", "inputs": ["input"]},
    {"Conv2D": {"filters": 32, "kernel_size": 3, "padding": "same"}, "name": "b2"},
    {"MaxPooling2D": {"pool_size": 3, "strides": 1, "padding": "same"}, "name": "pool", "inputs": ["input"]},
    {"Conv2D": {"filters": 16, "kernel_size": 1}, "name": "b3"},
    {"Concatenate": {}, "name": "cat", "inputs": ["b1", "b2", "b3"]}]}
SIAMESE = {"framework": "keras", "inputs": {"left": [20], "right": [20]}, "layers": [
    {"Dense": {"units": 8}, "name": "encoder", "inputs": ["left"]},
    {"shares": "encoder", "name": "encoder_right", "inputs": ["right"]},
    {"Concatenate": {}, "name": "joined", "inputs": ["encoder", "encoder_right"]}]}


def svg_of(spec: dict[str, Any]) -> str:
    view, _ = network_view(solve(parse_spec(spec)), None, diagram=True, input_label="Input", diagram_label="diagram",
                           font_family="sans-serif", width=700)
    assert view.diagram is not None
    return str(view.diagram)


def centres(svg: str) -> list[tuple[float, float]]:
    """Glyph centres, from each heading's position (the heading sits 7 px above the centre)."""
    bold = re.search(r'<g font-size="10.5" font-weight="bold"[^>]*>(.*?)</g>', svg)
    assert bold
    return [(float(x) - dg.TEXT_X + dg.GLYPH_X, float(y) + 7) for x, y in re.findall(r'<text x="([\d.]+)" y="([\d.]+)"', bold.group(1))]


def segments(path: str) -> list[tuple[float, float, float, float]]:
    """The straight pieces of an SVG path written with M, H and V only."""
    found = []
    x = y = 0.0
    for command, a, b in re.findall(r"([MHV])([-\d.]+)(?: ([-\d.]+))?", path):
        if command == "M":
            x, y = float(a), float(b)
            continue
        nx, ny = (float(a), y) if command == "H" else (x, float(a))
        found.append((x, y, nx, ny))
        x, y = nx, ny
    return found


@pytest.mark.parametrize("spec", [ENCODER, BOTTLENECK, INCEPTION, SIAMESE], ids=["encoder", "bottleneck", "inception", "siamese"])
def test_no_edge_runs_behind_a_layer(spec: dict[str, Any]) -> None:
    svg = svg_of(spec)
    edges = [d for d, stroke in re.findall(r'<path d="([^"]*)" fill="none" stroke="([^"]+)"', svg)]
    half = 18  # inside every glyph: a feature-map box, a sequence strip's middle, a merge circle
    for x1, y1, x2, y2 in (s for d in edges for s in segments(d)):
        for cx, cy in centres(svg):
            crosses = (min(x1, x2) < cx + half and max(x1, x2) > cx - half and min(y1, y2) < cy + half and max(y1, y2) > cy - half)
            assert not crosses, f"segment {(x1, y1, x2, y2)} runs behind the layer at {(cx, cy)}"


def test_the_encoders_residual_connections_are_drawn_apart_from_the_main_path() -> None:
    """Both residual edges of a post-norm encoder block are visible: input → add1 and norm1 → add2."""
    svg = svg_of(ENCODER)
    lines = re.search(r'<path d="([^"]*)" fill="none" stroke="#555"', svg)
    assert lines
    pieces = segments(lines.group(1))
    # Seven layers and eight edges (att takes the input twice, drawn once): no edge is hidden under another.
    assert len({(round(a), round(b), round(c), round(d)) for a, b, c, d in pieces}) == len(pieces)


def test_identity_shortcut_in_its_own_colour_and_shared_layer_tied() -> None:
    bottleneck = svg_of(BOTTLENECK)
    assert f'stroke="{dg.SHORTCUT}" stroke-width="1.8"' in bottleneck
    siamese = svg_of(SIAMESE)
    assert "stroke-dasharray" in siamese and "≡ 1" in siamese  # 2 · Dense ≡ 1: the same weights
    assert "stroke-dasharray" not in svg_of(INCEPTION)


SHORTCUT_FIRST = {"framework": "pytorch", "input_shape": [3, 8, 8], "layers": [
    {"Conv2d": {"out_channels": 4, "kernel_size": 3, "padding": 1}, "name": "stem"},
    {"Conv2d": {"out_channels": 4, "kernel_size": 3, "padding": 1}, "name": "conv_a"},
    {"Conv2d": {"out_channels": 4, "kernel_size": 3, "padding": 1}, "name": "conv_b"},
    {"torch.add": {}, "name": "add", "inputs": ["stem", "conv_b"]},
    {"AdaptiveAvgPool2d": {"output_size": 1}, "name": "pool"},
    {"Flatten": {}, "name": "flatten"},
    {"Linear": {"out_features": 5}, "name": "head"}]}


def test_a_merge_that_names_the_shortcut_first_stays_on_the_main_path() -> None:
    """add = stem + conv_b: the add and the layers after it stay in the main lane, the shortcut runs down
    its left gutter (it used to open a lane on the right that the rest of the network followed)."""
    for spec in (SHORTCUT_FIRST, BOTTLENECK):
        svg = svg_of(spec)
        assert len({x for x, _ in centres(svg)}) == 1, "one lane: input, main path, merge and head straight down"
        assert f'stroke="{dg.SHORTCUT}" stroke-width="1.8"' in svg


def lanes_by_name(spec: dict[str, Any]) -> dict[str, float]:
    """Each layer's glyph centre x (its lane), by the name the spec gives it; headings are numbered in spec order."""
    bold = re.search(r'<g font-size="10.5" font-weight="bold"[^>]*>(.*?)</g>', svg_of(spec))
    assert bold
    names = {str(number): item["name"] for number, item in enumerate(spec["layers"], start=1)}
    found = {"input" if text == "Input" else names[text.split(" · ")[0]]: float(x) - dg.TEXT_X + dg.GLYPH_X
             for x, text in re.findall(r'<text x="([\d.]+)" y="[\d.]+">([^<]*)</text>', bold.group(1))}
    assert len(found) == len(spec["layers"]) + 1
    return found


def _conv(name: str, out: int, kernel: int = 3, inputs: list[str] | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"Conv2d": {"out_channels": out, "kernel_size": kernel, "padding": kernel // 2}, "name": name}
    return {**item, "inputs": inputs} if inputs else item


def unet_like(merge_inputs: list[str], *, skip_listed_early: bool = False) -> dict[str, Any]:
    """Encoder convolutions, a 1×1 skip projection x_proj of the first, the decoder dec1, add: a U-Net's skip."""
    encoder = [_conv("enc1", 8), {"MaxPool2d": {"kernel_size": 2}, "name": "enc2", "inputs": ["enc1"]}, _conv("enc3", 16), _conv("enc4", 16)]
    x_proj = _conv("x_proj", 8, 1, ["enc1"])
    decoder = {"ConvTranspose2d": {"out_channels": 8, "kernel_size": 2, "stride": 2}, "name": "dec1", "inputs": ["enc4"]}
    layers = [encoder[0], x_proj, *encoder[1:]] if skip_listed_early else [*encoder, x_proj]
    return {"framework": "pytorch", "input_shape": [3, 16, 16], "layers": [
        *layers, decoder, {"torch.add": {}, "name": "add", "inputs": merge_inputs}, _conv("head", 2, 1)]}


def projection_block(merge_inputs: list[str], *, skip_listed_early: bool = False) -> dict[str, Any]:
    """A residual block whose shortcut is a 1×1 projection (Keras' ResNet50 lists the shortcut first, torchvision last)."""
    main = [_conv("conv_a", 16), {"ReLU": {}, "name": "relu_a"}, _conv("conv_b", 16)]
    proj = _conv("proj", 16, 1, ["stem"])
    main[0] = {**main[0], "inputs": ["stem"]}
    body = [proj, *main] if skip_listed_early else [*main, proj]
    return {"framework": "pytorch", "input_shape": [8, 16, 16], "layers": [
        _conv("stem", 8), *body, {"torch.add": {}, "name": "add", "inputs": merge_inputs}, {"ReLU": {}, "name": "out"}]}


@pytest.mark.parametrize("early", [False, True], ids=["skip-listed-last", "skip-listed-first"])
@pytest.mark.parametrize(("build", "skip", "main_input", "main_path"), [
    (unet_like, "x_proj", "dec1", ["input", "enc1", "enc2", "enc3", "enc4", "dec1", "add", "head"]),
    (projection_block, "proj", "conv_b", ["input", "stem", "conv_a", "relu_a", "conv_b", "add", "out"])], ids=["unet", "projection"])
def test_the_main_path_keeps_its_lane_whatever_order_the_skip_is_listed_in(
        build: Any, skip: str, main_input: str, main_path: list[str], early: bool) -> None:
    """add = x_proj + dec1 went into the skip's lane because x_proj was listed first, taking the rest of the
    network into a side lane; now the merge continues the longest path's lane, in either order of its inputs
    and wherever the spec lists the skip's own layer."""
    skip_first, main_first = (lanes_by_name(build(order, skip_listed_early=early))
                              for order in ([skip, main_input], [main_input, skip]))
    assert skip_first == main_first
    assert {skip_first[name] for name in main_path} == {skip_first["input"]}, "the main path runs straight down one lane"
    assert skip_first[skip] > skip_first["input"], "the skip takes a lane of its own, on the right"


def test_inception_blocks_in_a_row_keep_one_spine() -> None:
    """Two Inception blocks: each concatenation continues its longest branch, which runs down the lane its
    block started in, so the blocks do not zig-zag from lane to lane (GoogLeNet did once merges followed the
    longest path and branches the order they were listed in)."""
    layers: list[dict[str, Any]] = []
    source = "input"
    for block in ("a", "b"):
        layers += [{"Conv2D": {"filters": 8, "kernel_size": 1}, "name": f"{block}1", "inputs": [source]},
                   {"Conv2D": {"filters": 8, "kernel_size": 1}, "name": f"{block}2r", "inputs": [source]},
                   {"Conv2D": {"filters": 8, "kernel_size": 3, "padding": "same"}, "name": f"{block}2"},
                   {"Concatenate": {}, "name": f"{block}_cat", "inputs": [f"{block}1", f"{block}2"]}]
        source = f"{block}_cat"
    lanes = lanes_by_name({"framework": "keras", "input_shape": [8, 8, 4], "layers": layers})
    spine = ["input", "a2r", "a2", "a_cat", "b2r", "b2", "b_cat"]
    assert {lanes[name] for name in spine} == {lanes["input"]}
    assert lanes["a1"] == lanes["b1"] > lanes["input"]


@pytest.mark.parametrize("spec", [unet_like(["x_proj", "dec1"]), unet_like(["dec1", "x_proj"], skip_listed_early=True),
                                  projection_block(["proj", "conv_b"], skip_listed_early=True)],
                         ids=["unet", "unet-skip-listed-first", "projection-listed-first"])
def test_no_edge_runs_behind_a_layer_beside_the_main_path(spec: dict[str, Any]) -> None:
    test_no_edge_runs_behind_a_layer(spec)
