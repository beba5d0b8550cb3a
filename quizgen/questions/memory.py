"""The `memory` kind: bytes of weights, gradients, optimizer state and stored activations.

Conventions (stated in every worked solution):

* Every stored number takes the dtype's bytes: fp32 4, fp16 and bf16 2, int8 1.
* Weights are every number the framework stores for the model: Keras' trainable and
  non-trainable weights (BatchNormalization's moving mean and variance included); PyTorch's
  ``parameters()`` plus BatchNorm's ``running_mean`` and ``running_var`` buffers (its one-number
  ``num_batches_tracked`` counter is left out).
* Gradients: one per trainable parameter. Optimizer state, per trainable parameter: SGD
  none, SGD with momentum one buffer, Adam two (first and second moments; its step counter,
  one number per tensor, is left out) — all in the parameters' dtype.
* Activations kept for the backward pass: the output of every layer of the summary (the
  model input is not counted), for every sample of the batch. Frameworks may keep fewer
  (in-place ReLU) or more (a layer's saved inputs); this is the textbook count.
* Units: B; KB, MB, GB are powers of 1000; KiB, MiB, GiB powers of 1024.

Proven with real tensors (tests/test_oracle_memory.py): ``element_size()·numel()`` of the
parameters and buffers in the dtype, of the gradients and of an optimizer's ``state`` after one
step, and of every layer's output in a forward pass.
"""

from __future__ import annotations

__all__ = ["DTYPES", "OF", "OPTIMIZERS", "UNITS", "Counts", "counts", "memory_question"]

from dataclasses import dataclass
from fractions import Fraction
from math import prod
from typing import Any

from ..exam import MistakeValue
from ..solver import LayerSolution, ModelSolution
from ..spec import Framework
from .built import Steps
from .family import Candidate, collect, decimal_answer, show_number

DTYPES = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1}
UNITS = {"B": 1, "KB": 1000, "KiB": 1024, "MB": 1000**2, "MiB": 1024**2, "GB": 1000**3, "GiB": 1024**3}
OPTIMIZERS = {"sgd": 0, "momentum": 1, "adam": 2}
OF = ("weights", "gradients", "optimizer", "activations", "training")
_OTHER_UNIT = {"KB": "KiB", "KiB": "KB", "MB": "MiB", "MiB": "MB", "GB": "GiB", "GiB": "GB"}
_OPTIMIZER_NAMES = {"sgd": ("SGD", "SGD"), "momentum": ("SGD with momentum", "带动量的 SGD"), "adam": ("Adam", "Adam")}


@dataclass(frozen=True, slots=True)
class Counts:
    """Numbers stored by the model, by role (not bytes)."""

    weights: int  # parameters and normalisation statistics
    trainable: int
    biases: int
    statistics: int  # BatchNorm moving mean/variance (Keras non-trainable, PyTorch buffers)
    activations: int  # per sample: every layer's output


def _statistics(layer: LayerSolution, framework: Framework) -> int:
    if "BatchNorm" not in layer.type:
        return 0
    if framework is Framework.KERAS:
        return int(layer.non_trainable.value)
    return int(layer.env.get("R", 0)) * int(layer.env.get("C", 0))  # running_mean and running_var buffers


def _bias(layer: LayerSolution) -> int:
    env = layer.env
    if layer.kind.family not in ("conv", "dense") or not env.get("B"):
        return 0
    return int(env.get("C_out", env.get("N_out", 0)))


def counts(model: ModelSolution) -> Counts:
    framework = model.spec.framework
    statistics = sum(_statistics(layer, framework) for layer in model.layers)
    buffers = statistics if framework is Framework.PYTORCH else 0  # Keras already counts them as weights
    sizes = [layer.output_shape for layer in model.layers]
    if any(d is None for shape in sizes for d in shape):
        raise ValueError("an output size is unknown")
    activations = sum(prod(d for d in shape if d is not None) for shape in sizes)
    return Counts(model.total_params + buffers, model.trainable_params, sum(_bias(layer) for layer in model.layers),
                  statistics, activations)


def _option(options: dict[str, Any], key: str, allowed: dict[str, int] | tuple[str, ...], default: Any) -> Any:
    value = options.get(key, default)
    if value not in allowed:
        raise ValueError(f"{key}: {value!r} is not one of {list(allowed)}")
    return value


def _whole(options: dict[str, Any], key: str, default: int) -> int:
    value = options.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{key} must be a whole number ≥ 1, got {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class _Ask:
    of: str
    dtype: str
    size: int  # bytes per number
    optimizer: str
    copies: int
    batch: int
    unit: str
    decimals: int


def _ask(options: dict[str, Any]) -> _Ask:
    of = _option(options, "of", OF, "weights")
    dtype = _option(options, "dtype", DTYPES, "fp32")
    optimizer = _option(options, "optimizer", OPTIMIZERS, "adam")
    unit = _option(options, "unit", UNITS, "MiB")
    decimals = options.get("decimals", 0 if unit == "B" else 2)
    if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 6:
        raise ValueError(f"decimals must be 0 to 6, got {decimals!r}")
    return _Ask(of, dtype, DTYPES[dtype], optimizer, OPTIMIZERS[optimizer], _whole(options, "batch", 1), unit, decimals)


def _numbers(ask: _Ask, c: Counts, *, weights: int | None = None, trainable: int | None = None, copies: int | None = None,
             batch: int | None = None) -> tuple[int, str]:
    """How many numbers the asked part holds, and the sum as shown (each term a product of the counts)."""
    w = c.weights if weights is None else weights
    t = c.trainable if trainable is None else trainable
    k = ask.copies if copies is None else copies
    b = ask.batch if batch is None else batch
    parts = {"weights": [(w, str(w))], "gradients": [(t, str(t))], "optimizer": [(k * t, f"{k}·{t}")],
             "activations": [(b * c.activations, f"{b}·{c.activations}")]}
    chosen = parts[ask.of] if ask.of != "training" else [
        *parts["weights"], *parts["gradients"], *(parts["optimizer"] if k else []), *parts["activations"]]
    total = sum(n for n, _ in chosen)
    return total, " + ".join(text for _, text in chosen)


def _in_unit(numbers: int, size: int, unit: str) -> Fraction:
    return Fraction(numbers * size, UNITS[unit])


def _shown(terms: str, size: int, unit: str) -> str:
    head = f"({terms})" if "+" in terms else terms
    return f"{head}·{size}" + (f" / {UNITS[unit]}" if unit != "B" else "")


def _convention(ask: _Ask, lang: str) -> str:
    base = UNITS[ask.unit]
    optimizer = ask.of in ("optimizer", "training")
    activations = ask.of in ("activations", "training")
    if lang == "zh":
        unit = f"1 {ask.unit} = {base} B" if ask.unit != "B" else "按字节 B 计"
        parts = [f"约定:{ask.dtype} 每个数 {ask.size} 字节", f"{unit}(KB/MB 以 1000 为进制,KiB/MiB 以 1024 为进制)"]
        if optimizer:
            parts.append(f"{_OPTIMIZER_NAMES[ask.optimizer][1]} 每个可训练参数保存 {ask.copies} 份状态(不计步数计数器)")
        if activations:
            parts.append(f"保存的激活值为每层的输出(不含模型输入),按批大小 {ask.batch} 计")
        return ";".join(parts)
    unit = f"1 {ask.unit} = {base} B" if ask.unit != "B" else "in bytes"
    parts = [f"conventions: {ask.dtype} = {ask.size} bytes per number", f"{unit} (KB/MB are powers of 1000, KiB/MiB of 1024)"]
    if optimizer:
        parts.append(f"{_OPTIMIZER_NAMES[ask.optimizer][0]} keeps {ask.copies} state cop{'y' if ask.copies == 1 else 'ies'} per "
                     "trainable parameter (its step counter not counted)")
    if activations:
        parts.append(f"the activations kept are every layer's output (not the model input) for a batch of {ask.batch}")
    return "; ".join(parts)


def _count_lines(ask: _Ask, c: Counts, model: ModelSolution, lang: str) -> list[str]:
    keras = model.spec.framework is Framework.KERAS
    lines = []
    if ask.of in ("weights", "training"):
        if keras or not c.statistics:
            note = (f" (incl. {c.statistics} BatchNorm moving statistics)" if c.statistics else "") if lang == "en" else (
                f"(含 {c.statistics} 个 BatchNorm 滑动统计量)" if c.statistics else "")
            lines.append(f"weights: {c.weights} numbers{note}" if lang == "en" else f"权重:{c.weights} 个数{note}")
        else:
            params = c.weights - c.statistics
            lines.append(f"weights: {params} parameters + {c.statistics} BatchNorm running statistics = {c.weights}" if lang == "en"
                         else f"权重:{params} 个参数 + {c.statistics} 个 BatchNorm 运行统计量 = {c.weights}")
    if ask.of in ("gradients", "training"):
        lines.append(f"gradients: one per trainable parameter = {c.trainable}" if lang == "en"
                     else f"梯度:每个可训练参数一个 = {c.trainable}")
    if ask.of == "optimizer" or (ask.of == "training" and ask.copies):
        lines.append(f"optimizer state: {ask.copies}·{c.trainable} = {ask.copies * c.trainable}" if lang == "en"
                     else f"优化器状态:{ask.copies}·{c.trainable} = {ask.copies * c.trainable}")
    if ask.of in ("activations", "training"):
        sizes = " + ".join(str(prod(d for d in layer.output_shape if d is not None)) for layer in model.layers)
        lines.append(f"activations per sample: {sizes} = {c.activations}; for the batch: {ask.batch}·{c.activations} = "
                     f"{ask.batch * c.activations}" if lang == "en" else
                     f"每个样本的激活值:{sizes} = {c.activations};整批:{ask.batch}·{c.activations} = {ask.batch * c.activations}")
    return lines


def _candidates(ask: _Ask, c: Counts) -> list[Candidate]:
    numbers, terms = _numbers(ask, c)
    out: list[Candidate] = []

    def add(code: str, count: int, terms_shown: str, en: str, zh: str, *, size: int | None = None, unit: str | None = None) -> None:
        s, u = size or ask.size, unit or ask.unit
        out.append(Candidate(code, _in_unit(count, s, u), _shown(terms_shown, s, u), {"en": en, "zh": zh}))

    if ask.unit in _OTHER_UNIT:
        other = _OTHER_UNIT[ask.unit]
        add("mem_kb_kib", numbers, terms, f"you divided by {UNITS[other]} ({other}); 1 {ask.unit} = {UNITS[ask.unit]} B",
            f"除以了 {UNITS[other]}({other});1 {ask.unit} = {UNITS[ask.unit]} B", unit=other)
    add("mem_bits_for_bytes", numbers, terms, f"you used {8 * ask.size} bits as bytes; {ask.dtype} is {ask.size} bytes per number",
        f"把 {8 * ask.size} 位当成了字节;{ask.dtype} 每个数 {ask.size} 字节", size=8 * ask.size)
    if ask.size != 4:
        add("mem_dtype_fp32", numbers, terms, f"you counted 4 bytes per number (fp32); {ask.dtype} takes {ask.size}",
            f"按 fp32 每个数 4 字节计算了;{ask.dtype} 每个数 {ask.size} 字节", size=4)
    if ask.of in ("weights", "training") and c.biases:
        n, shown = _numbers(ask, c, weights=c.weights - c.biases)
        add("mem_forgot_bias", n, shown, f"you left out the {c.biases} biases", f"漏掉了 {c.biases} 个偏置")
    if ask.of in ("weights", "training") and c.statistics:
        n, shown = _numbers(ask, c, weights=c.weights - c.statistics)
        add("mem_forgot_bn_stats", n, shown, f"you left out the {c.statistics} BatchNorm statistics (mean and variance); "
            "they are stored with the weights", f"漏掉了 {c.statistics} 个 BatchNorm 统计量(均值与方差);它们也随权重存储")
    if ask.of == "gradients" and c.weights != c.trainable:
        n, shown = _numbers(ask, c, trainable=c.weights)
        add("mem_gradients_for_all", n, shown, f"you gave the {c.weights - c.trainable} non-trainable numbers gradients too",
            f"给 {c.weights - c.trainable} 个不可训练的数也算了梯度")
    if ask.of == "training":
        if ask.copies:
            n, shown = _numbers(ask, c, copies=0)
            add("mem_forgot_optimizer", n, shown, f"you left out the optimizer state ({ask.copies}·{c.trainable} numbers)",
                f"漏掉了优化器状态({ask.copies}·{c.trainable} 个数)")
        n = numbers - c.trainable
        shown = terms.replace(f" + {c.trainable} + ", " + ", 1)
        add("mem_forgot_gradients", n, shown, f"you left out the {c.trainable} gradients", f"漏掉了 {c.trainable} 个梯度")
    if ask.of in ("optimizer", "training") and ask.optimizer == "adam":
        n, shown = _numbers(ask, c, copies=1)
        add("mem_adam_one_copy", n, shown, "Adam keeps two numbers per parameter (first and second moment), not one",
            "Adam 每个参数保存两个数(一阶矩和二阶矩),不是一个")
    if ask.of == "optimizer" and ask.copies:
        n, shown = _numbers(ask, c, copies=ask.copies + 1)
        add("mem_optimizer_with_weights", n, shown, "you counted the weights as optimizer state; the state is only the "
            f"{ask.copies} extra cop{'y' if ask.copies == 1 else 'ies'}", f"把权重也算进了优化器状态;状态只是额外的 {ask.copies} 份")
    if ask.of in ("activations", "training") and ask.batch > 1:
        n, shown = _numbers(ask, c, batch=1)
        add("mem_per_sample", n, shown, f"you counted the activations of one sample; the batch holds {ask.batch}",
            f"只算了一个样本的激活值;一批有 {ask.batch} 个样本")
    return out


def memory_question(model: ModelSolution, options: dict[str, Any]) -> tuple[int | float, tuple[MistakeValue, ...], Steps, dict[str, Any]]:
    ask = _ask(options)
    c = counts(model)
    numbers, terms = _numbers(ask, c)
    exact = _in_unit(numbers, ask.size, ask.unit)
    answer, details = decimal_answer(exact, ask.decimals)
    stated = show_number(answer, ask.decimals)
    result = f"{_shown(terms, ask.size, ask.unit)} = {show_number(exact, 6) if exact.denominator != 1 else exact} {ask.unit}"
    steps: Steps = {}
    for lang in ("en", "zh"):
        lines = [_convention(ask, lang), *_count_lines(ask, c, model, lang), result]
        if exact != answer:
            lines.append(f"≈ {stated} {ask.unit}")
        steps[lang] = tuple(lines)
    mistakes = collect(exact, _candidates(ask, c), f"{stated} {ask.unit}", ask.decimals)
    details.update({"unit": ask.unit, "of": ask.of, "dtype": ask.dtype, "optimizer": ask.optimizer, "batch": ask.batch,
                    "bytes": numbers * ask.size})
    return answer, mistakes, steps, details


def prompt_words(options: dict[str, Any]) -> dict[str, Any]:
    ask = _ask(options)
    optimizer = _OPTIMIZER_NAMES[ask.optimizer]
    what = {
        "weights": ("the weights of this model (parameters and normalisation statistics)", "这个模型的权重(参数与归一化统计量)"),
        "gradients": ("the gradients of one training step of this model", "这个模型一次训练的梯度"),
        "optimizer": (f"the {optimizer[0]} optimizer state of this model", f"这个模型的 {optimizer[1]} 优化器状态"),
        "activations": (f"the activations this model keeps for the backward pass at batch size {ask.batch}",
                        f"这个模型在批大小为 {ask.batch} 时为反向传播保存的激活值"),
        "training": (f"training this model with {optimizer[0]} at batch size {ask.batch} (weights, gradients, optimizer state and "
                     "activations)", f"用 {optimizer[1]}、批大小 {ask.batch} 训练这个模型(权重、梯度、优化器状态与激活值)"),
    }[ask.of]
    places = ("rounded to a whole number" if ask.decimals == 0 else f"to {ask.decimals} decimal places",
              "四舍五入到整数" if ask.decimals == 0 else f"保留 {ask.decimals} 位小数")
    return {"mem_what": what[0], "mem_what_zh": what[1], "dtype": ask.dtype, "unit": ask.unit, "places": places[0],
            "places_zh": places[1], "batch": ask.batch}


DEFAULT_PROMPT = {
    "en": "How much memory is needed for {mem_what}, every number stored in {dtype}? Answer in {unit}, {places}.",
    "zh": "每个数以 {dtype} 存储时,{mem_what_zh}需要多少内存?以 {unit} 为单位作答,{places_zh}。",
}
