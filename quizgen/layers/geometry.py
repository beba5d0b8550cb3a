"""Sliding-window geometry shared by convolutions and pooling: axis symbols and size formulas.

Per spatial axis the symbols are suffixed with the axis letter: ``H_in, K_h, S_h, P_h, D_h``
(1-D layers use ``L_in, K, S, P, D``). Each formula is built once per (rule, axis) and cached.
"""

from __future__ import annotations

__all__ = [
    "AXES",
    "Axis",
    "axes_for",
    "check_window_fits",
    "conv_length",
    "join_layout",
    "keras_length",
    "solve_output_sizes",
    "spatial_layout",
]

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..formula import Expr, Sym, ceil_div, floor_div
from .base import ArgError, Shape


@dataclass(frozen=True, slots=True)
class Axis:
    letter: str  # "" for 1-D layers, else "d", "h" or "w"
    size_name: str  # L, D, H, W

    def sym(self, prefix: str) -> Sym:
        """``axis.sym("K")`` -> K_h (or K for 1-D)."""
        return Sym(f"{prefix}_{self.letter}" if self.letter else prefix)

    @property
    def size_in(self) -> Sym:
        return Sym(f"{self.size_name}_in")

    @property
    def size_out(self) -> Sym:
        return Sym(f"{self.size_name}_out")

    def name(self, prefix: str) -> str:
        """``axis.name("K")`` -> "K_h": the name of `sym` (solving asks for names thousands of times a run)."""
        return _symbol_name(self.letter, prefix)


@cache
def _symbol_name(letter: str, prefix: str) -> str:
    return f"{prefix}_{letter}" if letter else prefix


AXES = {
    1: (Axis("", "L"),),
    2: (Axis("h", "H"), Axis("w", "W")),
    3: (Axis("d", "D"), Axis("h", "H"), Axis("w", "W")),
}


def axes_for(rank: int) -> tuple[Axis, ...]:
    return AXES[rank]


@cache
def conv_length(axis: Axis, *, padded: bool = True, dilated: bool = True, ceil: bool = False) -> Expr:
    """PyTorch's rule: ⌊(X + 2P − D·(K − 1) − 1)/S⌋ + 1 (⌈⌉ with ceil_mode)."""
    x, k, s = axis.size_in, axis.sym("K"), axis.sym("S")
    span: Expr = axis.sym("D") * (k - 1) if dilated else k - 1
    top: Expr = x + 2 * axis.sym("P") - span - 1 if padded else x - span - 1
    return (ceil_div(top, s) if ceil else floor_div(top, s)) + 1


@cache
def keras_length(axis: Axis, padding: str, *, dilated: bool = True) -> Expr:
    """Keras' rule: 'valid' ⌊(X − D·(K − 1) − 1)/S⌋ + 1; 'same' and 'causal' ⌈X/S⌉."""
    if padding in ("same", "causal"):
        return ceil_div(axis.size_in, axis.sym("S"))
    return conv_length(axis, padded=False, dilated=dilated)


def spatial_layout(shape: Shape, rank: int, channels_last: bool) -> tuple[tuple[int | None, ...], int | None]:
    """Split an input shape (batch excluded) into (spatial sizes, channels)."""
    if len(shape) != rank + 1:
        raise ArgError(f"expects an input of rank {rank + 1} (batch excluded), got shape {list(shape)}")
    if channels_last:
        return tuple(shape[:-1]), shape[-1]
    return tuple(shape[1:]), shape[0]


def join_layout(spatial: Sequence[int | None], channels: int | None, channels_last: bool) -> Shape:
    return (*spatial, channels) if channels_last else (channels, *spatial)


# Each axis with the names of its input and output size (H_in, H_out), per rank.
_SIZE_NAMES = {rank: tuple((axis, f"{axis.size_name}_in", f"{axis.size_name}_out") for axis in axes) for rank, axes in AXES.items()}


def solve_output_sizes(rank: int, sizes: Sequence[int | None], env: dict[str, Any],
                       rule: Callable[[Axis], Expr] | tuple[Expr, ...]) -> tuple[list[int | None], list[Expr | None]]:
    """Each spatial axis' output size by ``rule(axis)``, with the formula used; binds X_in and X_out in env.

    ``rule`` may also be the formulas themselves, one per axis (a kind that looked them up once). A null
    (unknown) input size stays null (Keras' None) and has no formula.
    """
    out: list[int | None] = []
    formulas: list[Expr | None] = []
    given = rule if isinstance(rule, tuple) else None
    for index, ((axis, size_in, size_out), size) in enumerate(zip(_SIZE_NAMES[rank], sizes, strict=True)):
        formula = given[index] if given is not None else rule(axis)  # type: ignore[operator]
        if size is None:
            out.append(None)
            formulas.append(None)
            continue
        env[size_in] = size
        value = int(formula.evaluate(env))
        env[size_out] = value
        out.append(value)
        formulas.append(formula)
    return out, formulas


def check_window_fits(label: str, rank: int, sizes: Sequence[int | None], env: Mapping[str, Any], padding: str) -> None:
    """Refuse a (dilated) kernel wider than the (padded) input along any known axis.

    ``label`` prefixes the message (``"pool_size: "``); ``padding`` names a string padding
    mode for the message, else the numeric padding P bound in env is quoted.
    """
    for (k_name, d_name, p_name), size in zip(_WINDOW_NAMES[rank], sizes, strict=True):
        if size is None:
            continue
        k, d = env[k_name], env.get(d_name, 1)
        span = d * (k - 1) + 1
        room = size + 2 * env.get(p_name, 0)
        if span > room:
            what = f"kernel {k}" + (f" dilated by {d} spans {span}" if d > 1 else "")
            padded = f" with padding={padding!r}" if padding else f" + 2·padding {env.get(p_name, 0)}"
            raise ArgError(f"{label}{what} > input {size}{padded}")


# Each axis' kernel, dilation and padding symbol names (K_h, D_h, P_h), per rank.
_WINDOW_NAMES = {rank: tuple((axis.name("K"), axis.name("D"), axis.name("P")) for axis in axes) for rank, axes in AXES.items()}
