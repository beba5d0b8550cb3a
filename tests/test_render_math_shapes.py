"""Typesetting by shape (issue 15): a text is typeset once per shape — its text with the numbers
taken out — and the numbers are put back. It must give exactly what typesetting the text itself gives."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizgen.render import mathfmt
from quizgen.render.mathfmt import MathMode, _typeset, _typeset_pieces

ALPHABET = st.sampled_from(["C_out", "K_h", "x", "a_1", "conv2d", "3", "12", "0", "1.5", "007", "٣", "١٢", "۴", ".", "·", "+", "−",
                            "-", "/", "=", "×", "(", ")", "⌊", "⌋", "⌈", "⌉", ",", " ", ":", ";", "word", "中文", "<", "&", "Σ"])
EDGES = [
    "1.5.3 and 2.5",  # two numbers joined by a dot: never read as one decimal
    "3x2 + x_1 = conv2d",
    "١٢ + 3 = 15",  # digits of another script are numbers too
    "٠ + 1 = ٠",
    "FLOPs = 2·MACs = 2·1234 = 2468",
    "(None, 26, 26, 32)",
    "parameters: C_out·(K_h·K_w·C_in + 1) = 63·(3·3·32 + 1) = 18207",
    "total: " + " + ".join(["1"] * 30) + " = 30",  # long with any numbers: set in pieces
    "total: " + " + ".join(["9"] * 12) + " = 108",  # 59 characters: one piece ...
    "total: " + " + ".join(["99999"] * 12) + " = 1199988",  # ... the same shape with longer numbers: several
    "sum: " + " + ".join(str(n) for n in range(130)) + " = 8385",  # more numbers than holes
]


def _both(text: str) -> None:
    for mode in MathMode:
        _typeset.cache_clear()
        assert _typeset(text, mode) == _typeset_pieces(text, mode), (text, mode)


@pytest.mark.parametrize("text", EDGES)
def test_edge_cases_typeset_as_the_text_itself(text: str) -> None:
    _both(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=40).map("".join))
def test_any_text_typesets_as_the_text_itself(text: str) -> None:
    _both(text)


def test_texts_that_differ_in_their_numbers_share_one_shape() -> None:
    mathfmt._shape.cache_clear()
    _typeset.cache_clear()
    texts = [f"{c * (k * k * i + 1)} = {c}·({k}·{k}·{i} + 1): you forgot the {i} input channels" for c in (8, 16, 96) for k in (3, 5)
             for i in (2, 30)]
    for text in texts:
        assert _typeset(text, MathMode.MATHML) == _typeset_pieces(text, MathMode.MATHML)
    assert mathfmt._shape.cache_info().misses == 1
