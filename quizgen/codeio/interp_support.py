"""The interpreter's small parts: constants, control-flow signals, scopes and helper records.

Split from quizgen.codeio.interp so each module stays small; nothing here evaluates code.
"""

from __future__ import annotations

__all__ = ["DEFAULT_NAMES", "MAX_CALL_DEPTH", "MAX_ITEMS", "MAX_STEPS", "REQUIRED", "BudgetError", "Poisoned", "normalize"]

import ast
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from quizgen.codeio.values import Instance, UserClass
from quizgen.errors import CodeReadError

MAX_STEPS = 50_000
MAX_ITEMS = 10_000
MAX_CALL_DEPTH = 24

_ARITH: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
    ast.GtE: operator.ge, ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
    ast.Is: lambda a, b: a is b, ast.IsNot: lambda a, b: a is not b,
}
_PLAIN = (int, float, str, bool, type(None))
REQUIRED = object()  # a keyword-only parameter without a default
_ROOTS = ("torch", "keras", "tensorflow", "tf_keras", "collections", "math")
_PREFIXES = (("tensorflow.keras.", "keras."), ("tf_keras.", "keras."), ("keras.src.", "keras."), ("tensorflow.python.keras.", "keras."))
DEFAULT_NAMES = {"nn": "torch.nn", "F": "torch.nn.functional", "torch": "torch", "layers": "keras.layers", "keras": "keras",
                 "tf": "tensorflow"}


# Keras 2 code imports layers from their submodules (keras.layers.core.Dense, keras.layers.convolutional.Conv2D).
_KERAS2_MODULES = ("core", "convolutional", "pooling", "recurrent", "normalization", "merge", "embeddings",
                        "advanced_activations", "noise", "wrappers", "local", "convolutional_recurrent")


def normalize(qualname: str) -> str:
    dotted = qualname + "."
    for old, new in _PREFIXES:
        if dotted.startswith(old):
            dotted = new + dotted[len(old):]
    for module in _KERAS2_MODULES:
        if dotted.startswith(f"keras.layers.{module}."):
            dotted = "keras.layers." + dotted[len(f"keras.layers.{module}."):]
    return dotted[:-1]


@dataclass(frozen=True, slots=True)
class Poisoned:
    """A module-level name whose statement could not be read: using it raises that statement's error."""

    error: CodeReadError


class BudgetError(CodeReadError):
    """The step or call-depth budget ran out."""


class _Return(Exception):  # noqa: N818 - control flow, not an error
    def __init__(self, value: Any) -> None:
        self.value = value


class _Break(Exception):  # noqa: N818
    pass


class _Continue(Exception):  # noqa: N818
    pass


class _ChainScope(dict[str, Any]):
    """A function's local names over its enclosing scope (read through, written locally)."""

    def __init__(self, local: dict[str, Any], outer: dict[str, Any]) -> None:
        super().__init__()
        self.local = local
        self.outer = outer

    def __contains__(self, key: object) -> bool:
        return key in self.local or key in self.outer

    def __getitem__(self, key: str) -> Any:
        return self.local[key] if key in self.local else self.outer[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.local[key] = value

    def get(self, key: str, default: Any = None) -> Any:
        return self.get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self.local)


@dataclass(frozen=True, slots=True)
class _Builtin:
    name: str


@dataclass(frozen=True, slots=True)
class _Super:
    cls: UserClass
    instance: Instance


@dataclass(frozen=True, slots=True)
class _FrameworkInit:
    instance: Instance


@dataclass(frozen=True, slots=True)
class _BoundBuiltin:
    owner: Any
    method: str


_METHODS: dict[type, tuple[str, ...]] = {
    list: ("append", "extend", "insert", "pop", "index", "copy"),
    dict: ("items", "keys", "values", "get", "update", "copy"),
    str: ("format", "lower", "upper", "startswith", "endswith", "replace", "join", "split"),
}


def _is_number(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)) or isinstance(value, bool)


def _comparable(value: Any) -> bool:
    return isinstance(value, _PLAIN) or (isinstance(value, (list, tuple)) and all(_comparable(v) for v in value))


def _load(target: ast.expr) -> ast.expr:
    return _relocate(ast.parse(ast.unparse(target), mode="eval").body, target)


def _relocate(node: ast.expr, like: ast.expr) -> ast.expr:
    for sub in ast.walk(node):
        if isinstance(sub, (ast.expr, ast.stmt)):
            sub.lineno, sub.col_offset = like.lineno, like.col_offset
    return node


def _touched(stmt: ast.stmt) -> set[str]:
    """Names a failed module-level statement binds or calls methods on (they cannot be trusted after it)."""
    names: set[str] = set()
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            base = node.func.value
            while isinstance(base, (ast.Attribute, ast.Subscript)):
                base = base.value
            if isinstance(base, ast.Name) and node.func.attr not in _BENIGN_METHODS:
                names.add(base.id)
        elif isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, ast.Store):
            base = node.value
            while isinstance(base, (ast.Attribute, ast.Subscript)):
                base = base.value
            if isinstance(base, ast.Name):
                names.add(base.id)
    return names


# Methods of a model that training scripts call and that change no layer (compile, fit, print).
_BENIGN_METHODS = frozenset({"compile", "fit", "evaluate", "predict", "summary", "save", "save_weights", "load_weights", "to",
                             "cuda", "cpu", "train", "eval", "load_state_dict", "state_dict", "parameters", "named_parameters",
                             "zero_grad", "step", "backward", "item", "print", "format", "apply", "plot_model", "count_params"})


def _harmless_decorator(node: ast.expr) -> bool:
    return False

