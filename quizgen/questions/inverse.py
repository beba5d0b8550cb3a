"""Inverse problems: find the hidden hyperparameter from the output shape or the parameter count.

Every value in a generous range is tried through the real solver, so the accepted set is
exactly the set of values that fit (a 3×3 or a 4×4 kernel may both give 24 with stride 2).
sympy solves the equation symbolically for the worked solution where it can (parameter
counts, unit strides); the enumeration is what decides.
"""

from __future__ import annotations

__all__ = ["inverse_question"]

from typing import Any

from ..errors import QuizgenError
from ..formula import Shown, Sym, substitute
from ..solver import LayerSolution, ModelSolution, solve_layer
from ..spec import LayerSpec
from .built import Built

# argument -> (symbol prefix in the formulas, candidate range)
_UNKNOWNS: dict[str, tuple[str, range]] = {
    "kernel_size": ("K", range(1, 65)),
    "pool_size": ("K", range(1, 65)),
    "strides": ("S", range(1, 65)),
    "stride": ("S", range(1, 65)),
    "padding": ("P", range(33)),
    "dilation_rate": ("D", range(1, 33)),
    "dilation": ("D", range(1, 33)),
    "filters": ("C_out", range(1, 1025)),
    "out_channels": ("C_out", range(1, 1025)),
    "units": ("N_out", range(1, 2049)),
    "out_features": ("N_out", range(1, 2049)),
}


def _scalar(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, tuple) and value and len(set(value)) == 1 and isinstance(value[0], int):
        return value[0]
    return None


def _observed(model: ModelSolution, layer: LayerSolution, spec_type: str, kwargs: dict[str, Any], given: str) -> Any:
    _, _, result = solve_layer(model.spec.framework, LayerSpec(spec_type, kwargs), layer.input_shape, layer.index,
                               shapes=layer.input_shapes or None)
    if given == "params":
        return int(result.trainable.value + result.non_trainable.value)
    return list(result.output_shape)


def _sympy_step(layer: LayerSolution, prefix: str, target: int) -> str | None:
    """'63·(k·k·32 + 1) = 18207  ⇒  k = 3' when sympy can solve the parameter equation."""
    import sympy

    expr = layer.trainable.expr
    names = [n for n in expr.free_symbols() if n == prefix or n.startswith(prefix + "_")]
    if not names:
        return None
    unknown = sympy.Symbol(prefix.split("_")[0].lower() if prefix != "C_out" else "c", positive=True, integer=True)
    substitution = {sympy.Symbol(n, integer=True): (unknown if n in names else sympy.Integer(v)) for n, v in layer.trainable.env.items()}
    equation = sympy.Eq(expr.sympy().subs(substitution), target)
    try:
        solutions = [s for s in sympy.solve(equation, unknown) if s.is_integer and s > 0]
    except (NotImplementedError, TypeError):
        return None
    name = str(unknown)
    shown = substitute(expr, {n: Sym(name) for n in names})
    numbers: dict[str, Shown] = {**layer.trainable.env, name: name}  # the unknown prints as its name
    rendered = shown.render(numbers)
    return f"{rendered} = {target}  ⇒  {unknown} = {', '.join(map(str, solutions))}" if solutions else None


def inverse_question(model: ModelSolution, layer: LayerSolution, options: dict[str, Any]) -> Built:
    unknown = options.get("unknown")
    given = options.get("given", "output_shape")
    if unknown not in _UNKNOWNS or unknown not in layer.args:
        raise ValueError(f"unknown: {unknown!r} is not a solvable argument of {layer.type}")
    if given not in ("output_shape", "params"):
        raise ValueError(f"given must be output_shape or params, got {given!r}")
    true_value = _scalar(layer.args[unknown])
    if true_value is None:
        raise ValueError(f"{unknown} is not the same along every axis")
    spec_layer = model.spec.layers[layer.index]
    base = {**spec_layer.kwargs, **layer.outcome.resolved}
    target = layer.params if given == "params" else list(layer.output_shape)
    prefix, candidates = _UNKNOWNS[unknown]
    accepted = []
    for value in candidates:
        try:
            if _observed(model, layer, spec_layer.type, {**base, unknown: value}, given) == target:
                accepted.append(value)
        except QuizgenError:
            continue
    if true_value not in accepted:
        raise ValueError("the true value does not reproduce the given quantity")
    if len(accepted) > 4:
        raise ValueError("too many values fit; the question would be vague")
    batch = ["None"] * (model.spec.framework.value == "keras")
    shape_text = "(" + ", ".join(batch + ["None" if d is None else str(d) for d in layer.output_shape]) + ")"
    given_en = f"{target} parameters" if given == "params" else f"output shape {shape_text}"
    given_zh = f"参数量为 {target}" if given == "params" else f"输出形状为 {shape_text}"
    steps_en = []
    if given == "params":
        step = _sympy_step(layer, prefix, layer.params)
        if step:
            steps_en.append(step)
    else:
        for bound in layer.outcome.dims:
            if bound is not None:
                steps_en.append(f"{bound.formula()} = {bound.value}")
    found = f"{unknown} ∈ {{{', '.join(map(str, accepted))}}}"
    first, last = candidates.start, candidates.stop - 1
    steps_en.append(f"{found} (checked for every value from {first} to {last})")
    steps_zh = [*steps_en[:-1], f"{found}(已逐一检验 {first} 到 {last} 的每个值)"]
    details = {"unknown": unknown, "given": given, "hidden": {"layer": layer.index, "arg": unknown},
               "words": {"unknown": unknown, "given": given_en, "given_zh": given_zh}}
    return accepted, (), {"en": tuple(steps_en), "zh": tuple(steps_zh)}, details
