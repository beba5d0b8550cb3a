"""The layer diagram: one glyph per layer, like the figures of CNN papers, drawn as inline SVG.

A feature map (rank ≥ 3) is a box in perspective, a sequence a striped strip, a vector a
tall bar; colour tells the layer family. Geometry depends only on the layer kinds and ranks,
never on sizes, so a student copy (where every shape the student must compute reads "?")
gives nothing away through the drawing either.
"""

from __future__ import annotations

__all__ = ["Box", "layer_diagram"]

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

CELL_W = 108
ROW_H = 138
BAND = 16  # room between rows for the connector
MARGIN = 14
GLYPH_Y = 62  # vertical centre of a glyph within its row

_FAMILIES: tuple[tuple[tuple[str, ...], str, str], ...] = (
    # (name fragments, fill, edge): first match wins, so specific fragments come first
    (("Attention",), "#f1ce63", "#b08d1a"),
    (("Pool",), "#f5a35c", "#b3611a"),
    (("Conv",), "#7aa6d6", "#2f5f93"),
    (("Norm",), "#c49ac0", "#7e4d79"),
    (("LSTM", "GRU", "RNN", "Bidirectional"), "#8fcfca", "#3b8680"),
    (("Dense", "Linear", "Embedding"), "#8cc584", "#3f7b37"),
    (("Flatten", "Reshape", "Permute", "Pad", "Upsampl", "Crop", "Unflatten"), "#d3b79f", "#8a6447"),
)
_OTHER = ("#d9d4d1", "#857a75")
_INPUT = ("#ffffff", "#444444")
_ABBREVIATIONS = (("Normalization", "Norm"), ("Average", "Avg"), ("Pooling", "Pool"), ("Attention", "Attn"),
                  ("Bidirectional", "BiDir"), ("Transpose", "T"))


@dataclass(frozen=True, slots=True)
class Box:
    """One glyph: ``number`` ("" for the input), ``title`` (layer type), ``note`` (key arguments),
    ``shape`` (the output shape as text, or "?"), ``rank`` (of the output, batch excluded)."""

    number: str
    title: str
    note: str
    shape: str
    rank: int
    is_input: bool = False


def _colours(box: Box) -> tuple[str, str]:
    if box.is_input:
        return _INPUT
    for fragments, fill, edge in _FAMILIES:
        if any(f in box.title for f in fragments):
            return fill, edge
    return _OTHER


def _short(title: str) -> str:
    for long, short in _ABBREVIATIONS:
        if len(title) > 14:
            title = title.replace(long, short)
    return title


def _glyph(box: Box, cx: float, cy: float) -> str:
    fill, edge = _colours(box)
    common = f'fill="{fill}" stroke="{edge}" stroke-width="1.2"'
    if box.rank >= 3:  # feature map: a box in perspective
        w, h, dx, dy = 30, 40, 14, 11
        x, y = cx - (w + dx) / 2, cy - (h - dy) / 2
        return (f'<polygon points="{x:g},{y:g} {x + dx:g},{y - dy:g} {x + w + dx:g},{y - dy:g} {x + w:g},{y:g}" {common} opacity="0.85"/>'
                f'<polygon points="{x + w:g},{y:g} {x + w + dx:g},{y - dy:g} {x + w + dx:g},{y + h - dy:g} {x + w:g},{y + h:g}" '
                f'fill="{edge}" stroke="{edge}" stroke-width="1.2" opacity="0.55"/>'
                f'<rect x="{x:g}" y="{y:g}" width="{w}" height="{h}" {common}/>')
    if box.rank == 2:  # a sequence: steps × features
        w, h = 58, 22
        x, y = cx - w / 2, cy - h / 2
        stripes = "".join(f'<line x1="{x + i * w / 5:g}" y1="{y:g}" x2="{x + i * w / 5:g}" y2="{y + h:g}" stroke="{edge}" stroke-width="0.8"/>'
                          for i in range(1, 5))
        return f'<rect x="{x:g}" y="{y:g}" width="{w}" height="{h}" {common}/>{stripes}'
    w, h = (14, 48) if box.rank == 1 else (14, 14)
    return f'<rect x="{cx - w / 2:g}" y="{cy - h / 2:g}" width="{w}" height="{h}" {common}/>'


def _text(x: float, y: float, text: str, size: float, *, weight: str = "normal", fill: str = "#222") -> str:
    return (f'<text x="{x:g}" y="{y:g}" font-size="{size:g}" font-weight="{weight}" fill="{fill}" '
            f'text-anchor="middle">{escape(text)}</text>')


def _arrow(x1: float, y1: float, x2: float, y2: float) -> str:
    """A straight arrow ending at (x2, y2); arrowheads are drawn, not markers, for every SVG renderer."""
    head = f"{x2:g},{y2:g} {x2 - 6:g},{y2 - 3.5:g} {x2 - 6:g},{y2 + 3.5:g}" if x2 > x1 else f"{x2:g},{y2:g} {x2 - 3.5:g},{y2 - 6:g} {x2 + 3.5:g},{y2 - 6:g}"
    return (f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2 - (6 if x2 > x1 else 0):g}" y2="{y2 - (0 if x2 > x1 else 6):g}" stroke="#555" stroke-width="1.2"/>'
            f'<polygon points="{head}" fill="#555"/>')


def layer_diagram(boxes: Sequence[Box], *, width: int, label: str, font_family: str) -> Markup:
    """Inline SVG of ``boxes`` left to right, wrapping into rows that fit ``width`` pixels."""
    columns = max(2, (width - 2 * MARGIN) // CELL_W)
    rows = (len(boxes) + columns - 1) // columns
    height = rows * ROW_H + (rows - 1) * BAND + 4
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" role="img" aria-label="{escape(label)}" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="{escape(font_family)}">']
    half = 34  # half the width a glyph (and its arrow gap) takes
    for i, box in enumerate(boxes):
        row, col = divmod(i, columns)
        top = row * (ROW_H + BAND)
        cx = MARGIN + col * CELL_W + CELL_W / 2
        cy = top + GLYPH_Y
        heading = box.title if box.is_input else f"{box.number} · {_short(box.title)}"
        parts.append(_text(cx, top + 14, heading, 10.5 if len(heading) <= 16 else 9, weight="bold"))
        parts.append(_glyph(box, cx, cy))
        if box.note:
            parts.append(_text(cx, top + 106, box.note, 9.5, fill="#333"))
        parts.append(_text(cx, top + 122, box.shape, 9.5 if len(box.shape) <= 18 else 8, fill="#1f4e8c"))
        if i + 1 < len(boxes):
            if col + 1 < columns:
                parts.append(_arrow(cx + half, cy, cx + CELL_W - half, cy))
            else:  # wrap: right edge, down into the band, back to the left margin, down, into the next row
                band = top + ROW_H + BAND / 2
                next_cy = cy + ROW_H + BAND
                first = MARGIN + CELL_W / 2 - half
                parts.append(f'<polyline points="{cx + half:g},{cy:g} {width - 4:g},{cy:g} {width - 4:g},{band:g} 4,{band:g} 4,{next_cy:g}" '
                             f'fill="none" stroke="#555" stroke-width="1.2"/>')
                parts.append(_arrow(4, next_cy, first, next_cy))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text node above is escaped
