"""The set-up a new machine follows: one apt-get line in the README, the same list in .ci/run,
and tests that stay green (or skip, naming the package) when a system package is missing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from system import APT_PACKAGES

ROOT = Path(__file__).resolve().parent.parent


def test_readme_names_in_one_apt_get_line_what_ci_installs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [line for line in readme.splitlines() if re.search(r"\bapt-get install\b", line) and not line.startswith("`")]
    assert len(lines) == 1, lines
    readme_packages = tuple(word for word in lines[0].split("install", 1)[1].split() if not word.startswith("-"))
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    found = re.search(r"^packages=\(([^)]*)\)$", ci, re.MULTILINE)
    assert found, ".ci/run lists its packages as packages=(...)"
    assert readme_packages == tuple(found.group(1).split()) == APT_PACKAGES
    assert 'apt-get install -y -qq --no-install-recommends "${packages[@]}"' in ci  # CI installs them itself, unattended


def _real_file(name: str) -> str | None:
    found = sorted(Path("/usr/lib").glob(f"*/{name}*")) + sorted(Path("/usr/lib").glob(f"{name}*"))
    return str(Path(found[0]).resolve()) if found else None


@pytest.mark.pdf
@pytest.mark.skipif(sys.platform != "linux", reason="hides a library with a Linux mount namespace")
def test_pdf_tests_pass_without_harfbuzz_subset(tmp_path: Path) -> None:
    """Without libharfbuzz-subset0 WeasyPrint warns (DeprecationWarning) on import; the README's
    test command must not turn that third-party warning into failures."""
    library = _real_file("libharfbuzz-subset.so.0")
    unshare = shutil.which("unshare")
    if library is None or unshare is None or os.geteuid() != 0:
        pytest.skip("needs root, unshare and libharfbuzz-subset0 installed, to hide the library from one process")
    probe = tmp_path / "test_probe.py"
    probe.write_text(
        "from quizgen.render.pdf import pdf_bytes\n\n\n"
        "def test_pdf_without_harfbuzz_subset() -> None:\n"
        "    from weasyprint.text import ffi\n\n"
        "    assert ffi.harfbuzz_subset is None  # the library is hidden, so WeasyPrint warned on import\n"
        "    assert pdf_bytes('<p>x</p>').startswith(b'%PDF')\n",
        encoding="utf-8")
    command = [unshare, "-m", "--propagation", "private", "sh", "-c", 'mount --bind /dev/null "$0" && exec "$@"', library,
               sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", str(ROOT / "pyproject.toml"),
               "--rootdir", str(ROOT), str(probe)]
    run = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300, check=False)
    if "Operation not permitted" in run.stderr or "cannot change root filesystem propagation" in run.stderr:
        pytest.skip(f"this machine does not allow a private mount namespace: {run.stderr.strip()}")
    assert run.returncode == 0 and "1 passed" in run.stdout, run.stdout[-3000:] + run.stderr[-2000:]
