"""A minimal layer diagram (SVG) for LMS questions: one box per layer, top to bottom.

It shows only what the question already gives — the input shape, each layer's type and
arguments, a hidden argument as "?" — never an output shape or a count, so it can sit in
any question without giving the answer away. The asked-about layer is highlighted.
"""

from __future__ import annotations

__all__ = ["layer_diagram"]

from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape

_BOX_H = 40
_GAP = 18
_PAD = 10
_CHAR_W = 7.3  # a 12px monospace character, generous so text never overflows its box
_MAX_ARGS = 60


def _value(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}={_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(_value(v) for v in value) + ")"
    return str(value)


def _args(kwargs: Any) -> str:
    if not isinstance(kwargs, Mapping):
        return _value(kwargs)
    parts = []
    for key, value in kwargs.items():
        if isinstance(value, Mapping) and len(value) == 1:  # a wrapped layer: {LSTM: {units: 32}}
            ((inner, inner_kwargs),) = value.items()
            parts.append(f"{key}={inner}({_args(inner_kwargs)})")
        else:
            parts.append(f"{key}={_value(value)}")
    text = ", ".join(parts)
    return text if len(text) <= _MAX_ARGS else text[: _MAX_ARGS - 1] + "…"


def _shape(framework: str, dims: Sequence[Any]) -> str:
    shown = ["None" if d is None else str(d) for d in dims]
    return "(" + ", ".join(["None", *shown]) + ")" if framework == "keras" else "[" + ", ".join(shown) + "]"


def layer_diagram(spec: Mapping[str, Any], *, highlight: int | None = None) -> str:
    """SVG text for a spec mapping ``{"framework", "input_shape", "layers"}`` (hidden arguments already "?")."""
    framework = str(spec.get("framework", ""))
    rows: list[tuple[str, str, bool]] = [("Input", _shape(framework, spec.get("input_shape") or ()), False)]
    for index, layer in enumerate(spec.get("layers") or ()):
        if isinstance(layer, Mapping) and len(layer) == 1:
            ((kind, kwargs),) = layer.items()
        else:
            kind, kwargs = "?", {}
        rows.append((f"{index + 1}  {kind}", _args(kwargs), index == highlight))
    longest = max(max(len(title), len(detail)) for title, detail, _ in rows)
    width = max(240, int(longest * _CHAR_W) + 2 * _PAD)
    height = len(rows) * _BOX_H + (len(rows) - 1) * _GAP + 2
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width + 2}" height="{height}" '
             f'viewBox="0 0 {width + 2} {height}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="12">',
             '<defs><marker id="a" markerWidth="8" markerHeight="8" refX="4" refY="7" orient="auto">'
             '<path d="M0,0 L8,0 L4,8 z" fill="#555"/></marker></defs>']
    for row, (title, detail, marked) in enumerate(rows):
        top = 1 + row * (_BOX_H + _GAP)
        fill, stroke, stroke_width = ("#fdecea", "#c0392b", 2) if marked else (("#eef3fb", "#4a6fa5", 1) if row else ("#f4f4f4", "#777", 1))
        parts.append(f'<rect x="1" y="{top}" width="{width}" height="{_BOX_H}" rx="5" fill="{fill}" stroke="{stroke}" '
                     f'stroke-width="{stroke_width}"/>')
        parts.append(f'<text x="{_PAD + 1}" y="{top + 16}" font-weight="bold">{escape(title)}</text>')
        parts.append(f'<text x="{_PAD + 1}" y="{top + 32}" fill="#333">{escape(detail)}</text>')
        if row:
            parts.append(f'<line x1="{width // 2 + 1}" y1="{top - _GAP}" x2="{width // 2 + 1}" y2="{top - 2}" '
                         'stroke="#555" marker-end="url(#a)"/>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
