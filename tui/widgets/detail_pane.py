"""The detail of one case: summary, deadlines with live countdowns, thread, evidence, history.

Every piece of user text goes in as a literal (``Content.assemble`` pairs of text and style),
never as markup."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from store import STAGE_TITLES, Case
from store import statement
from store.clocks import countdown, rank as clock_rank, unresponsive
from store.dates import show_instant

from ..safe import clean, file_size, money
from ..thumbnail import EvidencePreview
from ..triage import Triage

LEVEL_STYLE = {"ok": "$success", "soon": "$warning", "overdue": "$error"}


def local(dt: datetime | None) -> str:
    if dt is None:
        return "-"
    return dt.astimezone().strftime("%Y-%m-%d %H:%M")


def summary(case: Case, triage: Triage, now: datetime) -> Content:
    turn = triage.turn(case)
    parts: list = [
        (case.id, "bold $case-id"), ("  ", ""), (STAGE_TITLES[case.stage], "bold"),
        (f"  {case.platform}", "$text-muted"),
        ("\n", ""), (clean(case.supplier), "bold"),
    ]
    if case.supplier_contact:
        parts += [("  ", ""), (clean(case.supplier_contact), "$text-muted")]
    parts += [("\n", ""), (clean(case.title or case.product), "")]
    parts += [("\norder ", "$text-muted"), (clean(case.order), "")]
    if case.platform_ref:
        parts += [("  dispute ", "$text-muted"), (clean(case.platform_ref), "")]
    parts += [("\namount ", "$text-muted"), (money(case.amount, case.currency), ""),
              ("  claimed ", "$text-muted"), (money(case.claim, case.currency), "bold")]
    if case.recovered is not None:
        parts += [("  recovered ", "$text-muted"), (money(case.recovered, case.currency), "$success")]
    parts += [("\nreason ", "$text-muted"), (case.reason.replace("_", " "), ""),
              ("  wants ", "$text-muted"), (case.want.replace("_", " "), "")]
    parts += [("\nturn ", "$text-muted"), (turn, "bold $warning" if turn == "me" else "")]
    if unresponsive(case, triage.cfg, now):
        parts += [("  supplier unresponsive: escalate", "bold $error")]
    if case.outcome:
        parts += [("\noutcome ", "$text-muted"), (case.outcome.replace("_", " "), "bold")]
    dates = [("paid", case.paid_at), ("received", case.received_at), ("opened", case.opened_at),
             ("escalated", case.escalated_at), ("closed", case.closed_at)]
    shown = [(k, v) for k, v in dates if v is not None]
    if shown:
        parts.append(("\n", ""))
        for i, (k, v) in enumerate(shown):
            parts += [(("  " if i else "") + k + " ", "$text-muted"), (local(v), "")]
    if case.tags:
        parts += [("\ntags ", "$text-muted"), (clean(", ".join(case.tags)), "")]
    if case.description:
        parts += [("\n", ""), (clean(case.description, multiline=True), "$text-muted")]
    return Content.assemble(*parts)


def deadlines(case: Case, triage: Triage, now: datetime) -> Content:
    parts: list = [("Deadlines", "bold underline")]
    cl = triage.clocks(case)
    if not cl:
        parts.append(("\nnone apply in this stage", "$text-muted"))
    for c in cl:
        if c.met:
            parts += [("\n✓ met       ", "$success"), (clean(c.label), "$text-muted")]
            continue
        rank = clock_rank(c, now, triage.cfg)
        level = "overdue" if rank in (2, 4) else "soon" if rank in (1, 3) else "ok"
        style = LEVEL_STYLE[level] + (" bold" if c.hard and level != "ok" else "")
        parts += [("\n", ""), (f"{countdown(c.due, now):<12}", style), (clean(c.label), ""),
                  ("\n            ", ""),
                  (f"{'HARD' if c.hard else 'soft'} · due {show_instant(c.due)} · {c.party} to act", "$text-muted")]
    return Content.assemble(*parts)


def thread(case: Case) -> Content:
    parts: list = [(f"Messages ({len(case.messages)})", "bold underline")]
    if not case.messages:
        parts.append(("\nno messages yet", "$text-muted"))
    for m in case.messages:
        who = {"me": "$primary", "supplier": "$warning", "platform": "$accent", "note": "$text-muted"}.get(
            m.sender, "")
        parts += [("\n", ""), (local(m.at), "$text-muted"), ("  ", ""), (m.sender, f"bold {who}")]
        if m.by:
            parts += [(f" ({clean(m.by)})", "$text-muted")]
        parts += [("\n  ", ""), (clean(m.text, multiline=True).replace("\n", "\n  "), "")]
    return Content.assemble(*parts)


def evidence(case: Case, states: dict[int, str]) -> Content:
    parts: list = [(f"Evidence ({len(case.evidence)})", "bold underline")]
    if not case.evidence:
        parts.append(("\nno evidence attached", "$text-muted"))
    for i, e in enumerate(case.evidence):
        state = states.get(i, "?")
        style = {"ok": "$success", "missing": "bold $error", "changed": "bold $warning"}.get(state, "$text-muted")
        label = {"ok": "ok", "missing": "MISSING", "changed": "CHANGED", "?": "checking"}.get(state, state)
        parts += [("\n", ""), (f"{label:<8}", style), (f"{e.kind:<14}", "bold"), (clean(e.path), ""),
                  (f"  {file_size(e.size)}", "$text-muted")]
        if e.note:
            parts += [("\n        ", ""), (clean(e.note), "$text-muted")]
    # What a reviewer looks for in a dispute of this reason, and what is still missing.
    # A file found missing fulfils nothing (the states come from the evidence worker; one not
    # checked yet counts as there, so nothing is statted here on the UI thread).
    checks = statement.checklist(case, states)
    if checks:
        parts.append(("\nChecklist for " + case.reason.replace("_", " "), "bold"))
        for c in checks:
            mark, style = ("✓ ", "$success") if not c.missing else (("✗ ", "bold $error") if c.need.required
                                                                     else ("○ ", "$warning"))
            parts += [("\n", ""), (mark, style), (clean(c.need.label), "" if c.missing else "$text-muted")]
            if c.gone:
                parts.append((clean(f"  ({', '.join(c.gone)} missing on disk)"), "bold $error"))
    for flag in statement.format_flags(case):
        parts += [("\n", ""), ("format  ", "bold $warning"), (clean(str(flag)), "")]
    return Content.assemble(*parts)


def proposals(case: Case) -> Content | None:
    if not case.proposals:
        return None
    parts: list = [(f"Proposals ({len(case.proposals)})", "bold underline")]
    for p in case.proposals:
        style = {"accepted": "$success", "rejected": "$error", "open": "$warning"}.get(p.status, "$text-muted")
        parts += [("\n", ""), (local(p.at), "$text-muted"), ("  ", ""), (clean(p.sender), "bold"), ("  ", ""),
                  (clean(p.kind).replace("_", " "), ""), ("  ", ""), (money(p.amount, case.currency), "bold"),
                  ("  ", ""), (clean(p.status), style)]
    return Content.assemble(*parts)


def history(case: Case) -> Content:
    parts: list = [("History", "bold underline")]
    for h in reversed(case.history):
        parts += [("\n", ""), (local(h.at), "$text-muted"), ("  ", ""), (clean(h.user), "bold"),
                  ("  ", ""), (clean(h.action), "$accent"), ("  ", ""), (clean(h.detail), "")]
    return Content.assemble(*parts)


class DetailPane(VerticalScroll):
    """Shows one case. The app calls ``show`` when the selection or the case changes and
    ``tick`` when the minute turns (only the deadlines are redrawn). With ``preview`` (the
    detail screen) the evidence preview sits after the evidence list, before the history, and
    follows the case shown."""

    def __init__(self, triage: Triage, preview: bool = False, **kw) -> None:
        super().__init__(**kw)
        self.triage = triage
        self.case: Case | None = None
        self.states: dict[int, str] = {}
        self.has_preview = preview

    def compose(self) -> ComposeResult:
        # One Static for the whole case: one update, one layout pass per selection (two and the
        # preview between them on the detail screen).
        yield Static("", id="d-body")
        if self.has_preview:
            yield EvidencePreview(self.triage.cfg.board.get("thumbnails", True) is not False, id="evidence-preview")
            yield Static("", id="d-history")

    def _draw_body(self, now: datetime) -> None:
        body = self.query_one("#d-body", Static)
        case = self.case
        if case is None:
            body.update(Content("No case selected"), layout=self.has_preview)
            return
        gap = Content("\n\n")
        sections = [summary(case, self.triage, now), deadlines(case, self.triage, now), proposals(case),
                    thread(case), evidence(case, self.states)]
        if not self.has_preview:
            sections.append(history(case))
        content = gap.join([part for part in sections if part is not None])
        if self.has_preview:  # the detail screen: the whole case, scrolled
            body.update(content)
            self.query_one("#d-history", Static).update(Content("\n").append(history(case)))
        else:  # beside the board: what fits the pane, in the same box (app.tcss #detail-side #d-body)
            body.update(self._fit(content), layout=False)

    def _fit(self, content: Content) -> Content:
        """``content`` cut to the pane's height, its last line saying how much more enter shows."""
        width, height = self.content_region.width, self.content_region.height
        if width <= 0 or height <= 0:
            return content
        lines = content.wrap(width)
        if len(lines) <= height:
            return content
        keep = lines[: max(height - 1, 0)]
        more = Content.styled(f"… {len(lines) - len(keep)} more lines: enter shows the whole case", "$text-muted")
        return Content("\n").join([*keep, more])

    def on_resize(self) -> None:
        if not self.has_preview and self.case is not None:
            self._draw_body(self.app.now)  # type: ignore[attr-defined]  # cut again for the new height

    def show(self, case: Case | None, now: datetime, states: dict[int, str] | None = None) -> None:
        if case is not None and getattr(case, "light", False):
            # The board's cases may be light (no message text, history or description): the
            # detail shows the whole case, one document read from the store (``BoardLoader``).
            loader = getattr(self.app, "loader", None)
            if loader is not None:
                case = loader.whole(case)
        same = self.case is not None and case is not None and self.case.id == case.id
        if case is not None and self.case is case and states is None:
            return
        if self.has_preview and (not same or case is None or self.case is None or case.rev != self.case.rev):
            self.query_one(EvidencePreview).show(case)
        self.case = case
        if states is not None:
            self.states = states
        elif not same or case is None:
            self.states = {}
        if case is not None and not same:
            self.scroll_home(animate=False)
        self._draw_body(now)

    def set_states(self, case_id: str, states: dict[int, str]) -> None:
        if self.case is not None and self.case.id == case_id and states != self.states:
            self.states = states
            self._draw_body(self.app.now)  # type: ignore[attr-defined]

    def tick(self, now: datetime) -> None:
        if self.case is not None:
            self._draw_body(now)
