"""`quizgen generate` keeps the cyclic collector off the exam it built (issue 15).

The collector pauses while the exam is built, the exam is frozen (left out of later passes) while
the worksheets are rendered with the collector on, and the command hands everything back when it ends.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest
import typer

import quizgen.cli.generate as command
from quizgen import generate
from quizgen.cli.generate import generate_command

BANK = str(Path(__file__).resolve().parent / "benchmarks" / "conv2d-x10.yaml")


def test_the_exam_is_built_without_the_collector_and_rendered_frozen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    seen: dict[str, Any] = {}
    render, real_build = command.render_with_progress, generate.generate_exam

    def building(*args: Any, **kwargs: Any) -> Any:
        seen["building"] = gc.isenabled()
        return real_build(*args, **kwargs)

    def rendering(*args: Any, **kwargs: Any) -> Any:
        seen["rendering"] = (gc.isenabled(), gc.get_freeze_count())
        return render(*args, **kwargs)

    monkeypatch.setattr(generate, "generate_exam", building)
    monkeypatch.setattr(command, "render_with_progress", rendering)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    generate_command(banks=[BANK], seed=1, out=tmp_path / "out", count=3, formats="key,html")
    assert seen["building"] is False
    enabled, frozen = seen["rendering"]
    assert enabled and frozen > 1000  # the exam's objects, left out of the collector's passes
    assert gc.isenabled() and gc.get_freeze_count() == 0  # all handed back
    assert (tmp_path / "out" / "key.json").is_file() and len(list((tmp_path / "out" / "students").glob("*.html"))) == 3
    capsys.readouterr()


def test_a_run_failing_after_the_build_hands_the_objects_back_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    def full_disk(*_args: Any, **_kwargs: Any) -> None:
        assert gc.get_freeze_count() > 1000
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(command, "render_with_progress", full_disk)
    with pytest.raises(typer.Exit):
        generate_command(banks=[BANK], seed=1, out=tmp_path / "out", count=2, formats="key,html")
    assert "No space left on device" in capsys.readouterr().err
    assert gc.isenabled() and gc.get_freeze_count() == 0
