"""Attention and Transformer layers against the real frameworks: Keras MultiHeadAttention,
PyTorch MultiheadAttention as cross-attention, the Transformer layers, ViT-B/16 and a
BERT-base-sized encoder (both written here in plain torch, as torchvision and BERT build them)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from quizgen.solver import ModelSolution, solve
from quizgen.spec import load_spec, parse_spec
from quizgen.yamlio import load_text

os.environ.setdefault("KERAS_BACKEND", "torch")
pytestmark = pytest.mark.oracle
SPECS = Path(__file__).parent / "fixtures" / "specs"


def solved(text: str) -> ModelSolution:
    return solve(parse_spec(load_text(text, "net.yaml"), "net.yaml"))


@pytest.mark.parametrize("kwargs", [
    {"num_heads": 4, "key_dim": 8},
    {"num_heads": 2, "key_dim": 16, "value_dim": 4, "output_shape": 10},
    {"num_heads": 3, "key_dim": 5, "use_bias": False},
    {"num_heads": 2, "key_dim": 6, "use_gate": True},
])
@pytest.mark.parametrize("with_key", [False, True])
def test_keras_multi_head_attention(kwargs: dict[str, Any], with_key: bool) -> None:
    import keras

    query, value, key = keras.Input(shape=(7, 12)), keras.Input(shape=(9, 6)), keras.Input(shape=(9, 5))
    layer = keras.layers.MultiHeadAttention(**kwargs)
    out = layer(query, value, key) if with_key else layer(query, value)
    args = ", ".join(f"{k}: {str(v).lower() if isinstance(v, bool) else v}" for k, v in kwargs.items())
    inputs = "[q, v, k]" if with_key else "[q, v]"
    model = solved(f"framework: keras\ninputs: {{q: [7, 12], v: [9, 6]{', k: [9, 5]' if with_key else ''}}}\nlayers:\n"
                   f"  - MultiHeadAttention: {{{args}}}\n    inputs: {inputs}\n")
    assert model.total_params == layer.count_params()
    assert (None, *model.output_shape) == tuple(out.shape)


@pytest.mark.parametrize(("kdim", "vdim", "bias"), [(None, None, True), (6, 10, True), (6, 10, False)])
def test_torch_cross_attention(kdim: int | None, vdim: int | None, bias: bool) -> None:
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    module = torch.nn.MultiheadAttention(8, 2, kdim=kdim, vdim=vdim, bias=bias, batch_first=True)
    key_features, value_features = kdim or 8, vdim or 8
    args = f"embed_dim: 8, num_heads: 2, bias: {str(bias).lower()}" + (f", kdim: {kdim}, vdim: {vdim}" if kdim else "")
    model = solved(f"framework: pytorch\ninputs: {{q: [5, 8], k: [11, {key_features}], v: [11, {value_features}]}}\nlayers:\n"
                   f"  - MultiheadAttention: {{{args}}}\n    inputs: [q, k, v]\n")
    q, k, v = torch.zeros(1, 5, 8), torch.zeros(1, 11, key_features), torch.zeros(1, 11, value_features)
    with FlopCounterMode(display=False) as counter:
        out, _ = module(q, k, v, need_weights=True)
    assert model.total_params == sum(p.numel() for p in module.parameters())
    assert model.output_shape == tuple(out.shape[1:])
    assert model.total_macs == counter.get_total_flops() // 2


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("kind", ["TransformerEncoderLayer", "TransformerDecoderLayer", "TransformerEncoder", "TransformerDecoder",
                                  "Transformer"])
def test_torch_transformer_layers(kind: str, bias: bool) -> None:
    import torch

    nn = torch.nn
    base = {"d_model": 16, "nhead": 4, "dim_feedforward": 24, "batch_first": True, "bias": bias}
    flag = str(bias).lower()
    layer_args = f"d_model: 16, nhead: 4, dim_feedforward: 24, batch_first: true, bias: {flag}"
    if kind in ("TransformerEncoderLayer", "TransformerDecoderLayer"):
        module: Any = getattr(nn, kind)(**base)
        spec_args = f"{{{layer_args}}}"
    elif kind == "Transformer":
        module = nn.Transformer(**base, num_encoder_layers=2, num_decoder_layers=3)
        spec_args = f"{{{layer_args}, num_encoder_layers: 2, num_decoder_layers: 3}}"
    else:
        inner = kind + "Layer"
        field = "decoder_layer" if "Decoder" in kind else "encoder_layer"
        quiet = {"enable_nested_tensor": False} if kind == "TransformerEncoder" else {}  # torch warns about its fast path
        module = getattr(nn, kind)(getattr(nn, inner)(**base), num_layers=3, norm=nn.LayerNorm(16, bias=bias), **quiet)
        spec_args = (f"{{{field}: {{{inner}: {{{layer_args}}}}}, num_layers: 3, "
                     f"norm: {{LayerNorm: {{normalized_shape: 16, bias: {flag}}}}}}}")
    two = kind in ("TransformerDecoderLayer", "TransformerDecoder", "Transformer")
    inputs = "{a: [9, 16], b: [6, 16]}" if two else "{a: [9, 16]}"
    model = solved(f"framework: pytorch\ninputs: {inputs}\nlayers:\n  - {kind}: {spec_args}\n"
                   f"    inputs: {'[a, b]' if two else '[a]'}\n")
    tensors = (torch.zeros(2, 9, 16), torch.zeros(2, 6, 16)) if two else (torch.zeros(2, 9, 16),)
    module.eval()
    out = module(*tensors)
    assert model.total_params == sum(p.numel() for p in module.parameters())
    assert model.output_shape == tuple(out.shape[1:])


def _vit_b16() -> Any:
    """torchvision's vit_b_16, rewritten in plain torch (same modules, same parameter shapes)."""
    import torch
    from torch import nn

    class EncoderBlock(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.ln_1 = nn.LayerNorm(768, eps=1e-6)
            self.self_attention = nn.MultiheadAttention(768, 12, batch_first=True)
            self.ln_2 = nn.LayerNorm(768, eps=1e-6)
            self.mlp = nn.Sequential(nn.Linear(768, 3072), nn.GELU(), nn.Linear(3072, 768))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            y = self.ln_1(x)
            x = x + self.self_attention(y, y, y, need_weights=False)[0]
            return x + self.mlp(self.ln_2(x))

    class VisionTransformer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv_proj = nn.Conv2d(3, 768, kernel_size=16, stride=16)
            self.class_token = nn.Parameter(torch.zeros(1, 1, 768))
            self.pos_embedding = nn.Parameter(torch.empty(1, 197, 768).normal_(std=0.02))
            self.layers = nn.Sequential(*(EncoderBlock() for _ in range(12)))
            self.ln = nn.LayerNorm(768, eps=1e-6)
            self.head = nn.Linear(768, 1000)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            x = self.conv_proj(x).reshape(x.shape[0], 768, -1).permute(0, 2, 1)
            x = torch.cat([self.class_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embedding
            return self.head(self.ln(self.layers(x))[:, 0])

    return VisionTransformer()


def test_vit_b16() -> None:
    import torch

    reference = _vit_b16()
    model = solve(load_spec(SPECS / "vit-b16.yaml"))
    with torch.no_grad():
        out = reference(torch.zeros(1, 3, 224, 224))
    assert model.total_params == sum(p.numel() for p in reference.parameters()) == 86_567_656
    assert model.output_shape == tuple(out.shape[1:])
    block = sum(p.numel() for p in reference.layers[0].parameters())
    assert [layer.params for layer in model.layers if layer.name.startswith("encoder_layer.")] == [block] * 12
    assert model.layer_named("pos_embedding").params == reference.pos_embedding.numel()
    assert model.layer_named("with_class").output_shape == (197, 768)


def _bert_base() -> Any:
    """A BERT-base encoder in plain torch: separate query/key/value projections as in BERT."""
    import torch
    from torch import nn

    class Layer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.query, self.key, self.value, self.output = (nn.Linear(768, 768) for _ in range(4))
            self.attention_norm = nn.LayerNorm(768, eps=1e-12)
            self.intermediate, self.out = nn.Linear(768, 3072), nn.Linear(3072, 768)
            self.output_norm = nn.LayerNorm(768, eps=1e-12)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            n, length, _ = x.shape
            q, k, v = (f(x).view(n, length, 12, 64).transpose(1, 2) for f in (self.query, self.key, self.value))
            attended = torch.softmax(q @ k.transpose(-1, -2) / 8, dim=-1) @ v
            x = self.attention_norm(x + self.output(attended.transpose(1, 2).reshape(n, length, 768)))
            return self.output_norm(x + self.out(torch.nn.functional.gelu(self.intermediate(x))))

    class Bert(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.word, self.position, self.token_type = nn.Embedding(30522, 768), nn.Embedding(512, 768), nn.Embedding(2, 768)
            self.norm = nn.LayerNorm(768, eps=1e-12)
            self.layers = nn.Sequential(*(Layer() for _ in range(12)))
            self.pooler = nn.Linear(768, 768)

        def forward(self, ids: torch.Tensor, positions: torch.Tensor, types: torch.Tensor) -> torch.Tensor:
            x = self.norm(self.word(ids) + self.position(positions) + self.token_type(types))
            return torch.tanh(self.pooler(self.layers(x)[:, 0]))

    return Bert()


def test_bert_base_encoder() -> None:
    import torch

    reference = _bert_base()
    model = solve(load_spec(SPECS / "bert-base.yaml"))
    ids = torch.zeros(1, 128, dtype=torch.long)
    with torch.no_grad():
        out = reference(ids, ids, ids)
    assert model.total_params == sum(p.numel() for p in reference.parameters()) == 109_482_240
    assert model.output_shape == tuple(out.shape[1:])
    assert model.layer_named("encoder").params == sum(p.numel() for p in reference.layers.parameters())
