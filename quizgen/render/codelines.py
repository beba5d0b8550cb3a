"""Model code as printed: every line whole where the page allows, a hanging indent where it does not.

A worksheet's code is Python a student may copy and run, so its layout is kept. A block whose
longest line is wider than the text width at the normal 8 pt is set smaller, down to
``SMALLEST_PT``, so the line still fits; a line wider even then wraps, and its continuation
is indented four columns past the line's own indentation instead of starting at column 0
(where it read as a new, wrongly indented statement). The wrapping is only drawn: each line
keeps its own newline, and the text copied from a browser is the code unchanged.
"""

from __future__ import annotations

__all__ = ["code_block_style", "code_font_size", "code_line_lengths", "code_lines"]

import html
import re

from markupsafe import Markup

NORMAL_PT = 8.0  # pre.code in worksheet.css
SMALLEST_PT = 6.5
# Columns of DejaVu Sans Mono (0.602 em wide) at 8 pt across A4's text width (178 mm) less the block's
# padding and border: Letter is wider, so this fits both papers.
COLUMNS_AT_NORMAL = 100
HANG = 4  # columns a wrapped continuation is indented past its line's own indentation
_TAG = re.compile(r"<[^>]*>")


def _visible(line: str) -> str:
    """A line of the (escaped, possibly marked-up) code as it reads: tags dropped, entities decoded."""
    return html.unescape(_TAG.sub("", line))


def code_line_lengths(code: Markup | str) -> list[int]:
    """The length of each line of ``code`` as it reads."""
    lines = str(code).split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [len(_visible(line)) for line in lines]


def code_font_size(code: Markup | str) -> float:
    """The font size (pt) at which the longest line of ``code`` fits, at most normal, at least the smallest."""
    longest = max(code_line_lengths(code), default=0)
    if longest <= COLUMNS_AT_NORMAL:
        return NORMAL_PT
    return max(SMALLEST_PT, int(10 * NORMAL_PT * COLUMNS_AT_NORMAL / longest) / 10)  # rounded down: it must fit


def code_block_style(code: Markup) -> str:
    """The inline style of a code block: a smaller font when its longest line needs one, else ""."""
    size = code_font_size(code)
    return "" if size == NORMAL_PT else f"font-size: {size:g}pt"


def code_lines(code: Markup, target: str = "html") -> Markup:
    """Each line of ``code`` that may wrap as a box of the full width with a hanging indent, followed
    by its newline. On paper (``target`` "pdf") only a line too long for the page at the block's font
    size can wrap, and only such a line gets the box: a box for every line cost WeasyPrint a quarter more
    CPU time (2.4 s against 1.9 s for a worksheet of 43 questions). A browser's width is unknown, so
    there every line gets one."""
    lines = str(code).split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    fits = int(NORMAL_PT * COLUMNS_AT_NORMAL / code_font_size(code)) if target == "pdf" else -1
    out = []
    for line in lines:
        visible = _visible(line)
        if len(visible) <= fits:
            out.append(f"{line}\n")
            continue
        hang = len(visible) - len(visible.lstrip(" ")) + HANG
        out.append(f'<span class="ln" style="padding-left: {hang}ch; text-indent: -{hang}ch">{line}</span>\n')
    return Markup("".join(out))  # noqa: S704 - ``code`` is markup already (escaped code, <mark> for a hidden argument)
