"""Exams as immutable values, and their JSON form: key.json (the contract in DESIGN.md).

One `Exam` is built once and fed to every output (worksheets, answer keys, LMS exports);
the grader reads it back from key.json. A question stores its complete network spec, the
correct answer, the worked solution and the value of every likely mistake, so grading is a
lookup and never needs the bank again.
"""

from __future__ import annotations

__all__ = [
    "COUNT_KINDS",
    "DECIMAL_KINDS",
    "FAMILY_KINDS",
    "KEY_FORMAT",
    "Exam",
    "MistakeValue",
    "Question",
    "QuestionKind",
    "Variant",
    "exam_from_json",
    "exam_from_key_data",
    "exam_to_json",
    "load_key",
    "read_key_data",
    "write_key",
]

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from .errors import KeyFileError, Location, QuizgenError
from .spec import NetworkSpec, parse_spec, spec_to_mapping

KEY_FORMAT = 1  # the full per-question form (exam_to_json); bump when it changes incompatibly
# key.json is written in the compact form (quizgen/keyformat.py, key_format 2); both forms are read,
# any other version is refused.


class QuestionKind(StrEnum):
    PARAMS = "params"
    TRAINABLE_PARAMS = "trainable_params"
    NON_TRAINABLE_PARAMS = "non_trainable_params"
    TOTAL_PARAMS = "total_params"
    OUTPUT_SHAPE = "output_shape"
    OUTPUT_SIZE = "output_size"
    MACS = "macs"
    FLOPS = "flops"
    SUMMARY = "summary"
    MISSING_HYPERPARAMETER = "missing_hyperparameter"
    FORMULA = "formula"
    CHOICE = "choice"
    RECEPTIVE_FIELD = "receptive_field"
    MEMORY = "memory"
    TRAINING_FLOPS = "training_flops"
    RATIO = "ratio"


# Kinds whose answer is one whole number (graded exactly, optionally with rounding allowed).
COUNT_KINDS = frozenset({
    QuestionKind.PARAMS, QuestionKind.TRAINABLE_PARAMS, QuestionKind.NON_TRAINABLE_PARAMS,
    QuestionKind.TOTAL_PARAMS, QuestionKind.OUTPUT_SIZE, QuestionKind.MACS, QuestionKind.FLOPS,
    QuestionKind.RECEPTIVE_FIELD, QuestionKind.TRAINING_FLOPS,
})
# Kinds whose answer is a decimal stated to ``details.decimals`` places; ``details.exact`` is the exact
# fraction, and a response within half a unit of the last stated place of it is right.
DECIMAL_KINDS = frozenset({QuestionKind.MEMORY, QuestionKind.RATIO})
# The question families beyond counts and shapes (built by quizgen.questions.families).
FAMILY_KINDS = frozenset({QuestionKind.RECEPTIVE_FIELD, QuestionKind.MEMORY, QuestionKind.TRAINING_FLOPS, QuestionKind.RATIO})


@dataclass(frozen=True, slots=True)
class MistakeValue:
    """A wrong answer quizgen expects, with the misconception(s) that produce it.

    ``codes`` lists every catalogue code (or ``a+b`` pair) giving this value, most likely
    first; ``cell`` names the part of a multi-part answer it belongs to ("" for the whole).
    """

    codes: tuple[str, ...]
    value: Any
    explanation: Mapping[str, str]  # lang -> text quoting the numbers and the right derivation
    cell: str = ""

    @property
    def code(self) -> str:
        return self.codes[0]


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    template: str
    kind: QuestionKind
    points: float
    spec: NetworkSpec
    layer: int | None  # index into spec.layers; None for whole-model questions
    prompt: Mapping[str, str]  # lang -> text
    answer: Any  # int | list[int|None] | list of rows | str (formula) | int (choice index) | list[int] (accepted values)
    mistakes: tuple[MistakeValue, ...]
    solution: Mapping[str, tuple[str, ...]]  # lang -> worked steps
    topic: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)  # kind-specific: options, axis, unknown, symbols, rounding


@dataclass(frozen=True, slots=True)
class Variant:
    student_id: str
    student_name: str
    code: str  # short variant code printed on every page
    questions: tuple[Question, ...]
    student_email: str = ""  # from the roster's email column; key.json has it only when given


@dataclass(frozen=True, slots=True)
class Exam:
    title: str
    course: str
    lang: str
    seed: int
    banks: tuple[str, ...]
    instructions: Mapping[str, str]
    variants: tuple[Variant, ...]
    quizgen_version: str = ""
    # The title in every language the banks give ({} when --title gave one for all): a key made in
    # Chinese still renders with the banks' English title.
    titles: Mapping[str, str] = field(default_factory=dict)

    def in_language(self, lang: str) -> Exam:
        """This exam to be shown in ``lang``: its title in that language when the banks have one."""
        return replace(self, lang=lang, title=self.titles.get(lang) or self.title)

    @property
    def total_points(self) -> float:
        return sum(q.points for q in self.variants[0].questions) if self.variants else 0.0


def _question_to_json(q: Question, lang: str) -> dict[str, Any]:
    return {
        "id": q.id,
        "template": q.template,
        "kind": q.kind.value,
        "topic": q.topic,
        "points": q.points,
        "spec": spec_to_mapping(q.spec),
        "layer": q.layer,
        "prompt": dict(q.prompt),
        "answer": q.answer,
        "solution": {lang: list(steps) for lang, steps in q.solution.items()},
        "details": dict(q.details),
        "mistakes": [_mistake_to_json(m, lang) for m in q.mistakes],
    }


def _mistake_to_json(m: MistakeValue, lang: str) -> dict[str, Any]:
    """`explanation` is in the exam's language; `translations` holds the other languages."""
    item: dict[str, Any] = {"code": m.code, "codes": list(m.codes), "value": m.value}
    if m.cell:
        item["cell"] = m.cell
    item["explanation"] = m.explanation.get(lang) or next(iter(m.explanation.values()), "")
    others = {k: v for k, v in m.explanation.items() if k != lang}
    if others:
        item["translations"] = others
    return item


def exam_to_json(exam: Exam) -> dict[str, Any]:
    return {
        "quizgen_version": exam.quizgen_version,
        "key_format": KEY_FORMAT,
        "exam": {
            "title": exam.title,
            **({"titles": dict(exam.titles)} if exam.titles else {}),
            "course": exam.course,
            "lang": exam.lang,
            "seed": exam.seed,
            "banks": list(exam.banks),
            "instructions": dict(exam.instructions),
            "total_points": exam.total_points,
        },
        "variants": [
            {"student_id": v.student_id, "student_name": v.student_name,
             **({"student_email": v.student_email} if v.student_email else {}), "code": v.code,
             "questions": [_question_to_json(q, exam.lang) for q in v.questions]}
            for v in exam.variants
        ],
    }


def _require(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in data:
        raise KeyFileError(f"{where}: missing field {key!r}")
    value = data[key]
    if not isinstance(value, kind):
        raise KeyFileError(f"{where}: field {key!r} has the wrong type ({type(value).__name__})")
    return value


def _question_from_json(data: Any, where: str, lang: str, specs: dict[int, NetworkSpec]) -> Question:
    if not isinstance(data, Mapping):
        raise KeyFileError(f"{where}: a question must be an object")
    try:
        kind = QuestionKind(_require(data, "kind", str, where))
    except ValueError:
        raise KeyFileError(f"{where}: unknown question kind {data.get('kind')!r}") from None
    mapping = _require(data, "spec", Mapping, where)
    # A compact key's questions share one spec object per distinct network: parse each once.
    spec = specs.get(id(mapping))
    if spec is None:
        try:
            spec = specs[id(mapping)] = parse_spec(mapping, source=None)
        except QuizgenError as error:
            raise KeyFileError(f"{where}: spec: {error}") from None
    mistakes = tuple(mistake_from_json(m, lang, f"{where} mistake {i + 1}") for i, m in enumerate(data.get("mistakes", [])))
    return question_from_parts(data, where, kind, spec, mistakes, lambda: (
        dict(data.get("prompt", {})), {lang: tuple(steps) for lang, steps in dict(data.get("solution", {})).items()}))


def mistake_from_json(m: Any, lang: str, where: str) -> MistakeValue:
    """A full-form mistake object (key_format 1); ``lang`` is the exam's, which ``explanation`` is in."""
    if not isinstance(m, Mapping) or "value" not in m or "code" not in m:
        raise KeyFileError(f"{where}: needs code and value")
    explanations = {lang: str(m.get("explanation", "")), **dict(m.get("translations") or {})}
    return MistakeValue(tuple(m.get("codes") or [m["code"]]), m["value"], dict(explanations), str(m.get("cell", "")))


def question_from_parts(data: Mapping[str, Any], where: str, kind: QuestionKind, spec: NetworkSpec,
                        mistakes: tuple[MistakeValue, ...],
                        texts: Callable[[], tuple[dict[str, str], dict[str, tuple[str, ...]]]]) -> Question:
    """A question of key.json from its fields, its mistakes already read; ``texts`` gives (prompt, solution)
    (in either key form)."""
    layer = data.get("layer")
    if layer is not None and (not isinstance(layer, int) or not 0 <= layer < len(spec.layers)):
        raise KeyFileError(f"{where}: layer {layer!r} is not an index into the spec's {len(spec.layers)} layers")
    qid = _require(data, "id", str, where)
    template = str(data.get("template", data["id"]))
    points = float(_require(data, "points", (int, float), where))
    prompt, solution = texts()
    return Question(
        id=qid,
        template=template,
        kind=kind,
        points=points,
        spec=spec,
        layer=layer,
        prompt=prompt,
        answer=data.get("answer"),
        mistakes=mistakes,
        solution=solution,
        topic=str(data.get("topic", "")),
        details=dict(data.get("details", {})),
    )


def _titles(value: Any, where: str) -> dict[str, str]:
    """``exam.titles``: absent in keys written before it existed (the title then serves every language)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise KeyFileError(f"{where}: field 'titles' must map languages to titles")
    return dict(value)


def exam_from_json(data: Any) -> Exam:
    if not isinstance(data, Mapping):
        raise KeyFileError("key.json must hold a JSON object")
    from .keyformat import COMPACT_FORMAT, expand_key, read_compact

    version = data.get("key_format", KEY_FORMAT)
    if version not in (KEY_FORMAT, COMPACT_FORMAT):
        raise KeyFileError(f"key_format {version} is not supported by this quizgen (reads {KEY_FORMAT} and {COMPACT_FORMAT}); "
                           "regenerate the key")
    if version == COMPACT_FORMAT:
        exam = read_compact(data)  # None when anything is amiss: read below, which names the problem
        if exam is not None:
            return exam
    data = expand_key(data)
    meta = _require(data, "exam", Mapping, "key")
    specs: dict[int, NetworkSpec] = {}
    variants = []
    for i, v in enumerate(_require(data, "variants", list, "key")):
        where = f"variant {i + 1}"
        if not isinstance(v, Mapping):
            raise KeyFileError(f"{where}: must be an object")
        sid = _require(v, "student_id", str, where)
        questions = tuple(_question_from_json(q, f"{where} ({sid}) question {j + 1}", str(meta.get("lang", "en")), specs)
                          for j, q in enumerate(_require(v, "questions", list, where)))
        variants.append(variant_from_json(v, sid, questions))
    return exam_from_parts(data, meta, tuple(variants))


def variant_from_json(v: Mapping[str, Any], sid: str, questions: tuple[Question, ...]) -> Variant:
    return Variant(sid, str(v.get("student_name", "")), str(v.get("code", "")), questions, str(v.get("student_email", "")))


def exam_from_parts(data: Mapping[str, Any], meta: Mapping[str, Any], variants: tuple[Variant, ...]) -> Exam:
    """The exam of key.json (in either form), its variants already read."""
    return Exam(
        title=str(meta.get("title", "")),
        course=str(meta.get("course", "")),
        lang=str(meta.get("lang", "en")),
        seed=int(meta.get("seed", 0)),
        banks=tuple(meta.get("banks", ())),
        instructions=dict(meta.get("instructions", {})),
        variants=variants,
        quizgen_version=str(data.get("quizgen_version", "")),
        titles=_titles(meta.get("titles"), "key exam"),
    )


def write_key(exam: Exam, path: Path) -> None:
    """Write key.json atomically in the compact form (quizgen/keyformat.py), stable formatting (same exam, same bytes)."""
    from .atomic import write_text_atomic
    from .keyformat import compact_exam

    # Compact separators: keys for large classes run to megabytes; `quizgen key` or any JSON viewer indents.
    write_text_atomic(path, json.dumps(compact_exam(exam), ensure_ascii=False, separators=(",", ":")) + "\n")


def load_key(path: str | Path) -> Exam:
    return exam_from_key_data(read_key_data(path), path)


def read_key_data(path: str | Path, *, for_export: bool = False) -> Any:
    """key.json's JSON, not yet read as an exam (`exam_from_key_data`); errors name the file. ``for_export``
    refuses a character no exported file can carry (`controlchars`; only a hand-edited key has one)."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise KeyFileError("no such file", Location(file=source)) from None
    except NotADirectoryError:
        raise KeyFileError("a part of this path is a file, not a folder", Location(file=source)) from None
    except OSError as error:
        raise KeyFileError(f"cannot read: {error.strerror or error}", Location(file=source)) from None
    except UnicodeDecodeError as error:
        raise KeyFileError(f"cannot read: {error}", Location(file=source)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise KeyFileError(f"invalid JSON: {error.msg}", Location(file=source, line=error.lineno, column=error.colno)) from None
    except RecursionError:  # a key quizgen wrote nests a dozen levels; thousands is a damaged or hostile file
        raise KeyFileError("invalid JSON: nested too deeply", Location(file=source)) from None
    if for_export:
        from .controlchars import escaped_control_character

        unsafe = escaped_control_character(text)
        if unsafe is not None:
            raise KeyFileError(unsafe[2], Location(file=source, line=unsafe[0], column=unsafe[1]))
    return data


def exam_from_key_data(data: Any, path: str | Path) -> Exam:
    """The exam of key.json's JSON (`read_key_data`); errors name the file."""
    try:
        return exam_from_json(data)
    except KeyFileError as error:
        raise error.located(file=str(path)) from None
    except RecursionError:
        raise KeyFileError("a spec in the key is nested too deeply", Location(file=str(path))) from None
