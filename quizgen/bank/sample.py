"""Seeded sampling of a template into a concrete, solvable network.

The random stream of one question depends only on (exam seed, student id, template id,
repeat index), hashed with blake2b: adding a student or reordering the roster changes no
one else's exam, and the same inputs always give the same exam.
"""

from __future__ import annotations

__all__ = ["Sampled", "rng_for", "sample_template"]

import hashlib
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import BankError, Location, QuizgenError
from ..solver import ModelSolution, solve
from ..spec import NetworkSpec, parse_spec
from .expr import ExprError
from .model import Domain, Template

MAX_ATTEMPTS = 500


@dataclass(frozen=True, slots=True)
class Sampled:
    template: Template
    values: Mapping[str, Any]
    spec: NetworkSpec
    solution: ModelSolution
    layer: int | None
    rng: random.Random  # continues the question's stream (choice shuffles, ...)
    fingerprint: str = ""  # `fingerprint(spec)`, worked out for the draw already (generation keys variants by it)


def rng_for(*parts: object) -> random.Random:
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    # Seeded for reproducible exams, not for secrecy.
    return random.Random(int.from_bytes(digest, "big"))  # noqa: S311


def _fill(value: Any, values: Mapping[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        return values.get(value[1:], value)  # not a bank parameter: a block's argument, filled when the block is used
    if isinstance(value, Mapping):
        return {k: _fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class _Failed:
    """A draw rejected because an expression failed (not because a constraint was false)."""

    where: str  # "params: p" or "where"
    line: int | None
    failure: ExprError


def _draw(template: Template, rng: random.Random) -> dict[str, Any] | _Failed | None:
    """The drawn values, None when a constraint is false, or the expression that failed."""
    values: dict[str, Any] = {}
    for param in template.params:
        if isinstance(param, Domain):
            values[param.name] = rng.choice(param.values)
        else:
            try:
                values[param.name] = param.expr.evaluate(values)
            except ExprError as failure:
                return _Failed(f"params: {param.name}", param.line, failure)
    for constraint, line in template.constraints:
        try:
            if not constraint.evaluate(values):
                return None
        except ExprError as failure:
            return _Failed("where", line, failure)
    return values


SolveCache = dict[str, "tuple[NetworkSpec, ModelSolution] | QuizgenError"]


def _solve_network(network: dict[str, Any], source: str, cache: SolveCache) -> tuple[NetworkSpec, ModelSolution]:
    key = repr(network)
    if key not in cache:
        try:
            spec = parse_spec(network, source)
            cache[key] = (spec, solve(spec))
        except QuizgenError as error:
            cache[key] = error
    found = cache[key]
    if isinstance(found, QuizgenError):
        raise found
    return found


def sample_template(template: Template, seed: int, student_id: str, repeat_index: int = 0,
                    avoid: frozenset[str] = frozenset(), cache: SolveCache | None = None) -> Sampled:
    """Draw parameters until constraints hold and the network solves (degenerate draws are redrawn).

    ``avoid`` holds fingerprints of variants this student already has (repeats stay distinct).
    """
    rng = rng_for(seed, student_id, template.id, repeat_index)
    last_error: QuizgenError | None = None
    failed: _Failed | None = None  # the first expression that failed, the likeliest cause when nothing is found
    failures = 0
    frameworks = sorted(template.networks)
    for _ in range(MAX_ATTEMPTS):
        values = _draw(template, rng)
        if isinstance(values, _Failed):
            failed, failures = failed or values, failures + 1
            continue
        if values is None:
            continue
        drawn = values.get("framework")  # a template may draw the framework as one of its parameters
        framework = drawn if isinstance(drawn, str) and drawn in template.networks else rng.choice(frameworks)
        network = dict(_fill(template.networks[framework], values))
        network["framework"] = framework
        try:
            spec, solution = _solve_network(network, template.source, cache if cache is not None else {})
        except QuizgenError as error:
            last_error = error
            continue
        drawn_fingerprint = fingerprint(spec)
        if drawn_fingerprint in avoid:
            continue
        layer = _layer_index(template, solution)
        return Sampled(template, values, spec, solution, layer, rng, drawn_fingerprint)
    if failed is not None:
        share = "every draw" if failures == MAX_ATTEMPTS else f"{failures} of {MAX_ATTEMPTS} draws"
        raise BankError(f"question {template.id}: {failed.where}: {failed.failure} (in {share}, so no valid variant was found)",
                        Location(file=template.source, line=failed.line or template.line))
    detail = f"; the last draw failed with: {last_error.bare_message}" if last_error else ""
    raise BankError(f"question {template.id}: no valid variant in {MAX_ATTEMPTS} draws — the constraints "
                    f"(where:) or the network rule out (almost) every combination{detail}",
                    Location(file=template.source, line=template.line))


def _layer_index(template: Template, solution: ModelSolution) -> int | None:
    """``layer:`` is an index into the (expanded) layers, negative from the end, or a layer's name."""
    if template.layer is None:
        return None
    if isinstance(template.layer, str):
        for layer in solution.layers:
            if layer.name == template.layer:
                return layer.index
        names = [layer.name for layer in solution.layers]
        import difflib

        close = difflib.get_close_matches(template.layer, names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise BankError(f"question {template.id}: layer {template.layer!r} is not a layer of the network{hint}",
                        Location(file=template.source, line=template.line))
    if not -len(solution.layers) <= template.layer < len(solution.layers):
        raise BankError(f"question {template.id}: layer {template.layer} is outside the network's {len(solution.layers)} layers",
                        Location(file=template.source, line=template.line))
    return template.layer % len(solution.layers)


def fingerprint(spec: NetworkSpec) -> str:
    from ..spec import spec_to_mapping

    return repr(spec_to_mapping(spec))
