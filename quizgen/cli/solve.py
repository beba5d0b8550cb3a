"""`quizgen solve SPEC`: every layer's output shape, parameters and MACs, with worked steps."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from ..i18n import Lang
from ._common import MODEL_ARG_HELP, MODEL_HELP, parse_arg_options, parse_shape_option, print_notes, reports_errors


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
    from ..solver import solve
    from ..spec import load_spec
    from ..summary import format_markdown, format_table, solution_to_json

    notes: list[str] = []
    loaded = load_spec(spec, input_shape=parse_shape_option(input_shape), model_name=model, model_args=parse_arg_options(arg),
                       notes=notes)
    print_notes(notes)
    solution = solve(loaded)
    if depth is None and not explain and solution.spec.framework.value == "pytorch" and any(layer.within for layer in solution.layers):
        depth = 3
    if format is SolveFormat.JSON:
        typer.echo(json.dumps(solution_to_json(solution, lang), ensure_ascii=False, indent=2))
    elif format is SolveFormat.MARKDOWN:
        typer.echo(format_markdown(solution, lang, explain=explain, depth=depth), nl=False)
    else:
        typer.echo(format_table(solution, lang, explain=explain, depth=depth))


def register(app: typer.Typer) -> None:
    app.command("solve")(solve_command)
