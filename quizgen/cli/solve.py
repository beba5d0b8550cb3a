"""`quizgen solve SPEC`: every layer's output shape, parameters and MACs, with worked steps."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from ..i18n import Lang
from ._common import MODEL_ARG_HELP, MODEL_HELP, parse_arg_options, parse_shape_option, print_notes, reports_errors
from ._fast import solve_text


class SolveFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


@reports_errors
def solve_command(
    spec: Annotated[str, typer.Argument(metavar="SPEC",
                                        help="Network spec: .yaml, .yml, .json or model code .py; '-' reads standard input.")],
    format: Annotated[SolveFormat, typer.Option("--format", "-f", help="Output format.")] = SolveFormat.TABLE,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of labels and steps.")] = Lang.EN,
    explain: Annotated[bool, typer.Option("--explain", help="Show each layer's formula and worked steps.")] = False,
    input_shape: Annotated[
        str | None, typer.Option("--input-shape", help="Input shape without batch, e.g. 3,32,32 (overrides the spec's).")
    ] = None,
    depth: Annotated[
        int | None, typer.Option("--depth", min=1, help="Nested view of blocks to this depth, like torchinfo's depth= "
                                 "(default for PyTorch networks built from blocks: 3).")
    ] = None,
    model: Annotated[str | None, typer.Option("--model", help=MODEL_HELP)] = None,
    arg: Annotated[list[str] | None, typer.Option("--arg", help=MODEL_ARG_HELP)] = None,
) -> None:
    """Solve a network: output shape, parameters (trainable / non-trainable) and MACs per layer."""
    # The body is shared with the fast start-up path of `quizgen solve` (cli/_fast.py).
    text = solve_text(spec, format.value, lang, explain, parse_shape_option(input_shape), depth, model=model,
                      model_args=parse_arg_options(arg), show_notes=print_notes)
    typer.echo(text, nl=False)


def register(app: typer.Typer) -> None:
    app.command("solve")(solve_command)
