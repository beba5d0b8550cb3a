"""`quizgen render DIR [--format html,pdf] [--lang en|zh] [--jobs N] [--shard i/n] [--paper a4|letter]`.

Re-renders worksheets and answer keys from DIR/key.json (for example in another language, on
Letter paper, or one shard of a large class per batch job) without generating the exam again.
"""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Callable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..exam import Exam
from ..i18n import Lang, amount
from ._common import fail, reports_errors
from ._outputs import interrupted, report_commit

if TYPE_CHECKING:
    from ..solver import ModelSolution
    from ..spec import NetworkSpec


class Paper(StrEnum):
    A4 = "a4"
    LETTER = "letter"


def shard_option(value: str | None) -> str | None:
    """Typer callback: a malformed --shard is a usage error (exit 2), caught before any work."""
    from ..render import ShardError, parse_shard

    try:
        parse_shard(value)
    except ShardError as error:
        raise typer.BadParameter(error.bare_message) from None
    return value


SIMPLEX_HELP = "One-sided printing: no blank pages to give each student an even page count in class.pdf and keys.pdf."
ALLOW_MISSING_FONT_HELP = "Write PDFs with Chinese text even without a Chinese font (they print empty boxes)."


def render_with_progress(exam: Exam, directory: Path, wanted: set[str], *, jobs: int | None,
                         shard: str | None, paper: Paper, simplex: bool = False, allow_missing_font: bool = False,
                         solved: Mapping[int, tuple[NetworkSpec, ModelSolution]] | None = None,
                         alongside: Callable[[], None] | None = None) -> list[str]:
    """Render with a progress bar on a terminal; an allowed missing CJK font becomes a yellow warning.
    ``solved``: the networks' solutions the caller has; ``alongside``: the caller's other work (see `render_outputs`)."""
    from ..render import MissingFontWarning, render_outputs

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MissingFontWarning)
        if sys.stderr.isatty() and "pdf" in wanted and len(exam.variants) >= 10:
            with typer.progressbar(length=2 * len(exam.variants), label="Rendering PDFs", file=sys.stderr) as bar:
                last = [0]

                def advance(done: int, total: int) -> None:
                    bar.length = total
                    bar.update(done - last[0])
                    last[0] = done

                written = render_outputs(exam, directory, wanted, jobs=jobs, shard=shard, paper=paper.value, progress=advance,
                                         duplex=not simplex, allow_missing_font=allow_missing_font, solved=solved,
                                         alongside=alongside)
        else:
            written = render_outputs(exam, directory, wanted, jobs=jobs, shard=shard, paper=paper.value,
                                     duplex=not simplex, allow_missing_font=allow_missing_font, solved=solved,
                                     alongside=alongside)
    for warning in caught:
        if issubclass(warning.category, MissingFontWarning):
            typer.secho(f"warning: {warning.message}", fg=typer.colors.YELLOW, err=True)
        else:
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return written


def _formats(text: str) -> set[str]:
    wanted = {f.strip() for f in text.split(",") if f.strip()}
    unknown = wanted - {"html", "pdf"}
    if unknown or not wanted:
        raise typer.BadParameter(f"choose html, pdf or html,pdf, got {text!r}", param_hint="--format")
    return wanted


@reports_errors
def render_command(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="Output directory of `quizgen generate` (holds key.json).")],
    formats: Annotated[str, typer.Option("--format", help="Comma-separated outputs: html, pdf.")] = "html,pdf",
    lang: Annotated[Lang | None, typer.Option("--lang", help="Language of the documents (default: the exam's).")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", min=1, help="Processes for rendering (default: all cores).")] = None,
    shard: Annotated[str | None, typer.Option("--shard", callback=shard_option,
                                              help="Render only slice i of n of the roster, as i/n (1-based).")] = None,
    paper: Annotated[Paper, typer.Option("--paper", help="Paper size of the PDFs.")] = Paper.A4,
    simplex: Annotated[bool, typer.Option("--simplex", help=SIMPLEX_HELP)] = False,
    allow_missing_font: Annotated[bool, typer.Option("--allow-missing-font", help=ALLOW_MISSING_FONT_HELP)] = False,
    practice_of_exam: Annotated[bool, typer.Option(
        "--practice-of-exam", help="Render worksheets of variants that were also made into practice pages "
                                   "(those pages check the worksheets' answers).")] = False,
) -> None:
    """Render worksheets and answer keys (HTML, PDF) from DIR/key.json."""
    from ..exam import load_key
    from ..examdir import PER_STUDENT, ExamFiles, exam_identity, same_exam
    from ..outdir import OutputRun, read_manifest

    wanted = _formats(formats)
    started = time.perf_counter()
    if directory.is_file():
        # `render exam/key.json` or any file: say what DIR is rather than "Not a directory".
        fail(f"{directory}: is a file; render takes the folder `quizgen generate` wrote (the one holding key.json)")
    exam = load_key(directory / "key.json")
    if lang is not None:
        exam = exam.in_language(lang.value)
    recorded = read_manifest(directory).exam
    if recorded is not None and recorded.get("practice_pages") and not practice_of_exam:
        from .generate import PRACTICE_OF_EXAM

        raise typer.BadParameter(f"{directory} already holds practice pages of this exam's variants: {PRACTICE_OF_EXAM}",
                                 param_hint="DIR")
    try:
        with OutputRun(directory, "render", folders=PER_STUDENT) as run:
            render_with_progress(exam, run.stage, wanted, jobs=jobs, shard=shard, paper=paper, simplex=simplex,
                                 allow_missing_font=allow_missing_font)
            # Also removes the files of students no longer in the key, and those whose variant changed.
            files = ExamFiles(exam)
            identity = exam_identity(exam)
            # The folder holds the key's exam (a key.json put there by hand included); practice pages stay on record.
            identity["practice_pages"] = bool(recorded and same_exam(recorded, identity) and recorded.get("practice_pages"))
            committed = run.commit(tags=files.tags, stale=files.stale(), exam=identity)
    except KeyboardInterrupt:
        interrupted(directory)
    if not committed.written:
        # An empty shard is normal when a batch job has more tasks than the class has students.
        typer.echo(f"nothing to render: {'shard ' + shard + ' of ' if shard else ''}{amount(len(exam.variants), 'student')} holds none")
    else:
        typer.echo(f"wrote {len(committed.written)} files to {directory} in {time.perf_counter() - started:.2f} s")
    report_commit(directory, committed)


def register(app: typer.Typer) -> None:
    app.command("render")(render_command)
