"""A plain `quizgen generate BANK... --seed N --count K --format F --out DIR [--lang L]` without building the CLI.

The typer app imports every command's module and builds every command's parameters (through
pydantic) before it runs one: about 0.1 s of a 300-student class set. This reads only these
options, in their common spellings, and calls the generate command's own function, which prints
and exits as it does under typer. Anything else — `--help`, a roster, PDFs, `--shard`, `--force`,
a value typer would refuse — goes to the typer app, and so does a usage error the command finds
before it writes anything (the app then says it in its usual form).
"""

from __future__ import annotations

__all__ = ["fast_generate"]

import re
import sys
from pathlib import Path

_VALUED = {"--seed": "seed", "--count": "count", "--format": "formats", "--out": "out", "--lang": "lang"}
_INT = re.compile(r"-?[0-9]+")


def _parse(args: list[str]) -> dict[str, str | list[str]] | None:
    found: dict[str, str | list[str]] = {}
    banks: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in _VALUED:
            if not eq:
                if i + 1 >= len(args) or args[i + 1].startswith("-"):
                    return None
                i += 1
                value = args[i]
            if _VALUED[name] in found:
                return None
            found[_VALUED[name]] = value
        elif arg.startswith("-"):
            return None  # --help, --roster, --shard, --force, '--', anything this module does not read
        else:
            banks.append(arg)
        i += 1
    seed, count = found.get("seed"), found.get("count")
    if not banks or not isinstance(seed, str) or not isinstance(count, str) or not found.get("out"):
        return None
    if not _INT.fullmatch(seed) or not _INT.fullmatch(count) or not 1 <= int(count) <= 100_000:
        return None
    found["banks"] = banks
    return found


def fast_generate(args: list[str]) -> bool:
    """Generate if these are the arguments of a plain generate; False when the typer app must run."""
    found = _parse(args)
    if found is None or "pdf" in str(found.get("formats", "key")):  # PDFs: the app's progress bar and font checks
        return False
    import typer

    from .generate import generate_command

    try:
        generate_command(banks=list(found["banks"]), seed=int(str(found["seed"])), out=Path(str(found["out"])),
                         count=int(str(found["count"])), lang=str(found.get("lang", "en")), formats=str(found.get("formats", "key")))
    except typer.BadParameter:
        return False  # raised before anything is written: the app says it as a usage error
    except typer.Exit as done:
        sys.stdout.flush()
        raise SystemExit(done.exit_code) from None
    sys.stdout.flush()
    return True
