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
