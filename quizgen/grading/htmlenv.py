"""The Jinja environment of the grader's pages (templates/grading/), autoescaped."""

from __future__ import annotations

__all__ = ["template"]

from functools import cache

import jinja2

from ..resources import templates_dir
from .tables import format_points


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["points"] = format_points
    return env


def template(name: str) -> jinja2.Template:
    """A compiled template of templates/grading/ (compiled once per process)."""
    return _environment().get_template(f"grading/{name}")
