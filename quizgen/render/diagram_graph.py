"""The layer diagram of a network with branches: inputs on top, data flowing down.

Each layer sits on the row of its longest path from an input, its texts beside its glyph, so every branch of a block
starts below the layer it leaves and its merge sits below the longest branch. The main path runs
straight down one lane (column): a merge continues the lane of its input on the longest path from
the network's input, and a layer's lane is kept for its child on the longest path on to the
output (the first listed of equals, both times). So the decoder of a U-Net or the convolutions of
a residual block stay in the lane they started in whatever order the spec lists a merge's inputs
or its layers, and a shortcut, a skip or a shorter Inception branch takes a lane of its own or
the gutter. Edges are drawn orthogonally and never behind a layer: an edge to
another lane runs down whichever of the two lanes is free between the rows (a residual
connection of a Transformer block may skip over layers of its source's lane), and an edge
that would cross layers of its own lane (an identity shortcut) runs down the lane's left
gutter, in the shortcut colour so that a residual block reads at a glance. A second call of
a shared layer is tied to the first by a dashed line. Merges are drawn as a circle: ``+``
(add, average, ...), ``×`` (multiply) or ``‖`` (concatenate). Geometry depends only on the
graph, the layer kinds and the widths of the texts shown (a lane is as wide as its longest
label), never on hidden sizes.
"""

from __future__ import annotations

__all__ = ["GraphNode", "graph_diagram"]

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from .diagram import HEADING_SIZE, LABEL_GAP, TEXT_SIZE, Box, _glyph, _heading, _text, label_width

CELL_W = 168  # a lane at least: the glyph on the left, its heading, note and shape beside it (four lanes fit an A4 page)
ROW_H = 74
MARGIN = 8
GLYPH_X = 40  # the glyph's centre, from the lane's left edge (a 58-wide sequence glyph leaves the gutter free)
TEXT_X = 76  # where the texts start, from the lane's left edge: clear of the widest glyph
GLYPH_Y = 40  # the glyph's centre, from the row's top
HALF = 26  # half a glyph's height: edges start and end this far from a centre
GUTTER = 4  # a skip edge runs down this far right of the lane's left edge
SHORTCUT = "#b4501e"  # identity shortcuts and shared-layer ties, apart from the data path's grey
_MERGE_SIGNS = (("Concat", "‖"), ("torch.cat", "‖"), ("torch.stack", "‖"), ("Multiply", "×"), ("torch.mul", "×"),
                ("Subtract", "−"), ("torch.sub", "−"), ("Dot", "·"), ("Maximum", "max"), ("Minimum", "min"),
                ("Average", "avg"), ("Add", "+"), ("torch.add", "+"))


@dataclass(frozen=True, slots=True)
class GraphNode:
    box: Box
    name: str
    inputs: tuple[str, ...]  # names of the producing nodes (model inputs are nodes too)
    shares: str | None = None  # a second call of this layer: the node whose weights it reuses


def _main_path_heirs(nodes: Sequence[GraphNode], level: dict[str, int]) -> dict[str, str]:
    """For each node, the child that continues its lane: the main path, wherever the spec lists a skip.

    A node's main input is its input on the longest path from the network's input (a merge `x_proj + dec1`:
    the decoder); of the children whose main input a node is, its heir is the one on the longest path on to
    the network's output (`enc1` leads on to `enc2` and the decoder, not to the skip projection). The first
    listed of equals wins both times: of an Inception block's equally long branches, the first.
    """
    children: dict[str, list[str]] = {node.name: [] for node in nodes}
    for node in nodes:
        for source in dict.fromkeys(node.inputs):
            if source in children:
                children[source].append(node.name)
    height: dict[str, int] = {}  # the longest path on to an output
    for node in reversed(nodes):
        height[node.name] = 1 + max((height[c] for c in children[node.name]), default=-1)
    heirs: dict[str, str] = {}
    for node in nodes:
        known = [i for i in node.inputs if i in level]
        if not known:
            continue
        main = max(known, key=level.__getitem__)  # max keeps the first of equals
        if main not in heirs or height[node.name] > height[heirs[main]]:
            heirs[main] = node.name
    return heirs


def _layout(nodes: Sequence[GraphNode]) -> tuple[dict[str, int], dict[str, int]]:
    """(row, lane) of every node; nodes come in a topological order."""
    level: dict[str, int] = {}
    for node in nodes:
        level[node.name] = 1 + max((level[i] for i in node.inputs if i in level), default=-1)
    heirs = _main_path_heirs(nodes, level)
    lane: dict[str, int] = {}
    bottom: list[int] = []  # the lowest row used in each lane so far
    continued: set[str] = set()  # nodes whose lane a child has taken over already
    held: dict[int, str] = {}  # lane -> the heir it is kept for, until that heir is placed
    for node in nodes:
        row = level[node.name]
        # The input whose lane to continue: the main input if this node is its heir, else (the heir took
        # another lane, or a node has no heir) the input on the longest path whose lane is free.
        free_inputs = [i for i in node.inputs if i in lane and i not in continued and bottom[lane[i]] < row
                       and held.get(lane[i], node.name) == node.name]
        source = max(free_inputs, key=level.__getitem__, default=None)  # max keeps the first of equals
        if source is not None:
            choice = lane[source]
            continued.add(source)
        else:  # a branch: the first free lane that no main path is kept for
            first = lane.get(node.inputs[0]) if node.inputs else None
            choice = next((c for c, low in enumerate(bottom) if low < row and c not in held and c != first), len(bottom))
        held = {c: kept for c, kept in held.items() if c != choice and kept != node.name}
        if choice == len(bottom):
            bottom.append(row)
        bottom[choice] = row
        lane[node.name] = choice
        if node.name in heirs:
            held[choice] = heirs[node.name]
    return level, lane


def _merge_glyph(title: str, cx: float, cy: float) -> str | None:
    sign = next((s for fragment, s in _MERGE_SIGNS if fragment in title), None)
    if sign is None:
        return None
    size = 10 if len(sign) > 1 else 16
    return (f'<circle cx="{cx:g}" cy="{cy:g}" r="15" fill="#fff7d6" stroke="#8a7320" stroke-width="1.4"/>'
            f'<text x="{cx:g}" y="{cy + size / 3:g}" text-anchor="middle" font-size="{size}" font-weight="bold" fill="#5b4a10">'
            f"{escape(sign)}</text>")


def graph_diagram(nodes: Sequence[GraphNode], *, label: str, font_family: str) -> Markup:
    level, lane = _layout(nodes)
    lanes = max(lane.values()) + 1
    rows = max(level.values()) + 1
    # A lane is widened to its longest label (a 5 · AdaptiveAvgPool2d), which would otherwise run into the next
    # lane's gutter or off the drawing's right edge.
    lane_width = [CELL_W] * lanes
    for node in nodes:
        needed = TEXT_X + math.ceil(label_width(node.box)) + LABEL_GAP
        lane_width[lane[node.name]] = max(lane_width[lane[node.name]], needed)
    left = [MARGIN + sum(lane_width[:c]) for c in range(lanes)]
    width = sum(lane_width) + 2 * MARGIN
    height = rows * ROW_H

    def centre(name: str) -> tuple[float, float]:
        return left[lane[name]] + GLYPH_X, level[name] * ROW_H + GLYPH_Y

    occupied = {(lane[n.name], level[n.name]) for n in nodes}

    def free(column: int, first: int, last: int) -> bool:
        return not any((column, r) in occupied for r in range(first, last + 1))

    glyphs, headings, notes, shapes, lines, heads, skips, skip_heads, ties = [], [], [], [], [], [], [], [], []
    for node in nodes:
        cx, cy = centre(node.name)
        tx = cx - GLYPH_X + TEXT_X
        box = node.box
        headings.append(_text(tx, cy - 7, _heading(box)))
        glyphs.append(_merge_glyph(box.title, cx, cy) or _glyph(box, cx, cy))
        if box.note:
            notes.append(_text(tx, cy + 7, box.note))
        shapes.append(_text(tx, cy + (20 if box.note else 7), box.shape))
        if node.shares in lane:
            ox, oy = centre(str(node.shares))
            top = min(oy, cy) - HALF - 4
            ties.append(f"M{ox:g} {oy - HALF:g}V{top:g}H{cx:g}V{cy - HALF:g}")
        for source in dict.fromkeys(node.inputs):  # self-attention takes its input twice: one edge
            if source not in lane:
                continue
            sx, sy = centre(source)
            first, last = level[source] + 1, level[node.name] - 1
            if lane[source] == lane[node.name] and not free(lane[node.name], first, last):
                # An identity shortcut: down the lane's left gutter, past the layers between.
                gx = sx - GLYPH_X + GUTTER
                skips.append(f"M{sx - 22:g} {sy:g}H{gx:g}V{cy:g}H{cx - 28:g}")
                skip_heads.append(f"M{cx - 22:g} {cy:g}l-6 -3.5v7z")
            elif sx == cx:
                lines.append(f"M{sx:g} {sy + HALF:g}V{cy - HALF - 6:g}")
                heads.append(f"M{cx:g} {cy - HALF:g}l-3.5 -6h7z")
            elif free(lane[source], first, last) or not free(lane[node.name], first, last):
                bend = cy - HALF - 10  # down the source's lane, across just above the target
                lines.append(f"M{sx:g} {sy + HALF:g}V{bend:g}H{cx:g}V{cy - HALF - 6:g}")
                heads.append(f"M{cx:g} {cy - HALF:g}l-3.5 -6h7z")
            else:  # across just below the source, down the target's lane: the source's lane has layers in the way
                bend = sy + HALF + 10
                lines.append(f"M{sx:g} {sy + HALF:g}V{bend:g}H{cx:g}V{cy - HALF - 6:g}")
                heads.append(f"M{cx:g} {cy - HALF:g}l-3.5 -6h7z")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram graph" role="img" aria-label="{escape(label)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="{escape(font_family)}">',
        f'<path d="{" ".join(lines)}" fill="none" stroke="#555" stroke-width="1.2"/><path d="{" ".join(heads)}" fill="#555"/>',
        f'<path d="{" ".join(skips)}" fill="none" stroke="{SHORTCUT}" stroke-width="1.8"/>'
        f'<path d="{" ".join(skip_heads)}" fill="{SHORTCUT}"/>' if skips else "",
        f'<path d="{" ".join(ties)}" fill="none" stroke="{SHORTCUT}" stroke-width="1.2" stroke-dasharray="4 3"/>' if ties else "",
        f'<g stroke-width="1.2">{"".join(glyphs)}</g>',
        f'<g font-size="{HEADING_SIZE}" font-weight="bold" fill="#222">{"".join(headings)}</g>',
        f'<g font-size="{TEXT_SIZE}" fill="#333">{"".join(notes)}</g>',
        f'<g font-size="{TEXT_SIZE}" fill="#1f4e8c">{"".join(shapes)}</g>',
        "</svg>",
    ]
    return Markup("".join(parts))  # noqa: S704 - every text node above is escaped
