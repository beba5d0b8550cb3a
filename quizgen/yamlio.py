"""Safe YAML/JSON reading that remembers where every mapping key and list item came from.

Error messages must name the line of the bad field (``banks/x.yaml line 12: ...``), so the
loader returns dict/list subclasses that carry line numbers next to the plain values.
Only PyYAML's SafeLoader machinery is used: no Python tags, no object construction.
"""

from __future__ import annotations

__all__ = ["LineDict", "LineList", "line_of", "load_text"]

import json
from typing import Any

import yaml

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


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings and sequences remember their source lines."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise QuizgenError("mapping keys must be plain text", Location(line=key_node.start_mark.line + 1))
        key = str(key) if not isinstance(key, str) else key
        if key in result:
            raise QuizgenError(f"duplicate key {key!r}", Location(line=key_node.start_mark.line + 1))
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_text(text: str, source: str, *, json_only: bool = False) -> Any:
    """Parse YAML (a superset of JSON) or strict JSON; syntax errors name file, line and column."""
    if json_only:
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise QuizgenError(f"invalid JSON: {error.msg}", Location(file=source, line=error.lineno, column=error.colno)) from None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        raise QuizgenError(f"invalid YAML: {error.problem}", Location(file=source, line=line, column=column)) from None
    except yaml.YAMLError as error:
        raise QuizgenError(f"invalid YAML: {error}", Location(file=source)) from None
    except QuizgenError as error:
        raise error.located(file=source) from None
