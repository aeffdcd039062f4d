"""The dispute explanation and the evidence it rests on.

The seed's advice: a dispute is won on a clear, concise, professional explanation and concrete
evidence. ``compose`` writes the text the platform's "Open Dispute" form asks for, from what the
case already knows: order number, product, what was ordered against what arrived, the specific
problem, the resolution sought with its amount, and the list of evidence. ``checklist`` says,
per reason, which evidence a reviewer will look for and which of it is still missing;
``format_flags`` names evidence the platform will not accept as an upload.

Plain text only: nothing here knows about terminals (the board and the command line clean what
they print; OSC 52 copying is the board's job).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import PurePosixPath

from .model import Case, Evidence

# -- statement ------------------------------------------------------------------------------

PLATFORM_NAMES = {"alibaba": "Alibaba.com", "aliexpress": "AliExpress", "paypal": "PayPal",
                  "amazon": "Amazon"}

# What arrived (or did not), and the problem in one professional sentence, per reason.
RECEIVED = {
    "damaged": "The goods arrived damaged.",
    "wrong_item": "The goods delivered are not the items ordered.",
    "not_received": "The goods have not been delivered.",
    "quality": "The goods delivered do not meet the quality and specifications agreed for this order.",
    "short_shipment": "The shipment was incomplete: fewer goods arrived than were ordered and paid for.",
    "payment": "There is a problem with the payment for this order.",
    "other": "The order was not fulfilled as agreed.",
}
PROBLEM = {
    "damaged": "The goods were damaged on arrival and cannot be used or sold as intended.",
    "wrong_item": "The items received differ from the order; they are not what was agreed and paid for.",
    "not_received": "The order has not been delivered{since}, and the supplier has not shown proof of delivery.",
    "quality": "The goods do not match the agreed specification or the approved sample.",
    "short_shipment": "The quantity received is less than the quantity ordered and paid for.",
    "payment": "The amount charged does not match the agreed order amount.",
    "other": "The supplier has not fulfilled the order as agreed.",
}
WANT = {
    "full_refund": "a full refund of {amount}",
    "partial_refund": "a partial refund of {amount}",
    "replacement": "replacement of the affected goods at the supplier's cost (value {amount})",
    "return_refund": "return of the goods at the supplier's cost and a refund of {amount}",
    "other": "compensation of {amount}",
}


def plain(text: object) -> str:
    """User text fit for a web form: control and format characters (escape codes, bidi
    overrides) dropped, tabs made spaces; newlines kept."""
    s = "" if text is None else str(text)
    out = []
    for ch in s.replace("\r\n", "\n").replace("\r", "\n"):
        if ch == "\n" or ch.isprintable():
            out.append(ch)
        elif ch == "\t":
            out.append(" ")
        elif unicodedata.category(ch)[0] not in "CZ":
            out.append(ch)
        # else dropped
    return "".join(out)


def _one_line(text: object) -> str:
    return " ".join(plain(text).split())


def amount_text(amount: Decimal, currency: str) -> str:
    from .money import digits

    return f"{digits(amount, currency)} {currency}"


def _day(dt: datetime | None) -> str:
    return "" if dt is None else dt.strftime("%Y-%m-%d")


def evidence_name(e: Evidence) -> str:
    """The file's own name, as the buyer will upload it (no folders)."""
    name = PurePosixPath(e.path.replace("\\", "/")).name
    return _one_line(name) or "(unnamed file)"


def compose(case: Case) -> str:
    """The dispute explanation for the platform's form, from the case as it stands.

    Structured as labelled lines a reviewer can scan, then the list of evidence; every user
    field is reduced to plain text. The same case always gives the same text.
    """
    cur = case.currency
    product = _one_line(case.product) or _one_line(case.title) or "the goods in this order"
    lines: list[str] = []
    head = f"Order number: {_one_line(case.order)}"
    lines.append(head)
    if case.platform_ref:
        lines.append(f"Dispute reference: {_one_line(case.platform_ref)}")
    lines.append(f"Supplier: {_one_line(case.supplier)}")
    lines.append(f"Product: {product}")
    lines.append(f"Order amount: {amount_text(case.amount, cur)}")
    dates = []
    if case.paid_at:
        dates.append(f"paid {_day(case.paid_at)}")
    if case.shipped_at:
        dates.append(f"shipped {_day(case.shipped_at)}")
    if case.received_at and case.reason != "not_received":
        dates.append(f"received {_day(case.received_at)}")
    if case.reason == "not_received" and case.delivery_estimate:
        dates.append(f"expected delivery {_day(case.delivery_estimate)}")
    if dates:
        lines.append(f"Dates: {', '.join(dates)}")
    lines.append("")
    lines.append(f"What was ordered: {product}, order {_one_line(case.order)}, "
                 f"for {amount_text(case.amount, cur)}.")
    label = "What happened" if case.reason == "payment" else "What arrived"
    lines.append(f"{label}: {RECEIVED.get(case.reason, RECEIVED['other'])}")
    since = ""
    if case.reason == "not_received":
        since = f" (expected by {_day(case.delivery_estimate)})" if case.delivery_estimate else ""
    problem = PROBLEM.get(case.reason, PROBLEM["other"]).format(since=since)
    desc = plain(case.description).strip()
    lines.append("")
    lines.append(f"The problem: {problem}")
    if desc:
        lines.append(desc)
    contacts = [m for m in case.messages if m.sender == "me"]
    if contacts:
        n = len(contacts)
        lines.append("")
        lines.append(f"I contacted the supplier about this on {_day(contacts[0].at)} "
                     f"({n} message{'s' if n != 1 else ''}) and the matter is not resolved.")
    lines.append("")
    sought = WANT.get(case.want, WANT["other"]).format(amount=amount_text(case.claim, cur))
    lines.append(f"Resolution sought: {sought[0].upper()}{sought[1:]}.")
    lines.append("")
    if case.evidence:
        lines.append("Evidence attached:")
        for i, e in enumerate(case.evidence, 1):
            note = _one_line(e.note)
            lines.append(f"{i}. {e.kind}: {evidence_name(e)}" + (f" ({note})" if note else ""))
    else:
        lines.append("Evidence: to follow.")
    lines.append("")
    lines.append("I ask the platform to review this evidence and grant the resolution above. Thank you.")
    return "\n".join(lines) + "\n"


def current(case: Case) -> str:
    """The text to submit: the saved (possibly edited) statement, else a fresh composition."""
    return case.statement if case.statement.strip() else compose(case)


def normalise(text: str) -> str:
    """Edited text as it is stored: plain, LF line ends, no trailing blanks, one final newline."""
    lines = [ln.rstrip() for ln in plain(text).split("\n")]
    body = "\n".join(lines).strip("\n")
    return body + "\n" if body else ""


# -- evidence checklist ---------------------------------------------------------------------

@dataclass(frozen=True)
class Need:
    key: str
    label: str
    kinds: tuple[str, ...]  # evidence of these kinds meets the need
    words: tuple[str, ...] = ()  # ... and evidence of ``word_kinds`` mentioning one of these words
    word_kinds: tuple[str, ...] = ()  # (in its file name or note) meets it too
    required: bool = True
    # Satisfied too by messages logged on the case (they go into the packet's transcript).
    transcript: bool = False


INVOICE = Need("invoice", "invoice or receipt", ("invoice", "receipt"))
CORRESPONDENCE = Need("correspondence", "correspondence with the supplier", ("correspondence",),
                      required=False, transcript=True)

CHECKLISTS: dict[str, tuple[Need, ...]] = {
    "damaged": (
        Need("photos", "photos of the damage", ("photo",)),
        Need("video", "video of the unpacking", ("video",)),
        Need("packaging", "photos of the packaging and cartons", (),
             ("packag", "carton", "pallet", "crate", "wrapping"), ("photo", "video", "shipping", "other")),
        INVOICE,
        CORRESPONDENCE,
    ),
    "wrong_item": (
        Need("photos", "photos of the items received, labels visible", ("photo",)),
        Need("order_spec", "the order or listing showing what was ordered", ("contract",),
             ("order", "spec", "listing", "proforma", "sample"), ("invoice", "other", "photo")),
        INVOICE,
        Need("video", "video of the unpacking", ("video",), required=False),
        CORRESPONDENCE,
    ),
    "not_received": (
        Need("tracking", "tracking record", (),
             ("track", "awb", "waybill"), ("shipping", "other", "correspondence", "photo")),
        Need("shipping_docs", "shipping documents (bill of lading, waybill)", ("shipping",)),
        INVOICE,
        CORRESPONDENCE,
    ),
    "quality": (
        Need("spec", "contract or specification", ("contract",)),
        Need("inspection", "inspection report", ("inspection",)),
        Need("photos", "photos of the defects", ("photo",)),
        INVOICE,
        Need("video", "video showing the defects", ("video",), required=False),
        CORRESPONDENCE,
    ),
    "short_shipment": (
        Need("packing_list", "packing list or shipping documents", ("shipping",),
             ("packing", "lading", "waybill", "weight"), ("invoice", "other", "photo")),
        Need("photos", "photos of the goods and cartons received, counted", ("photo",)),
        Need("order_spec", "contract or order showing the quantity ordered", ("contract", "invoice")),
        Need("video", "video of the unpacking and count", ("video",), required=False),
        CORRESPONDENCE,
    ),
    "payment": (
        Need("receipt", "payment receipt or bank record", ("receipt",)),
        Need("invoice", "invoice", ("invoice",)),
        CORRESPONDENCE,
    ),
    "other": (
        INVOICE,
        Need("photos", "photos or documents showing the problem", ("photo", "video", "other"), required=False),
        CORRESPONDENCE,
    ),
}


@dataclass(frozen=True)
class Check:
    need: Need
    met_by: tuple[str, ...]  # evidence file names (or "transcript (N messages)")
    # Files that would meet the need but are missing on disk: they fulfil nothing.
    gone: tuple[str, ...] = ()

    @property
    def missing(self) -> bool:
        return not self.met_by

    def to_dict(self) -> dict:
        return {"key": self.need.key, "label": self.need.label, "required": self.need.required,
                "met_by": list(self.met_by), "missing": self.missing, "files_missing": list(self.gone)}


def _matches(need: Need, e: Evidence) -> bool:
    if e.kind in need.kinds:
        return True
    if e.kind not in need.word_kinds:
        return False
    hay = f"{evidence_name(e)} {e.note}".lower()
    return any(w in hay for w in need.words)


def file_states(case: Case) -> dict[int, str]:
    """Each evidence file's state on disk now (ok, missing, changed), by index: one stat each."""
    from .ops import evidence_state

    return {i: evidence_state(e) for i, e in enumerate(case.evidence)}


def checklist(case: Case, states: Mapping[int, str] | None = None) -> list[Check]:
    """What a reviewer looks for in a dispute of this reason, and what the case has for each.

    A file that is missing on disk fulfils nothing. ``states`` (evidence index -> ok, missing,
    changed) says which are, as last checked; without it each file is looked at now (a stat).
    An index not in ``states`` (not checked yet) counts as present."""
    if states is None:
        states = file_states(case)
    out = []
    outside = [m for m in case.messages if m.sender in ("me", "supplier", "platform")]
    for need in CHECKLISTS.get(case.reason, CHECKLISTS["other"]):
        met, gone = [], []
        for i, e in enumerate(case.evidence):
            if _matches(need, e):
                (gone if states.get(i) == "missing" else met).append(evidence_name(e))
        if need.transcript and outside:
            met.append(f"transcript ({len(outside)} message{'s' if len(outside) != 1 else ''})")
        out.append(Check(need, tuple(met), tuple(gone)))
    return out


def missing(case: Case, required_only: bool = False, states: Mapping[int, str] | None = None) -> list[Need]:
    return [c.need for c in checklist(case, states) if c.missing and (c.need.required or not required_only)]


# -- upload formats -------------------------------------------------------------------------

# The file types each platform's dispute form accepts; a platform not listed is not checked.
ACCEPTED = {
    "alibaba": ("doc", "docx", "pdf", "rar", "zip", "jpg", "gif", "xls", "xlsx"),
}
_ADVICE = {
    "jpeg": "rename it to .jpg",
    "png": "convert it to jpg", "heic": "convert it to jpg", "heif": "convert it to jpg",
    "webp": "convert it to jpg", "bmp": "convert it to jpg", "tif": "convert it to jpg",
    "tiff": "convert it to jpg",
    "mp4": "put it in a zip", "mov": "put it in a zip", "avi": "put it in a zip", "mkv": "put it in a zip",
    "3gp": "put it in a zip", "webm": "put it in a zip",
    "txt": "save it as pdf or docx", "csv": "save it as xlsx", "odt": "save it as docx or pdf",
    "ods": "save it as xlsx", "eml": "save it as pdf", "msg": "save it as pdf", "html": "save it as pdf",
    "7z": "repack it as zip", "tar": "repack it as zip", "gz": "repack it as zip",
}


@dataclass(frozen=True)
class FormatFlag:
    name: str
    ext: str
    advice: str

    def __str__(self) -> str:
        what = f".{self.ext} files" if self.ext else "files without an extension"
        return f"{self.name}: {what} are not accepted; {self.advice}"

    def to_dict(self) -> dict:
        return {"name": self.name, "ext": self.ext, "advice": self.advice}


def extension(name: str) -> str:
    suffix = PurePosixPath(name).suffix
    return suffix[1:].lower() if suffix else ""


def format_flags(case: Case) -> list[FormatFlag]:
    """Evidence the platform will refuse as an upload, with what to do about it."""
    accepted = ACCEPTED.get(case.platform)
    if accepted is None:
        return []
    out = []
    for e in case.evidence:
        name = evidence_name(e)
        ext = extension(name)
        if ext in accepted:
            continue
        out.append(FormatFlag(name, ext, _ADVICE.get(ext, f"convert it to one of {', '.join(accepted)}")))
    return out


__all__ = ["compose", "current", "normalise", "plain", "checklist", "missing", "format_flags",
           "Need", "Check", "FormatFlag", "CHECKLISTS", "ACCEPTED", "evidence_name"]
