"""An exam's instructions, each thing said once.

The instructions are every bank's own paragraph plus the shared conventions (Keras, PyTorch, the
MAC convention). Banks written to stand alone repeat what another says: four banks together said
"FLOPs = 2·MACs" three times. A clause (a sentence, or a part of one between semicolons) that an
earlier paragraph already said, word for word up to spacing, case and its closing punctuation, is
left out; everything else keeps its place and wording, so the result depends only on the
paragraphs and their order.

Chinese text folded by YAML (``>``) gets a space wherever a line was broken: "…偏置)。 MACs", "每个 卷积".
:func:`tidy_cjk_spacing` takes those out when a bank is read.
"""

from __future__ import annotations

__all__ = ["tidy_cjk_spacing", "without_repeats"]

import re
from collections.abc import Iterable

# A clause ends at a full stop followed by a space or the paragraph's end ("1.18G" and "model.parameters()"
# end none), at a semicolon, or at a Chinese full stop or semicolon. The spacing after it is kept as it was.
_CLAUSE = re.compile(r"(.+?)(\.(?=\s|$)|[;\uff1b\u3002]|$)(\s*)", re.S)
_ENDS_SENTENCE = (".", "\u3002")
_SEMICOLONS = (";", "\uff1b")


# Spaces (never line breaks, which separate paragraphs) after Chinese punctuation, or between two Han
# characters with at most one ASCII , ; : between them (the banks write those in Chinese text too). Code
# and formulas are ASCII, so neither rule can reach into them: "+ 偏置" and "softmax·V 两次" keep their space.
_AFTER_CJK_PUNCT = re.compile("([\u3001\u3002\uff0c\uff1b\uff1a\uff01\uff1f\uff09\u300d\u300f\u3011\u3015\u300b\u3009])[ \t]+")
_BETWEEN_HAN = re.compile("([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff][,;:]?)[ \t]+(?=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")


def tidy_cjk_spacing(text: str) -> str:
    """``text`` without the spaces Chinese never has: after 。，；：、！？ and closing brackets, and between
    two Han characters. Text without Chinese comes back unchanged."""
    if text.isascii():
        return text
    return _BETWEEN_HAN.sub(r"\1", _AFTER_CJK_PUNCT.sub(r"\1", text))


def _key(clause: str) -> str:
    return re.sub(r"\s+", " ", clause).strip().casefold()


def _paragraph(text: str, seen: set[str]) -> str:
    """``text`` without the clauses in ``seen`` (which it extends with its own)."""
    kept: list[list[str]] = []  # [clause, end mark, the spacing after it]
    capitalise_next = False
    for match in _CLAUSE.finditer(text.strip()):
        clause, mark, space = match.group(1).strip(), match.group(2), " " if match.group(3) else ""
        if not clause:
            continue
        starts_sentence = not kept or kept[-1][1] in _ENDS_SENTENCE
        key = _key(clause)
        if key in seen:
            if mark in _ENDS_SENTENCE and kept and kept[-1][1] in _SEMICOLONS:
                kept[-1][1] = mark  # "… count 0; FLOPs = 2·MACs." without its last clause ends "… count 0."
            capitalise_next = capitalise_next or (starts_sentence and mark not in _ENDS_SENTENCE)
            continue
        seen.add(key)
        if capitalise_next:
            clause = clause[:1].upper() + clause[1:]
            capitalise_next = False
        kept.append([clause, mark, space])
    return "".join(clause + mark + space for clause, mark, space in kept).rstrip()


def without_repeats(paragraphs: Iterable[str]) -> list[str]:
    """The paragraphs, in order, each without the clauses an earlier one said; emptied ones dropped."""
    seen: set[str] = set()
    out = []
    for paragraph in paragraphs:
        if kept := _paragraph(paragraph, seen):
            out.append(kept)
    return out
