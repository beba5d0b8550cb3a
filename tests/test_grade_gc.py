"""A grading run keeps the cyclic garbage collector paused from the first row read to the last file
written, and leaves no reference cycles behind (issue 15: with a key of millions of objects, each
full collection cost 1.3 s, and the cycles a run left made the collector's next pass walk the whole
grader, 0.25 s)."""

from __future__ import annotations

import csv
import gc
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.grading.answers import correct_text, make_exam

from quizgen.errors import AnswerParseError
from quizgen.grading.engine import grade_responses
from quizgen.grading.gcpause import detached
from quizgen.grading.model import GradingOptions, ResponseRow, ResponseTable
from quizgen.grading.readers import read_responses
from quizgen.grading.write import grade_and_write

EXAM = make_exam(count=3)
# Every kind of text that ends in a kept parse error: garbage, blanks, half shapes, bad formulas.
GARBAGE = ("banana", "", "-", "(26, 26", "？", "18207 apples", "x*y*", "part 1: 3; part 1: 4", "1/0", "C_out +* 3")


def _responses(tmp_path: Path) -> Path:
    ids = [q.id for q in EXAM.variants[0].questions]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["student_id", *ids])
    for i, v in enumerate(EXAM.variants):
        answers = [correct_text(q) if i == 0 else GARBAGE[(i + j) % len(GARBAGE)] for j, q in enumerate(v.questions)]
        writer.writerow([v.student_id, *answers])
    path = tmp_path / "responses.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def collector() -> Iterator[None]:
    """The collector on and empty at the start; as it was at the end."""
    enabled = gc.isenabled()
    gc.enable()
    gc.collect()
    try:
        yield
    finally:
        (gc.enable if enabled else gc.disable)()


def test_a_grading_run_leaves_no_cycles(tmp_path: Path, collector: None) -> None:
    gc.disable()
    try:
        result = grade_and_write(EXAM, read_responses(_responses(tmp_path)), tmp_path / "out", GradingOptions())
        assert any(a.verdict.value == "unparseable" for s in result.students for a in s.answers)
        del result
        assert gc.collect() == 0  # nothing was left for the collector: reference counting freed it all
    finally:
        gc.enable()


def test_the_collector_is_paused_while_rows_are_read_and_pages_described(tmp_path: Path, collector: None) -> None:
    table = read_responses(_responses(tmp_path))
    seen: list[bool] = []

    def rows() -> Iterator[ResponseRow]:
        for row in table.rows:
            seen.append(gc.isenabled())
            yield row

    streamed = ResponseTable(table.source, table.format, table.encoding, table.columns, table.column_ids, table.positions, rows())
    result = grade_responses(EXAM, streamed, GradingOptions(), on_student=lambda _: seen.append(gc.isenabled()))
    assert len(result.students) == len(EXAM.variants)
    assert len(seen) == 2 * len(EXAM.variants)
    assert not any(seen)
    assert gc.isenabled()  # and on again afterwards


def test_detached_drops_the_tracebacks_of_an_error_and_its_context() -> None:
    def fails() -> None:
        try:
            raise ValueError("inner")
        except ValueError:
            raise AnswerParseError("outer") from None

    try:
        fails()
    except AnswerParseError as error:
        kept = detached(error)
    assert kept.__traceback__ is None
    assert kept.__context__ is not None
    assert kept.__context__.__traceback__ is None
    assert str(kept) == "outer"
