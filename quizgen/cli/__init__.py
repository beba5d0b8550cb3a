"""The `quizgen` command line: one small module per command, each only parsing arguments.

`main` (the `quizgen` script and `python -m quizgen`) first offers the command line to
`_fast`, which answers `--version` and a plain `solve` without importing the CLI framework:
typer with its pydantic coercion costs more start-up time than solving VGG16. Everything
else, and every solve that is not plain (help, a bad value, an error to report), goes to the
typer `app`, built on first use.
"""

from __future__ import annotations

__all__ = ["app", "main"]

import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

    app: typer.Typer


_VALIDATOR_PREFIX = "Value error, "


def _print_version(value: bool) -> None:
    # An option callback runs while the options are parsed, so `quizgen --version` works alone.
    if value:
        import typer

        from .. import __version__

        typer.echo(f"quizgen {__version__}")
        raise typer.Exit()


def _build_app() -> typer.Typer:
    import importlib
    import pkgutil

    import typer
    from typer.core import TyperGroup

    class _Group(TyperGroup):
        def invoke(self, ctx: Any) -> Any:
            try:
                return super().invoke(ctx)
            except typer.BadParameter as error:
                # Typer checks choices through pydantic, whose message for a ValueError starts with
                # "Value error, ": the user gets "Invalid value for '--lang': 'fr' is not one of 'en', 'zh'."
                error.message = error.message.removeprefix(_VALIDATOR_PREFIX)
                raise

    built = typer.Typer(
        cls=_Group,
        name="quizgen",
        help="Randomized, exactly solved exercises on neural-network layers.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        # Plain help: Typer's Rich panels print a "<bool>" type beside every flag, and wrap the help
        # text of long option lists into a narrow column.
        rich_markup_mode=None,
    )

    @built.callback()
    def _root(
        version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True, callback=_print_version),
    ) -> None:
        """Randomized, exactly solved exercises on neural-network layers."""

    # Every module of this package except _common and _fast defines one command via register(app).
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}").register(built)
    return built


def __getattr__(name: str) -> Any:
    if name == "app":
        globals()["app"] = built = _build_app()
        return built
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _leave_without_teardown() -> None:
    """Exit 0 at once, after a fast `generate` or `export` finished: Python's teardown would free a class
    set's exam, solutions and mistakes object by object (about 0.1 s). Every file is written and closed
    by now; the standard streams are flushed here. If they cannot be (a closed pipe), Python
    leaves as usual and reports it."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        return
    if "logging" in sys.modules:  # its exit hook, the only one a generate run registers
        sys.modules["logging"].shutdown()
    os._exit(0)


def main() -> None:
    from ._fast import run_fast

    argv = sys.argv[1:]
    if not run_fast(argv):
        __getattr__("app")()
    elif argv[:1] in (["generate"], ["export"]):
        _leave_without_teardown()
