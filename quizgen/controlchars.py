"""Characters no exported file can carry: XML 1.0 (Moodle XML, Canvas QTI) forbids the C0 control
characters other than tab, line feed and carriage return, lone surrogates and U+FFFE/U+FFFF. A bank,
spec or roster holding one would give an LMS file it refuses to import, so they are refused where read.
"""

from __future__ import annotations

__all__ = ["control_character"]

import re

_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def control_character(text: str) -> str | None:
    """A description of the first character of ``text`` no exported file can carry (None when there is none)."""
    found = _UNSAFE.search(text)
    if found is None:
        return None
    return (f"the text {text[:40]!r} holds the control character U+{ord(found.group()):04X}, which Moodle XML and QTI "
            "cannot carry; remove it")
