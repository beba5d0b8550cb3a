"""Characters no exported file can carry: XML 1.0 (Moodle XML, Canvas QTI) forbids the C0 control
characters other than tab, line feed and carriage return, lone surrogates and U+FFFE/U+FFFF. A bank,
spec or roster holding one would give an LMS file it refuses to import, so they are refused where read.
"""

from __future__ import annotations

__all__ = ["control_character", "escaped_control_character"]

import re

_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def control_character(text: str) -> str | None:
    """A description of the first character of ``text`` no exported file can carry (None when there is none)."""
    found = _UNSAFE.search(text)
    if found is None:
        return None
    return (f"the text {text[:40]!r} holds the control character U+{ord(found.group()):04X}, which Moodle XML and QTI "
            "cannot carry; remove it")


# In JSON such a character can only be written escaped (a raw one is invalid JSON): \u0000-\u001f, a
# surrogate, \ufffe, \uffff. Tab, line feed and carriage return are allowed; so is a surrogate pair.
_ESCAPED = re.compile(r"\\u(?:00[01][0-9a-fA-F]|[dD][89a-fA-F][0-9a-fA-F]{2}|[fF]{3}[eEfF])")
_ALLOWED = frozenset({0x09, 0x0A, 0x0D})


def _escaped_at(text: str, start: int) -> int | None:
    """The code of a \\uXXXX escape at ``start`` (None when the backslash is itself escaped)."""
    backslashes = 0
    while start - backslashes - 1 >= 0 and text[start - backslashes - 1] == "\\":
        backslashes += 1
    return None if backslashes % 2 else int(text[start + 2:start + 6], 16)


def escaped_control_character(json_text: str) -> tuple[int, int, str] | None:
    """(line, column, description) of the first character in a JSON document's strings that no exported
    file can carry, written as an escape (``\\u000b``), or None. A key quizgen writes has none: its banks,
    specs and rosters refuse them; a hand-edited key may."""
    for found in _ESCAPED.finditer(json_text):
        start = found.start()
        code = _escaped_at(json_text, start)
        if code is None or code in _ALLOWED:
            continue
        if 0xD800 <= code <= 0xDBFF:  # a high surrogate is fine followed by a low one
            following = json_text[start + 6:start + 12]
            if (following[:2] == "\\u" and _escaped_at(json_text, start + 6) is not None
                    and 0xDC00 <= int(following[2:] or "0", 16) <= 0xDFFF):
                continue
        elif 0xDC00 <= code <= 0xDFFF:  # a low surrogate is fine after a high one
            before = json_text[max(0, start - 6):start]
            if before[:2] == "\\u" and _escaped_at(json_text, start - 6) is not None and 0xD800 <= int(before[2:], 16) <= 0xDBFF:
                continue
        line = json_text.count("\n", 0, start) + 1
        column = start - (json_text.rfind("\n", 0, start) + 1) + 1
        what = ("a lone surrogate" if 0xD800 <= code <= 0xDFFF else "the noncharacter" if code > 0xFFFD
                else "the control character")
        return line, column, (f"a string holds {what} U+{code:04X} (written {found.group()}), which Moodle XML and QTI "
                              "cannot carry; remove it")
    return None
