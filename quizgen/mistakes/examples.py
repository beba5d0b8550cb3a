"""A worked example in numbers for every catalogued mistake, for `quizgen mistakes`.

A mistake's reason is a template ("spans all {C_in} input channels") that only makes sense
with a question's numbers. The examples are the explanations quizgen itself stores in a key:
the shipped banks are generated for a few students with a fixed seed, and the first single
(not paired) occurrence of each code is kept, so every example is real output and new mistakes
get examples as soon as a bank produces them. A mistake no shipped bank happens to produce in
that draw gets one from a network written here for it.
"""

from __future__ import annotations

__all__ = ["worked_examples"]

from dataclasses import dataclass
from functools import cache

from ..bank import load_bank
from ..generate import generate_exam
from ..resources import banks_dir
from ..roster import Student
from ..solver import solve
from ..spec import parse_spec
from . import layer_mistakes
from .model import Quantity

SEED = 1
STUDENTS = tuple(Student(f"S{i}", "") for i in range(1, 7))
# Networks for mistakes the bank draws above may miss: (spec, layer index, quantity).
EXTRA_NETWORKS = (
    ({"framework": "pytorch", "input_shape": [8, 16, 16],
      "layers": [{"ConvTranspose2d": {"out_channels": 4, "kernel_size": 3, "stride": 3, "padding": 1, "output_padding": 2}}]},
     0, Quantity("shape")),
)


@dataclass(frozen=True, slots=True)
class WorkedExample:
    source: str  # "bank conv-basics, question conv2d-params"
    text: str  # the stored explanation: wrong value = wrong working: reason; correct: working = value


@cache
def worked_examples(lang: str) -> dict[str, WorkedExample]:
    """Mistake code -> its first worked example in ``lang`` (en or zh)."""
    found: dict[str, WorkedExample] = {}
    for path in sorted(banks_dir().glob("*.yaml")):
        exam = generate_exam([load_bank(path)], SEED, list(STUDENTS), lang=lang)[0]
        for variant in exam.variants:
            for question in variant.questions:
                for m in question.mistakes:
                    code = m.codes[0]
                    if "+" not in code and code not in found and m.explanation.get(lang):
                        found[code] = WorkedExample(f"{path.stem}: {question.template}", m.explanation[lang])
    for spec, index, quantity in EXTRA_NETWORKS:
        model = solve(parse_spec(spec, source=None))
        layer = model.layers[index]
        answer = list(layer.output_shape) if quantity.kind == "shape" else None
        for m in layer_mistakes(model, index, quantity, answer, pairs=False):
            if m.codes[0] not in found and m.explanation.get(lang):
                found[m.codes[0]] = WorkedExample(f"{spec['framework']} {layer.type}", m.explanation[lang])
    return found
