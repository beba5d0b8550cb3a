"""The `receptive_field` kind: size, jump or start of one output unit's field, with the recurrence worked.

Options: ``of: size | jump | start`` (default size) and ``axis: H`` (W, D, L; default the first
spatial axis). The conventions of `quizgen.questions.receptive` are stated in the prompt.
"""

from __future__ import annotations

__all__ = ["receptive_question"]

from collections.abc import Sequence
from math import prod
from typing import Any

from ..exam import MistakeValue
from ..solver import LayerSolution, ModelSolution
from .built import Steps
from .family import Candidate, collect
from .receptive import Field, PathField, axis_labels, receptive_field, receptive_paths

OF = ("size", "jump", "start")
_SYMBOL = {"size": "r", "jump": "j", "start": "offset"}


def _axis(model: ModelSolution, axis: Any) -> int:
    labels = axis_labels(model)
    if axis is None:
        return 0
    if isinstance(axis, str) and axis.upper() in labels:
        return labels.index(axis.upper())
    raise ValueError(f"axis {axis!r} is not one of {list(labels)}")


def _signed(value: int) -> str:
    return f"({value})" if value < 0 else str(value)


def _step_lines(path: PathField, lang: str) -> list[str]:
    lines = []
    for step, before, after in zip(path.steps, path.fields[:-1], path.fields[1:], strict=True):
        j = before.jump
        head = f"{step.layer} ({step.type}, k={step.k}, d={step.d}, s={step.s}, p={step.p})"
        lines.append(f"{head}: r = {before.size} + ({step.k} − 1)·{step.d}·{j} = {after.size}; "
                     f"j = {j}·{step.s} = {after.jump}; offset = {-before.start} + {step.p}·{j} = {-after.start}")
    if not lines:
        lines.append("no layer changes the field: r = 1, j = 1, offset = 0" if lang == "en"
                     else "没有层改变感受野:r = 1, j = 1, offset = 0")
    return lines


def _convention(label: str, lang: str) -> str:
    if lang == "zh":
        return (f"约定:沿 {label} 轴的输入位置从 0 计数,填充计入、图像边界不计;输入像素 r = 1, j = 1, offset = 0"
                "(offset:输出单元 0 的感受野从位置 0 之前多少个位置开始);"
                "每层 r_out = r_in + (k − 1)·d·j_in, j_out = j_in·s, offset_out = offset_in + p·j_in")
    return (f"convention: input positions along {label}, counted from 0; padding counts, the image border does not; "
            "an input pixel has r = 1, j = 1, offset = 0 (offset: how many positions before position 0 the field of "
            "output unit 0 begins); per layer r_out = r_in + (k − 1)·d·j_in, j_out = j_in·s, offset_out = offset_in + p·j_in")


def _union_line(paths: Sequence[PathField], field: Field, lang: str) -> str:
    starts = ", ".join(str(p.field.start) for p in paths)
    ends = ", ".join(str(p.field.end) for p in paths)
    head = "union of the paths (first and last position of unit 0)" if lang == "en" else "各路径的并集(输出单元 0 的第一个与最后一个位置)"
    return (f"{head}: first = min({starts}) = {field.start}; last = max({ends}) = {field.end}; "
            f"r = {field.end} − {_signed(field.start)} + 1 = {field.size}; offset = {-field.start}")


def _path_name(path: PathField, lang: str) -> str:
    names = " → ".join(step.layer for step in path.steps) or "—"
    return f"path {names}" if lang == "en" else f"路径 {names}"


def _steps(paths: Sequence[PathField], field: Field, label: str) -> Steps:
    steps: Steps = {}
    for lang in ("en", "zh"):
        lines = [_convention(label, lang)]
        if len(paths) == 1:
            lines.extend(_step_lines(paths[0], lang))
        else:
            for path in paths:
                lines.append(f"{_path_name(path, lang)}:")
                lines.extend(_step_lines(path, lang))
            lines.append(_union_line(paths, field, lang))
        steps[lang] = tuple(lines)
    return steps


def _sum_text(terms: Sequence[str], start: str = "1") -> str:
    return " + ".join([start, *terms]) if terms else start


def _size_candidates(path: PathField) -> list[Candidate]:
    steps, fields = path.steps, path.fields
    r = path.field.size
    jumps = [f.jump for f in fields[:-1]]
    out = []
    if any(step.d > 1 for step in steps):
        value = 1 + sum((s.k - 1) * j for s, j in zip(steps, jumps, strict=True))
        terms = [f"({s.k} − 1)·{j}" for s, j in zip(steps, jumps, strict=True)]
        dilated = ", ".join(f"{s.layer} d={s.d}" for s in steps if s.d > 1)
        out.append(Candidate("rf_ignored_dilation", value, _sum_text(terms), {
            "en": f"you left out the dilation ({dilated}): a dilated kernel reaches (k − 1)·d + 1 positions",
            "zh": f"漏掉了膨胀率 ({dilated}):膨胀卷积核覆盖 (k − 1)·d + 1 个位置"}))
    if any(j > 1 for j in jumps):
        value = 1 + sum((s.k - 1) * s.d for s in steps)
        terms = [f"({s.k} − 1)·{s.d}" for s in steps]
        shown = ", ".join(f"{s.layer} j={j}" for s, j in zip(steps, jumps, strict=True) if j > 1)
        out.append(Candidate("rf_ignored_jump", value, _sum_text(terms), {
            "en": f"you added each kernel's reach in its own input's positions, not in input pixels: "
                  f"after the earlier strides one step is j input pixels ({shown})",
            "zh": f"把每层卷积核的覆盖范围按该层输入的位置相加,而不是按输入像素:经过前面的步幅后,一步等于 j 个输入像素 ({shown})"}))
    if any(s.s > 1 for s in steps):
        value = 1 + sum((s.k - 1) * s.d * f.jump for s, f in zip(steps, fields[1:], strict=True))
        terms = [f"({s.k} − 1)·{s.d}·{f.jump}" for s, f in zip(steps, fields[1:], strict=True)]
        out.append(Candidate("rf_own_stride", value, _sum_text(terms), {
            "en": "you multiplied each layer's reach by the jump after its own stride; a layer's window moves in steps of "
                  "the jump before it (j_in)",
            "zh": "把每层的覆盖范围乘以了包含本层步幅的跳步;本层窗口的一步是它之前的跳步 j_in"}))
    if len(steps) > 1:
        reaches = [(s.k - 1) * s.d + 1 for s in steps]
        out.append(Candidate("rf_multiplied_kernels", prod(reaches), "·".join(map(str, reaches)), {
            "en": "you multiplied the kernels' extents; fields grow by adding (k − 1)·d·j per layer",
            "zh": "把各层卷积核的覆盖范围相乘了;感受野是逐层累加 (k − 1)·d·j"}))
    terms = [f"({s.k} − 1)·{s.d}·{j}" for s, j in zip(steps, jumps, strict=True)]
    out.append(Candidate("rf_off_by_one", r - 1, " + ".join(terms) or "0", {
        "en": "you started from r = 0; an input pixel already sees itself (r = 1)",
        "zh": "从 r = 0 开始算了;一个输入像素本身的感受野就是 1"}))
    if steps:
        value = 1 + sum(((s.k - 1) * s.d + 1) * j for s, j in zip(steps, jumps, strict=True))
        terms = [f"{(s.k - 1) * s.d + 1}·{j}" for s, j in zip(steps, jumps, strict=True)]
        out.append(Candidate("rf_kernel_not_minus_one", value, _sum_text(terms), {
            "en": "you added the whole kernel extent per layer; its first position is already inside the field, so each "
                  "layer adds (k − 1)·d·j",
            "zh": "每层加上了整个卷积核的覆盖范围;它的第一个位置已经在感受野内,所以每层只增加 (k − 1)·d·j"}))
    return out


def _jump_candidates(path: PathField) -> list[Candidate]:
    strides = [s.s for s in path.steps]
    out = []
    if len(strides) > 1:
        out.append(Candidate("rf_jump_summed", sum(strides), " + ".join(map(str, strides)), {
            "en": "you added the strides; each stride multiplies the jump (j_out = j_in·s)",
            "zh": "把步幅相加了;每层步幅是相乘的 (j_out = j_in·s)"}))
        out.append(Candidate("rf_jump_last_only", strides[-1], str(strides[-1]), {
            "en": "you took only the last layer's stride; the earlier strides multiply in too",
            "zh": "只用了最后一层的步幅;前面各层的步幅也要相乘"}))
    return out


def _start_candidates(path: PathField) -> list[Candidate]:
    pads = [s.p for s in path.steps]
    out = []
    if any(pads):
        out.append(Candidate("rf_start_ignored_padding", 0, "0", {
            "en": "you ignored the padding; each layer's padding moves unit 0's window p·j_in positions before the input",
            "zh": "忽略了填充;每层的填充使输出单元 0 的窗口向输入之前移动 p·j_in 个位置"}))
        jumps = [f.jump for f in path.fields[:-1]]
        if any(p and j > 1 for p, j in zip(pads, jumps, strict=True)):
            value = sum(pads)
            out.append(Candidate("rf_start_no_jump", value, " + ".join(map(str, pads)), {
                "en": "you subtracted each padding in its own layer's positions; in input pixels it is p·j_in",
                "zh": "把每层的填充按该层自己的位置相减了;换算成输入像素是 p·j_in"}))
    return out


def receptive_question(model: ModelSolution, layer: LayerSolution, options: dict[str, Any]) -> tuple[
        int, tuple[MistakeValue, ...], Steps, dict[str, Any]]:
    of = options.get("of") or "size"
    if of not in OF:
        raise ValueError(f"of: {of!r} is not one of {list(OF)}")
    axis = _axis(model, options.get("axis"))
    label = axis_labels(model)[axis]
    field = receptive_field(model, layer, axis)
    paths = receptive_paths(model, layer, axis)
    # A unit whose whole field lies inside the input, and a neighbour: what the autograd proof checks.
    size = _output_size(model, layer, axis)
    last = _input_size(model, axis) - 1
    inside = [i for i in range(size or 0) if field.start + i * field.jump >= 0 and field.end + i * field.jump <= last]
    if len(inside) < 2:
        raise ValueError("fewer than two output units have their whole field inside the input")
    answer = {"size": field.size, "jump": field.jump, "start": -field.start}[of]
    widest = max(paths, key=lambda p: (p.field.size, -len(p.steps)))
    candidates = {"size": _size_candidates, "jump": _jump_candidates, "start": _start_candidates}[of](widest)
    if of == "size" and len(paths) > 1:  # a student who follows the narrowest branch (a skip) only
        narrow = min(paths, key=lambda p: p.field.size)
        route = " → ".join(s.layer for s in narrow.steps) or "—"
        candidates = [*candidates, Candidate("rf_one_path", narrow.field.size, str(narrow.field.size), {
            "en": f"you followed one path ({route}); the field is the union over every path",
            "zh": f"只沿一条路径计算了 ({route});感受野是所有路径的并集"})]
    symbol = _SYMBOL[of]
    correct = f"{symbol} = {answer}"
    steps = _steps(paths, field, label)
    mistakes = collect(answer, candidates, correct)
    details = {"of": of, "axis": label, "field": {"size": field.size, "jump": field.jump, "start": field.start},
               "units_inside": [inside[0], inside[-1]]}
    return answer, mistakes, steps, details


def _input_size(model: ModelSolution, axis: int) -> int:
    shape = model.spec.model_inputs[0][1]
    spatial = shape[:-1] if model.spec.framework.value == "keras" else shape[1:]
    size = spatial[axis]
    if size is None:
        raise ValueError("the input size along the axis is unknown")
    return size


def _output_size(model: ModelSolution, layer: LayerSolution, axis: int) -> int | None:
    shape = layer.output_shape
    spatial = shape[:-1] if model.spec.framework.value == "keras" else shape[1:]
    return spatial[axis] if axis < len(spatial) else None


def prompt_words(options: dict[str, Any], model: ModelSolution) -> dict[str, str]:
    of = options.get("of") or "size"
    label = axis_labels(model)[_axis(model, options.get("axis"))]
    what = {"size": ("receptive field r (in input positions)", "感受野大小 r(以输入位置计)"),
            "jump": ("jump j (effective stride, in input positions)", "跳步 j(等效步幅,以输入位置计)"),
            "start": ("start offset (how many positions before input position 0 the field of output unit 0 begins; 0 without padding)",
                      "起点偏移 offset(输出单元 0 的感受野从输入位置 0 之前多少个位置开始;无填充时为 0)")}[of]
    return {"rf_what": what[0], "rf_what_zh": what[1], "axis": label}


DEFAULT_PROMPT = {
    "en": "What is the {rf_what} of one output position (all its channels) of layer {n} ({name}, {type}) along {axis}? "
          "Positions are counted from 0; padding counts, the image border does not.",
    "zh": "第 {n} 层 ({name}, {type}) 的一个输出位置(含其所有通道)沿 {axis} 轴的{rf_what_zh}是多少?"
          "位置从 0 开始计数;填充计入,图像边界不计。",
}
