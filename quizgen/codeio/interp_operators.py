"""Operators of the safe interpreter: arithmetic, comparisons, truth and subscripts on known values."""

from __future__ import annotations

__all__ = ["Operators"]

import ast
from typing import TYPE_CHECKING, Any

from quizgen.codeio.interp_support import _ARITH, _COMPARE, _PLAIN, MAX_ITEMS, _comparable, _is_number
from quizgen.codeio.values import Batch, Opaque, Tensor
from quizgen.errors import CodeReadError


class Operators:
    """Mixin for `Interpreter` (which provides error, segment, describe, bounded and eval)."""

    if TYPE_CHECKING:  # provided by Interpreter
        def error(self, message: str, node: ast.AST | None = None) -> CodeReadError:
            raise NotImplementedError

        def segment(self, node: ast.AST) -> str:
            raise NotImplementedError

        def describe(self, value: Any) -> str:
            raise NotImplementedError

        def bounded(self, value: Any, node: ast.AST) -> Any:
            raise NotImplementedError

        def eval(self, node: ast.expr, scope: dict[str, Any]) -> Any:
            raise NotImplementedError

    def binop(self, op: ast.operator, left: Any, right: Any, node: ast.AST, *, augmented: bool = False) -> Any:
        if isinstance(op, ast.Pow) and isinstance(right, (int, float)) and abs(right) > 64:
            raise self.error(f"the exponent {right} is out of range", node)
        if isinstance(op, ast.Mult) and isinstance(left, (list, tuple, str)) and isinstance(right, int) \
                and len(left) * max(right, 0) > MAX_ITEMS:  # refused before it is built
            raise self.error(f"a {type(left).__name__} of {len(left) * right:,} elements; at most {MAX_ITEMS:,} are supported", node)
        if isinstance(op, ast.Mult) and isinstance(right, (list, tuple, str)) and isinstance(left, int):
            return self.binop(op, right, left, node)
        function = _ARITH.get(type(op))
        ok_numbers = _is_number(left) and _is_number(right)
        ok_sequences = isinstance(op, ast.Add) and type(left) is type(right) and isinstance(left, (list, tuple, str))
        ok_repeat = isinstance(op, ast.Mult) and isinstance(left, (list, tuple, str)) and _is_number(right) and isinstance(right, int)
        ok_format = isinstance(op, ast.Mod) and isinstance(left, str)
        if function is not None and (ok_numbers or ok_sequences or ok_repeat or ok_format):
            if ok_format and not all(isinstance(v, _PLAIN) for v in (right if isinstance(right, tuple) else (right,))):
                raise self.error("% formatting needs plain values", node)
            try:
                result = function(left, right)
            except (ZeroDivisionError, OverflowError, TypeError, ValueError) as error:
                raise self.error(f"{self.segment(node)} fails: {error}", node) from None
            if augmented and isinstance(left, list) and isinstance(op, ast.Add):
                left[:] = result
                result = left
            return self.bounded(result, node)
        return self.tensor_binop(op, left, right, node)

    def tensor_binop(self, op: ast.operator, left: Any, right: Any, node: ast.AST) -> Any:
        """Hook: arithmetic on tensors (the framework mixins)."""
        raise self.error(f"the operator {type(op).__name__} on {self.describe(left)} and {self.describe(right)} is not supported", node)

    def unaryop(self, node: ast.UnaryOp, value: Any) -> Any:
        if isinstance(node.op, ast.Not):
            return not self.truth(value, node.operand)
        if _is_number(value):
            return self.bounded(-value if isinstance(node.op, ast.USub) else +value if isinstance(node.op, ast.UAdd) else ~value, node)
        if isinstance(value, Tensor) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return value  # a sign change keeps shape and counts
        raise self.error(f"the operator {type(node.op).__name__} on {self.describe(value)} is not supported", node)

    def compare(self, op: ast.cmpop, left: Any, right: Any, node: ast.AST) -> bool:
        if isinstance(op, (ast.Is, ast.IsNot)):
            return bool(_COMPARE[type(op)](left, right))
        if isinstance(op, (ast.Eq, ast.NotEq)) and not (_comparable(left) and _comparable(right)):
            if any(isinstance(v, (Tensor, Batch, Opaque)) for v in (left, right)):
                raise self.error(f"{self.segment(node)} depends on values known only when the model runs", node)
            return bool(_COMPARE[type(op)](left is right, True))
        if not (_comparable(left) and _comparable(right)):
            if isinstance(op, (ast.In, ast.NotIn)) and isinstance(right, (list, tuple, dict)):
                return bool(_COMPARE[type(op)](left, right))
            raise self.error(f"{self.segment(node)} compares values known only when the model runs", node)
        try:
            return bool(_COMPARE[type(op)](left, right))
        except TypeError as error:
            raise self.error(f"{self.segment(node)} fails: {error}", node) from None

    def truth(self, value: Any, node: ast.AST) -> bool:
        if isinstance(value, (Tensor, Batch)) or (isinstance(value, Opaque) and value.tensor):
            raise self.error(f"{self.segment(node)} depends on the values in a tensor, known only when the model runs", node)
        if isinstance(value, Opaque):
            raise self.error(f"{self.segment(node)} depends on {value.text}, known only when the model runs", node)
        return bool(value)

    def hashable(self, value: Any, node: ast.AST) -> Any:
        if isinstance(value, _PLAIN) or (isinstance(value, tuple) and all(isinstance(v, _PLAIN) for v in value)):
            return value
        raise self.error(f"{self.describe(value)} cannot be a dict key here", node)

    def subscript(self, value: Any, index_node: ast.expr, scope: dict[str, Any], node: ast.AST) -> Any:
        index = self.eval(index_node, scope)
        if isinstance(value, (list, tuple, str)):
            if isinstance(index, slice) or (isinstance(index, int) and not isinstance(index, bool) and -len(value) <= index < len(value)):
                return value[index]
            raise self.error(f"index {index!r} is out of range for {self.describe(value)}", node)
        if isinstance(value, dict):
            key = self.hashable(index, index_node)
            if key not in value:
                raise self.error(f"the key {key!r} is not in the dict", node)
            return value[key]
        return self.framework_subscript(value, index, node)

    def framework_subscript(self, value: Any, index: Any, node: ast.AST) -> Any:
        raise self.error(f"indexing {self.describe(value)} is not supported", node)

