"""Issue 13's corpus: real model files (tests/fixtures/realcode/, each naming its source and
license in its first lines) read by quizgen must equal the real framework running the SAME file.

For every file: total parameters, output shape, and every leaf module (PyTorch, by its
``named_modules()`` path, through forward hooks) or layer (Keras, by name) — output shape and
parameter count — against quizgen's node of the same name.
"""

from __future__ import annotations

import inspect
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from quizgen.errors import SpecError
from quizgen.solver import solve
from quizgen.spec import read_spec_text

pytestmark = pytest.mark.oracle

REALCODE = Path(__file__).parent / "fixtures" / "realcode"

# (file, --model as a user writes it, --input-shape (None: from the code)); the oracle builds the same text
TORCH_FILES: list[tuple[str, str, tuple[int, ...]]] = [
    ("kuangliu_lenet.py", "LeNet", (3, 32, 32)),
    ("kuangliu_vgg.py", "VGG('VGG16')", (3, 32, 32)),
    ("kuangliu_mobilenet.py", "MobileNet", (3, 32, 32)),
    ("kuangliu_resnet.py", "ResNet50", (3, 32, 32)),
    ("kuangliu_googlenet.py", "GoogLeNet", (3, 32, 32)),
    ("kuangliu_densenet.py", "densenet_cifar", (3, 32, 32)),
    ("kuangliu_senet.py", "SENet18", (3, 32, 32)),
    ("kuangliu_efficientnet.py", "EfficientNetB0", (3, 32, 32)),
    ("kuangliu_dpn.py", "DPN26", (3, 32, 32)),
    ("kuangliu_shufflenetv2.py", "ShuffleNetV2(0.5)", (3, 32, 32)),
    ("kuangliu_regnet.py", "RegNetY_400MF", (3, 32, 32)),
    ("kuangliu_pnasnet.py", "PNASNetB", (3, 32, 32)),
    ("kuangliu_dla_simple.py", "SimpleDLA", (3, 32, 32)),
    ("kuangliu_preact_resnet.py", "PreActResNet18", (3, 32, 32)),
    ("kuangliu_dla.py", "DLA", (3, 32, 32)),
    # avg_pool2d(out, 2) leaves 2x2 at 32x32 (Linear(1280) then fails in PyTorch too: see REFUSED); 16x16 runs.
    ("kuangliu_mobilenetv2.py", "MobileNetV2", (3, 16, 16)),
    ("pytorch_examples_mnist.py", "Net", (1, 28, 28)),
    ("pytorch_examples_transformer_net.py", "TransformerNet", (3, 64, 64)),
    ("pytorch_examples_vae.py", "VAE", (1, 28, 28)),
    ("pytorch_examples_mnist_rnn.py", "Net", (1, 28, 28)),
    ("pytorch_tutorials_neural_networks.py", "Net", (1, 32, 32)),
    ("pytorch_tutorials_cifar10.py", "Net", (3, 32, 32)),
    ("pytorch_tutorials_buildmodel.py", "NeuralNetwork", (1, 28, 28)),
    ("pytorch_tutorials_dcgan_faces.py", "Generator(ngpu)", (100, 1, 1)),
    ("pytorch_tutorials_dcgan_faces.py", "Discriminator(ngpu)", (3, 64, 64)),
    ("pytorch_tutorials_fgsm_lenet.py", "Net", (1, 28, 28)),
    ("pytorch_tutorials_modelsyt.py", "TinyModel", (100,)),
]

# (file, --model or None for quizgen's own choice, --input-shape or None, the file's variable holding the model for the oracle)
KERAS_FILES: list[tuple[str, str | None, tuple[int, ...] | None, str]] = [
    ("keras_io_mnist_convnet.py", None, None, "model"),
    ("keras_io_image_classification_from_scratch.py", None, None, "model"),
    ("keras_io_oxford_pets_unet.py", None, None, "model"),
    ("keras_io_denoising_autoencoder.py", None, None, "autoencoder"),
    ("keras_io_dcgan.py", "discriminator", None, "discriminator"),
    ("keras_io_dcgan.py", "generator", None, "generator"),
    ("keras_io_bidirectional_lstm_imdb.py", None, None, "model"),
]


def _quizgen(path: Path, model: str | None, shape: tuple[int, ...] | None) -> Any:
    spec = read_spec_text(path.read_text(encoding="utf-8"), path.name, suffix=".py", input_shape=shape, model_name=model)
    return solve(spec)


def _import(path: Path) -> ModuleType:
    """Import the fixture from its path, as the framework's user would run it. Keras 3 is what
    `from tensorflow import keras` gives in TensorFlow 2.16+; without TensorFlow here, those
    import lines read `keras` itself (the rest of the file runs as written)."""
    source = path.read_text(encoding="utf-8")
    for tf_import, keras_import in _TF_KERAS_IMPORTS:
        source = source.replace(tf_import, keras_import)
    module = ModuleType(f"realcode_{path.stem}")
    module.__file__ = str(path)
    exec(compile(source, str(path), "exec"), vars(module))  # noqa: S102 - the oracle runs the test's own fixture file
    return module


_TF_KERAS_IMPORTS = (("from tensorflow import keras\n", "import keras\n"),
                     ("from tensorflow.keras import layers\n", "from keras import layers\n"),
                     ("from tensorflow.keras.", "from keras."),
                     ("import tensorflow as tf\n", "import keras as tf  # unused by the model\n"))


def _build(module: ModuleType, model: str) -> Any:
    """The model the same --model text names: a constructor call, a builder function, a class or a model object."""
    found = eval(model, vars(module))  # noqa: S307 - the test table's own constructor text, on the test's own fixture
    return found() if isinstance(found, type) or inspect.isfunction(found) else found


def _first(output: Any) -> Any:
    return output[0] if isinstance(output, tuple | list) else output


@pytest.mark.parametrize(("name", "model", "shape"), TORCH_FILES, ids=[f"{row[0]}:{row[1]}" for row in TORCH_FILES])
def test_torch_file_is_read_like_pytorch_runs_it(name: str, model: str, shape: tuple[int, ...]) -> None:
    torch = pytest.importorskip("torch")
    path = REALCODE / name
    solution = _quizgen(path, model, shape)
    net = _build(_import(path), model)
    modules = dict(net.named_modules())
    seen: dict[str, list[tuple[int, ...]]] = {}

    def record(module_name: str) -> Any:
        def hook(module: Any, inputs: Any, output: Any) -> None:
            outputs = output if isinstance(output, tuple | list) else (output,)
            seen.setdefault(module_name, [tuple(item.shape[1:]) for item in outputs if hasattr(item, "shape")])
        return hook

    # An empty nn.Sequential() shortcut is the identity: quizgen adds no node for it.
    leaves = {module_name: module for module_name, module in modules.items()
              if module_name and not list(module.children()) and type(module).__name__ not in ("Sequential", "Identity")}
    hooks = [module.register_forward_hook(record(module_name)) for module_name, module in leaves.items()]
    net.eval()
    with torch.no_grad():
        output = net(torch.zeros(2, *shape))
    for hook in hooks:
        hook.remove()
    assert solution.total_params == sum(p.numel() for p in net.parameters())
    assert solution.output_shape == tuple(_first(output).shape[1:])
    nodes = {layer.name: layer for layer in solution.layers}
    # A leaf module with its own forward (a channel shuffle, a split) is a group of quizgen nodes.
    groups: dict[str, list[Any]] = {}
    for layer in solution.layers:
        for path, _kind in layer.within:
            groups.setdefault(path, []).append(layer)
    missing = sorted(set(seen) - set(nodes) - set(groups))
    assert not missing, f"modules PyTorch called that quizgen has no node for: {missing[:5]}"
    for module_name, shapes in seen.items():
        params = sum(p.numel() for p in modules[module_name].parameters())
        if module_name in nodes:
            assert nodes[module_name].output_shape == shapes[0], module_name  # an LSTM's output; (h, c) are not the node's
            assert nodes[module_name].params == params, module_name
        else:
            inside = groups[module_name]
            assert set(shapes) <= {layer.output_shape for layer in inside}, module_name
            assert sum(layer.params for layer in inside) == params, module_name


@pytest.mark.parametrize(("name", "model", "shape", "variable"), KERAS_FILES, ids=[f"{row[0]}:{row[3]}" for row in KERAS_FILES])
def test_keras_file_is_read_like_keras_builds_it(name: str, model: str | None, shape: tuple[int, ...] | None, variable: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KERAS_BACKEND", "torch")  # conftest sets it before keras is imported; said again for a lone run
    keras = pytest.importorskip("keras")
    path = REALCODE / name
    solution = _quizgen(path, model, shape)
    keras.backend.clear_session()  # Keras' auto-names (conv2d, conv2d_1, ...) restart as in a fresh program
    net = getattr(_import(path), variable)
    assert solution.total_params == net.count_params()
    assert solution.output_shape == tuple(_first(net.outputs).shape[1:])
    nodes = {layer.name: layer for layer in solution.layers}
    for layer in net.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        assert layer.name in nodes, f"Keras layer {layer.name} has no quizgen node"
        assert nodes[layer.name].params == layer.count_params(), layer.name
        assert nodes[layer.name].output_shape == tuple(_first(layer.output).shape[1:]), layer.name


def test_largest_file_reads_within_a_second() -> None:
    largest = max((row[:3] for row in TORCH_FILES + KERAS_FILES), key=lambda row: (REALCODE / row[0]).stat().st_size)
    started = time.perf_counter()
    _quizgen(REALCODE / largest[0], largest[1], largest[2])
    assert time.perf_counter() - started < 1.0


def test_every_fixture_names_its_source_and_license() -> None:
    files = sorted(REALCODE.glob("*.py"))
    assert len(files) >= 30
    listed = {row[0] for row in TORCH_FILES + KERAS_FILES} | {row[0] for row in REFUSED}
    assert {path.name for path in files} == listed
    for path in files:
        head = path.read_text(encoding="utf-8").splitlines()[:3]
        assert head[0].startswith("# Source: "), path.name
        assert "License" in head[1] and "LICENSES/" in head[1], path.name
        assert (REALCODE / head[1].split("full text in ")[1].strip()).is_file(), path.name


# Real files quizgen refuses: one line naming the file, the line (and column for a construct) and why.
REFUSED: list[tuple[str, str, tuple[int, ...], str]] = [
    # forward(self, input, hidden): a second runtime input (the recurrent state) that quizgen does not take.
    ("pytorch_examples_word_language_model.py", "RNNModel('LSTM', 1000, 200, 200, 2)", (35,),
     "line 9 column 1: forward() needs the argument 'hidden'"),
    # PositionalEncoding computes a sine table with torch.arange: tensor math, not a layer.
    ("pytorch_examples_word_language_model.py", "TransformerModel(1000, 200, 2, 200, 2)", (35,),
     "line 89 column 20: the call torch.arange(...) is not supported here"),
    # The CIFAR NOTE in the file: avg_pool2d(out, 2) leaves 2x2x1280 = 5120 features; PyTorch fails the same way.
    ("kuangliu_mobilenetv2.py", "MobileNetV2", (3, 32, 32),
     "line 63: layer 167 Linear (linear): in_features=1280 but the input's last dimension is 5120"),
    # `import torch.functional as F` (not torch.nn.functional): F.max_pool2d / F.relu do not exist there, PyTorch fails too.
    ("pytorch_tutorials_modelsyt.py", "LeNet", (1, 32, 32), "line 43 column 26: the tensor operation F.relu(...) is not supported"),
    # len(sentence): the sequence length is only known when it runs.
    ("pytorch_tutorials_modelsyt.py", "LSTMTagger(6, 6, 9, 3)", (5,), "line 77 column 45: len() of the tensor sentence is not supported"),
]


@pytest.mark.parametrize(("name", "model", "shape", "message"), REFUSED, ids=[f"{row[0]}:{row[1]}" for row in REFUSED])
def test_refused_file_says_where_and_why_in_one_line(name: str, model: str, shape: tuple[int, ...], message: str) -> None:
    with pytest.raises(SpecError) as refused:
        _quizgen(REALCODE / name, model, shape)
    text = str(refused.value)
    assert "\n" not in text and message in text and text.startswith(name), text


@pytest.mark.parametrize(("name", "model", "shape", "error"), [
    ("kuangliu_mobilenetv2.py", "MobileNetV2", (3, 32, 32), "5120"),
    ("pytorch_tutorials_modelsyt.py", "LeNet", (1, 32, 32), "max_pool2d"),
])
def test_pytorch_fails_too_where_quizgen_refuses(name: str, model: str, shape: tuple[int, ...], error: str) -> None:
    torch = pytest.importorskip("torch")
    net = _build(_import(REALCODE / name), model)
    with pytest.raises((RuntimeError, AttributeError), match=error):
        net.eval()(torch.zeros(2, *shape))


def test_readme_shows_the_real_resnet_file_as_quizgen_solves_it() -> None:
    from typer.testing import CliRunner

    from quizgen.cli import app

    result = CliRunner().invoke(app, ["solve", str(REALCODE / "kuangliu_resnet.py"), "--model", "ResNet50",
                                      "--input-shape", "3,32,32", "--depth", "1"])
    assert result.exit_code == 0, result.output
    table = result.stdout.split("Trainable params")[0].rstrip("\n")
    readme = (REALCODE.parents[2] / "README.md").read_text(encoding="utf-8")
    assert table in readme
