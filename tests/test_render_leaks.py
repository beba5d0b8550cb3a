"""Student copies never show an answer or an expected wrong answer; answer keys do.

Every shipped bank, several students each, checked in the HTML source and in the PDF text
(pypdf). A number is a leak when it is the answer (or a mistake value) of a question and is
*not* one of the givens the student must see anyway: the prompt, the network code (hidden
argument as "?"), the choice options, the instructions and the page furniture. The check is
made per question section in the HTML (an answer to question 5 may not hide in question 5
even if question 2's prompt quotes it) and over the whole document in the PDF. The same
extraction run on the answer keys must find the answers, which shows the check can see them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from quizgen.bank import load_bank
from quizgen.codeio import write_model_code
from quizgen.exam import COUNT_KINDS, Exam, Question, QuestionKind, Variant
from quizgen.generate import generate_exam
from quizgen.render import render_outputs, safe_names
from quizgen.render.text import words
from quizgen.resources import banks_dir
from quizgen.roster import Student
from quizgen.spec import spec_to_mapping
from quizgen.specgraph import RESERVED_ITEM_KEYS

STUDENTS = 5
BANKS = sorted(banks_dir().glob("*.yaml"))

_INT = re.compile(r"(?<![A-Za-z0-9_])(?<!\d\.)\d+(?!\.\d)(?![A-Za-z0-9_])")
_GROUPED = re.compile(r"(?<![\d,])\d{1,3}(?:,\d{3})+(?![\d,])")


def numbers(text: str) -> set[int]:
    """Whole-number tokens: '18207', '29,226' (also as 29 and 226); not the 2 of 'Conv2D' or 'conv2d_1'."""
    found = {int(m) for m in _INT.findall(text)}
    found |= {int(m.replace(",", "")) for m in _GROUPED.findall(text)}
    return found


def flat_numbers(value: Any) -> set[int]:
    if isinstance(value, bool) or value is None:
        return set()
    if isinstance(value, int):
        return {value}
    if isinstance(value, dict):
        return set().union(*(flat_numbers(v) for v in value.values())) if value else set()
    if isinstance(value, (list, tuple)):
        return set().union(*(flat_numbers(v) for v in value)) if value else set()
    return set()


def squash(text: str) -> str:
    """Formula text without spacing or subscript marks, as MathML/CSS text content reads."""
    return re.sub(r"[\s_]+", "", text)


def plain_text(markup: str) -> str:
    """Text content of an HTML fragment, elements separated by spaces so 3</mn><mn>4 stays two numbers."""
    markup = re.sub(r"<(style|script)\b.*?</\1>", " ", markup, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def hidden_code(q: Question) -> str:
    mapping = spec_to_mapping(q.spec)
    hidden = q.details.get("hidden") if q.kind is QuestionKind.MISSING_HYPERPARAMETER else None
    if hidden:
        layers = [dict(x) for x in mapping["layers"]]
        item = layers[hidden["layer"]]
        kind = next(key for key in item if key not in RESERVED_ITEM_KEYS)  # a graph item also has name, inputs, ...
        layers[hidden["layer"]] = {**item, kind: {**(item[kind] or {}), hidden["arg"]: "?"}}
        mapping = {**mapping, "layers": layers}
    try:
        return write_model_code(mapping)
    except Exception:  # a layer the code writer does not know: the worksheet shows a listing
        return repr(mapping)


def givens(q: Question, lang: str) -> set[int]:
    options = q.details.get("options", []) if q.kind is QuestionKind.CHOICE else []
    layer_numbers = set(range(1, len(q.spec.layers) + 1))  # the diagram numbers its layers, as prompts do
    return (numbers(q.prompt.get(lang, "")) | numbers(hidden_code(q)) | flat_numbers(options) | flat_numbers(list(q.spec.input_shape))
            | layer_numbers)


def secrets(q: Question) -> set[int]:
    """Numbers the student must find. A choice answer is an option index, not a number to hide."""
    found = set() if q.kind is QuestionKind.CHOICE else flat_numbers(q.answer)
    for m in q.mistakes:
        found |= flat_numbers(m.value)
    return found


def formula_secrets(q: Question) -> set[str]:
    texts = {q.answer} if q.kind is QuestionKind.FORMULA and isinstance(q.answer, str) else set()
    texts |= {m.value for m in q.mistakes if isinstance(m.value, str)}
    return {squash(t) for t in texts if len(squash(t)) >= 5}


def furniture(exam: Exam, variant: Variant, lang: str) -> set[int]:
    fixed = " ".join(words(lang).values())
    return (numbers(exam.instructions.get(lang, "")) | numbers(fixed) | numbers(exam.title) | numbers(exam.course)
            | numbers(f"{variant.student_id} {variant.student_name} {variant.code}")
            | {int(sum(q.points for q in variant.questions))} | {int(q.points) for q in variant.questions}
            | set(range(1, len(variant.questions) + 1)))


def sections(source: str) -> list[str]:
    return re.findall(r'<section class="question[^"]*" id="q\d+">(.*?)</section>', source, flags=re.S)


def _pdf_text(path: Path) -> tuple[str, int]:
    from pypdf import PdfReader

    reader = PdfReader(path)
    return "\n".join(page.extract_text() or "" for page in reader.pages), len(reader.pages)


def _check_student(exam: Exam, variant: Variant, lang: str, source: str, pdf_text: str, pages: int) -> list[str]:
    problems = []
    base = furniture(exam, variant, lang)
    everything_given = base.union(*(givens(q, lang) for q in variant.questions))
    parts = sections(source)
    assert len(parts) == len(variant.questions), "one <section> per question"
    for q, part in zip(variant.questions, parts, strict=True):
        text = plain_text(part)
        leaked = (secrets(q) - givens(q, lang) - base) & numbers(text)
        if leaked:
            problems.append(f"{variant.student_id} {q.id}: HTML section shows {sorted(leaked)}")
        for formula in formula_secrets(q):
            if formula in squash(text):
                problems.append(f"{variant.student_id} {q.id}: HTML section shows formula {formula}")
    all_secrets = set().union(*(secrets(q) for q in variant.questions)) - everything_given
    leaked = all_secrets & numbers(plain_text(source))
    if leaked:
        problems.append(f"{variant.student_id}: HTML document shows {sorted(leaked)}")
    leaked = all_secrets & (numbers(pdf_text) - set(range(1, pages + 1)))
    if leaked:
        problems.append(f"{variant.student_id}: PDF text shows {sorted(leaked)}")
    for q in variant.questions:
        for formula in formula_secrets(q):
            if formula in squash(pdf_text):
                problems.append(f"{variant.student_id} {q.id}: PDF shows formula {formula}")
    return problems


def _rendered(bank: Path, lang: str, out: Path, formats: frozenset[str] = frozenset({"html", "pdf"})) -> Exam:
    students = [Student(f"S{i:03d}", f"Student {i}") for i in range(1, STUDENTS + 1)]
    exam, _ = generate_exam([load_bank(bank)], 11, students, lang=lang)
    render_outputs(exam, out, formats, jobs=2, shard=None)
    return exam


def _counts_in_key(variant: Variant) -> Iterable[tuple[str, int]]:
    for q in variant.questions:
        if q.kind in COUNT_KINDS and isinstance(q.answer, int):
            yield q.id, q.answer


@pytest.mark.slow
@pytest.mark.parametrize("bank", BANKS, ids=[b.stem for b in BANKS])
def test_student_copies_show_no_answer_and_keys_do(bank: Path, tmp_path: Path) -> None:
    lang = "zh" if bank.stem == BANKS[0].stem else "en"  # one bank in Chinese too: prompts differ
    exam = _rendered(bank, lang, tmp_path)
    names = safe_names([v.student_id for v in exam.variants])
    problems: list[str] = []
    for variant, stem in zip(exam.variants, names, strict=True):
        source = (tmp_path / "students" / f"{stem}.html").read_text(encoding="utf-8")
        assert 'class="key-answer"' not in source and 'class="mistake-list"' not in source
        pdf_text, pages = _pdf_text(tmp_path / "students" / f"{stem}.pdf")
        problems += _check_student(exam, variant, lang, source, pdf_text, pages)
        # The control: the same extraction finds every count answer in the key, HTML and PDF.
        key_source = plain_text((tmp_path / "keys" / f"{stem}.html").read_text(encoding="utf-8"))
        key_pdf, _ = _pdf_text(tmp_path / "keys" / f"{stem}.pdf")
        for qid, answer in _counts_in_key(variant):
            assert answer in numbers(key_source), f"{variant.student_id} {qid}: key HTML lacks {answer}"
            assert answer in numbers(key_pdf), f"{variant.student_id} {qid}: key PDF lacks {answer}"
    assert not problems, "\n".join(problems[:20])


def test_leak_check_sees_a_planted_answer(tmp_path: Path) -> None:
    """The checker itself: an answer written into a student copy is reported."""
    exam = _rendered(BANKS[0], "en", tmp_path, frozenset({"html"}))
    variant = exam.variants[0]
    stem = safe_names([v.student_id for v in exam.variants])[0]
    source = (tmp_path / "students" / f"{stem}.html").read_text(encoding="utf-8")
    target = next(q for q in variant.questions if secrets(q) - givens(q, "en") - furniture(exam, variant, "en"))
    secret = min(secrets(target) - givens(target, "en") - furniture(exam, variant, "en"))
    index = variant.questions.index(target)
    parts = source.split('<p class="prompt">')
    parts[index + 1] = f"{secret} " + parts[index + 1]
    planted = '<p class="prompt">'.join(parts)
    problems = _check_student(exam, variant, "en", planted, "", 1)
    assert any(target.id in p and str(secret) in p for p in problems), problems


def test_hidden_argument_reads_question_mark(tmp_path: Path) -> None:
    bank = next((b for b in BANKS if "missing_hyperparameter" in b.read_text(encoding="utf-8")), None)
    if bank is None:
        pytest.skip("no shipped bank asks for a missing hyperparameter")
    exam = _rendered(bank, "en", tmp_path, frozenset({"html"}))
    names = safe_names([v.student_id for v in exam.variants])
    for variant, stem in zip(exam.variants, names, strict=True):
        parts = sections((tmp_path / "students" / f"{stem}.html").read_text(encoding="utf-8"))
        for q, part in zip(variant.questions, parts, strict=True):
            if q.kind is QuestionKind.MISSING_HYPERPARAMETER:
                code = re.search(r"<pre class=\"code\"[^>]*>(.*?)</pre>", part, flags=re.S)
                assert code and '<mark class="hidden">?</mark>' in code.group(1), f"{q.id}: the code must show the hidden argument as ?"
