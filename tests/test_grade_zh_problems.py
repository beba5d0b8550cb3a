"""The problems of a Chinese grading run are explained in Chinese: problems.csv's message column and
report.html's problems table, for every problem kind (the `kind` column keeps its identifier, which
tools read). English stays word for word as it was. The report's question table names question
kinds (参数量, "Output shape"), not identifiers (params, output_shape)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from fixtures.grading.answers import make_exam

from quizgen.exam import Exam, QuestionKind
from quizgen.grading.engine import grade_responses
from quizgen.grading.model import UNTAGGED, GradingOptions, GradingResult, ProblemKind, ResponseFormat, ResponseRow, ResponseTable
from quizgen.grading.readers import read_responses_text
from quizgen.grading.report import report_page
from quizgen.grading.tables import problems_csv

HERE = Path(__file__).parent / "fixtures" / "grading"
SIS = make_exam(roster=HERE / "roster-sis.csv")
EMAIL = make_exam(roster=HERE / "roster-email.csv")
SERVED = make_exam(Path(__file__).parent / "fixtures" / "lms" / "small.yaml", count=1)

PLAIN = ("student_id,conv-params,size,bogus-col\n"
         '20230001,"part 2: 5; part 2: 6",26,x\n'  # malformed answer (part labels)
         "20230002,18207,25,\n"  # an earlier attempt (duplicate)
         ",18207,26,\n"  # no id
         "2023001,1,2,\n"  # unknown student, with a suggestion
         "20230002,1,2,3,4,5\n"  # extra fields
         "20230003,1\n")  # missing fields; 20230004 sent nothing; bogus-col maps to nothing
JSONL = ((HERE / "responses.jsonl").read_text(encoding="utf-8")
         + '{"student_id": "20230003", "answers": 5}\n'
         + '{"student_id": "20230003", "answers": {"conv-params": ' + "[" * 40 + "1" + "]" * 40 + "}}\n"
         + '{"a" 1}\n{"a": 1} x\n{"a": "x\n{"a": "\\q"}\n{"a": [1 2]}\n{"a": 1,}\n')
MOODLE = (HERE / "moodle_responses.csv").read_text(encoding="utf-8-sig").replace("grace@example.edu,Finished",
                                                                                   'grace@example.edu,"In progress"')


def served_table() -> ResponseTable:
    """A Moodle report whose question texts name the served questions (one variant, so nothing is
    ambiguous): a second column for the template's two slots, a column answering a slot twice, a column
    past the last question, and slots served nothing."""
    variant = SERVED.variants[0]
    first, second = (q.id for q in variant.questions if q.template == "conv-params")
    tricky = next(i for i, q in enumerate(variant.questions) if q.template == "tricky")  # one variant: graded by position
    served = (UNTAGGED, (second, variant.code), (first, variant.code), UNTAGGED, UNTAGGED, (first, variant.code))
    row = ResponseRow(row=2, ids=(variant.student_id,), answers=("1", "2", "3", "4", "5", "6"), order=(1, "", 2), served=served)
    columns = tuple(f"Response {i}" for i in (1, 2, 3, 4, 99, 5))
    return ResponseTable("responses.csv", ResponseFormat.MOODLE, "utf-8", columns, (None,) * 6, (tricky, 1, 2, tricky, 98, 4), (row,),
                         served_columns=True)


def runs(lang: str) -> list[tuple[Exam, GradingResult]]:
    options = GradingOptions(lang=lang)
    out = [(exam, grade_responses(exam, read_responses_text(text, name, ResponseFormat.AUTO), options))
           for exam, text, name in ((SIS, PLAIN, "plain.csv"), (SIS, JSONL, "lines.jsonl"), (EMAIL, MOODLE, "moodle.csv"))]
    out.append((SIS, grade_responses(SIS, read_responses_text(PLAIN, "plain.csv"), options, [("bogus-col", "11")])))
    out.append((SERVED, grade_responses(SERVED, served_table(), options)))
    return out


_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")  # repr() of ids, column names and answers
NOTATION = {"JSON", "BOM", "UTF"}


def english_words(message: str, exam: Exam) -> list[str]:
    """ASCII words of ``message`` besides quoted text, question ids, template names, variant codes and the --map option."""
    text = _QUOTED.sub(" ", message).replace("--map", " ")
    names = {q.id for v in exam.variants for q in v.questions} | {q.template for v in exam.variants for q in v.questions}
    names |= {v.code for v in exam.variants}
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", " ", text)
    return [word for word in re.findall(r"[A-Za-z]{2,}", text) if word not in NOTATION]


def csv_rows(result: GradingResult) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(problems_csv(result).lstrip("\ufeff"))))


ZH = runs("zh")
EN = runs("en")


def test_every_problem_kind_is_met() -> None:
    assert {p.kind for _, result in ZH for p in result.problems} == set(ProblemKind)
    messages = [p.message for _, result in EN for p in result.problems]
    for phrase in ("invalid JSON: Expecting ':' delimiter", "Extra data", "Unterminated string", "Invalid \\escape",
                   "Expecting ',' delimiter", "a second time", "answered in other columns", "answers no question of the students",
                   "were served no question", "stands for question 11"):
        assert any(phrase in m for m in messages), phrase


def test_problems_are_explained_in_chinese() -> None:
    for exam, result in ZH:
        rows = csv_rows(result)
        assert [r["kind"] for r in rows] == [p.kind.value for p in result.problems]  # identifiers, unchanged
        for row in rows:
            assert re.search(r"[\u4e00-\u9fff]", row["message"]), row
            assert english_words(row["message"], exam) == [], row


def test_english_problems_are_unchanged() -> None:
    """As main wrote them before the Chinese texts existed (problems.csv of `quizgen grade --lang en`)."""
    plain = [r["message"] for r in csv_rows(EN[0][1])]
    assert plain == [
        "column 'bogus-col' is not a question id of the key: not graded (map it with --map 'bogus-col=QUESTION')",
        *[f"no column answers question {q!r}: graded as blank (map a column to it with --map 'COLUMN={q}')"
          for q in ("choice", "conv-shape", "dense-flops", "formula", "inv", "keras-shape", "summary", "total")],
        "question conv-params: the part labels cannot be read (part 2 is given twice): graded as unparseable",
        "an earlier attempt; row 6 (the last attempt) is graded instead",
        "no student id in the row: not graded",
        "no student of the key has the id '2023001': not graded (did you mean '20230001'?)",
        "the row has 6 fields, the header 4: extra fields not graded: 4,5",
        "the row has 2 fields, the header 4: the missing answers count as blank",
        "no response from this student",
    ]
    lines = [r["message"] for r in csv_rows(EN[1][1])]
    assert lines[:8] == [
        "an earlier attempt; row 3 (the last attempt) is graded instead",
        "a line must hold a JSON object",
        "no student id in the row: not graded",
        "no student of the key has the id '20239999': not graded",
        "invalid JSON: Expecting property name enclosed in double quotes at column 2",
        "'answers' must be an object or a list",
        "the line nests lists or objects more than 32 deep: not graded",
        "invalid JSON: Expecting ':' delimiter at column 6",
    ]
    moodle = [r["message"] for r in csv_rows(EN[2][1])]
    assert moodle == [
        "an earlier attempt; row 6 (the last attempt) is graded instead",
        "the attempt is marked 'In progress'; graded as submitted",
        "no student of the key has the id 'noah@example.edu', 'Noah Nobody', 'Nobody Noah', 'NobodyNoah': not graded "
        "(did you mean 'ada@example.edu'?)",
        "no response from this student",
    ]
    assert csv_rows(EN[3][1])[0]["message"] == \
        "column 'bogus-col' stands for question 11, but the students have 10 questions: not graded"
    for _, result in EN:
        assert all(p.message_in("en") == p.message for p in result.problems)
        assert not any(re.search(r"[\u4e00-\u9fff]", p.message) for p in result.problems)


def test_a_problem_summary_beyond_the_listed_ones_is_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    from quizgen.grading import problemlog

    monkeypatch.setattr(problemlog.ProblemLog.__init__, "__defaults__", (3,))  # list 3 of a kind, count the rest
    many = read_responses_text("student_id,conv-params\n" + "".join(f"9{i:07d},1\n" for i in range(5)), "many.csv")
    zh = grade_responses(SIS, many, GradingOptions(lang="zh")).problems[-1]
    assert zh.count == 2 and zh.message_in("zh") == "另有 2 个“未知学生”问题 (第 5, 6 行)未逐条列出:共 5 个,上面列出了前 3 个"
    assert zh.message == "2 more unknown_student problems (rows 5, 6), not listed one by one: 5 in all, the first 3 above"


def test_the_chinese_report_shows_the_chinese_problems_and_kind_names() -> None:
    result = ZH[0][1]
    page = report_page(result)
    table = page[page.index('<h2 id="problems">'):]
    for p in result.problems:
        assert p.zh and p.zh.replace("'", "&#39;") in table, p
    assert "未知学生<br><code>unknown_student</code>" in table
    tooltips = set(re.findall(r'y="0" width="[^"]*" height="14" fill="[^"]*"><title>([^<:]*): \d+</title>', page))
    assert tooltips and tooltips <= {"正确", "典型错误", "错误", "无法识别", "未作答"}, tooltips  # the verdict bars
    kinds = re.findall(r"</code></a></td><td>([^<]*)</td>", page)
    assert kinds[:3] == ["参数量", "输出形状", "输出形状"]
    assert not any(re.search(r"[a-z]_[a-z]", k) for k in kinds), kinds
    english = report_page(EN[0][1])
    assert re.findall(r"</code></a></td><td>([^<]*)</td>", english)[:3] == ["Parameters", "Output shape", "Output shape"]
    assert "no_response</code>: 1" in english and "未" not in english[english.index('<h2 id="problems">'):]


@pytest.mark.parametrize("kind", list(QuestionKind))
def test_every_question_kind_has_a_display_name(kind: QuestionKind) -> None:
    from quizgen.grading.text import gt

    en, zh = gt(f"qkind.{kind.value}", "en"), gt(f"qkind.{kind.value}", "zh")
    assert en != kind.value and "_" not in en and re.search(r"[\u4e00-\u9fff]", zh)
