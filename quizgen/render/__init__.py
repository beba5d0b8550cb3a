"""Worksheets and answer keys as HTML and PDF, in English and Chinese.

``render_outputs(exam, out_dir, formats, jobs=..., shard=...)`` is what ``quizgen generate``
and ``quizgen render`` call; ``student_html`` / ``key_html`` build single documents. Modules:
``views`` (what a question shows), ``network`` (code, layer table), ``diagram`` (SVG),
``mathfmt`` (formulas), ``documents`` (templates), ``pdf`` (WeasyPrint, process pool),
``slicing`` (shards, file names), ``outputs`` (the files written).
"""

from __future__ import annotations

__all__ = [
    "PAPERS",
    "DocumentSet",
    "MissingFontError",
    "MissingFontWarning",
    "Shard",
    "ShardError",
    "Target",
    "check_pdf_fonts",
    "key_html",
    "parse_shard",
    "render_outputs",
    "safe_names",
    "student_html",
    "views_for",
]

from typing import TYPE_CHECKING

from ..lazy import lazy_exports

if TYPE_CHECKING:
    from .documents import PAPERS, DocumentSet, Target, key_html, student_html, views_for
    from .outputs import check_pdf_fonts, render_outputs
    from .pdf import MissingFontError, MissingFontWarning
    from .slicing import Shard, ShardError, parse_shard, safe_names

# Imported on first use: quizgen.render.slicing (shards, file names) serves commands that render
# nothing (generate --format key, grade), which should not import Jinja2 and the templates.
_HOMES = {"PAPERS": "documents", "DocumentSet": "documents", "Target": "documents", "key_html": "documents",
          "student_html": "documents", "views_for": "documents", "check_pdf_fonts": "outputs", "render_outputs": "outputs",
          "MissingFontError": "pdf", "MissingFontWarning": "pdf", "Shard": "slicing", "ShardError": "slicing",
          "parse_shard": "slicing", "safe_names": "slicing"}


__getattr__, __dir__ = lazy_exports(__name__, _HOMES)
