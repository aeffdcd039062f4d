"""User text is data, never markup, and never reaches the terminal raw.

Supplier names, titles, messages and file paths come from other people. Everything the board
draws from them goes through ``clean`` (control characters, bidi overrides and other Unicode
category C characters replaced by visible stand-ins) and is measured in terminal cells
(``rich.cells``), so CJK names and emoji keep the columns aligned. ``clean`` itself lives in
``store.textsafe``: the board, the text commands, JSON and CSV apply one rule.
"""

from __future__ import annotations

from decimal import Decimal

from rich.cells import cell_len, set_cell_size

from store.money import digits
from store.textsafe import clean

ELLIPSIS = "…"
__all__ = ["clean", "fit", "crop", "money", "compact_money", "ELLIPSIS"]


def fit(text: str, width: int) -> str:
    """Exactly ``width`` cells: cropped with an ellipsis, or padded with spaces."""
    if width <= 0:
        return ""
    if text.isascii() and text.isprintable():  # one cell a character: no per-character walk
        return text[: width - 1] + ELLIPSIS if len(text) > width else text.ljust(width)
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + ELLIPSIS
    return set_cell_size(text, width)


def crop(text: str, width: int) -> str:
    """At most ``width`` cells (ellipsis when cropped), not padded."""
    if width <= 0:
        return ""
    if text.isascii() and text.isprintable():
        return text[: width - 1] + ELLIPSIS if len(text) > width else text
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


def file_size(n: float) -> str:
    """A file's size as the detail shows it: 512 B, 1.5 KB, 2.0 MB, 3.1 GB."""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"
