"""Canvas classic quiz "Student Analysis" report (CSV).

Layout: ``name, id, sis_id, section, section_id, section_sis_id, submitted, attempt``, then
for each question a column ``"<question id>: <question text>"`` followed by a points column
headed by the points possible, and finally ``n correct, n incorrect, score``.

A question group gives each student some of its questions: Canvas lists every question any
student got, and leaves both cells empty for a student who did not get it. The question text
(tags stripped) ends with quizgen's ``[quizgen <question id> <variant code>]``, so each column
names the variant it holds.
"""

from __future__ import annotations

__all__ = ["is_canvas_header", "read_canvas"]

import re

from ...errors import Location, ResponseError
from ...lms.groups import find_reference
from ..model import UNTAGGED, ResponseFormat, ResponseRow, ResponseTable
from .common import CsvRecords, LazyRows, find_column, fit, raw_row, sortable_time

_QUESTION = re.compile(r"([^:\s]+):\s(.*)", re.DOTALL)
_NUMERIC_QUESTION = re.compile(r"\d+:\s")
_POINTS = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_TRAILER = ("n correct", "n incorrect", "score")
_META = ("name", "id", "sis_id", "sis_login_id", "login_id", "email", "section", "section_id", "section_sis_id", "submitted", "attempt")


def is_canvas_header(header: tuple[str, ...]) -> bool:
    folded = {h.casefold() for h in header}
    return bool(folded & {"n correct", "attempt", "section"}) and any(_NUMERIC_QUESTION.match(h) for h in header)


def read_canvas(csv_records: CsvRecords, source: str, encoding: str) -> ResponseTable:
    header = csv_records.header
    folded = [h.casefold() for h in header]
    questions: list[tuple[int, str]] = []  # (column, id prefix)
    for i, h in enumerate(header):
        if folded[i] in _META or folded[i] in _TRAILER or _POINTS.fullmatch(h):
            continue
        if m := _QUESTION.fullmatch(h):
            questions.append((i, m[1]))
    if not questions:
        raise ResponseError("a Canvas Student Analysis report needs question columns titled '<id>: <question text>'",
                            Location(file=source, row=1))
    # Each question column's points cell: filled (even "0.0") when the student was given the question.
    points = [i + 1 if i + 1 < len(header) and _POINTS.fullmatch(header[i + 1]) else None for i, _ in questions]
    refs = [find_reference(header[i]) or UNTAGGED for i, _ in questions]
    col = {name: find_column(header, (name,)) for name in ("name", "id", "sis_id", "sis_login_id", "email", "section",
                                                           "submitted", "attempt")}

    def row(number: int, fields: list[str]) -> ResponseRow | None:
        cells, note, note_zh = fit(fields, len(header))

        def get(name: str, cells: list[str] = cells) -> str:
            index = col[name]
            return cells[index].strip() if index is not None else ""

        identity = {k: get(k) for k in ("name", "id", "sis_id", "sis_login_id", "email", "section") if get(k)}
        attempt = get("attempt")
        return ResponseRow(
            row=number,
            ids=tuple(v for v in (get("sis_id"), get("sis_login_id"), get("email"), get("id"), get("name")) if v),
            answers=tuple(cells[i] for i, _ in questions),
            order=(1, (f"{int(attempt):06d}" if attempt.isdigit() else "") + " " + sortable_time(get("submitted")), number),
            identity=identity,
            raw=raw_row(fields, csv_records.delimiter),
            note=note,
            note_zh=note_zh,
            served=tuple(ref if cells[i].strip() or (p is not None and cells[p].strip()) else None
                         for (i, _), p, ref in zip(questions, points, refs, strict=True)),
        )

    rows = LazyRows(csv_records.records, row)
    columns = tuple(header[i] for i, _ in questions)
    return ResponseTable(source, ResponseFormat.CANVAS, encoding, columns, tuple(prefix for _, prefix in questions),
                         tuple(range(len(columns))), rows, served_columns=True)
