"""The Jinja environments of worksheets, grader pages and practice pages: one recipe for all.

Autoescaping is on (every roster, bank and student string is text, whatever it contains),
undefined names are errors, and each environment compiles its templates once per process.
"""

from __future__ import annotations

__all__ = ["make_environment"]

from collections.abc import Callable
from typing import Any

import jinja2

from .resources import templates_dir


def make_environment(*folders: str, filters: dict[str, Callable[..., Any]] | None = None) -> jinja2.Environment:
    """An environment loading from templates/<folder> for each folder, the first one winning."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(templates_dir() / folder) for folder in folders]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        keep_trailing_newline=True,
    )
    env.filters.update(filters or {})
    return env
