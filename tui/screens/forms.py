"""Modal forms: new case, edit, message, evidence, deadline, outcome.

Every field is parsed by a function that raises ``ValidationError`` with a one-line reason,
shown beside the field. Nothing is handed on until every field parses; esc cancels without a
trace. The app saves in a worker and tells the form how it went (``saved``/``failed``): on a
refusal the form stays open with what was typed.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Static, TextArea

from store import (EVIDENCE_KINDS, OUTCOMES, PLATFORMS, REASONS, RESOLUTIONS, SENDERS, Case,
                   ValidationError, ops)
from store import dates
from store import money as amounts
from store.model import choice

from ..safe import clean


# -- parsers -----------------------------------------------------------------------------------
def required(what: str, limit: int = 300) -> Callable[[str], str]:
    def parse(text: str) -> str:
        t = text.strip()
        if not t:
            raise ValidationError(f"{what} is required")
        if len(t) > limit:
            raise ValidationError(f"{what} is longer than {limit} characters")
        return t
    return parse


def optional_text(limit: int = 2000) -> Callable[[str], str]:
    def parse(text: str) -> str:
        t = text.strip()
        if len(t) > limit:
            raise ValidationError(f"longer than {limit} characters")
        return t
    return parse


def one_of(allowed: tuple[str, ...], what: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if not text.strip():
            raise ValidationError(f"{what} is required: {', '.join(allowed)}")
        return choice(text, allowed, what)
    return parse


def amount(what: str, optional: bool = False, currency: str | None = None) -> Callable[[str], Decimal | None]:
    """The store's amount reader (``store.money.amount``); ``currency`` when the form knows it."""
    def parse(text: str) -> Decimal | None:
        if not text.strip():
            if optional:
                return None
            raise ValidationError(f"{what} is required, e.g. 1250.00")
        return amounts.amount(text, currency, what)
    return parse


def currency(text: str) -> str:
    return amounts.currency(text)


# What the date reader needs from the app: the config's [input] date_order (None: numeric
# dates like 01/12/2026 are refused as ambiguous) and the app's clock (relative forms such as
# "tomorrow 9am" count from it). The app sets both with ``configure`` when it starts.
_CONTEXT: dict[str, Any] = {"order": None, "clock": None}


def configure(cfg, clock: Callable[[], datetime] | None) -> None:
    _CONTEXT["order"] = dates.date_order(cfg)
    _CONTEXT["clock"] = clock


def when(text: str, *, optional: bool = False, kind: str = "ahead", what: str = "date") -> datetime | None:
    """The store's one date reader (``store.dates.read``); no offset means local time."""
    t = text.strip()
    if not t:
        if optional:
            return None
        raise ValidationError("a date is required, e.g. 2026-12-01 18:00 +08:00")
    now = _CONTEXT["clock"]() if _CONTEXT["clock"] else None
    return dates.read(t, what=what, kind=kind, order=_CONTEXT["order"], now=now)


def optional_when(text: str) -> datetime | None:
    return when(text, optional=True)


def happened_when(text: str) -> datetime | None:
    """A date of something that happened (received, paid, shipped): not in the future."""
    return when(text, optional=True, kind="happened")


def estimate_when(text: str) -> datetime | None:
    """A date that may lie ahead or behind (the latest estimated delivery)."""
    return when(text, optional=True, kind="any")


def _shown_date(dt: datetime | None) -> str:
    return dt.astimezone().isoformat(timespec="minutes") if dt is not None else ""


def yes_no(text: str) -> bool:
    t = text.strip().lower()
    if t in ("y", "yes", "true", "1", "hard"):
        return True
    if t in ("n", "no", "false", "0", "soft"):
        return False
    raise ValidationError("yes (hard: missing it loses money) or no (soft)")


def integer(text: str) -> int:
    t = text.strip() or "0"
    try:
        return int(t)
    except ValueError:
        raise ValidationError("a whole number") from None


def tags(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def evidence_path(text: str) -> str:
    if not text.strip():
        raise ValidationError("a file path is required")
    return str(ops.check_evidence_path(text.strip()))


def _lf(text: str) -> str:
    """CR LF and lone CR line ends as LF: a pasted Windows reply keeps its lines, shows no ␍."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class FieldArea(TextArea):
    """A form's multi-line field. ``value`` reads and sets the text, as an Input's does."""

    @property
    def value(self) -> str:
        return self.text

    @value.setter
    def value(self, text: str) -> None:
        self.load_text(text)


# -- the form ----------------------------------------------------------------------------------
@dataclass
class Field:
    name: str
    label: str
    parse: Callable[[str], Any]
    value: str = ""
    choices: tuple[str, ...] = ()
    placeholder: str = ""
    password: bool = False
    # A multi-line text area (a pasted supplier reply keeps every line); enter adds a line,
    # ctrl+s saves. ``lines`` is its height on screen.
    multiline: bool = False
    lines: int = 4


@dataclass
class FormSpec:
    title: str
    fields: list[Field]
    # Cross-field checks over the parsed values: {field name: reason}.
    check: Callable[[dict], dict[str, str]] | None = None
    submit: Callable[[dict, "FormScreen"], None] | None = None
    note: str = ""
    key: str = ""  # which form: new, edit, message, evidence, deadline, outcome


class FormScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "save", "Save", id="form.save"),
    ]

    def __init__(self, spec: FormSpec) -> None:
        super().__init__(classes=f"form form-{spec.key}")
        self.spec = spec
        self.tried = False
        self.saving = False
        self.values: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box"):
            yield Static(Content(self.spec.title), id="form-title")
            if self.spec.note:
                yield Static(Content(self.spec.note), id="form-note")
            with VerticalScroll(id="form-fields"):
                for f in self.spec.fields:
                    if f.multiline:
                        with Horizontal(classes="field-row field-row-multi"):
                            yield Label(Content(f.label), classes="field-label")
                            area = FieldArea(clean(_lf(f.value), multiline=True), id=f"f-{f.name}",
                                            soft_wrap=True, show_line_numbers=False, tab_behavior="focus",
                                            compact=True, highlight_cursor_line=False,
                                            placeholder=f.placeholder, classes="field-input field-area")
                            area.styles.height = f.lines
                            yield area
                        yield Static("", id=f"e-{f.name}", classes="field-error")
                        continue
                    with Horizontal(classes="field-row"):
                        yield Label(Content(f.label), classes="field-label")
                        yield Input(
                            value=clean(f.value), id=f"f-{f.name}", placeholder=f.placeholder,
                            suggester=SuggestFromList(f.choices, case_sensitive=False) if f.choices else None,
                            classes="field-input", compact=True,
                        )
                    yield Static("", id=f"e-{f.name}", classes="field-error")
            yield Static("", id="form-status")
            with Horizontal(id="form-buttons"):
                yield Button("Save (ctrl+s)", id="form-save", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="form-cancel", compact=True)

    def on_mount(self) -> None:
        # Values were cleaned in compose. Query softly: if the app is shutting down the screen
        # may be mounted without its children.
        first = self.query(".field-input").first() if self.query(".field-input") else None
        if first is not None:
            first.focus()

    # -- validation ----------------------------------------------------------------------------
    def _field(self, name: str) -> Field:
        return next(f for f in self.spec.fields if f.name == name)

    def _show_error(self, name: str, reason: str | None) -> None:
        err = self.query_one(f"#e-{name}", Static)
        err.update(Content(clean(reason)) if reason else "")
        err.set_class(bool(reason), "-shown")
        self.query_one(f"#f-{name}").set_class(bool(reason), "-invalid")

    def text_of(self, name: str) -> str:
        """What is typed in a field: an Input's value, a text area's text."""
        w = self.query_one(f"#f-{name}")
        return w.text if isinstance(w, TextArea) else w.value  # type: ignore[attr-defined]

    def _parse_one(self, f: Field) -> tuple[Any, str | None]:
        text = self.text_of(f.name)
        try:
            return f.parse(text), None
        except (ValidationError, ValueError) as exc:
            return None, str(exc).splitlines()[0] if str(exc) else "not valid"

    def validate(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        values: dict[str, Any] = {}
        for f in self.spec.fields:
            value, err = self._parse_one(f)
            if err:
                errors[f.name] = err
            else:
                values[f.name] = value
        if not errors and self.spec.check is not None:
            errors.update(self.spec.check(values))
        for f in self.spec.fields:
            self._show_error(f.name, errors.get(f.name))
        self.values = values
        return errors

    def on_input_changed(self, event: Input.Changed) -> None:
        if not event.input.id or not event.input.id.startswith("f-"):
            return
        if not event.value.isprintable():
            # Pasted control characters would reach the terminal through the Input: replace them.
            event.input.value = clean(event.value)
            return
        name = event.input.id[2:]
        f = self._field(name)
        _, err = self._parse_one(f)
        if self.tried or (err and event.value.strip()):
            self._show_error(name, err)
        elif not err:
            self._show_error(name, None)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        area = event.text_area
        if not area.id or not area.id.startswith("f-"):
            return
        text = area.text
        safe = clean(_lf(text), multiline=True)
        if safe != text:
            # Pasted control characters (and CR line ends) would reach the terminal: replace them.
            area.load_text(safe)
            return
        name = area.id[2:]
        _, err = self._parse_one(self._field(name))
        if self.tried or (err and text.strip()):
            self._show_error(name, err)
        elif not err:
            self._show_error(name, None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(".field-input"))
        idx = inputs.index(event.input) if event.input in inputs else -1
        if 0 <= idx < len(inputs) - 1:
            inputs[idx + 1].focus()
        else:
            self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "form-save":
            self.action_save()
        else:
            self.action_cancel()

    # -- actions -------------------------------------------------------------------------------
    def action_save(self) -> None:
        if self.saving:
            return
        self.tried = True
        errors = self.validate()
        status = self.query_one("#form-status", Static)
        if errors:
            first = next(f.name for f in self.spec.fields if f.name in errors)
            self.query_one(f"#f-{first}").focus()
            status.update(Content(f"{len(errors)} field(s) to fix; nothing saved"))
            status.set_class(True, "-error")
            return
        self.saving = True
        status.set_class(False, "-error")
        status.update(Content("Saving…"))
        if self.spec.submit is not None:
            self.spec.submit(self.values, self)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def saved(self) -> None:
        self.saving = False
        if self.is_attached and self.app.screen is self:
            self.dismiss(None)

    def failed(self, message: str) -> None:
        self.saving = False
        status = self.query_one("#form-status", Static)
        status.update(Content(clean(message)))
        status.set_class(True, "-error")


# -- the specs ---------------------------------------------------------------------------------
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
        Field("paid", "Paid", happened_when, _shown_date(c.paid_at if c else None),
              placeholder="2026-10-02; PayPal: 180 days from payment"),
        Field("shipped", "Shipped", happened_when, _shown_date(c.shipped_at if c else None),
              placeholder="2026-10-20"),
        Field("delivery_estimate", "Delivery est.", estimate_when,
              _shown_date(c.delivery_estimate if c else None),
              placeholder="latest estimated delivery; Amazon: 90 days from it"),
        Field("contact", "Contact", optional_text(200), c.supplier_contact if c else "", placeholder="optional"),
        Field("product", "Product", optional_text(200), c.product if c else "", placeholder="optional"),
        Field("ref", "Dispute no.", optional_text(80), c.platform_ref if c else "",
              placeholder="the platform's own dispute number, optional"),
        Field("description", "Description", optional_text(2000), c.description if c else "",
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
         Field("text", "Text", required("message text", 4000), placeholder="what was said; paste keeps every line",
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
         Field("due", "Due", when, placeholder="2026-12-01 18:00 +08:00"),
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
