"""The small, safe expression language of banks: derived parameters and constraints.

``k // 2``, ``(h - k + 2*p) % s == 0``, ``min(c_in, 16)``, ``k in [3, 5]``. Parsed with
Python's `ast` and checked against an allow-list of node types before anything runs; the
evaluator is a tree walk over that allow-list, so there is no `eval` and no attribute or
name outside the bank's parameters. Integers only (``/`` must divide evenly).
"""

from __future__ import annotations

__all__ = ["Compiled", "compile_expr"]

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import BankError

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod, ast.Pow: operator.pow,
}
_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
    ast.GtE: operator.ge, ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}
_FUNCTIONS: dict[str, Callable[..., Any]] = {"min": min, "max": max, "abs": abs}
MAX_LENGTH = 300


def _exact_div(a: int, b: int) -> int:
    if b == 0 or a % b:
        raise ValueError(f"{a}/{b} does not divide evenly (use // for floor division)")
    return a // b


_BINARY[ast.Div] = _exact_div


@dataclass(frozen=True, slots=True)
class Compiled:
    text: str
    tree: ast.expr
    names: frozenset[str]

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        return _eval(self.tree, values)


def compile_expr(text: str, known: frozenset[str] | set[str], where: str) -> Compiled:
    """Parse and check an expression; unknown names and disallowed syntax are BankErrors."""
    if not isinstance(text, str) or not text.strip():
        raise BankError(f"{where}: expected an expression as text, got {text!r}")
    if len(text) > MAX_LENGTH:
        raise BankError(f"{where}: expression longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as error:
        raise BankError(f"{where}: cannot parse {text!r}: {error.msg}") from None
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if node.id not in known and node.id not in _FUNCTIONS:
                raise BankError(f"{where}: unknown name {node.id!r} in {text!r} (known parameters: {', '.join(sorted(known)) or 'none'})")
            names.add(node.id)
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS or node.keywords:
                raise BankError(f"{where}: only min(), max() and abs() may be called, in {text!r}")
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, str)):
                raise BankError(f"{where}: only integers and text are allowed as constants, in {text!r}")
        elif not isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp, ast.IfExp, ast.List, ast.Tuple,
                                   ast.Load, ast.USub, ast.UAdd, ast.Not, ast.And, ast.Or, *_BINARY, *_COMPARE)):
            raise BankError(f"{where}: {type(node).__name__} is not allowed in bank expressions, in {text!r}")
    return Compiled(text, tree, frozenset(names - set(_FUNCTIONS)))


def _eval(node: ast.expr, values: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_eval(e, values) for e in node.elts]
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values)
        return -operand if isinstance(node.op, ast.USub) else (not operand) if isinstance(node.op, ast.Not) else +operand
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, values), _eval(node.right, values)
        if isinstance(node.op, ast.Pow) and (not isinstance(right, int) or abs(right) > 64 or abs(left) > 10**6):
            raise ValueError("exponent too large")
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, values)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _eval(comparator, values)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.BoolOp):
        results = (_eval(v, values) for v in node.values)
        return all(results) if isinstance(node.op, ast.And) else any(results)
    if isinstance(node, ast.IfExp):
        return _eval(node.body, values) if _eval(node.test, values) else _eval(node.orelse, values)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return _FUNCTIONS[node.func.id](*(_eval(a, values) for a in node.args))
    raise ValueError(f"unsupported expression node {type(node).__name__}")
