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

from ._argv import read_plain

_VALUED = {"--seed": "seed", "--count": "count", "--format": "formats", "--out": "out", "--lang": "lang"}
_INT = re.compile(r"-?[0-9]+")


def _parse(args: list[str]) -> dict[str, str | list[str]] | None:
    read = read_plain(args, _VALUED)  # --help, --roster, --shard, --force, '--': the typer app's
    if read is None:
        return None
    options, banks = read
    seed, count = options.get("seed"), options.get("count")
    if not banks or seed is None or count is None or not options.get("out"):
        return None
    if not _INT.fullmatch(seed) or not _INT.fullmatch(count) or not 1 <= int(count) <= 100_000:
        return None
    found: dict[str, str | list[str]] = {**options, "banks": banks}
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
