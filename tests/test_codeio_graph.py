"""The safe interpreter reads residual blocks, loops, helper classes and the Keras functional API."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from quizgen.cli import app
from quizgen.codeio import read_model_code
from quizgen.codeio.graph_writer import write_graph_code
from quizgen.errors import CodeReadError, SpecError
from quizgen.solver import solve
from quizgen.spec import parse_spec, read_spec_text

RESNET = '''
import torch.nn as nn
import torch.nn.functional as F

class BasicBlock(nn.Module):
    expansion = 1
    def __init__(self, in_planes, planes, stride=1):
        super(BasicBlock, self).__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != self.expansion * planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, self.expansion * planes, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(self.expansion * planes))
    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.shortcut(x)
        return F.relu(out)

class ResNet(nn.Module):
    def __init__(self, block, num_blocks, num_classes=10):
        super().__init__()
        self.in_planes = 64
        self.conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.layer1 = self._make_layer(block, 64, num_blocks[0], stride=1)
        self.layer2 = self._make_layer(block, 128, num_blocks[1], stride=2)
        self.linear = nn.Linear(128 * block.expansion, num_classes)
    def _make_layer(self, block, planes, num_blocks, stride):
        strides = [stride] + [1] * (num_blocks - 1)
        layers = []
        for stride in strides:
            layers.append(block(self.in_planes, planes, stride))
            self.in_planes = planes * block.expansion
        return nn.Sequential(*layers)
    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer2(self.layer1(out))
        out = F.adaptive_avg_pool2d(out, 1)
        out = out.view(out.size(0), -1)
        return self.linear(out)

def small():
    return ResNet(BasicBlock, [2, 1])

def wide():
    return ResNet(BasicBlock, [1, 1], num_classes=100)
'''


def _read(source: str, shape: tuple[int, ...] | None = None, **options: object):  # type: ignore[no-untyped-def]
    notes: list[str] = []
    spec = read_spec_text(source, "model.py", suffix=".py", input_shape=shape, notes=notes, **options)  # type: ignore[arg-type]
    return solve(spec), notes


def test_several_models_are_listed_and_one_is_chosen_with_model() -> None:
    with pytest.raises(CodeReadError, match="found several models: small, wide; choose one with --model"):
        read_model_code(RESNET, "model.py", (3, 32, 32))
    solution, notes = _read(RESNET, (3, 32, 32), model_name="small")
    names = [layer.name for layer in solution.layers]
    assert "layer1.0.conv1" in names and "layer2.0.shortcut.0" in names and "layer1.1.add" in names
    assert notes == ["input shape [3, 32, 32] from --input-shape"]
    nested = {layer.name: layer.within for layer in solution.layers}
    assert nested["layer1.0.conv1"] == (("layer1", "Sequential"), ("layer1.0", "BasicBlock"))


def test_model_expression_and_arg_options() -> None:
    by_call, _ = _read(RESNET, (3, 32, 32), model_name="ResNet(BasicBlock, [1, 1], num_classes=100)")
    by_arg, _ = _read(RESNET, (3, 32, 32), model_name="wide")
    with_arg, _ = _read(RESNET, (3, 32, 32), model_name="ResNet", model_args={"block": "BasicBlock", "num_blocks": "[1, 1]",
                                                                              "num_classes": "100"})
    assert by_call.total_params == by_arg.total_params == with_arg.total_params


@pytest.mark.oracle
def test_resnet_matches_torch_running_the_same_code() -> None:
    torch = pytest.importorskip("torch")
    namespace: dict[str, object] = {}
    exec(compile(RESNET, "model.py", "exec"), namespace)  # noqa: S102 - the oracle runs our own test source
    model = namespace["small"]()  # type: ignore[operator]
    solution, _ = _read(RESNET, (3, 32, 32), model_name="small")
    assert solution.total_params == sum(p.numel() for p in model.parameters())
    assert list(model(torch.zeros(2, 3, 32, 32)).shape[1:]) == list(solution.output_shape)


KERAS_FUNCTIONAL = '''
from tensorflow import keras
from tensorflow.keras import layers

def build(num_classes=10):
    inputs = keras.Input(shape=(32, 32, 3))
    x = layers.Conv2D(32, 3, padding="same", activation="relu")(inputs)
    shortcut = x
    x = layers.Conv2D(32, 3, padding="same")(x)
    x = layers.add([x, shortcut])
    shared = layers.Dense(16, name="shared")
    a = shared(layers.GlobalAveragePooling2D()(x))
    b = shared(layers.GlobalMaxPooling2D()(x))
    merged = layers.concatenate([a, b])
    return keras.Model(inputs, [layers.Dense(num_classes)(merged), a])
'''


def test_keras_functional_with_shared_layer_and_two_outputs() -> None:
    solution, notes = _read(KERAS_FUNCTIONAL)
    shared = [layer for layer in solution.layers if layer.shares]
    assert [layer.shares for layer in shared] == ["shared"]
    assert solution.spec.outputs == ("dense", "shared")
    assert solution.spec.inputs == (("inputs", (32, 32, 3)),)
    assert any("keras.Input(shape=(32, 32, 3))" in note for note in notes)


@pytest.mark.oracle
def test_keras_functional_matches_keras(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    source = KERAS_FUNCTIONAL.replace("from tensorflow import keras\nfrom tensorflow.keras import layers", "import keras\nfrom keras import layers")
    namespace: dict[str, object] = {}
    exec(compile(source, "model.py", "exec"), namespace)  # noqa: S102 - the oracle runs our own test source
    model = namespace["build"]()  # type: ignore[operator]
    solution, _ = _read(KERAS_FUNCTIONAL)
    assert solution.total_params == model.count_params()
    assert keras is not None


DATA_FORMAT = '''
from keras import backend as K
from keras.models import Sequential
from keras.layers import Dense, Flatten
if K.image_data_format() == 'channels_first':
    input_shape = (1, 28, 28)
else:
    input_shape = (28, 28, 1)
model = Sequential()
model.add(Flatten(input_shape=input_shape))
model.add(Dense(10))
'''


def test_image_data_format_branch_takes_the_documented_default_and_says_so() -> None:
    solution, notes = _read(DATA_FORMAT)
    assert solution.layers[0].input_shape == (28, 28, 1)
    assert any("channels_last" in note for note in notes)


DCGAN_GUARD = '''
import torch.nn as nn
class D(nn.Module):
    def __init__(self, ngpu):
        super(D, self).__init__()
        self.ngpu = ngpu
        self.main = nn.Sequential(nn.Conv2d(3, 8, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
                                  nn.Conv2d(8, 1, 4, 1, 0, bias=False), nn.Sigmoid())
    def forward(self, input):
        if input.is_cuda and self.ngpu > 1:
            output = nn.parallel.data_parallel(self.main, input, range(self.ngpu))
        else:
            output = self.main(input)
        return output.view(-1, 1)
netD = D(1)
'''


def test_data_parallel_guard_reads_the_cpu_branch() -> None:
    solution, notes = _read(DCGAN_GUARD, (3, 8, 8))
    assert solution.output_shape == (1,)
    assert [layer.name for layer in solution.layers][:2] == ["main.0", "main.1"]
    assert any("is_cuda" in note for note in notes)


MAIN_GUARD = '''
import torch
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        return self.fc(x)

if __name__ == "__main__":
    net = Net()
    print(net(torch.randn(2, 8)).shape)
    torch.save(net.state_dict(), "net.pt")
'''


def test_a_main_guard_is_skipped_as_on_import() -> None:
    # The demo or training run under `if __name__ == "__main__":` is not part of the model; it made the file unreadable.
    solution, notes = _read(MAIN_GUARD, (8,))
    assert (solution.output_shape, solution.total_params) == ((4,), 36)
    assert any("__name__" in note and "not run" in note for note in notes)


HOSTILE = [
    ("huge_loop", "import torch.nn as nn\nclass M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                  "        for i in range(10**9):\n            pass\n    def forward(self, x):\n        return x\nm = M()\n",
     "iterations"),
    ("mutual_recursion", "def a(n):\n    return b(n)\ndef b(n):\n    return a(n)\nimport torch.nn as nn\n"
                         "class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.n = a(1)\n"
                         "    def forward(self, x):\n        return x\nm = M()\n", "calls nest deeper"),
    ("huge_list", "import torch.nn as nn\nclass M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                  "        self.big = [0] * 10**6\n    def forward(self, x):\n        return x\nm = M()\n", "elements"),
    ("nested_loops", "import torch.nn as nn\nclass M(nn.Module):\n    def __init__(self):\n        super().__init__()\n        n = 0\n"
                     "        for i in range(10000):\n            for j in range(10000):\n                n += 1\n"
                     "    def forward(self, x):\n        return x\nm = M()\n", "steps"),
    ("while_true", "import torch.nn as nn\nclass M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                   "        while True:\n            pass\n    def forward(self, x):\n        return x\nm = M()\n", "While"),
]


@pytest.mark.parametrize(("source", "message"), [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE])
def test_hostile_code_is_refused_within_a_second(source: str, message: str) -> None:
    started = time.perf_counter()
    with pytest.raises(CodeReadError, match=message) as caught:
        read_model_code(source, "model.py", (3, 8, 8))
    assert time.perf_counter() - started < 1.0
    assert caught.value.location.line is not None and caught.value.location.column is not None


def test_unknown_construct_is_refused_with_line_and_column() -> None:
    source = RESNET.replace("        out += self.shortcut(x)\n", "        out += self.shortcut(x)\n        out = out @ out\n")
    with pytest.raises(CodeReadError, match="MatMult") as caught:
        read_model_code(source, "model.py", (3, 32, 32), model="small")
    assert caught.value.location.line == 22


def test_cli_solve_and_bank_from_code_take_model_and_arg(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "resnet.py"
    path.write_text(RESNET, encoding="utf-8")
    runner = CliRunner()
    listed = runner.invoke(app, ["solve", str(path), "--input-shape", "3,32,32"])
    assert listed.exit_code == 1 and "small, wide" in listed.output
    solved = runner.invoke(app, ["solve", str(path), "--input-shape", "3,32,32", "--model", "ResNet", "--arg", "block=BasicBlock",
                                 "--arg", "num_blocks=[2, 1]"])
    assert solved.exit_code == 0, solved.output
    assert "layer1" in solved.output and "BasicBlock" in solved.output
    bank = runner.invoke(app, ["bank", "from-code", str(path), "--input-shape", "3,32,32", "--model", "small",
                               "--out", str(tmp_path / "bank.yaml")])
    assert bank.exit_code == 0, bank.output
    generated = runner.invoke(app, ["generate", str(tmp_path / "bank.yaml"), "--seed", "1", "--count", "1", "--out", str(tmp_path / "out")])
    assert generated.exit_code == 0, generated.output


TORCHVISION_STYLE = Path(__file__).parent / "fixtures" / "codeio" / "torchvision_style_resnet.py"


@pytest.mark.parametrize(("builder", "total"), [("resnet18", 11_689_512), ("resnet50", 25_557_032)])
def test_torchvision_style_resnet_totals(builder: str, total: int) -> None:
    solution, _ = _read(TORCHVISION_STYLE.read_text(encoding="utf-8"), (3, 224, 224), model_name=builder)
    assert solution.total_params == total
    assert solution.output_shape == (1000,)
    assert solution.layer_named("layer4.2.conv3" if builder == "resnet50" else "layer4.1.conv2").params > 0


def _torch_modules_match(source: str, build: str, shape: tuple[int, ...], solution: Any) -> None:
    """Every node named like a module: the same output shape and parameter count as the module in PyTorch."""
    torch = pytest.importorskip("torch")
    namespace: dict[str, Any] = {"__name__": "fixture"}
    exec(compile(source, "model.py", "exec"), namespace)  # noqa: S102 - the oracle runs the same file in the framework
    model = eval(build, namespace)  # noqa: S307 - a constructor call of the test's own fixture
    modules = dict(model.named_modules())
    seen: dict[str, tuple[int, ...]] = {}

    def record(name: str) -> Any:
        def hook(module: Any, inputs: Any, output: Any) -> None:
            seen.setdefault(name, tuple((output[0] if isinstance(output, tuple) else output).shape[1:]))
        return hook

    hooks = [module.register_forward_hook(record(name)) for name, module in modules.items() if name and not list(module.children())]
    model.eval()
    with torch.no_grad():
        output = model(torch.zeros(2, *shape))
    for hook in hooks:
        hook.remove()
    assert solution.total_params == sum(p.numel() for p in model.parameters())
    first = output[0] if isinstance(output, tuple) else output
    assert tuple(first.shape[1:]) == solution.output_shape
    checked = 0
    for layer in solution.layers:
        if layer.name in seen:
            assert layer.output_shape == seen[layer.name], layer.name
            assert layer.params == sum(p.numel() for p in modules[layer.name].parameters()), layer.name
            checked += 1
    assert checked >= len(seen) // 2


@pytest.mark.oracle
def test_torchvision_style_resnet_layers_match_torch() -> None:
    source = TORCHVISION_STYLE.read_text(encoding="utf-8")
    solution, _ = _read(source, (3, 64, 64), model_name="resnet18")
    _torch_modules_match(source, "resnet18()", (3, 64, 64), solution)


COURSE_IDIOMS = '''
import torch
import torch.nn as nn
import torch.nn.functional as F

class LeNet(nn.Module):
    def __init__(self):
        super(LeNet, self).__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)
    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, self.num_flat_features(x))
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)
    def num_flat_features(self, x):
        size = x.size()[1:]
        num_features = 1
        for s in size:
            num_features *= s
        return num_features

class RNN(nn.Module):
    def __init__(self, input_size=28, hidden_size=64, num_layers=2, num_classes=10):
        super(RNN, self).__init__()
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True)
        self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)
    def forward(self, x):
        x = x.reshape(-1, 28, 28)
        h0 = torch.zeros(self.num_layers, x.size(0), self.hidden_size)
        c0 = torch.zeros(self.num_layers, x.size(0), self.hidden_size)
        out, (h, c) = self.lstm(x, (h0, c0))
        out, _ = self.gru(out, None)
        return self.fc(out[:, -1, :])

class AutoEncoder(nn.Module):
    def __init__(self):
        super(AutoEncoder, self).__init__()
        self.encoder = nn.Sequential(nn.Linear(28 * 28, 128), nn.Tanh(), nn.Linear(128, 3))
        self.decoder = nn.Sequential(nn.Linear(3, 128), nn.Tanh(), nn.Linear(128, 28 * 28), nn.Sigmoid())
    def forward(self, x):
        encoded = self.encoder(x)
        decoded = self.decoder(encoded)
        return encoded, decoded

class VAE(nn.Module):
    def __init__(self, input_dim=784, h_dim=64, z_dim=8):
        super(VAE, self).__init__()
        self.fc1 = nn.Linear(input_dim, h_dim)
        self.fc_mu = nn.Linear(h_dim, z_dim)
        self.fc_logvar = nn.Linear(h_dim, z_dim)
        self.fc3 = nn.Linear(z_dim, h_dim)
        self.fc4 = nn.Linear(h_dim, input_dim)
    def encode(self, x):
        h = F.relu(self.fc1(x))
        return self.fc_mu(h), self.fc_logvar(h)
    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std
    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z)))), mu, logvar

class Split(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)
        self.ups = nn.ModuleList([nn.Conv2d(2, 2, 1) for _ in range(2)])
    def forward(self, x):
        a, b = x[:, :2], x[:, 2:]
        for up in self.ups:
            b = up(b)
        return self.conv(torch.cat((a, b), dim=1)).mean(dim=(2, 3))
'''


@pytest.mark.oracle
@pytest.mark.parametrize(("build", "shape"), [("LeNet()", (1, 32, 32)), ("RNN()", (1, 28, 28)), ("AutoEncoder()", (784,)),
                                              ("Split()", (4, 6, 6)), ("VAE()", (1, 28, 28))])
def test_course_idioms_match_torch(build: str, shape: tuple[int, ...]) -> None:
    solution, _ = _read(COURSE_IDIOMS, shape, model_name=build)
    _torch_modules_match(COURSE_IDIOMS, build, shape, solution)


def test_tuple_return_reports_every_output() -> None:
    solution, _ = _read(COURSE_IDIOMS, (784,), model_name="AutoEncoder()")
    assert solution.spec.outputs == ("encoder.2", "decoder.3")
    assert [solution.layer_named(name).output_shape for name in solution.spec.outputs] == [(3,), (784,)]


KERAS_SUBCLASSED = '''
import keras
from keras import layers

class ResidualBlock(layers.Layer):
    def __init__(self, filters, **kwargs):
        super().__init__(**kwargs)
        self.conv1 = layers.Conv2D(filters, 3, padding="same", activation="relu")
        self.conv2 = layers.Conv2D(filters, 3, padding="same")
        self.add = layers.Add()
    def call(self, inputs):
        x = self.conv2(self.conv1(inputs))
        return self.add([x, inputs])

class Classifier(keras.Model):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = layers.Conv2D(16, 3, padding="same")
        self.blocks = [ResidualBlock(16) for _ in range(2)]
        self.pool = layers.GlobalAveragePooling2D()
        self.head = layers.Dense(num_classes)
    def call(self, inputs, training=False):
        x = self.stem(inputs)
        for block in self.blocks:
            x = block(x)
        return self.head(self.pool(x))
'''


@pytest.mark.oracle
def test_keras_subclassed_model_matches_keras(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    solution, _ = _read(KERAS_SUBCLASSED, (8, 8, 3))
    namespace: dict[str, Any] = {}
    exec(compile(KERAS_SUBCLASSED, "model.py", "exec"), namespace)  # noqa: S102 - the oracle runs the same file
    model = namespace["Classifier"]()
    model(keras.ops.zeros((1, 8, 8, 3)))
    assert solution.total_params == model.count_params()
    assert solution.output_shape == (10,)
    assert keras is not None


@pytest.mark.oracle
def test_narrow_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    for dim, start, length in [(1, 0, 2), (1, 2, 3), (2, -3, 2), (3, 1, 4)]:
        spec = parse_spec({"framework": "pytorch", "input_shape": [5, 6, 7], "layers": [
            {"torch.narrow": {"dim": dim, "start": start, "length": length}}]})
        real = torch.narrow(torch.zeros(2, 5, 6, 7), dim, start, length)
        assert solve(spec).output_shape == tuple(real.shape[1:])
    with pytest.raises(SpecError, match="batch"):
        solve(parse_spec({"framework": "pytorch", "input_shape": [5], "layers": [{"torch.narrow": {"dim": 0, "start": 0, "length": 1}}]}))


@pytest.mark.oracle
def test_rescaling_matches_keras(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    spec = parse_spec({"framework": "keras", "input_shape": [4, 4, 3], "layers": [{"Rescaling": {"scale": 0.5, "offset": 1.0}}]})
    inputs = keras.Input((4, 4, 3))
    real = keras.Model(inputs, keras.layers.Rescaling(0.5, offset=1.0)(inputs))
    assert solve(spec).total_params == real.count_params() == 0
    assert solve(spec).output_shape == tuple(real.output.shape[1:])


D2L_RESNET = '''
import torch
from torch import nn
from d2l import torch as d2l

b1 = nn.Sequential(nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3), nn.BatchNorm2d(64), nn.ReLU(),
                   nn.MaxPool2d(kernel_size=3, stride=2, padding=1))

def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    blk = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blk.append(d2l.Residual(input_channels, num_channels, use_1x1conv=True, strides=2))
        else:
            blk.append(d2l.Residual(num_channels, num_channels))
    return blk

b2 = nn.Sequential(*resnet_block(64, 64, 2, first_block=True))
b3 = nn.Sequential(*resnet_block(64, 128, 2))
net = nn.Sequential(b1, b2, b3, d2l.GlobalAvgPool2d(), d2l.FlattenLayer(), nn.Linear(128, 10))
'''


@pytest.mark.oracle
def test_d2l_helpers_are_read_from_their_well_known_definition_and_said() -> None:
    from quizgen.codeio.wellknown import WELL_KNOWN_SOURCE

    solution, notes = _read(D2L_RESNET, (1, 96, 96))  # the blocks b1..b3 are parts of net: net is the model
    assert any("d2l.Residual is read from its well-known definition" in note for note in notes)
    assert solution.layer_named("1.0.conv1").within[-1] == ("1.0", "Residual")
    helpers: dict[str, Any] = {}
    exec(compile(WELL_KNOWN_SOURCE, "wellknown.py", "exec"), helpers)  # noqa: S102 - quizgen's own definitions
    source = D2L_RESNET.replace("from d2l import torch as d2l", "")
    namespace: dict[str, Any] = {"d2l": type("d2l", (), {k: helpers[k] for k in ("Residual", "GlobalAvgPool2d", "FlattenLayer")})}
    exec(compile(source, "model.py", "exec"), namespace)  # noqa: S102 - the oracle runs the same file
    torch = pytest.importorskip("torch")
    net = namespace["net"]
    assert solution.total_params == sum(p.numel() for p in net.parameters())
    assert solution.output_shape == tuple(net(torch.zeros(1, 1, 96, 96)).shape[1:])


def test_training_calls_on_a_model_inside_a_builder_change_nothing() -> None:
    source = KERAS_FUNCTIONAL.replace("    return keras.Model(inputs, [layers.Dense(num_classes)(merged), a])",
                                      "    model = keras.Model(inputs, [layers.Dense(num_classes)(merged), a])\n"
                                      "    model.compile(optimizer='adam', loss='mse')\n    model.summary()\n    return model")
    plain, _ = _read(KERAS_FUNCTIONAL)
    trained, _ = _read(source)
    assert trained.total_params == plain.total_params


def test_vae_reparameterization_keeps_every_output() -> None:
    solution, _ = _read(COURSE_IDIOMS, (1, 28, 28), model_name="VAE()")
    assert solution.spec.outputs == ("sigmoid", "fc_mu", "fc_logvar")
    assert solution.layer_named("add").inputs == ("fc_mu", "fc_logvar")  # z = mu + eps * exp(logvar / 2)


@pytest.mark.oracle
def test_a_layer_in_a_plain_list_is_refused_as_pytorch_does_not_count_it() -> None:
    torch = pytest.importorskip("torch")
    source = ("import torch.nn as nn\nclass M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
              "        self.blocks = [nn.Linear(4, 4)]\n    def forward(self, x):\n        return self.blocks[0](x)\nm = M()\n")
    namespace: dict[str, Any] = {}
    exec(compile(source, "model.py", "exec"), namespace)  # noqa: S102 - the oracle runs the same file
    assert sum(p.numel() for p in namespace["m"].parameters()) == 0  # PyTorch does not see the list's layer
    assert torch is not None
    with pytest.raises(CodeReadError, match="not a registered submodule") as caught:
        read_model_code(source, "model.py", (4,))
    assert caught.value.location.line == 7


SIMPLE_TORCH = '''
import torch.nn as nn
import torch.nn.functional as F

class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc1 = nn.Linear(6 * 14 * 14, 10)
    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = x.view(-1, 6 * 14 * 14)
        return self.fc1(x)
'''


def test_a_one_chain_pytorch_module_is_named_like_its_attributes_in_the_cli(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "net.py"
    path.write_text(SIMPLE_TORCH, encoding="utf-8")
    solved = CliRunner().invoke(app, ["solve", str(path), "--input-shape", "3,32,32", "--format", "json"])
    assert solved.exit_code == 0, solved.output
    assert '"name": "conv1"' in solved.output and '"name": "fc1"' in solved.output
    # the library keeps the classic chain form unless asked (the writer's round trip relies on it)
    assert "name" not in read_model_code(SIMPLE_TORCH, "net.py", (3, 32, 32)).spec["layers"][0]  # type: ignore[index]
    assert read_model_code(SIMPLE_TORCH, "net.py", (3, 32, 32), names=True).spec["layers"][0]["name"] == "conv1"  # type: ignore[index]


def test_model_option_errors_name_the_option_and_what_is_missing() -> None:
    with pytest.raises(CodeReadError, match=r"--model ResNet: ResNet\(\) needs the argument 'block'; give the arguments as"):
        read_model_code(RESNET, "model.py", (3, 32, 32), model="ResNet")
    with pytest.raises(CodeReadError, match="'Foo' is not defined in this file"):
        read_model_code(RESNET, "model.py", (3, 32, 32), model="ResNet(Foo, [1, 1])")
    with pytest.raises(CodeReadError, match="is not a Python expression"):
        read_model_code(RESNET, "model.py", (3, 32, 32), model="ResNet(")
    test_function = RESNET + "\ndef test():\n    net = small()\n    print(net)\n"
    with pytest.raises(CodeReadError, match="found several models: small, wide;"):  # test() returns nothing: no builder
        read_model_code(test_function, "model.py", (3, 32, 32))


KERAS2_IMPORTS = '''
from keras.models import Sequential, Model
from keras.layers import Input
from keras.layers.core import Dense, Activation, Flatten
from keras.layers.convolutional import Conv2D, MaxPooling2D
from keras.layers.merge import add

model = Sequential()
model.add(Conv2D(32, (3, 3), input_shape=(28, 28, 1)))
model.add(Activation('relu'))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Flatten())
model.add(Dense(10))

def residual():
    inputs = Input(shape=(8,))
    return Model(inputs, add([Dense(8)(inputs), inputs]))
'''


def test_keras_2_submodule_imports_are_keras_layers() -> None:
    chain, _ = _read(KERAS2_IMPORTS.split("def residual")[0])  # the Sequential alone: the chain reader
    assert chain.total_params == 320 + 32 * 13 * 13 * 10 + 10
    graph, _ = _read(KERAS2_IMPORTS, model_name="residual")
    assert [layer.type for layer in graph.layers] == ["Dense", "Add"]


KERAS_CLEAR_SESSION = '''
from tensorflow import keras
from tensorflow.keras import layers
first = layers.Dense(4)
keras.backend.clear_session()
inputs = keras.Input(shape=(8,))
outputs = layers.Dense(2)(inputs)
model = keras.Model(inputs, outputs)
'''


def test_keras_clear_session_is_accepted_and_restarts_the_auto_names() -> None:
    solution, _ = _read(KERAS_CLEAR_SESSION)
    assert [layer.name for layer in solution.layers] == ["dense"]  # Keras too: the names restart after clear_session
    assert solution.total_params == 18


DUNDER_ATTRS = '''
import torch.nn as nn

class Stack(nn.Module):
    def __init__(self, levels):
        super().__init__()
        self.levels = levels
        for i in range(1, levels + 1):
            self.__setattr__('level_%d' % i, nn.Linear(4, 4))

    def forward(self, x):
        for i in range(1, self.levels + 1):
            x = self.__getattr__('level_%d' % i)(x)
        return x
'''


def test_setattr_and_getattr_dunder_calls_name_submodules_like_pytorch() -> None:
    solution, _ = _read(DUNDER_ATTRS, (4,), model_name="Stack(3)")
    assert [layer.name for layer in solution.layers] == ["level_1", "level_2", "level_3"]
    assert solution.total_params == 3 * 20
    with pytest.raises(CodeReadError, match=r"line 9 column 13: __setattr__\(name, value\) with a plain name"):
        _read(DUNDER_ATTRS.replace("'level_%d' % i", "'_level_%d' % i", 1), (4,), model_name="Stack(3)")


def test_a_module_built_in_forward_gets_a_pytorch_auto_name() -> None:
    source = '''
import torch
from torch import nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.fc = nn.Linear(8, 2)

    def forward(self, x):
        x = nn.ReLU()(self.conv(x))
        x = nn.ReLU()(x)
        x = nn.AdaptiveAvgPool2d(1)(x)
        return self.fc(torch.flatten(x, 1))
'''
    model, _ = _read(source, (3, 16, 16))
    assert [layer.name for layer in model.layers] == ["conv", "relu", "relu_1", "adaptive_avg_pool", "flatten", "fc"]


@pytest.mark.parametrize(("source", "options", "title"), [
    ("kuangliu", ["--model", "ResNet18"], "ResNet18"),
    ("kuangliu", ["--model", "ResNet(BasicBlock, [1, 1, 1, 1])"], "ResNet"),
    ("net", [], "Net"),
    ("keras", [], "discriminator"),
    ("keras-named", [], "tiny_cnn"),
    ("keras-functional", [], "small_resnet"),
])
def test_bank_from_code_is_titled_after_the_model_with_sensible_points(tmp_path: Path, source: str, options: list[str],
                                                                      title: str) -> None:
    """`bank from-code model.py --model ResNet18` wrote 'Model model' and a 68-point summary question."""
    import yaml

    texts = {
        "kuangliu": (Path(__file__).parent / "fixtures" / "realcode" / "kuangliu_resnet.py").read_text(encoding="utf-8"),
        "net": "import torch\nfrom torch import nn\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
               "        self.fc = nn.Linear(8, 2)\n\n    def forward(self, x):\n        return self.fc(x)\n",
        "keras": "import keras\nfrom keras import layers\n\ndiscriminator = keras.Sequential([keras.Input(shape=(28, 28, 1)), "
                 "layers.Conv2D(8, 3), layers.Flatten(), layers.Dense(1)])\n",
        # The model's own name= is what model.summary() prints (`Model: "tiny_cnn"`); it was ignored.
        "keras-named": "import keras\nfrom keras import layers\n\nmodel = keras.Sequential([keras.Input(shape=(28, 28, 1)), "
                       "layers.Conv2D(8, 3), layers.Flatten(), layers.Dense(1)], name='tiny_cnn')\n",
        "keras-functional": "import keras\nfrom keras import layers\n\ninputs = keras.Input(shape=(28, 28, 1))\n"
                            "x = layers.Conv2D(1, 3, padding='same')(inputs)\nx = layers.add([x, inputs])\n"
                            "net = keras.Model(inputs, layers.Dense(1)(layers.Flatten()(x)), name='small_resnet')\n",
    }
    path = tmp_path / "model.py"
    path.write_text(texts[source], encoding="utf-8")
    out = tmp_path / "bank.yaml"
    result = CliRunner().invoke(app, ["bank", "from-code", str(path), "--input-shape", {"kuangliu": "3,32,32", "net": "8"}.get(source, "28,28,1"),
                                      *options, "--out", str(out)])
    assert result.exit_code == 0, result.output
    bank = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert bank["title"] == title
    summary = bank["questions"][0]
    assert summary["kind"] == "summary" and 2 <= summary["points"] <= 10


@pytest.mark.parametrize("source", [
    "import keras\nfrom keras import layers\n\nmodel = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(2)])\n",
    "import torch\nfrom torch import nn\n\nclass Model(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
    "        self.fc = nn.Linear(8, 2)\n\n    def forward(self, x):\n        return self.fc(x)\n",
])
def test_a_model_called_model_is_titled_after_its_file(tmp_path: Path, source: str) -> None:
    """lenet.py with `model = keras.Sequential(...)` was titled 'model', a worksheet header that says nothing."""
    import yaml

    path = tmp_path / "lenet_small.py"
    path.write_text(source, encoding="utf-8")
    out = tmp_path / "bank.yaml"
    result = CliRunner().invoke(app, ["bank", "from-code", str(path), "--input-shape", "8", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["title"] == "lenet-small"


@pytest.mark.parametrize(("tail", "note"), [
    ("\n\ndef test():\n    net = Net()\n    y = net(torch.randn(1, 3, 16, 16))\n",
     "note: input shape [3, 16, 16] from torch.randn(1, 3, 16, 16) (line 18)"),
    ("\n# input shape: [3, 16, 16]\n", "note: input shape [3, 16, 16] from the comment '# input shape: [3, 16, 16]' (line 15)"),
])
def test_the_input_shape_note_names_the_construct_and_line(tail: str, note: str) -> None:
    """The PyTorch note said only 'from an example input or comment in the code'; Keras' names the construct and line."""
    source = '''import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.fc = nn.Linear(8, 2)

    def forward(self, x):
        x = torch.flatten(nn.AdaptiveAvgPool2d(1)(self.conv(x)), 1)
        return self.fc(x)
''' + tail
    _, notes = _read(source)
    assert f"note: {notes[0]}" == note


KERAS_NAMED_HELPER = '''
import keras
from keras import layers

def conv_bn(x, filters, strides=1, name=None):
    x = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False, name=name)(x)
    return layers.BatchNormalization()(x)

inputs = keras.Input(shape=(16, 16, 3))
x = conv_bn(inputs, 8, strides=2, name="stem")
x = conv_bn(x, 8)
model = keras.Model(inputs, x)
'''


def test_keras_name_argument_is_the_layer_name_and_the_worksheet_code_runs() -> None:
    # A Keras layer's name= (here passed through a helper, None when not given) names the layer; kept as an
    # argument too, it reached the worksheet code as `name="stem", name="stem"` / `name=None, name="conv2d"`.
    read = read_model_code(KERAS_NAMED_HELPER, "model.py")
    assert all("name" not in next(iter(item.values())) for item in read.spec["layers"] if "Conv2D" in item)
    code = write_graph_code(read.spec)
    compile(code, "worksheet.py", "exec")  # a repeated keyword is a SyntaxError
    assert 'layers.Conv2D(filters=8, kernel_size=3, strides=2, padding="same", use_bias=False, name="stem")' in code
    spec = {"framework": "keras", "input_shape": [8, 8, 3],
            "layers": [{"Conv2D": {"filters": 4, "kernel_size": 3, "name": None}, "name": "b"}]}
    assert 'layers.Conv2D(filters=4, kernel_size=3, name="b")' in write_graph_code(spec)


KERAS_SUBCLASSED_RESIDUAL = '''
import keras
from keras import layers

class Unit(layers.Layer):
    def __init__(self, filters, **kwargs):
        super().__init__(**kwargs)
        self.conv = layers.Conv2D(filters, 3, padding="same")
        self.act = layers.Activation("relu")

    def call(self, inputs):
        return keras.activations.relu(self.act(self.conv(inputs)) + inputs)

class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.units = [Unit(3), Unit(3)]
        self.pool = layers.GlobalAveragePooling2D()

    def call(self, x):
        for unit in self.units:
            x = unit(x)
        return self.pool(x)

model = Net()
'''


def test_keras_layers_made_in_a_call_continue_the_auto_names_of_init() -> None:
    # The counters restarted between reading __init__ and calling the model: keras.activations.relu in the first
    # Unit's call took 'activation_1', the name of the second Unit's Activation -> "two layers are named".
    solution, _ = _read(KERAS_SUBCLASSED_RESIDUAL, (8, 8, 3))
    names = [layer.name for layer in solution.layers]
    assert names[:3] == ["conv2d", "activation", "add"]  # Keras: conv2d, activation | conv2d_1, activation_1
    assert "conv2d_1" in names and "activation_1" in names and len(set(names)) == len(names)


def test_keras_model_build_gives_the_input_shape_and_keeps_the_model() -> None:
    # model.build((None, 8, 8, 3)) is how a subclassed Keras model states its input; it was an unknown method that
    # made quizgen drop the module's model (and build a second one, conv2d_2, ...) and ask for --input-shape.
    solution, notes = _read(KERAS_SUBCLASSED_RESIDUAL + "model.build((None, 8, 8, 3))\n")
    assert solution.layers[0].name == "conv2d" and solution.output_shape == (3,)
    assert "input shape [8, 8, 3] from model.build((None, 8, 8, 3)) (line 26)" in notes
