"""Orders in: cases from CSV files other tools (and the board itself) write.

(Over 500 lines as one thing: the three readers share the reading of hostile CSV, the cell
rules for dates, money and text, and the one way a row is refused; split by reader, each would
need those rules from the others, and a rule fixed in one would be missed in another.)

Three readers, each turning rows into case dicts (the stored shape) that go through
``export.cases_from_dicts``, the one path every import takes to become cases:

- ``board_rows``: the board's own CSV export read back (``export.CSV_COLUMNS``); the
  formula guard (a leading ``'``) is undone.
- ``paypal_rows``: a PayPal activity download (Date, Time, TimeZone, Name, Type, Status,
  Currency, Gross, Transaction ID, ...): chosen transactions become cases on the PayPal
  profile, paid on the transaction's date, the transaction ID as the order number.
- ``mapped_rows``: any other export, given which column holds what (``order=Order No.,...``).

(Over 500 lines: the three readers share the cell readers, locale amounts, date orders and
zones, which make up half of the file; the next importer is the moment to split it into a
package of one module per source plus ``cells``.)

Everything here refuses with one ValidationError naming the file, row and column; nothing is
written by this module. ``plan`` drops what the database already holds (same platform and
order number, or same platform reference) so importing a file twice adds nothing.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .clocks import clocks, next_deadline
from .config import Config
from . import money
from .errors import ValidationError
from .export import CSV_COLUMNS, cases_from_dicts
from .model import (PLATFORMS, REASONS, RESOLUTIONS, STAGES, Case, Deadline, case_id, case_number, choice,
                    iso)

MAX_BYTES = 200 * 1024 * 1024
MAX_ROWS = 200_000
MAX_LINE = 300  # order numbers, names, references: one line
MAX_TEXT = 20_000  # titles, descriptions
MAX_INT_DIGITS = 13  # amounts below ten trillion: anything longer is a broken cell, not an order
DATE_ORDERS = ("DMY", "MDY", "YMD")
GUARDED = ("=", "+", "-", "@", "\t", "\r")  # export._cell prefixes these with "'"


# -- reading the file ---------------------------------------------------------------------------
@dataclass
class Sheet:
    name: str
    header: list[str]
    rows: list[list[str]]  # each padded to the header's width

    def col(self, wanted: str) -> int | None:
        key = _norm(wanted)
        for i, h in enumerate(self.header):
            if _norm(h) == key:
                return i
        return None

    def where(self, i: int, column: int | None = None) -> str:
        # Rows as a spreadsheet numbers them: the header is row 1.
        c = f", column {self.header[column]!r}" if column is not None else ""
        return f"{self.name}: row {i + 2}{c}"


def _norm(h: str) -> str:
    return " ".join(h.replace("\ufeff", "").strip().lower().split())


def read_csv(blob: bytes, name: str) -> Sheet:
    """A CSV file as a header and rows: UTF-8 (a BOM is fine), read with the csv module."""
    if len(blob) > MAX_BYTES:
        raise ValidationError(f"{name}: larger than {MAX_BYTES // (1024 * 1024)} MB; split it")
    try:
        text = blob.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{name}: not UTF-8 text (byte {exc.start}); save it as CSV UTF-8") from None
    if "\x00" in text:
        raise ValidationError(f"{name}: holds NUL bytes; not a CSV text file")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        table = [r for r in reader if any(cell.strip() for cell in r)]
    except csv.Error as exc:
        raise ValidationError(f"{name}: line {reader.line_num}: not readable as CSV ({exc})") from None
    if not table:
        raise ValidationError(f"{name}: empty: no header row")
    header = [h.strip() for h in table[0]]
    if len(table) - 1 > MAX_ROWS:
        raise ValidationError(f"{name}: more than {MAX_ROWS} rows; split it")
    rows = []
    for i, r in enumerate(table[1:]):
        if len(r) > len(header) and any(c.strip() for c in r[len(header):]):
            raise ValidationError(f"{name}: row {i + 2}: {len(r)} cells but the header has {len(header)}")
        rows.append((r + [""] * len(header))[: len(header)])
    return Sheet(name, header, rows)


# -- cells ----------------------------------------------------------------------------------------
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def text(value: str, where: str, *, multiline: bool = False, limit: int = MAX_LINE) -> str:
    """A cell as user text: control characters (escape codes, bidi overrides) refuse the file."""
    v = value.strip()
    for ch in v:
        if ch in _BIDI or (unicodedata.category(ch) == "Cc" and not (multiline and ch in "\n\t")):
            raise ValidationError(f"{where}: holds a control character (U+{ord(ch):04X}); "
                                  f"nothing imported")
    if len(v) > limit:
        raise ValidationError(f"{where}: longer than {limit} characters")
    return v


def unguard(value: str) -> str:
    """Undo the board export's formula guard: ``'=SUM(A1)`` was ``=SUM(A1)``."""
    return value[1:] if value[:1] == "'" and value[1:2] in GUARDED else value


_AMOUNT_RE = re.compile(r"^\d+$")


def decimal_mark(cells: list[str]) -> str | None:
    """The file's decimal separator, from the amounts that show it ("1.234,56", "12,5"); None
    when no amount tells (then a lone separator before exactly three digits groups thousands)."""
    seen = set()
    for raw in cells:
        v = re.sub(r"[\s\u00a0\u202f'’]", "", raw).lstrip("+-−(").rstrip(")")
        dots, commas = v.count("."), v.count(",")
        if dots and commas:
            seen.add("." if v.rfind(".") > v.rfind(",") else ",")
        elif dots == 1 or commas == 1:
            sep = "." if dots else ","
            tail = v.rsplit(sep, 1)[1]
            if len(tail) != 3:
                seen.add(sep)
    if len(seen) > 1:
        raise ValidationError("amounts mix decimal commas and decimal points; nothing imported")
    return seen.pop() if seen else None


def amount(value: str, where: str, mark: str | None) -> tuple[Decimal, bool]:
    """``(abs amount, negative)`` from a locale form: 1.234,56  1,234.56  -1 234,56  (12.50)."""
    v = re.sub(r"[\s\u00a0\u202f'’]", "", value)
    neg = v.startswith(("-", "−")) or (v.startswith("(") and v.endswith(")"))
    v = v.lstrip("+-−(").rstrip(")")
    if not v:
        raise ValidationError(f"{where}: no amount")
    dots, commas = v.count("."), v.count(",")
    if mark is None:
        if dots and commas:
            mark = "." if v.rfind(".") > v.rfind(",") else ","
        elif dots + commas == 1:
            sep = "." if dots else ","
            # "12,50" is a decimal comma; "1,234" groups thousands (money has two decimals)
            mark = sep if len(v.rsplit(sep, 1)[1]) != 3 else ("," if sep == "." else ".")
        else:
            mark = "," if dots > 1 else "."
    group = "," if mark == "." else "."
    whole, _, frac = v.partition(mark)
    if mark in frac or not re.fullmatch(r"\d{1,3}(?:" + re.escape(group) + r"\d{3})*|\d+", whole) \
            or (frac and not frac.isdigit()):
        raise ValidationError(f"{where}: not an amount: {value.strip()!r}")
    digits = whole.replace(group, "")
    if len(digits.lstrip("0")) > MAX_INT_DIGITS:
        raise ValidationError(f"{where}: amount too large: {value.strip()[:40]!r}")
    if len(frac) > 4:
        raise ValidationError(f"{where}: amount has too many decimal places: {value.strip()!r}")
    try:
        d = Decimal(f"{digits}.{frac}" if frac else digits)
    except InvalidOperation:
        raise ValidationError(f"{where}: not an amount: {value.strip()!r}") from None
    return d, neg


def other_reading(value: str, mark: str | None) -> Decimal | None:
    """When ``amount`` read ``value`` by the three-digit rule (no mark known, one separator
    before exactly three digits: thousands), the amount it would be with that separator as the
    decimal mark; else None."""
    if mark is not None:
        return None
    v = re.sub(r"[\s\u00a0\u202f'’]", "", value).lstrip("+-−(").rstrip(")")
    if v.count(".") + v.count(",") != 1:
        return None
    whole, _, frac = v.replace(",", ".").partition(".")
    if len(frac) != 3 or not whole.isdigit() or not frac.isdigit():
        return None
    return Decimal(f"{whole}.{frac}")


def check_reading(value: str, read: Decimal, mark: str | None, currency: str, where: str) -> None:
    """Refuse an amount that is money read both ways: "10.125" where the currency has three
    decimals (KWD, BHD, OMR...) is 10.125 or 10,125, and nothing in the file says which.
    Where the currency has fewer, only the thousands reading is an amount in it."""
    other = other_reading(value, mark)
    if other is None:
        return
    try:
        places = money.minor_units(currency)
    except ValidationError:
        return  # an unknown currency: the validator says so, for the row
    if places >= 3:
        raise ValidationError(f"{where}: {value.strip()!r} {currency} can be {other} or {read}: no amount in the "
                              "file shows its decimal mark; say which with --decimal-mark . (or ,); nothing imported")


def plain_amount(value: str, where: str) -> Decimal | None:
    """The board's own amounts: ``1250.10``, or empty."""
    v = value.strip()
    if not v:
        return None
    if not re.fullmatch(r"\d{1,13}(\.\d{1,4})?", v):
        raise ValidationError(f"{where}: not an amount: {v[:40]!r}")
    return Decimal(v)


_DATE_RE = re.compile(
    r"^(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})"
    r"(?:[T ,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp][Mm])?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$")


def _ymd(parts: tuple[str, str, str], order: str) -> tuple[int, int, int] | None:
    a, b, c = parts
    if order == "YMD":
        if len(a) != 4:
            return None
        y, m, d = int(a), int(b), int(c)
    else:
        if len(c) not in (2, 4):
            return None
        y = int(c) + (2000 if len(c) == 2 else 0)
        d, m = (int(a), int(b)) if order == "DMY" else (int(b), int(a))
    try:
        datetime(y, m, d)
    except ValueError:
        return None
    return y, m, d


def date_order(cells: list[tuple[str, str]], given: str | None, name: str) -> str:
    """The one date order every date in the file is read in: ``given``, else what the dates
    themselves allow (``31/01/2026`` can only be DMY). Ambiguous and not given: refuse."""
    possible = set(DATE_ORDERS) if given is None else {given}
    for where, v in cells:
        m = _DATE_RE.match(v.strip())
        if not m:
            raise ValidationError(f"{where}: not a date: {v.strip()[:40]!r}; nothing imported")
        fits = {o for o in DATE_ORDERS if _ymd(m.group(1, 2, 3), o)}
        if not fits:
            raise ValidationError(f"{where}: not a date: {v.strip()[:40]!r}; nothing imported")
        if given is not None and given not in fits:
            raise ValidationError(f"{where}: {v.strip()!r} is not a {given} date; nothing imported")
        possible &= fits
        if not possible:
            raise ValidationError(f"{name}: dates are written in more than one order (see {where}); "
                                  f"nothing imported")
    if len(possible) > 1:
        raise ValidationError(f"{name}: cannot tell the date order from the dates alone; give "
                              f"--date-order {'|'.join(o for o in DATE_ORDERS if o in possible)}")
    return possible.pop() if possible else (given or "YMD")


_ABBREV = {"UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "BST": 60, "IST": 60, "CET": 60, "CEST": 120,
           "MET": 60, "MEST": 120, "EET": 120, "EEST": 180, "MSK": 180,
           "PST": -480, "PDT": -420, "MST": -420, "MDT": -360, "CST": -360, "CDT": -300,
           "EST": -300, "EDT": -240, "AKST": -540, "AKDT": -480, "HST": -600,
           "HKT": 480, "SGT": 480, "AWST": 480, "JST": 540, "KST": 540, "AEST": 600, "AEDT": 660,
           "NZST": 720, "NZDT": 780}


def zone(value: str, where: str):
    """A time zone cell: an IANA name (Europe/Berlin), an offset (GMT+01:00, +0800) or one of the
    abbreviations PayPal writes (PST, PDT, CET, CEST, ...; CST is US Central)."""
    v = value.strip()
    if not v:
        return None
    m = re.fullmatch(r"(?:GMT|UTC)?\s*([+-])(\d{1,2})(?::?(\d{2}))?", v, re.IGNORECASE)
    if m:
        minutes = int(m.group(2)) * 60 + int(m.group(3) or 0)
        if minutes > 14 * 60:
            raise ValidationError(f"{where}: not a time zone: {v[:40]!r}")
        return timezone(timedelta(minutes=minutes if m.group(1) == "+" else -minutes))
    if v.upper() in _ABBREV:
        return timezone(timedelta(minutes=_ABBREV[v.upper()]))
    if re.fullmatch(r"[A-Za-z]+(?:/[A-Za-z0-9_+-]+){1,2}", v):
        try:
            return ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    raise ValidationError(f"{where}: unknown time zone {v[:40]!r} (an IANA name like Europe/Berlin, "
                          f"an offset like GMT+01:00, or PST/PDT/CET/...)")


def instant(value: str, where: str, order: str, tzinfo, time_text: str = "") -> datetime:
    """A date cell (and optionally a separate time cell) as an aware UTC instant."""
    m = _DATE_RE.match(value.strip())
    ymd = _ymd(m.group(1, 2, 3), order) if m else None
    if ymd is None:
        raise ValidationError(f"{where}: not a {order} date: {value.strip()[:40]!r}; nothing imported")
    hh, mm, ss, ampm, off = m.group(4), m.group(5), m.group(6), m.group(7), m.group(8)
    if time_text.strip() and hh is None:
        t = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?", time_text.strip())
        if not t:
            raise ValidationError(f"{where}: not a time: {time_text.strip()[:40]!r}; nothing imported")
        hh, mm, ss, ampm = t.groups()
    h, mi, s = int(hh or 0), int(mm or 0), int(ss or 0)
    if ampm:
        if not 1 <= h <= 12:
            raise ValidationError(f"{where}: not a time: {h}:{mi:02d} {ampm}")
        h = h % 12 + (12 if ampm.lower() == "pm" else 0)
    try:
        dt = datetime(*ymd, h, mi, s)
    except ValueError:
        raise ValidationError(f"{where}: not a time: {hh}:{mm}; nothing imported") from None
    if off:
        dt = dt.replace(tzinfo=zone("+00:00" if off == "Z" else off, where))
    else:
        dt = dt.replace(tzinfo=tzinfo or timezone.utc)
    if not 1990 <= dt.year <= 2200:
        raise ValidationError(f"{where}: date out of range: {value.strip()!r}")
    return dt.astimezone(timezone.utc)


# -- the board's own CSV ------------------------------------------------------------------------------
def board_rows(sheet: Sheet, cfg: Config, now: datetime, user: str) -> list[dict]:
    missing = [c for c in CSV_COLUMNS if sheet.col(c) is None]
    if missing:
        raise ValidationError(f"{sheet.name}: not the board's CSV export (no column {missing[0]!r}); "
                              f"for another export use --from paypal or --map")
    out = []
    for i, row in enumerate(sheet.rows):
        def cell(name, *, multiline=False, limit=MAX_LINE, guarded=False):
            j = sheet.col(name)
            v = row[j]
            if guarded:
                v = unguard(v)
            return text(v, sheet.where(i, j), multiline=multiline, limit=limit)

        def money_cell(name):
            j = sheet.col(name)
            return plain_amount(row[j], sheet.where(i, j))

        def when_cell(name):
            j = sheet.col(name)
            v = row[j].strip()
            try:
                dt = datetime.fromisoformat(v) if v else None  # keeps the offset it was written with
                if dt is not None and dt.tzinfo is None:
                    dt = dt.replace(tzinfo=timezone.utc)
            except ValueError:
                raise ValidationError(f"{sheet.where(i, j)}: not an ISO 8601 instant: {v[:40]!r}") from None
            if dt is not None and not 1990 <= dt.year <= 2200:
                raise ValidationError(f"{sheet.where(i, j)}: date out of range: {v[:40]!r}")
            return dt

        cid = cell("id")
        try:
            cid = case_id(case_number(cid))
        except ValidationError as exc:
            raise ValidationError(f"{sheet.where(i, sheet.col('id'))}: {exc}") from None
        amt = money_cell("amount")
        if amt is None:
            raise ValidationError(f"{sheet.where(i, sheet.col('amount'))}: no amount")
        claimed = money_cell("claimed")
        entered = when_cell("stage_entered_at")
        if entered is None:
            raise ValidationError(f"{sheet.where(i, sheet.col('stage_entered_at'))}: empty")
        stage = cell("stage").lower()
        platform = cell("platform").lower()
        outcome = cell("outcome").lower() or None
        d = {
            "id": cid, "stage": stage, "platform": platform,
            "order": cell("order", guarded=True), "supplier": cell("supplier", guarded=True),
            "title": cell("title", guarded=True, multiline=True, limit=MAX_TEXT),
            "reason": cell("reason").lower(), "want": cell("want").lower(),
            "amount": str(amt), "claimed": None if claimed in (None, amt) else str(claimed),
            "currency": cell("currency").upper(),
            "recovered": None if (r := money_cell("recovered")) is None else str(r),
            "outcome": outcome, "stage_entered_at": iso(entered), "created_at": iso(min(entered, now)),
            "closed_at": iso(entered) if stage == "resolved" else None,
            "owner": cell("owner", guarded=True),
            "tags": cell("tags", guarded=True).split(),
        }
        nm, ne = cell("messages"), cell("evidence")
        lost = [f"{n} {what}" for n, what in ((nm, "messages"), (ne, "evidence files")) if n not in ("", "0")]
        d["history"] = [{"at": iso(now), "user": user, "action": "create",
                         "detail": "from the board's CSV export"
                                   + (f" (the source had {', '.join(lost)}; a CSV does not carry them)"
                                      if lost else "")}]
        # A deadline someone entered (not one the profile computes) is data the CSV holds: keep it.
        kind = cell("next_deadline")
        due = when_cell("next_deadline_due")
        if kind and due is not None and platform in PLATFORMS and stage in STAGES:
            profile_kinds = {r.get("kind") for r in cfg.profile(platform).get("clocks", ())}
            if kind not in profile_kinds:
                off = due.utcoffset()
                d["deadlines"] = [Deadline(kind, due, cell("next_deadline_hard").lower() != "soft", "", None,
                                           int(off.total_seconds() // 60) if off else 0).to_dict()]
        out.append(d)
    return out


# -- PayPal activity download --------------------------------------------------------------------------
# Types that move money without buying anything from a seller.
NOT_PURCHASES = ("conversion", "transfer", "withdraw", "deposit", "hold", "authori", "refund", "reversal",
                 "fee", "credit", "bank", "cancel", "void", "reserve", "tax collected")


def selected(type_: str, status: str, negative: bool, impact: str, types: list[str] | None,
             statuses: list[str]) -> bool:
    """Which PayPal rows become cases: by default completed payments sent (money out, a payment
    type); ``types`` (exact Type names) replace the type rule; ``statuses`` the status rule."""
    if _norm(status) not in {_norm(s) for s in statuses}:
        return False
    if types is not None:
        return _norm(type_) in {_norm(t) for t in types}
    out = negative or _norm(impact) == "debit"
    return out and not any(w in _norm(type_) for w in NOT_PURCHASES)


def paypal_rows(sheet: Sheet, *, date_order_given: str | None, types: list[str] | None,
                statuses: list[str], reason: str, now: datetime, user: str,
                mark_given: str | None = None) -> tuple[list[dict], int]:
    """Case dicts for the chosen transactions, and how many rows were not chosen."""
    need = ("Date", "Currency", "Gross", "Transaction ID")
    missing = [c for c in need if sheet.col(c) is None]
    if missing:
        raise ValidationError(f"{sheet.name}: not a PayPal activity download (no column {missing[0]!r})")
    col = {k: sheet.col(k) for k in ("Date", "Time", "TimeZone", "Time Zone", "Name", "Type", "Status",
                                      "Currency", "Gross", "Transaction ID", "Item Title", "Subject",
                                      "To Email Address", "Invoice Number", "Balance Impact", "Note")}
    col["TimeZone"] = col["TimeZone"] if col["TimeZone"] is not None else col["Time Zone"]

    def get(row, k):
        return row[col[k]] if col[k] is not None else ""

    reason = choice(reason, REASONS, "reason")
    mark = mark_given or decimal_mark([get(r, "Gross") for r in sheet.rows])
    chosen: list[tuple[int, list[str], Decimal]] = []
    for i, row in enumerate(sheet.rows):
        gross, neg = amount(get(row, "Gross"), sheet.where(i, col["Gross"]), mark)
        check_reading(get(row, "Gross"), gross, mark, get(row, "Currency").strip().upper(), sheet.where(i, col["Gross"]))
        if selected(get(row, "Type"), get(row, "Status"), neg, get(row, "Balance Impact"), types, statuses):
            chosen.append((i, row, gross))
    # The file's date order, from every row's date (not only the chosen ones).
    order = date_order([(sheet.where(i, col["Date"]), get(r, "Date")) for i, r in enumerate(sheet.rows)],
                       date_order_given, sheet.name) if chosen else (date_order_given or "YMD")
    out = []
    for i, row, gross in chosen:
        w = lambda k: sheet.where(i, col[k])  # noqa: E731
        txn = text(get(row, "Transaction ID"), w("Transaction ID"))
        if not txn:
            raise ValidationError(f"{w('Transaction ID')}: empty")
        name = text(get(row, "Name"), w("Name")) if col["Name"] is not None else ""
        to = text(get(row, "To Email Address"), w("To Email Address")) if col["To Email Address"] is not None else ""
        supplier = name or to
        if not supplier:
            raise ValidationError(f"{sheet.where(i)}: no Name or To Email Address for the seller")
        tz_cell = get(row, "TimeZone")
        tzinfo = zone(tz_cell, w("TimeZone")) if tz_cell.strip() else timezone.utc
        paid = instant(get(row, "Date"), w("Date"), order, tzinfo, get(row, "Time"))
        item = text(get(row, "Item Title"), w("Item Title"), limit=MAX_TEXT) if col["Item Title"] is not None else ""
        subj = text(get(row, "Subject"), w("Subject"), limit=MAX_TEXT) if col["Subject"] is not None else ""
        inv = text(get(row, "Invoice Number"), w("Invoice Number")) if col["Invoice Number"] is not None else ""
        note = text(get(row, "Note"), w("Note"), multiline=True, limit=MAX_TEXT) if col["Note"] is not None else ""
        ptype = text(get(row, "Type"), w("Type")) if col["Type"] is not None else ""
        desc = "\n".join(x for x in (f"PayPal {ptype or 'payment'} {txn}" + (f", invoice {inv}" if inv else ""),
                                     note) if x)
        out.append({
            "id": "", "platform": "paypal", "order": txn, "supplier": supplier, "supplier_contact": to,
            "title": item or subj or f"PayPal payment to {supplier}", "product": item, "description": desc,
            "reason": reason, "want": "full_refund", "amount": str(gross),
            "currency": text(get(row, "Currency"), w("Currency")).upper(),
            "paid_at": iso(paid), "created_at": iso(now), "stage_entered_at": iso(now), "stage": "seller",
            "history": [{"at": iso(now), "user": user, "action": "create",
                         "detail": f"from a PayPal activity download ({sheet.name.rsplit('/', 1)[-1]})"}],
            "_row": i,
        })
    return out, len(sheet.rows) - len(chosen)


# -- any other export, by a column map -----------------------------------------------------------------
MAP_FIELDS = {
    "order": "order", "supplier": "supplier", "amount": "amount", "currency": "currency",
    "platform": "platform", "ref": "platform_ref", "title": "title", "product": "product",
    "description": "description", "reason": "reason", "want": "want", "contact": "supplier_contact",
    "claimed": "claimed", "tags": "tags", "paid": "paid_at", "shipped": "shipped_at",
    "received": "received_at", "delivery_estimate": "delivery_estimate", "opened": "opened_at",
}
MAP_REQUIRED = ("order", "supplier", "amount")
_MAP_DATES = ("paid", "shipped", "received", "delivery_estimate", "opened")
_MAP_MONEY = ("amount", "claimed")
_MAP_MULTI = ("title", "product", "description")


def parse_map(specs: list[str]) -> dict[str, str]:
    """``["order=Order No.,supplier=Supplier", "amount=Total"]`` -> field: column."""
    out: dict[str, str] = {}
    for spec in specs:
        for part in spec.split(","):
            if not part.strip():
                continue
            key, eq, column = part.partition("=")
            key = key.strip().lower()
            if not eq or not column.strip():
                raise ValidationError(f"--map: {part.strip()!r} is not FIELD=COLUMN")
            if key not in MAP_FIELDS:
                raise ValidationError(f"--map: unknown field {key!r} (fields: {', '.join(MAP_FIELDS)})")
            if key in out:
                raise ValidationError(f"--map: {key} given twice")
            out[key] = column.strip()
    missing = [k for k in MAP_REQUIRED if k not in out]
    if missing:
        raise ValidationError(f"--map needs {', '.join(f'{k}=COLUMN' for k in missing)}")
    return out


def mapped_rows(sheet: Sheet, mapping: dict[str, str], *, date_order_given: str | None, platform: str,
                currency: str, reason: str, tz_name: str | None, cfg: Config, now: datetime,
                user: str, mark_given: str | None = None) -> list[dict]:
    cols: dict[str, int] = {}
    for key, column in mapping.items():
        j = sheet.col(column)
        if j is None:
            shown = ", ".join(repr(h) for h in sheet.header[:12])
            raise ValidationError(f"{sheet.name}: no column {column!r} (for {key}); the header has {shown}")
        cols[key] = j
    platform = choice(platform, PLATFORMS, "platform")
    reason = choice(reason, REASONS, "reason")
    if tz_name:
        tzinfo = zone(tz_name, "--tz")
    else:  # the platform's own zone: Alibaba's order times are Beijing time
        tzinfo = zone(cfg.profile(platform).get("timezone", "UTC"), "profile timezone")
    marks = {k: mark_given or decimal_mark([r[cols[k]] for r in sheet.rows]) for k in _MAP_MONEY if k in cols}
    dated = [(sheet.where(i, cols[k]), r[cols[k]]) for i, r in enumerate(sheet.rows)
             for k in _MAP_DATES if k in cols and r[cols[k]].strip()]
    order = date_order(dated, date_order_given, sheet.name) if dated else (date_order_given or "YMD")
    out = []
    for i, row in enumerate(sheet.rows):
        d: dict = {"id": "", "platform": platform, "currency": currency.upper(), "reason": reason,
                   "want": "full_refund", "created_at": iso(now), "stage_entered_at": iso(now), "stage": "seller",
                   "history": [{"at": iso(now), "user": user, "action": "create",
                                "detail": f"from {sheet.name.rsplit('/', 1)[-1]} (--map)"}],
                   "_row": i}
        read: list[tuple[str, Decimal, str | None, str]] = []  # the row's amounts, checked once its currency is known
        for key, j in cols.items():
            where = sheet.where(i, j)
            raw = row[j]
            if key in _MAP_MONEY:
                if not raw.strip() and key == "claimed":
                    continue
                v, _neg = amount(raw, where, marks[key])
                d[MAP_FIELDS[key]] = str(v)
                read.append((raw, v, marks[key], where))
            elif key in _MAP_DATES:
                if raw.strip():
                    d[MAP_FIELDS[key]] = iso(instant(raw, where, order, tzinfo))
            elif key == "tags":
                d["tags"] = [t.lower() for t in re.split(r"[\s,;]+", text(raw, where)) if t]
            else:
                v = text(raw, where, multiline=key in _MAP_MULTI, limit=MAX_TEXT if key in _MAP_MULTI else MAX_LINE)
                if key in ("platform", "reason", "want"):
                    v = v.lower() or d.get(MAP_FIELDS[key], "")
                    allowed = {"platform": PLATFORMS, "reason": REASONS, "want": RESOLUTIONS}[key]
                    try:
                        v = choice(v, allowed, key)
                    except ValidationError as exc:
                        raise ValidationError(f"{where}: {exc}") from None
                elif key == "currency":
                    v = v.upper() or d["currency"]
                d[MAP_FIELDS[key]] = v
        for raw, v, mark, where in read:
            check_reading(raw, v, mark, d["currency"], where)
        if not d.get("title"):
            d["title"] = d.get("product", "")
        out.append(d)
    return out


# -- what is new ------------------------------------------------------------------------------------------
@dataclass
class Plan:
    cases: list[Case]  # to add, ids allocated
    skipped: int  # already in the database (or twice in the file)
    ignored: int = 0  # rows not chosen (PayPal: not payments sent)


def _keys(platform: str, order: str, ref: str) -> list[tuple]:
    keys = [("order", platform, order.strip())] if order.strip() else []
    if ref.strip():
        keys.append(("ref", platform, ref.strip()))
    return keys


def plan(dicts: list[dict], existing: list[tuple[str, str, str, str]], name: str, *, last_id: int = 0,
         keep_ids: bool = False, labels: list[str] | None = None, ignored: int = 0) -> Plan:
    """Drop what is already there (same platform and order number, or same platform reference,
    in the database or earlier in the file), allocate ids after the highest ever handed out, and
    build every case through ``export.cases_from_dicts``.

    ``existing``: ``(id, platform, order, platform_ref)`` per stored case, as
    ``CaseStore.order_keys()`` lists them (no case decoded for the check)."""
    numbers = [case_number(cid) for cid, *_ in existing]
    if keep_ids:  # the board's own export: a case is the same case when id and order agree
        have = {("id", n, order.strip()) for n, (_, _, order, _) in zip(numbers, existing)}
    else:
        have = {k for _, platform, order, ref in existing for k in _keys(platform, order, ref)}
    fresh, fresh_labels, skipped = [], [], 0
    for i, d in enumerate(dicts):
        if keep_ids:
            keys = [("id", case_number(d["id"]), str(d.get("order", "")).strip())]
        else:
            keys = _keys(str(d.get("platform", "")), str(d.get("order", "")), str(d.get("platform_ref", "")))
        if keys and any(k in have for k in keys):
            skipped += 1
            continue
        have.update(keys)
        fresh.append(d)
        fresh_labels.append(labels[i] if labels else f"row {d.get('_row', i) + 2}")
    n = max([last_id, *numbers], default=0)
    taken = set(numbers)
    for d in fresh:
        d.pop("_row", None)
        if keep_ids:
            if case_number(d["id"]) in taken:
                raise ValidationError(f"{name}: {d['id']} is already in the database for another order "
                                      f"({d.get('order')!r} is not there); nothing imported")
        else:
            n += 1
            d["id"] = case_id(n)
    return Plan(cases_from_dicts(fresh, name, labels=fresh_labels), skipped, ignored)


def describe(c: Case, cfg: Config, now: datetime) -> str:
    """One line per case a dry run would add."""
    paid = f" paid {c.paid_at:%Y-%m-%d %H:%M} UTC" if c.paid_at else ""
    nd = next_deadline(c, cfg, now, clocks(c, cfg))
    due = f"; next {nd.kind} {nd.due:%Y-%m-%d}" if nd else ""
    return f"{c.id}  {c.platform}  {c.order}  {c.supplier}  {c.amount} {c.currency}{paid}{due}"
