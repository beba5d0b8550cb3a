"""Typeset the formulas inside worksheet text: MathML for browsers, HTML/CSS for WeasyPrint.

Prompts, worked steps and explanations are plain text mixing prose and formulas
("parameters: C_out·(K_h·K_w·C_in + 1) = 63·(3·3·32 + 1) = 18207"). A small scanner finds the
formula runs — symbols like ``C_out``, numbers, operators, balanced brackets — and typesets
each one: subscripts, stacked fractions for ``a/b``, upright operators. Everything else stays
text. WeasyPrint has no MathML, so PDFs get the same tree drawn with spans and CSS.

A run that cannot be parsed cleanly stays plain text: typesetting may only change how a
formula looks, never drop or reorder a character of it.
"""

from __future__ import annotations

__all__ = ["MathMode", "typeset"]

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from html import escape

from markupsafe import Markup


class MathMode(StrEnum):
    MATHML = "mathml"  # browsers (HTML output)
    CSS = "css"  # WeasyPrint (PDF output)


_TOKEN = re.compile(
    r"(?P<num>\d+(?:\.\d+)?)"
    r"|(?P<word>[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*)"
    r"|(?P<space>[ \t]+)"
    r"|(?P<char>.)",
    re.DOTALL,
)
# A formula symbol: one letter, optionally with a short subscript (C_out, K_h, H_in), or a
# quantity name the material writes like a symbol. "a" is the English article, never a symbol.
_SYMBOL = re.compile(r"(?:[A-Za-z](?:_[A-Za-z0-9]{1,4})?|FLOPs|MACs|None)")
_BINARY = frozenset("·+−-/=×⇒∈≤≥≈*^")
_PREFIX = frozenset("∏Σ−")
_OPEN = {"(": ")", "[": "]", "{": "}", "⌊": "⌋", "⌈": "⌉"}
_CLOSE = frozenset(_OPEN.values())
# A run is typeset only if it shows real math, not e.g. a shape tuple "(None, 26, 26, 32)".
_MATHY = frozenset("·+−/=×⇒∈≈∏Σ⌊⌈")


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # num | sym | word | op | open | close | comma | space | other
    text: str


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "char"
        value = match.group()
        if kind == "word":
            kind = "sym" if _SYMBOL.fullmatch(value) and value != "a" else "word"
        elif kind == "char":
            if value == "-":
                # A hyphen is a minus only between spaces: "1-D" and "multi-head" are words.
                before = out[-1].kind if out else "space"
                kind = "op" if before == "space" else "other"
            elif value in _BINARY or value in _PREFIX:
                kind = "op"
            elif value in _OPEN:
                kind = "open"
            elif value in _CLOSE:
                kind = "close"
            elif value == ",":
                kind = "comma"
            else:
                kind = "other"
        out.append(_Tok(kind, value))
    return out


_RUN_KINDS = frozenset({"num", "sym", "op", "open", "close", "comma", "space"})


def _balanced_end(tokens: list[_Tok], start: int) -> int | None:
    """End (exclusive) of the longest bracket-balanced run of math tokens from ``start``."""
    stack: list[str] = []
    end: int | None = None
    j = start
    while j < len(tokens) and tokens[j].kind in _RUN_KINDS:
        tok = tokens[j]
        if tok.kind == "open":
            stack.append(_OPEN[tok.text])
        elif tok.kind == "close":
            if not stack or stack[-1] != tok.text:
                break
            stack.pop()
        j += 1
        if not stack:
            end = j
    return end


def _trim(tokens: list[_Tok], start: int, end: int) -> tuple[int, int]:
    def loose(tok: _Tok, leading: bool) -> bool:
        if tok.kind in ("space", "comma"):
            return True
        return tok.kind == "op" and not (leading and tok.text in _PREFIX)

    while start < end and loose(tokens[start], True):
        start += 1
    while end > start and loose(tokens[end - 1], False):
        end -= 1
    return start, end


def _worth_typesetting(run: list[_Tok]) -> bool:
    has_operand = any(t.kind in ("num", "sym") for t in run)
    mathy = any(t.text in _MATHY for t in run) or any(t.kind == "sym" and "_" in t.text for t in run)
    return has_operand and mathy


def _split(text: str) -> list[tuple[bool, list[_Tok]]]:
    """The text as alternating (is_formula, tokens) pieces that concatenate back to the text."""
    tokens = _tokens(text)
    pieces: list[tuple[bool, list[_Tok]]] = []
    prose: list[_Tok] = []
    i = 0
    while i < len(tokens):
        end = _balanced_end(tokens, i) if tokens[i].kind in _RUN_KINDS else None
        if end is None:
            prose.append(tokens[i])
            i += 1
            continue
        start, stop = _trim(tokens, i, end)
        if start < stop and _worth_typesetting(tokens[start:stop]):
            prose.extend(tokens[i:start])
            if prose:
                pieces.append((False, prose))
                prose = []
            pieces.append((True, tokens[start:stop]))
            prose.extend(tokens[stop:end])
        else:
            prose.extend(tokens[i:end])
        i = end
    if prose:
        pieces.append((False, prose))
    return pieces


# The formula tree: ("atom", tok) | ("group", open, close, children) | ("frac", num, den)
_Node = tuple[object, ...]


def _tree(run: list[_Tok]) -> list[_Node]:
    stack: list[tuple[str, list[_Node]]] = [("", [])]
    for tok in run:
        if tok.kind == "space":
            continue
        if tok.kind == "open":
            stack.append((tok.text, []))
        elif tok.kind == "close":
            opened, children = stack.pop()
            stack[-1][1].append(("group", opened, tok.text, _fractions(children)))
        else:
            stack[-1][1].append(("atom", tok))
    return _fractions(stack[0][1])


def _is_operand(node: _Node) -> bool:
    if node[0] in ("group", "frac"):
        return True
    tok = node[1]
    return isinstance(tok, _Tok) and tok.kind in ("num", "sym")


def _unwrap(node: _Node) -> list[_Node]:
    if node[0] == "group" and node[1] == "(":
        children = node[3]
        assert isinstance(children, list)
        return children
    return [node]


def _fractions(nodes: list[_Node]) -> list[_Node]:
    out: list[_Node] = []
    i = 0
    while i < len(nodes):
        node = nodes[i]
        tok = node[1] if node[0] == "atom" else None
        if (isinstance(tok, _Tok) and tok.text == "/" and out and _is_operand(out[-1])
                and i + 1 < len(nodes) and _is_operand(nodes[i + 1])):
            numerator = out.pop()
            out.append(("frac", _unwrap(numerator), _unwrap(nodes[i + 1])))
            i += 2
            continue
        out.append(node)
        i += 1
    return out


def _has_frac(nodes: list[_Node]) -> bool:
    for node in nodes:
        if node[0] == "frac":
            return True
        if node[0] == "group" and _has_frac(node[3]):  # type: ignore[arg-type]
            return True
    return False


def _op_text(text: str) -> str:
    return {"-": "−", "*": "·"}.get(text, text)


def _mathml(nodes: list[_Node]) -> str:
    parts: list[str] = []
    for node in nodes:
        if node[0] == "frac":
            parts.append(f"<mfrac><mrow>{_mathml(node[1])}</mrow><mrow>{_mathml(node[2])}</mrow></mfrac>")  # type: ignore[arg-type]
        elif node[0] == "group":
            opened, closed, children = node[1], node[2], node[3]
            parts.append(f'<mrow><mo fence="true">{escape(str(opened))}</mo>{_mathml(children)}'  # type: ignore[arg-type]
                         f'<mo fence="true">{escape(str(closed))}</mo></mrow>')
        else:
            tok = node[1]
            assert isinstance(tok, _Tok)
            if tok.kind == "num":
                parts.append(f"<mn>{tok.text}</mn>")
            elif tok.kind == "sym":
                base, _, sub = tok.text.partition("_")
                parts.append(f"<msub><mi>{base}</mi><mi>{sub}</mi></msub>" if sub else f"<mi>{base}</mi>")
            elif tok.kind == "comma":
                parts.append('<mo separator="true">,</mo>')
            elif tok.text in ("∏", "Σ"):  # inline, not a display-size big operator
                parts.append(f'<mo largeop="false">{tok.text}</mo>')
            else:
                parts.append(f"<mo>{escape(_op_text(tok.text))}</mo>")
    return "".join(parts)


def _css(nodes: list[_Node]) -> str:
    # Few boxes on purpose: WeasyPrint lays out every span, so operators are plain text with
    # spaces (a line may still break after "=") and only fractions and subscripts get markup.
    parts: list[str] = []
    for node in nodes:
        if node[0] == "frac":
            parts.append(f'<span class="fr"><span class="fn">{_css(node[1])}</span>'  # type: ignore[arg-type]
                         f'<span class="fd">{_css(node[2])}</span></span>')  # type: ignore[arg-type]
        elif node[0] == "group":
            opened, closed, children = escape(str(node[1])), escape(str(node[2])), node[3]
            if _has_frac(children):  # type: ignore[arg-type]
                opened, closed = f'<span class="fence">{opened}</span>', f'<span class="fence">{closed}</span>'
            parts.append(f"{opened}{_css(children)}{closed}")  # type: ignore[arg-type]
        else:
            tok = node[1]
            assert isinstance(tok, _Tok)
            if tok.kind == "num":
                parts.append(tok.text)
            elif tok.kind == "sym":
                base, _, sub = tok.text.partition("_")
                shown = f"<i>{base}</i>" if len(base) == 1 else base
                parts.append(f"{shown}<sub>{sub}</sub>" if sub else shown)
            elif tok.kind == "comma":
                parts.append(", ")
            else:
                text = escape(_op_text(tok.text))
                parts.append(text if text in ("·", "^", "/") else f" {text} ")
    return "".join(parts)


_LONG_FORMULA = 70  # characters; shorter formulas fit a line as one piece


def _source(run: list[_Tok]) -> str:
    return "".join(t.text for t in run).strip()


def _line_pieces(run: list[_Tok]) -> list[list[_Tok]]:
    """``run`` cut before each + or = outside brackets (the operator starts the next piece)."""
    pieces: list[list[_Tok]] = [[]]
    depth = 0
    for tok in run:
        if tok.kind == "open":
            depth += 1
        elif tok.kind == "close":
            depth -= 1
        elif depth == 0 and tok.kind == "op" and tok.text in ("+", "=") and pieces[-1]:
            pieces.append([])
        if tok.kind != "space" or pieces[-1]:
            pieces[-1].append(tok)
    return [p for p in pieces if p]


def _math_element(run: list[_Tok], *, leading_infix: bool = False) -> str:
    body = _mathml(_tree(run))
    if leading_infix and body.startswith("<mo>"):
        # spaced like "a + b" (the space before it is the one between the pieces), not like the sign in "+5"
        body = '<mo form="infix" lspace="0">' + body.removeprefix("<mo>")
    return f'<math alttext="{escape(_source(run))}"><mrow>{body}</mrow></math>'


def _typeset_pieces(text: str, mode: MathMode, short_runs: list[str] | None = None) -> str:
    """The typeset text; ``short_runs`` (MathML) collects the formula runs short enough to stay one piece."""
    out: list[str] = []
    for is_formula, run in _split(text):
        source = "".join(t.text for t in run)
        if not is_formula:
            out.append(escape(source, quote=False))
        elif mode is MathMode.MATHML:
            # Browsers never break a line inside <math>; a long sum (a model's total) is set as
            # several <math> pieces, broken before a top-level + or =, so the line can wrap there.
            pieces = _line_pieces(run) if len(source) > _LONG_FORMULA else [run]
            if short_runs is not None and len(pieces) == 1 and len(source) <= _LONG_FORMULA:
                short_runs.append(source)
            out.append(" ".join(_math_element(p, leading_infix=i > 0) for i, p in enumerate(pieces)))
        else:
            out.append(f'<span class="mx">{_css(_tree(run))}</span>')
    return "".join(out)


# Typesetting by shape. A class set's texts are a few dozen sentences with different numbers
# ("176 = 88·(1·1 + 1): you forgot ..."), and how a text is typeset depends on its numbers only
# through where they stand and, for the one-piece-or-several choice of a formula, how long they
# are. So each number is replaced by a hole, one character of its own, the shape is typeset once
# and the numbers are put back. The holes are decimal digits of other scripts: the scanner reads
# each as a number like the one it stands for, and typesetting copies a number's text whole.
_HOLE_BLOCKS = (0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66)
_HOLES = "".join(chr(block + digit) for block in _HOLE_BLOCKS for digit in range(10))
_HOLE_INDEX = {hole: index for index, hole in enumerate(_HOLES)}
_ANY_HOLE = re.compile(f"[{_HOLES}]")
_MERGED_HOLES = re.compile(f"[{_HOLES}]\\.[{_HOLES}]")  # 1.5.3 would read as the decimal of two holes
# The scanner's numbers and words (a word keeps its digits: conv2d); any other character is text.
_NUMBER_OR_WORD = re.compile(r"(\d+(?:\.\d+)?)|([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*)")


_SPLIT_HOLES = re.compile(f"([{_HOLES}])")


@dataclass(frozen=True, slots=True)
class _Shape:
    html: tuple[str, ...]  # the typeset text cut at its holes: html, hole, html, hole, ..., html
    short_runs: tuple[tuple[int, tuple[int, ...]], ...]  # one-piece formulas with holes: (length with holes, holes)


@lru_cache(maxsize=4096)
def _shape(skeleton: str, mode: MathMode) -> _Shape:
    runs: list[str] = []
    html = _SPLIT_HOLES.split(_typeset_pieces(skeleton, mode, runs))
    holed = tuple((len(run), tuple(_HOLE_INDEX[h] for h in _ANY_HOLE.findall(run))) for run in runs)
    return _Shape(tuple(html), tuple((length, holes) for length, holes in holed if holes))


@lru_cache(maxsize=16384)
def _typeset(text: str, mode: MathMode) -> str:
    parts = _NUMBER_OR_WORD.split(text)
    numbers = parts[1::3]
    count = sum(n is not None for n in numbers)
    if not count or count > len(_HOLES) or _ANY_HOLE.search(text):
        return _typeset_pieces(text, mode)
    skeleton: list[str] = []
    holes: list[str] = []
    for i in range(0, len(parts) - 1, 3):
        skeleton.append(parts[i])
        number = parts[i + 1]
        if number is None:
            skeleton.append(parts[i + 2])
        else:
            skeleton.append(_HOLES[len(holes)])
            holes.append(number)
    skeleton.append(parts[-1])
    shape_text = "".join(skeleton)
    if _MERGED_HOLES.search(shape_text):
        return _typeset_pieces(text, mode)
    shape = _shape(shape_text, mode)
    for length, indexes in shape.short_runs:
        if length + sum(len(holes[i]) - 1 for i in indexes) > _LONG_FORMULA:
            return _typeset_pieces(text, mode)  # its numbers make this formula long: set in pieces
    html = list(shape.html)
    html[1::2] = [holes[_HOLE_INDEX[hole]] for hole in html[1::2]]
    return "".join(html)


def typeset(text: object, mode: MathMode | str) -> Markup:
    """``text`` as safe HTML with every formula typeset; everything else escaped."""
    return Markup(_typeset(str(text), MathMode(mode)))  # noqa: S704 - built from escaped pieces above
