"""Money exactly as typed, in its own currency: the one reader of amounts and currency codes.

Currencies are ISO 4217 codes (the ``iso4217`` package carries the official table with each
currency's minor units). An amount may have at most its currency's minor-unit digits (JPY 0,
USD 2, KWD 3): ``744.999 USD`` is refused, never rounded. ``12,50`` is refused as ambiguous;
``1,234.56`` is read only when its grouping is right. Amounts are ``Decimal``, never floats.
"""

from __future__ import annotations

import importlib.util
import os
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import ValidationError

MAX = Decimal(10) ** 12  # a trillion in any currency: more than any order a buyer disputes
HINT = "e.g. 1250.00 or 1,250.00"

_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?", re.ASCII)
# A stored amount that ``stored`` reads as ``Decimal(text)``, unchanged (no spaces, at most 12
# digits, so under MAX, at most 4 places, so nothing to drop): the light decoder (store.light)
# checks this in C and hands anything else to ``stored`` itself.
STORED_EXACT = r"^[0-9]{1,12}(?:\.[0-9]{1,4})?\Z"


# One entry of ISO's own XML table, as the iso4217 package ships it (table.xml): the code and its
# minor units, within one <CcyNtry>. "N.A." (gold, testing, "no currency") is not money a buyer is owed.
_ENTRY = re.compile(rb"<Ccy>([A-Z]{3})</Ccy>(?:(?!</CcyNtry>).)*?<CcyMnrUnts>([^<]*)</CcyMnrUnts>", re.S)


def _read_table() -> dict[str, int]:
    """Code -> minor units, read from the package's table.xml without importing the package:
    ``import iso4217`` parses that file with ElementTree and builds an Enum of every currency
    (31-35 ms and 1.5 MB of every process that shows an amount; this: 1.4 ms). The same file,
    so the same amendments; a package that no longer ships it (or one this reads nothing from)
    is asked through its own API instead. tests/store/test_inputs.py holds the two equal."""
    try:
        spec = importlib.util.find_spec("iso4217")
        where = spec.submodule_search_locations if spec is not None else None
        if where:
            with open(os.path.join(list(where)[0], "table.xml"), "rb") as fh:
                table = {code.decode(): int(units) for code, units in _ENTRY.findall(fh.read()) if units.isdigit()}
            if table:
                return table
    except (OSError, ValueError, ImportError):
        pass
    from iso4217 import Currency

    return {c.code: c.exponent for c in Currency if c.exponent is not None}


_TABLE: dict[str, int] = _read_table()  # built once, at import


def _table() -> dict[str, int]:
    return _TABLE


def currency(code: Any, what: str = "currency") -> str:
    """An ISO 4217 code in upper case (``usd`` -> ``USD``), or ValidationError."""
    if not isinstance(code, str):
        raise ValidationError(f"{what} must be a 3-letter ISO 4217 code like USD, not {type(code).__name__}")
    c = code.strip().upper()
    if c not in _table():
        shown = code if len(code) <= 20 else code[:20] + "…"
        raise ValidationError(f"unknown {what} {shown!r}: use an ISO 4217 code like USD, EUR, CNY, JPY")
    return c


def minor_units(code: str) -> int:
    """How many digits after the point the currency has: JPY 0, USD 2, KWD 3."""
    return _table()[currency(code)]


def _shown(value: Any) -> str:
    s = str(value)
    return s if len(s) <= 24 else s[:24] + "…"


def check(d: Decimal, cur: str | None, what: str = "amount", shown: Any = None) -> Decimal:
    """Bounds and minor units for an amount already read; returns it with no more digits than
    the currency has (trailing zeros beyond them dropped, nothing else)."""
    shown = _shown(d if shown is None else shown)
    if not d.is_finite():
        raise ValidationError(f"{what} is not a finite number: {shown}")
    if d < 0:
        raise ValidationError(f"{what} must not be negative: {shown}")
    if d > MAX:
        raise ValidationError(f"{what} {shown} is more than {MAX:,} (the most an amount may be)")
    # Without a currency: at most the most any currency has (4: CLF); the case's own is checked
    # by the validator before anything is saved.
    places = 4 if cur is None else minor_units(cur)
    exp = d.as_tuple().exponent
    if exp < -places:
        q = d.quantize(Decimal(1).scaleb(-places))
        if q != d:
            unit = "no decimals" if places == 0 else f"at most {places} decimal{'s' if places > 1 else ''}"
            if cur is None:
                raise ValidationError(f"{what} has too many decimal places: {shown}")
            raise ValidationError(f"{what} {shown} {cur}: {cur} amounts have {unit}; nothing is rounded")
        d = q
    return d


def amount(value: Any, cur: str | None = None, what: str = "amount") -> Decimal:
    """An amount from what a person typed (or a stored Decimal/int), exact.

    ``cur`` is the ISO 4217 code the amount is in; without it the minor units are not checked
    (the case validator checks them against the case's currency before anything is saved).
    """
    if isinstance(value, bool) or isinstance(value, float):
        raise ValidationError(f"{what} must be given as text like \"12.50\", not a {type(value).__name__}")
    if isinstance(value, Decimal):
        return check(value, cur, what)
    if isinstance(value, int):
        if not 0 <= value <= MAX:
            raise ValidationError(f"{what} {_shown(value)} is out of range (0 to {MAX:,})")
        return check(Decimal(value), cur, what)
    if not isinstance(value, str):
        raise ValidationError(f"{what} must be a number given as text, not {type(value).__name__}")
    text = value.strip()
    if not text:
        raise ValidationError(f"{what} is empty; {HINT}")
    if len(text) > 40:
        raise ValidationError(f"{what} is too long to be an amount: {_shown(text)}")
    if text[:1] == "-" and (_PLAIN.fullmatch(text[1:].strip()) or _GROUPED.fullmatch(text[1:].strip())):
        raise ValidationError(f"{what} must not be negative: {_shown(text)}")
    if _PLAIN.fullmatch(text):
        digits = text
    elif _GROUPED.fullmatch(text):
        digits = text.replace(",", "")
    elif re.fullmatch(r"[0-9]+,[0-9]{1,2}", text, re.ASCII):
        whole, frac = text.split(",")
        raise ValidationError(f"{what} {text!r} is ambiguous (decimal comma or thousands?): write "
                              f"{whole}.{frac} with a point, or {text.replace(',', '')} without the comma")
    elif "," in text and re.fullmatch(r"[0-9,]+(?:\.[0-9]+)?", text, re.ASCII):
        raise ValidationError(f"{what} {text!r}: commas group thousands in threes (1,234.56); {HINT}")
    else:
        raise ValidationError(f"{what} is not a number: {_shown(text)!r}; {HINT}")
    try:
        d = Decimal(digits)
    except InvalidOperation:  # pragma: no cover - the patterns above admit only digits
        raise ValidationError(f"{what} is not a number: {_shown(text)!r}") from None
    return check(d, cur, what, shown=text)


def stored(value: Any, cur: str | None, what: str = "amount") -> Decimal:
    """An amount as the database and export files keep it: a plain decimal string (or an int;
    a JSON number from an old plain-TinyDB file or a hand-made import is read by its shortest
    exact text, 19.99 as "19.99", and then must be a plain decimal too)."""
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, str) and not _PLAIN.fullmatch(value.strip()):
        raise ValidationError(f"{what} is not a plain decimal like \"12.50\": {_shown(value)!r}")
    return amount(value, cur, what)


def digits(amount: Decimal, cur: str | None) -> str:
    """``1,234.50`` for USD, ``5,000`` for JPY, ``1.234`` for KWD: grouped, with exactly the
    currency's minor units, so nothing stored is ever shown rounded (2 places when unknown)."""
    places = _TABLE.get(cur.strip().upper(), 2) if isinstance(cur, str) else 2
    if amount.as_tuple().exponent < -places and amount != amount.quantize(Decimal(1).scaleb(-places)):
        return f"{amount:,f}"  # more digits than the currency has, and not zeros: show them all
    return f"{amount:,.{places}f}"


__all__ = ["amount", "currency", "minor_units", "check", "stored", "digits", "MAX"]
