"""The safe answer parser: every notation students use, the refusals, and a fuzz test.

Case tables in the style of PrairieLearn's EXPR_PAIRS: (student text, what it must mean).
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import time
from fractions import Fraction
from pathlib import Path

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizgen.errors import AnswerParseError
from quizgen.grading import parse as parse_module
from quizgen.grading.parse import (
    MAX_LENGTH,
    BlankAnswer,
    ParsedNumber,
    ParsedShape,
    formulas_equivalent,
    normalize,
    parse_choice,
    parse_count,
    parse_formula,
    parse_shape,
    shape_matches,
)

C_in, C_out, K_h, K_w, k = sympy.symbols("C_in C_out K_h K_w k", positive=True, integer=True)
H, P, S = sympy.symbols("H P S", positive=True, integer=True)
SYMBOLS = {"C_in": C_in, "C_out": C_out, "K_h": K_h, "K_w": K_w, "k": k, "H": H, "P": P, "S": S}

# --- normalize ----------------------------------------------------------------------------

NORMALIZE_PAIRS = [
    ("  18207 ", "18207"),
    ("１８２０７", "18207"),
    ("６３×（３×３×３２＋１）", "63*(3*3*32+1)"),
    ("63·(3·3·32+1)", "63*(3*3*32+1)"),
    ("（None，26，26，32）", "(None,26,26,32)"),
    ("【26，26，32】", "[26,26,32]"),
    ("1÷2－3", "1/2-3"),
    ("18207。", "18207."),
    ("答：18207；", "答:18207;"),
    ("k²", "k^2"),
    ("10⁻³", "10^-3"),
    ("１８\u3000２０７", "18 207"),
    ("\ufeff18207\u200b", "18207"),
    ("٣٢", "32"),  # Arabic-Indic digits
    ("—", "-"),
]


@pytest.mark.parametrize(("text", "expected"), NORMALIZE_PAIRS)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


# --- counts -------------------------------------------------------------------------------

COUNT_PAIRS: list[tuple[str, int | Fraction]] = [
    ("18207", 18207),
    ("  18207\n", 18207),
    ("18207\x1f", 18207),  # str.strip() removes control separators that int() refuses
    ("+18207", 18207),
    ("-5", -5),
    ("18207.0", 18207),
    ("1,181,161", 1181161),
    ("1 181 161", 1181161),
    ("1_181_161", 1181161),
    ("1'181'161", 1181161),
    ("1’181’161", 1181161),
    ("1\u202f181\u202f161", 1181161),  # narrow no-break space, as French locales print it
    ("1,000.5", Fraction(2001, 2)),
    ("１８２０７", 18207),
    ("18207 params", 18207),
    ("18207 parameters", 18207),
    ("18207 Params.", 18207),
    ("18207 weights", 18207),
    ("18207个参数", 18207),
    ("18207个参数。", 18207),
    ("18207 个", 18207),
    ("18,207 MACs", 18207),
    ("18207 FLOPs", 18207),
    ("18207次乘加", 18207),
    ("63*(3*3*32+1)", 18207),
    ("63×(3×3×32+1)", 18207),
    ("63·(3·3·32+1)", 18207),
    ("63x(3x3x32+1)", 18207),
    ("63 * (3 * 3 * 32 + 1)", 18207),
    ("６３×（３×３×３２＋１）", 18207),
    ("63(3*3*32+1)", 18207),  # implicit multiplication before a bracket
    ("63*[3*3*32+1]", 18207),
    ("2^10", 1024),
    ("2**10", 1024),
    ("2¹⁰", 1024),
    ("2^3^2", 512),  # right-associative, as in Python
    ("-2^2", -4),  # power binds tighter than the sign, as in Python
    ("2^-1", Fraction(1, 2)),
    ("(28-3+2*1)/1+1", 28),
    ("(28-3)/2+1", Fraction(27, 2)),  # exact: the grader may diagnose a forgotten floor
    ("10/4", Fraction(5, 2)),
    ("1÷2", Fraction(1, 2)),
    ("--5", 5),
    ("63*(3*3*32+1) = 18207", 18207),
    ("=18207", 18207),
    ("3*3*32*63+63 params", 18207),
]


@pytest.mark.parametrize(("text", "value"), COUNT_PAIRS)
def test_parse_count_exact(text: str, value: int | Fraction) -> None:
    parsed = parse_count(text)
    assert parsed.value == value
    assert type(parsed.value) is (int if Fraction(value).denominator == 1 else Fraction)
    assert parsed.exact


ROUNDED_PAIRS = [
    ("1.18e6", 1_180_000),
    ("1.18E+6", 1_180_000),
    ("1.18M", 1_180_000),
    ("1.18m", 1_180_000),
    ("3.2K", 3_200),
    ("3.2k", 3_200),
    ("2.5G", 2_500_000_000),
    ("2.5B", 2_500_000_000),
    ("1.18 million", 1_180_000),
    ("1.18 Million params", 1_180_000),
    ("118万", 1_180_000),
    ("118万个参数", 1_180_000),
    ("1.2亿", 120_000_000),
    ("1.2亿次", 120_000_000),
    ("1.2 MFLOPs", 1_200_000),
    ("1.2GMACs", 1_200_000_000),
    ("1.18×10⁶", 1_180_000),
    ("1.18*10^6", 1_180_000),
    ("1.18 x 10^(6)", 1_180_000),
    ("≈18000", 18_000),
    ("约1.8万", 18_000),
    ("about 18000", 18_000),
    ("1.5e-1", Fraction(3, 20)),
]


@pytest.mark.parametrize(("text", "value"), ROUNDED_PAIRS)
def test_parse_count_rounded_only_when_allowed(text: str, value: int | Fraction) -> None:
    parsed = parse_count(text, allow_rounding=True)
    assert parsed == ParsedNumber(value, False, normalize(text))
    with pytest.raises(AnswerParseError, match="an exact count is required") as info:
        parse_count(text)
    assert "1181161" in str(info.value)  # shows how to write an exact count
    assert not isinstance(info.value, BlankAnswer)


def test_exact_answer_with_rounding_allowed_stays_exact() -> None:
    assert parse_count("1,181,161", allow_rounding=True) == ParsedNumber(1181161, True, "1,181,161")


BLANKS = ["", "   ", "\n\t", "-", "--", "—", "——", "N/A", "n/a", "无", "\u3000"]


@pytest.mark.parametrize("text", BLANKS)
def test_blank_answers(text: str) -> None:
    with pytest.raises(BlankAnswer, match="no answer"):
        parse_count(text)
    with pytest.raises(BlankAnswer):
        parse_shape(text)
    with pytest.raises(BlankAnswer):
        parse_formula(text, SYMBOLS)
    with pytest.raises(BlankAnswer):
        parse_choice(text, 4)


def test_blank_is_a_located_answer_parse_error() -> None:
    with pytest.raises(BlankAnswer) as info:
        parse_count("-")
    located = info.value.located(file="responses.csv", row=3)
    assert isinstance(located, BlankAnswer)
    assert str(located) == "responses.csv row 3: no answer given"


COUNT_EXPECTED = "expected a whole number like 18207 or an arithmetic expression like 63*(3*3*32+1)"

COUNT_REJECTS = [
    ("abc", "unexpected word 'abc'"),
    ("18207 apples", "unexpected word 'apples'"),
    ("params", "unexpected word 'params'"),
    ("12,34", "unexpected character ','"),
    ("1,2345", "unexpected character ','"),
    ("1.181.161", "unexpected"),
    ("1,181 161", "unexpected"),  # one separator per number
    ("2 3", "unexpected '3'"),
    ("(1", "'(' at position 1 is never closed"),
    ("(1]", "never closed"),
    ("1)", "unexpected ')'"),
    ("1+", "ends too early"),
    ("*3", "unexpected '*'"),
    ("1/0", "division by zero"),
    ("0^-1", "division by zero"),
    ("2^(1/2)", "exponents must be whole numbers"),
    ("2**2**2**2**99", "the power is too large"),
    ("9^9^9^9", "the power is too large"),
    ("2^1025", "the power is too large"),
    ("10^1000000", "the power is too large"),
    ("1e999", "too large"),
    ("1e99999", "exponent"),
    ("(" * 50 + "1" + ")" * 50, "nested more than"),
    ("-" * 60 + "1", "nested more than"),
    ("63*(3*3*32+1) = 18208", "the sides of '=' have different values"),
    ("__import__('os').system('ls')", 'unexpected character "\'"'),
    ("eval(1)", "unexpected word 'eval'"),
    ("1 if 1 else 2", "unexpected word 'if'"),
    ("lambda: 1", "unexpected character ':'"),
    ("0x1F", "unexpected word 'F'"),
    ("1 < 2", "unexpected character '<'"),
    ("1" * (MAX_LENGTH + 1), "too long"),
]


@pytest.mark.parametrize(("text", "detail"), COUNT_REJECTS)
def test_parse_count_rejects(text: str, detail: str) -> None:
    with pytest.raises(AnswerParseError) as info:
        parse_count(text, allow_rounding=True)
    message = str(info.value)
    assert not isinstance(info.value, BlankAnswer)
    assert message.startswith(COUNT_EXPECTED)
    assert detail in message
    assert "\n" not in message


@pytest.mark.parametrize(("parse", "text", "detail"), [
    (parse_count, "¯\\_(ツ)_/¯", "unexpected character '¯' at position 1"),  # NFKC: ' ̄', a combining macron, was shown
    (parse_count, "12＃4", "unexpected character '＃' at position 3"),
    (parse_count, "3 ½", "unexpected character '½' at position 3"),
    (parse_count, "12#4", "unexpected character '#' at position 3"),
    (parse_shape, "(¯, 3)", "dimension '¯' is not a whole number or None"),
    (parse_shape, "(２６, ¹)", "dimension '¹' is not a whole number or None"),
    (lambda text: parse_formula(text, SYMBOLS), "C_out·(K_h ¯ 2)", "unexpected character '¯' at position 12"),
])
def test_reject_message_shows_the_character_the_student_typed(parse: object, text: str, detail: str) -> None:
    with pytest.raises(AnswerParseError) as info:
        parse(text)  # type: ignore[operator]
    assert detail in str(info.value), str(info.value)


def test_reject_message_names_the_answer() -> None:
    with pytest.raises(AnswerParseError) as info:
        parse_count("abc")
    assert str(info.value) == (
        "expected a whole number like 18207 or an arithmetic expression like 63*(3*3*32+1), got 'abc' "
        "(unexpected word 'abc'; only numbers, + - * / ^ and brackets are allowed)"
    )


# --- shapes -------------------------------------------------------------------------------

SHAPE_PAIRS: list[tuple[str, tuple[int | None, ...], bool]] = [
    ("(None, 26, 26, 32)", (26, 26, 32), True),
    ("(26, 26, 32)", (26, 26, 32), False),
    ("26x26x32", (26, 26, 32), False),
    ("26X26X32", (26, 26, 32), False),
    ("26×26×32", (26, 26, 32), False),
    ("26 × 26 × 32", (26, 26, 32), False),
    ("26*26*32", (26, 26, 32), False),
    ("26 26 32", (26, 26, 32), False),
    ("[32, 26, 26]", (32, 26, 26), False),
    ("[26 26 32]", (26, 26, 32), False),
    ("32@26×26", (32, 26, 26), False),
    ("32 @ 26x26", (32, 26, 26), False),
    ("torch.Size([1, 32, 26, 26])", (1, 32, 26, 26), False),
    ("Size([32])", (32,), False),
    ("(32,)", (32,), False),
    ("32", (32,), False),
    ("(None, 128)", (128,), True),
    ("(?, 26, 26, 32)", (26, 26, 32), True),
    ("(-1, 32)", (32,), True),
    ("(None, None, 32)", (None, 32), True),
    ("(26, None, 32)", (26, None, 32), False),
    ("(26, ?, 32)", (26, None, 32), False),
    ("(None,)", (None,), False),
    ("（None，26，26，32）", (26, 26, 32), True),
    ("【26，26，32】", (26, 26, 32), False),
    ("２６×２６×３２", (26, 26, 32), False),
    ("((26, 26, 32))", (26, 26, 32), False),
    ("(26; 26; 32)", (26, 26, 32), False),
]


@pytest.mark.parametrize(("text", "dims", "batch"), SHAPE_PAIRS)
def test_parse_shape(text: str, dims: tuple[int | None, ...], batch: bool) -> None:
    assert parse_shape(text) == ParsedShape(dims, batch)


SHAPE_REJECTS = [
    ("()", "a dimension is missing"),
    ("26,,32", "a dimension is missing"),
    ("abc", "dimension 'abc' is not a whole number or None"),
    ("26x26.5x32", "dimension '26.5'"),
    ("(26, -3, 32)", "dimension '-3'"),
    ("(1)x(2)", "unbalanced or nested brackets"),
    ("(26, 26, 32", "unbalanced or nested brackets"),
    ("((26, 26), 32)", "unbalanced or nested brackets"),
    ("32@", "a dimension is missing"),
]


@pytest.mark.parametrize(("text", "detail"), SHAPE_REJECTS)
def test_parse_shape_rejects(text: str, detail: str) -> None:
    with pytest.raises(AnswerParseError) as info:
        parse_shape(text)
    assert str(info.value).startswith("expected a shape like (26, 26, 32)")
    assert detail in str(info.value)


SHAPE_MATCHES: list[tuple[str, tuple[int | None, ...], bool]] = [
    ("(None, 26, 26, 32)", (26, 26, 32), True),
    ("(26, 26, 32)", (26, 26, 32), True),
    ("torch.Size([1, 32, 26, 26])", (32, 26, 26), True),
    ("[64, 32, 26, 26]", (32, 26, 26), True),
    ("32@26x26", (32, 26, 26), True),
    ("(None, 32)", (None, 32), True),  # the expected shape itself starts with an unknown dim
    ("(None, None, 32)", (None, 32), True),
    ("(26, 26, 32)", (32, 26, 26), False),  # channels in the wrong place
    ("(26, 26)", (26, 26, 32), False),
    ("(32,)", (None, 32), False),
    ("(1, 26, 26, 32)", (1, 26, 26, 32), True),
    ("(None, None, 26, 26, 32)", (26, 26, 32), False),
    ("(2, 1, 26, 26, 32)", (26, 26, 32), False),
    ("(26, 26, 31)", (26, 26, 32), False),
]


@pytest.mark.parametrize(("text", "expected", "matches"), SHAPE_MATCHES)
def test_shape_matches(text: str, expected: tuple[int | None, ...], matches: bool) -> None:
    assert shape_matches(parse_shape(text), expected) is matches


# --- formulas -----------------------------------------------------------------------------

CONV = C_out * (K_h * K_w * C_in + 1)

FORMULA_PAIRS: list[tuple[str, sympy.Expr]] = [
    ("C_out*(K_h*K_w*C_in + 1)", CONV),
    ("C_out·(K_h·K_w·C_in + 1)", CONV),
    ("C_out×(K_h×K_w×C_in＋1)", CONV),
    ("K_h*K_w*C_in*C_out + C_out", CONV),
    ("C_out(K_h K_w C_in + 1)", CONV),
    ("c_out*(k_h*k_w*c_in+1)", CONV),  # case-insensitive when unambiguous
    ("P = C_out*(K_h*K_w*C_in + 1)", CONV),
    ("k*k*C_in*C_out + C_out", C_out * (k**2 * C_in + 1)),
    ("C_out(k^2 C_in + 1)", C_out * (k**2 * C_in + 1)),
    ("C_out(k**2 C_in + 1)", C_out * (k**2 * C_in + 1)),
    ("C_out(k² C_in + 1)", C_out * (k**2 * C_in + 1)),
    ("2k", 2 * k),
    ("k/2", k / 2),
    ("0.5k", k / 2),
    ("-k + 1", 1 - k),
    ("(H + 2P - k)/S + 1", (H + 2 * P - k) / S + 1),
    ("[(H + 2*P - k)/S + 1]^2", ((H + 2 * P - k) / S + 1) ** 2),
    ("k^-1", 1 / k),
    ("2^10 k", 1024 * k),
    ("18207", sympy.Integer(18207)),
]


@pytest.mark.parametrize(("text", "expected"), FORMULA_PAIRS)
def test_parse_formula(text: str, expected: sympy.Expr) -> None:
    parsed = parse_formula(text, SYMBOLS)
    assert sympy.expand(parsed - expected) == 0
    assert formulas_equivalent(parsed, expected)


FORMULA_REJECTS = [
    ("x*k", "unknown name 'x'; allowed names: C_in, C_out, H, K_h, K_w, P, S, k"),
    ("C_in2", "unknown name 'C_in2'"),
    ("k^C_in", "exponents must be whole numbers up to 32"),
    ("k^(1/2)", "exponents must be whole numbers"),
    ("k^33", "exponents must be whole numbers up to 32"),
    ("(k+C_in)^32^32", "exponents must be whole numbers up to 32"),
    ("(C_in+C_out+K_h+K_w+k+H+P+S)^8", "too large to compare"),
    ("k/0", "division by zero"),
    ("k/(k-k)", "division by zero"),
    ("2^1000*k", "the power is too large"),
    ("k 2", "unexpected '2'"),
    ("k.__class__", "unexpected character '.'"),
    ("__import__(os)", "unknown name '__import__'"),
    ("__import__('os')", 'unexpected character "\'"'),
    ("exp(k)", "unknown name 'exp'"),
    ("k = C_in = 3", "unexpected character '='"),
]


@pytest.mark.parametrize(("text", "detail"), FORMULA_REJECTS)
def test_parse_formula_rejects(text: str, detail: str) -> None:
    with pytest.raises(AnswerParseError) as info:
        parse_formula(text, SYMBOLS)
    assert str(info.value).startswith("expected a formula in C_in, C_out, H, K_h, K_w, P, S, k using")
    assert detail in str(info.value)


def test_formula_names_match_exactly_before_case_insensitively() -> None:
    big_k, small_k = sympy.symbols("K k")
    assert parse_formula("K*k", {"K": big_k, "k": small_k}) == big_k * small_k
    a, b = sympy.symbols("a b")
    with pytest.raises(AnswerParseError, match="'K_h' is ambiguous between K_H, k_h"):
        parse_formula("K_h", {"k_h": a, "K_H": b})


def test_formula_names_match_without_underscores() -> None:
    c_in, c_out = sympy.symbols("C_in C_out")
    assert parse_formula("Cout*cin", {"C_in": c_in, "C_out": c_out}) == c_out * c_in


EQUIVALENT: list[tuple[sympy.Expr, sympy.Expr, bool]] = [
    (CONV, C_out * K_h * K_w * C_in + C_out, True),
    (CONV, C_out * K_h * K_w * C_in, False),  # forgot the bias
    (CONV, C_out * (K_h * K_w * C_in + 1) * K_h, False),
    ((C_in**2 - 1) / (C_in - 1), C_in + 1, True),  # needs cancel, not only expand
    (sympy.floor((H + 2 * P - k) / S) + 1, sympy.floor((H - k + 2 * P) / S) + 1, True),
    (sympy.floor((H + 2 * P - k) / S) + 1, (H + 2 * P - k) / S + 1, False),
]


@pytest.mark.parametrize(("a", "b", "same"), EQUIVALENT)
def test_formulas_equivalent(a: sympy.Expr, b: sympy.Expr, same: bool) -> None:
    assert formulas_equivalent(a, b) is same
    assert formulas_equivalent(b, a) is same


# --- choices ------------------------------------------------------------------------------

CHOICE_PAIRS = [
    ("A", 0),
    ("b", 1),
    ("(c)", 2),
    ("D.", 3),
    ("a)", 0),
    ("1", 0),
    ("4", 3),
    ("选项A", 0),
    ("选 B", 1),
    ("答案：C", 2),
    ("Answer: b", 1),
    ("option 2", 1),
    ("Ａ", 0),
    ("（Ｂ）", 1),
    ("【C】", 2),
]


@pytest.mark.parametrize(("text", "index"), CHOICE_PAIRS)
def test_parse_choice(text: str, index: int) -> None:
    assert parse_choice(text, 4) == index


CHOICE_REJECTS = [
    ("E", "no such option"),
    ("5", "no such option"),
    ("0", "no such option"),
    ("AB", "not an option letter"),
    ("ß", "not an option letter"),  # its upper() is two letters
    ("é", "not an option letter"),
]


@pytest.mark.parametrize(("text", "detail"), CHOICE_REJECTS)
def test_parse_choice_rejects(text: str, detail: str) -> None:
    with pytest.raises(AnswerParseError) as info:
        parse_choice(text, 4)
    assert str(info.value).startswith("expected one of A-D or 1-4")
    assert detail in str(info.value)


@pytest.mark.parametrize("n_options", [0, 27])
def test_parse_choice_bad_option_count_is_a_bug(n_options: int) -> None:
    with pytest.raises(ValueError, match="n_options"):
        parse_choice("A", n_options)


# --- results are immutable values ---------------------------------------------------------


def test_results_are_frozen_and_slotted() -> None:
    number, shape = parse_count("18207"), parse_shape("(26, 26, 32)")
    assert not hasattr(number, "__dict__")
    assert not hasattr(shape, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        number.value = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        shape.dims = ()  # type: ignore[misc]


# --- safety -------------------------------------------------------------------------------


def test_module_never_evaluates_text() -> None:
    source = Path(parse_module.__file__).read_text(encoding="utf-8")
    for forbidden in ("eval(", "exec(", "sympify(", "parse_expr(", "sympy.S("):
        assert forbidden not in source, forbidden
    assert not re.search(r"(?<![.\w])compile\(", source)  # the builtin; re.compile is fine


NASTY = [
    "2**2**2**2**99",
    "9^9^9^9^9^9",
    "(10^300)^(10^300)",
    "2^1024*2^1024*2^1024*2^1024",
    "(" * 199,
    ")" * 199,
    "(" * 99 + ")" * 99,
    "-" * 199 + "1",
    "+" * 199 + "1",
    "1" * 200,
    "9" * 199 + "!",
    "1e999*1e999",
    "1" + "e9" * 99,
    "k^32^32^32",
    "(k+C_in)^32*(k+C_in)^32*(k+C_in)^32",
    "((((k+1)^2)^2)^2)^2^2",
    "x" * 200,
    "﷽" * 200,  # NFKC expands this one character into 18
]


@pytest.mark.parametrize("text", NASTY)
def test_nasty_inputs_are_refused_quickly(text: str) -> None:
    start = time.perf_counter()
    _run_all_parsers(text)
    assert time.perf_counter() - start < 1.0


def _run_all_parsers(text: str) -> None:
    """Every parser must return or raise AnswerParseError, nothing else."""
    for call in (
        lambda: parse_count(text),
        lambda: parse_count(text, allow_rounding=True),
        lambda: parse_shape(text),
        lambda: parse_formula(text, SYMBOLS),
        lambda: parse_choice(text, 4),
    ):
        with contextlib.suppress(AnswerParseError):
            call()


FUZZ = settings(max_examples=300, deadline=2000, database=None, suppress_health_check=[HealthCheck.too_slow])

ARITHMETIC = st.text(alphabet="0123456789+-*/^()[]{}., eExX=_'kKmMgG万亿个@?N", max_size=60)
WORDS = ["2", "10", "99", "1,000", "1.5", "e9", "None", "k", "C_in", "x", "M", "万", "params"]
SYMBOLS_AND_SPACE = ["**", "^", "*", "/", "+", "-", "(", ")", "[", "]", "×", "·", "（", "）", "，", " "]
TOKENS = st.lists(st.sampled_from(WORDS + SYMBOLS_AND_SPACE), max_size=40).map("".join)


@FUZZ
@given(st.text(max_size=MAX_LENGTH + 20))
def test_fuzz_any_text(text: str) -> None:
    _run_all_parsers(text)


@FUZZ
@given(ARITHMETIC)
def test_fuzz_arithmetic_alphabet(text: str) -> None:
    _run_all_parsers(text)


@FUZZ
@given(TOKENS)
def test_fuzz_token_soup(text: str) -> None:
    _run_all_parsers(text)


@FUZZ
@given(st.integers(min_value=0, max_value=10**15))
def test_fuzz_integers_round_trip(n: int) -> None:
    assert parse_count(str(n)).value == n
    assert parse_count(f"{n:,}").value == n
    assert parse_count(f"{n:_}").value == n
    assert parse_count(f"{n:,}".replace(",", " ")).value == n


def test_parse_choice_with_its_value_names_the_whole_answer_when_refused() -> None:
    options = [18207, 18144, 576, 2016]
    assert parse_choice("B (18,144)", 4, options) == 1
    assert parse_choice("(B)", 4, options) == 1, "a bracketed letter alone is no labelled value"
    with pytest.raises(AnswerParseError, match=r"got 'E \(5\)' \(no such option\)"):
        parse_choice("E (5)", 4, options)
    with pytest.raises(AnswerParseError, match="option A is 18207, not 576"):
        parse_choice("A (576)", 4, options)
