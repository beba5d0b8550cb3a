"""key.json's compact form (key_format 2): what repeats is stored once and referred to by index.

The full form (key_format 1, `exam.exam_to_json`, the contract of DESIGN.md) repeats for every
student the network spec, the worked steps and each mistake's explanation in both languages:
5 KB a question, 15 MB for 300 students × 10 questions. Nearly all of that is the same few
sentences with different numbers. The compact form keeps, beside the exam header:

- ``langs``: the languages of the texts, in the order the text references below use;
- ``texts``: every distinct sentence once, with ``{}`` where a number goes (literal braces
  doubled, as in Python's ``str.format``): ``"{} = {}·({}·{} + {}): you forgot ..."``;
- ``specs``: every distinct network spec once;
- ``mistake_forms``: every distinct (codes, cell, explanation sentences) of a mistake once;
- ``variants``: per student and question ``id``, ``template``, ``kind``, ``topic``, ``points``,
  ``layer``, ``answer``, ``details`` as in the full form, and

  * ``spec``: an index into ``specs``;
  * ``prompt`` and each step of ``solution``: a *text*, ``[[i, j], n1, n2, ...]`` — sentence
    ``texts[i]`` in the first language of ``langs`` and ``texts[j]`` in the second, with the
    numbers ``n1, n2, ...`` put in their ``{}`` — or, when the languages differ in their
    numbers or are not those of ``langs``, ``{"en": [i, n1, ...], "zh": [j, ...]}``
    (``solution`` then is ``{"en": [[i, n1, ...], ...], ...}`` when the languages differ in
    their number of steps);
  * ``mistakes``: ``[f, value, n1, n2, ...]`` — ``mistake_forms[f]`` with the numbers of its
    explanation sentences — or, as in the text case above, a full-form mistake object.

`compact_key` and `expand_key` convert between the two; ``expand_key(compact_key(full))`` is
``full`` exactly (tests/test_keyformat.py), and `exam.exam_from_json` reads both forms.
"""

from __future__ import annotations

__all__ = ["COMPACT_FORMAT", "CompactQuestions", "compact_exam", "compact_key", "expand_key", "read_compact"]

import dataclasses
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .errors import KeyFileError

if TYPE_CHECKING:
    from .exam import Exam, MistakeValue, Question, Variant
    from .spec import NetworkSpec

COMPACT_FORMAT = 2
# Whole decimal numbers standing alone as the product prints them: no sign, no leading zero, ASCII
# digits only, not part of a name like conv2d (a full-width １８２０７ or a 007 stays text, so every
# sentence comes back character for character).
_NUMBER = re.compile(r"(?<![0-9A-Za-z_])(0|[1-9][0-9]{0,29})(?![0-9A-Za-z_])")
# What a sentence may hold besides text: holes and doubled braces; no other format field.
_BRACES = re.compile(r"\{\{|\}\}|\{\}")


class _Pool:
    """Distinct values in first-seen order (same exam, same bytes), indexed."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self._index: dict[Any, int] = {}

    def find(self, key: Any) -> int | None:
        return self._index.get(key)

    def add(self, key: Any, item: Any) -> int:
        found = self._index.get(key)
        if found is None:
            found = self._index[key] = len(self.items)
            self.items.append(item)
        return found


def _split(text: str) -> tuple[str, list[int]]:
    if "{" in text or "}" in text:
        text = text.replace("{", "{{").replace("}", "}}")
    parts = _NUMBER.split(text)
    return "{}".join(parts[0::2]), list(map(int, parts[1::2]))


class _Writer:
    def __init__(self, langs: list[str]) -> None:
        self.langs = langs
        self.texts = _Pool()
        self.specs = _Pool()
        self.forms = _Pool()
        self._seen: dict[str, tuple[int, list[int]]] = {}  # sentences repeat across students

    def _sentence(self, text: str) -> tuple[int, list[int]]:
        found = self._seen.get(text)
        if found is None:
            skeleton, numbers = _split(text)
            found = self._seen[text] = (self.texts.add(skeleton, skeleton), numbers)
        return found

    def _shared(self, by_lang: Mapping[str, str]) -> tuple[list[int], list[int]] | None:
        """(sentence per language of `langs`, their common numbers), or None when they have none in common."""
        if list(by_lang) != self.langs:
            return None
        parts = [self._sentence(by_lang[lang]) for lang in self.langs]
        if any(numbers != parts[0][1] for _, numbers in parts):
            return None
        return [index for index, _ in parts], parts[0][1]

    def text(self, by_lang: Mapping[str, str]) -> Any:
        shared = self._shared(by_lang)
        if shared is not None:
            return [shared[0], *shared[1]]
        return {lang: [index, *numbers] for lang, (index, numbers) in ((k, self._sentence(v)) for k, v in by_lang.items())}

    def solution(self, steps: Mapping[str, Sequence[str]]) -> Any:
        counts = {len(s) for s in steps.values()}
        if list(steps) == self.langs and len(counts) == 1:
            return [self.text({lang: steps[lang][i] for lang in self.langs}) for i in range(counts.pop())]
        return {lang: [self.text({lang: step})[lang] for step in lang_steps] for lang, lang_steps in steps.items()}

    def mistake(self, item: Mapping[str, Any], lang: str) -> Any:
        explanation = {lang: item.get("explanation", ""), **dict(item.get("translations") or {})}
        ordered = {k: explanation[k] for k in self.langs if k in explanation}
        shared = self._shared(ordered) if len(ordered) == len(explanation) and set(item) <= _MISTAKE_FIELDS else None
        if shared is None or item.get("code") != (item.get("codes") or [None])[0]:
            return dict(item)
        form = {"codes": list(item["codes"]), "cell": item.get("cell", ""), "explanation": shared[0]}
        index = self.forms.add((tuple(form["codes"]), form["cell"], tuple(shared[0])), form)
        return [index, item["value"], *shared[1]]

    def mistake_value(self, m: MistakeValue, lang: str) -> Any:
        """``mistake(_mistake_to_json(m, lang), lang)``, without building the full-form object first
        (a class set has ~30,000 mistakes)."""
        own = m.explanation.get(lang)
        if own and m.codes:
            ordered = {k: m.explanation[k] for k in self.langs if k in m.explanation}
            shared = self._shared(ordered) if len(ordered) == len(m.explanation) else None
            if shared is not None:
                key = (tuple(m.codes), m.cell or "", tuple(shared[0]))
                index = self.forms.find(key)
                if index is None:
                    index = self.forms.add(key, {"codes": list(m.codes), "cell": m.cell or "", "explanation": shared[0]})
                return [index, m.value, *shared[1]]
        from .exam import _mistake_to_json

        return self.mistake(_mistake_to_json(m, lang), lang)

    def spec(self, spec: Mapping[str, Any]) -> int:
        return self.specs.add(json.dumps(spec, ensure_ascii=False, sort_keys=True), spec)


_MISTAKE_FIELDS = frozenset({"code", "codes", "value", "cell", "explanation", "translations"})
_QUESTION_FIELDS = ("id", "template", "kind", "topic", "points", "spec", "layer", "prompt", "answer", "solution", "details", "mistakes")


def _compact_document(header: Mapping[str, Any], writer: _Writer, variants: list[dict[str, Any]]) -> dict[str, Any]:
    """A compact key: the full form's other fields, then the shared tables the variants refer to."""
    return {
        **{k: v for k, v in header.items() if k not in ("key_format", "variants")},
        "key_format": COMPACT_FORMAT,
        "langs": writer.langs,
        "texts": writer.texts.items,
        "specs": writer.specs.items,
        "mistake_forms": writer.forms.items,
        "variants": variants,
    }


def compact_key(full: Mapping[str, Any]) -> dict[str, Any]:
    """The compact form of a full-form key (`exam.exam_to_json`)."""
    lang = str(full["exam"].get("lang", "en"))
    # The languages in the order the generator writes them (prompts and steps keep their order).
    first = next((q["prompt"] for v in full["variants"] for q in v["questions"] if q.get("prompt")), {lang: ""})
    writer = _Writer(list(first))
    variants = []
    for variant in full["variants"]:
        questions = []
        for q in variant["questions"]:
            item = {k: q[k] for k in _QUESTION_FIELDS if k in q}
            item["spec"] = writer.spec(q["spec"])
            item["prompt"] = writer.text(q["prompt"])
            item["solution"] = writer.solution(q["solution"])
            item["mistakes"] = [writer.mistake(m, lang) for m in q["mistakes"]]
            questions.append(item)
        variants.append({**{k: v for k, v in variant.items() if k != "questions"}, "questions": questions})
    return _compact_document(full, writer, variants)


def compact_exam(exam: Exam) -> dict[str, Any]:
    """``compact_key(exam_to_json(exam))``, without building the full form first.

    Students who drew the same variant share its question objects, and a network drawn for
    several repeats of a template shares its spec, steps and mistakes (quizgen.generate): each
    shared object is encoded once, by identity (the exam keeps them all alive meanwhile).
    """
    from .exam import exam_to_json
    from .spec import spec_to_mapping

    # The header (title, instructions, total points, ...) exactly as the full form has it.
    header = exam_to_json(dataclasses.replace(exam, variants=exam.variants[:1]))
    first = next((q.prompt for v in exam.variants for q in v.questions if q.prompt), {exam.lang: ""})
    writer = _Writer(list(first))
    done: dict[int, Any] = {}

    def once(obj: object, encode: Callable[[], Any]) -> Any:
        found = done.get(id(obj))
        if found is None:
            found = done[id(obj)] = encode()
        return found

    variants = []
    for variant in exam.variants:
        questions = []
        for q in variant.questions:
            questions.append({
                "id": q.id, "template": q.template, "kind": q.kind.value, "topic": q.topic, "points": q.points,
                "spec": once(q.spec, lambda q=q: writer.spec(spec_to_mapping(q.spec))),  # type: ignore[misc]
                "layer": q.layer,
                "prompt": once(q.prompt, lambda q=q: writer.text(dict(q.prompt))),  # type: ignore[misc]
                "answer": q.answer,
                "solution": once(q.solution, lambda q=q: writer.solution({k: list(v) for k, v in q.solution.items()})),  # type: ignore[misc]
                "details": dict(q.details),
                "mistakes": once(q.mistakes, lambda q=q: [writer.mistake_value(m, exam.lang) for m in q.mistakes]),  # type: ignore[misc]
            })
        variants.append({"student_id": variant.student_id, "student_name": variant.student_name,
                         **({"student_email": variant.student_email} if variant.student_email else {}), "code": variant.code,
                         "questions": questions})
    return _compact_document(header, writer, variants)


_Form = tuple[int, tuple[tuple[Any, ...], Any], str, tuple[tuple[str, str], ...]]


class _Reader:
    def __init__(self, data: Mapping[str, Any]) -> None:
        self.langs = _list(data, "langs")
        # Sentences are filled with str.format, so one may hold nothing but text, {} and doubled braces.
        self.texts = [t if isinstance(t, str) and "{" not in _BRACES.sub("", t) and "}" not in _BRACES.sub("", t) else None
                      for t in _list(data, "texts")]
        self.holes = [0 if t is None else sum(m[0] == "{}" for m in _BRACES.finditer(t)) for t in self.texts]
        self.specs = _list(data, "specs")
        self.forms = _list(data, "mistake_forms")
        self._forms: dict[int, _Form | None] = {}

    def _template(self, index: Any, count: int, where: str) -> str:
        """texts[index], which must have `count` holes (str.format then fills them: no other field can be in it)."""
        if type(index) is not int or not 0 <= index < len(self.texts):
            raise KeyFileError(f"{where}: {index!r} is not an index into texts")
        text = self.texts[index]
        if text is None:
            raise KeyFileError(f"{where}: texts[{index}] must be a string of text, {{}} and doubled braces")
        if self.holes[index] != count:
            raise KeyFileError(f"{where}: texts[{index}] takes {self.holes[index]} numbers, got {count}")
        return text

    def sentence(self, ref: Any, where: str) -> str:
        if not isinstance(ref, list) or not ref:
            raise KeyFileError(f"{where}: not a text reference [index, numbers...]")
        return self._template(ref[0], len(ref) - 1, where).format(*ref[1:])

    def _filled(self, indexes: Any, numbers: Sequence[Any], where: str) -> dict[str, str]:
        if not isinstance(indexes, list) or len(indexes) != len(self.langs):
            raise KeyFileError(f"{where}: not a text reference [[index per language], numbers...]")
        return {lang: self._template(i, len(numbers), where).format(*numbers) for lang, i in zip(self.langs, indexes, strict=True)}

    def text(self, ref: Any, where: str) -> dict[str, str]:
        if isinstance(ref, Mapping):
            return {str(lang): self.sentence(r, f"{where} ({lang})") for lang, r in ref.items()}
        if not isinstance(ref, list) or not ref:
            raise KeyFileError(f"{where}: not a text reference [[index per language], numbers...]")
        return self._filled(ref[0], ref[1:], where)

    def solution(self, ref: Any, where: str) -> dict[str, list[str]]:
        if isinstance(ref, Mapping):
            return {str(lang): [self.sentence(s, f"{where} ({lang}) step {i + 1}") for i, s in enumerate(_seq(steps, where))]
                    for lang, steps in ref.items()}
        steps = [self.text(s, f"{where} step {i + 1}") for i, s in enumerate(_seq(ref, where))]
        return {lang: [step[lang] for step in steps] for lang in self.langs}

    def mistake(self, ref: Any, lang: str, where: str) -> dict[str, Any]:
        if type(ref) is list and len(ref) >= 2 and type(ref[0]) is int and 0 <= ref[0] < len(self.forms):
            if ref[0] not in self._forms:
                self._forms[ref[0]] = self._form(ref[0], lang)
            form = self._forms[ref[0]]
            if form is not None and len(ref) - 2 == form[0]:
                # The common case, checked once per form rather than once per mistake (a class set has ~30,000).
                codes, cell = form[1]
                item: dict[str, Any] = {"code": codes[0], "codes": list(codes), "value": ref[1]}
                if cell:
                    item["cell"] = cell
                numbers = ref[2:]
                item["explanation"] = form[2].format(*numbers)
                if form[3]:
                    item["translations"] = {other: template.format(*numbers) for other, template in form[3]}
                return item
        if isinstance(ref, Mapping):
            return dict(ref)
        if not isinstance(ref, list) or len(ref) < 2 or not isinstance(ref[0], int) or not 0 <= ref[0] < len(self.forms):
            raise KeyFileError(f"{where}: not a mistake reference [form, value, numbers...]")
        form = self.forms[ref[0]]
        if not isinstance(form, Mapping) or not isinstance(form.get("codes"), list) or not form["codes"]:
            raise KeyFileError(f"{where}: mistake_forms[{ref[0]}] needs codes")
        texts = self._filled(form.get("explanation"), ref[2:], where)
        item = {"code": form["codes"][0], "codes": list(form["codes"]), "value": ref[1]}
        if form.get("cell"):
            item["cell"] = form["cell"]
        item["explanation"] = texts.pop(lang, "")
        if texts:
            item["translations"] = texts
        return item

    def _form(self, index: int, lang: str) -> _Form | None:
        """mistake_forms[index] checked once: (numbers it takes, its fixed fields, the sentence in ``lang``,
        the other languages' sentences), or None when anything is off (`mistake` then says what)."""
        form = self.forms[index]
        if not isinstance(form, Mapping) or not isinstance(form.get("codes"), list) or not form["codes"]:
            return None
        indexes = form.get("explanation")
        if not isinstance(indexes, list) or len(indexes) != len(self.langs):
            return None
        if any(type(i) is not int or not 0 <= i < len(self.texts) or self.texts[i] is None for i in indexes):
            return None
        holes = {self.holes[i] for i in indexes}
        if len(holes) != 1:
            return None
        fixed = (tuple(form["codes"]), form.get("cell"))
        sentences = {other: str(self.texts[i]) for other, i in zip(self.langs, indexes, strict=True)}
        own = sentences.pop(lang, None)
        if own is None:
            return None  # the exam's language has no sentence of its own here: the general way handles it
        return holes.pop(), fixed, own, tuple(sentences.items())


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise KeyFileError(f"key_format {COMPACT_FORMAT}: field {key!r} must be a list")
    return value


def _seq(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise KeyFileError(f"{where}: must be a list")
    return value


def expand_key(data: Mapping[str, Any]) -> dict[str, Any]:
    """The full form (key_format 1) of a compact key; a full-form key is returned as it is."""
    if data.get("key_format") != COMPACT_FORMAT:
        return dict(data)
    reader = _Reader(data)
    meta = data.get("exam")
    lang = str(meta.get("lang", "en")) if isinstance(meta, Mapping) else "en"
    variants = []
    for i, variant in enumerate(_list(data, "variants")):
        where = f"variant {i + 1}"
        if not isinstance(variant, Mapping):
            raise KeyFileError(f"{where}: must be an object")
        questions = []
        for j, q in enumerate(_seq(variant.get("questions"), f"{where} questions")):
            at = f"{where} ({variant.get('student_id')}) question {j + 1}"
            if not isinstance(q, Mapping):
                raise KeyFileError(f"{at}: a question must be an object")
            spec = q.get("spec")
            if not isinstance(spec, int) or not 0 <= spec < len(reader.specs):
                raise KeyFileError(f"{at}: spec must be an index into specs")
            item = dict(q)
            item["spec"] = reader.specs[spec]
            item["prompt"] = reader.text(q.get("prompt"), f"{at} prompt")
            item["solution"] = reader.solution(q.get("solution"), f"{at} solution")
            item["mistakes"] = [reader.mistake(m, lang, f"{at} mistake {k + 1}") for k, m in enumerate(_seq(q.get("mistakes", []), at))]
            questions.append({k: item[k] for k in (*_QUESTION_FIELDS, *item) if k in item})
        variants.append({**variant, "questions": questions})
    full: dict[str, Any] = {"quizgen_version": data.get("quizgen_version", ""), "key_format": 1, "exam": meta}
    full.update((k, v) for k, v in data.items() if k not in {*full, "langs", "texts", "specs", "mistake_forms", "variants"})
    full["variants"] = variants
    return full


def read_compact(data: Mapping[str, Any]) -> Exam | None:
    """``exam_from_json(expand_key(data))`` for a compact key, without building its full form first: the
    questions are made straight from the references (issue 15: loading a 3000-question class set took 0.39 s,
    half of it expanding). None when anything is amiss, or merely unusual: `exam.exam_from_json` then reads
    the key the general way, which names the problem (the same message as ever, for any key)."""
    try:
        return _read_compact(data)
    except Exception:  # whatever it is, the general reader reports it (or reads what this one would not)
        return None


def _read_compact(data: Mapping[str, Any]) -> Exam:
    from .exam import exam_from_parts

    key = CompactQuestions(data)
    variants = tuple(key.variant(i, tuple(key.question(i, j) for j in range(len(v["questions"]))))
                     for i, v in enumerate(key.variants))
    return exam_from_parts(data, key.meta, variants)


class CompactQuestions:
    """A compact key read one question at a time: `question` makes variant ``i``'s question ``j`` as
    `read_compact` makes every question, so an export can make each question in the process that writes it
    (issue 15). Raises on anything amiss or merely unusual (not always a KeyFileError): the caller then reads
    the key the general way, which names the problem."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        from .exam import MistakeValue, QuestionKind, mistake_from_json, question_from_parts
        from .spec import parse_spec

        # (looked up once: a class set has 3000 questions and 30,000 mistakes)
        self._kind, self._parts, self._parse = QuestionKind, question_from_parts, parse_spec
        self._mistake_value, self._mistake_from_json = MistakeValue, mistake_from_json
        self._reader = _Reader(data)
        meta = data["exam"]
        if not isinstance(meta, Mapping):
            raise TypeError("exam")
        self.meta: Mapping[str, Any] = meta
        self.lang = str(meta.get("lang", "en"))
        variants = data["variants"]
        if not isinstance(variants, list):
            raise TypeError("variants")
        self.variants: list[Any] = variants
        self._specs: dict[int, NetworkSpec] = {}
        self._forms: dict[int, tuple[int, tuple[Any, ...], str, str, tuple[tuple[str, str], ...]] | None] = {}

    def _mistake(self, ref: Any, where: str) -> MistakeValue:
        reader, forms, lang = self._reader, self._forms, self.lang
        if type(ref) is list and len(ref) >= 2 and type(ref[0]) is int and 0 <= ref[0] < len(reader.forms):
            if ref[0] not in forms:
                form = reader._form(ref[0], lang)
                forms[ref[0]] = None if form is None else (
                    form[0], tuple(form[1][0]), str(form[1][1]) if form[1][1] else "", form[2], form[3])
            found = forms[ref[0]]
            if found is not None and len(ref) - 2 == found[0]:
                numbers = ref[2:]
                explanation = {lang: found[3].format(*numbers)}
                for other, template in found[4]:
                    explanation[other] = template.format(*numbers)
                return self._mistake_value(found[1], ref[1], explanation, found[2])
        return self._mistake_from_json(reader.mistake(ref, lang, where), lang, where)

    def spec(self, index: Any) -> NetworkSpec:
        """``specs[index]``, read once."""
        spec = self._specs.get(index)
        if spec is None:
            specs = self._reader.specs
            if type(index) is not int or not 0 <= index < len(specs) or not isinstance(specs[index], Mapping):
                raise TypeError("spec")
            spec = self._specs[index] = self._parse(specs[index], source=None)
        return spec

    def prompt(self, q: Mapping[str, Any]) -> dict[str, str]:
        """The prompt of a question of ``variants`` (as `question` reads it)."""
        return self._reader.text(q["prompt"], "prompt")

    def student_id(self, i: int) -> str:
        sid = self.variants[i]["student_id"]
        if not isinstance(sid, str):
            raise TypeError("student_id")
        return sid

    def question(self, i: int, j: int) -> Question:
        reader = self._reader
        q = self.variants[i]["questions"][j]
        at = f"variant {i + 1} ({self.student_id(i)}) question {j + 1}"
        if not isinstance(q["kind"], str) or not isinstance(q["mistakes"], list):
            raise TypeError("kind")
        kind = self._kind(q["kind"])
        spec = self.spec(q["spec"])
        prompt = reader.text(q["prompt"], at)
        solution = {lang: tuple(steps) for lang, steps in reader.solution(q["solution"], at).items()}
        mistakes = tuple([self._mistake(m, at) for m in q["mistakes"]])
        return self._parts(q, at, kind, spec, mistakes, lambda: (prompt, solution))

    def variant(self, i: int, questions: tuple[Question, ...]) -> Variant:
        from .exam import variant_from_json

        return variant_from_json(self.variants[i], self.student_id(i), questions)
