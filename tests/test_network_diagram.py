"""network_diagram draws what network_view's student diagram shows, without writing the model code
(the Moodle export embeds one diagram per distinct network and discarded the code; issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import quizgen.codeio
from quizgen.render.network import network_diagram, network_view
from quizgen.solver import solve
from quizgen.spec import parse_spec

SPECS = Path(__file__).parent / "fixtures" / "specs"
LABELS = {"input_label": "input", "diagram_label": "the network", "font_family": "DejaVu Sans", "width": 640}


@pytest.mark.parametrize("name", ["seed001-mnist.yaml", "residual-block.yaml"])
@pytest.mark.parametrize("hidden", [None, (0, "filters")])
def test_network_diagram_is_the_student_views_diagram(name: str, hidden: tuple[int, str] | None) -> None:
    model = solve(parse_spec(yaml.safe_load((SPECS / name).read_text(encoding="utf-8"))))
    student, _ = network_view(model, hidden, diagram=True, **LABELS)
    assert student.diagram is not None
    assert network_diagram(model, hidden, **LABELS) == student.diagram


def test_network_diagram_writes_no_code(monkeypatch: pytest.MonkeyPatch) -> None:
    model = solve(parse_spec(yaml.safe_load((SPECS / "seed001-mnist.yaml").read_text(encoding="utf-8"))))

    def refuse(*_: object) -> str:
        raise AssertionError("the diagram alone needs no model code")

    monkeypatch.setattr(quizgen.codeio, "write_model_code", refuse)
    assert "<svg" in str(network_diagram(model, None, **LABELS))
