"""Hypothesis strategies for random network specs, shared by the oracle tests."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from quizgen.spec import NetworkSpec, parse_spec


def spec(framework: str, input_shape: list[int], layers: list[dict[str, Any]]) -> NetworkSpec:
    return parse_spec({"framework": framework, "input_shape": input_shape, "layers": layers})


def ints_or_tuple(rank: int, low: int, high: int) -> st.SearchStrategy[Any]:
    """An int or a list of `rank` ints, both forms the frameworks accept."""
    return st.one_of(st.integers(low, high), st.lists(st.integers(low, high), min_size=rank, max_size=rank))
