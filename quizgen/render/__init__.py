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

from .documents import PAPERS, DocumentSet, Target, key_html, student_html, views_for
from .outputs import check_pdf_fonts, render_outputs
from .pdf import MissingFontError, MissingFontWarning
from .slicing import Shard, ShardError, parse_shard, safe_names
