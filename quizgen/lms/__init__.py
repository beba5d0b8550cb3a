"""LMS exports: Moodle XML, GIFT and Canvas QTI 1.2, carrying quizgen's mistake feedback.

One module per format (``moodle_xml``, ``gift``, ``qti`` with ``qti_items`` and
``qti_meta``); what they share lives in ``groups`` (variants per template, names, ids),
``content`` (question HTML, feedback, the worksheets' layer diagram as a file) and ``cells``
(blanks of shape and summary questions). ``cloze_parts`` tells the grader which cell each
"part n" of a Moodle cloze response (and each ``[pn]`` blank in Canvas) is.
"""

from __future__ import annotations

__all__ = ["LmsFormat", "cloze_parts", "export_exam", "suffix"]

from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..exam import Exam
    from .cells import cloze_parts
    from .groups import Group


class LmsFormat(StrEnum):
    MOODLE = "moodle"
    GIFT = "gift"
    QTI = "qti"


_SUFFIX = {LmsFormat.MOODLE: ".xml", LmsFormat.GIFT: ".gift", LmsFormat.QTI: ".zip"}


def suffix(fmt: LmsFormat) -> str:
    return _SUFFIX[fmt]


def export_exam(exam: Exam, fmt: LmsFormat, *, lang: str | None = None, groups: Sequence[Group] | None = None,
                jobs: int = 1) -> bytes:
    """The file's bytes; ``lang`` defaults to the exam's language. ``groups``: the exam's
    `groups.exam_groups`, when the caller has them already (the CLI reports them). ``jobs`` > 1 writes
    half the questions in a forked process (`halves.in_two`; the CLI does, given two cores): same bytes."""
    chosen = lang or exam.lang or "en"
    exam = exam.in_language(chosen)  # the title (Moodle category, QTI assessment) in the language of the questions
    if fmt is LmsFormat.MOODLE:
        from .moodle_xml import moodle_xml

        return moodle_xml(exam, lang=chosen, groups=groups, jobs=jobs)
    if fmt is LmsFormat.GIFT:
        from .gift import gift

        return gift(exam, lang=chosen, groups=groups, jobs=jobs)
    from .qti import qti_package

    return qti_package(exam, lang=chosen, groups=groups, jobs=jobs)


def __getattr__(name: str) -> Any:
    # Every command module of the CLI imports LmsFormat when the CLI is built; the cells (and the
    # question content they need) only when the grader or an export asks for them.
    if name == "cloze_parts":
        from .cells import cloze_parts

        return cloze_parts
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
