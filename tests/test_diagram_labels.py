"""Every label of a layer diagram is drawn whole: inside the drawing, clear of its neighbours' labels
and of the edges beside it. Widths are measured with the font the PDFs use (DejaVu Sans), not with
quizgen's own width table."""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from typing import Any

import pytest

from quizgen.render.network import network_view
from quizgen.solver import solve
from quizgen.spec import parse_spec

# The residual network of the newcomer's Q22: `5 · AdaptiveAvgPool2d` sits in the right lane and was cut at the edge.
RESIDUAL_HEAD = {"framework": "pytorch", "input_shape": [3, 8, 8], "layers": [
    {"Conv2d": {"in_channels": 3, "out_channels": 8, "kernel_size": 3, "padding": 1}, "name": "stem"},
    {"Conv2d": {"in_channels": 8, "out_channels": 8, "kernel_size": 3, "padding": 1}, "name": "conv_a"},
    {"Conv2d": {"in_channels": 8, "out_channels": 8, "kernel_size": 3, "padding": 1}, "name": "conv_b"},
    {"torch.add": {}, "name": "add", "inputs": ["stem", "conv_b"]},
    {"AdaptiveAvgPool2d": {"output_size": 1}, "name": "pool"},
    {"Flatten": {}, "name": "flatten"},
    {"Linear": {"in_features": 8, "out_features": 10}, "name": "head"}]}
# Long labels in inner lanes, next to another lane's glyphs and gutter.
BRANCHES = {"framework": "keras", "input_shape": [28, 28, 64], "layers": [
    {"DepthwiseConv2D": {"kernel_size": 3, "padding": "same"}, "name": "b1"},
    {"DepthwiseConv2D": {"kernel_size": 5, "padding": "same"}, "name": "b2", "inputs": ["input"]},
    {"BatchNormalization": {}, "name": "b3", "inputs": ["input"]},
    {"Concatenate": {}, "name": "cat", "inputs": ["b1", "b2", "b3"]},
    {"GlobalAveragePooling2D": {}, "name": "gap"},
    {"Add": {}, "name": "skip", "inputs": ["gap", "gap"]}]}
CHAIN = {"framework": "pytorch", "input_shape": [3, 32, 32], "layers": [
    {"Conv2d": {"in_channels": 3, "out_channels": 16, "kernel_size": 3}}, {"BatchNorm2d": {"num_features": 16}},
    {"AdaptiveAvgPool2d": {"output_size": 4}}, {"AdaptiveMaxPool2d": {"output_size": 2}}, {"Flatten": {}},
    {"Linear": {"in_features": 64, "out_features": 10}}, {"ReLU": {}}]}
KERAS_CHAIN = {"framework": "keras", "input_shape": [224, 224, 3], "layers": [
    {"DepthwiseConv2D": {"kernel_size": 3}}, {"BatchNormalization": {}}, {"GlobalAveragePooling2D": {}},
    {"Dense": {"units": 10}}, {"Dense": {"units": 10}}, {"Dense": {"units": 10}}]}


@cache
def _advances(bold: bool) -> tuple[dict[int, str], Any, int]:
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        pytest.skip("fc-match (fontconfig) is not installed")
    path = subprocess.run([fc_match, "-f", "%{file}", "DejaVu Sans:bold" if bold else "DejaVu Sans"],
                          capture_output=True, text=True, check=True).stdout
    if "DejaVu" not in path:
        pytest.skip("DejaVu Sans is not installed (Debian: apt-get install fonts-dejavu-core)")
    from fontTools.ttLib import TTFont

    font = TTFont(path)
    return font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm


def measured(text: str, size: float, bold: bool) -> float:
    cmap, hmtx, units = _advances(bold)
    return sum(hmtx[cmap[ord(ch)]][0] for ch in text if ord(ch) in cmap) * size / units


def svg_of(spec: dict[str, Any], width: int = 640) -> str:
    view, _ = network_view(solve(parse_spec(spec)), None, diagram=True, input_label="Input", diagram_label="diagram",
                           font_family="DejaVu Sans", width=width)
    assert view.diagram is not None
    return str(view.diagram)


def label_boxes(svg: str) -> list[tuple[str, float, float, float, float]]:
    """(text, left, right, top, baseline) of every text, from the groups' font size, weight and anchor."""
    boxes = []
    for attrs, body in re.findall(r"<g ([^>]*font-size[^>]*)>(.*?)</g>", svg):
        group_size = re.search(r'font-size="([\d.]+)"', attrs).group(1)  # type: ignore[union-attr]
        bold, middle = 'font-weight="bold"' in attrs, 'text-anchor="middle"' in attrs
        for x, y, own_size, text in re.findall(r'<text x="([-\d.]+)" y="([-\d.]+)"(?: font-size="([\d.]+)")?>([^<]*)</text>', body):
            text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
            size = float(own_size or group_size)
            width = measured(text, size, bold)
            left = float(x) - width / 2 if middle else float(x)
            boxes.append((text, left, left + width, float(y) - 0.75 * size, float(y) + 0.25 * size))
    return boxes


def vertical_edges(svg: str) -> list[tuple[float, float, float]]:
    """(x, y1, y2) of the vertical pieces of the edges (paths written with M, H and V)."""
    found = []
    for path in re.findall(r'<path d="([^"]*)" fill="none"', svg):
        x = y = 0.0
        for command, a, b in re.findall(r"([MHV])([-\d.]+)(?: ([-\d.]+))?", path):
            if command == "M":
                x, y = float(a), float(b)
            elif command == "H":
                x = float(a)
            else:
                found.append((x, min(y, float(a)), max(y, float(a))))
                y = float(a)
    return found


@pytest.mark.parametrize("spec", [RESIDUAL_HEAD, BRANCHES, CHAIN, KERAS_CHAIN], ids=["residual-head", "branches", "chain", "keras-chain"])
def test_every_label_is_drawn_whole_and_clear_of_its_neighbours(spec: dict[str, Any]) -> None:
    svg = svg_of(spec)
    width = float(re.search(r'<svg [^>]*width="([\d.]+)"', svg).group(1))  # type: ignore[union-attr]
    boxes = label_boxes(svg)
    assert any("AdaptiveAvgPool2d" in b[0] or "DepthwiseConv2D" in b[0] for b in boxes), "the long labels are drawn in full"
    for text, left, right, _, _ in boxes:
        assert left >= 0 and right <= width, f"{text!r} spans {left:.0f}..{right:.0f} px, outside the drawing (0..{width:g})"
    for i, (text, left, right, top, bottom) in enumerate(boxes):
        for other, l2, r2, t2, b2 in boxes[i + 1:]:
            overlap = left < r2 and l2 < right and top < b2 and t2 < bottom
            assert not overlap, f"{text!r} ({left:.0f}..{right:.0f}) overlaps {other!r} ({l2:.0f}..{r2:.0f})"
        for x, y1, y2 in vertical_edges(svg):
            assert not (left < x < right and y1 < bottom and top < y2), f"{text!r} ({left:.0f}..{right:.0f}) is crossed by an edge at x={x:g}"


def test_headings_keep_one_size_however_long() -> None:
    """A long heading used to be set smaller (9 px) and still cut off; now its lane or cell widens."""
    for spec in (RESIDUAL_HEAD, CHAIN):
        assert 'font-size="9"' not in svg_of(spec)
