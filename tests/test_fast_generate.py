"""`quizgen generate BANK --seed N --count K --format F --out DIR` without building the typer app (issue 15):
the same files and lines as through the app, and everything else handed back to it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_startup import imported_by
from typer.testing import CliRunner

from quizgen.cli import _fast, app

runner = CliRunner()
BANK = str(Path(__file__).parent / "benchmarks" / "conv2d-x10.yaml")


def _timeless(text: str) -> str:
    return re.sub(r" in [0-9.]+ s$", " in … s", text, flags=re.MULTILINE)


@pytest.mark.parametrize("options", [
    ["--format", "key"], ["--format=key,html"], ["--format", "html,key", "--lang", "zh"], [],
])
def test_the_fast_path_writes_and_prints_what_the_app_does(options: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fast_dir, app_dir = tmp_path / "fast", tmp_path / "app"
    assert _fast.run_fast(["generate", BANK, "--seed", "3", "--count", "4", *options, "--out", str(fast_dir)])
    fast = capsys.readouterr()
    result = runner.invoke(app, ["generate", BANK, "--seed", "3", "--count", "4", *options, "--out", str(app_dir)])
    assert result.exit_code == 0, result.output
    assert _timeless(fast.out) == _timeless(result.stdout.replace(str(app_dir), str(fast_dir))) and fast.err == result.stderr
    written = sorted(p.relative_to(app_dir) for p in app_dir.rglob("*") if p.is_file() and ".quizgen" not in p.parts)
    assert written and written == sorted(p.relative_to(fast_dir) for p in fast_dir.rglob("*") if p.is_file() and ".quizgen" not in p.parts)
    for rel in written:
        assert (fast_dir / rel).read_bytes() == (app_dir / rel).read_bytes(), rel


@pytest.mark.parametrize("extra", [
    ["--help"], ["--format", "pdf"], ["--format", "key,pdf"], ["--jobs", "1"], ["--force"], ["--shard", "1/2"],
    ["--seed", "2"], ["--count", "0"], ["--count", "x"], ["--lang"], ["--roster", "r.csv"],
])
def test_what_it_does_not_read_goes_back_to_the_app(extra: list[str], tmp_path: Path) -> None:
    assert not _fast.run_fast(["generate", BANK, "--seed", "3", "--count", "4", "--out", str(tmp_path / "o"), *extra])
    assert not _fast.run_fast(["generate", BANK, "--count", "4", "--out", str(tmp_path / "o")])  # no seed
    assert not (tmp_path / "o").exists()


def test_a_usage_error_goes_back_to_the_app_before_anything_is_written(tmp_path: Path) -> None:
    assert not _fast.run_fast(["generate", BANK, "--seed", "3", "--count", "4", "--format", "docx", "--out", str(tmp_path / "o")])
    assert not _fast.run_fast(["generate", BANK, "--seed", "3", "--count", "4", "--lang", "fr", "--out", str(tmp_path / "o")])
    assert not (tmp_path / "o").exists()


def test_bad_input_is_the_same_one_line_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["generate", str(tmp_path / "missing.yaml"), "--seed", "3", "--count", "4", "--out", str(tmp_path / "o")]
    with pytest.raises(SystemExit) as exited:
        _fast.run_fast(args)
    assert exited.value.code == 1
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and capsys.readouterr().err == result.stderr and result.stderr.startswith("error: ")


def test_a_plain_generate_does_not_build_the_app(tmp_path: Path) -> None:
    done, modules = imported_by("generate", BANK, "--seed", "3", "--count", "2", "--out", str(tmp_path / "o"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert not {"quizgen.cli.grade", "quizgen.cli.practice", "quizgen.cli.export", "quizgen.grading.engine"} & modules


_WITH_EXIT_HOOK = """
import atexit, sys
atexit.register(lambda: print("teardown ran"))
sys.argv = ["quizgen", *sys.argv[1:]]
from quizgen.cli import main
main()
"""


@pytest.mark.parametrize(("args", "torn_down"), [
    (["generate", BANK, "--seed", "3", "--count", "4", "--format", "key,html"], False),  # the fast path: no teardown
    (["generate", BANK, "--seed", "3", "--count", "4", "--format", "key", "--jobs", "1"], True),  # the app: as ever
    (["--version"], True),
])
def test_a_fast_generate_leaves_without_the_teardown_and_with_its_output(args: list[str], torn_down: bool, tmp_path: Path) -> None:
    """Python's teardown freed the class set object by object (~0.1 s); a finished fast generate skips it, its output flushed."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    out = ["--out", str(tmp_path / "o")] if args[0] == "generate" else []
    result = subprocess.run([sys.executable, "-c", _WITH_EXIT_HOOK, *args, *out], env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert ("teardown ran" in result.stdout) is torn_down
    if args[0] == "generate":
        assert re.search(r"^wrote .*key\.json.* in [0-9.]+ s$", result.stdout, flags=re.MULTILINE), result.stdout
        assert (tmp_path / "o" / "key.json").is_file()


def test_a_fast_export_leaves_without_the_teardown_and_with_its_file(tmp_path: Path) -> None:
    """The export's class set is freed object by object too (~0.05 s of a Moodle export): a finished fast export skips it."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    made = subprocess.run([sys.executable, "-m", "quizgen", "generate", BANK, "--seed", "3", "--count", "4", "--format", "key",
                           "--out", str(tmp_path / "o")], env=env, capture_output=True, text=True, timeout=300, check=False)
    assert made.returncode == 0, made.stderr
    result = subprocess.run([sys.executable, "-c", _WITH_EXIT_HOOK, "export", str(tmp_path / "o" / "key.json"), "--format", "moodle",
                             "--out", str(tmp_path / "m.xml")], env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert "teardown ran" not in result.stdout
    assert re.search(r"^wrote .*m\.xml \(moodle, [0-9,]+ bytes\)", result.stdout, flags=re.MULTILINE), result.stdout
    assert (tmp_path / "m.xml").read_bytes().endswith(b"</quiz>\n")
