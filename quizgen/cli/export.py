"""`quizgen export KEY_OR_BANK --format moodle|gift|qti --out FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..i18n import Lang
from ..lms import LmsFormat
from ._common import fail, out_path, reports_errors
from ._fast_export import exam_counts, summary_line


@reports_errors
def export_command(
    sources: Annotated[list[str], typer.Argument(metavar="KEY_OR_BANK",
                                                 help="A key.json, or bank files / shipped bank names (then --seed and --count).")],
    format: Annotated[LmsFormat, typer.Option("--format", "-f", help="moodle (Moodle XML), gift, or qti (Canvas QTI 1.2 zip).")],
    out: Annotated[Path, typer.Option("--out", parser=out_path, metavar="<path>", help="The file to write.")],
    seed: Annotated[int | None, typer.Option("--seed", help="Exam seed (exporting from a bank).")] = None,
    count: Annotated[int | None, typer.Option("--count", min=1, max=100_000, help="Variants to make (exporting from a bank).")] = None,
    lang: Annotated[Lang | None, typer.Option("--lang", help="Language of the exported text (default: the exam's).")] = None,
    title: Annotated[str | None, typer.Option("--title", help="Exam title (exporting from a bank).")] = None,
) -> None:
    """Export an exam to an LMS question bank, with feedback on every expected mistake."""
    from ..atomic import write_bytes_atomic
    from ..exam import Exam, exam_from_key_data, read_key_data
    from ..lms import export_exam
    from ..lms.groups import exam_groups
    from ..lms.halves import spare_cores

    is_key = len(sources) == 1 and sources[0].lower().endswith(".json")
    if is_key:
        if seed is not None or count is not None or title is not None:
            raise typer.BadParameter("--seed, --count and --title apply when exporting from a bank; a key.json already holds its exam")
        exam: Exam = exam_from_key_data(read_key_data(sources[0], for_export=True), sources[0])
    else:
        if any(s.lower().endswith(".json") for s in sources):
            raise typer.BadParameter("give either one key.json or bank files, not both")
        if seed is None or count is None:
            raise typer.BadParameter("exporting from a bank needs --seed N and --count K (the number of variants)")
        from ..bank import load_bank
        from ..generate import generate_exam
        from ..roster import numbered_students

        exam, _ = generate_exam([load_bank(s) for s in sources], seed or 0, numbered_students(count or 0),
                                lang=str(lang or Lang.EN), title=title)
    if not exam.variants:
        fail(f"{sources[0]}: the exam has no variants to export")
    groups = exam_groups(exam)  # worked out once, for the export and the summary line
    data = export_exam(exam, format, lang=str(lang) if lang else None, groups=groups, jobs=spare_cores())
    write_bytes_atomic(out, data)
    typer.echo(summary_line(out, format.value, data, groups, *exam_counts(exam)))


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)
