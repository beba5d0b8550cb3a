"""The small, safe expression language of banks: derived parameters and constraints.

``k // 2``, ``(h - k + 2*p) % s == 0``, ``min(c_in, 16)``, ``k in [3, 5]``. Parsed with
Python's `ast` and checked against an allow-list of node types before anything runs; the
evaluator is a tree walk over that allow-list, so there is no `eval` and no attribute or
name outside the bank's parameters. Integers only (``/`` must divide evenly).

Every value the walk builds is size-checked before it exists: a 300-character expression
can otherwise ask for ``[0] * 10**9`` or ``'%0999999999d' % k`` (gigabytes). A failing
evaluation raises `ExprError`, which names the expression, the values it saw and the cause.
"""

from __future__ import annotations

__all__ = ["Compiled", "ExprError", "compile_expr"]

import ast
import operator
import reprlib
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
_SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**"}
_FUNCTIONS: dict[str, Callable[..., Any]] = {"min": min, "max": max, "abs": abs}
MAX_LENGTH = 300
# The largest value an expression may build: items of a list (nested lists counted whole),
# characters of a text, bits of an integer. Banks need small numbers and short lists; the
# power operator was already limited the same way (base up to 10**6, exponent up to 64).
MAX_ITEMS = 10_000
MAX_INT_BITS = 4096
_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 40
_SHORT.maxlist = 6


class ExprError(Exception):
    """An expression failed for one draw's values; ``str()`` names the expression, the values and the cause."""

    def __init__(self, text: str, values: Mapping[str, Any], cause: Exception) -> None:
        shown = ", ".join(f"{name}={_SHORT.repr(value)}" for name, value in sorted(values.items()))
        reason = str(cause) or type(cause).__name__
        if isinstance(cause, TypeError):
            reason = f"wrong type: {reason}"
        super().__init__(f"{text!r}" + (f" with {shown}" if shown else "") + f" fails: {reason}")


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
        try:
            return _eval(self.tree, values)
        except (ArithmeticError, ValueError, TypeError) as error:
            raise ExprError(self.text, {n: values[n] for n in self.names if n in values}, error) from None


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


def _size(value: Any) -> int:
    """How much a value holds; every value reaching here was already checked, so the walk is short."""
    if isinstance(value, (str, bytes)):
        return len(value)
    if isinstance(value, (list, tuple)):  # each item once, and a nested list's or text's own items too
        return len(value) + sum(_size(item) for item in value if isinstance(item, (str, bytes, list, tuple)))
    return 1


def _checked(value: Any) -> Any:
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise ValueError(f"an integer of more than {MAX_INT_BITS} bits is too large")
    if isinstance(value, (str, list)) and _size(value) > MAX_ITEMS:
        raise ValueError(f"a text or list of more than {MAX_ITEMS:,} items is too large")
    return value


def _binary(op: ast.operator, left: Any, right: Any) -> Any:
    if not isinstance(op, (ast.Add, ast.Mult)) and not (isinstance(left, int) and isinstance(right, int)):
        # Only + and * mean something for text and lists; % on text would format it ('%0999999999d' % k).
        raise TypeError(f"{_SYMBOLS[type(op)]} needs integers, got {type(left).__name__} and {type(right).__name__}")
    if isinstance(op, ast.Pow) and (not isinstance(right, int) or abs(right) > 64 or abs(left) > 10**6):
        raise ValueError("exponent too large")
    if isinstance(op, ast.Pow) and right < 0:
        # Python's 2 ** -1 is the float 0.5; bank values are whole numbers (as / is exact division).
        raise ValueError(f"{left} ** {right} is not a whole number (negative exponent)")
    if isinstance(op, ast.Mult):
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, (str, list)) and isinstance(count, int) and max(count, 0) * _size(seq) > MAX_ITEMS:
                raise ValueError(f"a text or list of more than {MAX_ITEMS:,} items is too large")
    return _checked(_BINARY[type(op)](left, right))


def _eval(node: ast.expr, values: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, (ast.List, ast.Tuple)):
        return _checked([_eval(e, values) for e in node.elts])
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values)
        return -operand if isinstance(node.op, ast.USub) else (not operand) if isinstance(node.op, ast.Not) else +operand
    if isinstance(node, ast.BinOp):
        return _binary(node.op, _eval(node.left, values), _eval(node.right, values))
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
