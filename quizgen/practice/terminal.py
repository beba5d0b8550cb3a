"""The drill on a terminal: rich for colour and layout, plain lines when output is not a TTY.

Every text that comes from a bank, a key or the student is handed to rich as ``Text`` (or
escaped), never as markup: a shape like ``[3, 3]`` must print as itself.
"""

from __future__ import annotations

__all__ = ["run_drill", "summary_lines"]

from rich.console import Console
from rich.markup import escape
from rich.rule import Rule
from rich.syntax import Syntax
from rich.text import Text

from ..exam import QuestionKind
from ..grading.model import AnswerGrade, Verdict
from ..i18n import amount, number, t
from ..mistakes import by_code
from ..spec import Framework
from .drill import Action, DrillSession, Round, Tally, parse_action
from .present import LETTERS, answer_text
from .text import pt

_STYLES = {
    Verdict.CORRECT: "bold green",
    Verdict.MISTAKE: "bold yellow",
    Verdict.WRONG: "bold red",
    Verdict.UNPARSEABLE: "bold magenta",
    Verdict.BLANK: "dim",
}
_MARKS = {Verdict.CORRECT: "✓", Verdict.MISTAKE: "✗", Verdict.WRONG: "✗", Verdict.UNPARSEABLE: "?", Verdict.BLANK: "·"}


class _Quit(Exception):  # noqa: N818 -- a control-flow signal, not an error
    """The student typed quit."""


def _show_question(console: Console, rnd: Round, lang: str, noted: set[str]) -> None:
    q = rnd.question
    title = f"{pt('question_head', lang).format(n=rnd.number)} · {q.topic or '-'} · {q.kind.value}"
    console.print(Rule(Text(title), style="cyan"))
    console.print(Text(str(q.prompt.get(lang) or next(iter(q.prompt.values()), "")), style="bold"))
    console.print(Syntax(rnd.code.rstrip("\n"), "python", theme="ansi_dark", background_color="default", word_wrap=True))
    # The counting conventions, once per session each: the first Keras, PyTorch and compute question.
    notes = ["keras_convention" if q.spec.framework is Framework.KERAS else "pytorch_convention"]
    if q.kind in (QuestionKind.MACS, QuestionKind.FLOPS):
        notes.append("mac_convention")
    for note in notes:
        if note not in noted:
            noted.add(note)
            console.print(Text(t(note, lang), style="dim"))
    if q.kind is QuestionKind.CHOICE:
        for i, value in enumerate(q.details.get("options") or []):
            console.print(Text.assemble((f"  {LETTERS[i]}. ", "bold"), str(value)))
    if rnd.format:
        console.print(Text(f"↳ {rnd.format}", style="dim italic"))


def _show_solution(console: Console, rnd: Round, lang: str) -> None:
    steps = rnd.question.solution.get(lang) or rnd.question.solution.get("en") or ()
    console.print(Text(pt("worked_solution", lang) + ":", style="bold"))
    for step in steps:
        console.print(Text(f"  {step}"))


def _show_grade(console: Console, rnd: Round, grade: AnswerGrade, lang: str) -> None:
    head = Text.assemble((f"{_MARKS[grade.verdict]} {pt('verdict.' + grade.verdict.value, lang)}", _STYLES[grade.verdict]))
    if grade.codes:
        title = _title(grade.codes[0], lang)
        head.append(f": {grade.codes[0]}" + (f" — {title}" if title else ""), style=_STYLES[grade.verdict])
    won = pt("points_won", lang).format(score=number(grade.score), points=amount(grade.points, "point"), number=number(grade.points))
    head.append(f"   ({won})", style="dim")
    console.print(head)
    if grade.verdict is Verdict.MISTAKE:
        console.print(Text(f"  {grade.explanation}"))
    elif grade.verdict is Verdict.WRONG and rnd.question.kind is QuestionKind.MISSING_HYPERPARAMETER:
        console.print(Text(f"  {grade.explanation}"))  # which values fit and which do not
    elif grade.verdict is Verdict.WRONG:
        console.print(Text(f"  {pt('your_answer', lang).format(answer=grade.response.strip())}: {pt('not_known', lang)}"))
    if grade.verdict is not Verdict.CORRECT:
        console.print(Text(pt("answer_was", lang).format(answer=answer_text(rnd.question)), style="bold"))
    _show_solution(console, rnd, lang)


def _title(code: str, lang: str) -> str:
    titles = [m.title.get(lang, "") for part in code.split("+") if (m := by_code(part)) is not None]
    return " + ".join(title for title in titles if title)


def summary_lines(tally: Tally, lang: str) -> list[Text]:
    lines = [Text(pt("summary", lang), style="bold")]
    if not tally.answered and not tally.skipped:
        lines.append(Text("  " + pt("summary_none", lang)))
        return lines
    lines.append(Text("  " + pt("summary_questions", lang).format(n=tally.answered + tally.skipped, answered=tally.answered,
                                                                   skipped=tally.skipped)))
    lines.append(Text("  " + pt("summary_verdicts", lang).format(correct=tally.verdicts[Verdict.CORRECT],
                                                                  mistake=tally.verdicts[Verdict.MISTAKE],
                                                                  wrong=tally.verdicts[Verdict.WRONG])))
    percent = 100 * tally.score / tally.points if tally.points else 0.0
    lines.append(Text("  " + pt("summary_score", lang).format(score=number(tally.score), points=amount(tally.points, "point"),
                                                      number=number(tally.points), percent=percent),
                      style="bold"))
    if tally.codes:
        lines.append(Text("  " + pt("summary_mistakes", lang)))
        width = max(len(code) for code in tally.codes)
        for code, count in sorted(tally.codes.items(), key=lambda item: (-item[1], item[0])):
            title = _title(code, lang)
            lines.append(Text(f"    {code:<{width}}  ×{count}" + (f"  {title}" if title else "")))
    else:
        lines.append(Text("  " + pt("summary_clean", lang)))
    return lines


def _play(console: Console, session: DrillSession, lang: str) -> None:
    shown_notes = 0
    noted: set[str] = set()
    prompt = f"[bold cyan]{escape(pt('prompt', lang))} ›[/] "
    while True:
        rnd = session.next_round()
        for note in session.notes[shown_notes:]:
            console.print(Text(note, style="yellow"))
        shown_notes = len(session.notes)
        if rnd is None:
            console.print(Text(pt("nothing_left", lang), style="yellow"))
            return
        _show_question(console, rnd, lang, noted)
        while True:
            line = console.input(prompt)
            action = parse_action(line)
            if action is Action.QUIT:
                raise _Quit
            if action is Action.HINT:
                console.print(Text(pt("hint", lang) + ":", style="bold cyan"))
                for hint in rnd.hint or (pt("no_hint", lang),):
                    console.print(Text(f"  {hint}", style="cyan"))
                continue
            if action is Action.SKIP:
                session.skip(rnd)
                console.print(Text(f"→ {pt('verdict.skipped', lang)}", style="dim"))
                console.print(Text(pt("answer_was", lang).format(answer=answer_text(rnd.question)), style="bold"))
                _show_solution(console, rnd, lang)
                break
            grade = session.answer(rnd, line)
            if grade.verdict is Verdict.BLANK:
                console.print(Text(pt("empty", lang), style="dim"))
                continue
            if grade.verdict is Verdict.UNPARSEABLE:
                console.print(Text(f"{_MARKS[grade.verdict]} {grade.explanation}", style=_STYLES[grade.verdict]))
                console.print(Text(pt("retry", lang), style="dim"))
                continue
            _show_grade(console, rnd, grade, lang)
            break
        console.print()


def run_drill(session: DrillSession, console: Console | None = None) -> Tally:
    """Ask questions until quit, Ctrl-D, Ctrl-C or no question is left; print the summary."""
    console = console or Console(highlight=False)
    lang = session.lang
    console.print(Text(pt("banner", lang), style="bold"))
    try:
        _play(console, session, lang)
    except (EOFError, KeyboardInterrupt, _Quit):
        console.print()  # Ctrl-D / Ctrl-C leave the cursor on the prompt line
    for line in summary_lines(session.tally, lang):
        console.print(line)
    return session.tally
