"""Scoring and diagnosis rules, question kind by question kind (the fixture bank has every kind).

Answers of the fixture bank (see tests/fixtures/grading/bank.yaml): conv-params 18207,
conv-shape [8, 30, 30] (PyTorch), keras-shape [26, 26, 32] (Keras), size 26, inv [3], formula
C_out·(K_h·K_w·C_in + 1), total 216650, summary 3 rows + total, dense-flops 2048000 (rounding allowed).
"""

from __future__ import annotations

import contextlib
import dataclasses

import pytest
from fixtures.grading.answers import LETTERS, correct_text, make_exam, mistake_text, summary_parts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizgen.errors import AnswerParseError
from quizgen.exam import Question
from quizgen.grading.answers import parse_values, rounding_unit, split_parts
from quizgen.grading.cells import cell_label, cloze_keys
from quizgen.grading.model import AnswerGrade, GradingOptions, Verdict
from quizgen.grading.score import Grader

EXAM = make_exam(count=2)
Q = {q.id: q for q in EXAM.variants[0].questions}


def grade(qid: str, text: str, *, credit: float = 0.0, lang: str = "en") -> AnswerGrade:
    return Grader(GradingOptions(mistake_credit=credit, lang=lang)).grade(Q[qid], text)


def code_for(q: Question, value: object) -> str:
    return next(m.code for m in q.mistakes if m.value == value)


# --- counts ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["18207", "18,207", "18 207", "63*(3*3*32+1)", "63×(3×3×32+1)", "18207 params", "18207个参数", "１８２０７"])
def test_count_notations(text: str) -> None:
    assert grade("conv-params", text).verdict is Verdict.CORRECT
    assert grade("conv-params", text).score == 2.0


def test_count_mistake_is_diagnosed_with_the_students_arithmetic() -> None:
    result = grade("conv-params", "63*3*3*32")
    assert (result.verdict, result.codes, result.score) == (Verdict.MISTAKE, ("forgot_bias",), 0.0)
    assert result.explanation.startswith("18144 = 63·(3·3·32)")
    assert "18207" in result.explanation  # the right derivation


def test_pair_codes_and_alternatives() -> None:
    q = Q["conv-params"]
    pair = next(m for m in q.mistakes if "+" in m.code)
    result = grade("conv-params", str(pair.value))
    assert result.codes == (pair.code,)
    several = next((m for m in q.mistakes if len(m.codes) > 1), None)
    if several is not None:
        assert grade("conv-params", str(several.value)).other_codes == several.codes[1:]


def test_unknown_wrong_count_shows_the_derivation() -> None:
    result = grade("conv-params", "12345")
    assert (result.verdict, result.codes) == (Verdict.WRONG, ())
    assert "12345" in result.explanation and "63·(3·3·32 + 1) = 18207" in result.explanation
    assert "18207" not in result.diagnosis  # pages show the worked solution beside the diagnosis


def test_arithmetic_that_is_not_the_answer_shows_its_value() -> None:
    assert "63*(3*3*31+1) = 17640" in grade("conv-params", "63*(3*3*31+1)").explanation


def test_fraction_is_not_a_count() -> None:
    result = grade("size", "(28-3)/2+1")
    assert result.verdict is Verdict.WRONG
    # one sentence: "... = 27/2 is not a whole number is wrong, and ..." said "is" twice
    assert result.explanation.startswith("(28-3)/2+1 = 27/2 (not a whole number) is wrong, and not one of the usual mistakes")


def test_rounded_notation_refused_where_rounding_is_not_allowed() -> None:
    result = grade("conv-params", "1.82e4")
    assert result.verdict is Verdict.UNPARSEABLE
    assert "exact count is required" in result.explanation


@pytest.mark.parametrize(("text", "verdict"), [
    ("2.05M", Verdict.CORRECT),  # 2048000 to 3 digits
    ("2.0M", Verdict.CORRECT),
    ("2M", Verdict.CORRECT),
    ("205万", Verdict.CORRECT),
    ("2.048e6", Verdict.CORRECT),
    ("≈2050000", Verdict.CORRECT),
    ("2048000", Verdict.CORRECT),
    ("2.04M", Verdict.WRONG),  # 2.04M means 2035000..2045000
    ("2.1M", Verdict.WRONG),
    ("2048001", Verdict.WRONG),  # an exact number must be exact
    ("1.02M", Verdict.MISTAKE),  # 1024000 (MACs, not FLOPs) to the digits given
])
def test_rounding_within_the_precision_given(text: str, verdict: Verdict) -> None:
    result = grade("dense-flops", text)
    assert result.verdict is verdict, result.explanation
    if verdict is Verdict.MISTAKE:
        assert result.codes == ("macs_flops_factor",) and "read as ≈1020000" in result.explanation


@pytest.mark.parametrize(("text", "unit"), [("1.18M", 10_000), ("1.2e5", 10_000), ("118万", 10_000), ("≈18000", 1000),
                                            ("2.048 x 10^6", 1000), ("63*3", None), ("about 1.5 million params", 100_000)])
def test_rounding_unit(text: str, unit: int | None) -> None:
    assert rounding_unit(text) == unit


# --- shapes ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["(8, 30, 30)", "8x30x30", "8×30×30", "[8, 30, 30]", "8@30x30", "torch.Size([1, 8, 30, 30])",
                                  "(None, 8, 30, 30)", "part 1: 8; part 2: 30; part 3: 30"])
def test_shape_notations(text: str) -> None:
    assert grade("conv-shape", text).verdict is Verdict.CORRECT


@pytest.mark.parametrize("text", ["(None, 26, 26, 32)", "(26, 26, 32)", "26x26x32", "(?, 26, 26, 32)"])
def test_keras_shape_with_or_without_batch(text: str) -> None:
    assert grade("keras-shape", text).verdict is Verdict.CORRECT


def test_shape_partial_credit_per_dimension() -> None:
    result = grade("conv-shape", "(8, 30, 31)")
    assert (result.verdict, result.score) == (Verdict.WRONG, pytest.approx(2 / 3, abs=1e-6))
    assert grade("conv-shape", "(8, 30)").score == 0.0  # wrong rank: nothing lines up


def test_shape_mistake_keeps_its_per_dimension_credit_or_the_mistake_credit() -> None:
    swapped = grade("conv-shape", "(30, 30, 8)")  # channel_order: only the middle 30 is in place
    assert (swapped.verdict, swapped.codes, swapped.score) == (Verdict.MISTAKE, ("channel_order",), pytest.approx(1 / 3, abs=1e-6))
    assert grade("conv-shape", "(30, 30, 8)", credit=0.5).score == 0.5


def test_moodle_parts_with_a_missing_dimension() -> None:
    result = grade("conv-shape", "part 1: 8; part 3: 30")
    assert result.verdict is Verdict.WRONG and result.score == pytest.approx(2 / 3, abs=1e-6)


# --- summary tables -------------------------------------------------------------------------

def test_summary_cells_earn_their_share() -> None:
    q = Q["summary"]
    parts = summary_parts(q)
    parts[1] = "288"  # conv2d forgot_bias
    parts[5] = "12"  # dense: an unknown wrong value
    result = grade("summary", "; ".join(parts))
    assert result.verdict is Verdict.MISTAKE and result.codes == ("forgot_bias",)
    assert result.score == pytest.approx(3 * 5 / 7, abs=1e-6)
    assert [c.verdict for c in result.cells].count(Verdict.CORRECT) == 5
    assert "row 1 (conv2d) parameters: 288" in result.explanation
    assert "row 3 (dense) parameters: 12 is wrong" in result.explanation


def test_summary_mistake_credit_applies_per_cell() -> None:
    parts = summary_parts(Q["summary"])
    parts[1] = "288"
    assert grade("summary", "; ".join(parts), credit=0.5).score == pytest.approx(3 * 6.5 / 7, abs=1e-6)


def test_summary_forms() -> None:
    parts = summary_parts(Q["summary"])
    labelled = "; ".join(f"part {i + 1}: {p}" for i, p in enumerate(parts))
    assert grade("summary", labelled).verdict is Verdict.CORRECT
    assert grade("summary", "\n".join(parts)).verdict is Verdict.CORRECT
    cells = ["0.shape", "0.params", "1.shape", "1.params", "2.shape", "2.params", "total_params"]
    assert grade("summary", "; ".join(f"{c}: {p}" for c, p in zip(cells, parts, strict=True))).verdict is Verdict.CORRECT


def test_summary_incomplete_blank_and_extra() -> None:
    parts = summary_parts(Q["summary"])
    partial = grade("summary", "; ".join(parts[:3]))
    assert partial.verdict is Verdict.WRONG and "left blank: row 2 (flatten) parameters" in partial.explanation
    assert partial.score == pytest.approx(3 * 3 / 7, abs=1e-6)
    assert grade("summary", "-").verdict is Verdict.BLANK
    extra = grade("summary", "; ".join([*parts, "999"]))
    assert extra.verdict is Verdict.WRONG and "1 extra part" in extra.explanation


def test_cell_labels() -> None:
    assert cell_label(Q["summary"], "2.params", "zh") == "第 3 行 (dense) 参数量"
    assert cell_label(Q["summary"], "0.shape.2", "en") == "row 1 (conv2d) output shape, dimension 3"
    assert cell_label(Q["summary"], "trainable_params", "en") == "trainable parameters"


def cloze_text(q: Question, wrong: dict[str, object]) -> str:
    """A Moodle report's cloze response: one part per blank (quizgen.lms.cloze_parts order)."""
    values: list[object] = []
    for key in cloze_keys(q.answer):
        if key in wrong:
            values.append(wrong[key])
        elif ".shape." in key:
            row, _, dim = key.split(".")
            values.append(q.answer["rows"][int(row)]["output_shape"][int(dim)])
        elif key.endswith(".params"):
            values.append(q.answer["rows"][int(key.split(".")[0])]["params"])
        else:
            values.append(q.answer[key])
    return "; ".join(f"part {i}: {'None' if v is None else v}" for i, v in enumerate(values, 1))


def test_summary_cloze_layout() -> None:
    q = Q["summary"]
    assert cloze_keys(q.answer) == ("0.shape.0", "0.shape.1", "0.shape.2", "0.params", "1.shape.0", "1.params", "2.shape.0",
                                    "2.params", "total_params", "trainable_params", "non_trainable_params")
    assert grade("summary", cloze_text(q, {})).verdict is Verdict.CORRECT
    unlabelled = "; ".join(part.split(": ", 1)[1] for part in cloze_text(q, {}).split("; "))
    assert grade("summary", unlabelled).verdict is Verdict.CORRECT  # as many parts as blanks: the cloze layout
    params = grade("summary", cloze_text(q, {"0.params": 288}))
    assert (params.verdict, params.codes) == (Verdict.MISTAKE, ("forgot_bias",))
    assert params.score == pytest.approx(3 * 10 / 11, abs=1e-6)
    # A whole-shape mistake spread over its blanks: only the blanks it changed carry the code.
    swapped = next(m for m in q.mistakes if m.cell == "0.shape" and m.code == "channel_order")
    result = grade("summary", cloze_text(q, {f"0.shape.{d}": v for d, v in enumerate(swapped.value)}))
    assert result.verdict is Verdict.MISTAKE and result.codes == ("channel_order",)
    wrong_cells = [c.cell for c in result.cells if c.verdict is Verdict.MISTAKE]
    assert wrong_cells == [f"0.shape.{d}" for d, (a, b) in enumerate(zip(swapped.value, q.answer["rows"][0]["output_shape"],
                                                                             strict=True)) if a != b]
    blank = grade("summary", cloze_text(q, {"1.shape.0": ""}))
    assert blank.verdict is Verdict.WRONG and "left blank: row 2 (flatten) output shape, dimension 1" in blank.explanation


def test_summary_as_canvas_student_analysis_writes_its_blanks() -> None:
    # Canvas joins a fill-in-multiple-blanks answer's blanks with ',' and escapes a comma typed in a blank
    # as '\\,' (Quizzes::QuizStatistics::StudentAnalysis#to_csv); graded cell by cell like Moodle's parts.
    q = Q["summary"]
    canvas = ",".join(part.split(": ", 1)[1] for part in cloze_text(q, {}).split("; "))
    assert grade("summary", canvas).verdict is Verdict.CORRECT
    total = str(q.answer["total_params"])
    escaped = f"{int(total):,}".replace(",", "\\,")  # 54,410 typed in its blank: 54\,410
    with_separator = canvas.replace(f",{total},", f",{escaped},", 1)
    assert "\\," in with_separator and grade("summary", with_separator).verdict is Verdict.CORRECT
    params = grade("summary", ",".join(part.split(": ", 1)[1] for part in cloze_text(q, {"0.params": 288}).split("; ")))
    assert (params.verdict, params.codes) == (Verdict.MISTAKE, ("forgot_bias",))
    assert params.score == pytest.approx(3 * 10 / 11, abs=1e-6)


def test_one_fitting_value_is_enough_in_lms_reports() -> None:
    q = dataclasses.replace(Q["inv"], answer=[3, 4])
    lms = Grader(GradingOptions(any_accepted_value=True))
    assert lms.grade(q, "4").verdict is Verdict.CORRECT  # "Enter one value: every value that fits is accepted."
    assert lms.grade(q, "3, 4").verdict is Verdict.CORRECT
    assert lms.grade(q, "5").verdict is Verdict.WRONG


# --- other kinds ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["3", "{3}", "3x3", "(3, 3)", "k = 3", "kernel_size=3", "３"])
def test_missing_hyperparameter_notations(text: str) -> None:
    assert grade("inv", text).verdict is Verdict.CORRECT


def test_missing_hyperparameter_sets() -> None:
    q = dataclasses.replace(Q["inv"], answer=[3, 4])
    grader = Grader()
    assert grader.grade(q, "3, 4").verdict is Verdict.CORRECT
    assert grader.grade(q, "4 or 3").verdict is Verdict.CORRECT
    half = grader.grade(q, "3")
    assert (half.verdict, half.score) == (Verdict.WRONG, 0.5)
    assert half.explanation.startswith("3 fits; 4 also fits; correct: ")
    assert grader.grade(q, "3, 4, 5").score == 0.0
    assert grader.grade(q, "3, 5").explanation.startswith("3 fits; 5 does not fit; 4 also fits; correct: ")
    assert grader.grade(q, "{3, 4").verdict is Verdict.UNPARSEABLE


def test_missing_hyperparameter_none_fits_says_so_without_also() -> None:
    """'-5' for a kernel_size of 48 read "-5; does not fit: -5; also fits: 48": the "also" said -5 fits."""
    q = dataclasses.replace(Q["inv"], answer=[48])
    wrong = Grader().grade(q, "-5")
    assert wrong.verdict is Verdict.WRONG
    assert wrong.explanation.startswith("-5 does not fit; correct: ") and "also" not in wrong.explanation
    assert Grader().grade(q, "-5, 7").explanation.startswith("-5, 7 do not fit; correct: ")
    assert Grader(GradingOptions(lang="zh")).grade(q, "-5").explanation.startswith("-5 不符合; ")


@pytest.mark.parametrize("text", ["C_out*(K_h*K_w*C_in + 1)", "C_in*C_out*K_h*K_w + C_out", "c_out(k_h k_w c_in + 1)",
                                  "P = C_out·(K_h·K_w·C_in + 1)", "C_out*K_h*K_w*C_in+C_out"])
def test_formula_equivalents(text: str) -> None:
    assert grade("formula", text).verdict is Verdict.CORRECT


def test_formula_mistakes_by_equivalence() -> None:
    result = grade("formula", "K_w*C_in*K_h*C_out")
    assert (result.verdict, result.codes) == (Verdict.MISTAKE, ("forgot_bias",))
    assert result.explanation.startswith("your formula is equivalent to C_out·(K_h·K_w·C_in)")
    written_alike = grade("formula", "C_out·(K_h·K_w·C_in)")
    assert written_alike.explanation.startswith("C_out·(K_h·K_w·C_in):")  # no "equivalent to" for the same text


def test_formula_with_a_name_only_a_mistake_uses() -> None:
    conv_as_dense = next((m for m in Q["formula"].mistakes if "H_in" in str(m.value)), None)
    if conv_as_dense is None:
        pytest.skip("the catalogue has no formula mistake using H_in")
    assert grade("formula", "C_out*(H_in*W_in*C_in + 1)").codes == (conv_as_dense.code,)


def test_formula_wrong_and_unreadable() -> None:
    assert grade("formula", "C_out*K_h").verdict is Verdict.WRONG
    unknown = grade("formula", "C_out*(F*F*C_in+1)")
    assert unknown.verdict is Verdict.UNPARSEABLE and "unknown name 'F'" in unknown.explanation


def test_formula_errors_list_the_questions_names_only() -> None:
    """The prompt says "a formula in C_in, C_out, K_h, K_w" (K for a square kernel); the message listed H_in and
    W_in too, names only a mistake (conv as dense) uses."""
    q = Q["formula"]
    assert "in C_in, C_out, K_h, K_w." in q.prompt["en"] and any("H_in" in str(m.value) for m in q.mistakes)
    for text, detail in (("C_out*(K_h*K_w*C_in+1", "expected a formula in C_in, C_out, K_h, K_w, K using"),
                         ("C_out*(F*F*C_in+1)", "unknown name 'F'; allowed names: C_in, C_out, K_h, K_w, K)")):
        result = grade("formula", text)
        assert result.verdict is Verdict.UNPARSEABLE and detail in result.explanation, result.explanation
        assert "H_in" not in result.explanation


@pytest.mark.parametrize("text", ["C_out*(K*K*C_in+1)", "cout(k² cin + 1)", "Cout*(K_h^2*Cin+1)"])
def test_formula_square_kernel_may_be_written_k(text: str) -> None:
    assert Q["formula"].details["values"]["K_h"] == Q["formula"].details["values"]["K_w"]
    assert Q["formula"].prompt["en"].endswith("The kernel is square: you may write K for K_h = K_w.")
    assert Q["formula"].prompt["zh"].endswith("公式。卷积核是正方形的,可以用 K 表示 K_h = K_w。")
    assert grade("formula", text).verdict is Verdict.CORRECT


def test_formula_square_kernel_k_still_diagnoses_mistakes() -> None:
    result = grade("formula", "c_out*(k^2+1)")
    assert (result.verdict, result.codes) == (Verdict.MISTAKE, ("forgot_input_channels",))


def test_formula_k_is_unknown_for_a_non_square_kernel() -> None:
    values = {**Q["formula"].details["values"], "K_w": Q["formula"].details["values"]["K_h"] + 2}
    q = dataclasses.replace(Q["formula"], details={**Q["formula"].details, "values": values})
    unknown = Grader().grade(q, "C_out*(K*K*C_in+1)")
    assert unknown.verdict is Verdict.UNPARSEABLE and "unknown name 'K'" in unknown.explanation
    assert Grader().grade(q, "C_out*(K_h*K_w*C_in+1)").verdict is Verdict.CORRECT


def test_choice_by_letter_value_or_number() -> None:
    q = Q["choice"]
    right = LETTERS[q.answer]
    for text in (right, right.lower(), f"({right})", f"选项{right}", str(q.details["options"][q.answer]), str(q.answer + 1)):
        assert grade("choice", text).verdict is Verdict.CORRECT, text
    wrong = next(i for i in range(len(q.details["options"])) if i != q.answer)
    result = grade("choice", LETTERS[wrong])
    assert result.verdict is Verdict.MISTAKE
    assert result.codes == (code_for(q, q.details["options"][wrong]),)
    assert result.explanation.startswith(f"option {LETTERS[wrong]} ({q.details['options'][wrong]})")
    assert grade("choice", "Z").verdict is Verdict.UNPARSEABLE


def test_choice_in_the_answer_keys_own_form() -> None:
    """answers.csv and the key write a choice as "B (66048)": the grader reads its own form back."""
    q = Q["choice"]
    options = q.details["options"]
    right, value = LETTERS[q.answer], options[q.answer]
    for text in (f"{right} ({value})", f"{right.lower()}({value:,})", f"option {right} ({value})", f"{right}. ({value})"):
        assert grade("choice", text).verdict is Verdict.CORRECT, text
    wrong = next(i for i in range(len(options)) if i != q.answer)
    assert grade("choice", f"{LETTERS[wrong]} ({options[wrong]})").codes == (code_for(q, options[wrong]),)
    mixed = grade("choice", f"{right} ({options[wrong]})")  # which did the student mean?
    assert mixed.verdict is Verdict.UNPARSEABLE and mixed.score == 0.0
    assert f"option {right} is {value}, not {options[wrong]}" in mixed.explanation


# --- options, language, determinism ----------------------------------------------------------

def test_mistake_credit() -> None:
    assert grade("conv-params", "18144", credit=0.5).score == 1.0
    assert grade("conv-params", "12345", credit=0.5).score == 0.0  # only diagnosed mistakes earn it


def test_chinese_explanations() -> None:
    assert "漏掉了偏置项" in grade("conv-params", "18144", lang="zh").explanation
    assert "未作答" in grade("conv-params", "", lang="zh").explanation
    assert "不正确" in grade("conv-params", "5", lang="zh").explanation


def test_same_answer_same_grade_in_every_run() -> None:
    texts = [correct_text(q) for q in EXAM.variants[0].questions] + [mistake_text(q, m) for q in EXAM.variants[0].questions
                                                                      for m in q.mistakes[:2]]
    first = [Grader().grade(q, t) for q in EXAM.variants[0].questions for t in texts]
    again = [Grader().grade(q, t) for q in EXAM.variants[0].questions for t in texts]
    assert first == again


def test_right_grades_are_shared_objects() -> None:
    grader = Grader()
    assert grader.grade(Q["size"], "26") is grader.grade(Q["size"], "26")


# --- fuzz: any text gets a verdict, never an exception ----------------------------------------

@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=60), st.sampled_from(sorted(Q)))
def test_any_text_gets_a_verdict(text: str, qid: str) -> None:
    result = Grader().grade(Q[qid], text)
    assert result.verdict in Verdict
    assert 0.0 <= result.score <= Q[qid].points
    if result.verdict is not Verdict.CORRECT:
        assert result.explanation


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789 ,;:part{}()[]xX*=\n-", max_size=60))
def test_part_and_value_readers_never_crash(text: str) -> None:
    positional, labelled = split_parts(text)
    assert isinstance(positional, list) and isinstance(labelled, dict)
    with contextlib.suppress(AnswerParseError):  # the parser's own error; anything else fails the test
        parse_values(text)
    rounding_unit(text)
