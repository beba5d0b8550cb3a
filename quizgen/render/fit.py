"""Keeping a printed question on one page: how much its diagram may shrink to share a page with its code.

A question never splits when it fits on a page (worksheet.css), but a branch diagram of ten
layers is 20 cm tall at its own size, so a question with a page of code and such a diagram
split: code on one page, diagram on the next, half of each page blank. When the question's
other parts leave room for the diagram at three quarters of its size or more, the diagram is
given that height instead, and the question prints on one page. Below that its labels would be
too small to read: the question then starts on a fresh page and breaks between its parts.

The heights are estimates from the stylesheet's sizes (a prompt's lines from its text width, the
code's from its lines and font size, an answer space from its kind), made generous: an estimate too
high only shrinks a diagram a little more than needed, one too low lets the question split as before.
"""

from __future__ import annotations

__all__ = ["SMALLEST_SCALE", "diagram_heights"]

import math
import re
from collections.abc import Iterable

from .codelines import COLUMNS_AT_NORMAL, NORMAL_PT, code_font_size, code_line_lengths
from .textwidth import text_width
from .views import QuestionView

SMALLEST_SCALE = 0.75
PT_PER_MM = 72 / 25.4
PT_PER_PX = 0.75
# The text area of worksheet.css's @page (margins 15 mm top, 18 mm bottom, 16 mm left and right).
PAGE_HEIGHT_PT = {"a4": (297 - 33) * PT_PER_MM, "letter": (279.4 - 33) * PT_PER_MM}
TEXT_WIDTH_PT = {"a4": (210 - 32) * PT_PER_MM, "letter": (215.9 - 32) * PT_PER_MM}
USABLE = 0.99  # of the page height: the estimates run 3% high already (690 pt printed for 710 estimated)
LINE = 10 * 1.38  # pt: a line of body text (10 pt, line-height 1.38)
QUESTION_CHROME = 14.6 + 11 * 1.38 + 4  # margin, rule and padding above; the heading and its margin
CODE_CHROME = 6 + 8 + 1.2  # a code block's margins, padding and border
FIGURE_CHROME = 8  # the diagram's margins
_SIZE = re.compile(r'<svg [^>]*?width="([\d.]+)" height="([\d.]+)"')


def _answer_height(view: QuestionView) -> float:
    space = view.space
    if space.kind == "summary":
        # a merge's "Connected to" cell wraps after about 24 characters in its column
        wrapped = sum(max(0, math.ceil(len(cell) / 24) - 1) for cell in space.connected)
        return 5 + 2 * LINE + 17 * (len(space.rows) + 1) + 11 * wrapped + 3 * 18
    if space.kind == "choice":
        return 5 + LINE + 21 * math.ceil(len(space.options) / 2)
    if space.kind == "formula":
        return 5 + 24 + 2 * LINE
    return 5 + 2 * LINE  # one line of boxes, with room for a hint that wraps


def _code_height(code: str) -> float:
    size = code_font_size(code)
    fits = int(NORMAL_PT * COLUMNS_AT_NORMAL / size)
    lines = sum(max(1, math.ceil(length / fits)) for length in code_line_lengths(code))
    return CODE_CHROME + lines * size * 1.3


def _diagram_size(diagram: str, width_pt: float) -> float:
    """The diagram's printed height (pt) at its own size, or narrowed to the text width."""
    found = _SIZE.search(diagram)
    if found is None:
        return 0.0
    width, height = float(found.group(1)) * PT_PER_PX, float(found.group(2)) * PT_PER_PX
    return height * min(1.0, width_pt / width)


def diagram_heights(views: Iterable[QuestionView], paper: str) -> dict[int, float]:
    """Question number -> the height (mm) its diagram is printed at, for each question that fits on one
    page only with its diagram made smaller, and can be with it at SMALLEST_SCALE of its size or more."""
    page, width = PAGE_HEIGHT_PT[paper] * USABLE, TEXT_WIDTH_PT[paper]
    out = {}
    for view in views:
        net = view.student_net
        if net.diagram is None:
            continue
        diagram = _diagram_size(str(net.diagram), width)
        prompt_lines = math.ceil(text_width(view.prompt, 10) * 1.08 / width)  # words do not fill a line to the end
        rest = (QUESTION_CHROME + 7 + prompt_lines * LINE + _code_height(str(net.code)) + FIGURE_CHROME
                + _answer_height(view))
        room = page - rest
        if diagram <= room or room < SMALLEST_SCALE * diagram:
            continue
        out[view.number] = round(room / PT_PER_MM, 1)
    return out
