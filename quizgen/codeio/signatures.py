"""Constructor signatures of the supported layers, as static tables.

The reader maps positional arguments through these tables (``Conv1D(64, 15)`` means
``filters=64, kernel_size=15``) and rejects keywords the real constructor would reject; the
writer uses them to order arguments. They were copied from ``inspect.signature`` of Keras 3
and PyTorch 2.13 (``tests/test_codeio.py`` compares them when the frameworks are
installed); no framework is imported here, the reader must work without them.
"""

from __future__ import annotations

__all__ = [
    "FUNCTIONAL",
    "KERAS",
    "KERAS_ALIASES",
    "KERAS_BASE_KEYWORDS",
    "KERAS_INPUT",
    "KERAS_LEGACY",
    "KERAS_SHAPE_KEYWORDS",
    "KERAS_WRAPPER_PARAMS",
    "OPAQUE_CALL_PREFIXES",
    "PYTORCH",
    "PYTORCH_LAZY",
    "TUPLE_OUTPUT",
    "Functional",
    "Signature",
    "is_count_neutral",
]

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Signature:
    """Parameters of one layer constructor, in declaration order."""

    positional: tuple[str, ...]
    keyword_only: tuple[str, ...] = ()
    var_keyword: bool = False  # Keras layers taking **kwargs accept the base Layer keywords
    lead: int = 0  # how many leading parameters idiomatic code passes positionally

    @property
    def parameters(self) -> tuple[str, ...]:
        extra = KERAS_BASE_KEYWORDS if self.var_keyword else ()
        return self.positional + self.keyword_only + tuple(k for k in extra if k not in self.positional)


@dataclass(frozen=True, slots=True)
class Functional:
    """A ``torch.nn.functional`` call and the module it stands for (``F.relu`` -> ``ReLU``)."""

    layer: str
    positional: tuple[str, ...]  # parameters after the input tensor
    dropped: tuple[str, ...] = ()  # accepted but not part of the module (``training``)


def _sig(params: str, lead: int = 0, *, kw: str = "", var: bool = True) -> Signature:
    return Signature(tuple(params.split()), tuple(kw.split()), var, lead)


# Base keywords of keras.layers.Layer (through **kwargs); input_shape/input_dim are read
# separately because they describe the model input, not the layer.
KERAS_BASE_KEYWORDS = ("activity_regularizer", "trainable", "dtype", "autocast", "name")
KERAS_SHAPE_KEYWORDS = ("input_shape", "input_dim", "batch_input_shape")
KERAS_WRAPPER_PARAMS = ("layer", "backward_layer")

_WB = "kernel_initializer bias_initializer kernel_regularizer bias_regularizer activity_regularizer kernel_constraint bias_constraint"
_CONV = f"filters kernel_size strides padding data_format dilation_rate groups activation use_bias {_WB}"
_CONV_T = f"filters kernel_size strides padding output_padding data_format dilation_rate activation use_bias {_WB}"
_CONV3_T = f"filters kernel_size strides padding data_format output_padding dilation_rate activation use_bias {_WB}"
_DEPTHWISE = (
    "kernel_size strides padding depth_multiplier data_format dilation_rate activation use_bias "
    "depthwise_initializer bias_initializer depthwise_regularizer bias_regularizer "
    "activity_regularizer depthwise_constraint bias_constraint"
)
_SEPARABLE = (
    "filters kernel_size strides padding data_format dilation_rate depth_multiplier activation "
    "use_bias depthwise_initializer pointwise_initializer bias_initializer depthwise_regularizer "
    "pointwise_regularizer bias_regularizer activity_regularizer depthwise_constraint "
    "pointwise_constraint bias_constraint"
)
_POOL = "pool_size strides padding data_format name"
_GLOBAL = "data_format keepdims"
_NORM_TAIL = "beta_initializer gamma_initializer beta_regularizer gamma_regularizer beta_constraint gamma_constraint"
_RNN_INIT = "kernel_initializer recurrent_initializer bias_initializer"
_RNN_REG = (
    "kernel_regularizer recurrent_regularizer bias_regularizer activity_regularizer "
    "kernel_constraint recurrent_constraint bias_constraint dropout recurrent_dropout"
)

KERAS: dict[str, Signature] = {
    **{f"Conv{n}D": _sig(_CONV, 1) for n in (1, 2, 3)},
    "Conv1DTranspose": _sig(_CONV_T, 1),
    "Conv2DTranspose": _sig(_CONV_T, 1),
    "Conv3DTranspose": _sig(_CONV3_T, 1),
    **{f"DepthwiseConv{n}D": _sig(_DEPTHWISE, 1) for n in (1, 2)},
    **{f"SeparableConv{n}D": _sig(_SEPARABLE, 1) for n in (1, 2)},
    **{f"{kind}Pooling{n}D": _sig(_POOL) for kind in ("Max", "Average") for n in (1, 2, 3)},
    **{f"Global{kind}Pooling{n}D": _sig(_GLOBAL) for kind in ("Max", "Average") for n in (1, 2, 3)},
    "BatchNormalization": _sig(
        "axis momentum epsilon center scale beta_initializer gamma_initializer "
        "moving_mean_initializer moving_variance_initializer beta_regularizer gamma_regularizer "
        "beta_constraint gamma_constraint renorm renorm_clipping renorm_momentum synchronized"
    ),
    "LayerNormalization": _sig(f"axis epsilon center scale {_NORM_TAIL}"),
    "GroupNormalization": _sig(f"groups axis epsilon center scale {_NORM_TAIL}"),
    "Dense": _sig(f"units activation use_bias {_WB} lora_rank lora_alpha quantization_config", 1),
    "Flatten": _sig("data_format"),
    "Reshape": _sig("target_shape", 1),
    "Dropout": _sig("rate noise_shape seed", 1),
    "SpatialDropout1D": _sig("rate seed name dtype", 1, var=False),
    "SpatialDropout2D": _sig("rate data_format seed name dtype", 1, var=False),
    "SpatialDropout3D": _sig("rate data_format seed name dtype", 1, var=False),
    "GaussianNoise": _sig("stddev seed", 1),
    "GaussianDropout": _sig("rate seed", 1),
    "AlphaDropout": _sig("rate noise_shape seed", 1),
    "Activation": _sig("activation", 1),
    "ReLU": _sig("max_value negative_slope threshold"),
    "LeakyReLU": _sig("negative_slope"),
    "Softmax": _sig("axis"),
    "ELU": _sig("alpha"),
    "PReLU": _sig("alpha_initializer alpha_regularizer alpha_constraint shared_axes"),
    "ZeroPadding1D": _sig("padding data_format"),
    "ZeroPadding2D": _sig("padding data_format"),
    "ZeroPadding3D": _sig("padding data_format"),
    "Cropping1D": _sig("cropping"),
    "Cropping2D": _sig("cropping data_format"),
    "Cropping3D": _sig("cropping data_format"),
    "UpSampling1D": _sig("size"),
    "UpSampling2D": _sig("size data_format interpolation"),
    "UpSampling3D": _sig("size data_format"),
    "Embedding": _sig(
        "input_dim output_dim embeddings_initializer embeddings_regularizer embeddings_constraint "
        "mask_zero weights lora_rank lora_alpha quantization_config",
        2,
    ),
    "SimpleRNN": _sig(
        f"units activation use_bias {_RNN_INIT} {_RNN_REG} return_sequences return_state go_backwards stateful unroll seed",
        1,
    ),
    "LSTM": _sig(
        f"units activation recurrent_activation use_bias {_RNN_INIT} unit_forget_bias {_RNN_REG} "
        "seed return_sequences return_state go_backwards stateful unroll use_cudnn",
        1,
    ),
    "GRU": _sig(
        f"units activation recurrent_activation use_bias {_RNN_INIT} {_RNN_REG} seed "
        "return_sequences return_state go_backwards stateful unroll reset_after use_cudnn",
        1,
    ),
    "Bidirectional": _sig("layer merge_mode weights backward_layer", 1),
    "TimeDistributed": _sig("layer", 1),
    "InputLayer": _sig("shape batch_size dtype sparse ragged batch_shape input_tensor optional name"),
}
# Keras 2 keywords that Keras 3 still takes through **kwargs: the reader renames them, drops them
# ("": they change nothing) or reads them as the model input (Embedding's input_length).
KERAS_LEGACY: dict[str, dict[str, str]] = {
    "LeakyReLU": {"alpha": "negative_slope"},
    "LSTM": {"implementation": ""},
    "GRU": {"implementation": ""},
    "Embedding": {"input_length": "input_shape"},
}
# keras.Input is a function, not a layer: it only ever gives the model input.
KERAS_INPUT = _sig("shape batch_size dtype sparse ragged batch_shape name tensor optional", var=False)

KERAS_ALIASES: dict[str, str] = {
    **{f"MaxPool{n}D": f"MaxPooling{n}D" for n in (1, 2, 3)},
    **{f"AvgPool{n}D": f"AveragePooling{n}D" for n in (1, 2, 3)},
    **{f"GlobalMaxPool{n}D": f"GlobalMaxPooling{n}D" for n in (1, 2, 3)},
    **{f"GlobalAvgPool{n}D": f"GlobalAveragePooling{n}D" for n in (1, 2, 3)},
    **{f"Convolution{n}D": f"Conv{n}D" for n in (1, 2, 3)},
    **{f"Convolution{n}DTranspose": f"Conv{n}DTranspose" for n in (1, 2, 3)},
    **{f"SeparableConvolution{n}D": f"SeparableConv{n}D" for n in (1, 2)},
}

_CONV_PT = "in_channels out_channels kernel_size stride padding dilation groups bias padding_mode device dtype"
_CONV_T_PT = "in_channels out_channels kernel_size stride padding output_padding groups bias dilation padding_mode device dtype"
_BN_PT = "num_features eps momentum affine track_running_stats device dtype"
_RNN_PT = "input_size hidden_size num_layers bias batch_first dropout bidirectional"

PYTORCH: dict[str, Signature] = {
    **{f"Conv{n}d": _sig(_CONV_PT, 2, var=False) for n in (1, 2, 3)},
    **{f"ConvTranspose{n}d": _sig(_CONV_T_PT, 2, var=False) for n in (1, 2, 3)},
    **{f"MaxPool{n}d": _sig("kernel_size stride padding dilation return_indices ceil_mode", 1, var=False) for n in (1, 2, 3)},
    "AvgPool1d": _sig("kernel_size stride padding ceil_mode count_include_pad", 1, var=False),
    "AvgPool2d": _sig("kernel_size stride padding ceil_mode count_include_pad divisor_override", 1, var=False),
    "AvgPool3d": _sig("kernel_size stride padding ceil_mode count_include_pad divisor_override", 1, var=False),
    **{f"AdaptiveAvgPool{n}d": _sig("output_size", 1, var=False) for n in (1, 2, 3)},
    **{f"AdaptiveMaxPool{n}d": _sig("output_size return_indices", 1, var=False) for n in (1, 2, 3)},
    **{f"BatchNorm{n}d": _sig(_BN_PT, 1, kw="bias", var=False) for n in (1, 2, 3)},
    **{f"InstanceNorm{n}d": _sig(_BN_PT, 1, kw="bias", var=False) for n in (1, 2, 3)},
    "LayerNorm": _sig("normalized_shape eps elementwise_affine bias device dtype", 1, var=False),
    "GroupNorm": _sig("num_groups num_channels eps affine device dtype", 2, kw="bias", var=False),
    "Linear": _sig("in_features out_features bias device dtype", 2, var=False),
    "Flatten": _sig("start_dim end_dim", var=False),
    "Unflatten": _sig("dim unflattened_size", 2, var=False),
    **{name: _sig("p inplace", 1, var=False) for name in ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d")},
    "AlphaDropout": _sig("p inplace", 1, var=False),
    **{name: _sig("inplace", var=False) for name in ("ReLU", "ReLU6", "SiLU", "Hardswish", "Mish")},
    "LeakyReLU": _sig("negative_slope inplace", var=False),
    "PReLU": _sig("num_parameters init device dtype", var=False),
    "ELU": _sig("alpha inplace", var=False),
    "GELU": _sig("approximate", var=False),
    "Tanh": _sig("", var=False),
    "Sigmoid": _sig("", var=False),
    "Softmax": _sig("dim", var=False),
    "LogSoftmax": _sig("dim", var=False),
    "Identity": _sig("", var=False),
    **{f"ZeroPad{n}d": _sig("padding", 1, var=False) for n in (1, 2, 3)},
    **{f"ConstantPad{n}d": _sig("padding value", 2, var=False) for n in (1, 2, 3)},
    "Upsample": _sig("size scale_factor mode align_corners recompute_scale_factor", var=False),
    "Embedding": _sig(
        "num_embeddings embedding_dim padding_idx max_norm norm_type scale_grad_by_freq sparse _weight _freeze device dtype",
        2,
        var=False,
    ),
    # RNN/LSTM/GRU take *args, **kwargs; these are their documented overloads.
    "RNN": _sig(
        "input_size hidden_size num_layers nonlinearity bias batch_first dropout bidirectional device dtype",
        2,
        var=False,
    ),
    "LSTM": _sig(f"{_RNN_PT} proj_size device dtype", 2, var=False),
    "GRU": _sig(f"{_RNN_PT} device dtype", 2, var=False),
    "MultiheadAttention": _sig(
        "embed_dim num_heads dropout bias add_bias_kv add_zero_attn kdim vdim batch_first device dtype",
        2,
        var=False,
    ),
}
# Lazy twins: the same module with its first argument (in_features, in_channels, num_features)
# inferred from the first batch, as a spec that leaves it out does. Read as the module itself.
PYTORCH_LAZY: dict[str, str] = {
    **{f"LazyConv{n}d": f"Conv{n}d" for n in (1, 2, 3)},
    **{f"LazyConvTranspose{n}d": f"ConvTranspose{n}d" for n in (1, 2, 3)},
    **{f"LazyBatchNorm{n}d": f"BatchNorm{n}d" for n in (1, 2, 3)},
    **{f"LazyInstanceNorm{n}d": f"InstanceNorm{n}d" for n in (1, 2, 3)},
    "LazyLinear": "Linear",
}
PYTORCH.update({
    lazy: Signature(PYTORCH[base].positional[1:], PYTORCH[base].keyword_only, PYTORCH[base].var_keyword, max(PYTORCH[base].lead - 1, 0))
    for lazy, base in PYTORCH_LAZY.items()
})
# Modules whose forward returns a tuple (output, state or weights): code unpacks them.
TUPLE_OUTPUT = frozenset({"RNN", "LSTM", "GRU", "MultiheadAttention"})

_POOL_F = "kernel_size stride padding dilation ceil_mode return_indices"
_AVG_F = "kernel_size stride padding ceil_mode count_include_pad"
# torch.nn.functional.<name> (and the torch.<name> / tensor.<name>() forms of activations).
FUNCTIONAL: dict[str, Functional] = {
    "relu": Functional("ReLU", ("inplace",)),
    "relu6": Functional("ReLU6", ("inplace",)),
    "leaky_relu": Functional("LeakyReLU", ("negative_slope", "inplace")),
    "elu": Functional("ELU", ("alpha", "inplace")),
    "gelu": Functional("GELU", ("approximate",)),
    "silu": Functional("SiLU", ("inplace",)),
    "mish": Functional("Mish", ("inplace",)),
    "hardswish": Functional("Hardswish", ("inplace",)),
    "tanh": Functional("Tanh", ()),
    "sigmoid": Functional("Sigmoid", ()),
    "softmax": Functional("Softmax", ("dim", "_stacklevel", "dtype"), ("_stacklevel", "dtype")),
    "log_softmax": Functional("LogSoftmax", ("dim", "_stacklevel", "dtype"), ("_stacklevel", "dtype")),
    **{f"max_pool{n}d": Functional(f"MaxPool{n}d", tuple(_POOL_F.split())) for n in (1, 2, 3)},
    "avg_pool1d": Functional("AvgPool1d", tuple(_AVG_F.split())),
    "avg_pool2d": Functional("AvgPool2d", (*_AVG_F.split(), "divisor_override")),
    "avg_pool3d": Functional("AvgPool3d", (*_AVG_F.split(), "divisor_override")),
    **{f"adaptive_avg_pool{n}d": Functional(f"AdaptiveAvgPool{n}d", ("output_size",)) for n in (1, 2, 3)},
    **{f"adaptive_max_pool{n}d": Functional(f"AdaptiveMaxPool{n}d", ("output_size", "return_indices")) for n in (1, 2, 3)},
    "dropout": Functional("Dropout", ("p", "training", "inplace"), ("training",)),
    **{f"dropout{n}d": Functional(f"Dropout{n}d", ("p", "training", "inplace"), ("training",)) for n in (1, 2, 3)},
    "alpha_dropout": Functional("AlphaDropout", ("p", "training", "inplace"), ("training",)),
}

# Calls allowed inside an argument kept as source text (kernel_initializer=HeNormal()).
OPAQUE_CALL_PREFIXES = (
    "keras.initializers.",
    "keras.regularizers.",
    "keras.constraints.",
    "keras.activations.",
    "tensorflow.nn.",
    "torch.nn.init.",
)

_NEUTRAL = frozenset({"activation", "recurrent_activation", "name", "dtype", "device", "seed", "trainable", "autocast"})


def is_count_neutral(parameter: str) -> bool:
    """True if the argument changes no parameter count, shape or MAC count."""
    return parameter in _NEUTRAL or parameter.endswith(("_initializer", "_regularizer", "_constraint"))
