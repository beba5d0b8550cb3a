"""A folder that cannot be written is named at once, in one line, also with parallel PDF jobs.

Before, the error came from inside a worker process after the pool had started and rendered
(tens of seconds), naming a temporary file (or, as reported, a "Broken pipe"). Root ignores
file modes, so as root the command runs without the capability that lets it (``setpriv``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizgen.cli import app

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.pdf
_DRIVER = r"""
import json, sys, time
from typer.testing import CliRunner
from quizgen.cli import app
start = time.perf_counter()
result = CliRunner().invoke(app, sys.argv[1:])
print(json.dumps({"seconds": time.perf_counter() - start, "exit": result.exit_code, "output": result.output,
                  "exception": repr(result.exception)}))
"""


def _without_root_powers() -> list[str]:
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root, which ignores file modes, and setpriv (util-linux) is not installed to drop that power")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_read_only_students_folder_is_named_at_once(tmp_path: Path, jobs: str) -> None:
    out = tmp_path / "exam"
    generated = CliRunner().invoke(app, ["generate", "conv-basics", "--seed", "1", "--count", "3", "--format", "key", "--out", str(out)])
    assert generated.exit_code == 0, generated.output
    students = out / "students"
    students.mkdir()
    students.chmod(0o555)
    try:
        run = subprocess.run([*_without_root_powers(), sys.executable, "-c", _DRIVER, "render", str(out), "--format", "pdf",
                              "--jobs", jobs], capture_output=True, text=True, cwd=ROOT, timeout=300, check=False)
    finally:
        students.chmod(0o755)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    lines = result["output"].strip().splitlines()
    assert result["exit"] == 1 and lines == [f"error: {students}: Permission denied"], result
    print(f"render --jobs {jobs} into a read-only folder: {result['seconds']:.3f} s")
    assert result["seconds"] < 1.0, result
    assert not list(students.iterdir())
