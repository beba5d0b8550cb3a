"""The drill's logic, apart from any screen: draw a question, grade an answer, keep the tally.

A round's question is sampled from a bank template exactly as ``quizgen generate`` does (same
sampler, same question builder, same grader), with a fresh random stream per round derived
from the practice seed, so ``--seed`` replays a session and no seed gives a new one.
"""

from __future__ import annotations

__all__ = ["DRILL_KINDS", "Action", "DrillSession", "Round", "Tally", "drill_templates", "parse_action", "topics_of"]

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from ..bank.model import Bank, Template
from ..bank.sample import SolveCache, rng_for, sample_template
from ..errors import BankError, Location, QuizgenError
from ..exam import COUNT_KINDS, Question, QuestionKind
from ..grading.model import AnswerGrade, GradingOptions, Verdict
from ..grading.score import Grader
from ..questions import build_question, shuffle_choice
from ..solver import ModelSolution, solve
from .present import answer_format, code_text, hint_lines
from .schedule import Scheduler
from .text import pt

# Kinds answered in one box; a summary table is a worksheet exercise, not a drill.
DRILL_KINDS = frozenset(COUNT_KINDS | {QuestionKind.OUTPUT_SHAPE, QuestionKind.CHOICE, QuestionKind.FORMULA,
                                       QuestionKind.MISSING_HYPERPARAMETER})
MAX_BUILD_ATTEMPTS = 40  # as generate.py: a draw may be degenerate (no distractors, a vague inverse problem)


class Action(StrEnum):
    ANSWER = "answer"
    HINT = "hint"
    SKIP = "skip"
    QUIT = "quit"


_COMMANDS = {
    "hint": Action.HINT, "提示": Action.HINT, "skip": Action.SKIP, "跳过": Action.SKIP,
    "quit": Action.QUIT, "exit": Action.QUIT, "退出": Action.QUIT,
}  # fmt: skip


def parse_action(text: str) -> Action:
    """A typed line is a command when it is exactly one of the command words (no answer is)."""
    return _COMMANDS.get(text.strip().casefold(), Action.ANSWER)


def topics_of(banks: Sequence[Bank]) -> list[str]:
    return sorted({t.topic for bank in banks for t in bank.templates if t.topic})


def drill_templates(banks: Sequence[Bank], topics: Sequence[str] = ()) -> list[Template]:
    """Templates of the drill's kinds, of the given topics (all when none is given)."""
    chosen = [t for bank in banks for t in bank.templates if t.kind in DRILL_KINDS and (not topics or t.topic in topics)]
    if not chosen:
        where = f" of topic {', '.join(topics)}" if topics else ""
        kinds = ", ".join(sorted(k.value for k in DRILL_KINDS))
        raise BankError(f"no question{where} can be drilled (the drill asks {kinds}; summary tables are for worksheets)",
                        Location(file=banks[0].path if len(banks) == 1 else None))
    return chosen


@dataclass(frozen=True, slots=True)
class Round:
    number: int
    question: Question
    model: ModelSolution
    code: str
    hint: tuple[str, ...]
    format: str


@dataclass
class Tally:
    asked: int = 0
    answered: int = 0
    skipped: int = 0
    score: float = 0.0
    points: float = 0.0
    verdicts: Counter[Verdict] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)  # one count per misconception ("a+b" counts a and b)


class DrillSession:
    def __init__(self, templates: Sequence[Template], *, seed: int, lang: str = "en") -> None:
        self.seed = seed
        self.lang = lang
        self.scheduler: Scheduler[Template] = Scheduler(templates, rng_for("practice", seed))
        self.grader = Grader(GradingOptions(lang=lang))
        self.tally = Tally()
        self.notes: list[str] = []  # templates left out, for the screen to show
        self._draws = 0
        self._solved: SolveCache = {}

    def next_round(self) -> Round | None:
        """The next question, or None once no template can produce one."""
        while len(self.scheduler):
            template = self.scheduler.pick()
            try:
                question = self._build(template)
                model = solve(question.spec)
            except QuizgenError as error:
                self.scheduler.remove(template)
                self.notes.append(pt("unusable", self.lang).format(template=template.id, reason=error.bare_message))
                continue
            self.tally.asked += 1
            return Round(self.tally.asked, question, model, code_text(question), hint_lines(question, model, self.lang),
                         answer_format(question, self.lang))
        return None

    def _build(self, template: Template) -> Question:
        self._draws += 1
        last = ""
        for attempt in range(MAX_BUILD_ATTEMPTS):
            sampled = sample_template(template, self.seed, f"practice-{self._draws}#{attempt}", 0, frozenset(), self._solved)
            try:
                question = build_question(sampled, template.id)
            except ValueError as error:
                last = str(error)
                continue
            return shuffle_choice(question, sampled.rng) if question.kind is QuestionKind.CHOICE else question
        raise BankError(f"question {template.id}: no usable variant in {MAX_BUILD_ATTEMPTS} attempts ({last})",
                        Location(file=template.source, line=template.line))

    def answer(self, rnd: Round, text: str) -> AnswerGrade:
        """Grade ``text``; an unreadable or blank answer is not counted (the student tries again)."""
        grade = self.grader.grade(rnd.question, text)
        if grade.verdict in (Verdict.UNPARSEABLE, Verdict.BLANK):
            return grade
        self.tally.answered += 1
        self.tally.verdicts[grade.verdict] += 1
        self.tally.score += grade.score
        self.tally.points += rnd.question.points
        for code in grade.codes[:1]:
            self.tally.codes.update(code.split("+"))
        self.scheduler.record(rnd.question.kind, missed=grade.verdict is not Verdict.CORRECT)
        return grade

    def skip(self, rnd: Round) -> None:
        self.tally.skipped += 1
        self.tally.points += rnd.question.points
        self.scheduler.record(rnd.question.kind, missed=True)
