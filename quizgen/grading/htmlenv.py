"""The Jinja environment of the grader's pages (templates/grading/), autoescaped."""

from __future__ import annotations

__all__ = ["template"]

from functools import cache

import jinja2

from ..templating import make_environment
from .tables import format_points


@cache
def _environment() -> jinja2.Environment:
    return make_environment("grading", filters={"points": format_points})


def template(name: str) -> jinja2.Template:
    """A compiled template of templates/grading/ (compiled once per process)."""
    return _environment().get_template(name)
