"""Find the shipped templates/ and banks/, in a checkout or inside an installed wheel."""

from __future__ import annotations

__all__ = ["banks_dir", "data_dir", "templates_dir"]

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """The wheel force-includes templates/ and banks/ under quizgen/_data; a checkout has them beside quizgen/."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"quizgen's {name}/ directory is missing from this installation")


def templates_dir() -> Path:
    return data_dir("templates")


def banks_dir() -> Path:
    return data_dir("banks")
