"""The one Jinja environment: compiled templates reused for every student, autoescaping on.

Templates live in templates/worksheet/ (found through quizgen.resources, so an installed
wheel works outside the checkout); the stylesheet is read once and inlined into every page,
so each HTML file stands alone (no network, no sibling files).
"""

from __future__ import annotations

__all__ = ["FONTS", "MONO_FONTS", "css_string", "environment", "stylesheet"]

from functools import cache

import jinja2
from markupsafe import Markup

from ..resources import templates_dir
from ..templating import make_environment
from .codelines import code_block_style, code_lines
from .mathfmt import typeset

# Latin first for English (CJK only as the fallback for Chinese names in a roster); the CJK
# face first for Chinese so its punctuation and Latin digits match the Chinese text.
FONTS = {
    "en": '"DejaVu Sans", "Noto Sans", "Liberation Sans", Arial, "Noto Sans CJK SC", "Source Han Sans SC", sans-serif',
    "zh": '"Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "Microsoft YaHei", "PingFang SC", "DejaVu Sans", sans-serif',
}
MONO_FONTS = '"DejaVu Sans Mono", "Liberation Mono", "Noto Sans Mono CJK SC", monospace'


@cache
def environment() -> jinja2.Environment:
    return make_environment("worksheet", filters={"math": typeset, "code_lines": code_lines, "code_style": code_block_style})


@cache
def stylesheet() -> Markup:
    css = (templates_dir() / "worksheet" / "worksheet.css").read_text(encoding="utf-8")
    if "</" in css:
        raise ValueError("worksheet.css must not contain '</' (it is inlined into a <style> element)")
    return Markup(css)  # noqa: S704 - our own shipped file, checked above


def css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string; everything but plain letters and digits is hex-escaped,
    so roster or bank text can neither end the string nor the enclosing <style> element."""
    out = []
    for ch in text:
        out.append(ch if (ch.isascii() and ch.isalnum()) or ch in " .,:-_" else f"\\{ord(ch):x} ")
    return Markup('"' + "".join(out) + '"')  # noqa: S704 - escaped above
