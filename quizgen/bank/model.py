"""Question banks: YAML files of question templates with random parameters.

Read with line numbers kept, validated completely at load time (every error names the bank
file, the line and the field), so sampling never meets a malformed template. The format is
documented in docs/banks.md.
"""

from __future__ import annotations

__all__ = ["Bank", "Derived", "Domain", "Template", "load_bank", "resolve_bank_path"]

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BankError, Location, QuizgenError
from ..exam import QuestionKind
from ..instructions import tidy_cjk_spacing
from ..layers import get_kind, unknown_layer_message
from ..layers.base import ArgError
from ..resources import banks_dir
from ..response_columns import reserved_title
from ..spec import Framework
from ..yamlio import LineDict, line_of, load_text
from .expr import Compiled, compile_expr

MAX_DOMAIN = 10_000
LANGS = ("en", "zh")
TEMPLATE_KEYS = {
    "id", "kind", "points", "topic", "repeat", "params", "where", "network", "layer", "axis", "unknown", "given",
    "of", "allow_rounding", "prompt", "framework", "symbols",
    *("dtype", "batch", "optimizer", "unit", "decimals", "dataset", "compare", "as", "groups", "width"),  # question families
}
_FAMILY_KEYS = ("dtype", "batch", "optimizer", "unit", "decimals", "dataset", "compare", "as", "groups", "width")
_KIND_VALUES = frozenset(kind.value for kind in QuestionKind)


@dataclass(frozen=True, slots=True)
class Domain:
    """A random parameter: the finite set of values it may take."""

    name: str
    values: tuple[Any, ...]
    description: str
    line: int | None


@dataclass(frozen=True, slots=True)
class Derived:
    """A parameter computed from earlier ones (``p: {expr: "k // 2"}``)."""

    name: str
    expr: Compiled
    line: int | None


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    kind: QuestionKind
    points: float
    topic: str
    repeat: int
    params: tuple[Domain | Derived, ...]
    constraints: tuple[tuple[Compiled, int | None], ...]
    networks: Mapping[str, Any]  # framework -> network template (with $param references)
    layer: int | str | None  # an index into the expanded layers, or a layer name
    options: Mapping[str, Any]  # axis, unknown, given, of, allow_rounding, symbols
    prompt: Mapping[str, str] | None
    source: str
    line: int | None

    def space_size(self) -> int:
        size = 1
        for p in self.params:
            if isinstance(p, Domain):
                size *= len(p.values)
        return size


@dataclass(frozen=True, slots=True)
class Bank:
    path: str
    name: str
    title: Mapping[str, str]
    course: str
    instructions: Mapping[str, str]
    templates: tuple[Template, ...] = field(default=())


def _text_by_lang(value: Any, where: str, line: int | None, source: str) -> dict[str, str]:
    if isinstance(value, str):
        return dict.fromkeys(LANGS, value)
    if isinstance(value, Mapping) and value and all(k in LANGS and isinstance(v, str) for k, v in value.items()):
        return {lang: value.get(lang) or next(iter(value.values())) for lang in LANGS}
    raise BankError(f"{where}: expected text, or a mapping with keys en and zh", Location(file=source, line=line))


def _int_pair(spec: Any, key: str, where: str, loc: Location) -> tuple[int, int]:
    bounds = spec.get(key)
    if not (isinstance(bounds, list) and len(bounds) == 2 and all(isinstance(b, int) and not isinstance(b, bool) for b in bounds)):
        raise BankError(f"{where}: {key} needs [low, high] integers, got {bounds!r}", loc)
    low, high = bounds
    if low > high:
        raise BankError(f"{where}: {key} [{low}, {high}] is empty (low > high)", loc)
    return low, high


def _domain(name: str, spec: Any, known: set[str], source: str, line: int | None, question: str) -> Domain | Derived:
    loc = Location(file=source, line=line)
    where = f"{question}: params: {name}"
    if not isinstance(spec, Mapping):
        return Domain(name, (spec,), f"fixed {spec!r}", line)  # a fixed value
    kinds = [k for k in ("choice", "range", "odd", "even", "pow2", "expr") if k in spec]
    extra = set(spec) - {"choice", "range", "odd", "even", "pow2", "expr", "step"}
    if len(kinds) != 1 or extra:
        raise BankError(f"{where}: give exactly one of choice, range (with optional step), odd, even, pow2, expr", loc)
    kind = kinds[0]
    if kind == "expr":
        try:
            return Derived(name, compile_expr(spec["expr"], known, where), line)
        except BankError as error:
            raise error.located(file=source, line=line) from None
    if kind == "choice":
        values = spec["choice"]
        if not isinstance(values, list) or not values:
            raise BankError(f"{where}: choice needs a non-empty list", loc)
        return Domain(name, tuple(values), f"choice {values}", line)
    low, high = _int_pair(spec, kind, where, loc)
    if kind == "range":
        step = spec.get("step", 1)
        if not isinstance(step, int) or step < 1:
            raise BankError(f"{where}: step must be a positive integer, got {step!r}", loc)
        if (high - low) // step + 1 > MAX_DOMAIN:
            raise BankError(f"{where}: range has more than {MAX_DOMAIN} values", loc)
        return Domain(name, tuple(range(low, high + 1, step)), f"range {low}..{high}" + (f" step {step}" if step > 1 else ""), line)
    if kind == "pow2":
        # Counted from the bounds, not by trying exponents: every power of two in range, however large.
        first, stop = max(low - 1, 0).bit_length(), max(high, 0).bit_length()  # 2**first is the first >= low
        if stop - first > MAX_DOMAIN:
            raise BankError(f"{where}: pow2 has more than {MAX_DOMAIN} values", loc)
        values = tuple(2**e for e in range(first, stop))
        if not values:
            raise BankError(f"{where}: no power of two lies in [{low}, {high}]", loc)
        return Domain(name, values, f"powers of two in {low}..{high}", line)
    parity = 1 if kind == "odd" else 0
    start = low if low % 2 == parity else low + 1
    if (high - start) // 2 + 1 > MAX_DOMAIN:  # counted before the values are listed, as for range
        raise BankError(f"{where}: {kind} has more than {MAX_DOMAIN} values", loc)
    values = tuple(range(start, high + 1, 2))
    if not values:
        raise BankError(f"{where}: no {kind} number lies in [{low}, {high}]", loc)
    return Domain(name, values, f"{kind} {low}..{high}", line)


def references(value: Any) -> Iterator[str]:
    """Parameter names referenced as "$name" anywhere inside a network template.

    Inside a network's ``blocks:``, a block's own arguments (``$filters``) are not bank parameters.
    """
    if isinstance(value, str) and value.startswith("$"):
        yield value[1:]
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if key == "blocks" and isinstance(item, Mapping):
                for block in item.values():
                    own = _block_args(block)
                    yield from (ref for ref in references(block) if ref not in own)
            else:
                yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def _block_args(block: Any) -> set[str]:
    args = block.get("args") if isinstance(block, Mapping) else None
    return set(map(str, args)) if isinstance(args, (Mapping, list)) else set()


def _check_network(network: Any, framework: Framework, params: Mapping[str, Domain | Derived], source: str, where: str) -> None:
    loc = Location(file=source, line=line_of(network))
    if not isinstance(network, Mapping) or "layers" not in network or ("input_shape" not in network and "inputs" not in network):
        raise BankError(f"{where}: a network needs input_shape (or inputs) and layers", loc)
    found = network.get("blocks")
    blocks: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    _check_items(network["layers"], framework, params, source, where, blocks, Location(file=source, line=line_of(network, "layers")))
    for name, block in blocks.items():
        if isinstance(block, Mapping) and "layers" in block:
            _check_items(block["layers"], framework, params, source, f"{where}: block {name}", blocks,
                         Location(file=source, line=line_of(block, "layers")))


def _check_items(layers: Any, framework: Framework, params: Mapping[str, Domain | Derived], source: str, where: str,
                 blocks: Mapping[str, Any], loc: Location) -> None:
    """Every layer name exists and every value a random parameter may take is valid where it is used.

    Graph items (name:, inputs:, shares:, repeat:, when:) and block uses are checked for their
    layer name here; the graph itself is checked when a variant is solved.
    """
    from ..specgraph import RESERVED_ITEM_KEYS

    if not isinstance(layers, list) or not layers:
        raise BankError(f"{where}: layers must be a non-empty list", loc)
    for index, item in enumerate(layers):
        line = line_of(layers, index)
        body = {k: v for k, v in item.items() if k not in RESERVED_ITEM_KEYS} if isinstance(item, Mapping) else item
        if isinstance(item, Mapping) and "shares" in item and not body:
            continue
        if not isinstance(body, Mapping) or len(body) != 1:
            raise BankError(f"{where}: layer {index + 1}: expected one layer name with its arguments", Location(file=source, line=line))
        ((name, kwargs),) = body.items()
        if name in blocks:
            continue
        kind = get_kind(framework, name)
        if kind is None:
            raise BankError(f"{where}: layer {index + 1}: {unknown_layer_message(framework, name)}", Location(file=source, line=line))
        if not isinstance(kwargs, Mapping):
            continue
        for arg, value in kwargs.items():
            arg_loc = Location(file=source, line=line_of(kwargs, arg))
            if arg not in kind.args:
                try:
                    kind.validate({arg: value})
                except ArgError as error:
                    raise BankError(f"{where}: layer {index + 1} {name}: {error}", arg_loc) from None
            _check_domain_use(kind.args[arg][0], arg, value, params, arg_loc, f"{where}: layer {index + 1} {name}")


def _check_domain_use(check: Any, arg: str, value: Any, params: Mapping[str, Domain | Derived], loc: Location, where: str) -> None:
    """Every value a random parameter may take must be valid where it is used."""
    refs = list(references(value))
    for ref in refs:
        domain = params.get(ref)
        if not isinstance(domain, Domain):
            continue
        for candidate in domain.values:
            filled = _fill(value, {r: (candidate if r == ref else _sample_value(params.get(r))) for r in refs})
            if filled is _UNKNOWN:
                break
            try:
                check(filled)
            except ArgError:
                raise BankError(f"{where}: {arg}: {domain.description} (parameter {ref}) allows {candidate!r}", loc) from None


_UNKNOWN: Any = object()


def _sample_value(param: Domain | Derived | None) -> Any:
    return param.values[0] if isinstance(param, Domain) else _UNKNOWN


def _fill(value: Any, values: Mapping[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        return values.get(value[1:], _UNKNOWN)
    if isinstance(value, list):
        items = [_fill(v, values) for v in value]
        return _UNKNOWN if any(i is _UNKNOWN for i in items) else items
    if isinstance(value, Mapping):
        filled = {k: _fill(v, values) for k, v in value.items()}
        return _UNKNOWN if any(v is _UNKNOWN for v in filled.values()) else filled
    return value


def _template(data: Any, index: int, source: str, seen: set[str], shared_blocks: Mapping[str, Any],
              shared_networks: Mapping[str, Any]) -> Template:
    line = line_of(data)
    loc = Location(file=source, line=line)
    if not isinstance(data, Mapping):
        raise BankError(f"questions: item {index + 1} must be a mapping", loc)
    tid = data.get("id")
    if not isinstance(tid, str) or not tid.strip():
        raise BankError(f"questions: item {index + 1}: id must be a non-empty text", loc)
    where = f"question {tid}"
    if tid in seen:
        raise BankError(f"{where}: duplicate question id", loc)
    if reserved_title(tid):
        raise BankError(f"{where}: id {tid!r} is a column title responses files use for the student, not an answer "
                        "(its answers could not be graded from a CSV); choose another id", loc)
    seen.add(tid)

    def at(key: str) -> Location:
        return Location(file=source, line=line_of(data, key))

    for key in data:
        if key not in TEMPLATE_KEYS:
            raise BankError(f"{where}: unknown key {key!r} (allowed: {', '.join(sorted(TEMPLATE_KEYS))})", at(key))
    raw_kind = data.get("kind")
    if not isinstance(raw_kind, str) or raw_kind not in _KIND_VALUES:
        raise BankError(f"{where}: kind must be one of {', '.join(k.value for k in QuestionKind)}, got {raw_kind!r}", at("kind"))
    kind = QuestionKind(raw_kind)
    points = data.get("points", 1)
    if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
        raise BankError(f"{where}: points must be a positive number, got {points!r}", at("points"))
    repeat = data.get("repeat", 1)
    if isinstance(repeat, bool) or not isinstance(repeat, int) or not 1 <= repeat <= 50:
        raise BankError(f"{where}: repeat must be an integer from 1 to 50, got {repeat!r}", at("repeat"))
    params: dict[str, Domain | Derived] = {}
    raw_params = data.get("params") or {}
    if not isinstance(raw_params, Mapping):
        raise BankError(f"{where}: params must be a mapping of name: domain", at("params"))
    for name, spec in raw_params.items():
        name_line = line_of(raw_params, name)
        if not name.isidentifier():
            raise BankError(f"{where}: parameter name {name!r} must be an identifier", Location(file=source, line=name_line))
        params[name] = _domain(name, spec, set(params), source, name_line, where)
    constraints = []
    raw_where = data.get("where") or []
    if not isinstance(raw_where, list):
        raise BankError(f"{where}: where must be a list of conditions", at("where"))
    for i, text in enumerate(raw_where):
        c_line = line_of(raw_where, i)
        try:
            constraints.append((compile_expr(text, set(params), f"{where}: where"), c_line))
        except BankError as error:
            raise error.located(file=source, line=c_line) from None
    networks = _networks(data, params, source, where, shared_blocks, shared_networks)
    layer = data.get("layer")
    if layer is not None and (isinstance(layer, bool) or not isinstance(layer, (int, str))):
        raise BankError(f"{where}: layer must be a layer index (0-based; -1 for the last) or a layer's name", at("layer"))
    for framework, network in networks.items():
        count = len(network["layers"])
        flat = not network.get("blocks") and not any(isinstance(i, Mapping) and "repeat" in i for i in network["layers"])
        if isinstance(layer, int) and flat and not -count <= layer < count:
            raise BankError(f"{where}: layer {layer} is outside the {framework} network's {count} layers", at("layer"))
    prompt = _text_by_lang(data["prompt"], f"{where}: prompt", line_of(data, "prompt"), source) if "prompt" in data else None
    options = {k: data[k] for k in ("axis", "unknown", "given", "of", "allow_rounding", "symbols", *_FAMILY_KEYS) if k in data}
    _check_family(kind, options, set(params), where, at)
    return Template(tid, kind, float(points), str(data.get("topic", "")), repeat, tuple(params.values()), tuple(constraints),
                    networks, layer, options, prompt, source, line)


def _check_family(kind: QuestionKind, options: Mapping[str, Any], params: set[str], where: str,
                  at: Callable[[str], Location]) -> None:
    from ..exam import FAMILY_KINDS
    from ..questions.families import check_family_options

    if kind in FAMILY_KINDS:
        for key in options:
            problem = check_family_options(kind, {key: options[key]}, params)
            if problem:
                raise BankError(f"{where}: {problem}", at(key))
        return
    for key in _FAMILY_KEYS:
        if key in options:
            raise BankError(f"{where}: {key} is an option of the question families, not of kind {kind.value}", at(key))


def _networks(data: Mapping[str, Any], params: Mapping[str, Domain | Derived], source: str, where: str,
              shared_blocks: Mapping[str, Any], shared_networks: Mapping[str, Any]) -> dict[str, Any]:
    network = data.get("network")
    loc = Location(file=source, line=line_of(data, "network"))
    shared_name = network if isinstance(network, str) else None
    if shared_name is not None:
        network = _shared_network(shared_name, shared_networks, where, loc)
    if not isinstance(network, Mapping):
        raise BankError(f"{where}: network must be a mapping (a spec, or one spec per framework under keras:/pytorch:) "
                        "or the name of one of the bank's networks:", loc)
    if "layers" in network:
        framework = str(network.get("framework", data.get("framework", "")))
        per_framework = {framework: network}
    else:
        per_framework = dict(network)
    result = {}
    for name, spec in per_framework.items():
        try:
            framework = Framework(name)
        except ValueError:
            raise BankError(f"{where}: framework must be keras or pytorch, got {name!r}", loc) from None
        if shared_blocks.get(framework.value) and isinstance(spec, Mapping):
            # The bank's blocks for this framework, unless the network defines its own of that name.
            merged = LineDict(spec)
            merged.line, merged.key_lines = getattr(spec, "line", None), dict(getattr(spec, "key_lines", {}))
            merged["blocks"] = {**shared_blocks[framework.value], **(spec.get("blocks") or {})}
            spec = merged
        _check_network(spec, framework, params, source, f"{where} ({framework.value})")
        result[framework.value] = spec
    missing = {r for spec in result.values() for r in references(spec)} - set(params)
    if missing and shared_name is not None:
        raise BankError(f"{where}: network {shared_name!r} uses ${sorted(missing)[0]}, which this question's params: "
                        "does not define", loc)
    if missing:
        raise BankError(f"{where}: network uses undefined parameter ${sorted(missing)[0]}", loc)
    return result


def _shared_network(name: str, shared_networks: Mapping[str, Any], where: str, loc: Location) -> Any:
    if name in shared_networks:
        return shared_networks[name]
    import difflib

    if not shared_networks:
        raise BankError(f"{where}: network {name!r} names a shared network, but the bank has no networks: section", loc)
    close = difflib.get_close_matches(name, list(shared_networks), n=1, cutoff=0.6)
    known = f"did you mean {close[0]!r}?" if close else f"the bank's networks are {', '.join(map(repr, shared_networks))}"
    raise BankError(f"{where}: no network named {name!r} in the bank's networks: section; {known}", loc)


def _bank_networks(data: Any, source: str) -> dict[str, Any]:
    """A bank's ``networks: {name: network}``, which questions use by name (``network: resnet18``).

    Each is written once and checked with every question that uses it (its ``$parameters`` must be
    that question's), so errors in it name its own lines.
    """
    if data is None:
        return {}
    if not isinstance(data, Mapping) or not data:
        raise BankError("networks must map a name to a network (a spec, or one spec per framework under keras:/pytorch:)",
                        Location(file=source, line=line_of(data)))
    for name, network in data.items():
        if not isinstance(name, str) or not name.strip():
            raise BankError(f"networks: {name!r} is not a name", Location(file=source, line=line_of(data, name)))
        if not isinstance(network, Mapping):
            raise BankError(f"networks: {name}: a network must be a mapping (a spec, or one spec per framework "
                            "under keras:/pytorch:)", Location(file=source, line=line_of(data, name)))
    return {str(k): v for k, v in data.items()}


def _bank_blocks(data: Any, source: str) -> dict[str, Mapping[str, Any]]:
    """A bank's ``blocks: {keras: {name: block}, pytorch: {...}}``, shared by its questions' networks."""
    if data is None:
        return {}
    if not isinstance(data, Mapping) or not set(data) <= {"keras", "pytorch"} or \
            not all(isinstance(v, Mapping) for v in data.values()):
        raise BankError("blocks must map a framework (keras, pytorch) to its block definitions",
                        Location(file=source, line=line_of(data)))
    return {str(k): v for k, v in data.items()}


def resolve_bank_path(name: str) -> Path:
    """A bank path, or the name of a shipped bank (``conv-basics``)."""
    path = Path(name)
    if path.exists():
        return path
    shipped = banks_dir() / (name if name.endswith((".yaml", ".yml")) else f"{name}.yaml")
    if shipped.exists():
        return shipped
    import difflib

    shipped_names = sorted(p.stem for p in banks_dir().glob("*.yaml"))
    close = difflib.get_close_matches(Path(name).stem, shipped_names, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else f"; the shipped banks are {', '.join(shipped_names)}"
    raise BankError(f"no such bank file (and no shipped bank of that name{hint})", Location(file=name))


def load_bank(name: str | Path) -> Bank:
    path = resolve_bank_path(str(name))
    source = str(name)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise BankError(f"cannot read: {error.strerror or error}", Location(file=source)) from None
    except UnicodeDecodeError as error:
        raise BankError(f"cannot read: {error}", Location(file=source)) from None
    try:
        data = load_text(text, source)
    except QuizgenError as error:
        raise BankError(error.bare_message, error.location) from None
    if not isinstance(data, LineDict):
        raise BankError("a bank must be a mapping with title and questions", Location(file=source, line=1))
    unknown = set(data) - {"title", "course", "instructions", "questions", "name", "blocks", "networks"}
    if unknown:
        key = sorted(unknown)[0]
        raise BankError(f"unknown top-level key {key!r} (a bank has title, course, instructions, blocks, networks, questions)",
                        Location(file=source, line=line_of(data, key)))
    shared_blocks = _bank_blocks(data.get("blocks"), source)
    shared_networks = _bank_networks(data.get("networks"), source)
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        raise BankError("questions must be a non-empty list", Location(file=source, line=line_of(data, "questions")))
    seen: set[str] = set()
    templates = tuple(_template(item, i, source, seen, shared_blocks, shared_networks) for i, item in enumerate(questions))
    title = _text_by_lang(data.get("title", path.stem), "title", line_of(data, "title"), source)
    instructions = (_text_by_lang(data["instructions"], "instructions", line_of(data, "instructions"), source)
                    if "instructions" in data else {})
    if "zh" in instructions:  # YAML folds a Chinese paragraph's lines with spaces ("…)。 MACs")
        instructions["zh"] = tidy_cjk_spacing(instructions["zh"])
    return Bank(source, str(data.get("name", path.stem)), title, str(data.get("course", "")), instructions, templates)
