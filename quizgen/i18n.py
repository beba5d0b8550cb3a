"""Fixed text in English and Chinese. Templates and reports look words up here by key."""

from __future__ import annotations

__all__ = ["Lang", "Words", "amount", "fill_words", "number", "t"]

from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class Lang(StrEnum):
    EN = "en"
    ZH = "zh"


_TEXT: dict[str, tuple[str, str]] = {
    "layer": ("Layer (type)", "层 (类型)"),
    "output_shape": ("Output Shape", "输出形状"),
    "params": ("Param #", "参数量"),
    "macs": ("MACs", "乘加次数 (MACs)"),
    "total_params": ("Total params", "总参数量"),
    "trainable_params": ("Trainable params", "可训练参数"),
    "non_trainable_params": ("Non-trainable params", "不可训练参数"),
    "total_macs": ("Total MACs", "总乘加次数 (MACs)"),
    "connected_to": ("Connected to", "连接到"),
    "layer_depth": ("Layer (type:depth-idx)", "层 (类型:深度-序号)"),
    "shared_with": ("shares the weights of", "与其共享权重:"),
    "step_params": ("parameters", "参数量"),
    "step_trainable": ("trainable parameters", "可训练参数"),
    "step_non_trainable": ("non-trainable parameters", "不可训练参数"),
    "step_macs": ("MACs", "乘加次数"),
    "step_output": ("output", "输出"),
    "unknown": ("unknown", "未知"),
    "mac_convention": (
        "1 MAC = one multiply–add; Conv: H_out·W_out·C_out·(C_in/g)·∏K; Linear/Dense: in·out; "
        "bias additions, norms, activations and pooling count 0; FLOPs = 2·MACs.",
        "1 次乘加 (MAC) = 一次乘法加一次加法;卷积: H_out·W_out·C_out·(C_in/g)·∏K;全连接: 输入·输出;"
        "偏置加法、归一化、激活与池化计 0;FLOPs = 2·MACs。",
    ),
    "keras_convention": (
        "Keras 3 conventions: channels-last shapes, batch dimension shown as None; "
        "BatchNormalization's moving mean and variance count as non-trainable parameters.",
        "Keras 3 约定:通道在最后,批维度记为 None;BatchNormalization 的滑动均值和方差计为不可训练参数。",
    ),
    "pytorch_convention": (
        "PyTorch conventions: channels-first shapes, batch dimension excluded; "
        "counts are model.parameters() (BatchNorm running statistics are buffers, not parameters).",
        "PyTorch 约定:通道在前,不含批维度;参数量为 model.parameters() 之和(BatchNorm 的运行统计量是缓冲区,不是参数)。",
    ),
}


def t(key: str, lang: Lang | str = Lang.EN) -> str:
    en, zh = _TEXT[key]
    return zh if str(lang) == Lang.ZH else en


class Words(dict[str, Any]):
    """Words for `fill_words`, made once for many templates (each fill would otherwise copy them)."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill_words(template: str, words: Mapping[str, Any]) -> str:
    """``template.format_map(words)``, leaving a placeholder that has no word as it is (``{axis}``)."""
    return template.format_map(words if type(words) is Words else Words(words))


def number(value: float) -> str:
    """A count or score as people write it: 1,234 for whole numbers, at most 2 decimals otherwise (0.67, not 0.666667)."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{round(value, 2):g}"


def amount(value: float, noun: str) -> str:
    """'1 student', '30 students', '0.67 points': an English count with its noun in the right number."""
    return f"{number(value)} {noun if value == 1 else noun + 's'}"
