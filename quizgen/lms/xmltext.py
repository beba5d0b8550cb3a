"""An element written as ElementTree writes it once indented, in one pass (issue 15: a Canvas QTI class
set is 38 MB of items; ``ET.indent`` then ``ET.tostring`` took half of its time, a call per node and per
escape). Only what the LMS writers build is handled: plain tags, string attributes and texts.
"""

from __future__ import annotations

__all__ = ["indented"]

import xml.etree.ElementTree as ET


def _text(text: str) -> str:
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def _attribute(text: str) -> str:
    return (_text(text).replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#09;"))


def indented(element: ET.Element, level: int = 0, space: str = "  ") -> str:
    """``ET.indent(element, space, level)`` then ``ET.tostring(element, encoding="unicode")`` (empty
    elements as ``<tag />``), without changing ``element``; its own tail is left out (its parent lays it out)."""
    parts: list[str] = []
    append = parts.append

    def write(node: ET.Element, depth: int) -> None:
        tag = node.tag
        append("<" + tag)
        for key, value in node.attrib.items():
            append(f' {key}="{_attribute(value)}"')
        text = node.text
        if len(node):
            inner = "\n" + space * (depth + 1)
            append(">" + (inner if not text or not text.strip() else _text(text)))
            last = len(node) - 1
            for index, child in enumerate(node):
                write(child, depth + 1)
                tail = child.tail
                if not tail or not tail.strip():
                    append(inner if index < last else "\n" + space * depth)
                else:
                    append(_text(tail))
            append("</" + tag + ">")
        elif text:
            append(">" + _text(text) + "</" + tag + ">")
        else:
            append(" />")

    write(element, level)
    return "".join(parts)
