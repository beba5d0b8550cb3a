"""Instructions of several banks say each thing once: a clause an earlier paragraph said is left out,
the rest keeps its order and wording."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from quizgen.bank import load_bank
from quizgen.generate import generate_exam
from quizgen.instructions import without_repeats
from quizgen.render.documents import DocumentSet, Target, student_html, views_for
from quizgen.roster import Student

CASES = [
    # (paragraphs, expected)
    (["Count weights once. FLOPs = 2·MACs.", "FLOPs = 2·MACs; count MACs of convolutions only (norms count 0)."],
     ["Count weights once. FLOPs = 2·MACs.", "Count MACs of convolutions only (norms count 0)."]),
    (["FLOPs = 2·MACs.", "1 MAC = one multiply–add; Linear: in·out; FLOPs = 2·MACs."],
     ["FLOPs = 2·MACs.", "1 MAC = one multiply–add; Linear: in·out."]),
    (["Padding counts.", "padding  counts", "Padding counts; the border does not."],
     ["Padding counts.", "The border does not."]),
    (["Rounded answers such as 1.18G are accepted. Use model.parameters().", "Rounded answers such as 1.18G are accepted."],
     ["Rounded answers such as 1.18G are accepted. Use model.parameters()."]),
    (["FLOPs = 2·MACs。", "训练一步 ≈ 3×前向;FLOPs = 2·MACs。一个 epoch 中每个样本各经过一次。"],
     ["FLOPs = 2·MACs。", "训练一步 ≈ 3×前向。一个 epoch 中每个样本各经过一次。"]),
    (["A. B.", "B.", "C; A."], ["A. B.", "C."]),
]


@pytest.mark.parametrize(("paragraphs", "expected"), CASES)
def test_a_clause_said_before_is_left_out(paragraphs: list[str], expected: list[str]) -> None:
    assert without_repeats(paragraphs) == expected


@pytest.mark.parametrize("bank", ["residual-and-attention", "receptive-field", "memory", "training-compute", "conv-basics",
                                  "compute", "full-models", "recurrent"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_bank_alone_keeps_its_instructions_word_for_word(bank: str, lang: str) -> None:
    text = load_bank(bank).instructions.get(lang, "")
    assert without_repeats([text]) == ([text.strip()] if text.strip() else [])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_newcomers_four_banks_say_flops_once(lang: str) -> None:
    banks = [load_bank(name) for name in ("residual-and-attention", "receptive-field", "memory", "training-compute")]
    banks = [replace(bank, templates=bank.templates[:2]) for bank in banks]  # the instructions are the banks', whatever is asked
    exam = generate_exam(banks, 7, [Student("S001", "")], lang=lang)[0]
    instructions = exam.instructions[lang]
    assert instructions.count("FLOPs = 2·MACs") == 1, instructions
    docs = DocumentSet(exam, lang)
    variant = exam.variants[0]
    for target in Target:
        html = student_html(docs, variant, views_for(docs, variant), target)
        section = re.sub(r"<[^>]+>", "", html[html.index('<section class="instructions">'):html.index("</section>")])
        assert section.count("FLOPs") == 1, f"{target}: {section}"


def test_an_older_key_with_repeats_renders_each_clause_once() -> None:
    """A key.json written before generation left repeats out still holds them; `quizgen render` leaves them out."""
    bank = load_bank("training-compute")
    exam = generate_exam([replace(bank, templates=bank.templates[:1])], 7, [Student("S001", "")], lang="en")[0]
    exam = replace(exam, instructions={"en": "FLOPs = 2·MACs.\nFLOPs = 2·MACs; count MACs of convolutions only."})
    docs = DocumentSet(exam, "en")
    variant = exam.variants[0]
    html = student_html(docs, variant, views_for(docs, variant), Target.PDF)
    section = re.sub(r"<[^>]+>", "", html[html.index('<section class="instructions">'):html.index("</section>")])
    assert section.count("FLOPs") == 1 and "Count MACs of convolutions only." in section, section
