"""Read a responses file in any supported layout into one `ResponseTable`.

Detection: JSON lines when the text starts with ``{`` (or the file is .jsonl/.ndjson); a CSV
with ``Response 1..N`` and Moodle's identity columns is a Moodle report; a CSV with
``<id>: <text>`` question columns and Canvas' ``section``/``attempt``/``n correct`` is a Canvas
Student Analysis; anything else is a plain CSV. ``--format`` overrides the guess.
"""

from __future__ import annotations

__all__ = ["detect_format", "read_responses", "read_responses_text"]

import dataclasses
from collections.abc import Iterator
from pathlib import Path

from ...errors import Location, ResponseError
from ...textfile import detect_encoding
from ..gcpause import no_cyclic_gc
from ..model import ResponseFormat, ResponseTable
from .canvas import is_canvas_header, read_canvas
from .common import CsvRecords, read_csv_records, stream_csv_records
from .jsonl import read_jsonl, read_jsonl_lines
from .moodle import is_moodle_header, read_moodle
from .plain import read_plain

_HEAD = 1 << 16  # characters read to tell JSON lines from CSV


def _looks_like_jsonl(text: str, source: str) -> bool:
    return Path(source).suffix.lower() in (".jsonl", ".ndjson") or text.lstrip().startswith("{")


def detect_format(text: str, source: str) -> ResponseFormat:
    if _looks_like_jsonl(text, source):
        return ResponseFormat.JSONL
    return _detect_csv(read_csv_records(text, source).header)


def _detect_csv(header: tuple[str, ...]) -> ResponseFormat:
    if is_moodle_header(header):
        return ResponseFormat.MOODLE
    if is_canvas_header(header):
        return ResponseFormat.CANVAS
    return ResponseFormat.PLAIN


def _read_csv(records: CsvRecords, source: str, fmt: ResponseFormat, encoding: str) -> ResponseTable:
    if fmt is ResponseFormat.AUTO:
        fmt = _detect_csv(records.header)
    if fmt is ResponseFormat.MOODLE:
        return read_moodle(records, source, encoding)
    if fmt is ResponseFormat.CANVAS:
        return read_canvas(records, source, encoding)
    return read_plain(records, source, encoding)


def read_responses_text(text: str, source: str, fmt: ResponseFormat = ResponseFormat.AUTO, encoding: str = "utf-8") -> ResponseTable:
    """Responses already in memory; the table's rows are a tuple."""
    if not text.strip():
        raise ResponseError("the responses file is empty", Location(file=source))
    if fmt is ResponseFormat.JSONL or (fmt is ResponseFormat.AUTO and _looks_like_jsonl(text, source)):
        return read_jsonl(text, source, encoding)
    table = _read_csv(read_csv_records(text, source), source, fmt, encoding)
    return dataclasses.replace(table, rows=tuple(table.rows))


def _has_text(path: Path, encoding: str) -> bool:
    with path.open(encoding=encoding) as handle:
        return any(line.strip() for line in handle)


def read_responses(path: str | Path, fmt: ResponseFormat = ResponseFormat.AUTO) -> ResponseTable:
    """A responses file. A CSV file is streamed: its rows are read from the file as the grader iterates
    them, one at a time, so a file of millions of rows needs no more memory than a small one."""
    path, source = Path(path), str(path)
    encoding = detect_encoding(path)
    with path.open(encoding=encoding, newline="") as handle:
        head = handle.read(_HEAD)
    if not head.strip() and not _has_text(path, encoding):
        raise ResponseError("the responses file is empty", Location(file=source))
    if fmt is ResponseFormat.JSONL or (fmt is ResponseFormat.AUTO and _looks_like_jsonl(head, source)):
        def lines() -> Iterator[str]:
            with path.open(encoding=encoding) as handle:
                yield from handle

        with no_cyclic_gc():
            return read_jsonl_lines(lines, source, encoding)
    return _read_csv(stream_csv_records(path, encoding), source, fmt, encoding)
