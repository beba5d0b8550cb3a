"""The one exception tree of quizgen.

    QuizgenError            bad input; the CLI prints its message and exits with code 1
     ├── SpecError          a network spec (YAML, JSON or model code) is invalid
     │    └── CodeReadError model source code uses something the static reader cannot follow
     ├── BankError          a question bank is invalid or cannot produce valid variants
     ├── KeyError_          a key.json is missing, malformed or of another version
     ├── ResponseError      a responses file (CSV, JSON lines) cannot be read
     └── AnswerParseError   one student's answer cannot be parsed (grading records it, never raises it out)

Every message carries its location: the file, then the line (or row, or layer index) and the
field, so the user can go straight to the mistake, e.g.
``banks/x.yaml line 12: kernel_size: range 0..3 allows 0``.
"""

from __future__ import annotations

__all__ = [
    "AnswerParseError",
    "BankError",
    "CodeReadError",
    "KeyFileError",
    "Location",
    "QuizgenError",
    "ResponseError",
    "SpecError",
]

from dataclasses import dataclass, fields, replace
from typing import Self


@dataclass(frozen=True, slots=True)
class Location:
    """Where in an input something was found; every part is optional."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    row: int | None = None
    layer: int | None = None  # 1-based layer index within a network spec
    field: str | None = None

    def describe(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"line {self.line}" + (f" column {self.column}" if self.column is not None else ""))
        if self.row is not None:
            parts.append(f"row {self.row}")
        return " ".join(parts)

    def filled_from(self, other: Location) -> Location:
        """This location with the parts it does not know taken from ``other``."""
        missing = {part.name: getattr(other, part.name) for part in fields(self) if getattr(self, part.name) is None}
        return replace(self, **missing)


class QuizgenError(Exception):
    """Bad input. ``str(error)`` is the complete one-line message for the user."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        self.bare_message = message
        self.location = location or Location()
        where = self.location.describe()
        super().__init__(f"{where}: {message}" if where else message)

    def located(self, *, file: str | None = None, line: int | None = None, column: int | None = None,
                row: int | None = None, layer: int | None = None, field: str | None = None) -> Self:
        """Return a copy of this error with missing location parts filled in (file, line, ...).

        Parts already known win: the innermost reader knows best where the fault is.
        """
        where = Location(file=file, line=line, column=column, row=row, layer=layer, field=field)
        return type(self)(self.bare_message, self.location.filled_from(where))


class SpecError(QuizgenError):
    """A network spec is invalid: unknown layer, bad argument, collapsing shape, ..."""


class CodeReadError(SpecError):
    """Model source code uses a construct the static reader does not follow."""


class BankError(QuizgenError):
    """A question bank is invalid or cannot produce the requested variants."""


class KeyFileError(QuizgenError):
    """A key.json is missing, malformed or written by an incompatible version."""


class ResponseError(QuizgenError):
    """A responses file cannot be read (encoding, layout, unknown columns)."""


class AnswerParseError(QuizgenError):
    """A single answer cannot be parsed; grading turns it into an `unparseable` verdict.

    The student reads the message in their exam's language: ``zh`` is the same message in Chinese
    (the message itself, as every error's, is English).
    """

    def __init__(self, message: str, location: Location | None = None, *, zh: str | None = None) -> None:
        super().__init__(message, location)
        self.zh_message = zh

    def message_in(self, lang: str) -> str:
        """The message in ``lang`` ("en" or "zh"); English where no Chinese was given."""
        return self.zh_message if lang == "zh" and self.zh_message is not None else self.bare_message

    def located(self, *, file: str | None = None, line: int | None = None, column: int | None = None,
                row: int | None = None, layer: int | None = None, field: str | None = None) -> Self:
        copy = super().located(file=file, line=line, column=column, row=row, layer=layer, field=field)
        copy.zh_message = self.zh_message
        return copy
