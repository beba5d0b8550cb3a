"""Read text files the way spreadsheets save them: UTF-8 (with or without BOM), UTF-16, GB18030."""

from __future__ import annotations

__all__ = ["decode_bytes", "read_text_file"]

from pathlib import Path

from .errors import Location, QuizgenError


def decode_bytes(data: bytes, source: str) -> tuple[str, str]:
    """Return (text, encoding name). BOMs decide; otherwise UTF-8, then GB18030 (Chinese Excel)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as error:
            raise QuizgenError(f"invalid UTF-16 text at byte {error.start}", Location(file=source)) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as error:
        raise QuizgenError(f"cannot decode the file as UTF-8, UTF-16 or GB18030 (bad byte at {error.start}); "
                           "save it as CSV UTF-8", Location(file=source)) from None


def read_text_file(path: str | Path) -> tuple[str, str]:
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise QuizgenError("no such file", Location(file=source)) from None
    except OSError as error:
        raise QuizgenError(f"cannot read: {error.strerror}", Location(file=source)) from None
    return decode_bytes(data, source)
