"""The question families: hand-computed answers, worked steps in both languages, mistakes that quote
the numbers, and template options checked when a bank is loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from quizgen.bank import load_bank
from quizgen.cli import app
from quizgen.errors import BankError
from quizgen.exam import Question
from quizgen.generate import generate_exam
from quizgen.roster import numbered_students

runner = CliRunner()


def one_question(tmp_path: Path, text: str) -> Question:
    (tmp_path / "bank.yaml").write_text(text, encoding="utf-8")
    exam, _ = generate_exam([load_bank(tmp_path / "bank.yaml")], 1, numbered_students(1))
    return exam.variants[0].questions[0]


def codes(question: Question) -> dict[str, Any]:
    return {code: m.value for m in question.mistakes for code in m.codes}


RF = """
title: rf
questions:
  - id: q
    kind: receptive_field
    {extra}
    network:
      pytorch:
        input_shape: [3, 64, 64]
        layers:
          - Conv2d: {{out_channels: 8, kernel_size: 5, stride: 2, padding: 1}}
          - MaxPool2d: {{kernel_size: 2}}
          - Conv2d: {{out_channels: 8, kernel_size: 3, dilation: 2}}
    layer: -1
"""


def test_receptive_field_of_a_chain(tmp_path: Path) -> None:
    q = one_question(tmp_path, RF.format(extra=""))
    # r: 1 + 4·1 = 5, + 1·2 = 7, + 2·2·4 = 23; j = 2·2·1 = 4; offset = 1·1
    assert q.answer == 23 and q.details["field"] == {"size": 23, "jump": 4, "start": -1}
    assert q.solution["en"][-1].startswith("conv_1 (Conv2d, k=3, d=2, s=1, p=0): r = 7 + (3 − 1)·2·4 = 23; j = 4·1 = 4")
    assert q.solution["zh"][0].startswith("约定:沿 H 轴")
    found = codes(q)
    assert found["rf_ignored_dilation"] == 15 and found["rf_ignored_jump"] == 10 and found["rf_own_stride"] == 29
    assert found["rf_off_by_one"] == 22 and found["rf_multiplied_kernels"] == 5 * 2 * 5
    dilation = next(m for m in q.mistakes if m.code == "rf_ignored_dilation")
    assert dilation.explanation["en"] == ("15 = 1 + (5 − 1)·1 + (2 − 1)·2 + (3 − 1)·4: you left out the dilation (conv_1 d=2): "
                                          "a dilated kernel reaches (k − 1)·d + 1 positions; correct: r = 23")
    assert "膨胀率" in dilation.explanation["zh"]
    assert "receptive field r" in q.prompt["en"] and "感受野" in q.prompt["zh"]


def test_jump_and_offset(tmp_path: Path) -> None:
    jump = one_question(tmp_path, RF.format(extra="of: jump"))
    assert jump.answer == 4 and codes(jump) == {"rf_jump_summed": 2 + 2 + 1, "rf_jump_last_only": 1}
    start = one_question(tmp_path, RF.format(extra="of: start"))
    assert start.answer == 1 and codes(start)["rf_start_ignored_padding"] == 0


@pytest.mark.parametrize(("extra", "message"), [
    ("of: width", "of must be one of size, jump, start, got 'width'"),
    ("dtype: fp32", "dtype is not an option of kind receptive_field"),
    ("of: $nope", "of: $nope is not a parameter of this question"),
])
def test_bad_family_options_name_the_line(tmp_path: Path, extra: str, message: str) -> None:
    (tmp_path / "bank.yaml").write_text(RF.format(extra=extra), encoding="utf-8")
    with pytest.raises(BankError) as caught:
        load_bank(tmp_path / "bank.yaml")
    assert message in str(caught.value) and "line 6" in str(caught.value)
    result = runner.invoke(app, ["bank", "check", str(tmp_path / "bank.yaml")])
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_family_options_are_refused_on_other_kinds(tmp_path: Path) -> None:
    (tmp_path / "bank.yaml").write_text(RF.format(extra="batch: 4").replace("receptive_field", "params"), encoding="utf-8")
    with pytest.raises(BankError, match="batch is an option of the question families, not of kind params"):
        load_bank(tmp_path / "bank.yaml")


MEM = """
title: mem
questions:
  - id: q
    kind: memory
    {extra}
    network:
      keras:
        input_shape: [32, 32, 3]
        layers:
          - Conv2D: {{filters: 16, kernel_size: 3, padding: same}}
          - BatchNormalization: {{}}
          - Flatten: {{}}
          - Dense: {{units: 10}}
"""


def test_memory_of_the_weights_in_kib(tmp_path: Path) -> None:
    q = one_question(tmp_path, MEM.format(extra="of: weights\n    unit: KiB"))
    weights = 16 * (27 + 1) + 4 * 16 + (32 * 32 * 16 + 1) * 10  # conv, BN (4·C in Keras), dense
    assert weights == 164362 and q.details["bytes"] == 4 * weights
    assert q.answer == 642.04 and q.details["exact"] == "82181/128" and q.details["decimals"] == 2
    assert q.solution["en"][-2] == "164362·4 / 1024 = 642.039063 KiB"
    found = codes(q)
    assert found["mem_kb_kib"] == 657.45 and found["mem_bits_for_bytes"] == 5136.31 and found["mem_forgot_bn_stats"] == 641.91
    kb = next(m for m in q.mistakes if m.code == "mem_kb_kib")
    assert kb.explanation["en"] == "657.45 = 164362·4 / 1000: you divided by 1000 (KB); 1 KiB = 1024 B; correct: 642.04 KiB"


@pytest.mark.parametrize(("text", "verdict", "code"), [
    ("642.04", "correct", ""), ("642.04 KiB", "correct", ""), ("642.039", "correct", ""), ("642.035", "correct", ""),
    ("642", "wrong", ""), ("642.1", "wrong", ""), ("657.45", "mistake", "mem_kb_kib"), ("657.45 KB", "mistake", "mem_kb_kib"),
    ("641.91", "mistake", "mem_forgot_bn_stats"), ("", "blank", ""), ("about a lot", "unparseable", ""),
])
def test_decimal_answers_grade_within_the_stated_places(tmp_path: Path, text: str, verdict: str, code: str) -> None:
    from quizgen.grading.score import Grader

    q = one_question(tmp_path, MEM.format(extra="of: weights\n    unit: KiB"))
    grade = Grader().grade(q, text)
    assert grade.verdict.value == verdict, grade
    assert (grade.codes[0] if grade.codes else "") == code


def test_memory_of_training_names_every_part(tmp_path: Path) -> None:
    q = one_question(tmp_path, MEM.format(extra="of: training\n    optimizer: adam\n    batch: 8\n    dtype: bf16\n    unit: MB"))
    activations = 32 * 32 * 16 * 2 + 16384 + 10  # conv, BN, flatten, dense outputs per sample
    trainable = 164362 - 32
    assert q.details["bytes"] == 2 * (164362 + trainable + 2 * trainable + 8 * activations)
    assert {"mem_kb_kib", "mem_forgot_optimizer", "mem_forgot_gradients", "mem_adam_one_copy", "mem_per_sample",
            "mem_dtype_fp32"} <= set(codes(q))
    assert "Adam keeps 2 state copies" in q.solution["en"][0] and "Adam 每个可训练参数保存 2 份状态" in q.solution["zh"][0]


TF = """
title: tf
questions:
  - id: q
    kind: training_flops
    {extra}
    network:
      pytorch:
        input_shape: [1, 28, 28]
        layers:
          - Conv2d: {{out_channels: 6, kernel_size: 5}}
          - ReLU: {{}}
          - Flatten: {{}}
          - Linear: {{out_features: 10}}
"""


def test_training_flops_step_and_epoch(tmp_path: Path) -> None:
    macs = 24 * 24 * 6 * 25 + 24 * 24 * 6 * 10  # conv 86400 + dense 34560
    step = one_question(tmp_path, TF.format(extra="of: step\n    batch: 32"))
    assert step.answer == 3 * 2 * macs * 32
    assert step.solution["en"][-1] == f"FLOPs ≈ 3·2·{macs}·32 = {3 * 2 * macs * 32}"
    assert "3× forward" in step.solution["en"][0] and "3×前向" in step.solution["zh"][0]
    found = codes(step)
    assert found["tf_forward_only"] == 2 * macs * 32 and found["tf_flops_as_macs"] == 3 * macs * 32
    assert found["tf_backward_once"] == 2 * 2 * macs * 32 and found["tf_one_sample"] == 3 * 2 * macs
    epoch = one_question(tmp_path, TF.format(extra="of: epoch\n    batch: 64\n    dataset: 60000"))
    assert epoch.answer == 3 * 2 * macs * 60000 and codes(epoch)["tf_epoch_times_batch"] == 3 * 2 * macs * 60000 * 64
    explanation = next(m for m in epoch.mistakes if m.code == "tf_forward_only").explanation["en"]
    assert explanation.startswith(f"{2 * macs * 60000} = 2·{macs}·60000: you counted the forward pass only")


RATIO = """
title: ratio
questions:
  - id: q
    kind: ratio
    {extra}
    network:
      pytorch:
        input_shape: [32, 16, 16]
        layers:
          - Conv2d: {{out_channels: 64, kernel_size: 3, padding: 1, bias: false}}
    layer: 0
"""


def test_separable_ratio_is_the_classic_formula(tmp_path: Path) -> None:
    from fractions import Fraction

    q = one_question(tmp_path, RATIO.format(extra="compare: separable\n    of: macs"))
    assert Fraction(q.details["exact"]) == Fraction(1, 64) + Fraction(1, 9)  # 1/C_out + 1/K²
    assert q.answer == 0.127 and q.details["decimals"] == 3
    assert "= 1/C_out + 1/K² = 1/64 + 1/3² (same output positions for both)" in q.solution["en"]
    assert codes(q) == {"ratio_inverted": 7.89, "ratio_depthwise_only": 0.016}
    saving = one_question(tmp_path, RATIO.format(extra="compare: separable\n    of: macs\n    as: saving"))
    assert saving.answer == 87.3 and saving.details["unit"] == "%"
    assert codes(saving)["ratio_kept_not_saved"] == 12.7


def test_ratio_needs_a_layer_it_can_compare(tmp_path: Path) -> None:
    (tmp_path / "bank.yaml").write_text(RATIO.format(extra="compare: gru"), encoding="utf-8")
    with pytest.raises(BankError, match="gru compares a one-layer, one-direction LSTM"):
        generate_exam([load_bank(tmp_path / "bank.yaml")], 1, numbered_students(1))


BRANCHES = """
title: branches
questions:
  - id: q
    kind: receptive_field
    network:
      pytorch:
        inputs: {x: [4, 40, 40]}
        layers:
          - Conv2d: {in_channels: 4, out_channels: 4, kernel_size: 3, padding: 1}
            name: narrow
            inputs: [x]
          - Conv2d: {in_channels: 4, out_channels: 4, kernel_size: 7, padding: 3}
            name: wide
            inputs: [x]
          - Conv2d: {in_channels: 4, out_channels: 4, kernel_size: 3, stride: 2, padding: 1}
            name: down
            inputs: [wide]
          - MaxPool2d: {kernel_size: 2}
            name: pooled
            inputs: [narrow]
          - torch.add: {}
            name: sum
            inputs: [pooled, down]
          - Conv2d: {in_channels: 4, out_channels: 4, kernel_size: 3, padding: 1}
            name: head
    layer: head
"""


def test_receptive_field_of_two_branches_is_the_union_over_paths(tmp_path: Path) -> None:
    q = one_question(tmp_path, BRANCHES)
    # narrow → pooled → head: r 3, 4, 8 from −3; wide → down → head: r 7, 9, 13 from −6 (jump 2 on both)
    assert q.answer == 13 and q.details["field"] == {"size": 13, "jump": 2, "start": -6}
    assert q.solution["en"][-1] == ("union of the paths (first and last position of unit 0): first = min(-3, -6) = -6; "
                                    "last = max(4, 6) = 6; r = 6 − (-6) + 1 = 13; offset = 6")
    assert "路径 narrow → pooled → head:" in q.solution["zh"]
    assert codes(q)["rf_one_path"] == 8
