"""`quizgen generate BANK... --seed N (--count K | --roster FILE) --out DIR`."""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path
from typing import Annotated

import typer

from ._common import fail, reports_errors
from .render import ALLOW_MISSING_FONT_HELP, SIMPLEX_HELP, Paper, render_with_progress, shard_option


@reports_errors
def generate_command(
    banks: Annotated[list[str], typer.Argument(metavar="BANK", help="Bank files, or names of shipped banks (conv-basics, ...).")],
    seed: Annotated[int, typer.Option("--seed", help="Exam seed: the same seed and roster give the same exam.")],
    out: Annotated[Path, typer.Option("--out", help="Output directory (key.json and worksheets).")],
    count: Annotated[int | None, typer.Option("--count", min=1, max=100_000, help="Number of students (ids S001, S002, ...).")] = None,
    roster: Annotated[Path | None, typer.Option("--roster", help="Roster CSV with a student_id (and name) column.")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the exam: en or zh.")] = "en",
    formats: Annotated[str, typer.Option("--format", help="Comma-separated outputs: key, html, pdf, practice-html.")] = "key",
    title: Annotated[str | None, typer.Option("--title", help="Exam title (default: the first bank's).")] = None,
    course: Annotated[str | None, typer.Option("--course", help="Course name printed in the header.")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", min=1, help="Processes for PDF rendering (default: all cores).")] = None,
    shard: Annotated[str | None, typer.Option("--shard", callback=shard_option,
                                              help="Render only slice i of n of the roster, as i/n (1-based).")] = None,
    paper: Annotated[Paper, typer.Option("--paper", help="Paper size of the PDFs.")] = Paper.A4,
    simplex: Annotated[bool, typer.Option("--simplex", help=SIMPLEX_HELP)] = False,
    allow_missing_font: Annotated[bool, typer.Option("--allow-missing-font", help=ALLOW_MISSING_FONT_HELP)] = False,
) -> None:
    """Generate per-student exams from question banks and write the answer key (key.json)."""
    from ..bank import load_bank
    from ..exam import write_key
    from ..generate import generate_exam
    from ..roster import numbered_students, read_roster

    if (count is None) == (roster is None):
        fail("give exactly one of --count K or --roster FILE")
    if lang not in ("en", "zh"):
        fail(f"--lang must be en or zh, got {lang!r}")
    wanted = {f.strip() for f in formats.split(",") if f.strip()}
    unknown = wanted - {"key", "html", "pdf", "practice-html"}
    if unknown:
        fail(f"--format: unknown output {sorted(unknown)[0]!r} (choose from key, html, pdf, practice-html)")
    started = time.perf_counter()
    loaded = [load_bank(b) for b in banks]
    students = read_roster(roster) if roster is not None else numbered_students(count or 0)
    show_progress = sys.stderr.isatty() and len(students) >= 50
    if show_progress:
        with typer.progressbar(length=len(students), label="Generating", file=sys.stderr) as bar:
            last = [0]

            def advance(done: int) -> None:
                bar.update(done - last[0])
                last[0] = done

            exam, report = generate_exam(loaded, seed, students, lang=lang, title=title, course=course, progress=advance)
    else:
        exam, report = generate_exam(loaded, seed, students, lang=lang, title=title, course=course)
    if "pdf" in wanted:
        from ..render import check_pdf_fonts

        # Before anything is written: a Chinese exam without a Chinese font would be PDFs of empty boxes.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an allowed missing font is reported once, by the render below
            check_pdf_fonts(exam, lang, allow_missing_font=allow_missing_font)
    write_key(exam, out / "key.json")
    written = [str(out / "key.json")]
    if wanted & {"html", "pdf"}:
        written += render_with_progress(exam, out, wanted & {"html", "pdf"}, jobs=jobs, shard=shard, paper=paper, simplex=simplex,
                                        allow_missing_font=allow_missing_font)
    if "practice-html" in wanted:
        from ..practice.html import write_practice_pages

        written += write_practice_pages(exam, out, shard=shard)
    elapsed = time.perf_counter() - started
    typer.echo(f"{exam.title} — {report.students} students × {report.questions_per_student} questions, "
               f"{exam.total_points:g} points, seed {seed}")
    for template_id, distinct in report.distinct.items():
        typer.echo(f"  {template_id:<28} {distinct:>5} distinct variants (parameter space {report.space[template_id]:,})")
    for warning in report.warnings:
        typer.secho(f"  note: {warning}", fg=typer.colors.YELLOW, err=True)
    typer.echo(f"wrote {', '.join(written[:3])}{' …' if len(written) > 3 else ''} ({len(written)} files) in {elapsed:.2f} s")


def register(app: typer.Typer) -> None:
    app.command("generate")(generate_command)
