"""A small interpreter for the safe subset of Python that model definitions are written in.

It walks the :mod:`ast` of the file; nothing is imported, compiled or run. Supported:
constants, arithmetic, strings, lists/tuples/dicts, ``for`` over ranges, lists, dicts and
module containers, ``if`` on values known while reading, comprehensions, f-strings,
functions, methods and classes defined in the same file (defaults, ``*args``/``**kwargs``,
closures, ``super().__init__``), and the framework calls of quizgen.codeio.interp_torch and
interp_keras. Everything else raises a ``CodeReadError`` naming the line, the column and
the construct. Budgets keep hostile code harmless: at most ``MAX_STEPS`` evaluation steps,
``MAX_ITEMS`` elements in a list or range and ``MAX_CALL_DEPTH`` nested calls.
"""

from __future__ import annotations

__all__ = ["MAX_CALL_DEPTH", "MAX_ITEMS", "MAX_STEPS", "BudgetError", "Interpreter", "Poisoned"]

import ast
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from quizgen.codeio.folding import MAX_MAGNITUDE, SourceReader
from quizgen.codeio.interp_builtins import BuiltinFunctions
from quizgen.codeio.interp_operators import Operators
from quizgen.codeio.interp_support import (
    _METHODS,
    _PLAIN,
    _ROOTS,
    DEFAULT_NAMES,
    MAX_CALL_DEPTH,
    MAX_ITEMS,
    MAX_STEPS,
    REQUIRED,
    BudgetError,
    Poisoned,
    _BoundBuiltin,
    _Break,
    _Builtin,
    _ChainScope,
    _Continue,
    _FrameworkInit,
    _harmless_decorator,
    _load,
    _Return,
    _Super,
    _touched,
    normalize,
)
from quizgen.codeio.values import (
    BoundMethod,
    Container,
    External,
    Function,
    Instance,
    Layer,
    Opaque,
    Ref,
    Tensor,
    UserClass,
)
from quizgen.errors import CodeReadError


class Interpreter(Operators, BuiltinFunctions, SourceReader):
    """Evaluates the file's statements; the framework mixins give meaning to framework calls."""

    def __init__(self, source: str, filename: str) -> None:
        super().__init__(source, filename)
        self.steps = 0
        self.depth = 0
        self.globals: dict[str, Any] = {}
        self.notes: list[str] = []
        self._self_stack: list[tuple[Instance, UserClass | None]] = []
        self._well_known_scope: dict[str, Any]
        self.builtins: dict[str, Callable[[ast.AST, list[Any], dict[str, Any]], Any]] = {
            "range": self._range, "len": self._len, "int": self._int, "float": self._float, "str": self._str,
            "bool": lambda n, a, k: bool(*a), "list": self._list, "tuple": lambda n, a, k: tuple(self._list(n, a, k)),
            "dict": self._dict, "enumerate": self._enumerate, "zip": self._zip, "max": self._minmax(max),
            "min": self._minmax(min), "sum": self._sum, "abs": lambda n, a, k: abs(self._number(a[0], n)),
            "round": lambda n, a, k: round(*[self._number(x, n) for x in a]), "isinstance": self._isinstance,
            "print": lambda n, a, k: None, "reversed": lambda n, a, k: list(reversed(self._iterable(a[0], n))),
            "sorted": lambda n, a, k: sorted(self._iterable(a[0], n)), "any": lambda n, a, k: any(self._iterable(a[0], n)),
            "all": lambda n, a, k: all(self._iterable(a[0], n)), "hasattr": self._hasattr, "getattr": self._getattr,
            "super": self._super, "divmod": lambda n, a, k: divmod(self._number(a[0], n), self._number(a[1], n)),
        }

    # -- budgets and errors -------------------------------------------------------------------
    def refuse(self, message: str, node: ast.AST | None) -> NoReturn:
        raise self.error(message, node)

    def tick(self, node: ast.AST) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise self.budget_error(f"reading the model takes more than {MAX_STEPS:,} steps; this is not supported (a huge loop?)", node)

    def budget_error(self, message: str, node: ast.AST) -> CodeReadError:
        """A budget ran out: reading stops here, whatever statement it was in (hostile code gets no second run)."""
        error = self.error(message, node)
        return BudgetError(error.bare_message, error.location)

    def bounded(self, value: Any, node: ast.AST) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)) and (not math.isfinite(value) or abs(value) > MAX_MAGNITUDE):
            raise self.error(f"the number {value!r} is out of range; numbers up to 10**9 are supported", node)
        if isinstance(value, (list, tuple, str, dict)) and len(value) > MAX_ITEMS:
            raise self.error(f"a {type(value).__name__} of {len(value):,} elements; at most {MAX_ITEMS:,} are supported", node)
        return value

    # -- module level -------------------------------------------------------------------------
    def run_module(self) -> None:
        """Run the module's statements; one that cannot be read poisons the names it binds or changes."""
        for stmt in self.tree.body:
            try:
                self.exec_stmt(stmt, self.globals)
            except BudgetError:
                raise
            except CodeReadError as error:
                for name in _touched(stmt):
                    self.globals[name] = Poisoned(error)

    def import_stmt(self, stmt: ast.Import | ast.ImportFrom, scope: dict[str, Any]) -> None:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    scope[alias.asname] = self._imported(alias.name, alias.name)
                else:
                    top = alias.name.split(".")[0]
                    scope[top] = self._imported(top, top)
            return
        module = stmt.module or ""
        for alias in stmt.names:
            if alias.name == "*":
                if module.split(".")[0] in _ROOTS:
                    continue  # `from keras.layers import *`: bare names resolve through the framework guess
                raise self.error(f"'from {module} import *' is not supported: the names it brings cannot be known", stmt)
            full = f"{module}.{alias.name}" if not stmt.level else alias.name
            scope[alias.asname or alias.name] = self._imported(full, module if not stmt.level else "." + module)

    def _imported(self, full: str, module: str) -> Any:
        name = normalize(full)
        if name.split(".")[0] in _ROOTS:
            return Ref(name)
        return External(full.rpartition(".")[2] or full, module)

    # -- statements -------------------------------------------------------------------------
    def exec_block(self, body: list[ast.stmt], scope: dict[str, Any]) -> None:
        for stmt in body:
            self.exec_stmt(stmt, scope)

    def exec_stmt(self, stmt: ast.stmt, scope: dict[str, Any]) -> None:
        self.tick(stmt)
        if isinstance(stmt, ast.Expr):
            if not (isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)):
                self.eval(stmt.value, scope)
        elif isinstance(stmt, ast.Assign):
            value = self.eval(stmt.value, scope)
            for target in stmt.targets:
                self.assign(target, value, scope)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                self.assign(stmt.target, self.eval(stmt.value, scope), scope)
        elif isinstance(stmt, ast.AugAssign):
            current = self.eval(_load(stmt.target), scope)
            self.assign(stmt.target, self.binop(stmt.op, current, self.eval(stmt.value, scope), stmt, augmented=True), scope)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            self.import_stmt(stmt, scope)
        elif isinstance(stmt, ast.FunctionDef):
            scope[stmt.name] = self.define(stmt, scope)
        elif isinstance(stmt, ast.ClassDef):
            scope[stmt.name] = self.define_class(stmt, scope)
        elif isinstance(stmt, ast.If):
            self.exec_block(stmt.body if self.truth(self.eval(stmt.test, scope), stmt.test) else stmt.orelse, scope)
        elif isinstance(stmt, ast.For):
            self.for_loop(stmt, scope)
        elif isinstance(stmt, ast.Return):
            raise _Return(None if stmt.value is None else self.eval(stmt.value, scope))
        elif isinstance(stmt, ast.Pass):
            pass
        elif isinstance(stmt, ast.Break):
            raise _Break
        elif isinstance(stmt, ast.Continue):
            raise _Continue
        elif isinstance(stmt, ast.Assert):
            if not self.truth(self.eval(stmt.test, scope), stmt.test):
                raise self.error(f"the assertion {self.segment(stmt.test)} fails for these arguments", stmt)
        elif isinstance(stmt, ast.Raise):
            raise self.error(f"the code raises {self.segment(stmt.exc) if stmt.exc else 'an error'} here for these arguments", stmt)
        elif isinstance(stmt, ast.Global | ast.Nonlocal):
            raise self.error(f"'{type(stmt).__name__.lower()}' is not supported", stmt)
        else:
            raise self.error(f"a {type(stmt).__name__} statement is not supported (supported: assignments, if, for, def, class, "
                        "return)", stmt)

    def for_loop(self, stmt: ast.For, scope: dict[str, Any]) -> None:
        if stmt.orelse:
            raise self.error("for ... else is not supported", stmt.orelse[0])
        for item in self._iterable(self.eval(stmt.iter, scope), stmt.iter):
            self.assign(stmt.target, item, scope)
            try:
                self.exec_block(stmt.body, scope)
            except _Break:
                break
            except _Continue:
                continue

    def assign(self, target: ast.expr, value: Any, scope: dict[str, Any]) -> None:
        if isinstance(target, ast.Name):
            scope[target.id] = self.named(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = self.unpack(value, len(target.elts), target)
            for sub, item in zip(target.elts, items, strict=True):
                self.assign(sub, item, scope)
        elif isinstance(target, ast.Attribute):
            if target.attr.startswith("__"):
                raise self.error(f"'{target.attr}' is not supported", target)
            self.set_attr(self.eval(target.value, scope), target.attr, value, target)
        elif isinstance(target, ast.Subscript):
            owner, key = self.eval(target.value, scope), self.eval(target.slice, scope)
            if isinstance(owner, list) and isinstance(key, int) and not isinstance(key, bool) and -len(owner) <= key < len(owner):
                owner[key] = value
            elif isinstance(owner, dict) and isinstance(key, _PLAIN):
                owner[key] = value
                self.bounded(owner, target)
            else:
                raise self.error(f"assigning to {self.segment(target)} is not supported", target)
        else:
            raise self.error(f"assigning to a {type(target).__name__} is not supported", target)

    def named(self, name: str, value: Any) -> Any:
        """Hook: a value bound to a variable (keras.Input takes the variable's name)."""
        return value

    def unpack(self, value: Any, count: int, node: ast.AST) -> list[Any]:
        items = list(value) if isinstance(value, (list, tuple)) else None
        if items is None or len(items) != count:
            raise self.error(f"cannot unpack {self.describe(value)} into {count} names", node)
        return items

    # -- definitions ------------------------------------------------------------------------
    def define(self, node: ast.FunctionDef, scope: dict[str, Any], owner: UserClass | None = None) -> Function:
        if node.decorator_list and not all(_harmless_decorator(d) for d in node.decorator_list):
            raise self.error(f"the decorator @{self.segment(node.decorator_list[0])} is not supported", node.decorator_list[0])
        defaults = tuple(self.eval(d, scope) for d in node.args.defaults)
        kw_defaults = tuple(REQUIRED if d is None else self.eval(d, scope) for d in node.args.kw_defaults)
        closure = scope if scope is not self.globals and owner is None else None
        return Function(node, defaults, kw_defaults, closure, owner)

    def define_class(self, node: ast.ClassDef, scope: dict[str, Any]) -> UserClass:
        if node.keywords or node.decorator_list:
            raise self.error("class keywords and decorators are not supported", node)
        bases = tuple(self.eval(b, scope) for b in node.bases)
        for base, expr in zip(bases, node.bases, strict=True):
            if not isinstance(base, (UserClass, Ref)):
                raise self.error(f"the base class {self.segment(expr)} is not defined in this file nor a framework class", expr)
        cls = UserClass(node, bases, {})
        body: dict[str, Any] = {}
        for stmt in node.body:
            self.tick(stmt)
            if isinstance(stmt, ast.FunctionDef):
                body[stmt.name] = self.define(stmt, scope, cls)
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.Expr, ast.Pass)):
                class_scope = _ChainScope(body, scope)
                self.exec_stmt(stmt, class_scope)
            else:
                raise self.error(f"a {type(stmt).__name__} in a class body is not supported", stmt)
        cls.attrs.update(body)
        return cls

    # -- calls of the file's functions -----------------------------------------------------------
    def call_function(self, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST,
                      self_value: Any = None) -> Any:
        self.depth += 1
        if self.depth > MAX_CALL_DEPTH:
            raise self.budget_error(f"calls nest deeper than {MAX_CALL_DEPTH} (does {_shown(fn)}() call itself?)", node)
        pushed = isinstance(self_value, Instance)
        if pushed:
            self._self_stack.append((self_value, fn.owner))
        try:
            scope = self.bind(fn, ([self_value] if self_value is not None else []) + args, kwargs, node)
            try:
                self.exec_block(fn.node.body, scope)
            except _Return as result:
                return result.value
            except (_Break, _Continue):
                raise self.error("break/continue outside a loop", fn.node) from None
            return None
        finally:
            self.depth -= 1
            if pushed:
                self._self_stack.pop()

    def bind(self, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> dict[str, Any]:
        spec = fn.node.args
        positional = [a.arg for a in spec.posonlyargs + spec.args]
        scope = _ChainScope({}, fn.closure if fn.closure is not None else self.globals)
        first_default = len(positional) - len(fn.defaults)
        extra = args[len(positional):]
        for i, name in enumerate(positional):
            if i < len(args):
                scope[name] = args[i]
        if extra and spec.vararg is None:
            raise self.error(f"{_shown(fn)}() takes {len(positional)} positional arguments but {len(args)} were given", node)
        if spec.vararg is not None:
            scope[spec.vararg.arg] = tuple(extra)
        leftover: dict[str, Any] = {}
        kwonly = [a.arg for a in spec.kwonlyargs]
        for key, value in kwargs.items():
            if key in positional[: len(args)]:
                raise self.error(f"{_shown(fn)}() got {key} twice", node)
            if key in positional or key in kwonly:
                scope[key] = value
            elif spec.kwarg is not None:
                leftover[key] = value
            else:
                raise self.error(f"{_shown(fn)}() has no argument {key!r}", node)
        for i, name in enumerate(positional):
            if name not in scope.local:
                if i < first_default:
                    raise self.error(f"{_shown(fn)}() needs the argument {name!r}", node)
                scope[name] = fn.defaults[i - first_default]
        for name, default in zip(kwonly, fn.kw_defaults, strict=True):
            if name not in scope.local:
                if default is REQUIRED:
                    raise self.error(f"{_shown(fn)}() needs the keyword argument {name!r}", node)
                scope[name] = default
        if spec.kwarg is not None:
            scope[spec.kwarg.arg] = leftover
        return scope

    # -- expressions --------------------------------------------------------------------------
    def eval(self, node: ast.expr, scope: dict[str, Any]) -> Any:
        self.tick(node)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, (bytes, complex)) or node.value is Ellipsis:
                raise self.error(f"{type(node.value).__name__} literals are not supported", node)
            return self.bounded(node.value, node)
        if isinstance(node, ast.Name):
            return self.lookup(node.id, scope, node)
        if isinstance(node, ast.Attribute):
            if node.attr.startswith("__") and node.attr != "__init__":
                    raise self.error(f"'{node.attr}' is not supported", node)
            return self.get_attr(self.eval(node.value, scope), node.attr, node)
        if isinstance(node, (ast.List, ast.Tuple)):
            items: list[Any] = []
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    items += self._iterable(self.eval(element.value, scope), element)
                else:
                    items.append(self.eval(element, scope))
            self.bounded(items, node)
            return items if isinstance(node, ast.List) else tuple(items)
        if isinstance(node, ast.Dict):
            result: dict[Any, Any] = {}
            for key, value in zip(node.keys, node.values, strict=True):
                if key is None:
                    unpacked = self.eval(value, scope)
                    if not isinstance(unpacked, dict):
                        raise self.error(f"** needs a dict, got {self.describe(unpacked)}", value)
                    result.update(unpacked)
                else:
                    result[self.hashable(self.eval(key, scope), key)] = self.eval(value, scope)
            return self.bounded(result, node)
        if isinstance(node, ast.BinOp):
            return self.binop(node.op, self.eval(node.left, scope), self.eval(node.right, scope), node)
        if isinstance(node, ast.UnaryOp):
            return self.unaryop(node, self.eval(node.operand, scope))
        if isinstance(node, ast.BoolOp):
            last: Any = None
            for operand in node.values:
                last = self.eval(operand, scope)
                truth = self.truth(last, operand)
                if (isinstance(node.op, ast.And) and not truth) or (isinstance(node.op, ast.Or) and truth):
                    return last
            return last
        if isinstance(node, ast.Compare):
            left = self.eval(node.left, scope)
            for op, right_node in zip(node.ops, node.comparators, strict=True):
                right = self.eval(right_node, scope)
                if not self.compare(op, left, right, node):
                    return False
                left = right
            return True
        if isinstance(node, ast.IfExp):
            return self.eval(node.body if self.truth(self.eval(node.test, scope), node.test) else node.orelse, scope)
        if isinstance(node, ast.Call):
            return self.call_node(node, scope)
        if isinstance(node, ast.Subscript):
            return self.subscript(self.eval(node.value, scope), node.slice, scope, node)
        if isinstance(node, ast.Slice):
            parts = [None if p is None else self.eval(p, scope) for p in (node.lower, node.upper, node.step)]
            if not all(p is None or (isinstance(p, int) and not isinstance(p, bool)) for p in parts):
                raise self.error("slice bounds must be integers", node)
            return slice(*parts)
        if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            out: list[Any] = []
            self.comprehension(node.generators, 0, _ChainScope({}, scope), lambda s: out.append(self.eval(node.elt, s)), node)
            return out
        if isinstance(node, ast.DictComp):
            mapping: dict[Any, Any] = {}
            self.comprehension(node.generators, 0, _ChainScope({}, scope),
                               lambda s: mapping.__setitem__(self.hashable(self.eval(node.key, s), node.key), self.eval(node.value, s)),
                               node)
            return mapping
        if isinstance(node, ast.JoinedStr):
            return self.bounded("".join(self.format_part(part, scope) for part in node.values), node)
        raise self.error(f"a {type(node).__name__} expression is not supported", node)

    def comprehension(self, generators: list[ast.comprehension], index: int, scope: dict[str, Any],
                      emit: Callable[[dict[str, Any]], None], node: ast.AST) -> None:
        if index == len(generators):
            emit(scope)
            return
        generator = generators[index]
        if generator.is_async:
            raise self.error("async comprehensions are not supported", node)
        for item in self._iterable(self.eval(generator.iter, scope), generator.iter):
            self.assign(generator.target, item, scope)
            if all(self.truth(self.eval(cond, scope), cond) for cond in generator.ifs):
                self.comprehension(generators, index + 1, scope, emit, node)

    def format_part(self, part: ast.expr, scope: dict[str, Any]) -> str:
        if isinstance(part, ast.Constant):
            return str(part.value)
        assert isinstance(part, ast.FormattedValue)
        value = self.eval(part.value, scope)
        if not isinstance(value, _PLAIN) or part.format_spec is not None or part.conversion not in (-1, 115):
            raise self.error(f"f-string part {self.segment(part.value)} must be a plain value without a format", part)
        return str(value)

    def lookup(self, name: str, scope: dict[str, Any], node: ast.AST) -> Any:
        if name in scope:
            value = scope[name]
        elif name in self.globals:
            value = self.globals[name]
        elif name in self.builtins:
            return _Builtin(name)
        elif name in DEFAULT_NAMES:
            return Ref(DEFAULT_NAMES[name])
        elif name in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[name]
        else:
            value = self.bare_name(name, node)
        if isinstance(value, Poisoned):
            raise value.error
        return value

    def bare_name(self, name: str, node: ast.AST) -> Any:
        """Hook for names neither defined nor imported (snippets that skip their imports)."""
        if name == "__name__":
            # The file is read as an import reads it: `if __name__ == "__main__":` (a demo, a training run) is skipped.
            note = "__name__ is read as the file's module name, as on import: an `if __name__ == \"__main__\":` block is not run"
            if note not in self.notes:
                self.notes.append(note)
            return Path(self.filename).stem
        raise self.error(f"'{name}' is not defined in this file", node)

    # -- calls --------------------------------------------------------------------------------
    def call_node(self, node: ast.Call, scope: dict[str, Any]) -> Any:
        if isinstance(node.func, ast.Call) and isinstance(node.func.func, ast.Name) and node.func.func.id == "super":
            pass  # super().__init__(...) is handled by get_attr on the super object
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("__setattr__", "__getattr__"):
            return self.dunder_attr_call(node, scope)
        callee = self.eval(node.func, scope)
        args: list[Any] = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                args += self._iterable(self.eval(arg.value, scope), arg)
            else:
                args.append(self.eval(arg, scope))
        kwargs: dict[str, Any] = {}
        for keyword in node.keywords:
            if keyword.arg is None:
                unpacked = self.eval(keyword.value, scope)
                if not isinstance(unpacked, dict) or not all(isinstance(k, str) for k in unpacked):
                    raise self.error(f"** needs a dict of names, got {self.describe(unpacked)}", keyword.value)
                kwargs.update(unpacked)
            else:
                kwargs[keyword.arg] = self.eval(keyword.value, scope)
        return self.call(callee, args, kwargs, node)

    def dunder_attr_call(self, node: ast.Call, scope: dict[str, Any]) -> Any:
        """`self.__setattr__('level_%d' % i, block)` / `self.__getattr__(name)`: attributes named at
        read time (kuangliu's DLA builds its tree this way); plain names on the file's objects only."""
        assert isinstance(node.func, ast.Attribute)
        owner = self.eval(node.func.value, scope)
        plain = not node.keywords and not any(isinstance(arg, ast.Starred) for arg in node.args)
        args = [self.eval(arg, scope) for arg in node.args] if plain else []
        setting = node.func.attr == "__setattr__"
        if (not plain or not isinstance(owner, Instance) or len(args) != (2 if setting else 1)
                or not isinstance(args[0], str) or args[0].startswith("_")):
            raise self.error(f"{node.func.attr}(name{', value' if setting else ''}) with a plain name on an object "
                             "of the file's classes is supported", node)
        if setting:
            self.set_attr(owner, args[0], args[1], node)
            return None
        return self.get_attr(owner, args[0], node)

    def call(self, callee: Any, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        if isinstance(callee, _Builtin):
            try:
                return self.bounded(self.builtins[callee.name](node, args, kwargs), node)
            except (TypeError, ValueError, IndexError) as error:
                raise self.error(f"{self.segment(node)} fails: {error}", node) from None
        if isinstance(callee, Function):
            return self.call_function(callee, args, kwargs, node)
        if isinstance(callee, BoundMethod):
            return self.call_function(callee.function, args, kwargs, node, callee.self_value)
        if isinstance(callee, UserClass):
            return self.instantiate(callee, args, kwargs, node)
        if isinstance(callee, _FrameworkInit):
            self.framework_init(callee.instance, args, kwargs, node)
            return None
        if isinstance(callee, _BoundBuiltin):
            return self.bounded(self.call_method(callee, args, kwargs, node), node)
        if isinstance(callee, External):
            known = self.well_known(callee, node)
            if known is not None:
                return self.call(known, args, kwargs, node)
            raise self.error(f"{callee.name} comes from {callee.module}; its definition is not in this file (copy it in)", node)
        return self.framework_call(callee, args, kwargs, node)

    def call_method(self, bound: _BoundBuiltin, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        owner, method = bound.owner, bound.method
        if method == "items" and isinstance(owner, dict):
            return list(owner.items())
        if method in ("keys", "values") and isinstance(owner, dict):
            return list(getattr(owner, method)())
        if method == "join" and isinstance(owner, str):
            return owner.join(self._iterable(args[0], node))
        if method == "extend" and isinstance(owner, list):
            owner.extend(self._iterable(args[0], node))
            self.bounded(owner, node)
            return None
        if method == "format" and not all(isinstance(a, _PLAIN) for a in [*args, *kwargs.values()]):
            raise self.error("str.format() needs plain values", node)
        try:
            result = getattr(owner, method)(*args, **kwargs)
        except (TypeError, ValueError, IndexError, KeyError) as error:
            raise self.error(f"{self.segment(node)} fails: {error}", node) from None
        return result

    def well_known(self, ref: External, node: ast.AST) -> Any:
        """d2l.Residual and friends, read from quizgen.codeio.wellknown when the file does not define them."""
        from quizgen.codeio.wellknown import WELL_KNOWN, WELL_KNOWN_SOURCE

        module = ref.module.split(".")[0]
        name = ref.name.rpartition(".")[2]
        if name not in WELL_KNOWN.get(module, ()) and not (ref.name.startswith(("d2l.", "torch.")) and name in WELL_KNOWN["d2l"]):
            return None
        if not hasattr(self, "_well_known_scope"):
            saved = self.globals
            self.globals = {}
            try:
                self.exec_block(ast.parse(WELL_KNOWN_SOURCE).body, self.globals)
            finally:
                self._well_known_scope, self.globals = self.globals, saved
        note = f"{module}.{name} is read from its well-known definition (d2l, Dive into Deep Learning)"
        if note not in self.notes:
            self.notes.append(note)
        return self._well_known_scope[name]

    def instantiate(self, cls: UserClass, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        instance = Instance(cls)
        found, init = cls.lookup("__init__")
        self.new_instance(instance, node)
        if found and isinstance(init, Function):
            self.call_function(init, args, kwargs, node, instance)
        elif args or kwargs:
            self.framework_init(instance, args, kwargs, node)
        return instance

    def new_instance(self, instance: Instance, node: ast.AST) -> None:
        """Hook: the framework mixins note the instance (Keras auto-names it)."""

    def framework_init(self, instance: Instance, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> None:
        """Hook: ``super().__init__(...)`` reaching the framework base class."""

    def framework_call(self, callee: Any, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        raise self.error(f"calling {self.describe(callee)} is not supported", node)

    # -- attributes ---------------------------------------------------------------------------
    def get_attr(self, value: Any, attr: str, node: ast.AST) -> Any:
        if isinstance(value, Ref):
            return Ref(normalize(f"{value.qualname}.{attr}"))
        if isinstance(value, External):
            return External(f"{value.name}.{attr}", value.module)
        if isinstance(value, _Super):
            return self.super_attr(value, attr, node)
        if isinstance(value, Instance):
            if attr in value.attrs:
                return value.attrs[attr]
            if attr in value.modules:
                return value.modules[attr]
            if attr in value.params:
                return value.params[attr]
            found, member = value.cls.lookup(attr)
            if found:
                return BoundMethod(member, value) if isinstance(member, Function) else member
            return self.framework_attr(value, attr, node)
        if isinstance(value, UserClass):
            found, member = value.lookup(attr)
            if found:
                return member
        if isinstance(value, (list, dict, str)) and attr in _METHODS.get(type(value), ()):
            return _BoundBuiltin(value, attr)
        return self.framework_attr(value, attr, node)

    def framework_attr(self, value: Any, attr: str, node: ast.AST) -> Any:
        raise self.error(f"the attribute .{attr} of {self.describe(value)} is not supported", node)

    def set_attr(self, owner: Any, attr: str, value: Any, node: ast.AST) -> None:
        if isinstance(owner, Instance):
            self.set_instance_attr(owner, attr, value, node)
        else:
            raise self.error(f"setting .{attr} on {self.describe(owner)} is not supported", node)

    def set_instance_attr(self, owner: Instance, attr: str, value: Any, node: ast.AST) -> None:
        owner.attrs[attr] = value

    def super_attr(self, sup: _Super, attr: str, node: ast.AST) -> Any:
        mro = sup.instance.cls.mro()
        start = mro.index(sup.cls) + 1 if sup.cls in mro else 1
        for cls in mro[start:]:
            if isinstance(cls, UserClass) and attr in cls.attrs:
                member = cls.attrs[attr]
                return BoundMethod(member, sup.instance) if isinstance(member, Function) else member
        if attr == "__init__":
            return _FrameworkInit(sup.instance)
        raise self.error(f"super().{attr} is not defined in this file", node)

    def describe(self, value: Any) -> str:
        if isinstance(value, Tensor):
            return f"the tensor {value.name}"
        if isinstance(value, Layer):
            return f"the layer {value.type}"
        if isinstance(value, Instance):
            return f"a {value.cls.name} object"
        if isinstance(value, Container):
            return f"a {value.kind}"
        if isinstance(value, Ref):
            return value.qualname
        if isinstance(value, Opaque):
            return value.text
        if isinstance(value, Function):
            return f"the function {value.node.name}"
        return type(value).__name__ if not isinstance(value, _PLAIN) else repr(value)



def _shown(fn: Function) -> str:
    """How a callee is named in a message: a class for its __init__ (ResNet(), not __init__())."""
    return fn.owner.name if fn.node.name == "__init__" and fn.owner is not None else fn.node.name
