"""Formulas as small expression trees that evaluate fast, print as worked steps and turn into sympy.

Every layer kind writes its formulas once, at import time, over named symbols
(``C_out * (K_h * K_w * C_in + 1)``). Solving a layer binds numbers to the symbols and
evaluates; nothing is re-derived per layer instance. The tree keeps the order the formula
was written in, so ``63·(3·3·32 + 1)`` prints as a teacher writes it (sympy would reorder
the terms), and evaluation is plain integer arithmetic (sympy is imported only by code that
needs symbolic work: inverse problems, formula equivalence, `to_sympy`).
"""

from __future__ import annotations

__all__ = [
    "Add",
    "Bound",
    "Ceil",
    "Div",
    "Expr",
    "Floor",
    "Max",
    "Mul",
    "Neg",
    "Num",
    "Pow",
    "Shown",
    "Sym",
    "Value",
    "as_expr",
    "bind",
    "ceil_div",
    "floor_div",
    "render_shaped",
    "render_with_ones",
    "simplify_units",
    "substitute",
    "symbols",
    "transform",
]

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sympy

Value = int | Fraction
Env = Mapping[str, Value]
# What `Expr.render` prints for a symbol: its number, or a name standing in for an unknown
# (the ``k`` of ``63·(k·k·32 + 1) = 18207``).
Shown = Value | str
ShownEnv = Mapping[str, Shown]

# Binding strength, used to decide where the printed form needs parentheses.
_ADD, _MUL, _POW, _ATOM = 1, 2, 3, 4


def _as_int(value: Value) -> Value:
    # `type(...) is` rather than isinstance: Fraction's ABC machinery is slow on this hot path.
    if type(value) is Fraction and value.denominator == 1:
        return int(value)
    return value


class Expr:
    """Base of the tree. Operators build new nodes; nothing is simplified."""

    __slots__ = ()
    precedence = _ATOM

    def evaluate(self, env: Env) -> Value:
        raise NotImplementedError

    def render(self, env: ShownEnv | None = None) -> str:
        """The formula with symbol names, or (given env) with what env maps each symbol to, unevaluated."""
        raise NotImplementedError

    def free_symbols(self) -> frozenset[str]:
        raise NotImplementedError

    def sympy(self) -> sympy.Expr:
        raise NotImplementedError

    def _wrap(self, env: ShownEnv | None, outer: int) -> str:
        text = self.render(env)
        return f"({text})" if self.precedence < outer else text

    def __add__(self, other: object) -> Expr:
        return Add((self, as_expr(other)))

    def __radd__(self, other: object) -> Expr:
        return Add((as_expr(other), self))

    def __sub__(self, other: object) -> Expr:
        return Add((self, Neg(as_expr(other))))

    def __rsub__(self, other: object) -> Expr:
        return Add((as_expr(other), Neg(self)))

    def __mul__(self, other: object) -> Expr:
        return Mul((self, as_expr(other)))

    def __rmul__(self, other: object) -> Expr:
        return Mul((as_expr(other), self))

    def __truediv__(self, other: object) -> Expr:
        return Div(self, as_expr(other))

    def __rtruediv__(self, other: object) -> Expr:
        return Div(as_expr(other), self)

    def __pow__(self, other: object) -> Expr:
        return Pow(self, as_expr(other))

    def __str__(self) -> str:
        return self.render()


def as_expr(value: object) -> Expr:
    if isinstance(value, Expr):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
        raise TypeError(f"cannot use {value!r} in a formula")
    return Num(value)


@dataclass(frozen=True, slots=True, eq=False)
class Num(Expr):
    value: Value
    precedence = _ATOM

    def evaluate(self, env: Env) -> Value:
        return self.value

    def render(self, env: ShownEnv | None = None) -> str:
        return _number(self.value)

    def free_symbols(self) -> frozenset[str]:
        return frozenset()

    def sympy(self) -> sympy.Expr:
        import sympy

        return sympy.Rational(self.value)


@dataclass(frozen=True, slots=True, eq=False)
class Sym(Expr):
    """A named quantity. ``name`` is the identifier (``C_in``); it also prints as is."""

    name: str
    precedence = _ATOM

    def evaluate(self, env: Env) -> Value:
        try:
            return env[self.name]
        except KeyError:
            raise KeyError(f"no value bound for symbol {self.name}") from None

    def render(self, env: ShownEnv | None = None) -> str:
        if env is None:
            return self.name
        value = env[self.name]
        if isinstance(value, str):
            return value
        text = _number(value)
        return f"({text})" if value < 0 or (type(value) is Fraction and value.denominator != 1) else text

    def free_symbols(self) -> frozenset[str]:
        return frozenset((self.name,))

    def sympy(self) -> sympy.Expr:
        import sympy

        return sympy.Symbol(self.name, integer=True)


@dataclass(frozen=True, slots=True, eq=False)
class Neg(Expr):
    arg: Expr
    precedence = _ADD

    def evaluate(self, env: Env) -> Value:
        arg = self.arg
        if type(arg) is Num:  # the "− 1" of most size formulas
            return -arg.value
        return -arg.evaluate(env)

    def render(self, env: ShownEnv | None = None) -> str:
        return "−" + self.arg._wrap(env, _MUL)

    def free_symbols(self) -> frozenset[str]:
        return self.arg.free_symbols()

    def sympy(self) -> sympy.Expr:
        return -self.arg.sympy()


@dataclass(frozen=True, slots=True, eq=False)
class Add(Expr):
    terms: tuple[Expr, ...]
    precedence = _ADD

    def evaluate(self, env: Env) -> Value:
        total: Value = 0
        for term in self.terms:
            kind = type(term)
            # Leaves (and the "− 1" of size formulas) are read here, not through a call each: solving and the
            # mistake engine evaluate tens of thousands of sums a class set.
            if kind is Sym:
                try:
                    total += env[term.name]  # type: ignore[attr-defined]
                except KeyError:
                    raise KeyError(f"no value bound for symbol {term.name}") from None  # type: ignore[attr-defined]
            elif kind is Num:
                total += term.value  # type: ignore[attr-defined]
            elif kind is Neg:  # subtracting, exactly as adding the negation
                arg = term.arg  # type: ignore[attr-defined]
                total -= arg.value if type(arg) is Num else arg.evaluate(env)
            else:
                total += term.evaluate(env)
        if type(total) is Fraction and total.denominator == 1:  # _as_int, inline
            return int(total)
        return total

    def render(self, env: ShownEnv | None = None) -> str:
        out = self.terms[0]._wrap(env, _ADD)
        for term in self.terms[1:]:
            if isinstance(term, Neg):
                out += " − " + term.arg._wrap(env, _MUL)
            else:
                out += " + " + term._wrap(env, _MUL)
        return out

    def free_symbols(self) -> frozenset[str]:
        return frozenset().union(*(t.free_symbols() for t in self.terms))

    def sympy(self) -> sympy.Expr:
        import sympy

        return sympy.Add(*(t.sympy() for t in self.terms))


@dataclass(frozen=True, slots=True, eq=False)
class Mul(Expr):
    factors: tuple[Expr, ...]
    precedence = _MUL

    def evaluate(self, env: Env) -> Value:
        result: Value = 1
        for factor in self.factors:
            kind = type(factor)
            if kind is Sym:  # as in Add.evaluate
                try:
                    result *= env[factor.name]  # type: ignore[attr-defined]
                except KeyError:
                    raise KeyError(f"no value bound for symbol {factor.name}") from None  # type: ignore[attr-defined]
            elif kind is Num:
                result *= factor.value  # type: ignore[attr-defined]
            else:
                result *= factor.evaluate(env)
        if type(result) is Fraction and result.denominator == 1:  # _as_int, inline
            return int(result)
        return result

    def render(self, env: ShownEnv | None = None) -> str:
        return "·".join(f._wrap(env, _MUL + (i > 0 and isinstance(f, (Mul, Div)))) for i, f in enumerate(self.factors))

    def free_symbols(self) -> frozenset[str]:
        return frozenset().union(*(f.free_symbols() for f in self.factors))

    def sympy(self) -> sympy.Expr:
        import sympy

        return sympy.Mul(*(f.sympy() for f in self.factors))


@dataclass(frozen=True, slots=True, eq=False)
class Div(Expr):
    """Exact division (a Fraction unless it divides evenly)."""

    num: Expr
    den: Expr
    precedence = _MUL

    def evaluate(self, env: Env) -> Value:
        num, den = self.num.evaluate(env), self.den.evaluate(env)
        if type(num) is int and type(den) is int and den and num % den == 0:
            return num // den  # the common case, without building a Fraction
        return _as_int(Fraction(num) / den)

    def render(self, env: ShownEnv | None = None) -> str:
        return f"{self.num._wrap(env, _MUL)}/{self.den._wrap(env, _POW)}"

    def free_symbols(self) -> frozenset[str]:
        return self.num.free_symbols() | self.den.free_symbols()

    def sympy(self) -> sympy.Expr:
        return self.num.sympy() / self.den.sympy()


@dataclass(frozen=True, slots=True, eq=False)
class Pow(Expr):
    base: Expr
    exponent: Expr
    precedence = _POW

    def evaluate(self, env: Env) -> Value:
        return _as_int(Fraction(self.base.evaluate(env)) ** int(self.exponent.evaluate(env)))

    def render(self, env: ShownEnv | None = None) -> str:
        return f"{self.base._wrap(env, _ATOM)}^{self.exponent._wrap(env, _ATOM)}"

    def free_symbols(self) -> frozenset[str]:
        return self.base.free_symbols() | self.exponent.free_symbols()

    def sympy(self) -> sympy.Expr:
        import sympy

        return sympy.Pow(self.base.sympy(), self.exponent.sympy())


@dataclass(frozen=True, slots=True, eq=False)
class Floor(Expr):
    arg: Expr
    precedence = _ATOM

    def evaluate(self, env: Env) -> Value:
        arg = self.arg
        if type(arg) is Div:  # ⌊a/b⌋ of integers is integer floor division
            num, den = arg.num.evaluate(env), arg.den.evaluate(env)
            if type(num) is int and type(den) is int and den:
                return num // den
        return math.floor(self.arg.evaluate(env))

    def render(self, env: ShownEnv | None = None) -> str:
        return f"⌊{self.arg.render(env)}⌋"

    def free_symbols(self) -> frozenset[str]:
        return self.arg.free_symbols()

    def sympy(self) -> sympy.Expr:
        import sympy

        return sympy.floor(self.arg.sympy())


@dataclass(frozen=True, slots=True, eq=False)
class Ceil(Expr):
    arg: Expr
    precedence = _ATOM

    def evaluate(self, env: Env) -> Value:
        arg = self.arg
        if type(arg) is Div:  # ⌈a/b⌉ of integers without a Fraction
            num, den = arg.num.evaluate(env), arg.den.evaluate(env)
            if type(num) is int and type(den) is int and den:
                return -(-num // den)
        return math.ceil(self.arg.evaluate(env))

    def render(self, env: ShownEnv | None = None) -> str:
        return f"⌈{self.arg.render(env)}⌉"

    def free_symbols(self) -> frozenset[str]:
        return self.arg.free_symbols()

    def sympy(self) -> sympy.Expr:
        import sympy

        return sympy.ceiling(self.arg.sympy())


@dataclass(frozen=True, slots=True, eq=False)
class Max(Expr):
    args: tuple[Expr, ...]
    precedence = _ATOM

    def evaluate(self, env: Env) -> Value:
        return max(a.evaluate(env) for a in self.args)

    def render(self, env: ShownEnv | None = None) -> str:
        return "max(" + ", ".join(a.render(env) for a in self.args) + ")"

    def free_symbols(self) -> frozenset[str]:
        return frozenset().union(*(a.free_symbols() for a in self.args))

    def sympy(self) -> sympy.Expr:
        import sympy

        return sympy.Max(*(a.sympy() for a in self.args))


def floor_div(num: object, den: object) -> Expr:
    return Floor(Div(as_expr(num), as_expr(den)))


def ceil_div(num: object, den: object) -> Expr:
    return Ceil(Div(as_expr(num), as_expr(den)))


def symbols(names: str) -> tuple[Sym, ...]:
    """``symbols("C_in C_out")`` -> (Sym('C_in'), Sym('C_out'))."""
    return tuple(Sym(name) for name in names.split())


def _number(value: Value) -> str:
    if type(value) is Fraction:
        value = _as_int(value)
        if type(value) is Fraction:
            return f"{value.numerator}/{value.denominator}"
    return str(value)


@dataclass(frozen=True, slots=True, init=False)
class Bound:
    """A formula with numbers bound to its symbols: the value plus its worked steps.

    The value is worked out when first read, then kept in its slot (issue 15): a solve binds every
    formula of a layer (parameters, MACs, each output dimension), and callers that want only shapes
    (the diagrams of an export's 2401 networks) never read most of them. Reading ``value`` before it
    is set fails over to `__getattr__`, which evaluates and fills the slot, so later reads are plain
    slot reads; equality, hashing, repr and pickling read ``value`` like any field and see the same
    number an eager bind gave.
    """

    expr: Expr
    env: Mapping[str, Value]
    value: Value

    def __init__(self, expr: Expr, env: Mapping[str, Value], value: Value | None = None) -> None:
        object.__setattr__(self, "expr", expr)
        object.__setattr__(self, "env", env)
        if value is not None:
            object.__setattr__(self, "value", value)

    if not TYPE_CHECKING:  # hidden from mypy, which would otherwise type every unknown attribute as a Value

        def __getattr__(self, name: str) -> Value:
            if name != "value":
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            value = self.expr.evaluate(self.env)
            object.__setattr__(self, "value", value)
            return value

    def formula(self) -> str:
        return render_shaped(self.expr, _NAMES)  # = self.expr.render(), from the formula's printed shape

    def substituted(self) -> str:
        return render_shaped(self.expr, self.env)

    def steps(self) -> str:
        """``C_out·(K_h·K_w·C_in + 1) = 63·(3·3·32 + 1) = 18207`` (dropping repeated parts)."""
        parts = [self.formula()]
        for part in (self.substituted(), _number(self.value)):
            if part != parts[-1]:
                parts.append(part)
        return " = ".join(parts)


def bind(expr: Expr, env: Mapping[str, Any]) -> Bound:
    """Bind ``env`` to ``expr``, evaluated once when its value is first read. The env is kept as given
    (not copied or trimmed to the formula's symbols): callers never mutate it afterwards, and solving is
    a hot path."""
    bound = _new_bound(Bound)  # as Bound(expr, env) does, at half the cost: solving binds five formulas a layer
    _set_expr(bound, expr)
    _set_env(bound, env)
    return bound


_new_bound, _set_expr, _set_env = object.__new__, vars(Bound)["expr"].__set__, vars(Bound)["env"].__set__  # the slots' own setters


def transform(expr: Expr, rewrite: Any) -> Expr:
    """Rebuild ``expr`` bottom-up, letting ``rewrite(node)`` replace any node (return it unchanged to keep it).

    Mistake formulas are rewrites of the right formula (Floor -> Ceil, 2·P -> P, drop "+ 1"),
    so a student's wrong working prints in the same shape as the correct one.
    """
    # A node whose children all come back unchanged is kept, not rebuilt: nodes are immutable and
    # compared by structure only, and the mistake engine transforms thousands of formulas a run.
    node: Expr = expr
    if isinstance(expr, (Add, Mul, Max)):
        items = expr.terms if isinstance(expr, Add) else expr.factors if isinstance(expr, Mul) else expr.args
        changed = tuple(transform(item, rewrite) for item in items)
        if any(new is not old for new, old in zip(changed, items, strict=True)):
            node = type(expr)(changed)
    elif isinstance(expr, Div):
        num, den = transform(expr.num, rewrite), transform(expr.den, rewrite)
        if num is not expr.num or den is not expr.den:
            node = Div(num, den)
    elif isinstance(expr, Pow):
        base, exponent = transform(expr.base, rewrite), transform(expr.exponent, rewrite)
        if base is not expr.base or exponent is not expr.exponent:
            node = Pow(base, exponent)
    elif isinstance(expr, (Floor, Ceil, Neg)):
        arg = transform(expr.arg, rewrite)
        if arg is not expr.arg:
            node = type(expr)(arg)
    result: Expr = rewrite(node)
    return result


def simplify_units(expr: Expr) -> Expr:
    """Drop factors that are the number 1 and unwrap one-element products and sums (for display)."""

    def rewrite(node: Expr) -> Expr:
        if isinstance(node, Mul):
            kept = tuple(f for f in node.factors if not (isinstance(f, Num) and f.value == 1))
            if len(kept) == len(node.factors) > 1:
                return node  # nothing dropped: kept as is, so transform need not rebuild its parents
            return kept[0] if len(kept) == 1 else Mul(kept) if kept else Num(1)
        if isinstance(node, Add) and len(node.terms) == 1:
            return node.terms[0]
        return node

    return transform(expr, rewrite)


def substitute(expr: Expr, values: Mapping[str, Expr]) -> Expr:
    """Replace symbols by expressions (numbers or other formulas)."""
    return transform(expr, lambda node: values.get(node.name, node) if isinstance(node, Sym) else node)


def render_with_ones(expr: Expr, env: ShownEnv, ones: frozenset[str] | set[str]) -> str:
    """``simplify_units(substitute(expr, {name: Num(1) for name in ones})).render(env)``, in one pass.

    How a forgotten factor shows in a wrong working (``63·(3·3 + 1)``, C_in forced to 1). The
    mistake engine prints tens of thousands of these a class set; building the substituted and
    the simplified tree only to print them cost more than the printing itself.
    """
    return _shown(expr, env, ones)[0]


# What a simplified node prints as, for its parent: (text, precedence, tag). The tag says what
# `Add.render` and `Mul.render` look at: a negation (its argument's text follows the tag), a
# product or quotient, or the number 1 that a product drops.
_OTHER, _ONE, _PRODUCT = 0, 1, 2
_Shown = tuple[str, int, int | str]


def _wrapped(shown: _Shown, outer: int) -> str:
    return f"({shown[0]})" if shown[1] < outer else shown[0]


def _shown(expr: Expr, env: ShownEnv, ones: frozenset[str] | set[str]) -> _Shown:
    kind = type(expr)
    if kind is Sym:
        name = expr.name  # type: ignore[attr-defined]
        return ("1", _ATOM, _ONE) if name in ones else (expr.render(env), _ATOM, _OTHER)
    if kind is Num:
        return _number(expr.value), _ATOM, _ONE if expr.value == 1 else _OTHER  # type: ignore[attr-defined]
    if kind is Mul:
        factors = [_shown(f, env, ones) for f in expr.factors]  # type: ignore[attr-defined]
        kept = [f for f in factors if f[2] != _ONE]
        if len(kept) != len(factors) or len(kept) < 2:
            if len(kept) == 1:
                return kept[0]
            if not kept:
                return "1", _ATOM, _ONE
        return "·".join(_wrapped(f, _MUL + (i > 0 and f[2] == _PRODUCT)) for i, f in enumerate(kept)), _MUL, _PRODUCT
    if kind is Add:
        terms = [_shown(t, env, ones) for t in expr.terms]  # type: ignore[attr-defined]
        if len(terms) == 1:
            return terms[0]
        out = _wrapped(terms[0], _ADD)
        for term in terms[1:]:
            tag = term[2]
            out += f" − {tag}" if isinstance(tag, str) else " + " + _wrapped(term, _MUL)
        return out, _ADD, _OTHER
    if kind is Neg:
        arg = _wrapped(_shown(expr.arg, env, ones), _MUL)  # type: ignore[attr-defined]
        return "−" + arg, _ADD, arg
    if kind is Div:
        num, den = _shown(expr.num, env, ones), _shown(expr.den, env, ones)  # type: ignore[attr-defined]
        return f"{_wrapped(num, _MUL)}/{_wrapped(den, _POW)}", _MUL, _PRODUCT
    if kind is Pow:
        base, exponent = _shown(expr.base, env, ones), _shown(expr.exponent, env, ones)  # type: ignore[attr-defined]
        return f"{_wrapped(base, _ATOM)}^{_wrapped(exponent, _ATOM)}", _POW, _OTHER
    if kind is Floor or kind is Ceil:
        inner = _shown(expr.arg, env, ones)[0]  # type: ignore[attr-defined]
        return (f"⌊{inner}⌋" if kind is Floor else f"⌈{inner}⌉"), _ATOM, _OTHER
    if kind is Max:
        return "max(" + ", ".join(_shown(a, env, ones)[0] for a in expr.args) + ")", _ATOM, _OTHER  # type: ignore[attr-defined]
    # A node kind this printer does not know: print it through the trees (the same text, only slower).
    return simplify_units(substitute(expr, {name: Num(1) for name in ones})).render(env), expr.precedence, _OTHER


# Printed shapes (issue 15). A formula prints the same way whatever numbers it is given: only its
# symbols' texts change. The mistake engine prints the same few formulas (a layer kind's, and their
# rewrites) tens of thousands of times a class set, so each formula seen twice is printed once with
# holes for its symbols, and later prints fill the holes. Formulas are immutable and keyed by identity:
# every entry keeps its formula, so an id is never reused while its entry lives.
_HOLE, _HOLE_END = "\x00", "\x01"  # never in a printed formula: numbers, names and operators only
_Printed = tuple[str, ...]  # literal, symbol name, literal, ..., literal
_PRINTED: dict[tuple[int, frozenset[str]], tuple[Expr, _Printed | None]] = {}
_PRINTED_MAX = 4096  # formulas made for one question only (a closure's) must not pile up


def render_shaped(expr: Expr, env: ShownEnv, ones: frozenset[str] = frozenset()) -> str:
    """``render_with_ones(expr, env, ones)`` when ``ones`` names symbols, else ``expr.render(env)``: the same
    text, filled into the formula's printed shape once it has been printed before."""
    key = (id(expr), ones)
    found = _PRINTED.get(key)
    if found is None:
        if len(_PRINTED) >= _PRINTED_MAX:
            _PRINTED.clear()
        _PRINTED[key] = (expr, None)  # first sight: printed directly (most formulas seen once are never seen again)
        return render_with_ones(expr, env, ones) if ones else expr.render(env)
    shape = found[1]
    if shape is None:
        shape = _shape(expr, ones)
        _PRINTED[key] = (expr, shape)
    parts = list(shape)
    for i in range(1, len(parts), 2):
        parts[i] = _symbol_text(env[parts[i]])
    return "".join(parts)


class _SymbolNames(dict[str, Shown]):
    """Every symbol bound to its own name: a formula printed with it prints as with no numbers."""

    def __missing__(self, key: str) -> str:
        return key


_NAMES = _SymbolNames()


def _symbol_text(value: Shown) -> str:
    """What `Sym.render` prints for a symbol bound to ``value``."""
    if type(value) is int:  # nearly always
        return str(value) if value >= 0 else f"({value})"
    if isinstance(value, str):
        return value
    text = _number(value)
    return f"({text})" if value < 0 or (type(value) is Fraction and value.denominator != 1) else text


def _shape(expr: Expr, ones: frozenset[str]) -> _Printed:
    # Printed with each symbol bound to a marked name: `Sym.render` prints a text binding as it is, and no
    # printer looks at a symbol's value, so the marks stand exactly where the numbers will.
    names = expr.free_symbols()
    marked = {name: f"{_HOLE}{name}{_HOLE_END}" for name in names}
    text = render_with_ones(expr, marked, ones) if ones else expr.render(marked)
    pieces = text.split(_HOLE)
    parts = [pieces[0]]
    for piece in pieces[1:]:
        name, literal = piece.split(_HOLE_END, 1)
        parts += [name, literal]
    return tuple(parts)
