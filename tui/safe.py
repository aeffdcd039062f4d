"""User text is data, never markup, and never reaches the terminal raw.

Supplier names, titles, messages and file paths come from other people. Everything the board
draws from them goes through ``clean`` (control characters, bidi overrides and other Unicode
category C characters replaced by visible stand-ins) and is measured in terminal cells
(``rich.cells``), so CJK names and emoji keep the columns aligned.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from rich.cells import cell_len, set_cell_size

from store.money import digits

ELLIPSIS = "…"


def _stand_in(ch: str) -> str:
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # Control Pictures: ESC shows as ␛, BEL as ␇
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def clean(text: object, *, multiline: bool = False) -> str:
    """``text`` with every Unicode category C character (controls, format characters such as
    bidi overrides and zero-width joiners, surrogates, private use, unassigned) replaced by a
    visible stand-in. With ``multiline`` newlines are kept; tabs always become a space."""
    s = "" if text is None else str(text)
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


def fit(text: str, width: int) -> str:
    """Exactly ``width`` cells: cropped with an ellipsis, or padded with spaces."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + ELLIPSIS
    return set_cell_size(text, width)


def crop(text: str, width: int) -> str:
    """At most ``width`` cells (ellipsis when cropped), not padded."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + ELLIPSIS
    return text


def money(amount: Decimal | None, currency: str = "") -> str:
    if amount is None:
        return "-"
    s = digits(amount, currency)  # the currency's own minor units: JPY 0, USD 2, KWD 3
    return f"{s} {clean(currency)}".strip()


def compact_money(amount: Decimal) -> str:
    """``1.23M``, ``45.6k``, ``980``: for column headers."""
    a = float(amount)
    for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= size:
            v = a / size
            return f"{v:.3g}{unit}" if v < 100 else f"{v:.0f}{unit}"
    return f"{a:.0f}"
