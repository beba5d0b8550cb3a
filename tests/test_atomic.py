"""Atomic writes: whole files or none, with the permissions a plain open() would give."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from quizgen.atomic import write_bytes_atomic, write_text_atomic


def test_written_file_has_umask_mode_not_mkstemps_0600(tmp_path: Path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    atomic = tmp_path / "out" / "atomic.txt"
    write_text_atomic(atomic, "x")
    assert stat.S_IMODE(atomic.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)


def test_replaces_existing_file_and_leaves_no_temporaries(tmp_path: Path) -> None:
    target = tmp_path / "key.json"
    target.write_text("old")
    write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["key.json"]


def test_failed_write_keeps_old_file(tmp_path: Path) -> None:
    target = tmp_path / "key.json"
    target.write_text("old")
    with pytest.raises(TypeError):
        write_bytes_atomic(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["key.json"]
