"""The graph form of a network spec: named layers, their inputs, shared layers and blocks.

A chain (``layers:`` with one layer name per item) stays what it always was. A layer item
may also carry reserved keys beside its layer name::

    - Conv2D: {filters: 64, kernel_size: 1}
      name: shortcut          # the node's name (unique in the network)
      inputs: [input]         # what it is applied to (default: the previous item)
    - Add: {}
      inputs: [conv_b, shortcut]
    - shares: encoder         # a second call of the layer `encoder` (weights counted once)
      inputs: [right]

A block is defined once with arguments and used like a layer, any number of times::

    blocks:
      residual:
        args: {filters: required, stride: 1}
        layers:
          - Conv2D: {filters: $filters, kernel_size: 3, strides: $stride, padding: same}
          - Conv2D: {filters: {expr: "filters * 4"}, kernel_size: 1}
            name: out
          - Conv2D: {filters: {expr: "filters * 4"}, kernel_size: 1, strides: $stride}
            name: shortcut
            inputs: [input]
            when: "stride != 1"   # left out otherwise: names that refer to it mean its input
          - Add: {}
            inputs: [out, shortcut]
    layers:
      - residual: {filters: 64}
        name: stage1
        repeat: 3             # stage1.0, stage1.1, stage1.2, each applied to the previous one
        first: {stride: 2}    # the first copy's arguments that differ from the others'

Inside a block, ``input`` (or the names listed under the block's ``inputs:``) is what the block
is applied to, names are local to each use (``stage1.0.out``), ``$arg`` is an argument's value
and ``{expr: ...}`` computes one with the bank expression language. Expansion produces a flat
tuple of `LayerSpec` whose every node has a global name and explicit inputs.
"""

from __future__ import annotations

__all__ = ["RESERVED_ITEM_KEYS", "auto_name", "expand_layers", "is_graph_item", "snake", "torch_name"]

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .errors import Location, QuizgenError, SpecError
from .yamlio import line_of

RESERVED_ITEM_KEYS = frozenset({"name", "inputs", "shares", "repeat", "first", "when", "within"})
MAX_NODES = 20_000  # a spec that expands beyond this is refused (repeat inside repeat inside ...)
MAX_REPEAT = 1_000
MAX_BLOCK_DEPTH = 20
_NAME = re.compile(r"^[A-Za-z0-9_]+$")  # dotted names (layer1.0.conv1) are checked part by part
_REQUIRED = "required"


def is_graph_item(item: Any) -> bool:
    return isinstance(item, Mapping) and any(key in RESERVED_ITEM_KEYS for key in item)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def shown(value: Any, limit: int = 80) -> str:
    """A value as an error message quotes it: its repr, cut short (a hostile value can be huge)."""
    text = repr(_plain(value))
    return text if len(text) <= limit else text[:limit - 1] + "…"


def snake(name: str) -> str:
    """Keras' auto-naming: Conv2D -> conv2d, BatchNormalization -> batch_normalization."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()
    text = re.sub(r"(\d)_d(?=_|$)", r"\1d", text)
    return re.sub(r"[^a-z0-9_]", "_", text)  # torch.cat -> torch_cat


def torch_name(name: str) -> str:
    """A PyTorch auto-name as people name attributes: ReLU -> relu, Conv2d -> conv, torch.add -> add.

    snake_case where a capital run stays one word unless a word follows a run of two or more
    capitals (ReLU, PReLU, SiLU -> relu, prelu, silu; LeakyReLU -> leaky_relu; LSTMCell ->
    lstm_cell), the dimension suffix dropped (BatchNorm2d -> batch_norm, AdaptiveAvgPool2d ->
    adaptive_avg_pool), and a tensor operation named by its function (torch.cat -> cat).
    """
    text = name.rpartition(".")[2]
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z][a-z])|(?<=[A-Z]{2})(?=[A-Z][a-z])", "_", text).lower()
    text = re.sub(r"_?[123]d$", "", text) or text
    return re.sub(r"[^a-z0-9_]", "_", text)


@cache  # a pure function of two names, asked for every layer solved
def auto_name(framework: str, type_name: str) -> str:
    """The base of a layer's auto-name: Keras' own for Keras, `torch_name` for PyTorch."""
    return torch_name(type_name) if framework == "pytorch" else snake(type_name)


@dataclass(frozen=True, slots=True)
class Block:
    name: str
    args: Mapping[str, Any]  # name -> default (_REQUIRED when it must be given)
    inputs: tuple[str, ...]
    layers: Sequence[Any]
    output: str | None
    line: int | None


@dataclass
class _Scope:
    """One list of items being expanded: the top level, or one use of a block."""

    prefix: str  # "" at the top level, "stage1.0." inside a block use
    env: Mapping[str, Any]  # block arguments
    inputs: dict[str, str]  # names usable as inputs here -> global node (or model input) names
    within: tuple[tuple[str, str], ...]
    aliases: dict[str, str] = field(default_factory=dict)  # local name -> global name it stands for
    counters: dict[str, int] = field(default_factory=dict)


class _Expander:
    def __init__(self, framework: str, blocks: Mapping[str, Block], source: str | None, model_inputs: Sequence[str]) -> None:
        self.framework = framework
        self.blocks = blocks
        self.source = source
        self.out: list[Any] = []  # LayerSpec, imported lazily to avoid a cycle with spec.py
        self.used: set[str] = set(model_inputs)
        self.model_inputs = frozenset(model_inputs)
        self.types: dict[str, tuple[str, Mapping[str, Any]]] = {}

    def error(self, message: str, line: int | None) -> SpecError:
        return SpecError(message, Location(file=self.source, line=line))

    # -- names ---------------------------------------------------------------------------------
    def _claim(self, name: str, line: int | None) -> str:
        if name in self.model_inputs:
            raise self.error(f"layer name {name!r} is the name of a model input; choose another", line)
        if name in self.used:
            raise self.error(f"layer name {name!r} is used twice (names must be unique in a network)", line)
        self.used.add(name)
        return name

    def _auto(self, scope: _Scope, type_name: str) -> str:
        base = scope.prefix + auto_name(self.framework, type_name)
        count = scope.counters.get(base, 0)
        while True:
            name = base if count == 0 else f"{base}_{count}"
            count += 1
            if name not in self.used:
                scope.counters[base] = count
                return name

    def _resolve(self, scope: _Scope, ref: Any, line: int | None, what: str) -> str:
        if not isinstance(ref, str):
            raise self.error(f"{what}: inputs must name layers or model inputs, got {shown(ref)}", line)
        if ref in scope.aliases:
            return scope.aliases[ref]
        if ref in scope.inputs:
            return scope.inputs[ref]
        known = [*scope.aliases, *scope.inputs]
        close = difflib.get_close_matches(ref, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (known here: {', '.join(known[:8])})" if known else ""
        inside = f" inside block use {scope.prefix[:-1]!r}" if scope.prefix else ""
        raise self.error(f"{what}: unknown input {ref!r}{inside}{hint}", line)

    # -- values ----------------------------------------------------------------------------------
    def _value(self, value: Any, scope: _Scope, line: int | None, what: str) -> Any:
        if isinstance(value, str) and value.startswith("$") and scope.prefix:
            name = value[1:]
            if name not in scope.env:
                raise self.error(f"{what}: ${name} is not an argument of this block (arguments: {', '.join(scope.env) or 'none'})", line)
            return scope.env[name]
        if isinstance(value, Mapping):
            if set(value) == {"expr"} and scope.prefix:
                return self._expr(value["expr"], scope, line, what)
            return {str(k): self._value(v, scope, line, what) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self._value(v, scope, line, what) for v in value]
        return value

    def _expr(self, text: Any, scope: _Scope, line: int | None, what: str) -> Any:
        from .bank.expr import compile_expr

        try:
            compiled = compile_expr(text, frozenset(scope.env), what)
            return compiled.evaluate(scope.env)
        except QuizgenError as error:
            raise self.error(error.bare_message, line) from None
        except (ValueError, TypeError, ZeroDivisionError, OverflowError, KeyError) as error:
            raise self.error(f"{what}: {text!r} fails with {error}", line) from None

    # -- expansion -------------------------------------------------------------------------------
    def expand(self, items: Any, scope: _Scope, previous: str, depth: int, container_line: int | None) -> str:
        """Expand a list of items; returns the global name of the last node (the scope's output)."""
        from .spec import parse_layer

        if not isinstance(items, Sequence) or isinstance(items, str) or not items:
            raise self.error("layers must be a non-empty list", container_line)
        if depth > MAX_BLOCK_DEPTH:
            raise self.error(f"blocks nested more than {MAX_BLOCK_DEPTH} deep (does a block use itself?)", container_line)
        # Named layers may be referred to before they appear, so that a cycle reaches the
        # solver (which names it) instead of reading as an unknown name.
        for item in items:
            if isinstance(item, Mapping) and isinstance(item.get("name"), str) and "when" not in item \
                    and item.get("repeat", 1) == 1 and not any(str(k) in self.blocks for k in item):
                scope.aliases.setdefault(item["name"], scope.prefix + item["name"])
        for index, item in enumerate(items):
            line = line_of(items, index)
            if not isinstance(item, Mapping):
                item = {str(item): {}} if isinstance(item, str) else item
            if not isinstance(item, Mapping):
                raise self.error(f"layer {index + 1}: expected a mapping with a layer name, got {shown(item)}", line)
            extra = {k: v for k, v in item.items() if k in RESERVED_ITEM_KEYS}
            body = {k: v for k, v in item.items() if k not in RESERVED_ITEM_KEYS}
            kind_name = next(iter(body), None) if len(body) == 1 else None
            own = extra.get("name") if isinstance(extra.get("name"), str) else None
            label = (f"layer {index + 1}" + (f" {kind_name}" if kind_name else " (shared call)" if "shares" in extra else "")
                     + (f" ({scope.prefix}{own})" if own else f" (in {scope.prefix[:-1]})" if scope.prefix else ""))
            if "when" in extra:
                keep = self._expr(extra["when"], scope, line, f"{label}: when")
                if not keep:
                    # Left out: a reference to it means what it would have been applied to.
                    refs = extra.get("inputs")
                    first = self._resolve(scope, refs[0] if isinstance(refs, list) and refs else refs, line, label) \
                        if refs is not None else previous
                    if isinstance(extra.get("name"), str):
                        scope.aliases[extra["name"]] = first
                    previous = first  # the next item's implicit input passes through the left-out one too
                    continue
            previous = self._item(body, extra, scope, previous, depth, line, label, parse_layer)
            if len(self.out) > MAX_NODES:
                raise self.error(f"the network expands to more than {MAX_NODES} layers", line)
        return previous

    def _inputs(self, extra: Mapping[str, Any], scope: _Scope, previous: str, line: int | None, label: str) -> tuple[str, ...]:
        refs = extra.get("inputs")
        if refs is None:
            return (previous,)
        if isinstance(refs, str):
            refs = [refs]
        if not isinstance(refs, Sequence):
            raise self.error(f"{label}: inputs must be a list of layer names ([] for a weight tensor such as Parameter)", line)
        return tuple(self._resolve(scope, ref, line, label) for ref in refs)

    def _item(self, body: Mapping[str, Any], extra: Mapping[str, Any], scope: _Scope, previous: str, depth: int,
              line: int | None, label: str, parse_layer: Any) -> str:
        from .spec import LayerSpec

        repeat = extra.get("repeat", 1)
        if isinstance(repeat, bool) or not isinstance(repeat, int) or not 1 <= repeat <= MAX_REPEAT:
            raise self.error(f"{label}: repeat must be an integer from 1 to {MAX_REPEAT}, got {shown(repeat)}", line)
        local = extra.get("name")
        if local is not None and (not isinstance(local, str) or not all(_NAME.match(part) for part in local.split("."))):
            raise self.error(f"{label}: name must be letters, digits and _ (dots between parts), got {shown(local)}", line)
        inputs = self._inputs(extra, scope, previous, line, label)
        within = scope.within + self._within(extra.get("within"), line, label)
        if "shares" in extra:
            if body:
                raise self.error(f"{label}: a shared call names no layer type (it is the layer {extra['shares']!r} again)", line)
            wanted = extra["shares"]
            if not isinstance(wanted, str) or wanted not in scope.aliases:
                close = difflib.get_close_matches(str(wanted), list(scope.aliases), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise self.error(f"{label}: shares {shown(wanted)}, which is not a layer of this network{hint}", line)
            target = scope.aliases[wanted]
            if target not in self.types:
                raise self.error(f"{label}: shares {extra['shares']!r}, which is not a layer with weights of its own", line)
            type_name, kwargs = self.types[target]
            name = self._claim(scope.prefix + local, line) if local else self._auto(scope, type_name)
            self.used.add(name)
            self.out.append(LayerSpec(type_name, kwargs, line, name=name, inputs=inputs, shares=target, within=within))
            if local:
                scope.aliases[local] = name
            return name
        if len(body) != 1:
            raise self.error(f"{label}: expected exactly one layer (or block) name besides {', '.join(sorted(RESERVED_ITEM_KEYS))}, "
                             f"got {', '.join(map(str, body)) or 'none'}", line)
        ((type_name, arguments),) = body.items()
        type_name = str(type_name)
        first = extra.get("first")
        if first is not None and (not isinstance(first, Mapping) or not isinstance(arguments, Mapping | None)):
            raise self.error(f"{label}: first must be a mapping of arguments that differ for the first copy", line)
        last = previous
        base = (scope.prefix + local) if local else (self._auto(scope, type_name) if type_name in self.blocks else None)
        for copy in range(repeat):
            first_inputs = inputs if copy == 0 else (last,)
            if copy == 0 and first:
                arguments_now: Any = {**(arguments or {}), **first}
            else:
                arguments_now = arguments
            suffix = f".{copy}" if repeat > 1 else ""
            if type_name in self.blocks:
                instance = f"{base}{suffix}"
                self._claim(instance, line)
                group = ((scope.prefix + local, "Sequential"),) if repeat > 1 and local else ()
                last = self._use_block(self.blocks[type_name], arguments_now, scope, first_inputs, instance,
                                       (*scope.within, *group, (instance, type_name)), depth, line, label)
            else:
                parsed = parse_layer({type_name: self._value(arguments_now, scope, line, label)}, 0, self.source, line)
                if local:
                    name = self._claim(scope.prefix + local + suffix, line)
                else:
                    name = self._auto(scope, type_name)
                    self.used.add(name)
                self.types[name] = (parsed.type, parsed.kwargs)
                self.out.append(LayerSpec(parsed.type, parsed.kwargs, line, name=name, inputs=first_inputs, within=within))
                last = name
            if local and repeat > 1:  # each copy may be referred to by its own name, layer2.1
                scope.aliases[f"{local}.{copy}"] = last
        if local:
            scope.aliases[local] = last
        return last

    def _within(self, value: Any, line: int | None, label: str) -> tuple[tuple[str, str], ...]:
        """The flat form (key.json) records each node's enclosing block uses as [[name, block], ...]."""
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p)
                                                  for p in value):
            raise self.error(f"{label}: within must be a list of [name, block] pairs", line)
        return tuple((p[0], p[1]) for p in value)

    def _use_block(self, block: Block, arguments: Any, scope: _Scope, inputs: tuple[str, ...], instance: str,
                   within: tuple[tuple[str, str], ...], depth: int, line: int | None, label: str) -> str:
        if arguments is None:
            arguments = {}
        if not isinstance(arguments, Mapping):
            raise self.error(f"{label}: block {block.name} takes a mapping of arguments, got {shown(arguments)}", line)
        unknown = [k for k in arguments if k not in block.args]
        if unknown:
            close = difflib.get_close_matches(str(unknown[0]), list(block.args), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise self.error(f"{label}: block {block.name} has no argument {unknown[0]!r}{hint}", line)
        env: dict[str, Any] = {}
        for name, default in block.args.items():
            if name in arguments:
                env[name] = self._value(arguments[name], scope, line, label)
            elif default == _REQUIRED:
                raise self.error(f"{label}: block {block.name} needs the argument {name!r}", line)
            else:
                env[name] = default
        if len(inputs) != len(block.inputs):
            raise self.error(f"{label}: block {block.name} takes {len(block.inputs)} input(s) ({', '.join(block.inputs)}), "
                             f"got {len(inputs)}", line)
        inner = _Scope(prefix=instance + ".", env=env, inputs=dict(zip(block.inputs, inputs, strict=True)), within=within)
        last = self.expand(block.layers, inner, inputs[0], depth + 1, block.line)
        if block.output is not None:
            return self._resolve(inner, block.output, block.line, f"block {block.name}: output")
        return last


def _parse_blocks(data: Any, source: str | None, layer_kinds: frozenset[str]) -> dict[str, Block]:
    if data is None:
        return {}
    where = Location(file=source, line=line_of(data))
    if not isinstance(data, Mapping):
        raise SpecError("blocks must map block names to {args, layers}", where)
    blocks: dict[str, Block] = {}
    for name, body in data.items():
        at = Location(file=source, line=line_of(data, name))
        if not str(name).isidentifier():
            raise SpecError(f"block name {name!r} must be an identifier", at)
        if name in layer_kinds:
            raise SpecError(f"block name {name!r} is also a layer name; choose another", at)
        if not isinstance(body, Mapping) or "layers" not in body:
            raise SpecError(f"block {name}: expected a mapping with layers: (and optionally args:, inputs:, output:)", at)
        unknown = sorted(set(body) - {"args", "layers", "inputs", "output"})
        if unknown:
            raise SpecError(f"block {name}: unknown key {unknown[0]!r} (a block has args, inputs, layers, output)",
                            Location(file=source, line=line_of(body, unknown[0])))
        raw_args = body.get("args") or {}
        if isinstance(raw_args, list):
            raw_args = dict.fromkeys(map(str, raw_args), _REQUIRED)
        if not isinstance(raw_args, Mapping):
            raise SpecError(f"block {name}: args must map argument names to defaults ('required' for none)",
                            Location(file=source, line=line_of(body, "args")))
        args = {str(k): (_REQUIRED if v is None else _plain(v)) for k, v in raw_args.items()}
        block_inputs = body.get("inputs", ["input"])
        if isinstance(block_inputs, str):
            block_inputs = [block_inputs]
        if not isinstance(block_inputs, list) or not block_inputs or not all(isinstance(i, str) for i in block_inputs):
            raise SpecError(f"block {name}: inputs must be a list of names", Location(file=source, line=line_of(body, "inputs")))
        output = body.get("output")
        blocks[str(name)] = Block(str(name), args, tuple(block_inputs), body["layers"],
                                  str(output) if output is not None else None, line_of(body, "layers"))
    return blocks


def expand_layers(layers: Any, blocks_data: Any, framework: str, source: str | None,
                  model_inputs: Sequence[str], layer_kinds: frozenset[str]) -> tuple[Any, ...]:
    """Expand a graph spec's layers and blocks to flat, fully named `LayerSpec` nodes."""
    blocks = _parse_blocks(blocks_data, source, layer_kinds)
    expander = _Expander(framework, blocks, source, model_inputs)
    scope = _Scope(prefix="", env={}, inputs={name: name for name in model_inputs}, within=())
    expander.expand(layers, scope, model_inputs[0], 0, line_of(layers))
    return tuple(expander.out)
