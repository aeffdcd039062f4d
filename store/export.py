"""The exchange shapes: a case as JSON for scripts, the export file, CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import orjson

from . import clock
from .clocks import clocks, next_deadline, unresponsive, urgency, whose_turn
from .config import Config
from .errors import ValidationError
from .model import Case

EXPORT_FORMAT = "dispute-board-export"
EXPORT_VERSION = 1


def case_json(case: Case, cfg: Config, now: datetime) -> dict:
    """A case as `show --json` gives it: the stored fields plus what the clocks say now."""
    d = case.to_dict()
    nd = next_deadline(case, cfg, now)
    u = urgency(case, cfg, now)
    d["turn"] = whose_turn(case)
    d["next_deadline"] = None if nd is None else {"kind": nd.kind, "due": nd.due.isoformat(), "hard": nd.hard,
                                                  "label": nd.label}
    d["deadlines"] = [c.to_dict() for c in clocks(case, cfg)]
    d["urgency"] = u.level
    d["unresponsive"] = unresponsive(case, cfg, now)
    d["stage_title"] = case.stage_title
    return d


def export_json(cases: list[Case]) -> bytes:
    doc = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION,
           "exported_at": clock.now().isoformat(), "cases": [c.to_dict() for c in cases]}
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"


def import_json(blob: bytes, name: str) -> list[Case]:
    """Cases from an export file; any problem refuses the whole file."""
    try:
        doc = orjson.loads(blob)
    except orjson.JSONDecodeError as exc:
        raise ValidationError(f"{name}: not valid JSON ({exc})") from None
    if isinstance(doc, dict) and doc.get("format") == EXPORT_FORMAT:
        if doc.get("version", 0) > EXPORT_VERSION:
            raise ValidationError(f"{name}: export version {doc['version']} is newer than this program")
        items = doc.get("cases")
    elif isinstance(doc, list):
        items = doc  # a bare list of cases, e.g. `list --json` output
    else:
        raise ValidationError(f"{name}: not a Dispute Board export (no 'cases' list)")
    if not isinstance(items, list):
        raise ValidationError(f"{name}: 'cases' is not a list")
    return cases_from_dicts(items, name)


def cases_from_dicts(items: list, name: str, labels: list[str] | None = None) -> list[Case]:
    """Cases from their stored dict shape, each built and validated the one way every import uses
    (the JSON export, the CSV importers); any problem refuses the whole lot, naming where.

    ``labels`` names each item in a refusal (e.g. "row 12"); by default "case N".
    """
    out = []
    for i, item in enumerate(items):
        label = labels[i] if labels is not None else f"case {i + 1}"
        where = f"{name}: {label}" + (f" ({item.get('id')})" if isinstance(item, dict) and labels is None else "")
        if not isinstance(item, dict):
            raise ValidationError(f"{where}: not an object")
        try:
            c = Case.from_dict(item)
            c.validate()
        except ValidationError as exc:
            raise ValidationError(f"{where}: {exc}") from None
        except (TypeError, KeyError, ValueError, ArithmeticError) as exc:
            raise ValidationError(f"{where}: malformed ({type(exc).__name__}: {exc})") from None
        out.append(c)
    return out


CSV_COLUMNS = ["id", "stage", "turn", "platform", "order", "supplier", "title", "reason", "want", "amount",
               "claimed", "currency", "recovered", "outcome", "stage_entered_at", "next_deadline",
               "next_deadline_due", "next_deadline_hard", "owner", "tags", "messages", "evidence"]


def _cell(v) -> str:
    s = "" if v is None else str(v)
    # A spreadsheet runs cells that start like a formula: keep user text inert.
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


def export_csv(cases: list[Case], cfg: Config, now: datetime) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for c in cases:
        nd = next_deadline(c, cfg, now)
        w.writerow([c.id, c.stage, whose_turn(c), c.platform, _cell(c.order), _cell(c.supplier), _cell(c.title),
                    c.reason, c.want, c.amount, c.claim, c.currency, "" if c.recovered is None else c.recovered,
                    c.outcome or "", c.stage_entered_at.isoformat(), nd.kind if nd else "",
                    nd.due.isoformat() if nd else "", "" if nd is None else ("hard" if nd.hard else "soft"),
                    _cell(c.owner), _cell(" ".join(c.tags)), len(c.messages), len(c.evidence)])
    return buf.getvalue()
