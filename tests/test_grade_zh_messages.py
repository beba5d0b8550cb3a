"""An unreadable answer is explained in the exam's language: in Chinese output the parser's details
(which format was expected, what went wrong) are Chinese too, not "无法识别答案:expected a shape like …".
English stays word for word as it was."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from fixtures.grading.answers import make_exam

from quizgen.bank import load_bank
from quizgen.exam import DECIMAL_KINDS, Question
from quizgen.generate import generate_exam
from quizgen.grading import write
from quizgen.grading.cells import cloze_keys
from quizgen.grading.engine import grade_responses
from quizgen.grading.model import AnswerGrade, GradingOptions, Verdict
from quizgen.grading.readers import read_responses_text
from quizgen.grading.score import Grader
from quizgen.practice.drill import DrillSession, drill_templates
from quizgen.roster import Student

EXAM = make_exam(count=1)
Q = {q.id: q for q in EXAM.variants[0].questions}
MEMORY = next(q for q in generate_exam([load_bank("memory")], 7, [Student("S001", "")])[0].variants[0].questions
              if q.kind in DECIMAL_KINDS)
Q[MEMORY.id] = MEMORY

# Unreadable answers of every kind: counts, shapes, sizes, sets of values, formulas, choices, decimals,
# summary tables (whole and per blank) and Moodle's part labels.
UNREADABLE = [
    ("conv-params", "abc"), ("conv-params", "12 34"), ("conv-params", "1.82e4"), ("conv-params", "63*(3*3"),
    ("conv-params", "5/0"), ("conv-params", "2^(1/2)"), ("conv-params", "2^99999"), ("conv-params", "3 +"),
    ("conv-params", "(" * 45 + "1" + ")" * 45), ("conv-params", "18207 = 5"), ("conv-params", "1e9999"),
    ("conv-params", "12@3"), ("conv-params", "9" * 201), ("conv-params", "）"), ("conv-params", "="), ("conv-params", "0^-1"),
    ("conv-params", "18207 ＃"), ("conv-params", "part 2: 26; part 2: 32"), ("conv-params", "part 0: 5"),
    ("conv-params", "part 2: 5; part 1: 6"), ("conv-params", "part 1: 5 part 2: 6"),
    ("keras-shape", "26 by 26"), ("keras-shape", "(26, 26, 32"), ("keras-shape", "((26,26),32)"), ("keras-shape", "26x26x"),
    ("keras-shape", "26xax32"), ("keras-shape", "26×26×三十二"), ("conv-shape", "part 1: 8; part 2: 30 30; part 3: 30"),
    ("size", "abc"), ("size", "H=26 px"), ("total", "two hundred"), ("dense-flops", "2.048 billions"),
    ("inv", "3, x"), ("inv", "{3, 5"), ("inv", "3 (5)"), ("inv", "k = abc"),
    ("formula", "C_out*(K_h*K_w*C_in+1"), ("formula", "foo*bar"), ("formula", "C_out^100"), ("formula", "C_out/0"),
    ("formula", "C_out # 3"), ("formula", "c*2"), ("formula", "(C_out+C_in+K_h+K_w)^30"), ("formula", "C_out*10^999"),
    ("choice", "Z"), ("choice", "abc"), ("choice", "B (12345)"), ("choice", "7"),
    (MEMORY.id, "about a lot"), (MEMORY.id, "1.2.3 MiB"), (MEMORY.id, "12 KiB 5"),
    ("summary", "abc; 320; (None, 21632); 0; (None, 10); 216330; 216650"),
    ("summary", "(None, 26, 26, 32); x320; (None, 21632); 0; (None, 10); 216330; 216650"),
    ("summary", "cloze: 26 26 in one blank"),
]


def cloze(q: Question, blank: str, typed: str) -> str:
    """A Moodle cloze response to a summary table, right but for ``typed`` in ``blank``."""
    values: list[object] = []
    for key in cloze_keys(q.answer):
        row = q.answer["rows"][int(key.split(".")[0])] if key[0].isdigit() else {}
        value = row["output_shape"][int(key.split(".")[2])] if ".shape." in key else row["params"] if ".params" in key else \
            q.answer[key]
        values.append(typed if key == blank else "None" if value is None else value)
    return "; ".join(f"part {i}: {v}" for i, v in enumerate(values, 1))

# Notation and names a Chinese message may quote besides what the student typed.
NOTATION = {"None", "MiB", "Moodle"}
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")  # repr() of what the student typed


def english_words(explanation: str, q: Question) -> list[str]:
    """Words of ASCII letters left in ``explanation`` once the student's quoted text, the question's
    symbols (C_in, K_h, ...) and its layer names are taken out."""
    text = _QUOTED.sub(" ", explanation)
    names = [*(q.details.get("symbols") or ()), "K"]
    names += [str(row.get("name", "")) for row in (q.answer.get("rows", ()) if isinstance(q.answer, dict) else ())]
    for name in sorted(filter(None, names), key=len, reverse=True):
        text = re.sub(rf"(?<![A-Za-z_]){re.escape(name)}(?![A-Za-z_0-9])", " ", text)
    return [word for word in re.findall(r"[A-Za-z]{2,}", text) if word not in NOTATION]


def grade(qid: str, text: str, lang: str) -> AnswerGrade:
    if text.startswith("cloze: "):
        text = cloze(Q[qid], "0.shape.1", "26 26")
    return Grader(GradingOptions(lang=lang)).grade(Q[qid], text)


@pytest.mark.parametrize(("qid", "text"), UNREADABLE)
def test_an_unreadable_answer_is_explained_in_chinese(qid: str, text: str) -> None:
    result = grade(qid, text, "zh")
    assert result.verdict is Verdict.UNPARSEABLE, result
    assert "无法识别答案:" in result.explanation
    assert english_words(result.explanation, Q[qid]) == [], result.explanation
    for cell in result.cells:
        assert english_words(cell.explanation, Q[qid]) == [], cell.explanation


@pytest.mark.parametrize(("qid", "text"), UNREADABLE)
def test_english_explanations_stay_english(qid: str, text: str) -> None:
    result = grade(qid, text, "en")
    assert result.verdict is Verdict.UNPARSEABLE and "could not read the answer: " in result.explanation
    notation = _QUOTED.sub(" ", result.explanation).replace("118万", "")  # the one Chinese a message quotes as notation
    assert not re.search(r"[\u4e00-\u9fff]", notation), result.explanation


# (question, answer, English as it always was, Chinese)
EXPECTED = [
    ("conv-params", "abc",
     "could not read the answer: expected a whole number like 18207 or an arithmetic expression like 63*(3*3*32+1), got 'abc' "
     "(unexpected word 'abc'; only numbers, + - * / ^ and brackets are allowed)",
     "无法识别答案:应为整数(如 18207)或算式(如 63*(3*3*32+1)),收到 'abc' (不应出现文字 'abc';只能写数字、+ - * / ^ 和括号)"),
    ("keras-shape", "26 by 26",
     "could not read the answer: expected a shape like (26, 26, 32), (None, 26, 26, 32), 26x26x32 or 32@26x26, got '26 by 26' "
     "(dimension 'by' is not a whole number or None)",
     "无法识别答案:应为形状,写法如 (26, 26, 32)、(None, 26, 26, 32)、26x26x32 或 32@26x26,收到 '26 by 26' "
     "(维度 'by' 不是整数,也不是 None)"),
    ("choice", "Z", "could not read the answer: expected one of A-D or 1-4, got 'Z' (no such option)",
     "无法识别答案:应为 A-D 或 1-4 之一,收到 'Z' (没有这个选项)"),
    ("formula", "foo*bar",
     "could not read the answer: expected a formula in C_in, C_out, K_h, K_w, K using whole numbers, + - * / ^ and brackets, "
     "got 'foo*bar' (unknown name 'foo'; allowed names: C_in, C_out, K_h, K_w, K)",
     "无法识别答案:应为只含 C_in, C_out, K_h, K_w, K、整数、+ - * / ^ 和括号的公式,收到 'foo*bar' "
     "(未知的名称 'foo';可用的名称: C_in, C_out, K_h, K_w, K)"),
    ("inv", "{3, 5", "could not read the answer: expected whole numbers like 3 or 3, 5, got '{3, 5' (a bracket is not closed)",
     "无法识别答案:应为整数,如 3 或 3, 5,收到 '{3, 5' (括号没有闭合)"),
    (MEMORY.id, "about a lot",
     "could not read the answer: expected a number like 1.5 or 88.9 (a unit after it, such as MiB or %, may be written), "
     "got 'about a lot'",
     "无法识别答案:应为数,如 1.5 或 88.9 (后面可以写单位,如 MiB 或 %),收到 'about a lot'"),
    ("conv-params", "part 2: 26; part 2: 32", "could not read the answer: the part labels cannot be read: part 2 is given twice",
     "无法识别答案:无法读取各部分的标签:第 2 部分出现了两次"),
]


@pytest.mark.parametrize(("qid", "text", "en", "zh"), EXPECTED)
def test_the_words_of_a_few_messages(qid: str, text: str, en: str, zh: str) -> None:
    assert grade(qid, text, "en").explanation == en
    assert grade(qid, text, "zh").explanation == zh


def test_feedback_csv_and_pages_of_a_chinese_grading_say_it_in_chinese(tmp_path: Path) -> None:
    answers = {"conv-params": "abc", "keras-shape": "26 by 26", "choice": "Z", "formula": "foo*bar", "inv": "3 (5)"}
    table = read_responses_text(json.dumps({"student_id": EXAM.variants[0].student_id, "answers": answers}), "r.jsonl")
    write.write_outputs(grade_responses(EXAM, table, GradingOptions(lang="zh")), tmp_path)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "feedback.csv").read_text(encoding="utf-8-sig"))))
    explained = {row["question"]: row["explanation"] for row in rows if row["question"] in answers}
    assert set(explained) == set(answers), rows[0].keys()
    for qid, explanation in explained.items():
        assert explanation.startswith("无法识别答案:") and english_words(explanation, Q[qid]) == [], explanation
    page = next((tmp_path / "feedback").glob("*.html")).read_text(encoding="utf-8")
    assert "应为形状,写法如" in page and "没有这个选项" in page
    assert "expected a" not in page and "no such option" not in page


def test_the_practice_drill_answers_in_chinese() -> None:
    session = DrillSession(drill_templates([load_bank("conv-basics")]), seed=3, lang="zh")
    rnd = session.next_round()
    assert rnd is not None
    result = session.answer(rnd, "a lot")
    assert result.verdict is Verdict.UNPARSEABLE and result.explanation.startswith("无法识别答案:应为")
    assert english_words(result.explanation, rnd.question) == [], result.explanation
