"""User text is data: never markup, never terminal control codes.

Supplier names, titles and messages come from other people. Everything shown on screen or
printed by the command line passes through ``clean`` first, which replaces every control
character (Unicode category C: C0/C1 controls such as ESC and BEL, bidi overrides, other
format characters) with a visible stand-in, so an ``ESC[2J`` or an OSC 52 clipboard write in a
message prints as harmless text. Widgets then build ``Text``/``Content`` from it, never markup.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from rich.cells import cell_len

_KEEP = {"\n", "\t"}


@lru_cache(maxsize=4096)
def _stand_in(ch: str) -> str:
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ESC -> ␛, BEL -> ␇
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def clean(text: str, *, newlines: bool = False) -> str:
    """Replace control and format characters; keep newlines only when asked."""
    if text.isprintable() and (newlines or "\n" not in text):
        return text
    out = []
    for ch in text:
        if ch in _KEEP and newlines:
            out.append(ch)
        elif ch == "\t":
            out.append(" ")
        elif ch == "\n":
            out.append(" ")
        elif unicodedata.category(ch)[0] == "C" or ch in ("\u2028", "\u2029"):
            out.append(_stand_in(ch))
        else:
            out.append(ch)
    return "".join(out)


def fit(text: str, width: int) -> str:
    """Cut to ``width`` terminal cells (CJK and emoji count as two), padding to exactly width."""
    text = clean(text)
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text + " " * (width - cell_len(text))
    out, used = [], 0
    for ch in text:
        w = cell_len(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…" + " " * (width - 1 - used)
