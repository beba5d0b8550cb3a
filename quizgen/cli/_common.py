"""What every command shares: turning QuizgenError into one red line and exit code 1."""

from __future__ import annotations

__all__ = ["MODEL_ARG_HELP", "MODEL_HELP", "fail", "out_path", "parse_arg_options", "parse_shape_option", "print_notes", "reports_errors"]

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import typer

from ..errors import QuizgenError

P = ParamSpec("P")
R = TypeVar("R")


def fail(message: str) -> None:
    color = sys.stderr.isatty()
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED if color else None)
    raise typer.Exit(1)


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Bad input is the user's to fix: print it as one line and exit 1. Anything else is a bug."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except QuizgenError as error:
            fail(str(error))
            raise AssertionError("unreachable") from None
        except OSError as error:
            # An output path that is a file, a directory, or not writable: the user's to fix too.
            where = next((f for f in (error.filename2, error.filename) if f is not None), "output")
            fail(f"{where}: {error.strerror or error}")
            raise AssertionError("unreachable") from None

    return wrapper


def out_path(value: str | Path) -> Path:
    """The --out parser: an empty value is refused, where Path('') would quietly be the current folder."""
    if isinstance(value, Path):
        return value
    if not value.strip():
        raise typer.BadParameter("an empty path; name one (. for the current folder)")
    return Path(value)


def parse_shape_option(text: str | None) -> tuple[int | None, ...] | None:
    """'3,32,32' or '[3, 32, 32]' -> (3, 32, 32); 'None'/'null' for unknown sizes."""
    if text is None:
        return None
    from ._fast import shape_from_text

    shape = shape_from_text(text)
    if shape is None:
        raise typer.BadParameter(f"expected sizes separated by commas like 3,32,32, got {text!r}", param_hint="--input-shape")
    return shape


MODEL_HELP = ("Model code: which model of the file to read, a class or builder function, with arguments as "
              "'ResNet(BasicBlock, [2, 2, 2, 2])' (read statically, never run).")
MODEL_ARG_HELP = "Model code: a constructor argument of --model as key=value (repeatable), e.g. --arg num_classes=100."


def parse_arg_options(values: list[str] | None) -> dict[str, str]:
    """--arg key=value, repeatable; the values are read by the safe code reader, not here."""
    result: dict[str, str] = {}
    for text in values or []:
        key, sep, value = text.partition("=")
        if not sep or not key.strip().isidentifier() or not value.strip():
            raise typer.BadParameter(f"expected key=value like num_classes=100, got {text!r}", param_hint="--arg")
        result[key.strip()] = value.strip()
    return result


def print_notes(notes: list[str]) -> None:
    """What the code reader wants the user to know (which input shape it used, ...), on stderr."""
    for note in notes:
        typer.echo(f"note: {note}", err=True)
