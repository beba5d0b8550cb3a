"""PyYAML's SafeLoader, made to remember where every mapping key and list item came from (`yamlio`), with
budgets for depth and aliases. Imported only when a YAML text is read."""

from __future__ import annotations

__all__ = ["MAX_ALIAS_NODES", "MAX_DEPTH", "load_yaml"]

from typing import Any

import yaml

from .controlchars import control_character
from .errors import Location, QuizgenError
from .yamlio import LineDict, LineList

# A bank or spec nests about a dozen levels (questions, network, layers, a wrapper's layer, a
# list argument); 64 leaves room for honest files and stays far from the recursion limit.
MAX_DEPTH = 64
# Nodes that aliases may add to a document once expanded. The shipped banks reuse layer lists
# of a few dozen nodes a handful of times; a bomb needs millions.
MAX_ALIAS_NODES = 10_000


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings and sequences remember their source lines, with depth and alias budgets."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._expanded = 0  # nodes of the document so far, each alias counted as the nodes it stands for
        self._aliased = 0  # of which added by aliases
        self._sizes: dict[int, int] = {}  # id(node) -> its expanded size, for the anchors aliases point to

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            node = super().compose_node(parent, index)
            size = self._sizes.get(id(node), 1)  # an anchor still being composed is a cycle, refused when built
            self._expanded += size
            self._aliased += size
            if self._aliased > MAX_ALIAS_NODES:
                raise QuizgenError(f"YAML aliases (*{event.anchor}) expand to more than {MAX_ALIAS_NODES:,} values; "
                                   "write the values out or reuse fewer of them", Location(line=line))
            return node
        if self._depth >= MAX_DEPTH:
            raise QuizgenError(f"nested more than {MAX_DEPTH} levels deep", Location(line=line))
        self._depth += 1
        before = self._expanded
        node = super().compose_node(parent, index)
        self._depth -= 1
        self._expanded += 1
        self._sizes[id(node)] = self._expanded - before
        return node


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


def _construct_int(loader: _LineLoader, node: yaml.ScalarNode) -> int:
    try:
        return int(loader.construct_yaml_int(node))
    except ValueError:  # Python refuses to convert integers of more than 4300 digits
        raise QuizgenError(f"integer of {len(str(node.value))} digits is too large", Location(line=node.start_mark.line + 1)) from None


def _construct_str(loader: _LineLoader, node: yaml.ScalarNode) -> str:
    text = loader.construct_scalar(node)
    assert isinstance(text, str)
    if not text.isprintable() and (problem := control_character(text)):  # isprintable: the common case stays cheap
        raise QuizgenError(problem, Location(line=node.start_mark.line + 1))
    return text


_LineLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_LineLoader.add_constructor("tag:yaml.org,2002:str", _construct_str)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(text: str, source: str) -> Any:
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
