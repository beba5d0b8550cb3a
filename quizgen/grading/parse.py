"""Safe parsing of student answers: counts, shapes, formulas and multiple choice.

Student text is untrusted, so nothing here evaluates it as code and nothing hands a string to
sympy. Arithmetic and formulas go through one small tokenizer and recursive-descent parser
(allow-list: numbers, names, ``+ - * / ^ **`` and brackets). Every size that could make the
work explode is capped -- text length, nesting depth, exponents, the bit size of every
intermediate value, the expanded size of a formula -- so any input is answered quickly with a
value or an :class:`AnswerParseError` whose message says which format was expected. Every message
is made in English and Chinese (``Said``): the student reads it in the exam's language.
"""

from __future__ import annotations

__all__ = [
    "MAX_LENGTH",
    "BlankAnswer",
    "ParsedNumber",
    "ParsedShape",
    "formulas_equivalent",
    "normalize",
    "parse_choice",
    "parse_count",
    "parse_formula",
    "parse_shape",
    "shape_matches",
]

import math
import random
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from quizgen.errors import AnswerParseError

if TYPE_CHECKING:
    import sympy  # type: ignore[import-untyped,unused-ignore]

MAX_LENGTH = 200  # longest answer we parse; real answers are far shorter
_MAX_DEPTH = 40  # nested brackets, signs and powers; keeps recursion far from Python's limit
_MAX_BITS = 1024  # numerator/denominator size of any value (~308 digits): no huge powers
_MAX_FORMULA_POWER = 32
_MAX_TERMS = 1000  # bound on monomials after expansion, so expand/simplify stay fast

Said = tuple[str, str]  # one message in English and in Chinese
_COUNT_EXPECTED = ("expected a whole number like 18207 or an arithmetic expression like 63*(3*3*32+1)",
                   "应为整数(如 18207)或算式(如 63*(3*3*32+1))")
_SHAPE_EXPECTED = ("expected a shape like (26, 26, 32), (None, 26, 26, 32), 26x26x32 or 32@26x26",
                   "应为形状,写法如 (26, 26, 32)、(None, 26, 26, 32)、26x26x32 或 32@26x26")

Fail = Callable[[str, str], AnswerParseError]  # (the detail in English, in Chinese) -> the error to raise
T = TypeVar("T")


class BlankAnswer(AnswerParseError):  # noqa: N818 -- not an error of the student; named by the grading contract
    """No answer was given (empty, ``-``, ``N/A``, ``无``); grading records verdict ``blank``."""


@dataclass(frozen=True, slots=True)
class ParsedNumber:
    """A numeric answer; ``exact`` is False for rounded notations (1.18M, 1.18e6, 118万, ≈), ``text`` is normalized."""

    value: int | Fraction
    exact: bool
    text: str


@dataclass(frozen=True, slots=True)
class ParsedShape:
    """A shape; ``dims`` leaves out a leading batch marker (None, ?, -1), recorded in ``batch_included``."""

    dims: tuple[int | None, ...]
    batch_included: bool


# NFKC already maps full-width forms (，：；（）１ｘ); these are what it leaves alone.
_PUNCT = str.maketrans({
    "。": ".", "、": ",", "【": "[", "】": "]", "〔": "(", "〕": ")", "×": "*", "✕": "*", "·": "*", "⋅": "*", "∙": "*",
    "•": "*", "・": "*", "÷": "/", "−": "-", "–": "-", "—": "-", "‐": "-", "‑": "-", "‒": "-", "―": "-",
    "‘": "'", "’": "'", "“": '"', "”": '"', "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None,
})  # fmt: skip
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻"
_SUPERSCRIPT_RUN = re.compile(f"[{_SUPERSCRIPTS}]+")
_SUPERSCRIPT_MAP = str.maketrans(_SUPERSCRIPTS, "0123456789+-")
_NON_ASCII_DIGIT = re.compile(r"(?![0-9])\d")
_DASHES = re.compile(r"-+")


def normalize(text: str) -> str:
    """Full-width and Chinese punctuation to ASCII, superscripts to ``^n``, then strip."""
    if text.isascii():
        return text.strip()
    # Before NFKC, which would turn k² into k2.
    text = _SUPERSCRIPT_RUN.sub(lambda m: "^" + m[0].translate(_SUPERSCRIPT_MAP), text)
    text = unicodedata.normalize("NFKC", text).translate(_PUNCT)
    # Other scripts' digits (Arabic-Indic, Devanagari...) survive NFKC.
    text = _NON_ASCII_DIGIT.sub(lambda m: str(unicodedata.decimal(m[0])), text)
    return text.strip()


def _show(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "…")


def _failer(expected: Said, text: str) -> Fail:
    shown = _show(text)
    return lambda en, zh: AnswerParseError(f"{expected[0]}, got {shown} ({en})", zh=f"{expected[1]},收到 {shown} ({zh})")


def _prepare(text: str, expected: Said) -> str:
    """Length check, normalization and the blank test shared by every parser."""
    if len(text) > MAX_LENGTH:
        raise AnswerParseError(f"{expected[0]}; the answer is too long ({len(text)} characters, at most {MAX_LENGTH})",
                               zh=f"{expected[1]};答案太长 ({len(text)} 个字符,最多 {MAX_LENGTH} 个)")
    norm = normalize(text)
    if norm.casefold() in ("", "n/a", "无") or _DASHES.fullmatch(norm):
        raise BlankAnswer("no answer given", zh="未作答")
    if len(norm) > MAX_LENGTH:  # NFKC can expand a character into many
        raise AnswerParseError(f"{expected[0]}; the answer is too long", zh=f"{expected[1]};答案太长")
    return norm


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "num" | "name" | "op"
    text: str
    pos: int  # 1-based, for messages
    value: Fraction = Fraction(0)
    exact: bool = True


_COUNT_NUMBER = re.compile(
    # Thousands groups must use one separator throughout and exactly three digits.
    r"(?P<mant>(?:[0-9]{1,3}(?P<sep>[,' _])[0-9]{3}(?:(?P=sep)[0-9]{3})*(?![0-9])|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)"
    r"(?:[eE](?P<exp>[+-]?[0-9]+))?"
    r"(?:\s*(?P<scale>(?i:thousand|million|billion|trillion|[kmgbt])|千万|百万|万|亿|千)(?![A-Za-z]))?"
)
_FORMULA_NUMBER = re.compile(r"(?P<mant>[0-9]+(?:\.[0-9]+)?)")
_NAME = re.compile(r"[^\W\d]\w*")
_OP = re.compile(r"\*\*|[-+*/^()\[\]{}]")
_SCALES = {
    "k": 10**3, "thousand": 10**3, "千": 10**3, "万": 10**4, "m": 10**6, "million": 10**6, "百万": 10**6, "千万": 10**7,
    "亿": 10**8, "g": 10**9, "b": 10**9, "billion": 10**9, "t": 10**12, "trillion": 10**12,
}  # fmt: skip
_CLOSERS = {"(": ")", "[": "]", "{": "}"}


def _typed(original: str, piece: str) -> tuple[str, int] | None:
    """What the student typed that normalization turned into ``piece``, and its position in what they typed:
    '¯' (position 1), not the combining macron its NFKC form starts with. None when ``piece`` is there as typed."""
    if not piece or piece in original or len(original) > 200:  # the error path only; bounded all the same
        return None
    for start in range(len(original)):  # the shortest text that normalizes to the piece ('＃' for '#')
        if original[start].isspace():
            continue
        for end in range(start + 1, min(len(original), start + len(piece) + 4) + 1):
            if normalize(original[start:end]) == piece:
                return original[start:end], start + 1
    for index, typed in enumerate(original):  # a character that normalizes into more ('½' -> '1⁄2')
        if not typed.isascii() and piece in normalize(f"x{typed}x"):  # x…x: nothing stripped
            return typed, index + 1
    return None


def _tokenize(text: str, number: re.Pattern[str], fail: Fail, original: str = "") -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos == len(text):
            return tokens
        if m := number.match(text, pos):
            mant = m["mant"].replace(m["sep"], "") if m.groupdict().get("sep") else m["mant"]
            value = Fraction(mant + "0" if mant.endswith(".") else mant)
            exp, scale = m.groupdict().get("exp"), m.groupdict().get("scale")
            if exp is not None:
                if len(exp.lstrip("+-")) > 3:
                    raise fail(f"exponent {exp} is too large", f"指数 {exp} 太大")
                value *= Fraction(10) ** int(exp)
            if scale is not None:
                value *= _SCALES[scale.casefold()]
            if _bits(value) > _MAX_BITS:
                raise fail(f"the number {m[0]!r} is too large", f"数 {m[0]!r} 太大")
            tokens.append(_Token("num", m[0], pos + 1, value, exp is None and scale is None))
        elif m := _NAME.match(text, pos):
            tokens.append(_Token("name", m[0], pos + 1))
        elif m := _OP.match(text, pos):
            tokens.append(_Token("op", "^" if m[0] == "**" else m[0], pos + 1))
        else:
            typed = _typed(original, text[pos]) if original else None
            char, where = typed or (text[pos], pos + 1)
            raise fail(f"unexpected character {char!r} at position {where}", f"第 {where} 个字符 {char!r} 无法识别")
        pos = m.end()


class _Parser(Generic[T]):
    """sum := product (('+'|'-') product)*;  product := unary (('*'|'/') unary | implicit)*;
    unary := ('+'|'-') unary | power;  power := atom ('^' unary)?;  atom := number | name | '(' sum ')'.

    Implicit multiplication only before a name or an opening bracket (2k, k(c+1)), so `2 3` stays an
    error. Like Python, -2^2 = -(2^2) and 2^3^2 = 2^(3^2). ``leaf``/``neg``/``binary`` give the meaning:
    exact fractions for counts, sympy nodes for formulas.
    """

    def __init__(
        self, tokens: list[_Token], leaf: Callable[[_Token], T], neg: Callable[[T], T], binary: Callable[[str, T, T], T], fail: Fail
    ) -> None:
        self.tokens, self.leaf, self.neg, self.binary, self.fail = tokens, leaf, neg, binary, fail
        self.i = 0
        self.depth = 0

    def parse(self) -> T:
        if not self.tokens:
            raise self.fail("nothing to read", "没有可读的内容")
        value = self._sum()
        if self.i < len(self.tokens):
            tok = self.tokens[self.i]
            raise self.fail(f"unexpected {tok.text!r} at position {tok.pos}", f"第 {tok.pos} 个字符处不应出现 {tok.text!r}")
        return value

    def _peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def _op(self, *ops: str) -> str | None:
        tok = self._peek()
        if tok is not None and tok.kind == "op" and tok.text in ops:
            self.i += 1
            return tok.text
        return None

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise self.fail(f"nested more than {_MAX_DEPTH} levels deep", f"嵌套超过 {_MAX_DEPTH} 层")

    def _sum(self) -> T:
        value = self._product()
        while op := self._op("+", "-"):
            value = self.binary(op, value, self._product())
        return value

    def _product(self) -> T:
        value = self._unary()
        while True:
            if op := self._op("*", "/"):
                value = self.binary(op, value, self._unary())
            elif (tok := self._peek()) and (tok.kind == "name" or tok.text in _CLOSERS):
                value = self.binary("*", value, self._unary())
            else:
                return value

    def _unary(self) -> T:
        if op := self._op("+", "-"):
            self._enter()
            value = self._unary()
            self.depth -= 1
            return self.neg(value) if op == "-" else value
        return self._power()

    def _power(self) -> T:
        base = self._atom()
        if self._op("^"):
            self._enter()
            exponent = self._unary()
            self.depth -= 1
            return self.binary("^", base, exponent)
        return base

    def _atom(self) -> T:
        tok = self._peek()
        if tok is None:
            raise self.fail("the expression ends too early", "算式不完整")
        self.i += 1
        if tok.kind in ("num", "name"):
            return self.leaf(tok)
        if tok.text in _CLOSERS:
            self._enter()
            value = self._sum()
            if self._op(_CLOSERS[tok.text]) is None:
                raise self.fail(f"{tok.text!r} at position {tok.pos} is never closed", f"第 {tok.pos} 个字符处的 {tok.text!r} 没有闭合")
            self.depth -= 1
            return value
        raise self.fail(f"unexpected {tok.text!r} at position {tok.pos}", f"第 {tok.pos} 个字符处不应出现 {tok.text!r}")


def _bits(value: Fraction) -> int:
    return max(value.numerator.bit_length(), value.denominator.bit_length())


def _arith(op: str, x: Fraction, y: Fraction, fail: Fail) -> Fraction:
    if op in "+-*":
        result = x + y if op == "+" else x - y if op == "-" else x * y
    elif op == "/":
        if y == 0:
            raise fail("division by zero", "除数为零")
        result = x / y
    else:
        if y.denominator != 1:
            raise fail("exponents must be whole numbers", "指数必须是整数")
        n = int(y)
        # Refuse before computing: 2**2**2**2**99 must not be attempted.
        if abs(n) > _MAX_BITS or _bits(x) * abs(n) > _MAX_BITS:
            raise fail("the power is too large", "幂太大")
        if x == 0 and n < 0:
            raise fail("division by zero", "除数为零")
        result = x**n
    if _bits(result) > _MAX_BITS:
        raise fail("a value is too large", "数值太大")
    return result


def _as_int(value: Fraction) -> int | Fraction:
    return value.numerator if value.denominator == 1 else value


Counted = tuple[Fraction, bool]  # value, exact

_UNIT = re.compile(r"\s*(?:(?i:parameters?|params?|weights?|macs?|flops?)|参数|个|乘加|次)$")
_APPROX = re.compile(r"(?:≈|~|约|大约|大概|(?i:about|approx(?:imately|\.)?|around|ca\.))\s*")
_TIMES_X = re.compile(r"(?<=[0-9)\]])\s*[xX]\s*(?=[0-9(\[.])")  # 3x3 as multiplication
# A whole answer m*10^n is scientific notation, i.e. rounded, like 1.18e6.
_SCIENTIFIC = re.compile(r"([0-9]+(?:\.[0-9]*)?)\*10\^(?:([+-]?[0-9]+)|\(([+-]?[0-9]+)\))")


def _eval_count(text: str, fail: Fail, original: str) -> Counted:
    def leaf(tok: _Token) -> Counted:
        if tok.kind == "name":
            raise fail(f"unexpected word {tok.text!r}; only numbers, + - * / ^ and brackets are allowed",
                       f"不应出现文字 {tok.text!r};只能写数字、+ - * / ^ 和括号")
        return tok.value, tok.exact

    def binary(op: str, a: Counted, b: Counted) -> Counted:
        return _arith(op, a[0], b[0], fail), a[1] and b[1]

    if m := _SCIENTIFIC.fullmatch(re.sub(r"\s+", "", text)):
        text = f"{m[1]}e{m[2] or m[3]}"
    tokens = _tokenize(text, _COUNT_NUMBER, fail, original)
    return _Parser(tokens, leaf, lambda a: (-a[0], a[1]), binary, fail).parse()


def parse_count(text: str, *, allow_rounding: bool = False) -> ParsedNumber:
    """Parse a count (parameters, MACs...): a number with separators and units, or arithmetic.

    Rounded notations (1.18M, 1.18e6, 118万, ≈18000) are refused unless ``allow_rounding``.
    ``a = b`` is accepted when both sides have the same value (63*(3*3*32+1) = 18207).
    """
    if len(text) <= MAX_LENGTH and text.isascii() and (stripped := text.strip()).isdigit():
        return ParsedNumber(int(stripped), True, stripped)  # the common case, kept fast
    norm = _prepare(text, _COUNT_EXPECTED)
    fail = _failer(_COUNT_EXPECTED, text)
    marked = _APPROX.match(norm)
    body = (norm[marked.end() :] if marked else norm).rstrip(".!;,")  # "18207个参数。" ends a sentence
    while (unit := _UNIT.search(body)) and unit.start() > 0:
        body = body[: unit.start()]
    body = _TIMES_X.sub("*", body)
    sides = [_eval_count(side, fail, text) for side in body.split("=") if side.strip()]
    if not sides:
        raise fail("no number found", "没有找到数")
    value = sides[0][0]
    if any(v != value for v, _ in sides):
        raise fail("the sides of '=' have different values", "'=' 两边的值不相等")
    exact = any(e for _, e in sides) and not marked
    if not exact and not allow_rounding:
        raise AnswerParseError(
            f"an exact count is required here, got the rounded value {_show(text)}: write every digit, "
            "like 1181161 or 1,181,161 (1.18M, 1.18e6 or 118万 are accepted only where rounding is allowed)",
            zh=f"此处要求精确的数,收到的是近似值 {_show(text)}:请写出每一位,如 1181161 或 1,181,161"
            "(1.18M、1.18e6 或 118万 只在允许近似的题目中接受)",
        )
    return ParsedNumber(_as_int(value), exact, norm)


_TORCH_SIZE = re.compile(r"(?:torch\s*\.\s*)?size\s*\((.*)\)", re.IGNORECASE | re.DOTALL)
_SHAPE_SEP = re.compile(r"\s*[,;xX*]\s*|\s+")
_UNKNOWN_DIM = frozenset({"none", "null", "?", "-1"})
_BATCH_MARK = _UNKNOWN_DIM | {"batch", "batch_size", "bs", "n", "b"}
_DIGITS = re.compile(r"[0-9]+")


def parse_shape(text: str) -> ParsedShape:
    """Parse a shape: (None, 26, 26, 32), 26x26x32, [32, 26, 26], 32@26x26, torch.Size([...])."""
    norm = _prepare(text, _SHAPE_EXPECTED)
    fail = _failer(_SHAPE_EXPECTED, text)
    body = norm
    if m := _TORCH_SIZE.fullmatch(body):
        body = m[1].strip()
    while len(body) >= 2 and _CLOSERS.get(body[0]) == body[-1]:
        body = body[1:-1].strip()
    if any(c in body for c in "()[]{}"):
        raise fail("unbalanced or nested brackets", "括号不配对或有嵌套")
    items: list[str] = []
    if "@" in body:  # channels@HxW, e.g. 32@26x26
        channels, _, body = body.partition("@")
        items.append(channels.strip())
    body = body.strip()
    items += _SHAPE_SEP.split(body[:-1].strip() if body.endswith(",") else body)  # (32,) is Python's 1-tuple
    batch = len(items) > 1 and "@" not in norm and items[0].casefold() in _BATCH_MARK
    dims: list[int | None] = []
    for item in items[1:] if batch else items:
        if item.casefold() in _UNKNOWN_DIM:
            dims.append(None)
        elif _DIGITS.fullmatch(item):
            dims.append(int(item))
        else:
            if not item:
                raise fail("a dimension is missing", "缺少一个维度")
            typed = _typed(text, item)
            shown = repr(typed[0]) if typed else repr(item)
            raise fail(f"dimension {shown} is not a whole number or None", f"维度 {shown} 不是整数,也不是 None")
    return ParsedShape(tuple(dims), batch)


def shape_matches(parsed: ParsedShape, expected: tuple[int | None, ...]) -> bool:
    """Compare with an expected shape (batch excluded), tolerating one extra leading batch dim."""
    dims = parsed.dims
    if dims == expected:
        return True
    if parsed.batch_included:  # expected may itself start with an unknown dim: (None, 32)
        return (None, *dims) == expected
    return len(dims) == len(expected) + 1 and dims[1:] == expected  # torch.Size([1, ...])


@dataclass(frozen=True, slots=True)
class _Term:
    expr: sympy.Expr
    const: Fraction | None  # constants are folded exactly, with the size limits of counts
    terms: int  # upper bound on monomials once expanded


_LHS = re.compile(r"[^\W\d]\w*\s*=")  # "P = c_out*(...)"


def _resolve(name: str, symbols: Mapping[str, sympy.Symbol], fail: Fail, names: str) -> sympy.Symbol:
    if name in symbols:
        return symbols[name]
    # c_out and Cout both mean C_out: match ignoring case, then ignoring underscores too.
    for fold in (str.casefold, lambda n: n.casefold().replace("_", "")):
        folded = [key for key in symbols if fold(key) == fold(name)]
        if len(folded) == 1:
            return symbols[folded[0]]
        if folded:
            raise fail(f"{name!r} is ambiguous between {', '.join(sorted(folded))}",
                       f"{name!r} 有歧义,可能是 {', '.join(sorted(folded))}")
    raise fail(f"unknown name {name!r}; allowed names: {names}", f"未知的名称 {name!r};可用的名称: {names}")


def parse_formula(text: str, symbols: Mapping[str, sympy.Symbol], shown: Sequence[str] | None = None) -> sympy.Expr:
    """Parse a formula over the given symbols into a sympy expression built node by node.

    Names match exactly, else case-insensitively when that is unambiguous. Exponents are whole numbers
    (k^2, k²); multiplication may be implicit: 2k, k^2 c_in, c_out(k^2 c_in + 1). A leading ``P =`` is dropped.
    ``shown`` are the names messages list (the question's; default: every symbol): the grader also accepts
    names only a mistake uses (H_in), which the question never offered.
    """
    import sympy  # type: ignore[import-untyped,unused-ignore]  # slow import, formulas only

    listed = ", ".join(sorted(symbols) if shown is None else shown)
    names = listed or "no names"
    expected = (f"expected a formula in {names} using whole numbers, + - * / ^ and brackets",
                f"应为只含 {listed}、整数、+ - * / ^ 和括号的公式" if listed else "应为只含整数、+ - * / ^ 和括号的式子")
    norm = _prepare(text, expected)
    fail = _failer(expected, text)
    body = norm[lhs.end() :] if (lhs := _LHS.match(norm)) else norm

    def const(value: Fraction) -> _Term:
        return _Term(sympy.Rational(value.numerator, value.denominator), value, 1)

    def leaf(tok: _Token) -> _Term:
        if tok.kind == "num":
            return const(tok.value)
        return _Term(_resolve(tok.text, symbols, fail, names), None, 1)

    def neg(a: _Term) -> _Term:
        return const(-a.const) if a.const is not None else _Term(-a.expr, None, a.terms)

    def binary(op: str, a: _Term, b: _Term) -> _Term:
        if a.const is not None and b.const is not None:
            return const(_arith(op, a.const, b.const, fail))
        if op == "^":
            if b.const is None or b.const.denominator != 1 or abs(b.const) > _MAX_FORMULA_POWER:
                raise fail(f"exponents must be whole numbers up to {_MAX_FORMULA_POWER}", f"指数必须是不超过 {_MAX_FORMULA_POWER} 的整数")
            n = abs(int(b.const))
            result = _Term(a.expr ** int(b.const), None, math.comb(a.terms + n - 1, n))
        elif op in "+-":
            result = _Term(a.expr + b.expr if op == "+" else a.expr - b.expr, None, a.terms + b.terms)
        elif op == "/" and b.const == 0:
            raise fail("division by zero", "除数为零")
        else:
            result = _Term(a.expr * b.expr if op == "*" else a.expr / b.expr, None, a.terms * b.terms)
        if result.terms > _MAX_TERMS:
            raise fail("the formula is too large to compare", "公式太大,无法比较")
        return result

    tokens = _tokenize(body, _FORMULA_NUMBER, fail, text)
    expr = _Parser(tokens, leaf, neg, binary, fail).parse().expr
    if expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise fail("division by zero", "除数为零")
    if any(max(abs(n.p).bit_length(), n.q.bit_length()) > _MAX_BITS for n in expr.atoms(sympy.Rational)):
        raise fail("a number is too large", "数太大")
    return expr


def formulas_equivalent(a: sympy.Expr, b: sympy.Expr) -> bool:
    """True when a and b are the same function of their symbols.

    Exact evaluation at a few fixed points rejects most different formulas at once; equality is then
    confirmed symbolically: expand, then cancel for fractions (much faster than simplify), and simplify
    only for what is not a rational function (floor, Max).
    """
    import sympy  # type: ignore[import-untyped,unused-ignore]

    diff = a - b
    if diff == 0:
        return True
    free = sorted(diff.free_symbols, key=lambda s: s.name)
    rng = random.Random(5)  # noqa: S311 -- fixed probe points, so the same answer always gets the same verdict
    for _ in range(3):
        value = diff.xreplace({s: sympy.Integer(rng.randint(2, 10**6)) for s in free})
        if value.is_Rational and value != 0:
            return False
    if sympy.expand(diff) == 0:
        return True
    if diff.is_rational_function():
        return bool(sympy.cancel(diff) == 0)
    return bool(sympy.simplify(diff) == 0)


_CHOICE_PREFIX = re.compile(r"(?i:option|choice|answer)\s*:?\s*|选项\s*|选\s*|答案\s*:?\s*")


# The answer key's own form: the letter, then the option's value in brackets ("B (66048)", "B. (None, 8)").
_LABELLED_CHOICE = re.compile(r"([A-Za-z]|[0-9]{1,3})\s*[.:)]?\s*\((.+)\)")


def _same_option(option: Any, written: str) -> bool:
    if isinstance(option, int) and not isinstance(option, bool):
        try:
            number = parse_count(written)
        except AnswerParseError:
            return False
        return number.value == option
    return re.sub(r"\s+", "", written) == re.sub(r"\s+", "", str(option))


def parse_choice(text: str, n_options: int, options: Sequence[Any] | None = None) -> int:
    """Parse a choice (A, b, (c), 1, 选项A) into a 0-based index below ``n_options``.

    With the ``options`` given, a letter may be followed by its option's value in brackets, as the
    answer key and answers.csv write it ("B (66048)"); a value that is not that option's is refused
    (which of the two did the student mean?).
    """
    if not 1 <= n_options <= 26:
        raise ValueError(f"n_options must be between 1 and 26, got {n_options}")
    last = chr(ord("A") + n_options - 1)
    expected = (f"expected one of A-{last} or 1-{n_options}", f"应为 A-{last} 或 1-{n_options} 之一") if n_options > 1 else \
        ("expected A or 1", "应为 A 或 1")
    norm = _prepare(text, expected)
    body = norm[m.end() :] if (m := _CHOICE_PREFIX.match(norm)) else norm
    fail = _failer(expected, text)
    if options is not None and (labelled := _LABELLED_CHOICE.fullmatch(body.strip())):
        index = _option_index(labelled[1], n_options, fail)
        written = labelled[2].strip()
        if index < len(options) and not _same_option(options[index], written):
            letter = chr(ord("A") + index)
            raise fail(f"option {letter} is {options[index]}, not {written}: give the letter alone, or the letter and its own value",
                       f"选项 {letter} 是 {options[index]},不是 {written}:请只写字母,或写字母和它自己的值")
        return index
    return _option_index(body.strip().strip("()[]{}.:").strip(), n_options, fail)


def _option_index(body: str, n_options: int, fail: Fail) -> int:
    if len(body) == 1 and body.isascii() and body.isalpha():  # not "ß", whose upper() is "SS"
        index = ord(body.upper()) - ord("A")
    elif _DIGITS.fullmatch(body) and len(body) <= 3:
        index = int(body) - 1
    else:
        raise fail("not an option letter or number", "不是选项的字母或编号")
    if not 0 <= index < n_options:
        raise fail("no such option", "没有这个选项")
    return index
