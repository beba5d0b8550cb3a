"""Read text files the way spreadsheets save them: UTF-8 (with or without BOM), UTF-16, GB18030.

Large files (a responses export of millions of rows) are never held whole: `detect_encoding`
checks the bytes a megabyte at a time and `open_text` then streams the decoded text. A file
that is not in one of these encodings is reported by the line it goes wrong on, and a file
whose lines are in different encodings (UTF-8 rows pasted into a GB18030 export) is refused
rather than read with one half garbled.
"""

from __future__ import annotations

__all__ = ["decode_bytes", "detect_encoding", "open_text", "read_text_file"]

import codecs
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

from .errors import Location, QuizgenError

_CHUNK = 1 << 20
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Two characters of 3-byte UTF-8 on one line (Chinese text in UTF-8): GB18030 bytes almost never
# form that by chance, so such a line is evidence the file was meant as UTF-8.
_UTF8_EVIDENCE = re.compile(r"[\u0800-\uffff][^\n]*[\u0800-\uffff]")
_SAVE_AS = "save it as CSV UTF-8"


def _whole_lines(handle: BinaryIO) -> Iterator[bytes]:
    """Chunks of about a megabyte that end at a line break (so each decodes on its own: no byte of a
    multi-byte character in UTF-8 or GB18030 is a line break)."""
    rest = b""
    while True:
        block = handle.read(_CHUNK)
        if not block:
            if rest:
                yield rest
            return
        block = rest + block
        cut = block.rfind(b"\n") + 1
        if cut == 0:
            rest = block
            continue
        yield block[:cut]
        rest = block[cut:]


class _Scan:
    """Where a file stops decoding in one encoding: the 1-based line, or None; and the first line that
    shows UTF-8 Chinese text (for the mixed-encodings message)."""

    def __init__(self, bad_line: int | None, evidence_line: int | None) -> None:
        self.bad_line = bad_line
        self.evidence_line = evidence_line


def _evidence(text: str, lines_before: int) -> int | None:
    if text.isascii() or (m := _UTF8_EVIDENCE.search(text)) is None:
        return None
    return lines_before + text.count("\n", 0, m.start()) + 1


def _scan(handle: BinaryIO, encoding: str, skip: int) -> _Scan:
    handle.seek(skip)
    lines = 0
    evidence: int | None = None
    for block in _whole_lines(handle):
        try:
            text = block.decode(encoding)
        except UnicodeDecodeError as error:
            if evidence is None:
                evidence = _evidence(block[: error.start].decode(encoding), lines)
            return _Scan(lines + block[: error.start].count(b"\n") + 1, evidence)
        if evidence is None:
            evidence = _evidence(text, lines)
        lines += block.count(b"\n")
    return _Scan(None, evidence)


def _scan_utf16(handle: BinaryIO) -> int | None:
    handle.seek(0)
    decoder = codecs.getincrementaldecoder("utf-16")()
    lines = 0
    while block := handle.read(_CHUNK):
        try:
            lines += decoder.decode(block).count("\n")
        except UnicodeDecodeError as error:
            return lines + block[: error.start].decode("utf-16-le", "replace").count("\n") + 1
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return lines + 1
    return None


def detect_encoding(path: str | Path) -> str:
    """The file's encoding as a Python codec name (BOMs decide; otherwise UTF-8, then GB18030), checked
    over the whole file without reading it into memory. A QuizgenError names the line that fails."""
    source = str(path)
    try:
        with Path(path).open("rb") as handle:
            return _detect(handle, source)
    except FileNotFoundError:
        raise QuizgenError("no such file", Location(file=source)) from None
    except OSError as error:
        raise QuizgenError(f"cannot read: {error.strerror}", Location(file=source)) from None


def _detect(handle: BinaryIO, source: str) -> str:
    head = handle.read(3)
    if head.startswith(_UTF16_BOMS):
        bad = _scan_utf16(handle)
        if bad is not None:
            raise QuizgenError(f"not UTF-16 text, as the start of the file is; {_SAVE_AS}",
                               Location(file=source, line=bad))
        return "utf-16"
    if head == b"\xef\xbb\xbf":
        utf8 = _scan(handle, "utf-8", 3)
        if utf8.bad_line is not None:
            raise QuizgenError(f"not UTF-8 text, though the file starts with a UTF-8 mark; {_SAVE_AS}",
                               Location(file=source, line=utf8.bad_line))
        return "utf-8-sig"
    utf8 = _scan(handle, "utf-8", 0)
    if utf8.bad_line is None:
        return "utf-8"
    if utf8.evidence_line is not None:
        raise QuizgenError(f"mixed encodings: this line is not UTF-8 text, but line {utf8.evidence_line} is; "
                           "save the whole file as CSV UTF-8", Location(file=source, line=utf8.bad_line))
    gb = _scan(handle, "gb18030", 0)
    if gb.bad_line is not None:
        raise QuizgenError(f"neither UTF-8 nor GB18030 text (as UTF-8, line {utf8.bad_line} fails already); {_SAVE_AS}",
                           Location(file=source, line=gb.bad_line))
    return "gb18030"


def open_text(path: str | Path) -> tuple[TextIO, str]:
    """The file as a stream of text (universal newlines left to the csv module) and its encoding."""
    encoding = detect_encoding(path)
    handle = Path(path).open("rb")  # noqa: SIM115 -- the caller closes the returned stream
    return io.TextIOWrapper(handle, encoding=encoding, newline=""), encoding


def decode_bytes(data: bytes, source: str) -> tuple[str, str]:
    """Return (text, encoding name) for bytes already in memory, by the rules of `detect_encoding`."""
    encoding = _detect(io.BytesIO(data), source)
    return data.decode(encoding), encoding


def read_text_file(path: str | Path) -> tuple[str, str]:
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise QuizgenError("no such file", Location(file=source)) from None
    except OSError as error:
        raise QuizgenError(f"cannot read: {error.strerror}", Location(file=source)) from None
    return decode_bytes(data, source)
