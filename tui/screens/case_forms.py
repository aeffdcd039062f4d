"""The forms a case has, as specs for ``forms.FormScreen``: new case, edit, message, evidence,
deadline, outcome (moving to Resolved) and proposal. Each names its fields, their parsers
(``forms``) and what they show of the case; the screen that opens one says what saving does."""

from __future__ import annotations

import copy
from datetime import datetime

from store import EVIDENCE_KINDS, OUTCOMES, PLATFORMS, REASONS, RESOLUTIONS, SENDERS, Case, ValidationError, ops
from store import money as amounts
from store.validate import LONG  # the stored limit for long texts: a pasted e-mail as the CLI takes it

from .forms import (Field, FormSpec, shown_date, amount, currency, estimate_when, evidence_path, happened_when,
                    integer, one_of, optional_text, required, tags, when, yes_no)


def _claim_check(values: dict) -> dict[str, str]:
    cur = values.get("currency")
    for name in ("amount", "claimed"):  # at most the currency's minor units: the store's rule
        if cur and values.get(name) is not None:
            try:
                amounts.check(values[name], cur, "amount")
            except ValidationError as exc:
                return {name: str(exc)}
    claimed, amt = values.get("claimed"), values.get("amount")
    if claimed is not None and amt is not None and claimed > amt:
        return {"claimed": f"more than the order amount {amt}"}
    return {}


def case_fields(case: Case | None) -> list[Field]:
    c = case
    return [
        Field("supplier", "Supplier", required("supplier"), c.supplier if c else "", placeholder="company name"),
        Field("order", "Order no.", required("order number", 80), c.order if c else "", placeholder="platform order number"),
        Field("title", "Title", optional_text(200), c.title if c else "", placeholder="what went wrong, in a line"),
        Field("amount", "Order amount", amount("order amount"), str(c.amount) if c else "", placeholder="1250.00"),
        Field("currency", "Currency", currency, c.currency if c else "USD"),
        Field("claimed", "Claimed", amount("amount claimed", optional=True),
              str(c.claimed) if c and c.claimed is not None else "", placeholder="empty: the whole order"),
        Field("reason", "Reason", one_of(REASONS, "reason"), c.reason if c else "", REASONS,
              "damaged, wrong_item, not_received, quality, ..."),
        Field("want", "Resolution", one_of(RESOLUTIONS, "resolution"), c.want if c else "full_refund",
              RESOLUTIONS),
        Field("platform", "Platform", one_of(PLATFORMS, "platform"), c.platform if c else "alibaba", PLATFORMS),
        Field("received", "Received", happened_when,
              c.received_at.astimezone().isoformat(timespec="minutes") if c and c.received_at else "",
              placeholder="2026-11-20 or 2026-11-20T10:00+08:00"),
        # Every date a clock rule counts from: PayPal's 180 days from payment, Amazon's 90 days
        # from the latest estimated delivery.
        Field("paid", "Paid", happened_when, shown_date(c.paid_at if c else None),
              placeholder="2026-10-02; PayPal: 180 days from payment"),
        Field("shipped", "Shipped", happened_when, shown_date(c.shipped_at if c else None),
              placeholder="2026-10-20"),
        Field("delivery_estimate", "Delivery est.", estimate_when,
              shown_date(c.delivery_estimate if c else None),
              placeholder="latest estimated delivery; Amazon: 90 days from it"),
        Field("contact", "Contact", optional_text(200), c.supplier_contact if c else "", placeholder="optional"),
        Field("product", "Product", optional_text(200), c.product if c else "", placeholder="optional"),
        Field("ref", "Dispute no.", optional_text(80), c.platform_ref if c else "",
              placeholder="the platform's own dispute number, optional"),
        Field("description", "Description", optional_text(LONG), c.description if c else "",
              placeholder="what was ordered, what arrived, what you want", multiline=True, lines=3),
    ]


def new_case_spec(submit) -> FormSpec:
    return FormSpec("New case", case_fields(None), _claim_check, submit, key="new")


def edit_spec(case: Case, submit) -> FormSpec:
    fields = case_fields(case)
    fields.append(Field("priority", "Priority", integer, str(case.priority)))
    fields.append(Field("tags", "Tags", tags, ", ".join(case.tags), placeholder="comma, separated"))
    return FormSpec(f"Edit {case.id}", fields, _claim_check, submit, key="edit")


def message_spec(case: Case, submit) -> FormSpec:
    return FormSpec(
        f"Log a message on {case.id}",
        [Field("sender", "From", one_of(SENDERS, "sender"), "supplier", SENDERS, "me, supplier, platform, note"),
         Field("text", "Text", required("message text", LONG), placeholder="what was said; paste keeps every line",
               multiline=True, lines=8)],
        None, submit, note="A supplier reply makes it your turn; your own message makes it theirs. "
                           "ctrl+s saves.",
        key="message",
    )


def offer_spec(case: Case, submit) -> FormSpec:
    from store.negotiation import PARTIES, PROPOSAL_KINDS

    return FormSpec(
        f"Record a proposal on {case.id}",
        [Field("sender", "From", one_of(PARTIES, "party"), "supplier", PARTIES, "supplier or me"),
         Field("kind", "Kind", one_of(PROPOSAL_KINDS, "proposal kind"), "partial_refund", PROPOSAL_KINDS,
               ", ".join(PROPOSAL_KINDS)),
         Field("amount", "Amount", amount("amount", optional=True, currency=case.currency), "",
               placeholder=f"in {case.currency}; empty for a full refund of the claim")],
        None, submit,
        note="A new proposal counters the open one. Accept or reject from the palette (ctrl+p).",
        key="offer",
    )


def evidence_spec(case: Case, submit) -> FormSpec:
    return FormSpec(
        f"Attach evidence to {case.id}",
        [Field("path", "File", evidence_path, placeholder="/path/to/photo.jpg"),
         Field("kind", "Kind", one_of(EVIDENCE_KINDS, "evidence kind"), "photo", EVIDENCE_KINDS,
               ", ".join(EVIDENCE_KINDS[:4]) + ", ..."),
         Field("note", "Note", optional_text(500), placeholder="what it shows")],
        None, submit, note="The file stays where it is; its size and SHA-256 are recorded.", key="evidence",
    )


def deadline_spec(case: Case, submit) -> FormSpec:
    return FormSpec(
        f"Add a deadline to {case.id}",
        [Field("kind", "Kind", required("deadline kind", 60), "evidence_due"),
         Field("due", "Due", when, placeholder="in 3d, fri 17:00, or 2026-12-10 18:00 +08:00"),
         Field("hard", "Hard?", yes_no, "yes", ("yes", "no")),
         Field("note", "Note", optional_text(200), placeholder="optional")],
        None, submit, note="Dates: ISO 8601 with an offset, or e.g. 'Dec 1 2026 6pm'; no offset = local time.",
        key="deadline",
    )


def outcome_spec(case: Case, now: datetime, submit) -> FormSpec:
    def check(values: dict) -> dict[str, str]:
        trial = copy.deepcopy(case)
        rec = values.get("recovered")
        try:
            ops.move(trial, "resolved", now, values.get("outcome"), None if rec is None else rec)
        except ValidationError as exc:
            return {"recovered": str(exc)}
        return {}

    return FormSpec(
        f"Resolve {case.id}: outcome",
        [Field("outcome", "Outcome", one_of(OUTCOMES, "outcome"), "", OUTCOMES, ", ".join(OUTCOMES[:3]) + ", ..."),
         Field("recovered", "Recovered", amount("amount recovered", optional=True, currency=case.currency),
               placeholder=f"empty: claimed if refunded, 0 if rejected ({case.currency})")],
        check, submit, note=f"{case.id} moves to Resolved. Order amount {case.amount} {case.currency}.",
        key="outcome",
    )
