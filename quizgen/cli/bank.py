"""`quizgen bank from-code MODEL.py --out BANK.yaml`: a starting bank from existing model code."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import MODEL_ARG_HELP, MODEL_HELP, out_path, parse_arg_options, parse_shape_option, print_notes, reports_errors

bank_app = typer.Typer(help="Work with question banks.", no_args_is_help=True)


@bank_app.command("from-code")
@reports_errors
def from_code_command(
    model: Annotated[str, typer.Argument(metavar="MODEL", help="Model source (.py, read statically, never run) or a spec (.yaml/.json).")],
    out: Annotated[Path, typer.Option("--out", parser=out_path, metavar="<path>", help="Bank file to write, e.g. banks/my-model.yaml.")],
    input_shape: Annotated[str | None, typer.Option("--input-shape", help="Input shape without batch, e.g. 3,32,32.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Prefix of the question ids (default: the file name).")] = None,
    model_name: Annotated[str | None, typer.Option("--model", help=MODEL_HELP)] = None,
    arg: Annotated[list[str] | None, typer.Option("--arg", help=MODEL_ARG_HELP)] = None,
) -> None:
    """Write a fixed bank (summary, totals and per-layer questions) for a model."""
    from ..atomic import write_text_atomic
    from ..bank import load_bank
    from ..bank.from_code import bank_from_spec
    from ..spec import load_spec

    notes: list[str] = []
    picked: list[str] = []
    spec = load_spec(model, input_shape=parse_shape_option(input_shape), model_name=model_name,
                     model_args=parse_arg_options(arg), notes=notes, picked=picked)
    print_notes(notes)
    stem = name or Path(model).stem.replace("_", "-") or "model"
    # A model called just "model" (model = keras.Sequential(...), class Model) is better titled by its file (lenet).
    title = next((found for found in picked if found.casefold() != "model"), None)
    write_text_atomic(out, bank_from_spec(spec, stem, title=title))
    bank = load_bank(out)  # the written bank must load: the same validation as any bank
    typer.echo(f"wrote {out}: {len(bank.templates)} questions")


@bank_app.command("check")
@reports_errors
def check_command(banks: Annotated[list[str], typer.Argument(metavar="BANK", help="Bank files or shipped bank names.")]) -> None:
    """Validate banks and report their question templates and parameter spaces."""
    from ..bank import load_bank
    from ..generate import generate_exam
    from ..roster import numbered_students

    for name in banks:
        bank = load_bank(name)
        # Build one exam too: what only shows when a question is made (a kind that needs a
        # layer, an axis the layer lacks) fails here as it would in `quizgen generate`.
        generate_exam([bank], 0, numbered_students(1))
        typer.echo(f"{name}: {len(bank.templates)} questions")
        id_width = max(len(template.id) for template in bank.templates)  # long ids (from-code's) keep the columns
        kind_width = max(len(template.kind.value) for template in bank.templates)
        for template in bank.templates:
            typer.echo(f"  {template.id:<{id_width}}  {template.kind.value:<{kind_width}}  space {template.space_size():,}")


def register(app: typer.Typer) -> None:
    app.add_typer(bank_app, name="bank")
