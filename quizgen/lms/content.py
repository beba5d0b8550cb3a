"""What a question looks like in an LMS, shared by every format: HTML text and feedback.

A question's text is self-contained (an LMS shows one random variant at a time, with no
worksheet around it): the prompt, the network as real Keras/PyTorch code, a layer diagram,
the counting conventions that apply, and a reference tag naming the quizgen question and
variant, which LMS response reports carry back to the grader.
"""

from __future__ import annotations

__all__ = [
    "HIDDEN",
    "NUMERICAL_KINDS",
    "accepted_values",
    "cell_label",
    "conventions",
    "diagram_file",
    "escape",
    "explanation",
    "is_number",
    "mistake_list_html",
    "mistake_tolerance",
    "network_code",
    "number_text",
    "question_html",
    "shown_spec",
    "solution_html",
    "solution_steps",
    "text_in",
    "tolerance",
    "value_text",
]

import copy
import hashlib
import html
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import QuizgenError
from ..exam import COUNT_KINDS, DECIMAL_KINDS, MistakeValue, Question, QuestionKind
from ..i18n import t
from ..spec import NetworkSpec, spec_to_mapping
from ..specgraph import RESERVED_ITEM_KEYS
from .words import w

if TYPE_CHECKING:
    from ..solver import ModelSolution

HIDDEN = "?"
_SENTINEL = "__quizgen_hidden__"
_COMPUTE_KINDS = frozenset({QuestionKind.MACS, QuestionKind.FLOPS})
NUMERICAL_KINDS = COUNT_KINDS | DECIMAL_KINDS | {QuestionKind.OUTPUT_SIZE, QuestionKind.MISSING_HYPERPARAMETER}
_DIAGRAM_COLUMNS = 6  # glyphs per row: a diagram only as wide as its layers keeps small networks small


def escape(text: str) -> str:
    """``html.escape(text, quote=False)``; most texts have nothing to escape, and looking is cheaper than
    three replace calls (a class set escapes ~60,000 texts)."""
    if "&" in text or "<" in text or ">" in text:
        return html.escape(text, quote=False)
    return text


def _escape_quoted(text: str) -> str:
    """``html.escape(text)`` (quotes too), without five replace calls when there is nothing to escape."""
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return html.escape(text)
    return text


def text_in(texts: Mapping[str, str], lang: str) -> str:
    """The text in ``lang``, else English, else any: a bank may give only one language."""
    return texts.get(lang) or texts.get("en") or next(iter(texts.values()), "")


def solution_steps(question: Question, lang: str) -> tuple[str, ...]:
    return tuple(question.solution.get(lang) or question.solution.get("en") or ())


def explanation(mistake: MistakeValue, lang: str) -> str:
    return text_in(mistake.explanation, lang) or ", ".join(mistake.codes)


def accepted_values(question: Question) -> list[int] | list[float] | None:
    """The whole numbers an LMS numerical question accepts, or None when the answer is not numeric
    (a formula, a shape). A missing_hyperparameter answer lists every value that fits; a decimal
    kind's (memory, ratio) is its exact value (details.exact), accepted within `tolerance`: centred
    where `quizgen grade` centres it, not on the stated 4.1 of an exact 4.09976, so that 4.1049 is
    wrong in the LMS as in quizgen."""
    if question.kind not in NUMERICAL_KINDS:
        return None
    if question.kind in DECIMAL_KINDS:
        from ..grading.decimals import exact_value

        number = question.answer
        if not isinstance(number, (int, float)) or isinstance(number, bool):
            return None
        return [float(exact_value(number, question.details))]
    values = question.answer if isinstance(question.answer, list) else [question.answer]
    ok = bool(values) and all(isinstance(v, int) and not isinstance(v, bool) for v in values)
    return [int(v) for v in values] if ok else None


def tolerance(question: Question, value: int | float) -> int | float:
    """0 for exact counts; where the bank allows rounding, half a unit of the third significant digit
    (1,181,161 accepts 1,176,161..1,186,161, so 1.18M is right); for a decimal kind, half a unit of
    the last stated decimal (0.12 stated to 2 places accepts 0.115..0.125)."""
    if question.kind in DECIMAL_KINDS:
        return mistake_tolerance(question)
    if not question.details.get("allow_rounding"):
        return 0
    digits = len(str(abs(value)))
    return 5 * 10 ** (digits - 4) if digits > 3 else 0


def mistake_tolerance(question: Question) -> int | float:
    """How far from a stored mistake value a response still matches it (0 except for decimal kinds)."""
    if question.kind not in DECIMAL_KINDS:
        return 0
    decimals = question.details.get("decimals", 0)
    return 0.5 * 10.0**-decimals if isinstance(decimals, int) and not isinstance(decimals, bool) and 0 <= decimals <= 12 else 0


def number_text(value: float) -> str:
    """A number for an LMS file: no float noise (0.115, not 0.11499999999999999)."""
    if type(value) is int:  # what the rounding gives a whole number, without it: an export writes ~40,000 of them
        return str(value)
    rounded = round(value, 10)
    return str(int(rounded)) if rounded == int(rounded) else repr(rounded)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def value_text(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(value_text(v) for v in value) + ")"
    return str(value)


def shown_spec(question: Question, hidden: str = HIDDEN) -> dict[str, Any]:
    """The spec mapping as students see it: a missing_hyperparameter's argument replaced by ``hidden``."""
    return _shown(question, hidden, spec_to_mapping(question.spec))


def _shown(question: Question, hidden: str, mapping: dict[str, Any]) -> dict[str, Any]:
    """`shown_spec` from the spec's ``mapping``, which is left as it is."""
    spot = _hidden(question)
    if spot is not None:
        mapping = copy.deepcopy(mapping)
        item = mapping["layers"][spot[0]]
        kind = next(key for key in item if key not in RESERVED_ITEM_KEYS)  # graph items also carry name, inputs, ...
        item[kind] = kwargs = dict(item[kind] or {})
        kwargs[spot[1]] = hidden  # added even when the bank left it at its default: it is what is asked
    return mapping


def _fallback_code(mapping: Mapping[str, Any]) -> str:
    lines = [f"# {mapping.get('framework')}, input shape {value_text(mapping.get('input_shape'))}"]
    for layer in mapping.get("layers") or ():
        kind = next((key for key in layer if key not in RESERVED_ITEM_KEYS), f"shares {layer.get('shares')}")
        kwargs = layer.get(kind) or {}
        lines.append(f"{kind}(" + ", ".join(f"{k}={value_text(v) if not isinstance(v, str) else v}" for k, v in kwargs.items()) + ")")
    return "\n".join(lines)


def network_code(question: Question) -> str:
    """The network as Keras or PyTorch source code, the way the seed material shows it."""
    key = (id(question.spec), _hidden(question))
    found = _CODE.get(key)
    if found is None or found[0] is not question.spec:
        if len(_CODE) >= _MEMO_SIZE:
            _CODE.clear()
        found = _CODE[key] = (question.spec, _network_code(question))
    return found[1]


def _network_code(question: Question) -> str:
    from ..codeio import write_model_code

    mapping = _shown(question, _SENTINEL, _mapping(question.spec))
    try:
        code = write_model_code(mapping)
    except QuizgenError:  # a layer the code writer does not know yet: list the layers instead
        code = _fallback_code(shown_spec(question))
    if _SENTINEL in code:
        code = code.replace(f'"{_SENTINEL}"', HIDDEN).replace(f"'{_SENTINEL}'", HIDDEN).replace(_SENTINEL, HIDDEN)
    return code.rstrip("\n")


def _hidden(question: Question) -> tuple[int, str] | None:
    spot = question.details.get("hidden")
    if isinstance(spot, Mapping) and isinstance(spot.get("layer"), int) and isinstance(spot.get("arg"), str):
        return spot["layer"], spot["arg"]
    return None


# Memos of one run (an export draws each distinct network once): bounded, and the specs they hold keep
# their ids their own while there.
_MEMO_SIZE = 8192
_SPEC_JSON: dict[int, tuple[NetworkSpec, str]] = {}
_MAPPINGS: dict[int, tuple[NetworkSpec, dict[str, Any]]] = {}
_DRAWN: dict[tuple[str, tuple[int, str] | None, str], bytes | None] = {}
_SORTED_JSON = json.JSONEncoder(sort_keys=True).encode  # json.dumps(..., sort_keys=True) without a new encoder each time
_CODE: dict[tuple[int, tuple[int, str] | None], tuple[NetworkSpec, str]] = {}  # questions asking about one network


def _mapping(spec: NetworkSpec) -> dict[str, Any]:
    """``spec_to_mapping(spec)`` once per spec in a run, for what only reads it: the diagram's memo key and the
    code listing."""
    found = _MAPPINGS.get(id(spec))
    if found is None or found[0] is not spec:
        if len(_MAPPINGS) >= _MEMO_SIZE:
            _MAPPINGS.clear()
        found = _MAPPINGS[id(spec)] = (spec, spec_to_mapping(spec))
    return found[1]


def _spec_json(spec: NetworkSpec) -> str:
    found = _SPEC_JSON.get(id(spec))
    if found is None or found[0] is not spec:
        if len(_SPEC_JSON) >= _MEMO_SIZE:
            _SPEC_JSON.clear()
        found = _SPEC_JSON[id(spec)] = (spec, _SORTED_JSON(_mapping(spec)))
    return found[1]


def _solved(spec: NetworkSpec, spec_json: str) -> ModelSolution:
    """The network of a diagram, solved. The diagram has always been drawn from the spec read back from its
    sorted JSON; a chain read from a key (no file, no lines) differs from that only in the order of each
    layer's arguments, which no count, shape or drawing depends on: it is solved as it is, without reading
    it again (a class set has 2401 networks). Anything else, and any error, goes the way it always went."""
    from ..solver import solve
    from ..spec import parse_spec

    if not spec.is_graph and spec.source is None and all(layer.line is None for layer in spec.layers):
        try:
            return solve(spec)
        except Exception:  # noqa: S110 - solved again below, from its JSON, which raises what it always raised
            pass
    return solve(parse_spec(json.loads(spec_json)))


def _diagram(spec: NetworkSpec, hidden: tuple[int, str] | None, lang: str) -> bytes | None:
    # The worksheets' diagram (quizgen.render): every computed shape reads "?", the hidden
    # argument too, so it gives nothing away in any question kind.
    spec_json = _spec_json(spec)
    key = (spec_json, hidden, lang)
    if key in _DRAWN:
        return _DRAWN[key]
    from ..render.diagram import CELL_W, MARGIN
    from ..render.network import network_diagram

    model = _solved(spec, spec_json)
    width = 2 * MARGIN + CELL_W * min(_DIAGRAM_COLUMNS, len(model.layers) + 1)
    svg = network_diagram(model, hidden, input_label=w("diagram_input", lang), diagram_label=w("diagram_alt", lang),
                          font_family="DejaVu Sans, Noto Sans CJK SC, sans-serif", width=width)
    if len(_DRAWN) >= _MEMO_SIZE:
        _DRAWN.clear()
    drawn = _DRAWN[key] = None if svg is None else str(svg).encode()  # a network too large to draw has no diagram
    return drawn


def diagram_file(question: Question, lang: str) -> tuple[str, bytes] | None:
    """(file name, SVG bytes), or None for a network too large to draw; the name is derived from
    the content, so equal diagrams share it."""
    svg = _diagram(question.spec, _hidden(question), lang)
    if svg is None:
        return None
    return f"network-{hashlib.blake2b(svg, digest_size=6).hexdigest()}.svg", svg


def conventions(question: Question, lang: str) -> list[str]:
    notes = [t("keras_convention" if question.spec.framework.value == "keras" else "pytorch_convention", lang)]
    if question.kind in _COMPUTE_KINDS:
        notes.append(t("mac_convention", lang))
    return notes


def question_html(question: Question, lang: str, *, reference: str, image_src: str | None,
                  answer_html: str = "", notes: Sequence[str] = ()) -> str:
    """The full question text as HTML. ``answer_html`` (blanks, a table) goes after the network."""
    parts = [f"<p>{escape(text_in(question.prompt, lang))}</p>"]
    parts.extend(f"<p><em>{escape(note)}</em></p>" for note in notes)
    parts.append(f'<pre><code>{escape(network_code(question))}</code></pre>')
    if image_src is not None:
        parts.append(f'<p><img src="{_escape_quoted(image_src)}" alt="{_escape_quoted(w("diagram_alt", lang))}"></p>')
    parts.extend(f"<p><small>{escape(note)}</small></p>" for note in conventions(question, lang))
    if answer_html:
        parts.append(answer_html)
    parts.append(f'<p><small>{escape(w("reference", lang))}: [{escape(reference)}]</small></p>')
    return "\n".join(parts)


def solution_html(question: Question, lang: str, *, heading: bool = True) -> str:
    steps = "".join(f"<li>{escape(step)}</li>" for step in solution_steps(question, lang))
    head = f"<p><strong>{escape(w('worked_solution', lang))}</strong></p>" if heading else ""
    return f"{head}<ul>{steps}</ul>"


def cell_label(question: Question, cell: str, lang: str) -> str:
    """'1.params' -> 'conv2d_1 (Conv2D), Param #': which part of a multi-part answer a mistake is in."""
    row, _, what = cell.partition(".")
    rows = question.answer.get("rows") if isinstance(question.answer, Mapping) else None
    if row.isdigit() and isinstance(rows, list) and int(row) < len(rows):
        layer = rows[int(row)]
        return f"{layer.get('name')} ({layer.get('type')}), {t('output_shape' if what == 'shape' else 'params', lang)}"
    return t(cell, lang) if cell in ("total_params", "trainable_params", "non_trainable_params") else cell


def mistake_list_html(question: Question, lang: str, mistakes: Sequence[MistakeValue] | None = None) -> str:
    """Expected mistakes as one list, where a format cannot attach feedback to each wrong answer."""
    chosen = question.mistakes if mistakes is None else mistakes
    if not chosen:
        return ""
    items = []
    for m in chosen:
        where = f"{cell_label(question, m.cell, lang)}: " if m.cell else ""
        items.append(f"<li>{escape(where + explanation(m, lang))}</li>")
    return f"<p><strong>{escape(w('common_mistakes', lang))}</strong></p><ul>{''.join(items)}</ul>"
