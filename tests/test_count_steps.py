"""A parameter question's worked steps are the parameter lines of layer_steps, worked out without the
dimension and MAC lines it drops (issue 15): they must be exactly what filtering layer_steps gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizgen.questions.build import _count_step, _count_steps, _steps
from quizgen.solver import solve
from quizgen.spec import load_spec, parse_spec

SPECS = sorted((Path(__file__).parent / "fixtures" / "specs").rglob("*.yaml"))


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_every_layer_of_the_fixture_networks(path: Path) -> None:
    for layer in solve(load_spec(path)).layers:
        assert _count_steps(layer) == _steps(layer, _count_step), (path.stem, layer.name)


def test_a_five_dimensional_output() -> None:
    # Dense on a 5-D input: its dimensions are named X1 ... X5, not *_out (none is worked out here).
    model = solve(parse_spec({"framework": "keras", "input_shape": [2, 3, 4, 5, 6], "layers": [{"Dense": {"units": 7}}]}, "t"))
    steps = _count_steps(model.layers[0])
    assert steps == _steps(model.layers[0], _count_step)
    assert steps["en"][-1] == "parameters: N_out·(N_in + 1) = 7·(6 + 1) = 49"


def test_batch_norm_shows_trainable_and_non_trainable_lines() -> None:
    model = solve(parse_spec({"framework": "keras", "input_shape": [8, 8, 3], "layers": [{"BatchNormalization": {}}]}, "t"))
    steps = _count_steps(model.layers[0])
    assert steps == _steps(model.layers[0], _count_step)
    assert [s.split(":")[0] for s in steps["en"]] == ["trainable parameters", "non-trainable parameters"]
