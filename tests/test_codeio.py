"""Model source code <-> network spec: the seeds, the supported forms, hostile input, round trip."""

from __future__ import annotations

import contextlib
import inspect
import os
import textwrap
import typing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizgen.codeio import ReadModel, read_model_code, write_model_code
from quizgen.codeio import signatures as sg
from quizgen.codeio.reader import MAX_LAYERS, MAX_SOURCE_CHARS
from quizgen.errors import CodeReadError, SpecError

# -- the seeds (code as published; 003 restored to lines, the page had flattened it) --------

SEED_000 = """\
model = Sequential()
model.add(layers.Conv1D(64, 15, strides=2,input_shape=(178, 1), use_bias=False))
model.add(layers.ReLU())
model.add(layers.Conv1D(64, 3))
model.add(layers.Conv1D(64, 3, strides=2))
model.add(layers.ReLU())
model.add(layers.Conv1D(64, 3))
model.add(layers.Conv1D(64, 3, strides=2))  # [None, 54, 64]
model.add(layers.BatchNormalization())
model.add(layers.LSTM(64, dropout=0.5, return_sequences=True))
model.add(layers.LSTM(64, dropout=0.5, return_sequences=True))
model.add(layers.LSTM(32))
model.add(layers.Dense(5, activation="softmax"))
model.summary()
"""

SEED_001 = """\
    model = Sequential()
    model.add(Conv2D(32, kernel_size=(3, 3),
                     activation='relu',
                     input_shape=input_shape))
    model.add(Conv2D(63, (3, 3), activation='relu'))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Flatten())
    model.add(Dense(128, name='dense', activation='relu'))
    model.add(Dropout(0.5))
    model.add(Dense(10, activation='softmax'))

    model.compile(loss=keras.losses.categorical_crossentropy,
                  optimizer=keras.optimizers.Adadelta(),
                  metrics=['accuracy'])
"""

SEED_003 = """\
import torch
import torch.nn as nn

class ConvNet(nn.Module):
    def __init__(self):
        super(ConvNet, self).__init__()
        self.conv1 = nn.Conv1d(in_channels=1, out_channels=16, kernel_size=3, stride=1, padding=1)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool1d(kernel_size=2, stride=2)
        self.conv2 = nn.Conv1d(in_channels=16, out_channels=32, kernel_size=3, stride=1, padding=1)
        self.relu2 = nn.ReLU()
        self.pool2 = nn.MaxPool1d(kernel_size=2, stride=2)
        self.fc1 = nn.Linear(32*25, 128)
        self.relu3 = nn.ReLU()
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = self.relu1(x)
        x = self.pool1(x)
        x = self.conv2(x)
        x = self.relu2(x)
        x = self.pool2(x)
        x = x.view(x.size(0), -1)
        x = self.fc1(x)
        x = self.relu3(x)
        x = self.fc2(x)
        return x

# 计算模型参数量
model = ConvNet()
params = sum(p.numel() for p in model.parameters())
print("模型参数量:", params)

# 计算模型计算量
input_size = (1, 1, 100)  # 输入张量的形状为(batch_size, in_channels, sequence_length)
input = torch.randn(input_size)
flops, params = torch.profiler.profile(model, inputs=(input,))
print("模型计算量:", flops)
"""

SEED_004 = """\
import torch
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(3, 16, kernel_size=3, padding=1)
        self.act1 = nn.Tanh()
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(16, 8, kernel_size=3, padding=1)
        self.act2 = nn.Tanh()
        self.pool2 = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(8 * 8 * 8, 32)
        self.act3 = nn.Tanh()
        self.fc2 = nn.Linear(32, 2)

    def forward(self, x):
        x = self.pool1(self.act1(self.conv1(x)))
        x = self.pool2(self.act2(self.conv2(x)))
        x = x.view(-1, 8 * 8 * 8)
        x = self.act3(self.fc1(x))
        x = self.fc2(x)
        return x
"""


def test_seed_000_keras_conv1d_lstm_add_chain() -> None:
    read = read_model_code(SEED_000, "seed000.py")
    assert read.spec == {
        "framework": "keras",
        "input_shape": [178, 1],
        "layers": [
            {"Conv1D": {"filters": 64, "kernel_size": 15, "strides": 2, "use_bias": False}},
            {"ReLU": {}},
            {"Conv1D": {"filters": 64, "kernel_size": 3}},
            {"Conv1D": {"filters": 64, "kernel_size": 3, "strides": 2}},
            {"ReLU": {}},
            {"Conv1D": {"filters": 64, "kernel_size": 3}},
            {"Conv1D": {"filters": 64, "kernel_size": 3, "strides": 2}},
            {"BatchNormalization": {}},
            {"LSTM": {"units": 64, "dropout": 0.5, "return_sequences": True}},
            {"LSTM": {"units": 64, "dropout": 0.5, "return_sequences": True}},
            {"LSTM": {"units": 32}},
            {"Dense": {"units": 5, "activation": "softmax"}},
        ],
    }
    assert read.layer_lines == tuple(range(2, 14))


SEED_001_LAYERS = [
    {"Conv2D": {"filters": 32, "kernel_size": [3, 3], "activation": "relu"}},
    {"Conv2D": {"filters": 63, "kernel_size": [3, 3], "activation": "relu"}},
    {"MaxPooling2D": {"pool_size": [2, 2]}},
    {"Dropout": {"rate": 0.25}},
    {"Flatten": {}},
    {"Dense": {"units": 128, "name": "dense", "activation": "relu"}},
    {"Dropout": {"rate": 0.5}},
    {"Dense": {"units": 10, "activation": "softmax"}},
]


def test_seed_001_mnist_cnn_with_input_shape_given() -> None:
    read = read_model_code(SEED_001, "seed001.py", input_shape=(28, 28, 1))
    assert read.spec == {"framework": "keras", "input_shape": [28, 28, 1], "layers": SEED_001_LAYERS}
    assert read.layer_lines == (2, 5, 6, 7, 8, 9, 10, 11)


def test_seed_001_without_input_shape_leaves_it_to_the_caller() -> None:
    # input_shape=input_shape names nothing defined in the snippet: the caller must ask for it.
    assert read_model_code(SEED_001).spec["input_shape"] is None


SEED_003_LAYERS = [
    {"Conv1d": {"in_channels": 1, "out_channels": 16, "kernel_size": 3, "stride": 1, "padding": 1}},
    {"ReLU": {}},
    {"MaxPool1d": {"kernel_size": 2, "stride": 2}},
    {"Conv1d": {"in_channels": 16, "out_channels": 32, "kernel_size": 3, "stride": 1, "padding": 1}},
    {"ReLU": {}},
    {"MaxPool1d": {"kernel_size": 2, "stride": 2}},
    {"Flatten": {}},
    {"Linear": {"in_features": 800, "out_features": 128}},
    {"ReLU": {}},
    {"Linear": {"in_features": 128, "out_features": 10}},
]


def test_seed_003_pytorch_conv1d_view_and_input_from_randn_constant() -> None:
    read = read_model_code(SEED_003, "seed003.py")
    assert read.spec == {"framework": "pytorch", "input_shape": [1, 100], "layers": SEED_003_LAYERS}
    # a layer's line is where it is built; the flatten is the x.view line in forward
    assert read.layer_lines == (7, 8, 9, 10, 11, 12, 24, 13, 14, 15)


def test_seed_003_input_shape_argument_wins() -> None:
    assert read_model_code(SEED_003, input_shape=[1, 200]).spec["input_shape"] == [1, 200]


def test_seed_004_pytorch_net_nested_calls() -> None:
    read = read_model_code(SEED_004, "seed004.py", input_shape=[3, 32, 32])
    assert read.spec == {
        "framework": "pytorch",
        "input_shape": [3, 32, 32],
        "layers": [
            {"Conv2d": {"in_channels": 3, "out_channels": 16, "kernel_size": 3, "padding": 1}},
            {"Tanh": {}},
            {"MaxPool2d": {"kernel_size": 2}},
            {"Conv2d": {"in_channels": 16, "out_channels": 8, "kernel_size": 3, "padding": 1}},
            {"Tanh": {}},
            {"MaxPool2d": {"kernel_size": 2}},
            {"Flatten": {}},
            {"Linear": {"in_features": 512, "out_features": 32}},
            {"Tanh": {}},
            {"Linear": {"in_features": 32, "out_features": 2}},
        ],
    }
    assert read_model_code(SEED_004).spec["input_shape"] is None  # nothing in the code says it


@pytest.mark.parametrize("seed", [SEED_000, SEED_003, SEED_004])
def test_seeds_round_trip_through_the_writer(seed: str) -> None:
    read = read_model_code(seed, input_shape=[3, 32, 32])
    assert read_model_code(write_model_code(read.spec)).spec == read.spec


# -- supported forms ---------------------------------------------------------------

KERAS_CASES: list[tuple[str, str, list[int | None] | None, list[dict[str, Any]]]] = [
    (
        "keras_input_and_list",
        """
        import keras
        from keras import layers
        model = keras.Sequential([keras.Input(shape=(32, 32, 3)), layers.Conv2D(8, 3), layers.GlobalAvgPool2D()])
        """,
        [32, 32, 3],
        [{"Conv2D": {"filters": 8, "kernel_size": 3}}, {"GlobalAveragePooling2D": {}}],
    ),
    (
        "tf_keras_constants_and_arithmetic",
        """
        import tensorflow as tf
        input_shape = (28, 28, 1)
        num_classes = 10
        hidden = 8 * 8 * 8
        model = tf.keras.models.Sequential([
            tf.keras.layers.Flatten(input_shape=input_shape),
            tf.keras.layers.Dense(hidden - 12, activation=tf.nn.relu),
            tf.keras.layers.Dense(num_classes // 2 * 2, activation="softmax"),
        ])
        """,
        [28, 28, 1],
        [{"Flatten": {}}, {"Dense": {"units": 500, "activation": "tf.nn.relu"}}, {"Dense": {"units": 10, "activation": "softmax"}}],
    ),
    (
        "bare_imports_wrappers_and_kept_initializers",
        """
        from keras.models import Sequential
        from keras.layers import Embedding, Bidirectional, LSTM, TimeDistributed, Dense, InputLayer
        from keras import initializers
        model = Sequential()
        model.add(InputLayer(shape=(None,)))
        model.add(Embedding(1000, 64))
        model.add(Bidirectional(LSTM(32, return_sequences=True), merge_mode="sum"))
        model.add(TimeDistributed(Dense(5, kernel_initializer=initializers.HeNormal(seed=1))))
        model.compile(optimizer="adam")
        """,
        [None],
        [
            {"Embedding": {"input_dim": 1000, "output_dim": 64}},
            {"Bidirectional": {"layer": {"LSTM": {"units": 32, "return_sequences": True}}, "merge_mode": "sum"}},
            {"TimeDistributed": {"layer": {"Dense": {"units": 5, "kernel_initializer": "initializers.HeNormal(seed=1)"}}}},
        ],
    ),
    (
        "function_defaults_and_batch_input_shape",
        """
        from tensorflow import keras
        from tensorflow.keras import layers

        def build(num_classes=10, width=64):
            model = keras.Sequential(name="mlp")
            model.add(layers.Dense(width, batch_input_shape=(None, 784)))
            model.add(layers.MaxPool1D())  # an alias, stored by its canonical name
            model.add(layers.Dense(num_classes))
            return model
        """,
        [784],
        [{"Dense": {"units": 64}}, {"MaxPooling1D": {}}, {"Dense": {"units": 10}}],
    ),
]


KERAS_CASES.append(
    (
        "keras2_legacy_keywords",
        """
        from tensorflow.keras.models import Sequential
        from tensorflow.keras.layers import Embedding, LSTM, Dense, LeakyReLU
        model = Sequential()
        model.add(Embedding(10000, 128, input_length=100))  # Keras 2: the input is 100 token ids
        model.add(LSTM(64, implementation=2))
        model.add(Dense(16))
        model.add(LeakyReLU(alpha=0.2))
        """,
        [100],
        [
            {"Embedding": {"input_dim": 10000, "output_dim": 128}},
            {"LSTM": {"units": 64}},
            {"Dense": {"units": 16}},
            {"LeakyReLU": {"negative_slope": 0.2}},
        ],
    )
)


@pytest.mark.parametrize(("source", "shape", "layers"), [c[1:] for c in KERAS_CASES], ids=[c[0] for c in KERAS_CASES])
def test_keras_forms(source: str, shape: list[int | None] | None, layers: list[dict[str, Any]]) -> None:
    read = read_model_code(textwrap.dedent(source))
    assert read.spec == {"framework": "keras", "input_shape": shape, "layers": layers}
    assert len(read.layer_lines) == len(layers)


TORCH_CASES: list[tuple[str, str, list[int | None] | None, list[dict[str, Any]]]] = [
    (
        "sequential_with_comment_shape",
        """
        from torch import nn
        # input shape: [1, 28, 28]
        model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 26 * 26, 10))
        """,
        [1, 28, 28],
        [
            {"Conv2d": {"in_channels": 1, "out_channels": 4, "kernel_size": 3}},
            {"ReLU": {}},
            {"Flatten": {}},
            {"Linear": {"in_features": 2704, "out_features": 10}},
        ],
    ),
    (
        "returned_sequential_ordered_dict_chinese_comment",
        """
        import torch.nn as nn
        from collections import OrderedDict
        # 输入 [3, 32, 32]
        def make():
            return nn.Sequential(OrderedDict([("c", nn.Conv2d(3, 6, 5)), ("p", nn.AvgPool2d(2))]))
        """,
        [3, 32, 32],
        [{"Conv2d": {"in_channels": 3, "out_channels": 6, "kernel_size": 5}}, {"AvgPool2d": {"kernel_size": 2}}],
    ),
    (
        "append_chain_and_randn",
        """
        import torch
        from torch import nn
        model = nn.Sequential()
        model.append(nn.Linear(20, 10))
        model.add_module("act", nn.GELU(approximate="tanh"))
        print(model(torch.randn(4, 20)))
        """,
        [20],
        [{"Linear": {"in_features": 20, "out_features": 10}}, {"GELU": {"approximate": "tanh"}}],
    ),
    (
        "module_functional_sequential_members_unused_and_reused_layers",
        """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        class Net(nn.Module):
            \"\"\"LeNet-ish.\"\"\"
            def __init__(self, num_classes=10):
                super().__init__()
                hidden = 120
                self.features = nn.Sequential(nn.Conv2d(3, 6, 5), nn.ReLU())
                self.conv2 = nn.Conv2d(6, 16, 5)
                self.unused = nn.Linear(1, 1)
                self.flat = 16 * 5 * 5
                self.fc1 = nn.Linear(self.flat, hidden)
                self.drop = nn.Dropout(0.5)
                self.fc2 = nn.Linear(hidden, num_classes)
                nn.init.kaiming_normal_(self.fc1.weight)

            def forward(self, x):
                x = F.max_pool2d(self.features(x), 2)
                x = F.max_pool2d(F.relu(self.conv2(x)), (2, 2), 2)
                n = x.size(0)
                x = x.view(n, -1)
                x = self.drop(torch.relu(self.fc1(x)))
                x = self.drop(x)
                out = F.dropout(x, 0.2, training=self.training)
                return F.log_softmax(self.fc2(out), dim=1)
        """,
        None,
        [
            {"Conv2d": {"in_channels": 3, "out_channels": 6, "kernel_size": 5}},
            {"ReLU": {}},
            {"MaxPool2d": {"kernel_size": 2}},
            {"Conv2d": {"in_channels": 6, "out_channels": 16, "kernel_size": 5}},
            {"ReLU": {}},
            {"MaxPool2d": {"kernel_size": [2, 2], "stride": 2}},
            {"Flatten": {}},
            {"Linear": {"in_features": 400, "out_features": 120}},
            {"ReLU": {}},
            {"Dropout": {"p": 0.5}},
            {"Dropout": {"p": 0.5}},
            {"Dropout": {"p": 0.2}},
            {"Linear": {"in_features": 120, "out_features": 10}},
            {"LogSoftmax": {"dim": 1}},
        ],
    ),
    (
        "rnn_attention_flatten_forms",
        """
        import torch
        from torch import nn

        class Tagger(nn.Module):
            def __init__(self):
                super(Tagger, self).__init__()
                self.lstm = nn.LSTM(16, 32, batch_first=True)
                self.attn = nn.MultiheadAttention(32, 4, batch_first=True)
                self.gru = nn.GRU(32, 8, batch_first=True)
                self.head = nn.Linear(8 * 10, 3)

            def forward(self, x):
                x, (h, c) = self.lstm(x)
                x, _ = self.attn(x, x, x)
                x = self.gru(x)[0]
                x = torch.tanh(x).contiguous()
                x = torch.flatten(x, 1)
                x = x.reshape(x.shape[0], -1).flatten(start_dim=1)
                return self.head(x).softmax(dim=-1)

        example = torch.randn(2, 10, 16)
        """,
        [10, 16],
        [
            {"LSTM": {"input_size": 16, "hidden_size": 32, "batch_first": True}},
            {"MultiheadAttention": {"embed_dim": 32, "num_heads": 4, "batch_first": True}},
            {"GRU": {"input_size": 32, "hidden_size": 8, "batch_first": True}},
            {"Tanh": {}},
            {"Flatten": {}},
            {"Flatten": {}},
            {"Flatten": {}},
            {"Linear": {"in_features": 80, "out_features": 3}},
            {"Softmax": {"dim": -1}},
        ],
    ),
]


TORCH_CASES.append(
    (
        "pytorch_cifar10_tutorial",
        """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F


        class Net(nn.Module):
            def __init__(self):
                nn.Module.__init__(self)
                self.conv1 = nn.Conv2d(3, 6, 5)
                self.pool = nn.MaxPool2d(2, 2)
                self.conv2 = nn.Conv2d(6, 16, 5)
                self.fc1 = nn.Linear(16 * 5 * 5, 120)
                self.fc2 = nn.Linear(120, 84)
                self.fc3 = nn.Linear(84, 10)

            def forward(self, x):
                x = self.pool(F.relu(self.conv1(x)))
                x = self.pool(F.relu(self.conv2(x)))
                x = torch.flatten(x, 1) # flatten all dimensions except batch
                x = F.relu(self.fc1(x))
                x = F.relu(self.fc2(x))
                x = self.fc3(x)
                return x


        net = Net()
        """,
        None,
        [
            {"Conv2d": {"in_channels": 3, "out_channels": 6, "kernel_size": 5}},
            {"ReLU": {}},
            {"MaxPool2d": {"kernel_size": 2, "stride": 2}},
            {"Conv2d": {"in_channels": 6, "out_channels": 16, "kernel_size": 5}},
            {"ReLU": {}},
            {"MaxPool2d": {"kernel_size": 2, "stride": 2}},
            {"Flatten": {}},
            {"Linear": {"in_features": 400, "out_features": 120}},
            {"ReLU": {}},
            {"Linear": {"in_features": 120, "out_features": 84}},
            {"ReLU": {}},
            {"Linear": {"in_features": 84, "out_features": 10}},
        ],
    )
)


@pytest.mark.parametrize(("source", "shape", "layers"), [c[1:] for c in TORCH_CASES], ids=[c[0] for c in TORCH_CASES])
def test_pytorch_forms(source: str, shape: list[int | None] | None, layers: list[dict[str, Any]]) -> None:
    read = read_model_code(textwrap.dedent(source))
    assert read.spec == {"framework": "pytorch", "input_shape": shape, "layers": layers}
    assert len(read.layer_lines) == len(layers)


def test_warnings_of_the_parsed_code_are_not_raised() -> None:
    # "\d" is an invalid escape: compiling it warns, which pytest (filterwarnings=error) would raise
    source = 'import re\npattern = re.compile("\\d+")\nmodel = keras.Sequential([layers.Dense(3, name="a\\w")])\n'
    assert read_model_code(source).spec["layers"] == [{"Dense": {"units": 3, "name": "a\\w"}}]


def test_read_model_is_a_frozen_value() -> None:
    read = read_model_code(SEED_004)
    assert isinstance(read, ReadModel)
    with pytest.raises(AttributeError):
        read.layer_lines = ()  # type: ignore[misc]


# -- unsupported and hostile input --------------------------------------------------


def _module(init: str = "pass", forward: str = "return x", head: str = "") -> str:
    """A PyTorch module: __init__'s body is on line 4, forward's on line 6 (plus the head's lines)."""
    return f"{head}from torch import nn\nclass M(nn.Module):\n    def __init__(self):\n        {init}\n    def forward(self, x):\n        {forward}\n"


def _keras(layer: str, head: str = "") -> str:
    """A Keras model whose one layer starts at column 27 of the last line."""
    return f"{head}model = keras.Sequential([{layer}])\n"


DEEP = "layers.Reshape(" + "[" * 60 + "]" * 60 + ")"
# (id, source, part of the message, line, column)
ERROR_CASES: list[tuple[str, str, str, int | None, int | None]] = [
    ("syntax_error", "model = Sequential(\n  [layers.Dense(10)\n", "not valid Python", 2, 3),
    ("no_model", "x = 1\n", "no model found", None, None),
    ("two_models", "m = keras.Sequential([])\nn = keras.Sequential([])\n", "found several models: m, n", None, None),
    ("dunder_import_anywhere", _keras("layers.Dense(__import__('os').getpid())"), "'__import__' is refused", 1, 40),
    ("exec_outside_model", _keras("", head="exec('print(1)')\n"), "'exec' is refused", 1, 1),
    ("eval_in_argument", _keras("layers.Dense(eval('10'))"), "'eval' is refused", 1, 40),
    ("open_call", _keras("layers.Dense(open('/etc/passwd').read())"), "is not supported", 1, 40),
    ("os_system_in_activation", _keras("layers.Dense(1, activation=os.system('id'))", "import os\n"), "os.system", 2, 54),
    ("lambda_activation", _keras("layers.Dense(1, activation=lambda x: x)"), "Lambda", 1, 54),
    ("dunder_attribute", _keras("layers.Dense(1, name=keras.__class__)"), "'__class__'", 1, 48),
    ("huge_literal", _keras("layers.Dense(10000000000)"), "out of range", 1, 40),
    ("huge_folded_constant", _keras("layers.Dense(N)", "N = 100000 * 100000\n"), "out of range", 1, 5),
    ("infinite_float", _keras("layers.Dropout(1e999)"), "out of range", 1, 42),
    ("power_operator", _keras("layers.Dense(10 ** 3)"), "only + - * //", 1, 40),
    ("unknown_constant", _keras("layers.Dense(units)"), "'units' is not a constant", 1, 40),
    ("parameter_without_default", "def f(n):\n    return keras.Sequential([layers.Dense(n)])\n", "needs the argument 'n'", 1, 1),
    ("unknown_keyword", _keras("layers.Dense(10, unitz=3)"), "has no argument 'unitz'", 1, 50),
    (
        "too_many_positionals",
        "from torch import nn\nm = nn.Sequential(nn.MaxPool2d(2, 2, 0, 1, False, False, 9))\n",
        "at most 6 positional",
        2,
        19,
    ),
    ("duplicate_argument", _keras("layers.Dense(10, units=3)"), "units twice", 1, 50),
    ("star_args", _keras("layers.Dense(*a)", "a = [1]\n"), "*args", 2, 40),
    ("unknown_layer", _keras("layers.Lambda(lambda x: x)"), "not a supported Keras layer", 1, 27),
    ("input_after_layer", _keras("layers.Dense(1), keras.Input((3,))"), "must come before", 1, 44),
    ("add_in_loop", "model = Sequential()\nfor i in range(3):\n    model.add(layers.Dense(8))\n", "statement of its own", 3, 5),
    ("deep_nesting", _keras(DEEP), "deeper than 50", 1, None),
    ("keras_input_shape_type", _keras("layers.Dense(1, input_shape='x')"), "input shape must be", 1, 27),
    ("init_loop", _module("for i in range(2): pass"), "not supported in __init__", 4, 9),
    ("init_custom_call", _module("self.b = Block(3)"), "'Block' is not defined in this file", 4, 18),
    ("init_local_layer", _module("conv = nn.Linear(1, 1)"), "nn.Linear(...) is not supported", 4, 16),
    (
        "no_forward",
        "from torch import nn\nclass M(nn.Module):\n    def __init__(self):\n        pass\n",
        "needs both __init__ and forward",
        2,
        1,
    ),
    ("residual", _module("self.l = nn.Linear(1, 1)", "y = self.l(x)\n        return x + y"), "BinOp is not supported", 7, 16),
    ("branch", _module("self.l = nn.Linear(1, 1)", "y = self.l(x)\n        return self.l(x)"), "'x' is not the running tensor 'y'", 7, 23),
    ("unknown_member", _module(forward="return self.fc(x)"), "self.fc is not a layer", 6, 16),
    ("view_3d", _module(forward="return x.view(x.size(0), 3, -1)"), "flattening", 6, 16),
    ("view_twice_unknown", _module(forward="return x.view(-1, -1)"), "flattening", 6, 16),
    ("flatten_batch", _module(forward="return torch.flatten(x)", head="import torch\n"), "all but the batch", 7, 16),
    (
        "forward_os_call",
        _module(forward="x = os.system('id')\n        return x", head="import os\n"),
        "os.system(...) is not supported",
        7,
        13,
    ),
    ("forward_if", _module(forward="if x:\n            pass\n        return x"), "not supported in forward", 6, 9),
    ("forward_no_return", _module(forward="pass"), "must end with return", 5, 5),
    # typos: the message names the layer or attribute that was probably meant
    ("layer_typo", _module("self.fc = nn.Linaer(4, 2)", "return self.fc(x)"),
     "the call nn.Linaer(...) is not supported here (did you mean nn.Linear?)", 4, 19),
    ("attribute_typo", _module("self.head = nn.Linear(4, 2)", "return self.haed(x)"),
     "self.haed is not a layer assigned in __init__ (self.haed = nn.Layer(...)); did you mean self.head?", 6, 16),
    # a residual forward and no input shape: the graph reader could read it, given --input-shape
    ("residual_without_input_shape", _module("super().__init__()\n        self.head = nn.Linear(4, 4)", "return self.head(x) + x"),
     "a BinOp is not supported in forward; forward must be one chain such as x = self.conv1(x); x = F.relu(x); "
     "x = x.view(x.size(0), -1); return x; or pass --input-shape (e.g. --input-shape 3,32,32)", 7, 16),
    (
        "attention_with_other_key",
        _module("self.a = nn.MultiheadAttention(8, 2)", "x, _ = self.a(x, x, y)\n        return x"),
        "self.a(x, x, x)",
        6,
        16,
    ),
]


@pytest.mark.parametrize(("source", "message", "line", "column"), [c[1:] for c in ERROR_CASES], ids=[c[0] for c in ERROR_CASES])
def test_unsupported_code_is_an_error_with_location(source: str, message: str, line: int | None, column: int | None) -> None:
    with pytest.raises(CodeReadError) as caught:
        read_model_code(source, "model.py")
    error = caught.value
    assert message in str(error)
    assert error.location.file == "model.py"
    assert error.location.line == line
    if column is not None:
        assert error.location.column == column
    assert str(error).startswith("model.py")


def test_a_typo_in_a_graph_model_names_the_attribute_meant() -> None:
    source = _module("super().__init__()\n        self.head = nn.Linear(4, 4)", "return self.haed(x) + x")
    with pytest.raises(CodeReadError, match=r"line 7 column 16: self\.haed\(\.\.\.\) is not supported \(did you mean self\.head\?\)"):
        read_model_code(source, "model.py", (4,))


def test_columns_account_for_a_pasted_indent_and_wide_characters() -> None:
    source = "    s = '输入'; model = keras.Sequential([layers.Dense(units)])\n"
    with pytest.raises(CodeReadError) as caught:
        read_model_code(source)
    assert (caught.value.location.line, caught.value.location.column) == (1, 54)


def test_source_too_long_is_refused() -> None:
    with pytest.raises(CodeReadError, match="at most 200000"):
        read_model_code("#" * (MAX_SOURCE_CHARS + 1))


def test_too_many_layers_is_refused() -> None:
    source = "model = keras.Sequential([\n" + "    layers.ReLU(),\n" * (MAX_LAYERS + 1) + "])\n"
    with pytest.raises(CodeReadError, match="more than 2000 layers"):
        read_model_code(source)


def test_too_many_layers_through_reuse_is_refused() -> None:
    members = "".join(f"        self.l{i} = nn.ReLU()\n" for i in range(50))
    calls = "        x = self.block(x)\n" * 50
    source = (
        "from torch import nn\nclass M(nn.Module):\n    def __init__(self):\n"
        f"        self.block = nn.Sequential({', '.join(['nn.ReLU()'] * 50)})\n{members}"
        f"    def forward(self, x):\n{calls}        return x\n"
    )
    with pytest.raises(CodeReadError, match="more than 2000 layers"):
        read_model_code(source)


def test_pathologically_deep_expressions_are_refused() -> None:
    for source in ("x = " + "+".join(["1"] * 60_000), "x = " + "-" * 100_000 + "1", "x = " + "(" * 300 + ")" * 300):
        with pytest.raises(CodeReadError):
            read_model_code(source)


def test_hostile_code_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = f"open({str(marker)!r}, 'w').write('x')"
    sources = [
        f"{payload}\nmodel = keras.Sequential([layers.Dense(1)])\n",
        f"model = keras.Sequential([layers.Dense(1, name={payload})])\n",
        f"import os\nos.system('touch {marker}')\nmodel = keras.Sequential([])\n",
        f"from torch import nn\nclass M(nn.Module):\n    def __init__(self):\n        {payload}\n    def forward(self, x):\n        return x\n",
    ]
    for source in sources:
        with contextlib.suppress(CodeReadError):
            read_model_code(source)
    assert not marker.exists()


# -- writer -------------------------------------------------------------------------


def test_writer_keras_is_idiomatic() -> None:
    spec = {
        "framework": "keras",
        "input_shape": [28, 28, 1],
        "layers": [
            {"Conv2D": {"kernel_size": [3, 3], "filters": 32, "activation": "relu"}},
            {"Bidirectional": {"layer": {"LSTM": {"units": 8}}}},
            {"Dense": {"units": 10, "kernel_initializer": "keras.initializers.HeNormal()"}},
        ],
    }
    assert write_model_code(spec) == textwrap.dedent(
        """\
        import keras
        from keras import layers

        model = keras.Sequential(
            [
                keras.Input(shape=(28, 28, 1)),
                layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
                layers.Bidirectional(layers.LSTM(8)),
                layers.Dense(10, kernel_initializer=keras.initializers.HeNormal()),
            ]
        )
        """
    )
    assert read_model_code(write_model_code(spec)).spec == spec


def test_writer_pytorch_uses_a_module_when_a_layer_returns_a_tuple() -> None:
    spec = {
        "framework": "pytorch",
        "input_shape": [12, None],
        "layers": [
            {"LSTM": {"input_size": 4, "hidden_size": 8, "batch_first": True}},
            {"Linear": {"in_features": 8, "out_features": 2}},
            {"ReLU": {}},
        ],
    }
    assert write_model_code(spec) == textwrap.dedent(
        """\
        import torch
        from torch import nn


        # input shape: [12, None]
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm = nn.LSTM(4, 8, batch_first=True)
                self.linear = nn.Linear(8, 2)
                self.relu = nn.ReLU()

            def forward(self, x):
                x, _ = self.lstm(x)
                x = self.linear(x)
                x = self.relu(x)
                return x


        model = Net()
        """
    )
    assert read_model_code(write_model_code(spec)).spec == spec


def test_writer_pytorch_module_members_are_named_as_the_specs_layers() -> None:
    """The members are the names prompts and summaries use ("layer 3 (relu_1, ReLU)"), by the same auto-name
    rule, so a student finds each layer in the code (they were lstm1, fc1, act1, act2)."""
    from quizgen.solver import solve
    from quizgen.spec import parse_spec

    spec = {
        "framework": "pytorch",
        "input_shape": [12, 4],
        "layers": [
            {"GRU": {"input_size": 4, "hidden_size": 8, "batch_first": True}},
            {"ReLU": {}},
            {"Flatten": {}},
            {"BatchNorm1d": {"num_features": 96}},
            {"ReLU": {}},
            {"Linear": {"in_features": 96, "out_features": 2}},
        ],
    }
    code = write_model_code(spec)
    members = [line.split("=")[0].strip().removeprefix("self.") for line in code.splitlines() if " = nn." in line]
    assert members == [layer.name for layer in solve(parse_spec(spec)).layers]
    assert members == ["gru", "relu", "flatten", "batch_norm", "relu_1", "linear"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"framework": "jax", "layers": []}, "framework must be"),
        ({"framework": "keras", "layers": [{"Dense2": {}}]}, "unknown keras layer 'Dense2'"),
        ({"framework": "keras", "layers": [{"InputLayer": {"shape": [3]}}]}, "unknown keras layer"),
        ({"framework": "pytorch", "layers": [{"Linear": {"units": 3}}]}, "has no argument 'units'"),
        ({"framework": "keras", "layers": [{"Dense": {"units": 3, "input_shape": [3]}}]}, "has no argument 'input_shape'"),
        ({"framework": "keras", "layers": [{"Dense": {"units": {"a": 1}}}]}, "cannot write"),
        ({"framework": "keras", "input_shape": [-1], "layers": []}, "input_shape must be"),
        ({"framework": "keras", "layers": [{"Dense": {"units": 1}, "ReLU": {}}]}, "one key"),
    ],
)
def test_writer_rejects_invalid_specs(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(SpecError, match=message):
        write_model_code(spec)


# -- round trip property ------------------------------------------------------------

_small = st.integers(1, 512)
_kernel = st.one_of(st.integers(1, 7), st.lists(st.integers(1, 7), min_size=2, max_size=2))
_rate = st.floats(0.0, 0.9, allow_nan=False)
_activation = st.sampled_from(["relu", "tanh", "softmax", "linear", None])


def _layer(
    name: str, required: dict[str, st.SearchStrategy[Any]], optional: dict[str, st.SearchStrategy[Any]]
) -> st.SearchStrategy[dict[str, Any]]:
    """{name: kwargs} with every required argument and a random subset of the optional ones."""
    return st.fixed_dictionaries(required, optional=optional).map(lambda kwargs: {name: kwargs})


KERAS_LAYERS = st.one_of(
    _layer(
        "Conv2D",
        {"filters": _small, "kernel_size": _kernel},
        {"strides": _kernel, "padding": st.sampled_from(["same", "valid"]), "activation": _activation, "use_bias": st.booleans()},
    ),
    _layer(
        "Conv1D", {"filters": _small, "kernel_size": st.integers(1, 9)}, {"dilation_rate": st.integers(1, 3), "groups": st.integers(1, 4)}
    ),
    _layer("Dense", {"units": _small}, {"activation": _activation, "use_bias": st.booleans(), "name": st.sampled_from(["fc", "out"])}),
    _layer("MaxPooling2D", {}, {"pool_size": _kernel, "strides": st.none() | _kernel}),
    _layer("Dropout", {"rate": _rate}, {}),
    _layer("Flatten", {}, {}),
    _layer("BatchNormalization", {}, {"momentum": _rate, "epsilon": st.sampled_from([1e-3, 1e-5])}),
    _layer("Embedding", {"input_dim": _small, "output_dim": _small}, {"mask_zero": st.booleans()}),
    _layer("LSTM", {"units": _small}, {"return_sequences": st.booleans(), "dropout": _rate}),
    st.builds(
        lambda units, mode: {"Bidirectional": {"layer": {"GRU": {"units": units}}, "merge_mode": mode}},
        _small,
        st.sampled_from(["concat", "sum"]),
    ),
)
TORCH_LAYERS = st.one_of(
    _layer(
        "Conv2d",
        {"in_channels": _small, "out_channels": _small, "kernel_size": _kernel},
        {"stride": _kernel, "padding": st.integers(0, 3), "bias": st.booleans()},
    ),
    _layer("Linear", {"in_features": _small, "out_features": _small}, {"bias": st.booleans()}),
    _layer("MaxPool2d", {"kernel_size": _kernel}, {"stride": _kernel, "ceil_mode": st.booleans()}),
    _layer("BatchNorm2d", {"num_features": _small}, {"eps": st.sampled_from([1e-5, 1e-3]), "affine": st.booleans()}),
    _layer("Dropout", {}, {"p": _rate}),
    _layer("ReLU", {}, {"inplace": st.booleans()}),
    _layer("Softmax", {}, {"dim": st.integers(-1, 1)}),
    _layer("Flatten", {}, {}),
    _layer(
        "LSTM",
        {"input_size": _small, "hidden_size": _small},
        {"num_layers": st.integers(1, 3), "batch_first": st.just(True), "bidirectional": st.booleans()},
    ),
    _layer("MultiheadAttention", {"embed_dim": _small, "num_heads": st.integers(1, 8)}, {"batch_first": st.booleans()}),
)
_shape = st.none() | st.lists(st.none() | _small, min_size=1, max_size=4)


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    framework = draw(st.sampled_from(["keras", "pytorch"]))
    layers = draw(st.lists(KERAS_LAYERS if framework == "keras" else TORCH_LAYERS, max_size=8))
    return {"framework": framework, "input_shape": draw(_shape), "layers": layers}


@settings(max_examples=200, deadline=None)
@given(specs())
def test_round_trip_spec_to_code_to_spec(spec: dict[str, Any]) -> None:
    code = write_model_code(spec)
    read = read_model_code(code, "written.py")
    assert read.spec == spec
    lines = code.splitlines()
    for layer, line in zip(spec["layers"], read.layer_lines, strict=True):
        assert f"{next(iter(layer))}(" in lines[line - 1]


# -- the signature tables against the real frameworks -----------------------------


def _real(signature: inspect.Signature) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    params = list(signature.parameters.values())[1:]
    positional = tuple(p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
    keyword_only = tuple(p.name for p in params if p.kind == p.KEYWORD_ONLY)
    return positional, keyword_only, any(p.kind == p.VAR_KEYWORD for p in params)


@pytest.mark.oracle
def test_keras_signatures_match_keras() -> None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    for name, sig in sg.KERAS.items():
        assert _real(inspect.signature(getattr(keras.layers, name).__init__)) == (sig.positional, sig.keyword_only, sig.var_keyword), name
    for alias, name in sg.KERAS_ALIASES.items():
        assert getattr(keras.layers, alias) is getattr(keras.layers, name)
    legacy_calls = {"LeakyReLU": {"alpha": 0.2}, "LSTM": {"units": 2, "implementation": 2}, "GRU": {"units": 2, "implementation": 2}}
    legacy_calls["Embedding"] = {"input_dim": 10, "output_dim": 2, "input_length": 3}
    assert set(legacy_calls) == set(sg.KERAS_LEGACY)
    for name, kwargs in legacy_calls.items():  # Keras 3 still accepts these Keras 2 keywords
        getattr(keras.layers, name)(**kwargs)
    real_input = inspect.signature(keras.Input)
    assert tuple(real_input.parameters) == sg.KERAS_INPUT.positional
    assert tuple(inspect.signature(keras.layers.Layer.__init__).parameters)[1:-1] == tuple(
        sorted(sg.KERAS_BASE_KEYWORDS, key=list(inspect.signature(keras.layers.Layer.__init__).parameters).index)
    )


@pytest.mark.oracle
def test_pytorch_signatures_match_torch() -> None:
    nn = pytest.importorskip("torch.nn")
    functional = pytest.importorskip("torch.nn.functional")
    for name, sig in sg.PYTORCH.items():
        init = getattr(nn, name).__init__
        overloads = typing.get_overloads(init)
        real = _real(inspect.signature(overloads[0] if overloads else init))
        if name in ("Tanh", "Sigmoid", "Identity"):  # (*args, **kwargs): refused or ignored, so none
            assert real == ((), (), True)
            real = ((), (), False)
        assert real == (sig.positional, sig.keyword_only, False), name
    for name, fn in sg.FUNCTIONAL.items():
        assert fn.layer in sg.PYTORCH
        doc = (getattr(functional, name).__doc__ or "").strip().splitlines()[0]
        try:
            params = tuple(inspect.signature(getattr(functional, name)).parameters)[1:]
        except ValueError:  # a builtin without a signature: its docstring opens with one
            params = ()
        if params and "kwargs" not in params:
            assert params == fn.positional, name
        else:
            for parameter in fn.positional:
                assert parameter in doc, (name, doc)


_REUSED = """
import torch
from torch import nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(8, 8, 3, padding=1)
        self.relu = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.head = nn.Linear(128, 2)

    def forward(self, x):
        x = self.pool(self.relu(self.conv(x)))
        x = self.pool(self.relu(x))
        x = {second}
        x = x.flatten(1)
        return self.head(x)
"""


def test_a_layer_with_weights_called_twice_is_rejected_not_counted_twice() -> None:
    # PyTorch counts shared weights once (model.parameters()); a spec has one layer per call.
    with pytest.raises(CodeReadError, match=r"line 16 column 13: self.conv is called a second time: the calls share its weights"):
        read_model_code(_REUSED.format(second="self.conv(x)"), "net.py", input_shape=(8, 16, 16))


def test_weightless_layers_may_be_called_again() -> None:
    read = read_model_code(_REUSED.format(second="self.relu(x)"), "net.py", input_shape=(8, 16, 16))
    assert [next(iter(layer)) for layer in read.spec["layers"]] == ["Conv2d", "ReLU", "MaxPool2d", "ReLU", "MaxPool2d", "ReLU",
                                                                     "Flatten", "Linear"]
