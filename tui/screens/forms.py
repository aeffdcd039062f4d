"""The modal form (``FormScreen``), its fields and their parsers. The forms a case has (new
case, edit, message, evidence, deadline, outcome, proposal) are specs in ``case_forms``.

Every field is parsed by a function that raises ``ValidationError`` with a one-line reason,
shown beside the field. Nothing is handed on until every field parses; esc cancels without a
trace. The save runs in a worker; its answer comes back to the form as ``SaveAnswered`` (by
the form's ticket): on a refusal the form stays open with what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Static

from store import (ValidationError, ops)
from store import dates
from store import money as amounts
from store.model import choice

from ..messages import SaveAnswered, new_ticket
from ..safe import clean

if TYPE_CHECKING:
    from textual.widgets import TextArea


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


def shown_date(dt: datetime | None) -> str:
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


class FieldInput(Input):
    """A one-line field: down and up go to the next and previous field, as tab and shift+tab do
    (the fields' scroll box would take them to scroll; a multi-line text area keeps them for its
    lines)."""

    BINDINGS = [
        Binding("down", "app.focus_next", "Next field", show=False),
        Binding("up", "app.focus_previous", "Previous field", show=False),
    ]


class FormScreen(ModalScreen[None]):
    BOARD_KIND = "form"
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
        self.ticket = new_ticket()  # what the save's answer names (messages.SaveAnswered)
        self.conflict_rev: int | None = None  # the revision a refused save met

    def expected(self, rev: int | None) -> int | None:
        """The revision to save against: after a refusal has been shown, saving this form again
        is a deliberate overwrite of the revision it named. ``None`` (an append) stays None."""
        return self.conflict_rev if rev is not None and self.conflict_rev is not None else rev

    def compose(self) -> ComposeResult:
        from ..widgets.field_area import FieldArea  # TextArea (~9 ms of import): a form's first open, not the board's start

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
                        yield FieldInput(
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
        return w.value  # type: ignore[attr-defined]  # a FieldArea's value is its text

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

    def on_save_answered(self, msg: SaveAnswered) -> None:
        if msg.ticket != self.ticket:
            return
        msg.stop()
        self.saving = False
        if msg.error is None:
            if self.is_attached and self.app.screen is self:
                self.dismiss(None)
            return
        if msg.rev is not None:
            self.conflict_rev = msg.rev
        status = self.query_one("#form-status", Static)
        status.update(Content(clean(msg.error)))
        status.set_class(True, "-error")
