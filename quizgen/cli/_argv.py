"""Reading a plain command line without the CLI framework, for the fast paths (`_fast*.py`).

Only the common spellings are read: `--name value`, `--name=value`, the flags given, and
positional arguments. Anything else — an unknown option, `--help`, a repeated option, an option
whose value is missing or looks like another option — makes the reader give up (None), and the
typer command then reads the whole line and says what is wrong in its usual way.
"""

from __future__ import annotations

__all__ = ["read_plain"]

from collections.abc import Mapping


def read_plain(args: list[str], valued: Mapping[str, str], flags: Mapping[str, str] | None = None,
               *, double_dash: bool = False) -> tuple[dict[str, str], list[str]] | None:
    """(option key -> value, '' for a flag; positional arguments), or None when typer should read `args`.

    `valued` and `flags` map each spelling to its key; with `double_dash`, every argument after `--` is
    positional (a file named like an option)."""
    flags = flags or {}
    found: dict[str, str] = {}
    positional: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in valued:
            if not eq:
                if i + 1 >= len(args) or args[i + 1].startswith("-"):
                    return None
                i += 1
                value = args[i]
            if valued[name] in found:
                return None
            found[valued[name]] = value
        elif arg in flags:
            found[flags[arg]] = ""
        elif arg == "--" and double_dash:
            positional += args[i + 1:]
            break
        elif arg.startswith("-"):
            return None  # '-' (standard input), --help, and options the fast path does not read
        else:
            positional.append(arg)
        i += 1
    return found, positional
