"""`quizgen generate BANK... --seed N (--count K | --roster FILE) --out DIR`."""

from __future__ import annotations

import functools
import gc
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer

from ..grading.gcpause import no_cyclic_gc
from ..i18n import amount
from ._common import fail, out_path, reports_errors
from ._outputs import interrupted, report_commit
from .render import ALLOW_MISSING_FONT_HELP, SIMPLEX_HELP, Paper, render_with_progress, shard_option

P = ParamSpec("P")
R = TypeVar("R")


def frozen_while_running(command: Callable[P, R]) -> Callable[P, R]:
    """``command``, with everything frozen (`gc.freeze`) handed back to the collector when it ends, failing or not
    (gc.unfreeze has no partial form: quizgen freezes nothing else, so that is the exam this command froze)."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        finally:
            gc.unfreeze()

    return run


@reports_errors
@frozen_while_running
def generate_command(
    banks: Annotated[list[str], typer.Argument(metavar="BANK", help="Bank files, or names of shipped banks (conv-basics, ...).")],
    seed: Annotated[int, typer.Option("--seed", help="Exam seed: the same seed and roster give the same exam.")],
    out: Annotated[Path, typer.Option("--out", parser=out_path, metavar="<path>", help="Output directory (key.json and worksheets).")],
    count: Annotated[int | None, typer.Option("--count", min=1, max=100_000, help="Number of students (ids S001, S002, ...).")] = None,
    roster: Annotated[Path | None, typer.Option("--roster", help="Roster CSV with a student_id (and name) column.")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the exam: en or zh.")] = "en",
    formats: Annotated[str, typer.Option("--format", help="Comma-separated outputs: key, html, pdf, practice-html.")] = "key",
    title: Annotated[str | None, typer.Option("--title", help="Exam title (default: the banks' titles, in the exam's language).")] = None,
    course: Annotated[str | None, typer.Option("--course", help="Course name printed in the header.")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", min=1, help="Processes for rendering (default: all cores).")] = None,
    shard: Annotated[str | None, typer.Option("--shard", callback=shard_option,
                                              help="Render only slice i of n of the roster, as i/n (1-based).")] = None,
    paper: Annotated[Paper, typer.Option("--paper", help="Paper size of the PDFs.")] = Paper.A4,
    simplex: Annotated[bool, typer.Option("--simplex", help=SIMPLEX_HELP)] = False,
    allow_missing_font: Annotated[bool, typer.Option("--allow-missing-font", help=ALLOW_MISSING_FONT_HELP)] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Replace another exam held in --out (deletes only the files quizgen wrote there).")] = False,
    practice_of_exam: Annotated[bool, typer.Option(
        "--practice-of-exam", help="Allow practice-html with html or pdf: the practice pages then check "
                                   "every student's own exam answers.")] = False,
) -> None:
    """Generate per-student exams from question banks and write the answer key (key.json)."""
    from ..bank import load_bank
    from ..bank.sample import SolveCache
    from ..exam import write_key
    from ..examdir import PER_STUDENT, ExamFiles, check_same_exam, describe_exam, exam_identity, existing_exam
    from ..generate import exam_titles, generate_exam
    from ..outdir import OutputRun
    from ..roster import numbered_students, read_roster

    # Usage errors (exit 2, like the ones typer finds itself), caught before any work.
    if (count is None) == (roster is None):
        raise typer.BadParameter("give exactly one of --count K or --roster FILE", param_hint="--count / --roster")
    if lang not in ("en", "zh"):
        raise typer.BadParameter(f"must be en or zh, got {lang!r}", param_hint="--lang")
    wanted = {f.strip() for f in formats.split(",") if f.strip()}
    unknown = wanted - {"key", "html", "pdf", "practice-html"}
    if unknown:
        raise typer.BadParameter(f"unknown output {sorted(unknown)[0]!r} (choose from key, html, pdf, practice-html)",
                                 param_hint="--format")
    if "practice-html" in wanted and wanted & {"html", "pdf"} and not practice_of_exam:
        raise typer.BadParameter(f"html or pdf with practice-html: {PRACTICE_OF_EXAM}", param_hint="--format")
    if out.exists() and not out.is_dir():
        fail(f"--out {out}: exists and is not a folder")
    started = time.perf_counter()
    loaded = [load_bank(b) for b in banks]
    students = read_roster(roster) if roster is not None else numbered_students(count or 0)
    practice = "practice-html" in wanted
    # Checked before any work: an exam is the same one when its seed and banks are (see examdir).
    planned = {"title": title or exam_titles(loaded)[lang], "seed": seed,
               "banks": [b.name for b in loaded], "students": len(students)}
    replacing = check_same_exam(out, planned, force=force)
    before = existing_exam(out) if replacing is None else None
    conflict = practice_conflict(out, before, wanted) if before is not None and not practice_of_exam else None
    if conflict:
        raise typer.BadParameter(f"{out} already holds {conflict} of this exam's variants: {PRACTICE_OF_EXAM}",
                                 param_hint="--format")
    show_progress = sys.stderr.isatty() and len(students) >= 50
    solved: SolveCache = {}  # every network drawn, solved: the worksheets need them again
    # The exam, its solutions and mistakes are a million objects that live until the command ends: the cyclic
    # collector would walk them in every full pass, during the build and the rendering (issue 15). It pauses
    # while they are built and leaves them out of its later passes (`frozen_while_running` thaws them).
    with no_cyclic_gc():
        if show_progress:
            with typer.progressbar(length=len(students), label="Generating", file=sys.stderr) as bar:
                last = [0]

                def advance(done: int) -> None:
                    bar.update(done - last[0])
                    last[0] = done

                exam, report = generate_exam(loaded, seed, students, lang=lang, title=title, course=course, progress=advance,
                                             solved=solved)
        else:
            exam, report = generate_exam(loaded, seed, students, lang=lang, title=title, course=course, solved=solved)
        gc.freeze()
    if "pdf" in wanted:
        from ..render import check_pdf_fonts

        # Before anything is written: a Chinese exam without a Chinese font would be PDFs of empty boxes.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an allowed missing font is reported once, by the render below
            check_pdf_fonts(exam, lang, allow_missing_font=allow_missing_font)
    identity = exam_identity(exam, practice=practice or bool(before and before.get("practice_pages")))
    with_key = wanted != {"practice-html"}  # a practice-only run writes no key: nothing in it gives answers away
    try:
        with OutputRun(out, "generate", folders=PER_STUDENT) as run:
            def key() -> None:
                if with_key:
                    write_key(exam, run.stage / "key.json")

            if wanted & {"html", "pdf"}:
                solutions = {id(found[0]): found for found in solved.values() if isinstance(found, tuple)}
                # key.json is written while helper processes render the pages (see render_outputs)
                render_with_progress(exam, run.stage, wanted & {"html", "pdf"}, jobs=jobs, shard=shard, paper=paper,
                                     simplex=simplex, allow_missing_font=allow_missing_font, solved=solutions, alongside=key)
            else:
                key()
            if practice:
                from ..practice.html import write_practice_pages

                write_practice_pages(exam, run.stage, shard=shard)
            files = ExamFiles(exam)
            committed = run.commit(tags=files.tags, stale=files.stale(everything=replacing is not None), exam=identity)
    except KeyboardInterrupt:
        interrupted(out)
    written = sorted((str(out / rel) for rel in committed.written), key=lambda p: (not p.endswith("key.json"), p))
    elapsed = time.perf_counter() - started
    typer.echo(f"{exam.title} — {amount(report.students, 'student')} × {amount(report.questions_per_student, 'question')}, "
               f"{amount(exam.total_points, 'point')}, seed {seed}")
    id_width = max(map(len, report.distinct), default=0)  # long template ids must not push their row out of line
    count_width = len(f"{max(report.distinct.values(), default=0):,}")
    for template_id, distinct in report.distinct.items():
        typer.echo(f"  {template_id:<{id_width}}  {distinct:>{count_width},} distinct variant{'' if distinct == 1 else 's'} "
                   f"(parameter space {report.space[template_id]:,})")
    for warning in report.warnings:
        typer.secho(f"  note: {warning}", fg=typer.colors.YELLOW, err=True)
    typer.echo(f"wrote {', '.join(written[:3])}{' …' if len(written) > 3 else ''} ({amount(len(written), 'file')}) in {elapsed:.2f} s")
    report_commit(out, committed, replaced_exam=None if replacing is None else describe_exam(replacing))
    if practice:
        typer.echo(f"practice pages: {out / 'practice'}{os.sep} is the folder to share (salted hashes, no answers in it)"
                   + (f"; {out / 'key.json'} holds every answer: do not share {out}{os.sep} itself" if with_key else ""))


PRACTICE_OF_EXAM = ("worksheets and practice pages of the same variants give every student a self-checking copy of their "
                    "own exam: a practice page keeps its salt next to the hashes, so its answers come back in milliseconds. "
                    "Make practice pages in a run of their own (another --seed or roster), or add --practice-of-exam "
                    "if the worksheets are for practice too")


def practice_conflict(out: Path, before: dict[str, object], wanted: set[str]) -> str | None:
    """Practice pages and worksheets of the same variants, made one run after the other into one folder."""
    from ..outdir import read_manifest

    if wanted & {"html", "pdf"} and before.get("practice_pages"):
        return "practice pages"
    if "practice-html" in wanted and any(p.startswith(("students/", "keys/")) for p in read_manifest(out).files):
        return "worksheets"
    return None


def register(app: typer.Typer) -> None:
    app.command("generate")(generate_command)
