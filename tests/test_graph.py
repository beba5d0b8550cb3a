"""Graph networks: the spec form (named layers, inputs, shares, blocks), the solver's checks,
the summaries, and the worksheet code, against the real frameworks where it counts."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from typer.testing import CliRunner

from quizgen.cli import app
from quizgen.errors import SpecError
from quizgen.solver import ModelSolution, solve
from quizgen.spec import parse_spec, spec_to_mapping
from quizgen.yamlio import load_text

os.environ.setdefault("KERAS_BACKEND", "torch")
runner = CliRunner()

RESIDUAL_KERAS = """\
framework: keras
input_shape: [16, 16, 32]
blocks:
  basic:
    args: {filters: required, stride: 1}
    layers:
      - Conv2D: {filters: $filters, kernel_size: 3, strides: $stride, padding: same, use_bias: false}
      - BatchNormalization: {}
      - ReLU: {}
      - Conv2D: {filters: $filters, kernel_size: 3, padding: same, use_bias: false}
      - BatchNormalization: {}
        name: bn2
      - Conv2D: {filters: $filters, kernel_size: 1, strides: $stride, use_bias: false}
        name: proj
        inputs: [input]
        when: "stride != 1"
      - BatchNormalization: {}
        name: proj_bn
        inputs: [proj]
        when: "stride != 1"
      - Add: {}
        inputs: [bn2, proj_bn]
      - ReLU: {}
layers:
  - basic: {filters: 64, stride: 2}
    name: down
  - basic: {filters: 64}
    name: stage
    repeat: 2
  - GlobalAveragePooling2D: {}
  - Dense: {units: 10}
"""


def solved(text: str) -> ModelSolution:
    return solve(parse_spec(load_text(text, "net.yaml"), "net.yaml"))


def error_of(text: str) -> str:
    with pytest.raises(SpecError) as caught:
        solved(text)
    return str(caught.value)


def test_blocks_expand_with_names_repeat_and_when() -> None:
    model = solved(RESIDUAL_KERAS)
    names = [layer.name for layer in model.layers]
    assert names[:8] == ["down.conv2d", "down.batch_normalization", "down.re_lu", "down.conv2d_1", "down.bn2", "down.proj",
                         "down.proj_bn", "down.add"]
    # With stride 1 the projection is left out: the Add takes the block's input itself.
    add = model.layer_named("stage.0.add")
    assert add.inputs == ("stage.0.bn2", "down.re_lu_1")
    assert "stage.0.proj" not in names and "stage.1.add" in names
    assert model.layer_named("stage.1.conv2d").within == (("stage", "Sequential"), ("stage.1", "basic"))
    assert model.output_shape == (10,)


def test_each_repeated_copy_can_be_an_input() -> None:
    model = solved("framework: keras\ninput_shape: [8]\nlayers:\n  - Dense: {units: 8}\n    name: block\n    repeat: 3\n"
                   "  - Add: {}\n    inputs: [block.2, block.0]\n")
    assert model.layer_named("add").inputs == ("block.2", "block.0")
    assert model.total_params == 3 * (8 * 8 + 8)


def test_flat_form_round_trips() -> None:
    spec = parse_spec(load_text(RESIDUAL_KERAS, "net.yaml"), "net.yaml")
    mapping = spec_to_mapping(spec)
    again = parse_spec(json.loads(json.dumps(mapping)))
    assert again == spec
    assert solve(again).total_params == solve(spec).total_params


def test_a_chain_keeps_its_classic_form() -> None:
    text = "framework: keras\ninput_shape: [8]\nlayers:\n  - Dense: {units: 4}\n  - Dense: {units: 2}\n"
    spec = parse_spec(load_text(text, "x"), "x")
    assert not spec.is_graph
    assert spec_to_mapping(spec) == {"framework": "keras", "input_shape": [8], "layers": [{"Dense": {"units": 4}}, {"Dense": {"units": 2}}]}


@pytest.mark.parametrize(("text", "expected"), [
    ("framework: keras\ninput_shape: [8]\nlayers:\n  - Dense: {units: 4}\n    name: a\n    inputs: [b]\n"
     "  - Dense: {units: 8}\n    name: b\n    inputs: [a]\n",
     "line 4: layers b → a → b form a cycle"),
    ("framework: keras\ninput_shape: [8]\nlayers:\n  - Dense: {units: 4}\n    name: a\n  - Dense: {units: 8}\n    inputs: [aa]\n",
     "line 6: layer 2 Dense: unknown input 'aa' (did you mean 'a'?)"),
    ("framework: keras\ninput_shape: [8]\nlayers:\n  - Dense: {units: 4}\n    name: input\n",
     "layer name 'input' is the name of a model input; choose another"),
    ("framework: keras\ninputs: {a: [8], b: [8]}\nlayers:\n  - Dense: {units: 4}\n    name: enc\n    inputs: [a]\n"
     "  - shares: enk\n    name: enc_b\n    inputs: [b]\n  - Add: {}\n    inputs: [enc, enc_b]\n",
     "layer 2 (shared call) (enc_b): shares 'enk', which is not a layer of this network (did you mean 'enc'?)"),
    ("framework: keras\ninput_shape: [8]\nlayers:\n  - Dense: {units: 4}\n    name: a\n  - Dense: {units: 8}\n    inputs: [input]\n",
     "layer 1 Dense (a): its output is not used by any layer"),
    ("framework: pytorch\ninput_shape: [16, 8, 8]\nlayers:\n  - Conv2d: {out_channels: 32, kernel_size: 3}\n    name: a\n"
     "  - Conv2d: {out_channels: 32, kernel_size: 1}\n    name: b\n    inputs: [input]\n  - torch.add: {}\n    inputs: [a, b]\n",
     "line 9: layer 3 torch.add (add): inputs a [32, 6, 6] and b [32, 8, 8]: cannot be combined element-wise"),
    ("framework: keras\ninput_shape: [8, 8, 3]\nlayers:\n  - Conv2D: {filters: 4, kernel_size: 1}\n    name: a\n"
     "  - Conv2D: {filters: 4, kernel_size: 3}\n    name: b\n    inputs: [input]\n  - Concatenate: {}\n    inputs: [a, b]\n",
     "inputs a [8, 8, 4] and b [6, 6, 4]: cannot be joined: sizes 6 and 8 differ in dimension 1"),
    ("framework: keras\ninput_shape: [8]\nblocks:\n  b:\n    args: {units: required}\n    layers:\n      - Dense: {units: $units}\n"
     "layers:\n  - b: {}\n", "block b needs the argument 'units'"),
    ("framework: keras\ninput_shape: [8]\nblocks:\n  b:\n    args: {units: required}\n    layers:\n      - Dense: {units: $unit}\n"
     "layers:\n  - b: {units: 3}\n", "$unit is not an argument of this block"),
    ("framework: keras\ninput_shape: [8]\nblocks:\n  b:\n    args: {units: required}\n    layers:\n      - Dense: {units: $units}\n"
     "layers:\n  - b: {unitz: 3}\n", "block b has no argument 'unitz' (did you mean 'units'?)"),
    ("framework: keras\ninputs: {a: [8], b: [4]}\nlayers:\n  - Dense: {units: 4}\n    name: enc\n    inputs: [a]\n"
     "  - shares: enc\n    name: enc_b\n    inputs: [b]\n  - Add: {}\n    inputs: [enc, enc_b]\n",
     "shares the weights of enc (36 parameters for input [8]), but its input [4] would need 20"),
])
def test_bad_graphs_name_the_layer(text: str, expected: str) -> None:
    assert expected in error_of(text)


def test_bad_graph_exits_1_with_one_line(tmp_path: Any) -> None:
    path = tmp_path / "cycle.yaml"
    path.write_text("framework: keras\ninput_shape: [8]\nlayers:\n  - Dense: {units: 4}\n    name: a\n    inputs: [b]\n"
                    "  - Dense: {units: 8}\n    name: b\n    inputs: [a]\n")
    result = runner.invoke(app, ["solve", str(path)])
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0 and "form a cycle" in result.stderr


def test_shared_layer_counts_its_weights_once() -> None:
    model = solved("framework: keras\ninputs: {left: [8], right: [8]}\nlayers:\n  - Dense: {units: 4}\n    name: enc\n"
                   "    inputs: [left]\n  - shares: enc\n    name: enc_right\n    inputs: [right]\n"
                   "  - Concatenate: {}\n    inputs: [enc, enc_right]\n")
    assert [layer.params for layer in model.layers] == [36, 0, 0]
    assert model.total_params == 36 and model.output_shape == (8,)
    assert model.total_macs == 2 * 8 * 4  # each call multiplies


def test_keras_summary_has_connected_to() -> None:
    result = runner.invoke(app, ["solve", "-"], input=RESIDUAL_KERAS)
    assert result.exit_code == 0, result.stderr
    header = result.stdout.splitlines()[1]
    assert "Connected to" in header
    add_row = next(line for line in result.stdout.splitlines() if line.startswith("down.add (Add)"))
    assert "down.bn2[0][0], down.proj_bn[0][0]" in add_row


def test_nested_view_and_json_additions() -> None:
    torch_text = RESIDUAL_KERAS.replace("framework: keras", "framework: pytorch")
    for old, new in (("Conv2D: {filters: $filters, kernel_size: 3, strides: $stride, padding: same, use_bias: false}",
                      "Conv2d: {out_channels: $filters, kernel_size: 3, stride: $stride, padding: 1, bias: false}"),
                     ("Conv2D: {filters: $filters, kernel_size: 3, padding: same, use_bias: false}",
                      "Conv2d: {out_channels: $filters, kernel_size: 3, padding: 1, bias: false}"),
                     ("Conv2D: {filters: $filters, kernel_size: 1, strides: $stride, use_bias: false}",
                      "Conv2d: {out_channels: $filters, kernel_size: 1, stride: $stride, bias: false}"),
                     ("BatchNormalization", "BatchNorm2d"), ("Add: {}", "torch.add: {}"),
                     ("GlobalAveragePooling2D: {}", "AdaptiveAvgPool2d: {output_size: 1}\n  - Flatten: {}"),
                     ("Dense: {units: 10}", "Linear: {out_features: 10}"), ("input_shape: [16, 16, 32]", "input_shape: [32, 16, 16]")):
        torch_text = torch_text.replace(old, new)
    result = runner.invoke(app, ["solve", "-"], input=torch_text)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "Layer (type:depth-idx)" in lines[1]
    assert any(line.startswith("├─Sequential (stage): 1-2") for line in lines)
    assert any(line.startswith("│    ├─basic (0): 2-1") for line in lines)
    folded = runner.invoke(app, ["solve", "-", "--depth", "1"], input=torch_text).stdout
    down = next(line for line in folded.splitlines() if line.startswith("├─basic (down): 1-1"))
    model = solved(torch_text)
    block = sum(layer.params for layer in model.layers if layer.name.startswith("down."))
    assert f"{block:,}" in down
    data = json.loads(runner.invoke(app, ["solve", "-", "--format", "json"], input=torch_text).stdout)
    assert data["outputs"] == ["linear"] and data["inputs"] == {"input": [32, 16, 16]}
    assert data["layers"][7]["inputs"] == ["down.bn2", "down.proj_bn"]
    assert data["total_params"] == model.total_params


# --- against the frameworks ----------------------------------------------------------------


def _keras_residual() -> Any:
    import keras
    from keras import layers

    def basic(x: Any, filters: int, stride: int) -> Any:
        y = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(x)
        y = layers.BatchNormalization()(y)
        y = layers.ReLU()(y)
        y = layers.Conv2D(filters, 3, padding="same", use_bias=False)(y)
        y = layers.BatchNormalization()(y)
        if stride != 1:
            x = layers.Conv2D(filters, 1, strides=stride, use_bias=False)(x)
            x = layers.BatchNormalization()(x)
        return layers.ReLU()(layers.Add()([y, x]))

    inputs = keras.Input(shape=(16, 16, 32))
    x = basic(inputs, 64, 2)
    x = basic(x, 64, 1)
    x = basic(x, 64, 1)
    x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, layers.Dense(10)(x))


@pytest.mark.oracle
def test_residual_block_matches_keras() -> None:
    reference = _keras_residual()
    model = solved(RESIDUAL_KERAS)
    assert model.total_params == reference.count_params()
    ours = [(layer.type, layer.params, (None, *layer.output_shape)) for layer in model.layers]
    theirs = [(type(layer).__name__, layer.count_params(), tuple(layer.output.shape))
              for layer in reference.layers if type(layer).__name__ != "InputLayer"]
    assert sorted(ours, key=repr) == sorted(theirs, key=repr)


@pytest.mark.oracle
def test_inception_style_concat_and_shared_layer_match_keras() -> None:
    import keras
    from keras import layers

    text = """\
framework: keras
inputs: {a: [28, 28, 3], b: [28, 28, 3]}
layers:
  - Conv2D: {filters: 8, kernel_size: 1}
    name: stem
    inputs: [a]
  - shares: stem
    name: stem_b
    inputs: [b]
  - Conv2D: {filters: 16, kernel_size: 1}
    name: b1
    inputs: [stem]
  - Conv2D: {filters: 4, kernel_size: 3, padding: same}
    name: b2
    inputs: [stem]
  - MaxPooling2D: {pool_size: 3, strides: 1, padding: same}
    name: b3
    inputs: [stem_b]
  - Concatenate: {}
    name: mixed
    inputs: [b1, b2, b3]
  - Dot: {axes: [1, 1]}
    inputs: [gap_a, gap_b]
    name: dot
  - GlobalAveragePooling2D: {}
    name: gap_a
    inputs: [mixed]
  - GlobalAveragePooling2D: {}
    name: gap_b
    inputs: [mixed]
outputs: [dot]
"""
    model = solved(text)
    a, b = keras.Input(shape=(28, 28, 3)), keras.Input(shape=(28, 28, 3))
    stem = layers.Conv2D(8, 1)
    sa, sb = stem(a), stem(b)
    mixed = layers.Concatenate()([layers.Conv2D(16, 1)(sa), layers.Conv2D(4, 3, padding="same")(sa),
                                  layers.MaxPooling2D(3, strides=1, padding="same")(sb)])
    gap_a, gap_b = layers.GlobalAveragePooling2D()(mixed), layers.GlobalAveragePooling2D()(mixed)
    out = layers.Dot(axes=(1, 1))([gap_a, gap_b])
    reference = keras.Model([a, b], out)
    assert model.total_params == reference.count_params() == 8 * 3 + 8 + 16 * 8 + 16 + 4 * 9 * 8 + 4
    assert (None, *model.output_shape) == tuple(out.shape)
    assert model.layer_named("mixed").output_shape == tuple(mixed.shape[1:])


@pytest.mark.oracle
def test_torch_ops_match_torch() -> None:
    import torch

    text = """\
framework: pytorch
input_shape: [3, 8, 8]
layers:
  - Conv2d: {out_channels: 12, kernel_size: 2, stride: 2}
    name: patch
  - torch.flatten: {start_dim: 2}
    name: flat
  - torch.transpose: {dim0: 1, dim1: 2}
    name: tokens
  - Parameter: {shape: [1, 1, 12]}
    name: cls
    inputs: []
  - torch.cat: {dim: 1}
    name: seq
    inputs: [cls, tokens]
  - Parameter: {shape: [1, 17, 12]}
    name: pos
    inputs: []
  - torch.add: {}
    name: embedded
    inputs: [seq, pos]
  - torch.select: {dim: 1, index: 0}
    name: first
  - torch.stack: {dim: 1}
    inputs: [first, first]
    name: pair
  - torch.mean: {dim: 1}
    name: avg
  - torch.reshape: {shape: [-1, 3, 4]}
"""
    model = solved(text)

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.patch = torch.nn.Conv2d(3, 12, 2, stride=2)
            self.cls = torch.nn.Parameter(torch.zeros(1, 1, 12))
            self.pos = torch.nn.Parameter(torch.zeros(1, 17, 12))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            x = torch.flatten(self.patch(x), 2).transpose(1, 2)
            x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1) + self.pos
            first = x[:, 0]
            return torch.stack([first, first], dim=1).mean(dim=1).reshape(-1, 3, 4)

    net = Net()
    out = net(torch.zeros(2, 3, 8, 8))
    assert model.total_params == sum(p.numel() for p in net.parameters()) == 3 * 12 * 4 + 12 + 12 + 17 * 12
    assert model.output_shape == tuple(out.shape[1:])
    assert model.layer_named("seq").output_shape == (17, 12)


@pytest.mark.oracle
@pytest.mark.parametrize("framework", ["keras", "pytorch"])
def test_worksheet_code_of_a_graph_runs_and_builds_the_network(framework: str) -> None:
    from quizgen.codeio import write_model_code

    text = RESIDUAL_KERAS
    if framework == "pytorch":
        text = """\
framework: pytorch
inputs: {x: [8, 12, 12], y: [8, 12, 12]}
layers:
  - Conv2d: {out_channels: 16, kernel_size: 3, padding: 1, bias: false}
    name: conv
    inputs: [x]
  - BatchNorm2d: {}
    name: bn
  - shares: conv
    name: conv_y
    inputs: [y]
  - Conv2d: {in_channels: 8, out_channels: 16, kernel_size: 1}
    name: proj
    inputs: [x]
  - torch.add: {}
    name: sum
    inputs: [bn, proj]
  - torch.cat: {dim: 1}
    inputs: [sum, conv_y]
    name: joined
  - Flatten: {}
  - Linear: {out_features: 5}
"""
    spec = parse_spec(load_text(text, "x"), "x")
    model = solve(spec)
    code = write_model_code(spec_to_mapping(spec))
    namespace: dict[str, Any] = {}
    exec(compile(code, "worksheet.py", "exec"), namespace)  # noqa: S102 - our own generated code, the point of the test
    built = namespace["model"]
    if framework == "keras":
        assert built.count_params() == model.total_params
        assert tuple(built.output.shape[1:]) == model.output_shape
    else:
        import torch

        out = built(*(torch.zeros(2, *shape) for _, shape in spec.model_inputs))  # materialises the Lazy modules
        assert sum(p.numel() for p in built.parameters()) == model.total_params
        assert tuple(out.shape[1:]) == model.output_shape
        assert "in_features" not in code and "LazyLinear(out_features=5)" in code


def test_readme_shows_the_residual_block_as_solved() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    result = runner.invoke(app, ["solve", str(root / "tests" / "fixtures" / "specs" / "residual-block.yaml")])
    assert result.exit_code == 0
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert result.stdout.rstrip("\n") in readme
    spec_text = (root / "tests" / "fixtures" / "specs" / "residual-block.yaml").read_text(encoding="utf-8")
    assert spec_text.rstrip("\n") in readme


def test_nested_view_names_rows_within_their_parent_and_numbers_each_depth_through_the_model() -> None:
    import re
    from pathlib import Path

    path = Path(__file__).parent / "fixtures" / "specs" / "zoo" / "googlenet.yaml"
    out = runner.invoke(app, ["solve", str(path), "--depth", "3"]).stdout
    assert "├─BasicConv2d (branch2.0): 2-" in out and "BasicConv2d (0)" not in out
    for level in (1, 2, 3):
        numbers = [int(n) for n in re.findall(rf"\): {level}-(\d+)", out)]
        assert numbers == list(range(1, len(numbers) + 1))  # torchinfo counts each depth through the whole model
    explained = runner.invoke(app, ["solve", str(path), "--depth", "2", "--explain"]).stdout
    assert "parameters: C_out·K_h·K_w·C_in = 64·7·7·3 = 9408" in explained


@pytest.mark.parametrize("fmt", ["moodle", "qti"])
def test_lms_export_of_a_network_too_large_to_draw_embeds_no_diagram(tmp_path: Any, fmt: str) -> None:
    import zipfile
    from pathlib import Path

    import yaml

    network = yaml.safe_load((Path(__file__).parent / "fixtures" / "specs" / "zoo" / "resnet18.yaml").read_text(encoding="utf-8"))
    bank = {"title": "big", "questions": [{"id": "resnet-total", "kind": "total_params", "network": network}]}
    (tmp_path / "big.yaml").write_text(yaml.safe_dump(bank, sort_keys=False), encoding="utf-8")
    out = tmp_path / ("exam.xml" if fmt == "moodle" else "exam.zip")
    result = runner.invoke(app, ["export", str(tmp_path / "big.yaml"), "--seed", "1", "--count", "1", "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    if fmt == "moodle":
        text = out.read_text(encoding="utf-8")
        assert "<file " not in text and "PLUGINFILE" not in text
    else:
        with zipfile.ZipFile(out) as archive:
            names = archive.namelist()
            body = "".join(archive.read(n).decode("utf-8") for n in names if n.endswith(".xml"))
        assert not any(n.startswith("images/") for n in names) and "IMS-CC-FILEBASE" not in body


PYTORCH_AUTO_NAMES = """\
framework: pytorch
input_shape: [3, 16, 16]
blocks:
  stage:
    layers:
      - Conv2d: {out_channels: 8, kernel_size: 3, padding: 1}
      - BatchNorm2d: {}
      - ReLU: {}
layers:
  - Conv2d: {out_channels: 8, kernel_size: 3, padding: 1}
    name: stem
  - ReLU: {}
  - stage: {}
    name: stage
  - torch.add: {}
    inputs: [stem, stage]
  - LeakyReLU: {}
  - torch.cat: {dim: 1}
  - AdaptiveAvgPool2d: {output_size: 1}
  - torch.flatten: {start_dim: 1}
  - Linear: {out_features: 4}
  - ReLU: {}
"""


@pytest.mark.oracle
def test_pytorch_auto_names_read_like_pytorch_attributes_and_run_as_worksheet_code() -> None:
    from quizgen.codeio import write_model_code

    spec = parse_spec(load_text(PYTORCH_AUTO_NAMES, "x"), "x")
    model = solve(spec)
    assert [layer.name for layer in model.layers] == [
        "stem", "relu", "stage.conv", "stage.batch_norm", "stage.relu", "add", "leaky_relu", "cat", "adaptive_avg_pool",
        "flatten", "linear", "relu_1"]
    code = write_model_code(spec_to_mapping(spec))
    assert "self.relu = nn.ReLU()" in code and "self.stage_batch_norm = " in code and "re_lu" not in code
    namespace: dict[str, Any] = {}
    exec(compile(code, "worksheet.py", "exec"), namespace)  # noqa: S102 - our own generated code, the point of the test
    import torch

    built = namespace["model"]
    out = built(torch.zeros(2, 3, 16, 16))
    assert sum(p.numel() for p in built.parameters()) == model.total_params
    assert tuple(out.shape[1:]) == model.output_shape
    assert {"relu", "stage_relu", "leaky_relu", "adaptive_avg_pool", "linear", "relu_1"} <= {name for name, _ in built.named_modules()}


def test_keras_auto_names_stay_keras_own() -> None:
    text = "framework: keras\ninput_shape: [8, 8, 3]\nlayers:\n  - Conv2D: {filters: 4, kernel_size: 3}\n  - ReLU: {}\n" \
           "  - BatchNormalization: {}\n  - Conv2D: {filters: 4, kernel_size: 3}\n  - ReLU: {}\n  - GlobalAveragePooling2D: {}\n"
    assert [layer.name for layer in solved(text).layers] == [
        "conv2d", "re_lu", "batch_normalization", "conv2d_1", "re_lu_1", "global_average_pooling2d"]


def test_depth_left_out_nests_only_a_pytorch_network_of_blocks() -> None:
    """What the README says of --depth: left out, a Keras graph of blocks prints Keras' flat functional summary
    and a PyTorch one the nested view to depth 3; --depth 3 nests the Keras one too."""
    from pathlib import Path

    keras_path = Path(__file__).parent / "fixtures" / "specs" / "residual-block.yaml"
    flat = runner.invoke(app, ["solve", str(keras_path)]).stdout
    assert "Connected to" in flat and "type:depth-idx" not in flat
    nested = runner.invoke(app, ["solve", str(keras_path), "--depth", "3"]).stdout
    assert "Layer (type:depth-idx)" in nested and "├─residual (residual): 1-1" in nested
    torch_default = runner.invoke(app, ["solve", "-"], input=PYTORCH_AUTO_NAMES).stdout
    assert torch_default == runner.invoke(app, ["solve", "-", "--depth", "3"], input=PYTORCH_AUTO_NAMES).stdout
    assert "Layer (type:depth-idx)" in torch_default


@pytest.mark.oracle
def test_keras_functional_summary_opens_with_the_input_layer_row_as_keras_prints_it() -> None:
    """Keras' functional summary starts with `input (InputLayer) (None, 8, 8, 3) 0 -`; so does quizgen's, in table and
    Markdown, and every other row follows Keras' layers in order."""
    keras = pytest.importorskip("keras")
    from quizgen.codeio import write_model_code
    from quizgen.summary import format_markdown, format_table

    mapping = {"framework": "keras", "input_shape": [8, 8, 3],
               "layers": [{"name": "stem", "Conv2D": {"filters": 4, "kernel_size": 3, "padding": "same"}},
                          {"name": "conv_b", "Conv2D": {"filters": 4, "kernel_size": 3, "padding": "same"}},
                          {"name": "add", "Add": {}, "inputs": ["stem", "conv_b"]}]}
    namespace: dict[str, object] = {}
    exec(compile(write_model_code(mapping), "worksheet.py", "exec"), namespace)  # noqa: S102 - our own generated code
    model = namespace["model"]
    assert isinstance(model, keras.Model)
    solution = solve(parse_spec(mapping, source=None))
    rows = [line.split() for line in format_table(solution).splitlines()[3:7]]
    assert [row[:2] for row in rows] == [[layer.name, f"({type(layer).__name__})"] for layer in model.layers]
    assert rows[0] == ["input", "(InputLayer)", "(None,", "8,", "8,", "3)", "0", "0", "-"]
    assert "| input (InputLayer) | (None, 8, 8, 3) | 0 | 0 | - |" in format_markdown(solution)
