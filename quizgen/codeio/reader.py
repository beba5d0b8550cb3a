"""Read Keras and PyTorch model source code into a network spec, statically.

The source is parsed with :mod:`ast` and walked; it is never imported, compiled or run, so a
hostile file can at worst be refused. Supported shapes of code (anything else is a
``CodeReadError`` naming the line, the column and what is supported):

* Keras: ``Sequential([...])`` and ``model = Sequential(); model.add(...)`` chains, layers as
  ``layers.X``, ``keras.layers.X``, ``tf.keras.layers.X`` or imported bare names, the input
  from ``input_shape=`` on the first layer, ``keras.Input(shape=...)`` or ``InputLayer``.
* PyTorch: ``nn.Sequential(...)`` and ``nn.Module`` subclasses whose ``__init__`` assigns
  layers to ``self`` and whose ``forward`` is one chain of calls (``F.relu``, ``x.view``...).

Arguments that change counts or shapes must be literals or constants folded from literals
(``+ - * //`` on numbers); other arguments (activations, initializers...) are kept as their
source text.
"""

from __future__ import annotations

__all__ = ["MAX_DEPTH", "MAX_LAYERS", "MAX_MAGNITUDE", "MAX_SOURCE_CHARS", "ReadModel", "read_model_code"]

import ast
import copy
import io
import math
import re
import textwrap
import tokenize
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from quizgen.codeio import signatures as sg
from quizgen.errors import CodeReadError, Location

MAX_SOURCE_CHARS = 200_000
MAX_MAGNITUDE = 10**9
MAX_DEPTH = 50
MAX_LAYERS = 2_000

_SUPPORTED = (
    "supported models are Keras Sequential([...]) or model = Sequential(); model.add(...), "
    "and PyTorch nn.Sequential(...) or an nn.Module subclass with __init__ and forward"
)
_CONSTANT_RULE = "it must be a literal, a constant defined in this file, or + - * // of them"
_DYNAMIC = frozenset({"__import__", "exec", "eval", "compile", "breakpoint"})
_DEFAULT_ALIASES = {
    "tf": "tensorflow",
    "keras": "keras",
    "layers": "keras.layers",
    "models": "keras.models",
    "nn": "torch.nn",
    "F": "torch.nn.functional",
    "torch": "torch",
}
_PREFIXES = (("tensorflow.keras.", "keras."), ("tf_keras.", "keras."), ("keras.src.", "keras."))
_KERAS_SEQUENTIAL = frozenset({"keras.Sequential", "keras.models.Sequential"})
_KERAS_INPUT = frozenset({"keras.Input", "keras.layers.Input"})
_ACTIVATIONS = frozenset({"relu", "tanh", "sigmoid", "softmax", "log_softmax"})
_TENSOR_METHODS = _ACTIVATIONS | {"view", "reshape", "flatten", "contiguous"}
_SHAPE_ARGS = ("shape", "batch_shape", "input_shape", "batch_input_shape")
_SEQUENTIAL = sg.Signature(("layers", "trainable", "name"))
_SIGNATURES = "quizgen.codeio.signatures"
_INIT_RULE = "supported in __init__: self.name = nn.Layer(...) or nn.Sequential(...), constants, super().__init__()"
_FORWARD_RULE = "forward must be one chain such as x = self.conv1(x); x = F.relu(x); x = x.view(x.size(0), -1); return x"
_RANDOM_INPUTS = frozenset({"torch.randn", "torch.rand", "torch.zeros", "torch.ones", "torch.empty"})
_COMMENT_SHAPE = re.compile(r"(?:input(?:[ _]?(?:shape|size))?|输入(?:形状|尺寸|大小|维度)?)\s*[:：=]?\s*[\[(]([^\])]*)[\])]", re.I)
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.FloorDiv: "//"}
_OPAQUE_FORBIDDEN = (ast.Lambda, ast.NamedExpr, ast.comprehension, ast.Await, ast.Yield, ast.YieldFrom)

Layer = dict[str, object]
Placed = tuple[Layer, int]  # a layer mapping and the source line that creates it


@dataclass(frozen=True, slots=True)
class ReadModel:
    """A network spec read from source code, with the line of each layer."""

    spec: dict[str, object]
    layer_lines: tuple[int, ...]


class _NotConstantError(Exception):
    def __init__(self, reason: str, node: ast.AST) -> None:
        super().__init__(reason)
        self.reason = reason
        self.node = node


@dataclass(frozen=True, slots=True)
class _Unknown:
    """An environment entry that is not a constant, and why."""

    reason: str
    error: CodeReadError | None = None


Env = dict[str, object]


def read_model_code(source: str, filename: str = "<model>", input_shape: Sequence[int | None] | None = None) -> ReadModel:
    """Read the one model in ``source`` into ``{"framework", "input_shape", "layers"}``.

    ``input_shape`` (batch excluded) overrides whatever the code says; without it the shape
    comes from the code, a ``# input shape: [3, 32, 32]`` comment or a ``torch.randn(1, ...)``
    example input, else it is ``None`` and the caller must ask for it.
    """
    if len(source) > MAX_SOURCE_CHARS:
        raise CodeReadError(f"the source has {len(source)} characters; at most {MAX_SOURCE_CHARS} are read", Location(file=filename))
    reader = _Reader(source, filename)
    framework, placed, shape = reader.read()
    if input_shape is not None:
        shape = _checked_shape(list(input_shape), None, reader)
    layers = [layer for layer, _ in placed]
    spec: dict[str, object] = {"framework": framework, "input_shape": shape, "layers": layers}
    return ReadModel(spec, tuple(line for _, line in placed))


def _checked_shape(value: object, node: ast.AST | None, reader: _Reader) -> list[int | None]:
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list) or not all(d is None or (isinstance(d, int) and not isinstance(d, bool) and d >= 0) for d in value):
        raise reader.error(f"an input shape must be a list of sizes (int or None), got {value!r}", node)
    return value


class _Reader:
    def __init__(self, source: str, filename: str) -> None:
        self.filename = filename
        self.text = textwrap.dedent(source)  # code pasted from a blog post is often indented
        before, after = (next((line for line in t.splitlines() if line.strip()), "") for t in (source, self.text))
        self.indent = len(before) - len(after)
        self.lines = re.split(r"\r\n|\r|\n", self.text)
        try:
            with warnings.catch_warnings():  # "invalid escape sequence" and the like: not the reader's business
                warnings.simplefilter("ignore")
                self.tree = ast.parse(self.text, filename=filename)
        except SyntaxError as exc:
            column = (exc.offset or 1) + (self.indent if exc.lineno else 0)
            message = f"this is not valid Python: {exc.msg}"
            raise CodeReadError(message, Location(file=filename, line=exc.lineno, column=column)) from None
        except (RecursionError, MemoryError):  # the parser's own stack: far deeper than MAX_DEPTH
            message = f"the source nests too deeply to read; at most {MAX_DEPTH} levels are supported"
            raise CodeReadError(message, Location(file=filename)) from None
        except ValueError as exc:
            raise CodeReadError(f"this is not valid Python: {exc}", Location(file=filename)) from None
        self.parents: dict[ast.AST, ast.AST] = {}
        self._check_tree()
        self.aliases, roots = self._imports()
        self.guess = self._guess(roots)
        self.env: Env = {}
        self._collect(self.tree.body)
        self.module_env = self.env
        self.count = 0
        self.placed: list[Placed] = []  # Keras layers read so far
        self.shape: list[int | None] | None = None
        self.members: dict[str, list[Placed]] = {}  # PyTorch: self.<name> -> its layers
        self.cur = ""  # PyTorch forward: the name holding the running tensor
        self.batch: set[str] = set()  # PyTorch forward: names bound to x.size(0)

    # -- infrastructure ---------------------------------------------------------------
    def error(self, message: str, node: ast.AST | None = None) -> CodeReadError:
        if node is None or not hasattr(node, "lineno"):
            return CodeReadError(message, Location(file=self.filename))
        line = int(getattr(node, "lineno", 1))
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        column = len(text.encode()[: getattr(node, "col_offset", 0)].decode(errors="replace")) + 1
        return CodeReadError(message, Location(file=self.filename, line=line, column=column + self.indent))

    def segment(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.text, node) or ast.unparse(node)

    def _check_tree(self) -> None:
        stack: list[tuple[ast.AST, int, ast.AST]] = [(self.tree, 0, self.tree)]
        while stack:
            node, depth, located = stack.pop()
            located = node if hasattr(node, "lineno") else located
            if depth > MAX_DEPTH:
                raise self.error(f"the code nests deeper than {MAX_DEPTH} levels; this is not supported", located)
            if isinstance(node, ast.Name) and node.id in _DYNAMIC:
                raise self.error(f"'{node.id}' is refused: model code must not run code dynamically", node)
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
                stack.append((child, depth + 1, located))

    def _imports(self) -> tuple[dict[str, str], list[str]]:
        aliases: dict[str, str] = {}
        roots: list[str] = []
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for name in node.names:
                    aliases[name.asname or name.name.split(".")[0]] = name.name if name.asname else name.name.split(".")[0]
                    roots.append(name.name)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                roots.append(node.module)
                for name in node.names:
                    if name.name != "*":
                        aliases[name.asname or name.name] = f"{node.module}.{name.name}"
        return aliases, roots

    def _guess(self, roots: list[str]) -> str:
        """Which framework the file is about; decides what an unimported bare name means."""
        score = {"keras": 0, "pytorch": 0, "": 0}
        for root in roots:
            top = _normalize(root).split(".")[0]
            score["keras" if top in ("keras", "tensorflow") else "pytorch" if top == "torch" else ""] += 10
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Name) and node.id not in self.aliases:
                target = _DEFAULT_ALIASES.get(node.id, "")
                if target.startswith(("keras", "tensorflow")) or (node.id in sg.KERAS and node.id not in sg.PYTORCH):
                    score["keras"] += 1
                elif target.startswith("torch") or (node.id in sg.PYTORCH and node.id not in sg.KERAS):
                    score["pytorch"] += 1
        return "pytorch" if score["pytorch"] > score["keras"] else "keras"

    def qualname(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Attribute):
            base = self.qualname(node.value)
            return None if base is None else _normalize(f"{base}.{node.attr}")
        if not isinstance(node, ast.Name):
            return None
        name = node.id
        if name in self.aliases:
            return _normalize(self.aliases[name])
        if name in _DEFAULT_ALIASES:
            return _DEFAULT_ALIASES[name]
        if self.guess == "keras" and name in ("Sequential", "Input"):
            return f"keras.{name}"
        if self.guess == "keras" and (name in sg.KERAS or name in sg.KERAS_ALIASES):
            return f"keras.layers.{name}"
        if self.guess == "pytorch" and (name in sg.PYTORCH or name in ("Sequential", "Module")):
            return f"torch.nn.{name}"
        return name

    def layer_kind(self, node: ast.AST) -> tuple[str, str]:
        """Classify a callee: ("keras"|"pytorch"|"keras_input"|"sequential"|"", canonical name)."""
        q = self.qualname(node) or ""
        if q in _KERAS_SEQUENTIAL or q == "torch.nn.Sequential":
            return "sequential", "keras" if q in _KERAS_SEQUENTIAL else "pytorch"
        if q in _KERAS_INPUT:
            return "keras_input", "Input"
        head, _, name = q.rpartition(".")
        if head == "keras.layers":
            name = sg.KERAS_ALIASES.get(name, name)
            return ("keras", name) if name in sg.KERAS else ("", q)
        if head == "torch.nn" and name in sg.PYTORCH:
            return "pytorch", name
        return "", q

    # -- constants --------------------------------------------------------------------
    def fold(self, node: ast.AST) -> object:
        if isinstance(node, ast.Constant):
            if node.value is None or isinstance(node.value, (bool, str)):
                return node.value
            if isinstance(node.value, (int, float)):
                return self._bounded(node.value, node)
            raise _NotConstantError(f"{type(node.value).__name__} literals are not supported", node)
        if isinstance(node, (ast.Tuple, ast.List)):
            return [self.fold(item) for item in node.elts]
        if isinstance(node, ast.Name) or (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"):
            key = node.id if isinstance(node, ast.Name) else f"self.{node.attr}"
            if key not in self.env:
                raise _NotConstantError(f"'{key}' is not a constant defined in this file", node)
            known = self.env[key]
            if isinstance(known, _Unknown):
                if known.error is not None:
                    raise known.error
                raise _NotConstantError(known.reason, node)
            return copy.deepcopy(known)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = _number(self.fold(node.operand), node)
            return self._bounded(-operand if isinstance(node.op, ast.USub) else operand, node)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            a, b = _number(self.fold(node.left), node), _number(self.fold(node.right), node)
            if isinstance(node.op, ast.FloorDiv):
                if b == 0:
                    raise _NotConstantError("division by zero", node)
                return self._bounded(a // b, node)
            return self._bounded(a + b if isinstance(node.op, ast.Add) else a - b if isinstance(node.op, ast.Sub) else a * b, node)
        if isinstance(node, ast.Call):
            raise _NotConstantError(f"the call {self.segment(node.func)}(...) is not supported here", node)
        if isinstance(node, ast.BinOp):
            raise _NotConstantError(f"operator {type(node.op).__name__} is not supported (only + - * //)", node)
        raise _NotConstantError(f"a {type(node).__name__} expression is not supported here", node)

    def _bounded(self, value: int | float, node: ast.AST) -> int | float:
        if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
            raise self.error(f"the number {value!r} is out of range; numbers up to 10**9 are supported", node)
        return value

    def _collect(self, body: list[ast.stmt]) -> None:
        """Fold the simple assignments of a block (and of its if/with/try blocks) into self.env."""
        for stmt in body:
            if isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    self._assign(target, stmt.value)
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                self._assign(stmt.target, stmt.value)
            elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
                self.env[stmt.target.id] = _Unknown(f"'{stmt.target.id}' changes (line {stmt.lineno})")
            elif isinstance(stmt, (ast.If, ast.With, ast.Try)):
                for block in (stmt.body, getattr(stmt, "orelse", []), getattr(stmt, "finalbody", [])):
                    self._collect(block)

    def _assign(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            values = value.elts if isinstance(value, (ast.Tuple, ast.List)) else None
            for i, item in enumerate(target.elts):
                if values is not None and len(values) == len(target.elts):
                    self._assign(item, values[i])
                elif isinstance(item, ast.Name):
                    self.env[item.id] = _Unknown(f"'{item.id}' is unpacked from {self.segment(value)}")
            return
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
            key = f"self.{target.attr}"
        elif isinstance(target, ast.Name):
            key = target.id
        else:
            return
        try:
            self.env[key] = self.fold(value)
        except _NotConstantError as exc:
            self.env[key] = _Unknown(f"'{key}' is not a constant ({exc.reason}, line {value.lineno})")
        except CodeReadError as exc:
            self.env[key] = _Unknown(exc.bare_message, exc)

    def enter_scope(self, node: ast.AST) -> None:
        """self.env := module constants, then those of each function enclosing node, outermost first."""
        self.env = dict(self.module_env)
        for function in reversed([a for a in self.ancestors(node) if isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef))]):
            self._parameters(function)
            self._collect(function.body)

    def _parameters(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """Parameter defaults are constants (def __init__(self, num_classes=10)); the others are not."""
        args = function.args
        positional = args.posonlyargs + args.args
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        for arg, default in [*zip(positional, defaults, strict=True), *zip(args.kwonlyargs, args.kw_defaults, strict=True)]:
            if default is None:
                self.env[arg.arg] = _Unknown(f"'{arg.arg}' is a parameter of {function.name}() without a default value")
            else:
                self._assign(ast.Name(arg.arg, ast.Store()), default)

    # -- arguments --------------------------------------------------------------------
    def value(self, node: ast.expr, parameter: str, layer: str) -> object:
        try:
            return self.fold(node)
        except _NotConstantError as exc:
            if sg.is_count_neutral(parameter):
                self.check_opaque(node)
                return self.segment(node)
            raise self.error(f"{layer}({parameter}=...): {exc.reason}; {_CONSTANT_RULE}", exc.node) from None

    def check_opaque(self, node: ast.AST) -> None:
        """Refuse anything in a kept-as-text argument that is more than a reference or a known call."""
        for sub in ast.walk(node):
            if isinstance(sub, _OPAQUE_FORBIDDEN):
                raise self.error(f"a {type(sub).__name__} is not supported in a layer argument", sub)
            name = sub.attr if isinstance(sub, ast.Attribute) else sub.id if isinstance(sub, ast.Name) else ""
            if name.startswith("_"):
                raise self.error(f"'{name}' is not supported in a layer argument", sub)
            if isinstance(sub, ast.Call) and not (self.qualname(sub.func) or "").startswith(sg.OPAQUE_CALL_PREFIXES):
                allowed = ", ".join(p + "*" for p in sg.OPAQUE_CALL_PREFIXES)
                raise self.error(f"the call {self.segment(sub.func)}(...) is not supported here; allowed: {allowed}", sub)

    def no_star(self, call: ast.Call) -> None:
        for arg in [*call.args, *call.keywords]:
            if isinstance(arg, ast.Starred) or (isinstance(arg, ast.keyword) and arg.arg is None):
                raise self.error("*args and **kwargs are not supported; write the arguments out", arg)

    def arguments(self, call: ast.Call, name: str, sig: sg.Signature, skip: int = 0) -> Iterator[tuple[str, ast.expr]]:
        self.no_star(call)
        args = call.args[skip:]
        if len(args) > len(sig.positional):
            given = ", ".join(sig.positional) or "none"
            raise self.error(f"{name} takes at most {len(sig.positional)} positional arguments ({given})", call)
        seen: set[str] = set()
        for parameter, node in [*zip(sig.positional, args, strict=False), *((k.arg or "", k.value) for k in call.keywords)]:
            if parameter in seen:
                raise self.error(f"{name} got {parameter} twice", node)
            seen.add(parameter)
            yield parameter, node

    def unknown_argument(self, name: str, parameter: str, sig: sg.Signature, node: ast.AST) -> CodeReadError:
        return self.error(f"{name} has no argument '{parameter}'; it accepts: {', '.join(sig.parameters)}", node)

    def produce(self, placed: list[Placed]) -> list[Placed]:
        self.count += len(placed)
        if self.count > MAX_LAYERS:
            node = ast.Constant(0, lineno=placed[-1][1], col_offset=0)
            raise self.error(f"the model has more than {MAX_LAYERS} layers; this is not supported", node)
        return placed

    # -- the model --------------------------------------------------------------------
    def read(self) -> tuple[str, list[Placed], list[int | None] | None]:
        models = self.models()
        if not models:
            raise self.error(f"no model found; {_SUPPORTED}", None)
        if len(models) > 1:
            where = ", ".join(f"line {getattr(m, 'lineno', 0)}" for m in models)
            raise self.error(f"found {len(models)} models ({where}); quizgen reads one model per file", models[1])
        model = models[0]
        if isinstance(model, ast.ClassDef):
            framework, placed = "pytorch", self.torch_module(model)
        else:
            assert isinstance(model, ast.Call)
            framework = self.layer_kind(model.func)[1]
            self.enter_scope(model)
            if framework == "keras":
                self.keras_sequential(model)
                for item in self.follow(model, {"add": 0}):
                    self.keras_item(item)
                placed = self.placed
            else:
                placed = self.produce(self.torch_sequential(model))
                for item in self.follow(model, {"append": 0, "add_module": 1}):
                    placed += self.produce(self.torch_item(item))
        shape = self.shape if self.shape is not None else self.comment_shape()
        if shape is None and framework == "pytorch":
            shape = self.example_input_shape()
        return framework, placed, shape

    def models(self) -> list[ast.AST]:
        found = [
            node
            for node in ast.walk(self.tree)
            if (isinstance(node, ast.ClassDef) and any(self.qualname(b) == "torch.nn.Module" for b in node.bases))
            or (isinstance(node, ast.Call) and self.layer_kind(node.func)[0] == "sequential")
        ]
        ids = {id(m) for m in found}  # a Sequential inside a model belongs to that model
        top = [m for m in found if not any(id(a) in ids for a in self.ancestors(m))]
        return sorted(top, key=lambda m: (getattr(m, "lineno", 0), getattr(m, "col_offset", 0)))

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        parent = self.parents.get(node)
        while parent is not None:
            yield parent
            parent = self.parents.get(parent)

    def follow(self, call: ast.Call, methods: dict[str, int]) -> Iterator[ast.expr]:
        """The layers of `model.add(layer)` statements after `model = Sequential(...)`, same block."""
        stmt = self.parents.get(call)
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
            return
        var, parent = stmt.targets[0].id, self.parents[stmt]
        blocks = [getattr(parent, f, None) for f in ("body", "orelse", "finalbody")]
        block: list[ast.stmt] = next(b for b in blocks if isinstance(b, list) and any(s is stmt for s in b))
        for later in block[next(i for i, s in enumerate(block) if s is stmt) + 1 :]:
            adds = [
                n
                for n in ast.walk(later)
                if isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and isinstance(n.func.value, ast.Name)
                and n.func.value.id == var
                and n.func.attr in (*methods, "pop", "insert")
            ]
            if adds and (len(adds) > 1 or not isinstance(later, ast.Expr) or later.value is not adds[0]):
                raise self.error(f"{var}.{_attr(adds[0])}(...) is supported only as a statement of its own", adds[0])
            if adds:
                add = adds[0]
                index = methods.get(_attr(add), -1)
                if index < 0 or add.keywords or len(add.args) != index + 1:
                    raise self.error(f"supported: {' or '.join(f'{var}.{m}(...)' for m in methods)}", add)
                yield add.args[index]
            elif any(isinstance(n, ast.Name) and n.id == var and isinstance(n.ctx, ast.Store) for n in ast.walk(later)):
                return

    # -- Keras ------------------------------------------------------------------------
    def keras_sequential(self, call: ast.Call) -> None:
        for parameter, node in self.arguments(call, "Sequential", _SEQUENTIAL):
            if parameter != "layers":
                self.value(node, parameter, "Sequential")
            elif isinstance(node, (ast.List, ast.Tuple)):
                for item in node.elts:
                    self.keras_item(item)
            else:
                raise self.error("Sequential(...) takes a list of layers: Sequential([layers.Dense(10), ...])", node)

    def keras_item(self, node: ast.expr) -> None:
        kind, name = self.layer_kind(node.func) if isinstance(node, ast.Call) else ("", "")
        if not isinstance(node, ast.Call) or (kind not in ("keras", "keras_input") and (kind, name) != ("sequential", "keras")):
            raise self.error(f"{self.segment(node)} is not a supported Keras layer (see {_SIGNATURES})", node)
        if kind == "sequential":
            self.keras_sequential(node)
        elif kind == "keras_input" or name == "InputLayer":
            if self.placed or self.shape is not None:
                raise self.error("keras.Input / InputLayer must come before the first layer", node)
            sig = sg.KERAS_INPUT if kind == "keras_input" else sg.KERAS["InputLayer"]
            for parameter, arg in self.arguments(node, name, sig):
                if parameter in _SHAPE_ARGS:
                    self.keras_shape(parameter, arg)
                elif parameter in sig.parameters:
                    self.value(arg, parameter, name)
                else:
                    raise self.unknown_argument(name, parameter, sig, arg)
        else:
            self.placed += self.produce([(self.layer(node, "keras", name), node.lineno)])

    def keras_shape(self, parameter: str, node: ast.expr) -> None:
        if self.placed or self.shape is not None:
            return  # Keras ignores input_shape= after the first layer
        try:
            value = self.fold(node)
        except _NotConstantError:
            self.check_opaque(node)  # e.g. x_train.shape[1:]: the caller must give the shape
            return
        if parameter.startswith("batch") and isinstance(value, list):
            value = value[1:]
        self.shape = _checked_shape(value, node, self)

    def layer(self, call: ast.Call, framework: str, name: str) -> Layer:
        sig = (sg.KERAS if framework == "keras" else sg.PYTORCH)[name]
        kwargs: dict[str, object] = {}
        legacy = sg.KERAS_LEGACY.get(name, {}) if framework == "keras" else {}
        for given, node in self.arguments(call, name, sig):
            parameter = legacy.get(given, given)
            if not parameter:
                self.value(node, given, name)  # still checked: it must be harmless
            elif sig.var_keyword and parameter in sg.KERAS_SHAPE_KEYWORDS and parameter not in sig.positional:
                self.keras_shape(parameter, node)
            elif parameter not in sig.parameters:
                raise self.unknown_argument(name, parameter, sig, node)
            elif framework == "keras" and parameter in sg.KERAS_WRAPPER_PARAMS:
                kind, inner = self.layer_kind(node.func) if isinstance(node, ast.Call) else ("", "")
                if not isinstance(node, ast.Call) or kind != "keras":
                    raise self.error(f"{name}({parameter}=...) must be a Keras layer such as layers.LSTM(32)", node)
                kwargs[parameter] = self.layer(node, "keras", inner)
            else:
                kwargs[parameter] = self.value(node, parameter, name)
        return {name: kwargs}

    # -- PyTorch ----------------------------------------------------------------------
    def torch_sequential(self, call: ast.Call) -> list[Placed]:
        self.no_star(call)
        items = call.args
        if len(items) == 1 and isinstance(items[0], ast.Call) and (self.qualname(items[0].func) or "").endswith("OrderedDict"):
            pairs = items[0].args[0] if len(items[0].args) == 1 and not items[0].keywords else None
            if not isinstance(pairs, (ast.List, ast.Tuple)) or not all(isinstance(p, ast.Tuple) and len(p.elts) == 2 for p in pairs.elts):
                raise self.error("supported: nn.Sequential(OrderedDict([('name', nn.Layer(...)), ...]))", items[0])
            items = [p.elts[1] for p in pairs.elts if isinstance(p, ast.Tuple)]
        if call.keywords:
            raise self.error("nn.Sequential(...) takes layers as positional arguments only", call.keywords[0])
        return [placed for item in items for placed in self.torch_item(item)]

    def torch_item(self, node: ast.expr) -> list[Placed]:
        kind, name = self.layer_kind(node.func) if isinstance(node, ast.Call) else ("", "")
        if not isinstance(node, ast.Call) or ((kind, name) != ("sequential", "pytorch") and kind != "pytorch"):
            raise self.error(f"{self.segment(node)} is not a supported PyTorch layer (see {_SIGNATURES})", node)
        if kind == "sequential":
            return self.torch_sequential(node)
        return [(self.layer(node, "pytorch", name), node.lineno)]

    def torch_module(self, cls: ast.ClassDef) -> list[Placed]:
        methods = {f.name: f for f in cls.body if isinstance(f, ast.FunctionDef)}
        init, forward = methods.get("__init__"), methods.get("forward")
        if init is None or forward is None:
            raise self.error(f"class {cls.name} needs both __init__ and forward; {_SUPPORTED}", cls)
        self.enter_scope(init)
        self._parameters(init)
        for stmt in init.body:
            if _is_docstring(stmt) or isinstance(stmt, ast.Pass):
                continue
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and self.harmless(stmt.value):
                continue
            if not isinstance(stmt, (ast.Assign, ast.AnnAssign)) or stmt.value is None:
                raise self.error(f"this statement is not supported in __init__; {_INIT_RULE}", stmt)
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            kind = self.layer_kind(stmt.value.func)[0] if isinstance(stmt.value, ast.Call) else ""
            for target in targets:
                attr = target.attr if isinstance(target, ast.Attribute) and _is_self(target.value) else None
                if kind in ("pytorch", "sequential") and attr is not None:
                    self.members[attr] = self.torch_item(stmt.value)
                    continue
                call = next((n for n in ast.walk(stmt.value) if isinstance(n, ast.Call)), None)
                if call is not None:
                    raise self.error(f"the call {self.segment(call.func)}(...) is not supported; {_INIT_RULE}", call)
                self._assign(target, stmt.value)
                self.members.pop(attr or "", None)
        return self.torch_forward(forward)

    def harmless(self, call: ast.Call) -> bool:
        """super().__init__(), nn.Module.__init__(self) and nn.init.*(...) change no count."""
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "__init__":
            if isinstance(func.value, ast.Call):
                return isinstance(func.value.func, ast.Name) and func.value.func.id == "super"
            return self.qualname(func.value) == "torch.nn.Module"  # nn.Module.__init__(self)
        if (self.qualname(func) or "").startswith("torch.nn.init."):
            self.check_opaque(call)
            return True
        return False

    def torch_forward(self, forward: ast.FunctionDef) -> list[Placed]:
        params = [a.arg for a in forward.args.posonlyargs + forward.args.args][1:]
        if not params:
            raise self.error("forward(self, x) must take the input tensor", forward)
        self.cur = params[0]
        placed: list[Placed] = []
        for stmt in forward.body:
            if _is_docstring(stmt) or isinstance(stmt, ast.Pass):
                continue
            if isinstance(stmt, ast.Return) and stmt.value is not None:
                return placed + self.chain(stmt.value)
            target = stmt.targets[0] if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else None
            value = stmt.value if isinstance(stmt, ast.Assign) else None
            if isinstance(target, ast.Name) and value is not None and self.is_batch(value):
                self.batch.add(target.id)
                continue
            if isinstance(target, (ast.Tuple, ast.List)) and value is not None and self.tuple_output(value):
                target = target.elts[0] if target.elts else None
            if isinstance(target, ast.Name) and value is not None:
                placed += self.chain(value)
                self.cur = target.id
                continue
            raise self.error(f"this statement is not supported in forward; {_FORWARD_RULE}", stmt)
        raise self.error(f"forward must end with return; {_FORWARD_RULE}", forward)

    def tuple_output(self, node: ast.expr) -> bool:
        func = node.func if isinstance(node, ast.Call) else None
        if not (isinstance(func, ast.Attribute) and _is_self(func.value) and self.members.get(func.attr)):
            return False
        return next(iter(self.members[func.attr][-1][0])) in sg.TUPLE_OUTPUT

    def chain(self, node: ast.expr) -> list[Placed]:
        """The layers applied by an expression of the running tensor, innermost first."""
        if isinstance(node, ast.Name):
            if node.id == self.cur:
                return []
            raise self.error(f"'{node.id}' is not the running tensor '{self.cur}'; {_FORWARD_RULE}", node)
        if isinstance(node, ast.Subscript) and self.tuple_output(node.value) and _is_int(node.slice, 0):
            return self.chain(node.value)
        if not isinstance(node, ast.Call):
            raise self.error(f"a {type(node).__name__} is not supported in forward; {_FORWARD_RULE}", node)
        self.no_star(node)
        func = node.func
        if isinstance(func, ast.Attribute) and _is_self(func.value):
            return self.member_call(node, func.attr)
        head, _, attr = (self.qualname(func) or "").rpartition(".")
        if (head, attr) == ("torch", "flatten") and node.args:
            return self.chain(node.args[0]) + self.flatten(node, node.args[1:])
        if (head == "torch.nn.functional" and attr in sg.FUNCTIONAL) or (head == "torch" and attr in _ACTIVATIONS):
            if not node.args:
                raise self.error(f"pass the running tensor first: {attr}({self.cur}, ...)", node)
            return self.chain(node.args[0]) + self.functional(node, attr, skip=1)
        if isinstance(func, ast.Attribute) and func.attr in _TENSOR_METHODS:
            base = self.chain(func.value)
            if func.attr in ("view", "reshape"):
                return base + self.view(node)
            if func.attr == "flatten":
                return base + self.flatten(node, node.args)
            if func.attr == "contiguous" and not node.args and not node.keywords:
                return base
            return base + self.functional(node, func.attr, skip=0)
        raise self.error(f"the call {self.segment(func)}(...) is not supported in forward; {_FORWARD_RULE}", node)

    def member_call(self, node: ast.Call, attr: str) -> list[Placed]:
        if attr not in self.members:
            raise self.error(f"self.{attr} is not a layer assigned in __init__ (self.{attr} = nn.Layer(...))", node)
        layers = self.members[attr]
        expected = 3 if layers and next(iter(layers[-1][0])) == "MultiheadAttention" else 1
        if node.keywords or len(node.args) != expected or not all(_same(a, node.args[0]) for a in node.args):
            raise self.error(f"supported: self.{attr}({', '.join([self.cur] * expected)})", node)
        return self.chain(node.args[0]) + self.produce(copy.deepcopy(layers))

    def functional(self, node: ast.Call, name: str, skip: int) -> list[Placed]:
        fn = sg.FUNCTIONAL[name]
        kwargs: dict[str, object] = {}
        for parameter, arg in self.arguments(node, name, sg.Signature(fn.positional), skip):
            if parameter not in fn.positional:
                raise self.unknown_argument(name, parameter, sg.Signature(fn.positional), arg)
            if parameter in fn.dropped:
                self.check_opaque(arg)
            else:
                kwargs[parameter] = self.value(arg, parameter, fn.layer)
        return self.produce([({fn.layer: kwargs}, node.lineno)])

    def flatten(self, node: ast.Call, args: list[ast.expr]) -> list[Placed]:
        dims: dict[str, object] = {"start_dim": 0, "end_dim": -1}
        for parameter, arg in [*zip(dims, args, strict=False), *((k.arg or "", k.value) for k in node.keywords)]:
            dims[parameter] = self.value(arg, parameter, "flatten")
        if dims != {"start_dim": 1, "end_dim": -1}:
            raise self.error(f"supported: flattening all but the batch dimension, torch.flatten({self.cur}, 1)", node)
        return self.produce([({"Flatten": {}}, node.lineno)])

    def view(self, node: ast.Call) -> list[Placed]:
        args = node.args
        if len(args) == 1 and isinstance(args[0], (ast.Tuple, ast.List)):
            args = args[0].elts
        rule = f"supported: {self.cur}.view({self.cur}.size(0), -1) or {self.cur}.view(-1, N) (flattening)"
        if node.keywords or len(args) != 2 or not (self.is_batch(args[0]) or _is_int(args[0], -1)):
            raise self.error(rule, node)
        size = -1 if _is_int(args[1], -1) else self.value(args[1], "size", "view")
        if not isinstance(size, int) or isinstance(size, bool) or size == 0 or size < -1 or _is_int(args[0], size):
            raise self.error(rule, node)
        return self.produce([({"Flatten": {}}, node.lineno)])

    def is_batch(self, node: ast.expr) -> bool:
        """x.size(0), x.shape[0] or a name bound to one of them."""
        if isinstance(node, ast.Name):
            return node.id in self.batch
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "size":
            return isinstance(node.func.value, ast.Name) and len(node.args) == 1 and _is_int(node.args[0], 0)
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "shape":
            return isinstance(node.value.value, ast.Name) and _is_int(node.slice, 0)
        return False

    # -- the input shape ------------------------------------------------------------
    def comment_shape(self) -> list[int | None] | None:
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(self.text).readline))
        except (tokenize.TokenError, SyntaxError):
            return None
        for token in tokens:
            if token.type != tokenize.COMMENT:
                continue
            for match in _COMMENT_SHAPE.finditer(token.string):
                items = [item.strip() for item in match.group(1).split(",") if item.strip()]
                if items and all(item.isdigit() or item in ("None", "null") for item in items):
                    dims = [None if not item.isdigit() else int(item) for item in items]
                    if all(d is None or d <= MAX_MAGNITUDE for d in dims):
                        return dims
        return None

    def example_input_shape(self) -> list[int | None] | None:
        """The shape of torch.randn(1, 3, 32, 32) (or of a constant tuple passed to it), batch dropped."""
        calls = [n for n in ast.walk(self.tree) if isinstance(n, ast.Call) and (self.qualname(n.func) or "") in _RANDOM_INPUTS]
        for call in sorted(calls, key=lambda n: (n.lineno, n.col_offset)):
            self.enter_scope(call)
            try:
                dims = [self.fold(arg) for arg in call.args]
            except (_NotConstantError, CodeReadError):
                continue
            if len(dims) == 1 and isinstance(dims[0], list):
                dims = dims[0]
            if len(dims) >= 2 and all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in dims):
                return [d for d in dims[1:] if isinstance(d, int)]
        return None


def _number(value: object, node: ast.AST) -> int | float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    raise _NotConstantError("+ - * // apply only to numbers here", node)


def _is_int(node: ast.AST, value: int) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _is_int(node.operand, -value)
    return isinstance(node, ast.Constant) and type(node.value) is int and node.value == value


def _is_self(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "self"


def _is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def _same(a: ast.AST, b: ast.AST) -> bool:
    return ast.dump(a) == ast.dump(b)


def _attr(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else ""


def _normalize(qualname: str) -> str:
    """tf.keras.layers.Dense, tf_keras.layers.Dense and keras.src.layers.Dense are keras.layers.Dense."""
    dotted = qualname + "."
    for old, new in _PREFIXES:
        if dotted.startswith(old):
            dotted = new + dotted[len(old) :]
    return dotted[:-1]
