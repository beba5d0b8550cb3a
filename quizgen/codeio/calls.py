"""Names and calls: which framework class a callee is, and the arguments of a layer call.

Shared by the Keras and the PyTorch readers: imports and aliases resolve a callee to its
canonical name (``keras.layers.Dense``, ``torch.nn.Conv2d``); a layer call's arguments are
matched against the real signature (quizgen.codeio.signatures) and folded to constants, or
kept as source text when they change no count or shape.
"""

from __future__ import annotations

__all__ = ["MAX_LAYERS", "SIGNATURES_MODULE", "SUPPORTED_MODELS", "CallReader", "Layer", "Placed", "checked_shape"]

import ast
from collections.abc import Iterator

from quizgen.codeio import signatures as sg
from quizgen.codeio.folding import NotConstantError, SourceReader
from quizgen.errors import CodeReadError

MAX_LAYERS = 2_000

SUPPORTED_MODELS = (
    "supported models are Keras Sequential([...]) or model = Sequential(); model.add(...), "
    "and PyTorch nn.Sequential(...) or an nn.Module subclass with __init__ and forward"
)
SIGNATURES_MODULE = "quizgen.codeio.signatures"
_CONSTANT_RULE = "it must be a literal, a constant defined in this file, or + - * // of them"
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
_OPAQUE_FORBIDDEN = (ast.Lambda, ast.NamedExpr, ast.comprehension, ast.Await, ast.Yield, ast.YieldFrom)

Layer = dict[str, object]
Placed = tuple[Layer, int]  # a layer mapping and the source line that creates it


def checked_shape(value: object, node: ast.AST | None, reader: SourceReader) -> list[int | None]:
    """An input shape (batch excluded) as a list of sizes; an int is a one-dimensional shape."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list) or not all(d is None or (isinstance(d, int) and not isinstance(d, bool) and d >= 0) for d in value):
        raise reader.error(f"an input shape must be a list of sizes (int or None), got {value!r}", node)
    return value


class CallReader(SourceReader):
    """Resolves callees through the file's imports and reads the arguments of layer calls."""

    def __init__(self, source: str, filename: str) -> None:
        super().__init__(source, filename)
        self.aliases, roots = self._imports()
        self.guess = self._guess(roots)
        self.count = 0
        self.placed: list[Placed] = []  # Keras layers read so far
        self.shape: list[int | None] | None = None

    # -- names ------------------------------------------------------------------------
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

    # -- arguments --------------------------------------------------------------------
    def value(self, node: ast.expr, parameter: str, layer: str) -> object:
        try:
            return self.fold(node)
        except NotConstantError as exc:
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

    # -- layers -----------------------------------------------------------------------
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
        return {sg.PYTORCH_LAZY.get(name, name) if framework == "pytorch" else name: kwargs}

    def keras_shape(self, parameter: str, node: ast.expr) -> None:
        if self.placed or self.shape is not None:
            return  # Keras ignores input_shape= after the first layer
        try:
            value = self.fold(node)
        except NotConstantError:
            self.check_opaque(node)  # e.g. x_train.shape[1:]: the caller must give the shape
            return
        if parameter.startswith("batch") and isinstance(value, list):
            value = value[1:]
        self.shape = checked_shape(value, node, self)


# Keras 2 code imports layers from their submodules (keras.layers.core.Dense, keras.layers.convolutional.Conv2D).
_KERAS2_MODULES = ("core", "convolutional", "pooling", "recurrent", "normalization", "merge", "embeddings",
                        "advanced_activations", "noise", "wrappers", "local", "convolutional_recurrent")


def _normalize(qualname: str) -> str:
    """tf.keras.layers.Dense, tf_keras.layers.Dense and keras.src.layers.Dense are keras.layers.Dense."""
    dotted = qualname + "."
    for old, new in _PREFIXES:
        if dotted.startswith(old):
            dotted = new + dotted[len(old) :]
    for module in _KERAS2_MODULES:
        if dotted.startswith(f"keras.layers.{module}."):
            dotted = "keras.layers." + dotted[len(f"keras.layers.{module}.") :]
    return dotted[:-1]
