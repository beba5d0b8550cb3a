"""The registry of layer kinds, keyed by framework and the framework's own class name.

Each family module registers its kinds at import. A family is imported the first time one of
its kinds is asked for (`_HOMES` says which module registers which kind), so solving a
network of convolutions does not pay for importing the recurrent, attention and merge kinds;
`all_kinds` imports every family. A kind missing from `_HOMES` is still found (asking for an
unknown name imports every family), only more slowly; tests/test_startup.py keeps the table
complete.
"""

from __future__ import annotations

__all__ = ["LayerKind", "all_kinds", "get_kind", "register", "unknown_layer_message"]

import difflib
import importlib

from ..spec import Framework
from .base import LayerKind

_REGISTRY: dict[tuple[Framework, str], LayerKind] = {}


def register(kind: LayerKind) -> LayerKind:
    key = (kind.framework, kind.name)
    if key in _REGISTRY:
        raise RuntimeError(f"layer kind {kind.framework}:{kind.name} registered twice")
    _REGISTRY[key] = kind
    return kind


def get_kind(framework: Framework, name: str) -> LayerKind | None:
    kind = _REGISTRY.get((framework, name))
    if kind is None and not _loaded_all:
        home = _HOME_OF.get(f"{framework.value}:{name}")
        if home is None:
            _load_families()
        else:
            importlib.import_module(f"{__name__}.{home}")
        kind = _REGISTRY.get((framework, name))
    return kind


def all_kinds(framework: Framework | None = None) -> list[LayerKind]:
    _load_families()
    return [k for (fw, _), k in sorted(_REGISTRY.items()) if framework is None or fw == framework]


def unknown_layer_message(framework: Framework, name: str) -> str:
    """'unknown keras layer 'Conv2d' (did you mean 'Conv2D'? ...)' with the closest names."""
    names = [k.name for k in all_kinds(framework)]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    lowered = {n.lower(): n for n in names}
    if name.lower() in lowered and lowered[name.lower()] not in close:
        close.insert(0, lowered[name.lower()])
    other = Framework.PYTORCH if framework is Framework.KERAS else Framework.KERAS
    hint = f" (did you mean {', '.join(repr(c) for c in close[:3])}?)" if close else ""
    if get_kind(other, name) is not None:
        hint += f"; {name} is a {other.value} layer but this spec's framework is {framework.value}"
    return f"unknown {framework.value} layer {name!r}{hint}"


_loaded_all = False


def _load_families() -> None:
    global _loaded_all
    if not _loaded_all:
        # Imported for their registrations; order does not matter.
        for family in ("attention", "conv", "conv_variants", "core", "merge", "norm", "pooling", "preprocessing", "recurrent",
                       "shaping", "simple", "slicing"):
            importlib.import_module(f"{__name__}.{family}")

        _loaded_all = True


# The module that registers each kind, as "framework:Name" words per module.
_HOMES = {
    "attention": "pytorch:MultiheadAttention",
    "conv": "keras:Conv1D keras:Conv2D keras:Conv3D pytorch:Conv1d pytorch:Conv2d pytorch:Conv3d",
    "conv_variants": (
        "keras:Conv1DTranspose keras:Conv2DTranspose keras:Conv3DTranspose keras:DepthwiseConv1D keras:DepthwiseConv2D "
        "keras:SeparableConv1D keras:SeparableConv2D pytorch:ConvTranspose1d pytorch:ConvTranspose2d "
        "pytorch:ConvTranspose3d"
    ),
    "core": "keras:Dense keras:Flatten pytorch:Flatten pytorch:Linear",
    "merge": (
        "keras:Add keras:Average keras:Concatenate keras:Dot keras:Maximum keras:Minimum keras:Multiply keras:Subtract "
        "pytorch:Parameter pytorch:torch.add pytorch:torch.cat pytorch:torch.flatten pytorch:torch.mean "
        "pytorch:torch.mul pytorch:torch.permute pytorch:torch.reshape pytorch:torch.select pytorch:torch.stack "
        "pytorch:torch.sub pytorch:torch.transpose"
    ),
    "norm": (
        "keras:BatchNormalization keras:GroupNormalization keras:LayerNormalization keras:RMSNormalization "
        "keras:UnitNormalization pytorch:BatchNorm1d pytorch:BatchNorm2d pytorch:BatchNorm3d pytorch:GroupNorm "
        "pytorch:InstanceNorm1d pytorch:InstanceNorm2d pytorch:InstanceNorm3d pytorch:LayerNorm "
        "pytorch:LocalResponseNorm pytorch:RMSNorm"
    ),
    "pooling": (
        "keras:AveragePooling1D keras:AveragePooling2D keras:AveragePooling3D keras:GlobalAveragePooling1D "
        "keras:GlobalAveragePooling2D keras:GlobalAveragePooling3D keras:GlobalMaxPooling1D keras:GlobalMaxPooling2D "
        "keras:GlobalMaxPooling3D keras:MaxPooling1D keras:MaxPooling2D keras:MaxPooling3D pytorch:AdaptiveAvgPool1d "
        "pytorch:AdaptiveAvgPool2d pytorch:AdaptiveAvgPool3d pytorch:AdaptiveMaxPool1d pytorch:AdaptiveMaxPool2d "
        "pytorch:AdaptiveMaxPool3d pytorch:AvgPool1d pytorch:AvgPool2d pytorch:AvgPool3d pytorch:MaxPool1d "
        "pytorch:MaxPool2d pytorch:MaxPool3d"
    ),
    "recurrent": "keras:GRU keras:LSTM keras:SimpleRNN pytorch:GRU pytorch:LSTM pytorch:RNN",
    "shaping": (
        "keras:Cropping1D keras:Cropping2D keras:Cropping3D keras:Permute keras:RepeatVector keras:Reshape "
        "keras:UpSampling1D keras:UpSampling2D keras:UpSampling3D keras:ZeroPadding1D keras:ZeroPadding2D "
        "keras:ZeroPadding3D pytorch:ChannelShuffle pytorch:ConstantPad1d pytorch:ConstantPad2d pytorch:ConstantPad3d "
        "pytorch:PixelShuffle pytorch:PixelUnshuffle pytorch:Unflatten pytorch:Upsample pytorch:UpsamplingBilinear2d "
        "pytorch:UpsamplingNearest2d pytorch:ZeroPad1d pytorch:ZeroPad2d pytorch:ZeroPad3d "
        + " ".join(f"pytorch:{mode}Pad{rank}d" for mode in ("Reflection", "Replication", "Circular") for rank in (1, 2, 3))
    ),
    "preprocessing": "keras:Rescaling",
    "slicing": "pytorch:torch.narrow",
    "simple": (
        "keras:Activation keras:ActivityRegularization keras:AlphaDropout keras:Dropout keras:ELU keras:Embedding "
        "keras:GaussianDropout keras:GaussianNoise keras:Identity keras:LeakyReLU keras:Masking keras:PReLU keras:ReLU "
        "keras:Softmax keras:SpatialDropout1D keras:SpatialDropout2D keras:SpatialDropout3D pytorch:AlphaDropout "
        "pytorch:CELU pytorch:Dropout pytorch:Dropout1d pytorch:Dropout2d pytorch:Dropout3d pytorch:ELU "
        "pytorch:Embedding pytorch:FeatureAlphaDropout pytorch:GELU pytorch:GLU pytorch:Hardshrink pytorch:Hardsigmoid "
        "pytorch:Hardswish pytorch:Hardtanh pytorch:Identity pytorch:LeakyReLU pytorch:LogSigmoid pytorch:LogSoftmax "
        "pytorch:Mish pytorch:PReLU pytorch:RReLU pytorch:ReLU pytorch:ReLU6 pytorch:SELU pytorch:SiLU pytorch:Sigmoid "
        "pytorch:Softmax pytorch:Softmax2d pytorch:Softmin pytorch:Softplus pytorch:Softshrink pytorch:Softsign "
        "pytorch:Tanh pytorch:Tanhshrink pytorch:Threshold"
    ),
    "transformer": (
        "keras:MultiHeadAttention pytorch:Transformer pytorch:TransformerDecoder pytorch:TransformerDecoderLayer "
        "pytorch:TransformerEncoder pytorch:TransformerEncoderLayer"
    ),
    "wrappers": "keras:Bidirectional keras:TimeDistributed",
}
_HOME_OF = {key: module for module, keys in _HOMES.items() for key in keys.split()}
