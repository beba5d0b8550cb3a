"""Start-up cost: what `quizgen solve` and `quizgen --version` import, and the fast path's fidelity.

`quizgen solve` answers in a fraction of a second because it imports only the spec reader, the
solver, the layer families its network uses and the table writer (issue 15). These tests run the
real command (`python -m quizgen ...`, through runpy) in a fresh interpreter and list
`sys.modules` when it exits; they also check that the fast path (cli/_fast.py) prints exactly what the typer command
prints, and hands everything it does not handle back to typer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizgen.cli import _fast, app

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "tests" / "fixtures" / "specs"
# Packages a solve has no use for: grading, rendering, LMS export, the drill, and the heavy libraries.
FORBIDDEN = ("quizgen.grading", "quizgen.render", "quizgen.lms", "quizgen.practice", "quizgen.exam", "quizgen.bank",
             "typer", "click", "pydantic", "sympy", "jinja2", "weasyprint", "rich")


# `python -m quizgen ARGS`, then the names in sys.modules on stderr's last line, whatever the exit.
# A finished fast generate leaves through os._exit (no teardown): the modules are written then too.
_RUN = ("import json, os, runpy, sys\n"
        "def report():\n"
        "    sys.stderr.write('\\n' + json.dumps(sorted(sys.modules)))\n"
        "    sys.stderr.flush()\n"
        "leave = os._exit\n"
        "os._exit = lambda code: (report(), leave(code))\n"
        "sys.argv = ['quizgen', *sys.argv[1:]]\n"
        "try:\n"
        "    runpy.run_module('quizgen', run_name='__main__', alter_sys=True)\n"
        "finally:\n"
        "    report()\n")


def imported_by(*args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run `python -m quizgen ARGS` from the checkout; the modules it imported."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", _RUN, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    modules = set(json.loads(done.stderr.splitlines()[-1]))
    assert "quizgen.cli" in modules, done.stderr[-2000:]
    return done, modules


def forbidden(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == f or m.startswith(f + ".") for f in FORBIDDEN))


@pytest.mark.parametrize("args", [
    ("solve", str(SPECS / "vgg16.yaml")),
    ("solve", str(SPECS / "vgg16-torch.yaml"), "--format", "json"),
    ("solve", str(SPECS / "seed000-conv1d-lstm.yaml"), "--explain", "--lang", "zh"),
    ("solve", str(SPECS / "seed004-net.yaml"), "--format=markdown", "--depth", "2"),
])
def test_solve_imports_no_grading_rendering_or_export_module(args: tuple[str, ...]) -> None:
    done, modules = imported_by(*args)
    assert done.returncode == 0, done.stderr[-2000:]
    assert forbidden(modules) == []
    assert {"quizgen.solver", "quizgen.summary"} <= modules


@pytest.mark.parametrize(("spec", "expected"), [
    ("vgg16.yaml", {"base", "conv", "core", "geometry", "pooling"}),
    ("vgg16-torch.yaml", {"base", "conv", "core", "geometry", "pooling", "simple"}),  # ReLU, Dropout: not the shaping kinds
])
def test_a_conv_network_imports_only_the_layer_families_it_uses(spec: str, expected: set[str]) -> None:
    done, modules = imported_by("solve", str(SPECS / spec))
    assert done.returncode == 0
    families = {m.removeprefix("quizgen.layers.") for m in modules if m.startswith("quizgen.layers.")}
    assert families == expected


def test_version_imports_nothing_but_the_cli() -> None:
    done, modules = imported_by("--version")
    assert (done.returncode, done.stdout) == (0, "quizgen 0.1.0\n")
    assert sorted(m for m in modules if m.startswith("quizgen")) == ["quizgen", "quizgen.cli", "quizgen.cli._argv", "quizgen.cli._fast", "quizgen.errors",
                                                                      "quizgen.i18n", "quizgen.lazy"]
    assert forbidden(modules) == []


@pytest.mark.parametrize("args", [
    ["solve", str(SPECS / "seed001-mnist.yaml")],
    ["solve", str(SPECS / "seed001-mnist.yaml"), "--explain", "--lang", "zh"],
    ["solve", str(SPECS / "seed000-conv1d-lstm.yaml"), "-f", "json"],
    ["solve", "--format=markdown", str(SPECS / "seed004-net.yaml")],
    ["solve", str(SPECS / "vgg16-torch.yaml"), "--depth", "1"],
    ["solve", str(SPECS / "seed001-mnist.yaml"), "--input-shape", "[32, 32, 3]", "--format", "json"],
    ["solve", "--", str(SPECS / "seed003-conv1d.yaml")],
])
def test_fast_path_prints_what_the_typer_command_prints(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert _fast.run_fast(args)
    fast = capsys.readouterr()
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0
    assert (fast.out, fast.err) == (result.stdout, result.stderr)


MODEL_CODE = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, classes)

    def forward(self, x):
        return self.fc(self.pool(self.conv(x)).flatten(1))
"""


@pytest.mark.parametrize("extra", [[], ["--model", "Net(classes=5)", "--format", "json"]])
def test_fast_path_model_code_with_notes(extra: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = tmp_path / "net.py"
    code.write_text(MODEL_CODE, encoding="utf-8")
    args = ["solve", str(code), "--input-shape", "3,32,32", *extra]
    assert _fast.run_fast(args)
    fast = capsys.readouterr()
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0
    assert (fast.out, fast.err) == (result.stdout, result.stderr)
    assert fast.err.startswith("note: ")  # the reader says which input shape it used (PyTorch code is read with its names)


@pytest.mark.parametrize("args", [
    ["solve", "-"],                                           # standard input is read once: typer reads it
    ["solve", "--help"],
    ["solve", str(SPECS / "vgg16.yaml"), "--format", "xml"],  # typer's usage error, exit 2
    ["solve", str(SPECS / "vgg16.yaml"), "--lang", "fr"],
    ["solve", str(SPECS / "vgg16.yaml"), "--depth", "0"],
    ["solve", str(SPECS / "vgg16.yaml"), "--input-shape", "3,x"],
    ["solve", str(SPECS / "vgg16.yaml"), "--format"],
    ["solve", str(SPECS / "vgg16.yaml"), "--lang", "en", "--lang", "zh"],
    ["solve", str(SPECS / "vgg16.yaml"), str(SPECS / "vgg16.yaml")],
    ["solve", str(SPECS / "vgg16.yaml"), "--unknown"],
    ["solve", str(SPECS / "vgg16.yaml"), "--arg", "classes=5"],      # repeatable and checked by typer
    ["solve", str(ROOT / "no-such-spec.yaml")],               # an error: typer's command reports it
    ["grade"],
    ["--version", "solve"],
])
def test_fast_path_hands_back_what_it_does_not_handle(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert not _fast.run_fast(args)
    assert capsys.readouterr().out == ""


def test_errors_and_usage_keep_typer_messages_and_exit_codes() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def quizgen(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "quizgen", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    missing = quizgen("solve", "no-such-spec.yaml")
    assert (missing.returncode, missing.stdout) == (1, "")
    assert missing.stderr.startswith("error: no-such-spec.yaml") and "Traceback" not in missing.stderr
    usage = quizgen("solve", str(SPECS / "vgg16.yaml"), "--format", "xml")
    assert usage.returncode == 2 and "'xml' is not one of" in usage.stderr
    piped = subprocess.run([sys.executable, "-m", "quizgen", "solve", "-", "--format", "json"], cwd=ROOT, env=env, capture_output=True,
                           text=True, input=(SPECS / "vgg16.yaml").read_text(), timeout=120)
    assert piped.returncode == 0 and json.loads(piped.stdout)["total_params"] == 138357544


def test_layer_homes_name_the_module_that_registers_each_kind() -> None:
    """`quizgen.layers._HOMES` must list every kind under the module whose import registers it."""
    script = (
        "import json, sys\n"
        "import quizgen.layers as layers\n"
        "origin = {}\n"
        "real = layers.register\n"
        "def recording(kind):\n"
        "    origin[f'{kind.framework.value}:{kind.name}'] = sys._getframe(1).f_globals['__name__'].rsplit('.', 1)[1]\n"
        "    return real(kind)\n"
        "layers.register = recording\n"
        "layers.all_kinds()\n"
        "print(json.dumps(origin))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
    origin = json.loads(done.stdout)
    from quizgen.layers import _HOME_OF

    missing = {k: v for k, v in origin.items() if _HOME_OF.get(k) != v}
    assert not missing, f"add to quizgen/layers/__init__.py _HOMES (kind: module): {missing}"
    assert set(_HOME_OF) <= set(origin), f"no longer registered: {sorted(set(_HOME_OF) - set(origin))}"


def test_public_api_still_imports_from_the_package() -> None:
    import quizgen
    from quizgen import Framework, QuizgenError, load_spec, solve

    assert solve(load_spec(SPECS / "vgg16.yaml")).total_params == 138357544
    assert Framework.KERAS.value == "keras" and issubclass(QuizgenError, Exception)
    assert set(quizgen.__all__) <= set(dir(quizgen))
    with pytest.raises(AttributeError):
        _ = quizgen.no_such_name  # type: ignore[attr-defined]


def test_generating_only_the_key_imports_no_templates_or_pdf_libraries(tmp_path: Path) -> None:
    """quizgen.render.slicing and quizgen.lms.LmsFormat are imported by every command: their packages load the rest on use."""
    done, modules = imported_by("generate", str(ROOT / "tests" / "benchmarks" / "conv2d-x10.yaml"), "--seed", "1", "--count", "2",
                                "--format", "key", "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "out" / "key.json").is_file()
    heavy = {"jinja2", "weasyprint", "sympy", "rich", "quizgen.render.documents", "quizgen.lms.cells", "quizgen.grading.engine"}
    assert sorted(heavy & modules) == []


def _class_key(tmp_path: Path) -> Path:
    """The folder of a two-student key of the class-set bank."""
    key_dir = tmp_path / "key"
    subprocess.run([sys.executable, "-m", "quizgen", "generate", str(ROOT / "tests" / "benchmarks" / "conv2d-x10.yaml"), "--seed", "1",
                    "--count", "2", "--format", "key", "--out", str(key_dir)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                   check=True, capture_output=True, timeout=120)
    return key_dir


def test_grading_imports_no_question_builder(tmp_path: Path) -> None:
    """`quizgen grade` reads a key and answers: the question builder (and the mistake engine it brings) is not needed to grade."""
    key_dir = _class_key(tmp_path)
    responses = tmp_path / "responses.csv"
    responses.write_text("student_id\nS001\nS002\n", encoding="utf-8")  # nothing answered: no mistake to name in the report
    done, modules = imported_by("grade", str(key_dir / "key.json"), str(responses), "--out", str(tmp_path / "graded"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "graded" / "grades.csv").is_file()
    assert sorted(m for m in modules if m == "quizgen.questions" or m.startswith(("quizgen.questions.", "quizgen.mistakes"))) == []


def test_exporting_or_grading_a_key_imports_no_yaml(tmp_path: Path) -> None:
    """A key.json is JSON: PyYAML (8–15 ms to import) loads only where a bank or a YAML spec is read."""
    key_dir = _class_key(tmp_path)
    responses = tmp_path / "responses.csv"
    responses.write_text("student_id\nS001\n", encoding="utf-8")
    for args in (("export", str(key_dir / "key.json"), "--format", "moodle", "--out", str(tmp_path / "m.xml")),
                 ("grade", str(key_dir / "key.json"), str(responses), "--out", str(tmp_path / "graded"))):
        done, modules = imported_by(*args)
        assert done.returncode == 0, done.stderr[-2000:]
        assert sorted(m for m in modules if m == "yaml" or m.startswith(("yaml.", "quizgen.yamlload"))) == [], args[0]
    done, modules = imported_by("solve", str(SPECS / "vgg16.yaml"))
    assert "quizgen.yamlload" in modules
