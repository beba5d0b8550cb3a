"""`quizgen solve`: output formats, the JSON contract, and bad input (exit 1, one located message)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizgen.cli import app

SPECS = Path(__file__).parent / "fixtures" / "specs"
runner = CliRunner()


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_table_reads_like_model_summary() -> None:
    code, out, _ = run("solve", str(SPECS / "seed001-mnist.yaml"))
    assert code == 0
    assert "conv2d_1 (Conv2D)" in out and "(None, 24, 24, 63)" in out and "18,207" in out
    assert "Total params: 1,181,161" in out


def test_explain_shows_steps_in_chinese() -> None:
    code, out, _ = run("solve", str(SPECS / "seed001-mnist.yaml"), "--explain", "--lang", "zh")
    assert code == 0
    assert "参数量: C_out·(K_h·K_w·C_in + 1) = 63·(3·3·32 + 1) = 18207" in out
    assert "总参数量: 1,181,161" in out


def test_json_contract() -> None:
    code, out, _ = run("solve", str(SPECS / "seed000-conv1d-lstm.yaml"), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"framework", "input_shape", "layers", "total_params", "trainable_params", "non_trainable_params", "total_macs"}
    layer = data["layers"][7]
    assert set(layer) == {"name", "type", "output_shape", "params", "trainable", "non_trainable", "macs", "formula", "steps"}
    assert (layer["type"], layer["params"], layer["trainable"], layer["non_trainable"]) == ("BatchNormalization", 256, 128, 128)
    assert data["total_params"] == 129253 and data["non_trainable_params"] == 128


def test_markdown_and_stdin() -> None:
    text = (SPECS / "seed004-net.yaml").read_text()
    code, out, _ = run("solve", "-", "--format", "markdown", stdin=text)
    assert code == 0
    assert out.startswith("| Layer (type) |") and "| 16,416 |" in out


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("framework: keras\ninput_shape: [28, 28, 1]\nlayers:\n  - Conv2d: {filters: 3, kernel_size: 3}\n",
         "line 4: layer 1: unknown keras layer 'Conv2d' (did you mean 'Conv2D'"),
        ("framework: keras\ninput_shape: [28, 28, 1]\nlayers:\n  - Conv2D: {filters: 3, kernel: 3}\n",
         "line 4: layer 1 Conv2D: unknown argument 'kernel'"),
        ("framework: keras\ninput_shape: [28, 28, 1]\nlayers:\n  - Conv2D: {filters: three, kernel_size: 3}\n",
         "line 4: layer 1 Conv2D: filters: must be a positive integer, got 'three'"),
        ("framework: keras\ninput_shape: [7, 7, 1]\nlayers:\n  - Conv2D: {filters: 2, kernel_size: 3}\n  - Dense: {units: 4}\n"
         "  - Conv2D: {filters: 2, kernel_size: 3}\n  - Conv2D: {filters: 2, kernel_size: 5}\n",
         "line 7: layer 4 Conv2D: kernel 5 > input 3 with padding='valid'"),
        ("framework: pytorch\ninput_shape: [3, 32, 32]\nlayers:\n  - Conv2d: {in_channels: 1, out_channels: 8, kernel_size: 3}\n",
         "line 4: layer 1 Conv2d: in_channels=1 but the input has 3 channels"),
        ("framework: caffe\ninput_shape: [3]\nlayers: [{Linear: {out_features: 2}}]\n", "line 1: framework must be 'keras' or 'pytorch'"),
        ("framework: keras\ninput_shape: [3\n", "invalid YAML"),
    ],
)
def test_bad_specs_exit_1_with_a_located_message(tmp_path: Path, yaml_text: str, expected: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml_text)
    code, out, err = run("solve", str(spec))
    assert code == 1
    assert expected in err, err
    assert str(spec) in err
    assert "Traceback" not in err + out
    assert len(err.strip().splitlines()) == 1


def test_bad_spec_through_a_real_process(tmp_path: Path) -> None:
    spec = tmp_path / "bad.json"
    spec.write_text('{"framework": "pytorch", "input_shape": [3, 8, 8], "layers": [{"Conv2d": {"out_channels": 4, "kernel_size": 9}}]}')
    proc = subprocess.run([sys.executable, "-m", "quizgen", "solve", str(spec)], capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert "layer 1 Conv2d: kernel 9 > input 8" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_file_and_unknown_suffix(tmp_path: Path) -> None:
    code, _, err = run("solve", str(tmp_path / "nope.yaml"))
    assert code == 1 and "no such file" in err
    other = tmp_path / "x.txt"
    other.write_text("")
    code, _, err = run("solve", str(other))
    assert code == 1 and "unsupported spec file type" in err


def test_null_dimensions_propagate() -> None:
    code, out, _ = run("solve", "-", "--format", "json", stdin=(
        "framework: keras\ninput_shape: [null, 200, 1]\nlayers:\n  - Conv2D: {filters: 32, kernel_size: 3, padding: same}\n"))
    data = json.loads(out)
    assert code == 0
    assert data["layers"][0]["output_shape"] == [None, 200, 32]
    assert data["layers"][0]["params"] == 320 and data["layers"][0]["macs"] is None


def test_keras_channels_first_steps_are_labelled_by_the_layers_own_layout() -> None:
    code, out, _ = run("solve", "-", "--format", "json", stdin=(
        "framework: keras\ninput_shape: [3, 32, 30]\nlayers:\n"
        "  - Conv2D: {filters: 8, kernel_size: 3, data_format: channels_first}\n"
        "  - MaxPooling2D: {data_format: channels_first}\n"
        "  - Conv2D: {filters: 4, kernel_size: 3}\n"))
    assert code == 0
    first, pooled, last = (layer["steps"] for layer in json.loads(out)["layers"])
    assert first[:2] == ["H_out = ⌊(H_in − D_h·(K_h − 1) − 1)/S_h⌋ + 1 = ⌊(32 − 1·(3 − 1) − 1)/1⌋ + 1 = 30",
                         "W_out = ⌊(W_in − D_w·(K_w − 1) − 1)/S_w⌋ + 1 = ⌊(30 − 1·(3 − 1) − 1)/1⌋ + 1 = 28"]
    assert pooled[:2] == ["H_out = ⌊(H_in − K_h)/S_h⌋ + 1 = ⌊(30 − 2)/2⌋ + 1 = 15", "W_out = ⌊(W_in − K_w)/S_w⌋ + 1 = ⌊(28 − 2)/2⌋ + 1 = 14"]
    # The third layer is channels-last again: it reads (8, 15, 14) as H=8, W=15, C=14.
    assert last[0] == "H_out = ⌊(H_in − D_h·(K_h − 1) − 1)/S_h⌋ + 1 = ⌊(8 − 1·(3 − 1) − 1)/1⌋ + 1 = 6"
