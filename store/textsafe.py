"""User text never reaches a terminal raw: one rule for every output (board, text, JSON, CSV).

Supplier names, titles, messages, tags and file paths come from other people. Three kinds of
character in them can act on a terminal instead of being shown: C0 controls (ESC starts every
escape sequence: ``ESC ]52`` writes the viewer's clipboard, ``ESC ]8`` plants links, ``ESC [2J``
clears the screen), C1 controls (U+0080-U+009F: U+009B is a one-character CSI, U+009D an OSC,
for terminals that honour 8-bit controls) and the invisible format characters (bidi overrides
and isolates U+202A-U+202E, U+2066-U+2069, zero-width characters, tag characters), which make a
line read differently from what it holds.

- ``clean(text)``: for human-readable output. Every such character (Unicode category C, line and
  paragraph separators) becomes a visible stand-in (ESC shows as ␛, others as �); newlines are
  kept only with ``multiline``; tabs become a space.
- ``json_escape(data)``: for JSON. The same characters become ``\\uXXXX`` escapes. That is still
  the same JSON value (``json.loads`` gives back the exact string), so JSON is escaped always,
  to a terminal or to a file, and an export round-trips byte-exact through import.

The stored data keeps every character exactly; only what is written out is escaped.
"""

from __future__ import annotations

import re
import unicodedata

# Unicode categories Cc, Cf, Zl, Zp and Cs (Unicode 14.0, Python 3.11), as ranges. A test checks
# that every such character this Python knows is covered, so a newer Unicode cannot slip past.
UNSAFE_RANGES = (
    (0x0000, 0x001F), (0x007F, 0x009F), (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C),
    (0x06DD, 0x06DD), (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E),
    (0x200B, 0x200F), (0x2028, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F), (0xD800, 0xDFFF),
    (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)


def _utf8_patterns(ranges) -> tuple[tuple[bytes, ...], re.Pattern[bytes]]:
    """For the UTF-8 encoding of any character in ``ranges`` (surrogates cannot occur in
    UTF-8): the first bytes such a character can start with, and a pattern for the whole
    character. Working on bytes keeps a 40 MB export fast: each first byte is found with
    ``bytes.find`` (memchr), and the full pattern runs only where a candidate starts."""
    groups: dict[bytes, set[int]] = {}
    for a, b in ranges:
        for c in range(a, b + 1):
            if not 0xD800 <= c <= 0xDFFF:
                e = chr(c).encode("utf-8")
                groups.setdefault(e[:-1], set()).add(e[-1])

    def byte_class(values) -> bytes:
        return b"[" + b"".join(re.escape(bytes([v])) for v in sorted(values)) + b"]"

    leads = sorted({k[0] for k in groups if k} | groups.get(b"", set()))
    full = b"|".join(re.escape(k) + byte_class(v) for k, v in groups.items())
    return tuple(bytes([b]) for b in leads), re.compile(full)


# In JSON, C0 is escaped by the encoder already (JSON requires it); the rest is ours.
_JSON_LEADS, _JSON_UNSAFE = _utf8_patterns([(max(a, 0x7F), b) for a, b in UNSAFE_RANGES if b >= 0x7F])


def _u(ch: str) -> bytes:
    code = ord(ch)
    if code <= 0xFFFF:
        return b"\\u%04x" % code
    code -= 0x10000
    return b"\\u%04x\\u%04x" % (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF))


def json_escape(data: bytes) -> bytes:
    """UTF-8 JSON with every unsafe character written as a ``\\uXXXX`` escape (same value)."""
    starts = []
    for lead in _JSON_LEADS:
        i = data.find(lead)
        while i != -1:
            starts.append(i)
            i = data.find(lead, i + 1)
    out: list[bytes] = []
    done = 0
    for pos in sorted(starts):
        if pos < done:
            continue
        m = _JSON_UNSAFE.match(data, pos)
        if m:
            out.append(data[done:pos])
            out.append(_u(m.group().decode("utf-8")))
            done = m.end()
    if not out:
        return data
    out.append(data[done:])
    return b"".join(out)


def _stand_in(ch: str) -> str:
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # Control Pictures: ESC shows as ␛, BEL as ␇
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def _clean_line(s: str, multiline: bool) -> str:
    if s.isprintable():
        return s
    out = []
    for ch in s:
        if ch == " " or ch.isprintable():
            out.append(ch)
        elif ch == "\t":
            out.append(" ")
        elif ch == "\n" and multiline:
            out.append("\n")
        elif ch in "\r\n" and not multiline:
            out.append(" ")
        elif unicodedata.category(ch)[0] in "CZ":  # C*, and Zl/Zp line/paragraph separators
            out.append(_stand_in(ch))
        else:
            out.append(ch)
    return "".join(out)


def clean(text: object, *, multiline: bool = False) -> str:
    """``text`` with every Unicode category C character (controls, format characters such as
    bidi overrides and zero-width joiners, surrogates, private use, unassigned) replaced by a
    visible stand-in. With ``multiline`` newlines are kept; tabs always become a space."""
    s = "" if text is None else str(text)
    if s.isprintable():
        return s
    if multiline and "\n" in s:
        return "\n".join(_clean_line(part, True) for part in s.split("\n"))
    return _clean_line(s, multiline)


__all__ = ["clean", "json_escape", "UNSAFE_RANGES"]
