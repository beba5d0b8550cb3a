"""The static reader's ground floor: the parsed source, errors located in it, and constant folding.

A `SourceReader` parses the source once (refusing dynamic code and deep nesting), turns any
node into a `CodeReadError` at its line and column in the original text, and folds the
constants the model code defines (``+ - * //`` on literals) into an environment, scope by scope.
"""

from __future__ import annotations

__all__ = ["MAX_DEPTH", "MAX_MAGNITUDE", "Env", "NotConstantError", "SourceReader", "Unknown"]

import ast
import copy
import math
import re
import textwrap
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

from quizgen.errors import CodeReadError, Location

MAX_MAGNITUDE = 10**9
MAX_DEPTH = 50

_DYNAMIC = frozenset({"__import__", "exec", "eval", "compile", "breakpoint"})
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.FloorDiv: "//"}


class NotConstantError(Exception):
    """A node that does not fold to a constant; ``reason`` says why, ``node`` where."""

    def __init__(self, reason: str, node: ast.AST) -> None:
        super().__init__(reason)
        self.reason = reason
        self.node = node


@dataclass(frozen=True, slots=True)
class Unknown:
    """An environment entry that is not a constant, and why."""

    reason: str
    error: CodeReadError | None = None


Env = dict[str, object]


class SourceReader:
    """The parsed source, with the constants of its module (and, on entering a scope, of its functions) in ``env``."""

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
        self.env: Env = {}
        self._collect(self.tree.body)
        self.module_env = self.env

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

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        parent = self.parents.get(node)
        while parent is not None:
            yield parent
            parent = self.parents.get(parent)

    # -- constants --------------------------------------------------------------------
    def fold(self, node: ast.AST) -> object:
        if isinstance(node, ast.Constant):
            if node.value is None or isinstance(node.value, (bool, str)):
                return node.value
            if isinstance(node.value, (int, float)):
                return self._bounded(node.value, node)
            raise NotConstantError(f"{type(node.value).__name__} literals are not supported", node)
        if isinstance(node, (ast.Tuple, ast.List)):
            return [self.fold(item) for item in node.elts]
        if isinstance(node, ast.Name) or (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"):
            key = node.id if isinstance(node, ast.Name) else f"self.{node.attr}"
            if key not in self.env:
                raise NotConstantError(f"'{key}' is not a constant defined in this file", node)
            known = self.env[key]
            if isinstance(known, Unknown):
                if known.error is not None:
                    raise known.error
                raise NotConstantError(known.reason, node)
            return copy.deepcopy(known)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = _number(self.fold(node.operand), node)
            return self._bounded(-operand if isinstance(node.op, ast.USub) else operand, node)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            a, b = _number(self.fold(node.left), node), _number(self.fold(node.right), node)
            if isinstance(node.op, ast.FloorDiv):
                if b == 0:
                    raise NotConstantError("division by zero", node)
                return self._bounded(a // b, node)
            return self._bounded(a + b if isinstance(node.op, ast.Add) else a - b if isinstance(node.op, ast.Sub) else a * b, node)
        if isinstance(node, ast.Call):
            raise NotConstantError(f"the call {self.segment(node.func)}(...) is not supported here", node)
        if isinstance(node, ast.BinOp):
            raise NotConstantError(f"operator {type(node.op).__name__} is not supported (only + - * //)", node)
        raise NotConstantError(f"a {type(node).__name__} expression is not supported here", node)

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
                self.env[stmt.target.id] = Unknown(f"'{stmt.target.id}' changes (line {stmt.lineno})")
            elif isinstance(stmt, ast.If):
                # Which branch runs is not known here (K.image_data_format() == 'channels_first'):
                # a name the branches set differently is not a constant; never the last one silently.
                before = dict(self.env)
                self._collect(stmt.body)
                taken = self.env
                self.env = dict(before)
                self._collect(stmt.orelse)
                for name in set(taken) | set(self.env):
                    if taken.get(name, before.get(name)) != self.env.get(name, before.get(name)):
                        self.env[name] = Unknown(f"'{name}' is set differently in the branches of the if on line {stmt.lineno}")
            elif isinstance(stmt, (ast.With, ast.Try)):
                for block in (stmt.body, getattr(stmt, "orelse", []), getattr(stmt, "finalbody", [])):
                    self._collect(block)

    def _assign(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            values = value.elts if isinstance(value, (ast.Tuple, ast.List)) else None
            for i, item in enumerate(target.elts):
                if values is not None and len(values) == len(target.elts):
                    self._assign(item, values[i])
                elif isinstance(item, ast.Name):
                    self.env[item.id] = Unknown(f"'{item.id}' is unpacked from {self.segment(value)}")
            return
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
            key = f"self.{target.attr}"
        elif isinstance(target, ast.Name):
            key = target.id
        else:
            return
        try:
            self.env[key] = self.fold(value)
        except NotConstantError as exc:
            self.env[key] = Unknown(f"'{key}' is not a constant ({exc.reason}, line {value.lineno})")
        except CodeReadError as exc:
            self.env[key] = Unknown(exc.bare_message, exc)

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
                self.env[arg.arg] = Unknown(f"'{arg.arg}' is a parameter of {function.name}() without a default value")
            else:
                self._assign(ast.Name(arg.arg, ast.Store()), default)


def _number(value: object, node: ast.AST) -> int | float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    raise NotConstantError("+ - * // apply only to numbers here", node)
