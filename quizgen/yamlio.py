"""Safe YAML/JSON reading that remembers where every mapping key and list item came from.

Error messages must name the line of the bad field (``banks/x.yaml line 12: ...``), so the
loader returns dict/list subclasses that carry line numbers next to the plain values.
Only PyYAML's SafeLoader machinery is used: no Python tags, no object construction.

Every YAML and JSON file quizgen reads (banks, specs) goes through `load_text`, which also
refuses what a small file can do to a tree walk: aliases that expand into millions of nodes
("billion laughs": ten aliases of ten aliases of ... take a 1 KB file to 10**9 nodes for every
walk over it) and nesting deep enough to exhaust Python's recursion (a 10,000-deep list).
"""

from __future__ import annotations

__all__ = ["LineDict", "LineList", "line_of", "load_text"]

import json
from typing import Any

from .errors import Location, QuizgenError


class LineDict(dict[str, Any]):
    """A mapping plus the 1-based line of itself (``line``) and of each key (``key_lines``)."""

    line: int | None = None
    key_lines: dict[str, int]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines = {}


class LineList(list[Any]):
    """A list plus the 1-based line of itself and of each item."""

    line: int | None = None
    item_lines: list[int]

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.item_lines = []


def line_of(container: object, key: str | int | None = None) -> int | None:
    """The line of ``container[key]`` (or of the container itself), when known."""
    if key is None:
        return getattr(container, "line", None)
    if isinstance(container, LineDict) and isinstance(key, str):
        return container.key_lines.get(key, container.line)
    if isinstance(container, LineList) and isinstance(key, int) and 0 <= key < len(container.item_lines):
        return container.item_lines[key]
    return getattr(container, "line", None)


def load_text(text: str, source: str, *, json_only: bool = False) -> Any:
    """Parse YAML (a superset of JSON) or strict JSON; syntax errors name file, line and column."""
    if json_only:
        try:
            return json.loads(text)
        except RecursionError:
            raise QuizgenError("invalid JSON: nested too deeply", Location(file=source)) from None
        except json.JSONDecodeError as error:
            raise QuizgenError(f"invalid JSON: {error.msg}", Location(file=source, line=error.lineno, column=error.colno)) from None
    from .yamlload import load_yaml  # PyYAML only where YAML is read: a key.json export never needs it

    return load_yaml(text, source)
