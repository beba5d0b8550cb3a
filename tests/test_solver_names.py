"""Names the solver asks for thousands of times a run are worked out once (issue 15): they must stay what they were."""

from __future__ import annotations

import pytest

from quizgen.layers.geometry import AXES
from quizgen.specgraph import auto_name


@pytest.mark.parametrize("rank", sorted(AXES))
def test_an_axis_names_its_symbols_as_its_symbols_are_named(rank: int) -> None:
    for axis in AXES[rank]:
        for prefix in ("K", "S", "P", "D", "X"):
            assert axis.name(prefix) == axis.sym(prefix).name
            assert axis.name(prefix) == axis.name(prefix)
    assert [axis.name("K") for axis in AXES[2]] == ["K_h", "K_w"] and AXES[1][0].name("K") == "K"


@pytest.mark.parametrize(("framework", "type_name"), [("keras", "Conv2D"), ("pytorch", "Conv2d"), ("keras", "BatchNormalization"),
                                                      ("pytorch", "BatchNorm2d"), ("keras", "LSTM"), ("pytorch", "LSTM"),
                                                      ("pytorch", "MultiheadAttention"), ("keras", "MultiHeadAttention")])
def test_auto_names_are_the_same_asked_once_or_again(framework: str, type_name: str) -> None:
    fresh = auto_name.__wrapped__(framework, type_name)
    assert auto_name(framework, type_name) == fresh == auto_name(framework, type_name)
    other = "keras" if framework == "pytorch" else "pytorch"
    assert auto_name(other, type_name) == auto_name.__wrapped__(other, type_name)  # keyed by the framework too


def test_the_frameworks_name_one_type_differently() -> None:
    assert (auto_name("keras", "Conv2d"), auto_name("pytorch", "Conv2d"), auto_name("keras", "Conv2d")) == ("conv2d", "conv", "conv2d")
    assert (auto_name("pytorch", "ReLU"), auto_name("keras", "ReLU")) == ("relu", "re_lu")
