"""`quizgen --version` and a plain `quizgen solve SPEC [options]` without the CLI framework.

Scripts call solve once per network, so its start-up is most of its time; importing typer (and
the pydantic it coerces arguments with) would cost more than the solve itself. This module
reads the solve options of `cli/solve.py` but the repeatable `--arg`, in their common spellings, and hands
anything else — `--help`, an unknown option, a value typer would refuse, a spec on standard
input, and any error to report — back to the typer command, which then does the whole job
and prints its usual messages. It must never import typer, the grading, rendering or export
packages (tests/test_startup.py checks).
"""

from __future__ import annotations

__all__ = ["run_fast", "shape_from_text", "solve_text"]

import json
import sys
from collections.abc import Callable

from ..errors import QuizgenError
from ..i18n import Lang
from ._argv import read_plain

_FORMATS = ("table", "json", "markdown")
_VALUED = {"--format": "format", "-f": "format", "--lang": "lang", "--input-shape": "input_shape", "--depth": "depth",
           "--model": "model"}


def shape_from_text(text: str) -> tuple[int | None, ...] | None:
    """'3,32,32' or '[3, 32, 32]' -> (3, 32, 32); 'None'/'null' for unknown sizes; None if not a shape."""
    cleaned = text.strip().strip("[]()")
    dims: list[int | None] = []
    for part in cleaned.replace("x", ",").split(","):
        part = part.strip()
        if part.lower() in {"none", "null", "?"}:
            dims.append(None)
        elif part.isdigit() and int(part) > 0:
            dims.append(int(part))
        else:
            return None
    return tuple(dims)


def solve_text(spec: str, format: str, lang: Lang, explain: bool, input_shape: tuple[int | None, ...] | None,
               depth: int | None, *, model: str | None = None, model_args: dict[str, str] | None = None,
               show_notes: Callable[[list[str]], None] = lambda notes: None) -> str:
    """What `quizgen solve` prints, to the last newline; the code reader's notes go to show_notes once the spec is read."""
    from ..solver import solve
    from ..spec import load_spec
    from ..summary import format_markdown, format_table, solution_to_json

    notes: list[str] = []
    loaded = load_spec(spec, input_shape=input_shape, model_name=model, model_args=model_args, notes=notes)
    show_notes(notes)
    solution = solve(loaded)
    if depth is None and solution.spec.framework.value == "pytorch" and any(layer.within for layer in solution.layers):
        depth = 3
    if format == "json":
        return json.dumps(solution_to_json(solution, lang), ensure_ascii=False, indent=2) + "\n"
    if format == "markdown":
        return format_markdown(solution, lang, explain=explain, depth=depth)
    return format_table(solution, lang, explain=explain, depth=depth) + "\n"


def _parse_solve(args: list[str]) -> dict[str, str] | None:
    """Option name -> raw value ('' for --explain), or None when typer should read these arguments."""
    read = read_plain(args, _VALUED, {"--explain": "explain"}, double_dash=True)
    if read is None or len(read[1]) != 1:
        return None
    found, (spec,) = read
    return {**found, "spec": spec}


def _fast_solve(args: list[str]) -> bool:
    found = _parse_solve(args)
    if found is None or found.get("format", "table") not in _FORMATS or found.get("lang", "en") not in {x.value for x in Lang}:
        return False
    depth = found.get("depth")
    if depth is not None and not (depth.isdigit() and int(depth) >= 1):
        return False
    shape = None
    if "input_shape" in found:
        shape = shape_from_text(found["input_shape"])
        if shape is None:
            return False
    notes: list[str] = []
    try:
        text = solve_text(found["spec"], found.get("format", "table"), Lang(found.get("lang", "en")), "explain" in found, shape,
                          None if depth is None else int(depth), model=found.get("model"), show_notes=notes.extend)
    except (QuizgenError, OSError):
        return False  # the typer command solves again and reports the error (and the notes) its usual way
    sys.stderr.write("".join(f"note: {note}\n" for note in notes))  # as cli/_common.print_notes
    sys.stdout.write(text)
    sys.stdout.flush()
    return True


def run_fast(argv: list[str]) -> bool:
    """Run the command if this module can; False when the typer app must."""
    if argv == ["--version"]:
        from .. import __version__

        sys.stdout.write(f"quizgen {__version__}\n")
        return True
    if argv[:1] == ["solve"]:
        return _fast_solve(argv[1:])
    if argv[:1] == ["export"]:
        from ._fast_export import fast_export

        return fast_export(argv[1:])
    if argv[:1] == ["generate"]:
        from ._fast_generate import fast_generate

        return fast_generate(argv[1:])
    return False
