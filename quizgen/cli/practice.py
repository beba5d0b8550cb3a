"""`quizgen practice [BANK...] [--topic T] [--lang zh] [--seed N]`: an interactive drill in the terminal."""

from __future__ import annotations

import secrets
from typing import Annotated

import typer

from ..i18n import Lang
from ._common import reports_errors


@reports_errors
def practice_command(
    banks: Annotated[list[str] | None, typer.Argument(metavar="BANK",
                                                      help="Bank files or shipped bank names (default: every shipped bank).")] = None,
    topic: Annotated[list[str] | None, typer.Option("--topic", help="Only questions of this topic (repeat for several), "
                                                    "e.g. conv, pooling, rnn, compute, shapes, dense, norm, mobile, full-model.")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of prompts, verdicts and explanations.")] = Lang.EN,
    seed: Annotated[int | None, typer.Option("--seed", help="Replay a session: the same seed asks the same first questions.")] = None,
) -> None:
    """Drill: a fresh question each round, an instant verdict naming the mistake, the worked solution.

    Type an answer, or hint, skip, quit; Ctrl-D or Ctrl-C also end the drill with a summary.
    """
    from rich.console import Console
    from rich.text import Text

    from ..bank import load_bank
    from ..practice.drill import DrillSession, drill_templates, topics_of
    from ..practice.terminal import run_drill
    from ..resources import banks_dir

    names = banks or [str(path) for path in sorted(banks_dir().glob("*.yaml"))]
    loaded = [load_bank(name) for name in names]
    known = topics_of(loaded)
    for wanted in topic or ():
        if wanted not in known:
            raise typer.BadParameter(f"unknown topic {wanted!r}; the banks have: {', '.join(known) or 'no topics'}", param_hint="--topic")
    templates = drill_templates(loaded, topic or ())
    seed = secrets.randbelow(10**6) if seed is None else seed
    console = Console(highlight=False)
    console.print(Text(f"seed {seed} · {len(templates)} templates", style="dim"))
    run_drill(DrillSession(templates, seed=seed, lang=lang.value), console)


def register(app: typer.Typer) -> None:
    app.command("practice")(practice_command)
