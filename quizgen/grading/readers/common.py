"""What the CSV readers share: splitting decoded text into records with spreadsheet row numbers."""

from __future__ import annotations

__all__ = ["CsvRecords", "FileRecords", "LazyRows", "find_column", "fit", "raw_row", "read_csv_records", "sortable_time",
           "stream_csv_records"]

import contextlib
import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ...errors import Location, ResponseError
from ..model import ResponseRow

_DELIMITERS = (",", ";", "\t")
_QUOTED = re.compile(r'["\r\n]')


@dataclass(frozen=True, slots=True)
class CsvRecords:
    header: tuple[str, ...]
    # (spreadsheet row number, fields) after the header: a tuple for text in memory, a `FileRecords`
    # (read from the file again each time it is iterated, never held whole) for a file.
    records: Iterable[tuple[int, list[str]]]
    delimiter: str
    header_line: int = 1  # blank lines may precede the header


def _delimiter(first: str) -> str:
    """Excel writes ';' in many European locales and tabs for "Unicode text" (UTF-16): count them
    in the header line, where no answer text can skew the count."""
    counts = {d: first.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _records(lines: Iterable[str], delimiter: str, source: str) -> Iterator[tuple[int, list[str]]]:
    """Every record with a non-blank cell, numbered as spreadsheet rows (a blank line holds no
    submission, and blank lines may precede the header)."""
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        for number, fields in enumerate(reader, start=1):
            if any(cell.strip() for cell in fields):
                yield number, fields
    except csv.Error as error:
        raise ResponseError(f"not readable as CSV: {error}", Location(file=source, line=reader.line_num)) from None


def _records_after(records: Iterator[tuple[int, list[str]]], source: str) -> tuple[int, list[str]]:
    first = next(records, None)
    if first is None:
        raise ResponseError("the responses file is empty", Location(file=source))
    return first


def read_csv_records(text: str, source: str) -> CsvRecords:
    delimiter = _delimiter(text.split("\n", 1)[0])
    records = _records(io.StringIO(text, newline=""), delimiter, source)
    header_line, header = _records_after(records, source)
    return CsvRecords(tuple(cell.strip() for cell in header), tuple(records), delimiter, header_line)


class LazyRows:
    """A reader's rows, made from the records as they are iterated (a stream of a file stays a stream)."""

    def __init__(self, records: Iterable[tuple[int, list[str]]], make: Callable[[int, list[str]], ResponseRow | None]) -> None:
        self.records, self.make = records, make

    def __iter__(self) -> Iterator[ResponseRow]:
        make = self.make
        for number, fields in self.records:
            row = make(number, fields)
            if row is not None:
                yield row


class FileRecords:
    """The records after the header of a CSV file, streamed from the file on each iteration."""

    def __init__(self, path: Path, encoding: str, delimiter: str, header_line: int) -> None:
        self.path, self.encoding, self.delimiter, self.header_line = path, encoding, delimiter, header_line

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        with self.path.open(encoding=self.encoding, newline="") as handle:
            for number, fields in _records(handle, self.delimiter, str(self.path)):
                if number > self.header_line:
                    yield number, fields


def stream_csv_records(path: Path, encoding: str) -> CsvRecords:
    """Like read_csv_records, for a file of any size: only the header is read here."""
    with path.open(encoding=encoding, newline="") as handle:
        delimiter = _delimiter(handle.readline())
        handle.seek(0)
        header_line, header = _records_after(_records(handle, delimiter, str(path)), str(path))
    return CsvRecords(tuple(cell.strip() for cell in header), FileRecords(path, encoding, delimiter, header_line), delimiter,
                      header_line)


def find_column(header: tuple[str, ...], names: tuple[str, ...]) -> int | None:
    """Index of the first header cell equal (ignoring case and spaces) to one of names, in names' order."""
    lowered = [h.strip().casefold() for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def raw_row(fields: list[str], delimiter: str = ",") -> str:
    """The fields written back as one CSV line, for problems.csv."""
    joined = delimiter.join(fields)
    if len(fields) > 1 and joined.count(delimiter) == len(fields) - 1 and not _QUOTED.search(joined):
        return joined  # nothing to quote: what csv.writer would write, without its cost on every row
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="").writerow(fields)
    return out.getvalue()


def fit(fields: list[str], width: int) -> tuple[list[str], str, str]:
    """Pad or cut a record to the header's width; the note says what was wrong, for problems.csv
    (in English and in Chinese)."""
    if len(fields) == width:
        return fields, "", ""
    if len(fields) < width:
        note = f"the row has {len(fields)} fields, the header {width}: the missing answers count as blank"
        return fields + [""] * (width - len(fields)), note, f"该行有 {len(fields)} 个字段,表头有 {width} 个:缺少的答案按未作答计"
    extra = [f for f in fields[width:] if f.strip()]
    cut = fields[:width]
    if not extra:
        return cut, "", ""  # trailing empty fields (a spreadsheet's stray commas) lose nothing
    return (cut, f"the row has {len(fields)} fields, the header {width}: extra fields not graded: {raw_row(extra)}",
            f"该行有 {len(fields)} 个字段,表头有 {width} 个:多出的字段未评分:{raw_row(extra)}")


_TIME_FORMATS = (
    "%d %B %Y %I:%M %p",  # Moodle: 28 February 2021  9:26 PM (spaces collapsed first)
    "%A, %d %B %Y, %I:%M %p",
    "%Y-%m-%d %H:%M:%S UTC",  # Canvas
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
)


def sortable_time(text: str) -> str:
    """An ISO timestamp for ordering attempts, or "" when the text is in no known format."""
    from datetime import datetime

    cleaned = " ".join(text.split())
    if not cleaned or cleaned == "-":
        return ""
    if cleaned[:1].isdigit() and cleaned[4:5] == "-":
        # ISO 8601, the common case (Canvas, spreadsheets, JSON): fromisoformat is fast, strptime is not.
        with contextlib.suppress(ValueError):
            return datetime.fromisoformat(cleaned[:-1] if cleaned.endswith("Z") else cleaned).replace(tzinfo=None).isoformat()
    if cleaned.endswith("Z"):
        cleaned = cleaned[:-1]
    for pattern in _TIME_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern).isoformat()
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(cleaned).replace(tzinfo=None).isoformat()
    except ValueError:
        return ""
