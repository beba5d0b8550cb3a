"""Practice mode's logic: scheduling, the drill session, hints and code that never give the answer.

The bank below (fixed networks, one template per kind) is shared by the other practice tests:
its answers are known by heart, so failures read clearly.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from quizgen.bank import load_bank
from quizgen.bank.model import Bank
from quizgen.errors import BankError
from quizgen.exam import Exam, Question, QuestionKind
from quizgen.generate import generate_exam
from quizgen.grading.model import Verdict
from quizgen.practice.drill import DRILL_KINDS, Action, DrillSession, drill_templates, parse_action, topics_of
from quizgen.practice.present import answer_text, code_text, hint_lines
from quizgen.practice.schedule import BOOST, Scheduler
from quizgen.roster import numbered_students
from quizgen.solver import solve

# Answers: conv-params 18207 (forgot_bias 18144) · keras-shape (None, 26, 26, 32) · torch-shape [8, 15, 15]
# · size H_out 12 · kernel-two kernel_size ∈ {3, 4} · formula C_out·(K_h·K_w·C_in + 1) · choice of 18207
# · dense-macs 1024000 (macs_flops_factor 2048000) · summary (26,26,32) 320 / (21632) 0 / (10) 216330, total 216650
PRACTICE_BANK = """\
title: {en: Practice test, zh: 练习测试}
questions:
  - id: conv-params
    kind: params
    topic: conv
    points: 2
    network: {framework: keras, input_shape: [26, 26, 32], layers: [{Conv2D: {filters: 63, kernel_size: 3}}]}
    layer: 0
  - id: keras-shape
    kind: output_shape
    topic: shapes
    network: {framework: keras, input_shape: [28, 28, 1], layers: [{Conv2D: {filters: 32, kernel_size: 3}}]}
    layer: 0
  - id: torch-shape
    kind: output_shape
    topic: shapes
    network: {framework: pytorch, input_shape: [3, 32, 32],
              layers: [{Conv2d: {in_channels: 3, out_channels: 8, kernel_size: 3, stride: 2}}]}
    layer: 0
  - id: size
    kind: output_size
    topic: shapes
    axis: H
    network: {framework: keras, input_shape: [28, 28, 1], layers: [{Conv2D: {filters: 4, kernel_size: 5, strides: 2}}]}
    layer: 0
  - id: kernel-two
    kind: missing_hyperparameter
    topic: conv
    unknown: kernel_size
    given: output_shape
    network: {framework: keras, input_shape: [28, 28, 1], layers: [{Conv2D: {filters: 8, kernel_size: 3, strides: 2}}]}
    layer: 0
  - id: formula
    kind: formula
    topic: conv
    network: {framework: keras, input_shape: [26, 26, 32], layers: [{Conv2D: {filters: 63, kernel_size: 3}}]}
    layer: 0
  - id: choice
    kind: choice
    topic: conv
    network: {framework: keras, input_shape: [26, 26, 32], layers: [{Conv2D: {filters: 63, kernel_size: 3}}]}
    layer: 0
  - id: dense-macs
    kind: macs
    topic: compute
    network: {framework: pytorch, input_shape: [1024], layers: [{Linear: {in_features: 1024, out_features: 1000}}]}
    layer: 0
  - id: summary
    kind: summary
    topic: full-model
    points: 3
    network: {framework: keras, input_shape: [28, 28, 1],
              layers: [{Conv2D: {filters: 32, kernel_size: 3}}, {Flatten: {}}, {Dense: {units: 10}}]}
"""


def write_practice_bank(folder: Path) -> Path:
    path = folder / "practice-bank.yaml"
    path.write_text(PRACTICE_BANK, encoding="utf-8")
    return path


def practice_bank(folder: Path) -> Bank:
    return load_bank(write_practice_bank(folder))


def practice_exam(folder: Path, *, students: int = 1, seed: int = 7, lang: str = "en") -> Exam:
    exam, _ = generate_exam([practice_bank(folder)], seed, numbered_students(students), lang=lang)
    return exam


def by_id(exam: Exam, qid: str, variant: int = 0) -> Question:
    return next(q for q in exam.variants[variant].questions if q.id == qid)


# --- scheduling ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    name: str
    kind: QuestionKind


ITEMS = [Item("a", QuestionKind.PARAMS), Item("b", QuestionKind.OUTPUT_SHAPE), Item("c", QuestionKind.MACS)]
TWO_EACH = [Item(f"{item.name}{i}", item.kind) for item in ITEMS for i in (1, 2)]


def _shares(scheduler: Scheduler[Item], draws: int = 6000) -> Counter[QuestionKind]:
    counts: Counter[QuestionKind] = Counter()
    for _ in range(draws):
        counts[scheduler.pick().kind] += 1
    return counts


def test_missed_kinds_come_back_more_often() -> None:
    scheduler = Scheduler(TWO_EACH, random.Random(1))
    even = _shares(scheduler)
    assert all(1700 < n < 2300 for n in even.values()), even
    scheduler.record(QuestionKind.OUTPUT_SHAPE, missed=True)
    scheduler.record(QuestionKind.OUTPUT_SHAPE, missed=True)
    assert scheduler.weight(ITEMS[1]) == 1 + 2 * BOOST
    boosted = _shares(scheduler)
    # weights 5, 5 against 1, 1 and 1, 1: shape questions are now most of the drill
    assert boosted[QuestionKind.OUTPUT_SHAPE] > 3 * boosted[QuestionKind.PARAMS]
    assert boosted[QuestionKind.OUTPUT_SHAPE] > 1.5 * even[QuestionKind.OUTPUT_SHAPE]
    # Getting it right brings the kind back down.
    scheduler.record(QuestionKind.OUTPUT_SHAPE, missed=False)
    scheduler.record(QuestionKind.OUTPUT_SHAPE, missed=False)
    assert scheduler.weight(ITEMS[1]) == 1.0


def test_the_same_template_is_not_asked_twice_in_a_row() -> None:
    scheduler = Scheduler(ITEMS[:2], random.Random(3))
    picks = [scheduler.pick().name for _ in range(50)]
    assert all(a != b for a, b in itertools.pairwise(picks))
    single = Scheduler(ITEMS[:1], random.Random(3))
    assert [single.pick().name for _ in range(3)] == ["a", "a", "a"]


def test_misses_are_capped_so_other_kinds_still_appear() -> None:
    scheduler = Scheduler(ITEMS, random.Random(2))
    for _ in range(50):
        scheduler.record(QuestionKind.MACS, missed=True)
    shares = _shares(scheduler)
    assert shares[QuestionKind.PARAMS] > 300


# --- commands, topics, templates -------------------------------------------------------------


@pytest.mark.parametrize(("text", "action"), [
    ("hint", Action.HINT), (" HINT ", Action.HINT), ("提示", Action.HINT), ("skip", Action.SKIP), ("跳过", Action.SKIP),
    ("quit", Action.QUIT), ("exit", Action.QUIT), ("18207", Action.ANSWER), ("hint 3", Action.ANSWER), ("", Action.ANSWER),
])
def test_parse_action(text: str, action: Action) -> None:
    assert parse_action(text) is action


def test_topics_and_drill_templates(tmp_path: Path) -> None:
    bank = practice_bank(tmp_path)
    assert topics_of([bank]) == ["compute", "conv", "full-model", "shapes"]
    everything = drill_templates([bank])
    assert "summary" not in {t.id for t in everything}  # many boxes: a worksheet exercise, not a drill
    assert all(t.kind in DRILL_KINDS for t in everything)
    assert {t.id for t in drill_templates([bank], ["shapes"])} == {"keras-shape", "torch-shape", "size"}
    with pytest.raises(BankError, match="no question of topic full-model can be drilled"):
        drill_templates([bank], ["full-model"])


# --- a session -------------------------------------------------------------------------------


def _session(tmp_path: Path, topics: list[str], seed: int = 5) -> DrillSession:
    return DrillSession(drill_templates([practice_bank(tmp_path)], topics), seed=seed)


def test_session_grades_and_tallies(tmp_path: Path) -> None:
    session = _session(tmp_path, ["compute"])
    rnd = session.next_round()
    assert rnd is not None and rnd.question.id == "dense-macs" and rnd.number == 1
    assert "nn.Linear(1024, 1000)" in rnd.code
    garbage = session.answer(rnd, "a lot")
    assert garbage.verdict is Verdict.UNPARSEABLE and "expected a whole number" in garbage.explanation
    assert session.answer(rnd, "").verdict is Verdict.BLANK
    assert session.tally.answered == 0  # neither counts: the student tries again
    mistake = session.answer(rnd, "2048000")
    assert mistake.verdict is Verdict.MISTAKE and mistake.codes == ("macs_flops_factor",)
    rnd = session.next_round()
    assert rnd is not None
    assert session.answer(rnd, "1024*1000").verdict is Verdict.CORRECT
    rnd = session.next_round()
    assert rnd is not None
    session.skip(rnd)
    tally = session.tally
    assert (tally.asked, tally.answered, tally.skipped) == (3, 2, 1)
    assert tally.verdicts == Counter({Verdict.MISTAKE: 1, Verdict.CORRECT: 1})
    assert tally.codes == Counter({"macs_flops_factor": 1})
    assert (tally.score, tally.points) == (1.0, 3.0)


def test_pair_codes_count_each_misconception(tmp_path: Path) -> None:
    session = _session(tmp_path, ["conv"])
    while (rnd := session.next_round()) is not None and rnd.question.id != "conv-params":
        session.skip(rnd)
    assert rnd is not None
    # 63·(3·3 + 32) = 2583 would be a pair; take the pair the key holds for 630 (forgot_input_channels first).
    pair = next(m for m in rnd.question.mistakes if "+" in m.code)
    grade = session.answer(rnd, str(pair.value))
    assert grade.verdict is Verdict.MISTAKE
    assert set(session.tally.codes) == set(grade.codes[0].split("+"))


def test_seed_replays_a_session(tmp_path: Path) -> None:
    def ids(seed: int) -> list[str]:
        session = _session(tmp_path, [], seed)
        out = []
        for _ in range(8):
            rnd = session.next_round()
            assert rnd is not None
            out.append(rnd.question.id)
            session.skip(rnd)
        return out

    assert ids(11) == ids(11)
    assert len(set(ids(11))) > 3


def test_unusable_template_is_left_out_and_said_so(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "title: Bad\nquestions:\n"
        "  - id: vague\n    kind: missing_hyperparameter\n    unknown: kernel_size\n    given: output_shape\n"
        "    network: {framework: keras, input_shape: [8, 8, 1], layers: [{GlobalAveragePooling2D: {}}]}\n    layer: 0\n"
        "  - id: ok\n    kind: params\n"
        "    network: {framework: keras, input_shape: [4], layers: [{Dense: {units: 2}}]}\n    layer: 0\n",
        encoding="utf-8")
    session = DrillSession(drill_templates([load_bank(tmp_path / "bad.yaml")]), seed=1)
    ids = set()
    for _ in range(4):
        rnd = session.next_round()
        assert rnd is not None
        ids.add(rnd.question.id)
        session.skip(rnd)
    assert ids == {"ok"}
    assert len(session.notes) == 1 and "vague" in session.notes[0]


# --- what is shown never gives the answer away -----------------------------------------------


def test_hints_are_formulas_not_numbers(tmp_path: Path) -> None:
    exam = practice_exam(tmp_path)
    for q in exam.variants[0].questions:
        model = solve(q.spec)
        hints = hint_lines(q, model, "en")
        assert hints, q.id
        text = "\n".join(hints)
        if q.kind is QuestionKind.FORMULA:
            assert q.answer not in text
            assert "must give 18207" in text
        elif q.kind is not QuestionKind.SUMMARY:
            assert answer_text(q) not in text, q.id
    assert hint_lines(by_id(exam, "conv-params"), solve(by_id(exam, "conv-params").spec), "en") == ("C_out·(K_h·K_w·C_in + 1)",)
    size = by_id(exam, "size")
    assert hint_lines(size, solve(size.spec), "en") == ("H_out = ⌊(H_in − D_h·(K_h − 1) − 1)/S_h⌋ + 1",)


def test_code_hides_the_hidden_argument(tmp_path: Path) -> None:
    exam = practice_exam(tmp_path)
    code = code_text(by_id(exam, "kernel-two"))
    assert "kernel_size=?" in code
    assert "kernel_size=3" not in code and "layers.Conv2D(8, kernel_size" in code
    assert "layers.Conv2D(63, kernel_size=3)" in code_text(by_id(exam, "conv-params"))


def test_answer_text(tmp_path: Path) -> None:
    exam = practice_exam(tmp_path)
    assert answer_text(by_id(exam, "keras-shape")) == "(None, 26, 26, 32)"
    assert answer_text(by_id(exam, "torch-shape")) == "[8, 15, 15]"
    assert answer_text(by_id(exam, "kernel-two")) == "kernel_size ∈ {3, 4}"
    choice = by_id(exam, "choice")
    assert answer_text(choice).endswith("(18207)")
