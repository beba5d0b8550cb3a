"""`quizgen grade KEY RESPONSES --out DIR`: scores, a diagnosis for every wrong answer, and reports."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from ..grading.model import ResponseFormat
from ..i18n import Lang, amount
from ._common import fail, out_path, reports_errors
from ._outputs import interrupted, report_commit, report_replaced


@reports_errors
def grade_command(
    key: Annotated[Path, typer.Argument(metavar="KEY", help="key.json written by quizgen generate.")],
    responses: Annotated[Path, typer.Argument(metavar="RESPONSES",
                                              help="Responses: plain CSV, Moodle 'Responses' report, "
                                                   "Canvas 'Student Analysis', or JSON lines.")],
    out: Annotated[Path, typer.Option("--out", parser=out_path, metavar="<path>", help="Output directory.")],
    format: Annotated[ResponseFormat, typer.Option("--format", help="Layout of RESPONSES (auto: detect).")] = ResponseFormat.AUTO,
    map_: Annotated[list[str] | None, typer.Option(
        "--map", metavar="COLUMN=QUESTION", help="Map a column to a question id, a 1-based number, or - to ignore it; repeatable.")] = None,
    mistake_credit: Annotated[float, typer.Option(
        "--mistake-credit", min=0.0, max=1.0, help="Share of the points a diagnosed mistake earns (default 0).")] = 0.0,
    lang: Annotated[Lang | None, typer.Option("--lang", help="Language of explanations and pages (default: the exam's).")] = None,
    item: Annotated[str | None, typer.Option(
        "--item", help="Grade item name in the Moodle/Canvas import files (default: the exam title).")] = None,
) -> None:
    """Grade students' answers against KEY and explain every wrong answer."""
    from ..exam import load_key
    from ..grading.mapping import parse_map_option
    from ..grading.model import GradingOptions
    from ..grading.readers import read_responses
    from ..grading.tables import format_points
    from ..grading.write import grade_and_write
    from ..outdir import OutputRun

    if out.exists() and not out.is_dir():
        fail(f"--out {out}: exists and is not a directory")
    if key.suffix.lower() != ".json" and responses.suffix.lower() == ".json":
        fail(f"KEY {key} is not a .json file but RESPONSES {responses} is: the order is `quizgen grade KEY RESPONSES` "
             f"(swapped?)")
    exam = load_key(key)
    table = read_responses(responses, format)
    chosen = lang.value if lang is not None else (exam.lang if exam.lang in ("en", "zh") else "en")
    exam = replace(exam, title=exam.titles.get(chosen) or exam.title)  # pages and grade items named in their language
    options = GradingOptions(mistake_credit=mistake_credit, lang=chosen)
    overrides = parse_map_option(map_ or [])
    try:
        # All or nothing: the outputs land together at the end, replacing the previous grading run's.
        with OutputRun(out, "grade", folders=("feedback",)) as run:
            result = grade_and_write(exam, table, run.stage, options, overrides=overrides, item=item)
            recorded = set(run.manifest().files)
            committed = run.commit(stale=lambda entry: entry.command == "grade")
    except KeyboardInterrupt:
        interrupted(out)
    graded = [s for s in result.students if s.submitted]
    mean = sum(s.score for s in graded) / len(graded) if graded else 0.0
    points = max((s.points for s in result.students), default=0.0)
    read = result.table
    headerless = ", no header line: the first line is a student's answers" if read.headerless else ""
    typer.echo(f"{read.source}: {read.format.value} ({read.encoding}), {amount(result.rows_read, 'row')}{headerless}")
    typer.echo(f"graded {len(graded)} of {amount(len(result.students), 'student')}, mean {format_points(mean)} / {format_points(points)}")
    # Moodle random questions / Canvas question groups: say how often the LMS's pick was not the roster's.
    others = sum(q is not own for s, v in zip(result.students, exam.variants, strict=True) if s.variant is not v
                 for q, own in zip(s.variant.questions, v.questions, strict=True))
    if others:
        typer.echo(f"{others} answers graded against the variant the LMS served (named in its question text), "
                   "not the student's own in the key")
    if result.problems:
        count = sum(p.count for p in result.problems)
        typer.secho(f"{count} problems (unknown students, duplicates, malformed rows, ...): see {out / 'problems.csv'}",
                    err=True, fg=typer.colors.YELLOW)
    typer.echo(f"wrote {out}/: grades.csv, feedback.csv, problems.csv, report.html, moodle_grades.csv, canvas_grades.csv, "
               f"feedback/ ({len(result.students)} pages)")
    report_commit(out, committed, why="of the previous grading that this one does not rewrite")
    report_replaced(committed.replaced, recorded)


def register(app: typer.Typer) -> None:
    app.command("grade")(grade_command)
