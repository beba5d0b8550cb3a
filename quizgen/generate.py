"""Build an exam: every student's variant of every template, solved, with mistakes known.

A student's questions depend only on (seed, student id): each template's random stream is
derived from them alone, so rosters can grow or be reordered without changing anyone else.
"""

from __future__ import annotations

__all__ = ["GenerationReport", "generate_exam", "variant_code"]

import base64
import dataclasses
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from . import __version__
from .bank.model import LANGS, Bank, Template
from .bank.sample import SolveCache, sample_template
from .errors import BankError, Location
from .exam import Exam, Question, QuestionKind, Variant
from .i18n import t
from .instructions import without_repeats
from .questions import build_question, shuffle_choice
from .roster import Student

MAX_BUILD_ATTEMPTS = 40
_COMPUTE_KINDS = {QuestionKind.MACS, QuestionKind.FLOPS}


@dataclass
class GenerationReport:
    """What the one-screen summary shows: how varied the exam came out."""

    students: int = 0
    questions_per_student: int = 0
    distinct: dict[str, int] = field(default_factory=dict)  # template id -> distinct variants issued
    space: dict[str, int] = field(default_factory=dict)  # template id -> size of its parameter space
    warnings: list[str] = field(default_factory=list)


def variant_code(seed: int, student_id: str) -> str:
    digest = hashlib.blake2b(f"{seed}\x1f{student_id}".encode(), digest_size=5).digest()
    return base64.b32encode(digest).decode()[:6]


def _question_id(template: Template, repeat: int) -> str:
    return template.id if template.repeat == 1 else f"{template.id}-{repeat + 1}"


Cache = dict[tuple[str, str, int | None], Question | str]


def _build(template: Template, seed: int, student_id: str, repeat: int, taken: set[str], cache: Cache,
           solved: SolveCache) -> tuple[Question, str]:
    """Sample until a question builds (a draw can be degenerate: no distractors, vague inverse, ...).

    Students who draw the same network get the same question object: solving and working
    out the mistakes happens once per distinct variant, not once per student — nor once per
    repeat of a template (``repeat: 10`` asks ten variants, ids q-1 ... q-10, drawn from the same
    parameters: a network drawn as q-3 by one student and q-7 by another is built once).
    Returns the question and its network's fingerprint.
    """
    last: str = ""
    qid = _question_id(template, repeat)
    for attempt in range(MAX_BUILD_ATTEMPTS):
        sampled = sample_template(template, seed, student_id if attempt == 0 else f"{student_id}#{attempt}", repeat,
                                  frozenset(taken), solved)
        key = (template.id, sampled.fingerprint, sampled.layer)
        if key not in cache:
            try:
                cache[key] = build_question(sampled, qid)
            except ValueError as error:
                cache[key] = str(error)
        built = cache[key]
        if isinstance(built, str):
            last = built
            continue
        if built.id != qid:
            built = dataclasses.replace(built, id=qid)  # the id is the only part a question's repeat number changes
        taken.add(key[1])
        return (shuffle_choice(built, sampled.rng) if built.kind is QuestionKind.CHOICE else built), key[1]
    raise BankError(f"question {template.id}: no usable variant in {MAX_BUILD_ATTEMPTS} attempts ({last})",
                    Location(file=template.source, line=template.line))


def _instructions(banks: Sequence[Bank], variants: Sequence[Variant]) -> dict[str, str]:
    kinds = {q.kind for v in variants[:1] for q in v.questions}
    frameworks = {q.spec.framework.value for v in variants[:1] for q in v.questions}
    out = {}
    for lang in ("en", "zh"):
        parts = [b.instructions[lang] for b in banks if b.instructions]
        if "keras" in frameworks:
            parts.append(t("keras_convention", lang))
        if "pytorch" in frameworks:
            parts.append(t("pytorch_convention", lang))
        if kinds & _COMPUTE_KINDS:
            parts.append(t("mac_convention", lang))
        out[lang] = "\n".join(without_repeats(parts))  # banks written to stand alone repeat each other
    return out


def generate_exam(banks: Sequence[Bank], seed: int, students: Sequence[Student], *, lang: str = "en",
                  title: str | None = None, course: str | None = None,
                  progress: Callable[[int], None] | None = None, solved: SolveCache | None = None) -> tuple[Exam, GenerationReport]:
    """``solved``: a dict the networks drawn are solved into (by their mapping's repr), for a caller
    that renders the exam next and need not solve them again."""
    ids: dict[str, str] = {}
    for bank in banks:
        for template in bank.templates:
            if template.id in ids:
                raise BankError(f"question id {template.id!r} is used by both {ids[template.id]} and {bank.path}; "
                                "ids must be unique in an exam",
                                Location(file=bank.path, line=template.line))
            ids[template.id] = bank.path
    templates = [t for bank in banks for t in bank.templates]
    report = GenerationReport(students=len(students))
    seen: dict[str, set[str]] = {t.id: set() for t in templates}
    variants = []
    cache: Cache = {}
    solved = {} if solved is None else solved
    for done, student in enumerate(students, start=1):
        questions = []
        for template in templates:
            taken: set[str] = set()
            for repeat in range(template.repeat):
                question, drawn = _build(template, seed, student.id, repeat, taken, cache, solved)
                questions.append(question)
                seen[template.id].add(drawn + repr(question.layer))  # the question's network is the one drawn
        variants.append(Variant(student.id, student.name, variant_code(seed, student.id), tuple(questions), student.email))
        if progress is not None:
            progress(done)
    for template in templates:
        report.distinct[template.id] = len(seen[template.id])
        report.space[template.id] = template.space_size()
        issued = len(students) * template.repeat
        if template.space_size() < issued and template.space_size() > 1:
            report.warnings.append(f"{template.id}: its parameters allow at most {template.space_size()} different variants "
                                   f"for {issued} questions issued; some students share a variant")
    report.questions_per_student = len(variants[0].questions) if variants else 0
    first = banks[0]
    titles = {} if title else exam_titles(banks)
    exam = Exam(
        title=title or titles.get(lang) or next(iter(titles.values())),
        course=course if course is not None else first.course,
        lang=lang,
        seed=seed,
        banks=tuple(b.name for b in banks),
        instructions=_instructions(banks, variants),
        variants=tuple(variants),
        quizgen_version=__version__,
        titles=titles,
    )
    return exam, report


TITLE_JOIN = " · "


def exam_titles(banks: Sequence[Bank]) -> dict[str, str]:
    """The exam's title per language: every bank's title (a bank without that language gives its
    other one), joined, so an exam of several banks is named after all of them."""
    titles = {}
    for lang in LANGS:
        parts = [bank.title.get(lang) or next(iter(bank.title.values())) for bank in banks]
        titles[lang] = TITLE_JOIN.join(dict.fromkeys(parts))
    return titles
