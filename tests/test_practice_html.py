"""Practice pages without a browser: files, determinism, sealed data, and no answer in clear text.

The browser half (typing answers and reading verdicts) is tests/test_practice_browser.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_practice_drill import practice_exam

from quizgen.bank import load_bank
from quizgen.exam import COUNT_KINDS, Exam, Question, QuestionKind, Variant
from quizgen.generate import generate_exam
from quizgen.practice.html import practice_page, write_practice_pages
from quizgen.practice.seal import (
    canon_count,
    canon_formula,
    canon_shape,
    canon_values,
    open_sealed,
    page_salt,
    seal,
    seal_key,
    tag,
)
from quizgen.render import DocumentSet, student_html, views_for
from quizgen.resources import banks_dir, templates_dir
from quizgen.roster import numbered_students
from quizgen.summary import shape_text

_DATA = re.compile(r'<script type="application/json" id="practice-data">(.*?)</script>', re.DOTALL)


def page_data(page: str) -> dict[str, Any]:
    found = _DATA.search(page)
    assert found, "the page has no practice data"
    return dict(json.loads(found.group(1)))


@pytest.fixture(scope="module")
def exam(tmp_path_factory: pytest.TempPathFactory) -> Exam:
    return practice_exam(tmp_path_factory.mktemp("bank"), students=2)


@pytest.fixture(scope="module")
def shipped_exam() -> Exam:
    banks = [load_bank(path) for path in sorted(banks_dir().glob("*.yaml"))]
    return generate_exam(banks, 3, numbered_students(1))[0]


# --- files and determinism -------------------------------------------------------------------


def test_one_page_per_variant_same_bytes_every_time(exam: Exam, tmp_path: Path) -> None:
    first = write_practice_pages(exam, tmp_path / "a")
    second = write_practice_pages(exam, tmp_path / "b")
    assert [Path(p).relative_to(tmp_path / "a") for p in first] == [Path("practice/S001.html"), Path("practice/S002.html")]
    for a, b, variant in zip(first, second, exam.variants, strict=True):
        assert Path(a).read_bytes() == Path(b).read_bytes() == practice_page(exam, variant).encode()  # the cache changes nothing
    one, two = (page_data(Path(p).read_text(encoding="utf-8")) for p in first)
    assert one["salt"] == page_salt(exam.seed, "S001") != two["salt"]
    # Same question, same answer, different page: different tags (no table carries over).
    assert one["boxes"]["q1"]["answer"] != two["boxes"]["q1"]["answer"]


def test_shard_writes_its_slice(exam: Exam, tmp_path: Path) -> None:
    assert [Path(p).name for p in write_practice_pages(exam, tmp_path, shard="2/2")] == ["S002.html"]


def test_page_is_self_contained_and_says_it_is_for_practice(exam: Exam) -> None:
    page = practice_page(exam, exam.variants[0])
    assert "For practice, not for exams" in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page  # no request can leave the page
    assert not re.search(r"\s(?:src|href)\s*=", page)  # no external script, style, image or link
    assert "<link" not in page
    assert page.count("<form class=\"check") == sum(len(page_data(page)["questions"][q]["boxes"]) for q in page_data(page)["questions"])
    assert 'id="q9-2-params-input"' in page  # summary: one box per cell
    # the hidden argument of the inverse question
    assert 'layers.Conv2D(8, kernel_size=<mark class="hidden">?</mark>, strides=2)' in page and "kernel_size=3, strides=2" not in page


def test_chinese_page(tmp_path: Path) -> None:
    exam = practice_exam(tmp_path, lang="zh")
    page = practice_page(exam, exam.variants[0])
    assert '<html lang="zh-CN">' in page and "仅供练习,不可用于考试" in page
    assert page_data(page)["words"]["verdict.correct"] == "正确"


# --- the sealed data opens with the right values, and only with them ----------------------------


def _canon(q: Question, box: str, value: Any, data: dict[str, Any]) -> str | None:
    kind = data["kind"]
    if kind == "count":
        return canon_count(value)
    if kind == "shape":
        return canon_shape(value, data["dims"])
    if kind == "values":
        return canon_values(value)
    if kind == "choice":
        return str(value)
    return canon_formula(str(value), data["symbols"], data["probes"])


def test_tags_and_sealed_texts(exam: Exam) -> None:
    q_by_id = {f"q{n}": q for n, q in enumerate(exam.variants[0].questions, start=1)}
    data = page_data(practice_page(exam, exam.variants[0]))
    salt = data["salt"]
    assert data["boxes"].keys() == {b for q in data["questions"].values() for b in q["boxes"]}
    for box, item in data["boxes"].items():
        q = q_by_id[box.split("-")[0]]
        if q.kind is QuestionKind.SUMMARY:
            continue
        answer = _canon(q, box, q.answer, item)
        assert answer is not None, box
        assert item["answer"] == [tag(salt, box, answer)]
        assert open_sealed(seal_key("sol", salt, box, answer), item["solution"]) == "\n".join(q.solution["en"])
        for m in q.mistakes:
            value = _canon(q, box, q.details["options"].index(m.value) if q.kind is QuestionKind.CHOICE else m.value, item)
            if value is None or value == answer:
                continue
            sealed = item["mistakes"][tag(salt, box, value)]
            opened = json.loads(open_sealed(seal_key("key", salt, box, value), sealed))
            first = next(x for x in q.mistakes if _canon(q, box, q.details["options"].index(x.value)
                                                         if q.kind is QuestionKind.CHOICE else x.value, item) == value)
            assert opened == {"codes": list(first.codes), "text": first.explanation["en"]}
            # Another value's key opens nothing readable.
            with pytest.raises((UnicodeDecodeError, json.JSONDecodeError)):
                json.loads(open_sealed(seal_key("key", salt, box, answer), sealed))
    # Both values that fit the inverse question are told apart from the full answer.
    inverse = data["boxes"]["q5"]
    assert inverse["answer"] == [tag(salt, "q5", "3,4")]
    assert inverse["partial"] == sorted([tag(salt, "q5", "3"), tag(salt, "q5", "4")])


def test_summary_cells(exam: Exam) -> None:
    data = page_data(practice_page(exam, exam.variants[0]))
    salt = data["salt"]
    assert data["questions"]["q9"]["boxes"] == ["q9-0-shape", "q9-0-params", "q9-1-shape", "q9-1-params", "q9-2-shape",
                                                "q9-2-params", "q9-total"]
    assert data["boxes"]["q9-0-shape"]["answer"] == [tag(salt, "q9-0-shape", "26,26,32")]
    assert data["boxes"]["q9-1-shape"]["answer"] == [tag(salt, "q9-1-shape", "21632")]
    assert data["boxes"]["q9-0-params"]["answer"] == [tag(salt, "q9-0-params", "320")]
    assert data["boxes"]["q9-total"]["answer"] == [tag(salt, "q9-total", "216650")]
    forgot_bias = data["boxes"]["q9-0-params"]["mistakes"][tag(salt, "q9-0-params", "288")]
    assert "bias" in json.loads(open_sealed(seal_key("key", salt, "q9-0-params", "288"), forgot_bias))["text"]


def test_seal_round_trip() -> None:
    key = seal_key("key", "salt", "q1", "18144")
    for text in ("", "x", "résumé 参数 " * 40):
        assert open_sealed(key, seal(key, text)) == text
    assert seal(key, "abc") == seal(key, "abc")  # deterministic: the page's bytes depend only on the exam


@pytest.mark.parametrize(("formula", "same"), [
    ("C_out·(K_h·K_w·C_in + 1)", True), ("c_out*(k_h*k_w*c_in+1)", True), ("C_in*C_out*K_h*K_w + C_out", True),
    ("C_out·(K_h·K_w·C_in)", False), ("C_out·(K_h·K_w + 1)", False),
])
def test_formula_canonical_form(formula: str, same: bool) -> None:
    symbols = ["C_in", "C_out", "K_h", "K_w"]
    probes = [[1001, 2002, 3003, 4004], [5, 6, 7, 8]]
    answer = canon_formula("C_out·(K_h·K_w·C_in + 1)", symbols, probes)
    assert answer == f"{2002 * (3003 * 4004 * 1001 + 1)}|{6 * (7 * 8 * 5 + 1)}"
    assert (canon_formula(formula, symbols, probes) == answer) is same


def test_a_square_kernel_formula_box_takes_k_as_its_prompt_allows() -> None:
    # "The kernel is square: you may write K for K_h = K_w" -- the page's box must read K, as quizgen grade does.
    exam = generate_exam([load_bank(banks_dir() / "conv-basics.yaml")], 5, numbered_students(1))[0]
    number, q = next((n, q) for n, q in enumerate(exam.variants[0].questions, start=1) if q.id == "conv2d-formula")
    assert "you may write K for" in q.prompt["en"]
    data = page_data(practice_page(exam, exam.variants[0]))
    box = data["boxes"][f"q{number}"]
    assert "K" in box["symbols"]
    for written in ("C_out*(K*K*C_in + 1)", "c_out*(k**2*c_in+1)", "C_out*(K_h*K*C_in+1)", "C_out·(K_h·K_w·C_in + 1)"):
        assert box["answer"] == [tag(data["salt"], f"q{number}", str(canon_formula(written, box["symbols"], box["probes"])))], written
    assert tag(data["salt"], f"q{number}", str(canon_formula("C_out*(K*C_in + 1)", box["symbols"], box["probes"]))) not in box["answer"]


def test_a_summary_shape_cell_shows_no_macs_step() -> None:
    # A Dense row's MACs step, "MACs: N_in·N_out = 64·1 = 64", was taken for a shape step (N_out ...) and shown
    # as the working of the row's output shape.
    exam = generate_exam([load_bank(banks_dir() / "recurrent.yaml")], 5, numbered_students(1))[0]
    number, q = next((n, q) for n, q in enumerate(exam.variants[0].questions, start=1) if q.id == "embedding-lstm-summary")
    data = page_data(practice_page(exam, exam.variants[0]))
    rows = q.answer["rows"]
    dense = next(i for i, row in enumerate(rows) if row["type"] == "Dense")
    box = f"q{number}-{dense}-shape"
    shape = list(rows[dense]["output_shape"])
    solution = open_sealed(seal_key("sol", data["salt"], box, canon_shape(shape, len(shape))), data["boxes"][box]["solution"])
    assert "MACs" not in solution and solution.endswith(shape_text(tuple(shape), q.spec.framework))


# --- no answer in clear text ---------------------------------------------------------------------


def _visible(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _secrets(q: Question) -> Iterator[str]:
    """Texts that would give the answer (or a mistake's explanation) away."""
    if q.kind in COUNT_KINDS and isinstance(q.answer, int) and q.answer >= 100:
        yield str(q.answer)
        yield f"{q.answer:,}"
    if q.kind is QuestionKind.OUTPUT_SHAPE and len(q.answer) >= 2:
        yield shape_text(tuple(q.answer), q.spec.framework)
        yield ", ".join("None" if d is None else str(d) for d in q.answer)
    if q.kind is QuestionKind.FORMULA:
        yield str(q.answer)
    if q.kind is QuestionKind.SUMMARY:
        for row in q.answer["rows"]:
            if len(row["output_shape"]) >= 2:
                yield ", ".join("None" if d is None else str(d) for d in row["output_shape"])
            if row["params"] >= 100:
                yield str(row["params"])
        yield str(q.answer["total_params"])
    for lang in ("en", "zh"):
        for step in q.solution.get(lang, ()):
            yield from (part for part in str(step).split("; ") if len(part) > 12)
    for m in q.mistakes:
        yield from (text for text in m.explanation.values() if text)
        if isinstance(m.value, int) and m.value >= 100:
            yield str(m.value)


class _Text:
    """A page's text, with its standalone numbers collected once (digits inside a base64 or hex run
    are not a number on the page)."""

    def __init__(self, text: str) -> None:
        self.text = text
        runs = re.findall(r"(?<![\w+/=])[\d,]+(?![\w+/=])", text)
        self.numbers = {*runs, *(part for run in runs for part in run.split(","))}  # "18207," and "1,024" and "[3,32]"

    def __contains__(self, secret: str) -> bool:
        if re.fullmatch(r"[\d,]+", secret):
            return secret in self.numbers
        return secret in self.text


def _check_no_answers(exam: Exam, variant: Variant) -> int:
    script = (templates_dir() / "practice" / "practice.js").read_text(encoding="utf-8")
    page = _Text(practice_page(exam, variant).replace(script, ""))  # the same fixed code on every page ("MAX_BITS = 1024")
    docs = DocumentSet(exam, exam.lang)
    worksheet = _Text(student_html(docs, variant, views_for(docs, variant)))  # what the student is given anyway
    checked = 0
    for q in variant.questions:
        for secret in sorted(set(_secrets(q))):
            if secret in worksheet:
                continue  # a given (an option, a size in the code), not something the page leaks
            assert secret not in page, f"{q.id}: {secret!r} is in the practice page"
            checked += 1
    return checked


def test_no_answer_in_clear_text(exam: Exam) -> None:
    assert _check_no_answers(exam, exam.variants[0]) > 100


def test_no_answer_in_clear_text_shipped_banks(shipped_exam: Exam) -> None:
    for variant in shipped_exam.variants:
        assert _check_no_answers(shipped_exam, variant) > 300
