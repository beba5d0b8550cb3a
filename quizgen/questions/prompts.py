"""Default prompt text per question kind, in English and Chinese.

A bank template may give its own prompt; both kinds of text are `str.format` templates over
the same words: {n} (1-based layer number), {name}, {type}, {axis}, {unknown}, {given},
{of}, {symbols}, and {named}: "name, " in a network with branches, where the name is how the
code and the diagram point at the layer (``block.proj``), empty in a chain.
"""

from __future__ import annotations

__all__ = ["default_prompt", "fill"]

from collections.abc import Mapping
from typing import Any

from ..i18n import fill_words

_DEFAULTS: dict[str, tuple[str, str]] = {
    "params": ("How many parameters does layer {n} ({name}, {type}) have?",
               "第 {n} 层 ({name}, {type}) 有多少个参数?"),
    "trainable_params": ("How many trainable parameters does {target} have?", "{target_zh}有多少个可训练参数?"),
    "non_trainable_params": ("How many non-trainable parameters does {target} have?", "{target_zh}有多少个不可训练参数?"),
    "total_params": ("How many parameters does the whole model have in total?", "整个模型共有多少个参数?"),
    "output_shape": ("What is the output shape of layer {n} ({name}, {type})? {shape_hint}",
                     "第 {n} 层 ({name}, {type}) 的输出形状是什么?{shape_hint_zh}"),
    "output_size": ("What is the output {axis} of layer {n} ({name}, {type})?",
                    "第 {n} 层 ({name}, {type}) 输出的 {axis} 是多少?"),
    "macs": ("How many multiply–accumulate operations (MACs) does {target} perform for one sample?",
             "{target_zh}处理一个样本需要多少次乘加运算 (MACs)?"),
    "flops": ("How many FLOPs (= 2·MACs) does {target} perform for one sample?",
              "{target_zh}处理一个样本需要多少 FLOPs (= 2·MACs)?"),
    "summary": ("Fill in the model summary: the output shape and the number of parameters of every layer, and the totals.",
                "填写模型摘要:每一层的输出形状和参数量,以及总计。"),
    "missing_hyperparameter": ("Layer {n} ({named}{type}) has {given}. What is its {unknown}? Give every value that fits.",
                               "第 {n} 层 ({named}{type}) 的{given_zh}。它的 {unknown} 是多少?写出所有可能的值。"),
    "formula": ("Write the number of parameters of layer {n} ({named}{type}) as a formula in {symbols}.",
                "用 {symbols} 写出第 {n} 层 ({named}{type}) 参数量的公式。"),
    "choice": ("How many parameters does layer {n} ({name}, {type}) have? Choose one.",
               "第 {n} 层 ({name}, {type}) 有多少个参数?请选择。"),
}


def default_prompt(kind: str) -> dict[str, str]:
    en, zh = _DEFAULTS[kind]
    return {"en": en, "zh": zh}


def fill(prompt: Mapping[str, str], words: Mapping[str, Any]) -> dict[str, str]:
    return {lang: " ".join(fill_words(text, words).split()) for lang, text in prompt.items()}
