"""Plain CSV: a student id column, then one column per question (headed by its id, or in order)."""

from __future__ import annotations

__all__ = ["read_plain"]

from ...response_columns import FIRST, ID_COLUMNS, LAST, NAME, OTHER, TIME
from ..model import ResponseFormat, ResponseRow, ResponseTable
from .common import CsvRecords, LazyRows, fit, raw_row, sortable_time


def read_plain(csv_records: CsvRecords, source: str, encoding: str) -> ResponseTable:
    header = csv_records.header
    folded = [h.casefold() for h in header]
    id_cols = [folded.index(n) for n in ID_COLUMNS if n in folded]
    titled = bool(id_cols)
    if not id_cols:
        id_cols = [0]  # "student_id then one column per question": the first column is the id whatever its title
    role = dict.fromkeys(id_cols, "id")
    for names, name in ((NAME, "name"), (FIRST, "first"), (LAST, "last"), (TIME, "time"), (OTHER, "other")):
        for i, h in enumerate(folded):
            if h in names and i not in role:
                role[i] = name
                titled = True
    answer_cols = [i for i in range(len(header)) if i not in role]
    email_col = next((i for i in id_cols if "mail" in folded[i] or "邮箱" in folded[i]), None)

    def row(number: int, fields: list[str]) -> ResponseRow | None:
        cells, note, note_zh = fit(fields, len(header))
        identity = {}
        for i, r in role.items():
            if r in ("name", "first", "last") and cells[i].strip():
                identity[r] = cells[i].strip()
        if email_col is not None and cells[email_col].strip():
            identity["email"] = cells[email_col].strip()
        time = next((cells[i].strip() for i, r in role.items() if r == "time"), "")
        return ResponseRow(
            row=number,
            ids=tuple(cells[i].strip() for i in id_cols if cells[i].strip()),
            answers=tuple(cells[i] for i in answer_cols),
            order=(1, sortable_time(time), number),
            identity=identity,
            raw=raw_row(fields, csv_records.delimiter),
            note=note,
            note_zh=note_zh,
        )

    rows = LazyRows(csv_records.records, row)
    columns = tuple(header[i] for i in answer_cols)
    # No column title says "header": the first line may be a student's answers. The grader decides
    # with the key (is the first cell one of its students?), so it gets the line as a row too.
    first = None if titled else ResponseRow(row=csv_records.header_line, ids=(header[0],) if header[0] else (),
                                            answers=tuple(header[i] for i in answer_cols), order=(1, "", csv_records.header_line),
                                            raw=raw_row(list(header), csv_records.delimiter))
    return ResponseTable(source, ResponseFormat.PLAIN, encoding, columns, columns, tuple(range(len(columns))), rows,
                         first_row=first)
