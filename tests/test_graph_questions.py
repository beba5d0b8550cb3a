"""Every question kind on a network with branches, its layer named in the bank (``layer: block.proj``):
answers equal the frameworks', prompts name the layer by number and name, worksheets render,
LMS exports carry every question, and stored mistakes grade back as mistakes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_banks_oracle import check

from quizgen.bank import load_bank
from quizgen.exam import Exam, Question, QuestionKind
from quizgen.generate import generate_exam
from quizgen.grading.score import Grader
from quizgen.lms import LmsFormat, export_exam
from quizgen.render import DocumentSet, Target, key_html, student_html, views_for
from quizgen.roster import numbered_students

BLOCK = {
    "keras": """
        input_shape: [16, 16, $c]
        layers:
          - Conv2D: {filters: $f, kernel_size: 3, strides: 2, padding: same, use_bias: false}
            name: block.conv1
          - BatchNormalization: {}
            name: block.bn1
          - Conv2D: {filters: $f, kernel_size: 3, padding: same}
            name: block.conv2
          - Conv2D: {filters: $f, kernel_size: 1, strides: 2}
            name: block.proj
            inputs: [input]
          - Add: {}
            name: block.add
            inputs: [block.conv2, block.proj]
          - GlobalAveragePooling2D: {}
          - Dense: {units: 10}
            name: head""",
    "pytorch": """
        input_shape: [$c, 16, 16]
        layers:
          - Conv2d: {out_channels: $f, kernel_size: 3, stride: 2, padding: 1, bias: false}
            name: block.conv1
          - BatchNorm2d: {}
            name: block.bn1
          - Conv2d: {out_channels: $f, kernel_size: 3, padding: 1}
            name: block.conv2
          - Conv2d: {out_channels: $f, kernel_size: 1, stride: 2}
            name: block.proj
            inputs: [input]
          - torch.add: {}
            name: block.add
            inputs: [block.conv2, block.proj]
          - AdaptiveAvgPool2d: {output_size: 1}
          - Flatten: {}
          - Linear: {out_features: 10}
            name: head""",
}
# (id, kind, layer, extra template lines): every kind of the count family, on the same residual block.
KINDS: list[tuple[str, str, str | None, str]] = [
    ("params", "params", "block.proj", ""),
    ("trainable-layer", "trainable_params", "block.bn1", ""),
    ("non-trainable-layer", "non_trainable_params", "block.bn1", ""),
    ("trainable-total", "trainable_params", None, ""),
    ("non-trainable-total", "non_trainable_params", None, ""),
    ("total", "total_params", None, ""),
    ("shape", "output_shape", "block.add", ""),
    ("size", "output_size", "block.proj", "axis: H"),
    ("macs", "macs", "block.conv2", ""),
    ("flops-total", "flops", None, ""),
    ("summary", "summary", None, ""),
    ("missing", "missing_hyperparameter", "block.proj", "unknown: strides\n    given: output_shape"),
    ("formula", "formula", "block.proj", ""),
    ("choice", "choice", "block.conv2", ""),
]


def _bank_text() -> str:
    items = []
    for qid, kind, layer, extra in KINDS:
        networks = "\n".join(f"      {fw}:" + "\n".join(("      " + line[4:]) if line.strip() else line for line in text.split("\n"))
                             for fw, text in BLOCK.items())
        items.append(f"""  - id: {qid}
    kind: {kind}
    params:
      c: {{choice: [8, 16]}}
      f: {{choice: [16, 32]}}
    network:
{networks}
""" + (f"    layer: {layer}\n" if layer else "") + (f"    {extra}\n" if extra else ""))
    return "title: Graph kinds\nquestions:\n" + "".join(items)


@pytest.fixture(scope="module")
def exam(tmp_path_factory: pytest.TempPathFactory) -> Exam:
    path = tmp_path_factory.mktemp("bank") / "graph-kinds.yaml"
    path.write_text(_bank_text(), encoding="utf-8")
    generated, _ = generate_exam([load_bank(path)], 3, numbered_students(4))
    return generated


def _questions(exam: Exam) -> list[Question]:
    return [q for v in exam.variants for q in v.questions]


def test_every_kind_is_generated_on_a_graph_with_its_layer_named(exam: Exam) -> None:
    questions = _questions(exam)
    assert {q.kind.value for q in questions} == {kind for _, kind, _, _ in KINDS}
    assert all(q.spec.is_graph for q in questions)
    for question in questions:
        layer_name = {qid: layer for qid, _, layer, _ in KINDS}[question.template]
        if layer_name is None or question.kind in (QuestionKind.SUMMARY, QuestionKind.TOTAL_PARAMS) or question.layer is None:
            continue
        index = question.layer
        assert index is not None and question.spec.layers[index].name == layer_name
        assert f"{index + 1} ({layer_name}," in question.prompt["en"], question.prompt["en"]  # "layer 4 (block.proj, Conv2D)"
        assert f"{index + 1} 层 ({layer_name}," in question.prompt["zh"], question.prompt["zh"]


@pytest.mark.oracle
def test_answers_equal_the_frameworks(exam: Exam) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("keras")
    for question in _questions(exam):
        check(question)


def test_stored_mistakes_grade_as_mistakes_and_answers_as_correct(exam: Exam) -> None:
    graded = 0
    grader = Grader()
    for question in _questions(exam):
        if question.kind in (QuestionKind.SUMMARY, QuestionKind.OUTPUT_SHAPE, QuestionKind.CHOICE, QuestionKind.MISSING_HYPERPARAMETER):
            continue  # answered cell by cell, by option or as a set: their round trip is test_export_roundtrip's
        assert grader.grade(question, _text(question.answer)).verdict.value == "correct", question.id
        for mistake in question.mistakes[:3]:
            result = grader.grade(question, _text(mistake.value))
            assert result.verdict.value == "mistake" and mistake.codes[0] in result.codes, (question.id, mistake.codes)
            graded += 1
    assert graded > 20


def _text(value: Any) -> str:
    return str(value)


@pytest.mark.parametrize("fmt", list(LmsFormat))
def test_lms_exports_carry_every_question(exam: Exam, fmt: LmsFormat) -> None:
    data = export_exam(exam, fmt)
    assert data
    text = data.decode("utf-8", errors="replace") if fmt is not LmsFormat.QTI else ""
    if text:
        assert "block.proj" in text  # the layer asked about is named as the prompt names it


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_worksheets_render_with_the_diagram(exam: Exam, lang: str, tmp_path: Path) -> None:
    docs = DocumentSet(exam, lang)
    variant = exam.variants[0]
    views = views_for(docs, variant)
    student = student_html(docs, variant, views, Target.HTML)
    key = key_html(docs, variant, views, Target.HTML)
    assert student.count('class="diagram graph"') >= len(KINDS) - 1  # every multi-layer network is drawn
    assert "block.proj" in key
    for question in variant.questions:  # no answer leaks into the student's copy
        if question.kind is QuestionKind.TOTAL_PARAMS:
            assert str(question.answer) not in student


@pytest.mark.oracle
@pytest.mark.parametrize(("steps", "width", "heads"), [(16, 64, 4), (32, 128, 8), (64, 256, 4)])
def test_keras_attention_macs_equal_what_torch_counts(steps: int, width: int, heads: int) -> None:
    """Keras on torch runs its attention scores as an einsum FlopCounterMode does not see, so the bank's Keras
    FLOPs answers are checked against the same attention in PyTorch (key_dim·heads = d): FlopCounterMode/2."""
    torch = pytest.importorskip("torch")
    from torch.utils.flop_counter import FlopCounterMode

    from quizgen.solver import solve
    from quizgen.spec import parse_spec

    keras_layer = {"MultiHeadAttention": {"num_heads": heads, "key_dim": width // heads}, "inputs": ["input", "input"]}
    ours = solve(parse_spec({"framework": "keras", "input_shape": [steps, width], "layers": [keras_layer]})).layers[0].macs
    module = torch.nn.MultiheadAttention(width, heads, batch_first=True)
    x = torch.zeros(1, steps, width)
    counter = FlopCounterMode(display=False)
    with counter:  # gradients on and need_weights: the two matmuls run as plain bmm, which it counts
        module(x, x, x, need_weights=True)
    assert ours == counter.get_total_flops() // 2


def test_vit_patch_count_solution_cancels_the_kept_channels() -> None:
    """The Keras ViT patch count read 'correct: 48·48·384/384 = 2304': the kept 384 channels cancel."""
    exam, _ = generate_exam([load_bank("residual-and-attention")], 3, numbered_students(40))
    found = [q for v in exam.variants for q in v.questions if q.template == "vit-patch-count" and q.spec.framework.value == "keras"]
    assert found
    for q in found:
        side = q.spec.input_shape[0] // q.spec.layers[0].kwargs["kernel_size"]
        assert q.solution["en"][-1] == f"L_out = H_in·W_in = {side}·{side} = {q.answer}"
        assert all("/" not in m.explanation["en"].partition("correct:")[2] for m in q.mistakes)
