"""`quizgen mistakes`: the catalogue of recognised misconceptions."""

from __future__ import annotations

from typing import Annotated

import typer

from ..i18n import Lang


def mistakes_command(
    lang: Annotated[Lang, typer.Option("--lang", help="Language of titles and explanations.")] = Lang.EN,
) -> None:
    """List every mistake code quizgen can diagnose, with what it means."""
    from ..mistakes import CATALOGUE

    width = max(len(m.code) for m in CATALOGUE) + 2
    for m in sorted(CATALOGUE, key=lambda m: m.code):
        typer.echo(f"{m.code:<{width}}{m.title[lang.value]}")
        typer.echo(f"{'':<{width}}  {m.reason[lang.value]}")
    english = lang is Lang.EN
    typer.echo(f"{'missed_layer':<{width}}" + ("Left a layer out of the total" if english else "总数中漏掉了某一层"))
    typer.echo(f"{'double_counted_layer':<{width}}" + ("Counted a layer twice in the total" if english else "总数中某一层被重复计算"))


def register(app: typer.Typer) -> None:
    app.command("mistakes")(mistakes_command)
