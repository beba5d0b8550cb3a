"""`quizgen key KEY`: any key.json, compact or full, printed in the full per-question form."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import out_path, reports_errors


@reports_errors
def key_command(
    key: Annotated[Path, typer.Argument(metavar="KEY", help="A key.json written by quizgen generate (any key format).")],
    out: Annotated[Path | None, typer.Option(
        "--out", parser=out_path, metavar="<path>", help="Write the full form to this file instead of standard output.")] = None,
) -> None:
    """Print a key in the full per-question form (key_format 1), for tools that read keys.

    generate writes key.json in a compact form that stores repeated specs and sentences once;
    this prints every question with its complete spec, prompt, worked solution and mistakes.
    """
    import json

    from ..exam import exam_to_json, load_key

    text = json.dumps(exam_to_json(load_key(key)), ensure_ascii=False, indent=2) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        from ..atomic import write_text_atomic

        write_text_atomic(out, text)


def register(app: typer.Typer) -> None:
    app.command("key")(key_command)
