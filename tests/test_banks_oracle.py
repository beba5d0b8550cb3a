"""Every answer of every shipped bank, over 200 seeds, equals what real PyTorch / Keras compute.

Distinct networks are built once in the framework (many seeds share a variant); each question's
stored answer is then checked against the framework's per-layer numbers. A network with branches
(residual-and-attention) is built node by node: Keras' functional API with shared layers called
again, plain torch modules and tensor operations (tests/oracle.py, graph references).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from oracle import Reference, reference

from quizgen.bank import load_bank
from quizgen.exam import FAMILY_KINDS, Question, QuestionKind
from quizgen.generate import generate_exam
from quizgen.roster import Student
from quizgen.solver import solve
from quizgen.spec import NetworkSpec, spec_to_mapping

pytestmark = [pytest.mark.oracle, pytest.mark.slow]
BANKS = sorted(p.stem for p in (Path(__file__).parent.parent / "banks").glob("*.yaml"))
SEEDS = range(200)
_REFERENCES: dict[str, list[Reference]] = {}


def refs(spec: NetworkSpec) -> list[Reference]:
    key = repr(spec_to_mapping(spec))
    if key not in _REFERENCES:
        _REFERENCES[key] = reference(solve(spec))
    return _REFERENCES[key]


def check(question: Question) -> None:
    if question.kind in FAMILY_KINDS:
        return  # proven by their own oracles (test_oracle_receptive.py, test_oracle_families.py)
    spec = question.spec
    ref = refs(spec)
    layer = question.layer
    kind = question.kind
    where = f"{question.id} {spec_to_mapping(spec)}"
    if kind in (QuestionKind.PARAMS, QuestionKind.CHOICE) or (kind in (QuestionKind.TRAINABLE_PARAMS, QuestionKind.NON_TRAINABLE_PARAMS) and layer is not None):
        assert layer is not None
        expected = {QuestionKind.TRAINABLE_PARAMS: ref[layer].trainable, QuestionKind.NON_TRAINABLE_PARAMS: ref[layer].non_trainable}.get(kind, ref[layer].params)
        got = question.details["options"][question.answer] if kind is QuestionKind.CHOICE else question.answer
        assert got == expected, where
    elif kind is QuestionKind.TOTAL_PARAMS:
        assert question.answer == sum(r.params for r in ref), where
    elif kind is QuestionKind.TRAINABLE_PARAMS:
        assert question.answer == sum(r.trainable for r in ref), where
    elif kind is QuestionKind.NON_TRAINABLE_PARAMS:
        assert question.answer == sum(r.non_trainable for r in ref), where
    elif kind is QuestionKind.OUTPUT_SHAPE:
        assert tuple(question.answer) == ref[layer].output_shape, where  # type: ignore[index]
    elif kind is QuestionKind.OUTPUT_SIZE:
        assert question.answer == ref[layer].output_shape[question.details["axis_index"]], where  # type: ignore[index]
    elif kind is QuestionKind.SUMMARY:
        rows = question.answer["rows"]
        assert [r["params"] for r in rows] == [r.params for r in ref], where
        assert [tuple(r["output_shape"]) for r in rows] == [r.output_shape for r in ref], where
        assert question.answer["total_params"] == sum(r.params for r in ref)
        assert question.answer["non_trainable_params"] == sum(r.non_trainable for r in ref)
    elif kind in (QuestionKind.MACS, QuestionKind.FLOPS):
        factor = 2 if kind is QuestionKind.FLOPS else 1
        solution = solve(spec)
        layers = [solution.layers[layer]] if layer is not None else list(solution.layers)
        # FlopCounterMode's FLOPs/2 is quizgen's MAC convention for convolutions, linear layers and PyTorch attention
        # (projections and the two matmuls; the oracle calls it with need_weights=True, off the fused kernel).
        if spec.framework.value == "pytorch" and all(item.kind.family in ("conv", "dense") or item.type == "MultiheadAttention"
                                                     or not item.macs for item in layers):
            expected = sum(ref[item.index].macs or 0 for item in layers)
            assert question.answer == factor * expected, where
    elif kind is QuestionKind.MISSING_HYPERPARAMETER:
        hidden = question.details["hidden"]
        given = question.details["given"]
        target = ref[hidden["layer"]].params if given == "params" else ref[hidden["layer"]].output_shape
        for value in question.answer:
            layers = list(spec.layers)
            original = layers[hidden["layer"]]
            layers[hidden["layer"]] = replace(original, kwargs={**original.kwargs, hidden["arg"]: value})  # keeps name and inputs
            other = replace(spec, layers=tuple(layers))
            got = refs(other)[hidden["layer"]]
            assert (got.params if given == "params" else got.output_shape) == target, (where, value)
    elif kind is QuestionKind.FORMULA:
        from quizgen.formula import Expr  # noqa: F401 - the answer is a rendered formula; its value is checked

        assert layer is not None
        assert solve(spec).layers[layer].trainable.value == ref[layer].trainable, where


@pytest.mark.parametrize("bank", BANKS)
def test_bank_answers_match_the_frameworks(bank: str) -> None:
    loaded = load_bank(bank)
    seen: set[Any] = set()
    for seed in SEEDS:
        exam, _ = generate_exam([loaded], seed, [Student("oracle")])
        for question in exam.variants[0].questions:
            key = (question.id, repr(spec_to_mapping(question.spec)), repr(question.answer) if question.kind is not QuestionKind.CHOICE else "")
            if key in seen:
                continue
            seen.add(key)
            check(question)
