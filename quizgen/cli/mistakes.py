"""`quizgen mistakes`: the catalogue of recognised misconceptions, each with a worked example."""

from __future__ import annotations

from typing import Annotated

import typer

from ..i18n import Lang

# Whole-model mistakes: not in the per-layer catalogue, but diagnosed on every total.
TOTAL_MISTAKES = {
    "missed_layer": {"en": "Left a layer out of the total", "zh": "总数中漏掉了某一层"},
    "double_counted_layer": {"en": "Counted a layer twice in the total", "zh": "总数中某一层被重复计算"},
}


def mistakes_command(
    lang: Annotated[Lang, typer.Option("--lang", help="Language of titles and explanations.")] = Lang.EN,
) -> None:
    """List every mistake code quizgen can diagnose, each with a worked example in numbers."""
    from ..mistakes import CATALOGUE
    from ..mistakes.examples import worked_examples

    examples = worked_examples(lang.value)
    titles = {m.code: m.title[lang.value] for m in CATALOGUE}
    titles.update({code: title[lang.value] for code, title in TOTAL_MISTAKES.items()})
    width = max(map(len, titles)) + 2
    for code, title in sorted(titles.items()):
        typer.echo(f"{code:<{width}}{title}")
        example = examples.get(code)
        if example is not None:
            # The example is the explanation a key stores: wrong value and working, why, the right working.
            typer.echo(f"    {'e.g.' if lang is Lang.EN else '例'} [{example.source}] {example.text}")


def register(app: typer.Typer) -> None:
    app.command("mistakes")(mistakes_command)
