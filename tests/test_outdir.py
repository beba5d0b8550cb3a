"""Output folders: runs land whole or not at all; quizgen deletes only what it wrote, never through a link."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from quizgen.errors import QuizgenError
from quizgen.outdir import MANIFEST, STATE_DIR, Entry, OutputRun, read_manifest


def _files(folder: Path) -> dict[str, bytes]:
    """Everything in ``folder`` but quizgen's own state, as relative path -> bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and STATE_DIR not in p.relative_to(folder).parts}


def _run(out: Path, files: dict[str, str], *, stale: bool = True, command: str = "render") -> tuple[str, ...]:
    with OutputRun(out, command) as run:
        for rel, text in files.items():
            (run.stage / rel).parent.mkdir(parents=True, exist_ok=True)
            (run.stage / rel).write_text(text)
        report = run.commit(tags=lambda rel: {"student": Path(rel).stem}, stale=lambda entry: stale)
    return report.removed


def test_commit_moves_staged_files_in_and_records_them(tmp_path: Path) -> None:
    _run(tmp_path, {"students/a.html": "A", "key.json": "{}"})
    assert _files(tmp_path) == {"key.json": b"{}", "students/a.html": b"A"}
    manifest = read_manifest(tmp_path)
    assert sorted(manifest.files) == ["key.json", "students/a.html"]
    assert manifest.files["students/a.html"].tags == {"student": "a"}
    assert manifest.files["students/a.html"].command == "render"
    assert [p.name for p in (tmp_path / STATE_DIR).iterdir()] == ["lock", "manifest.json"]  # no stage left


def test_error_before_commit_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    _run(tmp_path, {"students/a.html": "old A", "class.pdf": "old class"})
    before = _files(tmp_path)
    with pytest.raises(RuntimeError), OutputRun(tmp_path, "render") as run:
        (run.stage / "students").mkdir()
        (run.stage / "students" / "a.html").write_text("new A")
        raise RuntimeError("killed half way")
    assert _files(tmp_path) == before
    assert [p.name for p in (tmp_path / STATE_DIR).iterdir() if p.name.startswith("stage-")] == []


def test_stale_files_go_but_only_listed_unchanged_regular_ones(tmp_path: Path) -> None:
    _run(tmp_path, {"students/a.html": "A", "students/b.html": "B", "students/c.html": "C"})
    (tmp_path / "students" / "mine.html").write_text("the teacher's own page")  # never written by quizgen
    (tmp_path / "students" / "b.html").write_text("B, edited by hand")  # quizgen's, but changed since
    removed = _run(tmp_path, {"students/d.html": "D"})
    assert removed == ("students/a.html", "students/c.html")
    assert _files(tmp_path) == {"students/b.html": b"B, edited by hand", "students/d.html": b"D",
                                "students/mine.html": b"the teacher's own page"}
    assert sorted(read_manifest(tmp_path).files) == ["students/d.html"]  # an edited file is no longer quizgen's


def test_never_deletes_through_a_symbolic_link(tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    _run(out, {"feedback/a.html": "A"})
    elsewhere.mkdir()
    (elsewhere / "a.html").write_text("A")
    os.utime(elsewhere / "a.html", ns=(0, read_manifest(out).files["feedback/a.html"].mtime_ns))
    (out / "feedback" / "a.html").unlink()
    (out / "feedback").rmdir()
    (out / "feedback").symlink_to(elsewhere)  # same name, same size and time, but behind a link
    with OutputRun(out, "grade") as run:
        report = run.commit(stale=lambda entry: True)
    assert report.kept == ("feedback/a.html",) and (elsewhere / "a.html").read_text() == "A"


def test_writing_through_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    elsewhere.mkdir()
    out.mkdir()
    (out / "students").symlink_to(elsewhere)
    with pytest.raises(QuizgenError, match="symbolic link"):
        _run(out, {"students/a.html": "A"})
    assert list(elsewhere.iterdir()) == []


def test_a_commit_killed_half_way_is_finished_by_the_next_run(tmp_path: Path) -> None:
    """A journal left by a killed commit (written as commit writes it) is carried out before anything else."""
    _run(tmp_path, {"students/a.html": "old A", "students/gone.html": "G"})
    old = read_manifest(tmp_path)
    stage = tmp_path / STATE_DIR / "stage-render-killed"
    (stage / "students").mkdir(parents=True)
    (stage / "students" / "b.html").write_text("new B")  # a.html had been moved in already
    (tmp_path / "students" / "a.html").write_text("new A")
    info = (tmp_path / "students" / "a.html").stat()
    new_a = Entry("students/a.html", "render", info.st_size, info.st_mtime_ns)
    b = (stage / "students" / "b.html").stat()
    manifest = {"quizgen_manifest": 1, "exam": None, "files": [new_a.to_json(),
                                                                Entry("students/b.html", "render", b.st_size, b.st_mtime_ns).to_json()]}
    journal = {"stage": stage.name, "moves": ["students/a.html", "students/b.html"],
               "remove": [old.files["students/gone.html"].to_json()], "manifest": manifest}
    (tmp_path / STATE_DIR / "journal.json").write_text(json.dumps(journal))
    with OutputRun(tmp_path, "render"):
        pass
    assert _files(tmp_path) == {"students/a.html": b"new A", "students/b.html": b"new B"}
    assert sorted(read_manifest(tmp_path).files) == ["students/a.html", "students/b.html"]
    assert not stage.exists() and not (tmp_path / STATE_DIR / "journal.json").exists()


def test_a_stage_left_by_a_killed_process_is_cleared(tmp_path: Path) -> None:
    orphan = tmp_path / STATE_DIR / "stage-render-dead"
    orphan.mkdir(parents=True)
    (orphan / "x.pdf").write_text("half")
    with OutputRun(tmp_path, "render") as run:
        assert not orphan.exists()
        assert run.stage.exists()


def test_manifest_paths_outside_the_folder_are_refused(tmp_path: Path) -> None:
    (tmp_path / STATE_DIR).mkdir()
    (tmp_path / MANIFEST).write_text(json.dumps({"quizgen_manifest": 1, "exam": None, "files": [
        {"path": "../victim.txt", "command": "render", "size": 1, "mtime_ns": 1, "tags": {}}]}))
    with pytest.raises(QuizgenError, match="not a path inside the output folder"):
        read_manifest(tmp_path)



def test_a_commit_that_fails_half_way_keeps_its_stage_for_the_next_run(tmp_path: Path) -> None:
    """Its journal written, a commit that fails (say a folder became unwritable) leaves the files it
    had not moved in its stage; the next run finishes the move instead of losing them."""
    with pytest.raises(OSError), OutputRun(tmp_path, "render") as run:
        (run.stage / "b.html").write_text("new B")
        info = (run.stage / "b.html").stat()
        manifest = {"quizgen_manifest": 1, "exam": None,
                    "files": [Entry("b.html", "render", info.st_size, info.st_mtime_ns).to_json()]}
        journal = {"stage": run.stage.name, "moves": ["b.html"], "remove": [], "manifest": manifest}
        (tmp_path / STATE_DIR / "journal.json").write_text(json.dumps(journal))
        raise PermissionError("the move failed here")
    assert _files(tmp_path) == {}
    with OutputRun(tmp_path, "render"):
        pass
    assert _files(tmp_path) == {"b.html": b"new B"} and sorted(read_manifest(tmp_path).files) == ["b.html"]
