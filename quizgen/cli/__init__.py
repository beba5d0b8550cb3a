"""The `quizgen` command line: one small module per command, each only parsing arguments."""

from __future__ import annotations

__all__ = ["app", "main"]

import typer

app = typer.Typer(
    name="quizgen",
    help="Randomized, exactly solved exercises on neural-network layers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    # An option callback runs while the options are parsed, so `quizgen --version` works alone.
    if value:
        from .. import __version__

        typer.echo(f"quizgen {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True, callback=_print_version),
) -> None:
    """Randomized, exactly solved exercises on neural-network layers."""


def _register() -> None:
    import importlib
    import pkgutil

    # Every module of this package except _common defines one command via register(app).
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}").register(app)


_register()


def main() -> None:
    app()
