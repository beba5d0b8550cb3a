"""GIFT: the same bank as the Moodle XML export, in Moodle's text format.

Numerical questions read ``{#=18207:0#Correct. =%0%630:0#explanation ... ####worked solution}``;
``choice`` is a multiple choice with feedback on every option; shapes become short-answer
questions accepting the usual notations (GIFT has no multi-part questions); formulas and
model summaries are essays whose general feedback is the worked solution (graded by
quizgen grade from the responses). ``$CATEGORY:`` lines put each template's variants in one
category. GIFT cannot carry files, so there is no layer diagram: the network is given as code.

Escaping: GIFT's special characters ``~ = # { } :`` get a backslash, line breaks become
``\\n`` (a blank line would end the question). Inside an answer block braces are written as
HTML character references instead (the text is ``[html]``, so it reads the same), because
some GIFT readers end the block at an escaped ``\\}``; the worked solutions quote sets like
``{3, 5}``.
"""

from __future__ import annotations

__all__ = ["gift"]

from collections.abc import Sequence

from .. import __version__
from ..exam import Exam, Question, QuestionKind
from .content import (
    accepted_values,
    escape,
    explanation,
    is_number,
    mistake_list_html,
    mistake_tolerance,
    number_text,
    question_html,
    solution_html,
    tolerance,
    value_text,
)
from .groups import Entry, Group, category_path, exam_groups, exam_label
from .halves import in_two_text
from .words import w

_SPECIAL = "~=#{}:"


def _plain(text: str) -> str:
    """Escape text (HTML already) for GIFT outside an answer block."""
    out = text.replace("\\", "\\\\")
    for ch in _SPECIAL:
        out = out.replace(ch, "\\" + ch)
    return out.replace("\r", "").replace("\n", "\\n")


def _inside(text: str) -> str:
    """Escape text for inside an answer block: braces as character references (see the module docstring)."""
    return _plain(text.replace("{", "&#123;").replace("}", "&#125;"))


def _comment(text: str) -> str:
    return "// " + " ".join(text.split())


def _numerical(question: Question, accepted: list[int] | list[float], lang: str) -> list[str]:
    lines = []
    for value in accepted:
        lines.append(f"={number_text(value)}:{number_text(tolerance(question, value))}#{_inside(escape(w('correct', lang)))}")
    seen = set(accepted)
    near = number_text(mistake_tolerance(question))
    for mistake in question.mistakes:
        if is_number(mistake.value) and mistake.value not in seen:
            seen.add(mistake.value)
            lines.append(f"=%0%{number_text(mistake.value)}:{near}#{_inside(escape(explanation(mistake, lang)))}")
    return lines


def _shape_forms(dims: list[int | None], keras: bool) -> list[str]:
    """The notations a student may type for a shape; Moodle's short answer compares whole strings."""
    items = [value_text(d) for d in dims]

    def spelled(comma: str) -> list[str]:
        joined = [comma.join(items), "(" + comma.join(items) + ")", "[" + comma.join(items) + "]"]
        return joined + (["(" + comma.join(["None", *items]) + ")"] if keras else [])

    # With and without spaces after the commas: quizgen grade reads both, so Moodle must accept both.
    forms = [*spelled(", ")[:3], "x".join(items), "×".join(items), *spelled(", ")[3:], *spelled(",")]
    return list(dict.fromkeys(forms))


def _example_shape(rank: int, keras: bool) -> str:
    """A made-up shape of the right rank showing the notation (never the answer's numbers)."""
    dims = ["16"] * (rank - 1) + ["8"] if keras else ["8"] + ["16"] * (rank - 1)
    return "(" + ", ".join(["None", *dims]) + ")" if keras else ", ".join(dims)


def _shape(question: Question, lang: str) -> list[str]:
    keras = question.spec.framework.value == "keras"
    lines = [f"={_inside(form)}#{_inside(escape(w('correct', lang)))}" for form in _shape_forms(question.answer, keras)]
    for mistake in question.mistakes:
        if isinstance(mistake.value, list):
            feedback = _inside(escape(explanation(mistake, lang)))
            lines += [f"=%0%{_inside(form)}#{feedback}" for form in _shape_forms(mistake.value, keras)]
    return lines


def _choice(question: Question, lang: str) -> list[str]:
    by_value: dict[str, str] = {}
    for mistake in question.mistakes:
        by_value.setdefault(value_text(mistake.value), explanation(mistake, lang))
    lines = []
    for index, option in enumerate(question.details.get("options", [])):
        shown = value_text(option)
        if index == question.answer:
            lines.append(f"={_inside(shown)}#{_inside(escape(w('correct', lang)))}")
        else:
            lines.append(f"~{_inside(shown)}#{_inside(escape(by_value.get(shown) or w('not_a_known_mistake', lang)))}")
    return lines


def _question(entry: Entry, lang: str) -> list[str]:
    q = entry.question
    notes = [w("one_value", lang)] if q.kind is QuestionKind.MISSING_HYPERPARAMETER else []
    if q.kind is QuestionKind.OUTPUT_SHAPE:
        notes.append(w("shape_format", lang, example=_example_shape(len(q.answer), q.spec.framework.value == "keras")))
    if q.kind is QuestionKind.SUMMARY:  # no table to fill in GIFT: the cell labels quizgen grade reads
        notes.append(w("summary_cells", lang))
    text = question_html(q, lang, reference=entry.reference, image_src=None, notes=notes)
    general = solution_html(q, lang)
    head = [_comment(f"question: {entry.name}, shared by {entry.shared_by} variant(s)")]
    if q.kind is QuestionKind.CHOICE:
        answers, mark = _choice(q, lang), ""
    elif q.kind is QuestionKind.OUTPUT_SHAPE:
        answers, mark = _shape(q, lang), ""
    elif (accepted := accepted_values(q)) is not None:
        answers, mark = _numerical(q, accepted, lang), "#"
    else:
        head.append(_comment("Moodle cannot check symbolic equivalence or a whole model summary: an essay, "
                             "graded by quizgen grade from the responses report"))
        answers, mark = [], ""
        general += mistake_list_html(q, lang)
    body = [f"::{_plain(entry.name)}::[html]{_plain(text)}{{{mark}"]
    body += [f"\t{line}" for line in answers]
    body.append(f"\t####{_inside(general)}")
    body.append("}")
    return head + body


def gift(exam: Exam, *, lang: str, groups: Sequence[Group] | None = None, jobs: int = 1) -> bytes:
    """The whole exam as one GIFT file (UTF-8; same exam, same bytes); ``groups`` and ``jobs`` as for `moodle_xml`."""
    head = _comment(w("exam_info", "en", version=__version__, title=exam_label(exam)))
    groups = exam_groups(exam) if groups is None else groups

    def write(item: Group | Entry) -> str:  # each group's category, then its questions; each after a blank line
        if isinstance(item, Entry):
            return "\n\n" + "\n".join(_question(item, lang))
        return f"\n\n$CATEGORY: {category_path(exam, item.template)}"

    items: list[Group | Entry] = []
    for group in groups:
        items += (group, *group.entries)
    return in_two_text(items, write, jobs=jobs, head=head.encode(), tail=b"\n")
