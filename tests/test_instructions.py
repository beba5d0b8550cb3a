"""Instructions of several banks say each thing once: a clause an earlier paragraph said is left out,
the rest keeps its order and wording."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from quizgen.bank import load_bank
from quizgen.bank.model import resolve_bank_path
from quizgen.generate import generate_exam
from quizgen.instructions import tidy_cjk_spacing, without_repeats
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


SPACING_CASES = [
    # (as YAML folded it, as read)
    ("卷积的参数量:C_out·(K_h·K_w·C_in/g + 偏置)。 MACs:一次乘加 = 1 MAC", "卷积的参数量:C_out·(K_h·K_w·C_in/g + 偏置)。MACs:一次乘加 = 1 MAC"),
    ("反向传播对每个 卷积/全连接层各算;不计更新。  一个 epoch", "反向传播对每个卷积/全连接层各算;不计更新。一个 epoch"),
    ("为反向传播保存的激活值: 每一层的输出", "为反向传播保存的激活值:每一层的输出"),
    ("比值 = 替代设计 / 原设计; 节省 = (1 − 替代/原)·100%", "比值 = 替代设计 / 原设计;节省 = (1 − 替代/原)·100%"),
    ("输出，\t形状； 参数： 个数、 总和！ 对吗？ 是（对） 的", "输出，形状；参数：个数、总和！对吗？是（对）的"),
    # Spaces between Chinese and Latin text, digits, code and formulas stay.
    ("Add (+) 把形状相同的张量相加,Concatenate (torch.cat) 沿通道拼接", "Add (+) 把形状相同的张量相加,Concatenate (torch.cat) 沿通道拼接"),
    ("Q·Kᵀ 和 softmax·V 两次矩阵乘法。FLOPs = 2·MACs。", "Q·Kᵀ 和 softmax·V 两次矩阵乘法。FLOPs = 2·MACs。"),
    ("(fp32 4,fp16/bf16 2,int8 1)", "(fp32 4,fp16/bf16 2,int8 1)"),
    # A line break separates paragraphs and is kept; English is never touched.
    ("第一段。\n第二段。", "第一段。\n第二段。"),
    ("Count weights once.  Then  MACs: 2 x 3.", "Count weights once.  Then  MACs: 2 x 3."),
]


@pytest.mark.parametrize(("folded", "expected"), SPACING_CASES)
def test_folded_chinese_loses_its_line_break_spaces(folded: str, expected: str) -> None:
    assert tidy_cjk_spacing(folded) == expected
    assert tidy_cjk_spacing(expected) == expected


_CJK_PUNCT_SPACE = re.compile(r"[。，；：、][ \t]|[\u4e00-\u9fff][,;:]?[ \t]+[\u4e00-\u9fff]")


@pytest.mark.parametrize("bank", sorted(p.stem for p in resolve_bank_path("memory").parent.glob("*.yaml")))
def test_no_shipped_bank_has_a_space_after_chinese_punctuation(bank: str) -> None:
    """YAML folds a zh paragraph's lines with spaces: memory, residual-and-attention and training-compute
    printed "…统计量。 梯度", "…偏置)。 MACs", "…经过一次。 题目"."""
    text = load_bank(bank).instructions.get("zh", "")
    assert not _CJK_PUNCT_SPACE.search(text), text


def test_english_instructions_are_read_as_written() -> None:
    bank = load_bank("memory")
    assert "number in the dtype's bytes (fp32 4, fp16/bf16 2, int8 1). Weights include BatchNorm's" in bank.instructions["en"]


def test_a_zh_exam_prints_its_instructions_without_stray_spaces() -> None:
    banks = [load_bank(name) for name in ("residual-and-attention", "memory", "training-compute")]
    banks = [replace(bank, templates=bank.templates[:1]) for bank in banks]
    exam = generate_exam(banks, 7, [Student("S001", "")], lang="zh")[0]
    docs = DocumentSet(exam, "zh")
    variant = exam.variants[0]
    html = student_html(docs, variant, views_for(docs, variant), Target.HTML)
    section = re.sub(r"<[^>]+>", "", html[html.index('<section class="instructions">'):html.index("</section>")])
    assert "偏置)。MACs" in section and "统计量。梯度" in section and "经过一次。题目" in section, section
    assert not _CJK_PUNCT_SPACE.search(section), section
