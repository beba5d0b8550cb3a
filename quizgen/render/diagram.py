"""The layer diagram: one glyph per layer, like the figures of CNN papers, drawn as inline SVG.

A feature map (rank ≥ 3) is a box in perspective, a sequence a striped strip, a vector a
tall bar; colour tells the layer family. Geometry depends only on the layer kinds and ranks
and on the widths of the texts shown, never on hidden sizes, so a student copy (where every
shape the student must compute reads "?") gives nothing away through the drawing either.
"""

from __future__ import annotations

__all__ = ["Box", "label_width", "layer_diagram"]

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from .textwidth import text_width

CELL_W = 108
ROW_H = 138
BAND = 16  # room between rows for the connector
MARGIN = 14
GLYPH_Y = 62  # vertical centre of a glyph within its row
HEADING_SIZE = 10.5  # px, bold; every heading at this size, however long: its cell or lane widens instead
TEXT_SIZE = 9.5  # px, of a note and a shape
LABEL_GAP = 8  # px at least between a label and whatever is drawn beside it

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
# Memos of one run: a class set draws ~2,400 diagrams from a few hundred distinct glyphs, texts and boxes
# (glyphs and texts sit at the same few positions). Bounded: cleared when full.
_MEMO_SIZE = 4096
_WIDTHS: dict[Box, float] = {}
_GLYPHS: dict[tuple[str, bool, int, float, float], str] = {}
_TEXTS: dict[tuple[float, float, str], str] = {}
_FRAMES: dict[tuple[int, int, int, str, str], tuple[str, tuple[tuple[float, float, int], ...]]] = {}


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


def _heading(box: Box) -> str:
    return box.title if box.is_input else f"{box.number} · {_short(box.title)}"


def label_width(box: Box) -> float:
    """The width of a glyph's widest text (heading, note or shape) as drawn: cells and lanes are
    made at least this wide, since SVG text never wraps and a label past the drawing's edge is cut off."""
    width = _WIDTHS.get(box)
    if width is None:
        if len(_WIDTHS) >= _MEMO_SIZE:
            _WIDTHS.clear()
        width = _WIDTHS[box] = max(text_width(_heading(box), HEADING_SIZE, bold=True), text_width(box.note, TEXT_SIZE),
                                   text_width(box.shape, TEXT_SIZE))
    return width


def _glyph(box: Box, cx: float, cy: float) -> str:
    # What a glyph looks like depends on its colours (title, is_input), its rank (3 and above alike) and where it is.
    key = (box.title, box.is_input, min(box.rank, 3), cx, cy)
    glyph = _GLYPHS.get(key)
    if glyph is None:
        if len(_GLYPHS) >= _MEMO_SIZE:
            _GLYPHS.clear()
        glyph = _GLYPHS[key] = _drawn_glyph(box, cx, cy)
    return glyph


def _drawn_glyph(box: Box, cx: float, cy: float) -> str:
    fill, edge = _colours(box)
    if box.rank >= 3:  # feature map: a box in perspective
        w, h, dx, dy = 30, 40, 14, 11
        x, y = cx - (w + dx) / 2, cy - (h - dy) / 2
        return (f'<g fill="{fill}" stroke="{edge}">'
                f'<polygon points="{x:g},{y:g} {x + dx:g},{y - dy:g} {x + w + dx:g},{y - dy:g} {x + w:g},{y:g}" opacity="0.85"/>'
                f'<polygon points="{x + w:g},{y:g} {x + w + dx:g},{y - dy:g} {x + w + dx:g},{y + h - dy:g} {x + w:g},{y + h:g}" '
                f'fill="{edge}" opacity="0.55"/>'
                f'<rect x="{x:g}" y="{y:g}" width="{w}" height="{h}"/></g>')
    if box.rank == 2:  # a sequence: steps × features
        w, h = 58, 22
        x, y = cx - w / 2, cy - h / 2
        stripes = " ".join(f"M{x + i * w / 5:g} {y:g}V{y + h:g}" for i in range(1, 5))
        return (f'<g fill="{fill}" stroke="{edge}"><rect x="{x:g}" y="{y:g}" width="{w}" height="{h}"/>'
                f'<path d="{stripes}" stroke-width="0.8"/></g>')
    w, h = (14, 48) if box.rank == 1 else (14, 14)
    return f'<rect x="{cx - w / 2:g}" y="{cy - h / 2:g}" width="{w}" height="{h}" fill="{fill}" stroke="{edge}"/>'


def _text(x: float, y: float, text: str) -> str:
    key = (x, y, text)
    element = _TEXTS.get(key)
    if element is None:
        if len(_TEXTS) >= _MEMO_SIZE:
            _TEXTS.clear()
        element = _TEXTS[key] = f'<text x="{x:g}" y="{y:g}">{escape(text)}</text>'
    return element


def _frame(count: int, cell: int, width: int, label: str, font_family: str) -> tuple[str, tuple[tuple[float, float, int], ...]]:
    """(the SVG's opening tag and connectors, each glyph's (cx, cy, top)) of ``count`` glyphs in cells ``cell``
    wide, wrapped to fit ``width``: the same for every diagram of as many layers and as wide a cell, so drawn once."""
    key = (count, cell, width, label, font_family)
    found = _FRAMES.get(key)
    if found is not None:
        return found
    columns = max(2, (width - 2 * MARGIN) // cell)
    width = max(width, columns * cell + 2 * MARGIN)  # two cells of long labels may need more than asked: the page scales it
    rows = (count + columns - 1) // columns
    height = rows * ROW_H + (rows - 1) * BAND + 4
    half = 34  # half the width a glyph (and its arrow gap) takes
    places, lines, heads = [], [], []
    for i in range(count):
        row, col = divmod(i, columns)
        top = row * (ROW_H + BAND)
        cx = MARGIN + col * cell + cell / 2
        cy = top + GLYPH_Y
        places.append((cx, cy, top))
        if i + 1 == count:
            continue
        if col + 1 < columns:
            x1, x2 = cx + half, cx + cell - half
            lines.append(f"M{x1:g} {cy:g}H{x2 - 6:g}")
            heads.append(f"M{x2:g} {cy:g}l-6 -3.5v7z")
        else:  # wrap: right edge, down into the band, back to the left margin, down, into the next row
            band = top + ROW_H + BAND / 2
            next_cy = cy + ROW_H + BAND
            first = MARGIN + cell / 2 - half
            lines.append(f"M{cx + half:g} {cy:g}H{width - 4:g}V{band:g}H4V{next_cy:g}H{first - 6:g}")
            heads.append(f"M{first:g} {next_cy:g}l-6 -3.5v7z")
    opening = (f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" role="img" aria-label="{escape(label)}" '
               f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="{escape(font_family)}">'
               f'<path d="{" ".join(lines)}" fill="none" stroke="#555" stroke-width="1.2"/><path d="{" ".join(heads)}" fill="#555"/>')
    if len(_FRAMES) >= _MEMO_SIZE:
        _FRAMES.clear()
    found = _FRAMES[key] = (opening, tuple(places))
    return found


def layer_diagram(boxes: Sequence[Box], *, width: int, label: str, font_family: str) -> Markup:
    """Inline SVG of ``boxes`` left to right, wrapping into rows that fit ``width`` pixels.

    Shared attributes sit on groups: fewer attributes per element parse and draw faster, and
    a printed exam has hundreds of these diagrams.
    """
    cell = max(CELL_W, math.ceil(max(label_width(box) for box in boxes)) + LABEL_GAP)
    opening, places = _frame(len(boxes), cell, width, label, font_family)
    glyphs, headings, notes, shapes = [], [], [], []
    for box, (cx, cy, top) in zip(boxes, places, strict=True):
        headings.append(_text(cx, top + 14, _heading(box)))
        glyphs.append(_glyph(box, cx, cy))
        if box.note:
            notes.append(_text(cx, top + 106, box.note))
        shapes.append(_text(cx, top + 122, box.shape))
    parts = [
        opening,
        f'<g stroke-width="1.2">{"".join(glyphs)}</g>',
        f'<g text-anchor="middle" font-size="{HEADING_SIZE}" font-weight="bold" fill="#222">{"".join(headings)}</g>',
        f'<g text-anchor="middle" font-size="{TEXT_SIZE}" fill="#333">{"".join(notes)}</g>',
        f'<g text-anchor="middle" font-size="{TEXT_SIZE}" fill="#1f4e8c">{"".join(shapes)}</g>',
        "</svg>",
    ]
    return Markup("".join(parts))  # noqa: S704 - every text node above is escaped
