"""LMS diagrams (issue 15): a chain read from a key is solved as it is, not read back from its sorted JSON
first, and each distinct network is drawn once a run; the drawing and any error are what they were."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from test_export_support import small_exam

import quizgen.solver
from quizgen.errors import QuizgenError
from quizgen.lms import content
from quizgen.render.diagram import CELL_W, MARGIN
from quizgen.render.network import network_diagram
from quizgen.spec import parse_spec, spec_to_mapping


def _as_before(question: Any, lang: str) -> bytes | None:
    """The diagram as it was drawn: from the spec read back from its sorted JSON."""
    model = quizgen.solver.solve(parse_spec(json.loads(json.dumps(spec_to_mapping(question.spec), sort_keys=True))))
    width = 2 * MARGIN + CELL_W * min(6, len(model.layers) + 1)
    svg = network_diagram(model, content._hidden(question), input_label=content.w("diagram_input", lang),
                          diagram_label=content.w("diagram_alt", lang), font_family="DejaVu Sans, Noto Sans CJK SC, sans-serif",
                          width=width)
    return None if svg is None else str(svg).encode()


def _unsorted(question: Any) -> Any:
    """The question's network with every layer's arguments in reverse order, as a key may hold them."""
    mapping = spec_to_mapping(question.spec)
    mapping["layers"] = [{k: dict(reversed(list((v or {}).items()))) if isinstance(v, dict) else v for k, v in item.items()}
                         for item in mapping["layers"]]
    return dataclasses.replace(question, spec=parse_spec(mapping, source=None))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_diagrams_are_drawn_as_before(lang: str) -> None:
    for question in small_exam("en", 3).variants[0].questions:
        for shown in (question, _unsorted(question)):
            found = content.diagram_file(shown, lang)
            assert (None if found is None else found[1]) == _as_before(shown, lang)


def test_a_network_is_solved_once_a_run(monkeypatch: pytest.MonkeyPatch) -> None:
    question = _unsorted(small_exam("en", 3).variants[0].questions[0])
    calls = []
    original = quizgen.solver.solve
    monkeypatch.setattr(quizgen.solver, "solve", lambda spec: calls.append(spec) or original(spec))
    monkeypatch.setattr(content, "_DRAWN", {})
    for _ in range(3):
        content.diagram_file(question, "en")
    assert calls == [question.spec]  # as it is: not read back from JSON


def test_an_error_is_the_one_reading_it_back_gave() -> None:
    """Two unknown arguments: solving the key's order would name the first, reading back the sorted JSON names 'a_first'."""
    question = small_exam("en", 3).variants[0].questions[0]
    mapping = spec_to_mapping(question.spec)
    ((kind, kwargs),) = mapping["layers"][0].items()
    mapping["layers"][0] = {kind: {**kwargs, "z_last": 1, "a_first": 2}}
    broken = dataclasses.replace(question, spec=parse_spec(mapping, source=None))
    with pytest.raises(QuizgenError) as before:
        _as_before(broken, "en")
    with pytest.raises(QuizgenError) as now:
        content.diagram_file(broken, "en")
    assert str(now.value) == str(before.value) and "a_first" in str(now.value)
