"""JSON lines: one object per line, e.g.

    {"student_id": "S001", "answers": {"conv-params": "18207", "conv-shape": [26, 26, 32]}}
    {"student_id": "S002", "answers": ["18207", "(26, 26, 32)"]}        (in question order)
    {"student_id": "S003", "conv-params": 18207}                        (answers at the top level)

Numbers and lists are accepted as well as text; a summary answer may be a list of parts, an
object of cells (``{"0.shape": ..., "0.params": ..., "total_params": ...}``) or the key's own
form (``{"rows": [{"output_shape": ..., "params": ...}], "total_params": ...}``).
"""

from __future__ import annotations

__all__ = ["json_answer_text", "read_jsonl", "read_jsonl_lines"]

import dataclasses
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from ..model import Problem, ProblemKind, ResponseFormat, ResponseRow, ResponseTable
from ..problemlog import ProblemLog
from .common import sortable_time

_IDS = ("student_id", "id", "sis_id", "id_number", "username", "login", "email")
_IDENTITY = ("name", "student_name", "first_name", "last_name", "email")
_META = (*_IDS, *_IDENTITY, "submitted", "submitted_at", "timestamp", "attempt", "state")
_ANSWERS = ("answers", "responses")


# Deepest nesting a row may have: a summary answer in the key's own form is 4 deep
# ({"answers": {"q": {"rows": [{"output_shape": [...]}]}}}); far deeper is not an answer, and
# reading it would exhaust Python's stack (a RecursionError instead of one problem row).
MAX_DEPTH = 32
_TOO_DEEP = object()


def _depth_over(value: Any, limit: int) -> bool:
    """True if ``value`` nests lists and objects more than ``limit`` deep (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def json_answer_text(value: Any) -> str:
    """One answer as the text a student would type (parts joined with '; ')."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, Mapping):
        if isinstance(value.get("rows"), list):
            cells: dict[str, Any] = {}
            for i, row in enumerate(value["rows"]):
                if isinstance(row, Mapping):
                    cells[f"{i}.shape"] = row.get("output_shape", row.get("shape"))
                    cells[f"{i}.params"] = row.get("params")
            for key in ("total_params", "trainable_params", "non_trainable_params"):
                if key in value:
                    cells[key] = value[key]
            value = cells
        return "; ".join(f"{k}: {json_answer_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        if all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in value):
            return json.dumps(value)  # a shape: [26, 26, 32], [null, 26, 26, 32]
        return "; ".join(json_answer_text(v) for v in value)
    return str(value)


# Python's json messages in Chinese, by how they start (the rest, such as a quoted character, is kept).
_JSON_ZH = (("Expecting value", "应为一个值"), ("Expecting property name enclosed in double quotes", "应为双引号括起的键名"),
            ("Expecting ',' delimiter", "应为分隔符 ','"), ("Expecting ':' delimiter", "应为分隔符 ':'"),
            ("Unterminated string starting at", "字符串没有结束"), ("Invalid control character", "无效的控制字符"),
            ("Invalid \\uXXXX escape", "无效的 \\u 转义"), ("Invalid \\escape", "无效的转义"), ("Extra data", "多余的内容"),
            ("Illegal trailing comma", "多余的结尾逗号"), ("Unexpected UTF-8 BOM", "意外的 UTF-8 BOM"))


def _json_error_zh(error: json.JSONDecodeError) -> str:
    for en, zh in _JSON_ZH:
        if error.msg.startswith(en):
            rest = error.msg[len(en):].removesuffix(" at").strip(": ")
            return f"JSON 无效:{zh}" + (f" {rest}" if rest else "") + f" (第 {error.colno} 列)"
    return f"JSON 无效:{error.msg!r} (第 {error.colno} 列)"


def _parse_line(number: int, line: str) -> Problem | tuple[Mapping[str, Any], Any] | None:
    """A line's object and its answers container (a list, an object, or None: answers at the top
    level), a Problem for a line that is no usable object, None for a blank line."""
    if not line.strip():
        return None
    line = line.rstrip("\r\n")
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        return Problem(ProblemKind.MALFORMED_ROW, number, "", f"invalid JSON: {error.msg} at column {error.colno}", line,
                       zh=_json_error_zh(error))
    except RecursionError:  # thousands of brackets: the decoder gives up before it finishes
        data = _TOO_DEEP
    if data is _TOO_DEEP or _depth_over(data, MAX_DEPTH):
        sid = data.get("student_id") if isinstance(data, Mapping) else None
        return Problem(ProblemKind.MALFORMED_ROW, number, sid if isinstance(sid, str) else "",
                       f"the line nests lists or objects more than {MAX_DEPTH} deep: not graded", line,
                       zh=f"该行的列表或对象嵌套超过 {MAX_DEPTH} 层:未评分")
    if not isinstance(data, Mapping):
        return Problem(ProblemKind.MALFORMED_ROW, number, "", "a line must hold a JSON object", line, zh="每一行必须是一个 JSON 对象")
    return data, next((data[k] for k in _ANSWERS if k in data), None)


def _answer_items(data: Mapping[str, Any], container: Any) -> Iterator[tuple[str, Any]]:
    """(column label, value) of each answer: "#1", "#2", ... for a list, the key otherwise."""
    if isinstance(container, list):
        yield from ((f"#{i + 1}", value) for i, value in enumerate(container))
        return
    top = ((k, v) for k, v in data.items() if k not in _META and k not in _ANSWERS)
    yield from ((str(k), v) for k, v in (container.items() if isinstance(container, Mapping) else top))


def _lines(text: str) -> Callable[[], Iterable[str]]:
    return lambda: io.StringIO(text, newline=None)  # lines end at \n, \r\n or \r, as in a file


def read_jsonl(text: str, source: str, encoding: str) -> ResponseTable:
    """JSON lines in memory; the rows are a tuple."""
    table = read_jsonl_lines(_lines(text), source, encoding)
    return dataclasses.replace(table, rows=tuple(table.rows))


def read_jsonl_lines(lines: Callable[[], Iterable[str]], source: str, encoding: str) -> ResponseTable:
    """JSON lines from ``lines()``, called twice: once here for the columns (every label any line
    uses) and the malformed lines, and again each time the rows are iterated, so a file is streamed
    and never held whole. Malformed lines past problemlog.LISTED are counted, not kept."""
    columns: dict[str, tuple[str | None, int]] = {}  # label -> (candidate question id, position)
    malformed = ProblemLog()
    keyed = 0
    for number, line in enumerate(lines(), start=1):
        parsed = _parse_line(number, line)
        if parsed is None:
            continue
        if isinstance(parsed, Problem):
            malformed.add(parsed)
            continue
        data, container = parsed
        for label, _ in _answer_items(data, container):
            if label not in columns:
                if label.startswith("#") and isinstance(container, list):
                    columns[label] = (None, int(label[1:]) - 1)
                else:
                    columns[label] = (label, keyed)
                    keyed += 1
    labels = tuple(columns)

    def rows() -> Iterator[ResponseRow]:
        for number, line in enumerate(lines(), start=1):
            parsed = _parse_line(number, line)
            if parsed is None or isinstance(parsed, Problem):
                continue
            data, container = parsed
            answers = {label: json_answer_text(value) for label, value in _answer_items(data, container)}
            usable = container is None or isinstance(container, (list, Mapping))
            note, note_zh = ("", "") if usable else ("'answers' must be an object or a list", "'answers' 必须是对象或列表")

            def get(key: str, data: Mapping[str, Any] = data) -> str:
                value = data.get(key)
                return "" if value is None or isinstance(value, (Mapping, list)) else str(value).strip()

            identity = {k: get(k) for k in _IDENTITY if get(k)}
            when = sortable_time(get("submitted") or get("submitted_at") or get("timestamp"))
            attempt = get("attempt")
            yield ResponseRow(
                row=number,
                ids=tuple(v for v in (get(k) for k in _IDS) if v),
                answers=tuple(answers.get(label, "") for label in labels),
                order=(1, (f"{int(attempt):06d}" if attempt.isdigit() else "") + " " + when, number),
                state=get("state"),
                identity=identity,
                raw=json.dumps(data, ensure_ascii=False, sort_keys=True),
                note=note,
                note_zh=note_zh,
            )

    return ResponseTable(source, ResponseFormat.JSONL, encoding, labels, tuple(columns[c][0] for c in labels),
                         tuple(columns[c][1] for c in labels), _Rows(rows), (*malformed.listed, *malformed.summaries()))


class _Rows:
    """Re-iterable: each iteration reads the lines again."""

    def __init__(self, make: Callable[[], Iterator[ResponseRow]]) -> None:
        self.make = make

    def __iter__(self) -> Iterator[ResponseRow]:
        return self.make()
