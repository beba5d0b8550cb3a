"""How wide a diagram label is drawn, without a font at hand: SVG text never wraps or shrinks to
fit, so a diagram sizes its lanes and cells from these widths instead of cutting a label off.

The widths are DejaVu Sans's (regular and bold, the first face of every diagram's font list for
English), in thousandths of an em, rounded up. DejaVu is among the widest sans faces, so the
CJK face that Chinese diagrams use first, and a browser's Arial or Helvetica, draw Latin text
no wider than this.
"""

from __future__ import annotations

__all__ = ["text_width"]

import unicodedata

# Advance widths of ASCII 32 (space) to 126 (~), from DejaVuSans.ttf and DejaVuSans-Bold.ttf.
_REGULAR = (
    318, 401, 460, 838, 637, 951, 780, 275, 391, 391, 500, 838, 318, 361, 318, 337, 637, 637, 637, 637, 637, 637, 637, 637,
    637, 637, 337, 337, 838, 838, 838, 531, 1000, 685, 687, 699, 771, 632, 576, 775, 752, 295, 295, 656, 558, 863, 749, 788,
    604, 788, 695, 635, 611, 732, 685, 989, 686, 611, 686, 391, 337, 391, 838, 500, 500, 613, 635, 550, 635, 616, 353, 635,
    634, 278, 278, 580, 278, 975, 634, 612, 635, 635, 412, 521, 393, 634, 592, 818, 592, 592, 525, 637, 337, 637, 838)
_BOLD = (
    349, 457, 521, 838, 696, 1002, 873, 307, 458, 458, 523, 838, 380, 416, 380, 366, 696, 696, 696, 696, 696, 696, 696, 696,
    696, 696, 400, 400, 838, 838, 838, 581, 1000, 774, 763, 734, 831, 684, 684, 821, 837, 373, 373, 775, 638, 996, 837, 851,
    733, 851, 771, 721, 683, 813, 774, 1104, 771, 725, 726, 458, 366, 458, 838, 500, 500, 675, 716, 593, 716, 679, 436, 716,
    712, 343, 343, 666, 343, 1042, 712, 688, 716, 716, 494, 596, 479, 712, 652, 924, 646, 652, 583, 712, 366, 712, 838)
_MIDDLE_DOT = {False: 318, True: 380}  # the "·" of every heading ("5 · Conv2d"), much narrower than other symbols
_OTHER = 838  # ×, −, → and other symbols: DejaVu draws them this wide (… is 1000)
_WIDE = 1000  # Chinese characters and full-width forms fill the em


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """The width, in the units of ``size`` (px in an SVG), of ``text`` set at ``size``."""
    table = _BOLD if bold else _REGULAR
    total = 0
    for ch in text:
        code = ord(ch)
        if 32 <= code <= 126:
            total += table[code - 32]
        elif ch == "·":
            total += _MIDDLE_DOT[bold]
        elif ch == "…" or unicodedata.east_asian_width(ch) in ("W", "F"):
            total += _WIDE
        elif not unicodedata.combining(ch):
            total += _OTHER
    return total * size / 1000
