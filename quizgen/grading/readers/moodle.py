"""Moodle quiz "Responses" report (CSV download).

Layout as Moodle writes it: ``Surname, First name, [ID number, Username,] Institution,
Department, Email address, State, Started on, Completed, Time taken, Grade/10.00,
Response 1, ..., Response N`` (optionally ``Question i`` / ``Right answer i`` columns), ``-``
for no answer, multi-part answers as ``part 1: 26; part 2: 32``, and a last row
``Overall average``. Response i is the student's i-th question.

With "Question text" ticked in the report's options, each slot has a ``Question i`` column
before ``Response i``: the plain text of the question Moodle served (a random question picks a
variant per student), which ends with quizgen's ``[quizgen <question id> <variant code>]``.
"""

from __future__ import annotations

__all__ = ["is_moodle_header", "read_moodle"]

import re

from ...errors import Location, ResponseError
from ...lms.groups import find_reference
from ..model import UNTAGGED, ResponseFormat, ResponseRow, ResponseTable
from .common import CsvRecords, LazyRows, find_column, fit, raw_row, sortable_time

_RESPONSE = re.compile(r"response\s*(\d+)", re.IGNORECASE)
_QUESTION = re.compile(r"question\s*(\d+)", re.IGNORECASE)
_FOOTER = "overall average"


def is_moodle_header(header: tuple[str, ...]) -> bool:
    return any(_RESPONSE.fullmatch(h) for h in header) and find_column(header, ("surname", "state", "email address")) is not None


def read_moodle(csv_records: CsvRecords, source: str, encoding: str) -> ResponseTable:
    header = csv_records.header
    responses = sorted((int(m[1]), i) for i, h in enumerate(header) if (m := _RESPONSE.fullmatch(h)))
    if not responses:
        raise ResponseError("a Moodle responses report needs 'Response 1', 'Response 2', ... columns", Location(file=source, row=1))
    texts = {int(m[1]): i for i, h in enumerate(header) if (m := _QUESTION.fullmatch(h))}
    text_cols = tuple(texts.get(n) for n, _ in responses) if texts else ()
    col = {name: find_column(header, names) for name, names in {
        "id_number": ("id number", "idnumber"), "username": ("username",), "email": ("email address", "email"),
        "first_name": ("first name",), "last_name": ("surname", "last name"), "state": ("state",),
        "completed": ("completed",), "started": ("started on",),
    }.items()}
    seen: dict[str, tuple[str, str] | None] = {}  # a class sees few distinct question texts

    def row(number: int, fields: list[str]) -> ResponseRow | None:
        if fields[0].strip().casefold() == _FOOTER:
            return None  # Moodle's summary row, not a submission
        cells, note, note_zh = fit(fields, len(header))

        def get(name: str, cells: list[str] = cells) -> str:
            index = col[name]
            value = cells[index].strip() if index is not None else ""
            return "" if value == "-" else value

        identity = {k: get(k) for k in ("first_name", "last_name", "email", "id_number", "username") if get(k)}
        first, last = get("first_name"), get("last_name")
        # Names last, for keys made from a roster without emails: "First Last", and Chinese order "姓 名" / "姓名".
        names = (f"{first} {last}", f"{last} {first}", f"{last}{first}") if first and last else (first or last,)
        ids = tuple(dict.fromkeys(v.strip() for v in (get("id_number"), get("username"), get("email"), *names) if v.strip()))
        state = get("state")
        finished = 0 if state.casefold() in ("in progress", "overdue", "never submitted", "abandoned") else 1
        return ResponseRow(
            row=number,
            ids=ids,
            answers=tuple(cells[i] for _, i in responses),
            order=(finished, sortable_time(get("completed") or get("started")), number),
            state=state,
            identity=identity,
            raw=raw_row(fields, csv_records.delimiter),
            note=note,
            note_zh=note_zh,
            # A response without its own "Question N" column (a hand-edited report) is kept, graded by position.
            served=tuple(_served(cells[i], seen) if i is not None else None if cells[r].strip() in ("", "-") else UNTAGGED
                         for i, (_, r) in zip(text_cols, responses, strict=False)),
        )

    rows = LazyRows(csv_records.records, row)
    columns = tuple(header[i] for _, i in responses)
    return ResponseTable(source, ResponseFormat.MOODLE, encoding, columns, (None,) * len(columns),
                         tuple(n - 1 for n, _ in responses), rows, served_columns=bool(texts))


def _served(text: str, seen: dict[str, tuple[str, str] | None]) -> tuple[str, str] | None:
    if text in seen:
        return seen[text]
    # "-": Moodle has no question in this slot for the attempt (never started)
    found = seen[text] = None if text.strip() in ("", "-") else find_reference(text) or UNTAGGED
    return found
