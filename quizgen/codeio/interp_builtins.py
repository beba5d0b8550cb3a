"""Python's builtins as the safe interpreter offers them: range, len, int, list, dict, zip, min, ...

Each is bounded like the rest of the interpreter (``range`` longer than ``MAX_ITEMS`` is refused).
"""

from __future__ import annotations

__all__ = ["BuiltinFunctions"]

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from quizgen.codeio.interp_support import _PLAIN, MAX_ITEMS, _Builtin, _is_number, _Super
from quizgen.codeio.values import Container, Instance, UserClass
from quizgen.errors import CodeReadError


class BuiltinFunctions:
    """Mixin for `Interpreter` (which provides error, describe, unpack, hashable, get_attr and the framework hooks)."""

    _self_stack: list[tuple[Instance, UserClass | None]]

    if TYPE_CHECKING:  # provided by Interpreter
        def error(self, message: str, node: ast.AST | None = None) -> CodeReadError:
            raise NotImplementedError

        def describe(self, value: Any) -> str:
            raise NotImplementedError

        def unpack(self, value: Any, count: int, node: ast.AST) -> list[Any]:
            raise NotImplementedError

        def hashable(self, value: Any, node: ast.AST) -> Any:
            raise NotImplementedError

        def get_attr(self, value: Any, attr: str, node: ast.AST) -> Any:
            raise NotImplementedError

    def _number(self, value: Any, node: ast.AST) -> Any:
        if not _is_number(value):
            raise self.error(f"expected a number, got {self.describe(value)}", node)
        return value

    def _iterable(self, value: Any, node: ast.AST) -> list[Any]:
        if isinstance(value, (list, tuple, str)):
            return list(value)
        if isinstance(value, dict):
            return list(value)
        if isinstance(value, range):
            return list(value)
        if isinstance(value, Container):
            return list(value.children.values())
        return self.framework_iter(value, node)

    def framework_iter(self, value: Any, node: ast.AST) -> list[Any]:
        raise self.error(f"iterating over {self.describe(value)} is not supported", node)

    def _range(self, node: ast.AST, args: list[Any], kwargs: dict[str, Any]) -> range:
        if kwargs or not 1 <= len(args) <= 3 or not all(isinstance(a, int) and not isinstance(a, bool) for a in args):
            raise self.error("range() takes one to three integers", node)
        result = range(*args)
        if len(result) > MAX_ITEMS:
            raise self.error(f"a loop of {len(result):,} iterations; at most {MAX_ITEMS:,} are supported", node)
        return result

    def _len(self, node: ast.AST, args: list[Any], kwargs: dict[str, Any]) -> int:
        value = args[0] if len(args) == 1 else None
        if isinstance(value, (list, tuple, str, dict, range)):
            return len(value)
        if isinstance(value, Container):
            return len(value.children)
        raise self.error(f"len() of {self.describe(value)} is not supported", node)

    def _int(self, node: ast.AST, args: list[Any], kwargs: dict[str, Any]) -> int:
        if len(args) == 1 and (_is_number(args[0]) or isinstance(args[0], str)):
            return int(args[0])
        raise self.error("int() takes one number", node)

    def _float(self, node: ast.AST, args: list[Any], kwargs: dict[str, Any]) -> float:
        if len(args) == 1 and (_is_number(args[0]) or isinstance(args[0], str)):
            return float(args[0])
        raise self.error("float() takes one number", node)

    def _str(self, node: ast.AST, args: list[Any], kwargs: dict[str, Any]) -> str:
        if len(args) == 1 and isinstance(args[0], _PLAIN):
            return str(args[0])
        raise self.error("str() takes one plain value", node)

    def _list(self, node: ast.AST, args: list[Any], kwargs: dict[str, Any]) -> list[Any]:
        return [] if not args else self._iterable(args[0], node)

    def _dict(self, node: ast.AST, args: list[Any], kwargs: dict[str, Any]) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        if args:
            source = args[0]
            pairs = list(source.items()) if isinstance(source, dict) else self._iterable(source, node)
            for pair in pairs:
                key, value = self.unpack(pair, 2, node)
                result[self.hashable(key, node)] = value
        result.update(kwargs)
        return result

    def _enumerate(self, node: ast.AST, args: list[Any], kwargs: dict[str, Any]) -> list[tuple[int, Any]]:
        start = args[1] if len(args) > 1 else kwargs.get("start", 0)
        return [(i + start, v) for i, v in enumerate(self._iterable(args[0], node))]

    def _zip(self, node: ast.AST, args: list[Any], kwargs: dict[str, Any]) -> list[tuple[Any, ...]]:
        return list(zip(*[self._iterable(a, node) for a in args], strict=False))

    def _minmax(self, function: Callable[..., Any]) -> Callable[[ast.AST, list[Any], dict[str, Any]], Any]:
        def run(node: ast.AST, args: list[Any], kwargs: dict[str, Any]) -> Any:
            items = self._iterable(args[0], node) if len(args) == 1 else args
            return function(self._number(item, node) for item in items)
        return run

    def _sum(self, node: ast.AST, args: list[Any], kwargs: dict[str, Any]) -> Any:
        return sum(self._number(item, node) for item in self._iterable(args[0], node))

    def _isinstance(self, node: ast.AST, args: list[Any], kwargs: dict[str, Any]) -> bool:
        value, kinds = args
        kinds = kinds if isinstance(kinds, tuple) else (kinds,)
        python = {"int": int, "float": float, "str": str, "list": list, "tuple": tuple, "dict": dict, "bool": bool}
        for kind in kinds:
            if isinstance(kind, _Builtin) and kind.name in python:
                if isinstance(value, python[kind.name]):
                    return True
            elif isinstance(kind, UserClass):
                if isinstance(value, Instance) and kind in value.cls.mro():
                    return True
            else:
                raise self.error(f"isinstance(..., {self.describe(kind)}) is not supported", node)
        return False

    def _hasattr(self, node: ast.AST, args: list[Any], kwargs: dict[str, Any]) -> bool:
        value, attr = args
        if isinstance(value, Instance) and isinstance(attr, str):
            return attr in value.attrs or attr in value.modules or value.cls.lookup(attr)[0]
        raise self.error("hasattr() is supported on objects of the file's classes only", node)

    def _getattr(self, node: ast.AST, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if len(args) in (2, 3) and isinstance(args[1], str) and not args[1].startswith("_"):
            if len(args) == 3 and isinstance(args[0], Instance) and not self._hasattr(node, args[:2], {}):
                return args[2]
            return self.get_attr(args[0], args[1], node)
        raise self.error("getattr(obj, 'name') with a plain name is supported", node)

    def _super(self, node: ast.AST, args: list[Any], kwargs: dict[str, Any]) -> _Super:
        if len(args) == 2 and isinstance(args[0], UserClass) and isinstance(args[1], Instance):
            return _Super(args[0], args[1])
        if not args and self.current_self is not None:
            return _Super(self.current_class or self.current_self.cls, self.current_self)
        raise self.error("super() is supported inside methods as super() or super(Class, self)", node)

    @property
    def current_self(self) -> Instance | None:
        return self._self_stack[-1][0] if self._self_stack else None

    @property
    def current_class(self) -> UserClass | None:
        return self._self_stack[-1][1] if self._self_stack else None



