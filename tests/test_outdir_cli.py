"""Output folders from the command line: all-or-nothing runs (real Ctrl-C), one exam per folder,
stale files of earlier runs, parallel shards, and practice pages kept apart from the key."""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizgen.cli import app
from quizgen.exam import Exam, load_key, write_key
from quizgen.outdir import STATE_DIR, read_manifest

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
runner = CliRunner()


def quizgen(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout + result.stderr


def flat(text: str) -> str:
    """A message as one line, without the frame typer draws around usage errors."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def outputs(folder: Path) -> dict[str, bytes]:
    """What a user sees in ``folder``: every file but quizgen's own record in .quizgen/."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.relative_to(folder).parts[0] != STATE_DIR}


def interrupt_once_writing(args: list[str], folder: Path, suffix: str) -> subprocess.CompletedProcess[str]:
    """Run ``quizgen ARGS`` and press Ctrl-C (SIGINT) as soon as it has written a new ``suffix`` file
    anywhere under ``folder``: the middle of the run."""
    started = time.time_ns()
    process = subprocess.Popen([sys.executable, "-m", "quizgen", *args], env=ENV, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while process.poll() is None and time.monotonic() < deadline:
        fresh = False
        for path in folder.rglob(f"*{suffix}"):
            try:
                fresh = path.stat().st_mtime_ns >= started
            except FileNotFoundError:
                continue
            if fresh:
                break
        if fresh:
            break
        time.sleep(0.002)
    assert process.poll() is None, "the run finished before it could be interrupted"
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=300)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def finish(args: list[str]) -> None:
    result = subprocess.run([sys.executable, "-m", "quizgen", *args], env=ENV, capture_output=True, text=True, timeout=600,
                            check=False)
    assert result.returncode == 0, result.stderr


# --- #14 item 2: a run lands whole or not at all ----------------------------------------------

@pytest.mark.pdf
@pytest.mark.slow
def test_generate_interrupted_by_ctrl_c_leaves_the_previous_exam_whole(tmp_path: Path) -> None:
    exam = tmp_path / "exam"
    first = ["generate", "conv-basics", "--seed", "3", "--count", "2", "--format", "key,pdf", "--jobs", "1"]
    finish([*first, "--out", str(exam)])
    before = outputs(exam)
    second = [*first, "--title", "Second try", "--paper", "letter"]  # the same exam, every file different
    result = interrupt_once_writing([*second, "--out", str(exam)], exam, ".pdf")
    assert outputs(exam) == before
    assert result.returncode == 130 and "interrupted: nothing of this run was written" in result.stderr, result.stderr
    assert [p.name for p in (exam / STATE_DIR).iterdir() if p.name.startswith("stage-")] == []
    finish([*second, "--out", str(exam)])  # run to the end, it is the new run, whole
    after = outputs(exam)
    assert after.keys() == before.keys()
    assert all(after[name] != before[name] for name in after if name.endswith((".pdf", ".json")))  # answers.csv shows no title
    assert load_key(exam / "key.json").title == "Second try"


@pytest.mark.pdf
@pytest.mark.slow
def test_render_interrupted_by_ctrl_c_leaves_the_previous_render_whole(tmp_path: Path) -> None:
    exam = tmp_path / "exam"
    finish(["generate", "conv-basics", "--seed", "3", "--count", "2", "--format", "key,pdf", "--jobs", "1", "--out", str(exam)])
    before = outputs(exam)
    render = ["render", str(exam), "--format", "pdf", "--paper", "letter", "--jobs", "1"]
    result = interrupt_once_writing(render, exam, ".pdf")
    assert outputs(exam) == before
    assert result.returncode == 130, result.stderr
    finish(render)
    after = outputs(exam)
    assert after.keys() == before.keys()
    assert all(after[name] != before[name] for name in after if name.endswith(".pdf"))  # every PDF now on Letter paper


@pytest.mark.slow
def test_grade_interrupted_by_ctrl_c_leaves_the_previous_grading_whole(tmp_path: Path) -> None:
    exam, graded = tmp_path / "exam", tmp_path / "graded"
    assert quizgen("generate", "conv-basics", "--seed", "3", "--count", "200", "--out", exam)[0] == 0
    key = load_key(exam / "key.json")
    ids = [q.id for q in key.variants[0].questions]
    for name, answer in (("blank.csv", ""), ("ones.csv", "1")):
        with (tmp_path / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["student_id", *ids])
            writer.writerows([v.student_id, *([answer] * len(ids))] for v in key.variants)
    finish(["grade", str(exam / "key.json"), str(tmp_path / "blank.csv"), "--out", str(graded)])
    before = outputs(graded)
    result = interrupt_once_writing(["grade", str(exam / "key.json"), str(tmp_path / "ones.csv"), "--out", str(graded)],
                                    graded, ".html")
    assert outputs(graded) == before  # no new feedback pages beside the old CSVs
    assert result.returncode == 130, result.stderr
    finish(["grade", str(exam / "key.json"), str(tmp_path / "ones.csv"), "--out", str(graded)])
    after = outputs(graded)
    assert after.keys() == before.keys() and after["feedback.csv"] != before["feedback.csv"]


@pytest.mark.pdf
@pytest.mark.slow
def test_parallel_shards_render_into_one_folder(tmp_path: Path) -> None:
    """Batch tasks render their shards at the same time into one folder: every file lands, none twice."""
    exam = tmp_path / "exam"
    assert quizgen("generate", "conv-basics", "--seed", "3", "--count", "4", "--out", exam)[0] == 0
    shards = [subprocess.Popen([sys.executable, "-m", "quizgen", "render", str(exam), "--format", "html,pdf", "--jobs", "1",
                                "--shard", f"{i}/2"], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for i in (1, 2)]
    for shard in shards:
        _, stderr = shard.communicate(timeout=600)
        assert shard.returncode == 0, stderr
    names = {f"{folder}/S00{i}.{ext}" for folder in ("students", "keys") for i in range(1, 5) for ext in ("html", "pdf")}
    expected = names | {"key.json", *(f"{kind}-{i}-of-2.pdf" for kind in ("class", "keys", "answers") for i in (1, 2)),
                        "answers-1-of-2.csv", "answers-2-of-2.csv"}
    assert set(outputs(exam)) == expected
    assert set(read_manifest(exam).files) == expected
    assert [p.name for p in (exam / STATE_DIR).iterdir() if p.name.startswith("stage-")] == []


# --- #14 item 4 and #17 item 3: an output folder holds one exam -----------------------------------

def test_generate_refuses_a_folder_holding_another_exam(tmp_path: Path) -> None:
    assert quizgen("generate", "conv-basics", "--seed", "1", "--count", "3", "--format", "key,html", "--out", tmp_path)[0] == 0
    before = outputs(tmp_path)
    code, text = quizgen("generate", "pooling-and-shapes", "--seed", "2", "--count", "2", "--out", tmp_path)
    assert code == 1
    assert ("holds another exam: 'Convolution basics' (seed 1, 3 students, banks conv-basics); "
            "this run is 'Pooling and feature-map shapes' (seed 2, 2 students, banks pooling-and-shapes)") in text
    assert "add --force" in text
    assert outputs(tmp_path) == before


def test_a_key_json_from_before_manifests_is_recognised(tmp_path: Path) -> None:
    exam_dir = tmp_path / "made-elsewhere"
    assert quizgen("generate", "conv-basics", "--seed", "1", "--count", "2", "--out", exam_dir)[0] == 0
    write_key(load_key(exam_dir / "key.json"), tmp_path / "key.json")  # a bare key.json, no manifest
    code, text = quizgen("generate", "conv-basics", "--seed", "9", "--count", "2", "--out", tmp_path)
    assert code == 1 and "holds another exam: 'Convolution basics' (seed 1, 2 students" in text


def test_force_clears_what_quizgen_wrote_and_nothing_else(tmp_path: Path) -> None:
    assert quizgen("generate", "conv-basics", "--seed", "1", "--count", "3", "--format", "key,html", "--out", tmp_path)[0] == 0
    (tmp_path / "roster-notes.txt").write_text("mine")
    (tmp_path / "students" / "S001.html").write_text("edited by hand")
    code, text = quizgen("generate", "pooling-and-shapes", "--seed", "2", "--count", "1", "--format", "key,html",
                         "--out", tmp_path, "--force")
    assert code == 0, text
    assert sorted(outputs(tmp_path)) == ["key.json", "keys/S001.html", "roster-notes.txt", "students/S001.html"]
    assert (tmp_path / "roster-notes.txt").read_text() == "mine"
    assert "edited by hand" not in (tmp_path / "students" / "S001.html").read_text()  # replaced by this run's worksheet
    assert "replaced 'Convolution basics' (seed 1, 3 students, banks conv-basics)" in text
    assert "of the files quizgen wrote for it, 3 were overwritten by this run and 4 removed" in text
    assert "left 1 file quizgen has no record of writing" in text and "roster-notes.txt" in text
    assert load_key(tmp_path / "key.json").seed == 2


def test_regenerating_the_same_exam_needs_no_force_and_drops_students_who_left(tmp_path: Path) -> None:
    args = ["generate", "conv-basics", "--seed", "1", "--format", "key,html", "--out", tmp_path]
    assert quizgen(*args, "--count", "3")[0] == 0
    first = outputs(tmp_path)
    assert quizgen(*args, "--count", "3")[0] == 0
    assert outputs(tmp_path) == first  # the same exam again: same bytes, nothing asked
    code, text = quizgen("generate", "conv-basics", "--seed", "1", "--count", "2", "--format", "key", "--out", tmp_path)
    assert code == 0, text
    assert "removed 2 files of earlier runs that no longer match the key: keys/S003.html, students/S003.html" in text
    assert sorted(outputs(tmp_path)) == ["key.json", "keys/S001.html", "keys/S002.html", "students/S001.html",
                                         "students/S002.html"]  # the answer grid comes with PDFs only


def test_render_removes_the_files_of_students_no_longer_in_the_key(tmp_path: Path) -> None:
    assert quizgen("generate", "conv-basics", "--seed", "1", "--count", "3", "--format", "key,html", "--out", tmp_path)[0] == 0
    (tmp_path / "mine.html").write_text("not quizgen's")
    exam = load_key(tmp_path / "key.json")
    write_key(dataclasses.replace(exam, variants=exam.variants[:2]), tmp_path / "key.json")  # the key now has two students (say, written by hand or by an older quizgen)
    code, text = quizgen("render", tmp_path, "--format", "html")
    assert code == 0, text
    assert "removed 2 files of earlier runs that no longer match the key" in text
    assert sorted(outputs(tmp_path)) == ["key.json", "keys/S001.html", "keys/S002.html", "mine.html", "students/S001.html",
                                         "students/S002.html"]


# --- #14 item 12: practice pages of the students' own exam ------------------------------------

PRACTICE_WHY = "give every student a self-checking copy of their own exam"


def test_practice_pages_with_worksheets_need_an_explicit_flag(tmp_path: Path) -> None:
    args = ["generate", "recurrent", "--seed", "5", "--count", "2", "--out", tmp_path]
    code, text = quizgen(*args, "--format", "key,html,pdf,practice-html")
    assert code == 2 and PRACTICE_WHY in flat(text) and "--practice-of-exam" in text
    assert not tmp_path.exists() or outputs(tmp_path) == {}
    code, text = quizgen(*args, "--format", "key,html,practice-html", "--practice-of-exam")
    assert code == 0, text
    assert (tmp_path / "practice" / "S001.html").is_file() and (tmp_path / "students" / "S001.html").is_file()


def test_worksheets_after_practice_pages_of_the_same_variants_need_the_flag(tmp_path: Path) -> None:
    assert quizgen("generate", "recurrent", "--seed", "5", "--count", "2", "--format", "key,practice-html", "--out", tmp_path)[0] == 0
    for args in (["render", tmp_path, "--format", "html"],
                 ["generate", "recurrent", "--seed", "5", "--count", "2", "--format", "key,html", "--out", tmp_path]):
        code, text = quizgen(*args)
        assert code == 2 and "already holds practice pages of this exam's variants" in flat(text), text
    code, text = quizgen("render", tmp_path, "--format", "html", "--practice-of-exam")
    assert code == 0, text


# --- #17 item 4: what is safe to share ---------------------------------------------------------

def test_practice_only_run_writes_no_key_and_names_the_folder_to_share(tmp_path: Path) -> None:
    code, text = quizgen("generate", "recurrent", "--seed", "5", "--count", "2", "--format", "practice-html", "--out", tmp_path)
    assert code == 0, text
    assert sorted(outputs(tmp_path)) == ["practice/S001.html", "practice/S002.html"]
    assert f"practice pages: {tmp_path / 'practice'}{os.sep} is the folder to share" in text
    page = (tmp_path / "practice" / "S001.html").read_text(encoding="utf-8")
    answers = [q.answer for q in load_key_of(tmp_path).variants[0].questions]
    assert not any(json.dumps(a) in page for a in answers if isinstance(a, int) and a > 999)


def load_key_of(folder: Path) -> Exam:
    """The key of a practice-only folder, made again (it is not written there)."""
    code, text = quizgen("generate", "recurrent", "--seed", "5", "--count", "2", "--out", folder.parent / "instructor")
    assert code == 0, text
    return load_key(folder.parent / "instructor" / "key.json")


def test_practice_with_key_says_the_key_is_not_for_sharing(tmp_path: Path) -> None:
    code, text = quizgen("generate", "recurrent", "--seed", "5", "--count", "1", "--format", "key,practice-html", "--out", tmp_path)
    assert code == 0, text
    assert f"{tmp_path / 'key.json'} holds every answer: do not share {tmp_path}{os.sep} itself" in text
    assert sorted(p.name for p in (tmp_path / "practice").iterdir()) == ["S001.html"]


@pytest.mark.parametrize("fmt", ["key,html", "practice-html"])
def test_out_that_is_a_file_is_one_line(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "file").write_text("x")
    code, text = quizgen("generate", "conv-basics", "--seed", "1", "--count", "1", "--format", fmt, "--out", tmp_path / "file")
    assert code == 1 and "Traceback" not in text


def test_variant_digests_are_the_same_from_memory_from_key_json_and_in_any_language(tmp_path: Path) -> None:
    """generate tags files from the exam in memory, render from key.json, maybe in another language:
    an unchanged variant must look unchanged to both, or a shard would delete the others' files."""
    from quizgen.bank import load_bank
    from quizgen.examdir import variant_digests
    from quizgen.generate import generate_exam
    from quizgen.roster import numbered_students

    banks = [load_bank("conv-basics"), load_bank("seed-examples")]
    exam, _ = generate_exam(banks, 1, numbered_students(3), lang="zh")
    write_key(exam, tmp_path / "key.json")
    back = load_key(tmp_path / "key.json")
    assert variant_digests(exam) == variant_digests(back) == variant_digests(dataclasses.replace(back, lang="en"))
    other, _ = generate_exam(banks, 2, numbered_students(3))
    assert all(variant_digests(other)[s] != digest for s, digest in variant_digests(exam).items())


def test_render_records_the_exam_of_the_key_it_rendered(tmp_path: Path) -> None:
    """A key.json copied over by hand and rendered makes the folder that exam's: the old one is now 'another'."""
    folder, other = tmp_path / "exam", tmp_path / "other"
    assert quizgen("generate", "conv-basics", "--seed", "1", "--count", "2", "--format", "key,html", "--out", folder)[0] == 0
    assert quizgen("generate", "recurrent", "--seed", "4", "--count", "2", "--out", other)[0] == 0
    (folder / "key.json").write_bytes((other / "key.json").read_bytes())
    code, text = quizgen("render", folder, "--format", "html")
    assert code == 0, text
    recorded = read_manifest(folder).exam
    assert recorded is not None and recorded["seed"] == 4
    code, text = quizgen("generate", "conv-basics", "--seed", "1", "--count", "2", "--out", folder)
    assert code == 1 and "holds another exam: 'Recurrent" in text
