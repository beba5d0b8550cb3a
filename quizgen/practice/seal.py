"""How a practice page keeps its answers out of sight yet checks them offline.

A practice page stores no answer. For every answer box it stores a salted SHA-256 *tag* of the
right answer in canonical form, and one tag per expected mistake value. The page's script
brings the typed text to the same canonical form (templates/practice/practice.js), tags it the
same way and looks the tag up. What is shown after a match -- the worked solution after a right
answer, a mistake's explanation after that mistake -- is *sealed* with a key derived from the
canonical value itself, so it can be read only by someone who typed that value: the page
source does not say which value leads to which explanation.

    tag(box, v)  = hex(SHA-256("tag" ␟ salt ␟ box ␟ v))[:32]
    key(l, box, v) = SHA-256(l ␟ salt ␟ box ␟ v)          l = "sol" | "key" | "reveal"
    seal(k, text) = base64(UTF-8(text) XOR SHA-256(k ‖ 0) ‖ SHA-256(k ‖ 1) ‖ ...)

The salt comes from the exam seed and the variant (same exam, same page bytes) and differs
between pages, so a table of tags from one page says nothing about another. Every key seals
exactly one text, which is what makes the hash-counter keystream sound. This is a practice aid,
not exam security: a small answer space (an option letter, a kernel size) can be enumerated by
anyone who reads the script, which the page says.

Canonical forms (the script's normalizers produce the same strings from typed text):
counts ``18207`` (a fraction ``7/2``); shapes ``26,26,32`` with ``none`` for unknown sizes and
one leading batch entry dropped; choices the 0-based option index; sets of values sorted
``3,5``; formulas their exact values at two probe points ``p|q``.
"""

from __future__ import annotations

__all__ = [
    "canon_count",
    "canon_formula",
    "canon_shape",
    "canon_values",
    "formula_probes",
    "open_sealed",
    "page_salt",
    "seal",
    "seal_key",
    "tag",
]

import base64
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from ..bank.sample import rng_for
from ..errors import AnswerParseError

_SEP = "\x1f"
TAG_HEX = 32  # 128 bits: no collision among a page's few hundred tags


def page_salt(seed: int, variant_id: str) -> str:
    return hashlib.sha256(f"quizgen-practice{_SEP}{seed}{_SEP}{variant_id}".encode()).hexdigest()[:32]


def _digest(label: str, salt: str, box: str, value: str) -> bytes:
    return hashlib.sha256(_SEP.join((label, salt, box, value)).encode("utf-8")).digest()


def tag(salt: str, box: str, value: str) -> str:
    return _digest("tag", salt, box, value).hex()[:TAG_HEX]


def seal_key(label: str, salt: str, box: str, value: str) -> bytes:
    return _digest(label, salt, box, value)


def _keystream(key: bytes, size: int) -> bytes:
    blocks = (hashlib.sha256(key + i.to_bytes(4, "big")).digest() for i in range((size + 31) // 32))
    return b"".join(blocks)[:size]


def _xor(data: bytes, key: bytes) -> bytes:
    # One big-integer XOR: a page seals a thousand texts, a byte loop would dominate its build time.
    stream = _keystream(key, len(data))
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(data), "big")


def seal(key: bytes, text: str) -> str:
    return base64.b64encode(_xor(text.encode("utf-8"), key)).decode("ascii")


def open_sealed(key: bytes, sealed: str) -> str:
    """The inverse of `seal` (what the page's script does); used by tests and nothing else."""
    return _xor(base64.b64decode(sealed), key).decode("utf-8")


# --- canonical forms of stored values ------------------------------------------------------


def canon_count(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return str(value)


def canon_shape(dims: Any, rank: int) -> str | None:
    """``rank`` is the answer's number of dimensions: one more entry is a batch entry, dropped."""
    if not isinstance(dims, (list, tuple)) or not all(d is None or (isinstance(d, int) and not isinstance(d, bool)) for d in dims):
        return None
    items = list(dims)[1:] if len(dims) == rank + 1 else list(dims)
    return ",".join("none" if d is None else str(d) for d in items)


def canon_values(values: Iterable[Any]) -> str:
    return ",".join(str(v) for v in sorted(set(values)))


def formula_probes(salt: str, box: str, symbols: Sequence[str]) -> list[list[int]]:
    """Two points at which formulas are compared: equivalent formulas agree on both."""
    rng = rng_for("practice-probes", salt, box)
    return [[rng.randint(1_000, 1_000_000) for _ in symbols] for _ in range(2)]


def canon_formula(text: str, symbols: Sequence[str], probes: Sequence[Sequence[int]]) -> str | None:
    """The formula's exact values at the probe points, or None when it is not a rational function."""
    import sympy  # type: ignore[import-untyped,unused-ignore]  # slow import, formula questions only

    from ..grading.parse import parse_formula

    names: Mapping[str, Any] = {name: sympy.Symbol(name) for name in symbols}
    try:
        expr = parse_formula(text, names)
    except AnswerParseError:
        return None
    out = []
    for point in probes:
        value = expr.xreplace({names[name]: sympy.Integer(v) for name, v in zip(symbols, point, strict=True)})
        if not value.is_Rational:
            return None
        fraction = Fraction(int(value.p), int(value.q))
        out.append(str(fraction.numerator) if fraction.denominator == 1 else f"{fraction.numerator}/{fraction.denominator}")
    return "|".join(out)
