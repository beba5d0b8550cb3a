"""What the CSV readers share: splitting decoded text into records with spreadsheet row numbers."""

from __future__ import annotations

__all__ = ["CsvRecords", "find_column", "fit", "raw_row", "read_csv_records", "sortable_time"]

import csv
import io
from dataclasses import dataclass

from ...errors import Location, ResponseError

_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True, slots=True)
class CsvRecords:
    header: tuple[str, ...]
    records: tuple[tuple[int, list[str]], ...]  # (spreadsheet row number, fields); header is row 1
    delimiter: str
    header_line: int = 1  # blank lines may precede the header


def _delimiter(text: str) -> str:
    """Excel writes ';' in many European locales and tabs for "Unicode text" (UTF-16): count them
    in the header line, where no answer text can skew the count."""
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def read_csv_records(text: str, source: str) -> CsvRecords:
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    header_line = 1
    try:
        for number, fields in enumerate(reader, start=1):
            if not any(cell.strip() for cell in fields):
                continue  # a blank line holds no submission (and blank lines may precede the header)
            if header is None:
                header, header_line = fields, number
            else:
                records.append((number, fields))
    except csv.Error as error:
        raise ResponseError(f"not readable as CSV: {error}", Location(file=source, line=reader.line_num)) from None
    if header is None:
        raise ResponseError("the responses file is empty", Location(file=source))
    return CsvRecords(tuple(cell.strip() for cell in header), tuple(records), delimiter, header_line)


def find_column(header: tuple[str, ...], names: tuple[str, ...]) -> int | None:
    """Index of the first header cell equal (ignoring case and spaces) to one of names, in names' order."""
    lowered = [h.strip().casefold() for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def raw_row(fields: list[str], delimiter: str = ",") -> str:
    """The fields written back as one CSV line, for problems.csv."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="").writerow(fields)
    return out.getvalue()


def fit(fields: list[str], width: int) -> tuple[list[str], str]:
    """Pad or cut a record to the header's width; the note says what was wrong, for problems.csv."""
    if len(fields) == width:
        return fields, ""
    if len(fields) < width:
        note = f"the row has {len(fields)} fields, the header {width}: the missing answers count as blank"
        return fields + [""] * (width - len(fields)), note
    extra = [f for f in fields[width:] if f.strip()]
    cut = fields[:width]
    if not extra:
        return cut, ""  # trailing empty fields (a spreadsheet's stray commas) lose nothing
    return cut, f"the row has {len(fields)} fields, the header {width}: extra fields not graded: {raw_row(extra)}"


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
