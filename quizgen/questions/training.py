"""The `training_flops` kind: forward FLOPs of a batch, a training step (≈ 3× forward), an epoch.

Conventions (stated in every worked solution):

* Forward: FLOPs = 2·MACs, MACs as everywhere in quizgen (convolutions and dense layers; bias
  additions, norms, activations and pooling count 0), times the samples.
* A training step ≈ 3× the forward pass. It assumes the backward pass costs two forward
  passes — for every convolution and dense layer, the gradient with respect to its input and
  the gradient with respect to its weights each take as many multiply–adds as its forward —
  that every layer is trained, and it ignores the optimizer update and everything that
  counts 0 above. (When the input itself needs no gradient, autograd skips the first layer's
  input gradient, and a counter measures 3× forward minus that layer's forward FLOPs.)
* An epoch: every sample of the dataset passes once, so 3·2·MACs·N for N samples (batching
  does not change the count; the last, smaller batch has fewer samples).

Proven with PyTorch's FlopCounterMode (tests/test_oracle_training.py), in PyTorch and in Keras on
the torch backend: the forward count, and a forward plus backward pass (the input's gradient
included) measured as exactly 3× forward.
"""

from __future__ import annotations

__all__ = ["OF", "prompt_words", "training_question"]

from typing import Any

from ..exam import MistakeValue
from ..solver import ModelSolution
from .built import Steps
from .family import Candidate, collect

OF = ("forward", "step", "epoch")


def _whole(options: dict[str, Any], key: str, default: int) -> int:
    value = options.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{key} must be a whole number ≥ 1, got {value!r}")
    return value


def _ask(options: dict[str, Any]) -> tuple[str, int, int]:
    of = options.get("of", "step")
    if of not in OF:
        raise ValueError(f"of: {of!r} is not one of {list(OF)}")
    return of, _whole(options, "batch", 1), _whole(options, "dataset", 50_000)


def _convention(of: str, lang: str) -> str:
    if lang == "zh":
        text = "约定:前向 FLOPs = 2·MACs(只计卷积与全连接;偏置、归一化、激活、池化计 0)"
        if of != "forward":
            text += (";训练一步 ≈ 3×前向:反向传播对每个卷积/全连接层各算一次对输入的梯度和对权重的梯度,各与前向等量;"
                     "假设所有层都参与训练,不计优化器更新")
        if of == "epoch":
            text += ";一个 epoch 中每个样本各经过一次"
        return text
    text = "conventions: forward FLOPs = 2·MACs (convolutions and dense layers; bias, norms, activations, pooling count 0)"
    if of != "forward":
        text += ("; a training step ≈ 3× forward: the backward pass computes, for every convolution and dense layer, the "
                 "gradient for its input and for its weights, each as many multiply–adds as its forward; every layer is "
                 "trained; the optimizer update is not counted")
    if of == "epoch":
        text += "; in an epoch every sample passes once"
    return text


def training_question(model: ModelSolution, options: dict[str, Any]) -> tuple[int, tuple[MistakeValue, ...], Steps, dict[str, Any]]:
    of, batch, dataset = _ask(options)
    macs = model.total_macs
    if not macs:
        raise ValueError("the model's MACs are unknown or zero")
    samples = dataset if of == "epoch" else batch
    factor = 1 if of == "forward" else 3
    answer = factor * 2 * macs * samples
    layers = [f"{layer.name}: {layer.outcome.macs.steps()}" for layer in model.layers if layer.macs and layer.outcome.macs]
    total = f"MACs = {' + '.join(str(layer.macs) for layer in model.layers if layer.macs)} = {macs}"
    product = {"forward": f"FLOPs = 2·{macs}·{batch} = {answer}", "step": f"FLOPs ≈ 3·2·{macs}·{batch} = {answer}",
               "epoch": f"FLOPs ≈ 3·2·{macs}·{dataset} = {answer}"}[of]
    steps: Steps = {lang: (_convention(of, lang), *layers, total, product) for lang in ("en", "zh")}
    shown = {"forward": f"2·{macs}·{batch}", "step": f"3·2·{macs}·{batch}", "epoch": f"3·2·{macs}·{dataset}"}[of]
    candidates = [Candidate("tf_flops_as_macs", answer // 2, shown.replace("2·", "", 1), {
        "en": "you counted MACs; one multiply–add is two FLOPs", "zh": "算的是乘加次数;一次乘加是两次浮点运算"})]
    if of != "forward":
        candidates.append(Candidate("tf_forward_only", answer // 3, shown.replace("3·", "", 1), {
            "en": "you counted the forward pass only; the backward pass adds about two more (input and weight gradients)",
            "zh": "只算了前向;反向传播还要约两倍前向的计算(对输入和对权重的梯度)"}))
        candidates.append(Candidate("tf_backward_once", answer // 3 * 2, shown.replace("3·", "2·", 1), {
            "en": "you counted the backward pass as one forward; it computes two gradients per layer (input and weights)",
            "zh": "把反向传播算成了一次前向;每层要算两个梯度(对输入和对权重)"}))
    if samples > 1:
        candidates.append(Candidate("tf_one_sample", answer // samples, shown.rsplit("·", 1)[0], {
            "en": f"you counted one sample; the {'dataset' if of == 'epoch' else 'batch'} has {samples}",
            "zh": f"只算了一个样本;{'数据集' if of == 'epoch' else '一批'}有 {samples} 个"}))
    if of == "epoch" and batch > 1:
        candidates.append(Candidate("tf_epoch_times_batch", answer * batch, f"{shown}·{batch}", {
            "en": f"you multiplied a batch of {batch} by the {dataset} samples; an epoch is {dataset} samples, "
                  f"⌈{dataset}/{batch}⌉ steps of up to {batch}",
            "zh": f"把一批 {batch} 个样本的计算量乘以了 {dataset};一个 epoch 共 {dataset} 个样本,即 ⌈{dataset}/{batch}⌉ 步"}))
    params = model.trainable_params
    if params and params != macs and any(layer.kind.family == "conv" for layer in model.layers):  # dense-only: params ≈ MACs
        value = factor * 2 * params * samples
        candidates.append(Candidate("tf_params_as_macs", value, shown.replace(str(macs), str(params)), {
            "en": f"you used the {params} parameters as the MACs of a sample; a convolution reuses each weight at every "
                  "output position",
            "zh": f"把 {params} 个参数当成了每个样本的乘加次数;卷积的每个权重在每个输出位置都要用一次"}))
    mistakes = collect(answer, candidates, product)
    details = {"of": of, "batch": batch, "dataset": dataset, "macs": macs}
    return answer, mistakes, steps, details


def prompt_words(options: dict[str, Any]) -> dict[str, Any]:
    of, batch, dataset = _ask(options)
    what = {
        "forward": (f"the forward pass of a batch of {batch}", f"批大小为 {batch} 的一次前向传播"),
        "step": (f"one training step (forward and backward) on a batch of {batch}, with the usual estimate of 3× the forward pass",
                 f"批大小为 {batch} 的一次训练(前向与反向),按常用估计:约为前向的 3 倍"),
        "epoch": (f"one training epoch over {dataset} samples, with the usual estimate of 3× the forward pass",
                  f"在 {dataset} 个样本上训练一个 epoch,按常用估计:约为前向的 3 倍"),
    }[of]
    return {"tf_what": what[0], "tf_what_zh": what[1], "batch": batch, "dataset": dataset}


DEFAULT_PROMPT = {
    "en": "How many FLOPs (1 multiply–add = 2 FLOPs) does {tf_what} of this model take?",
    "zh": "这个模型{tf_what_zh}需要多少 FLOPs(1 次乘加 = 2 FLOPs)?",
}
