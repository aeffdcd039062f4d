"""The two evidence checkers the board runs, off the UI thread, in workers of the app.

- The card marks: the cards just drawn ask (``StageColumn.NeedsEvidence``) and their files are
  statted (``Triage.check_pending``); the one timer also starts a background pass over every
  loaded case once a while (``recheck``). Both answer ``EvidenceMarked``: those cards redraw.
- The open case: its files re-hashed (slow) for the detail's list (``check``), answered with
  ``EvidenceChecked`` (a quick stat first, then the hashes, ``final``); ``states`` keeps the
  last answer per case so the side pane does not re-hash on every cursor move.

The app owns one ``EvidenceChecks`` (``app.evidence``) and routes the three messages here.
"""

from __future__ import annotations

import time
from functools import partial
from typing import TYPE_CHECKING

from store import Case, ops

from .messages import EvidenceChecked, EvidenceMarked
from .widgets.detail_pane import DetailPane

if TYPE_CHECKING:
    from .app import DisputeApp


class EvidenceChecks:
    def __init__(self, app: "DisputeApp") -> None:
        self.app = app
        self.marking = False  # a card-marks worker is running
        # Re-hashed evidence per case: id -> (rev, when, {index: ok|missing|changed}).
        self.states: dict[str, tuple[int, float, dict[int, str]]] = {}

    def pending(self) -> bool:
        return bool(self.app.triage.pending)

    # -- the card marks ------------------------------------------------------------------------
    def mark(self) -> None:
        """Cards were drawn whose files nobody has looked at yet: stat them."""
        if self.app.triage.pending and not self.marking:
            self.marking = True
            self.app.run_worker(self._mark, thread=True, group="evidence-marks")

    def _mark(self) -> None:
        try:
            changed = self.app.triage.check_pending()
        finally:
            self.app.call_from_thread(self._marked)
        self.app.post_message(EvidenceMarked(changed))

    def _marked(self) -> None:
        self.marking = False

    def recheck(self, cases: list[Case]) -> None:
        """The background pass over every loaded case (see ``Triage.recheck``); the tick set
        ``app._rechecking``, cleared here when the pass is over."""
        self.app.run_worker(partial(self._recheck, cases), thread=True, group="evidence-pass", exclusive=True)

    def _recheck(self, cases: list[Case]) -> None:
        started = time.perf_counter()
        try:
            changed = self.app.triage.recheck(cases)
        finally:
            self.app.call_from_thread(self._rechecked, len(cases), time.perf_counter() - started)
        self.app.post_message(EvidenceMarked(changed))

    def _rechecked(self, n: int, seconds: float) -> None:
        self.app._rechecking = False
        self.app.last_evidence_pass = (n, seconds)

    def marked(self, msg: EvidenceMarked) -> None:
        app = self.app
        if msg.changed and app.screen_stack:
            for col in app.board.columns:
                col.clear_cache(msg.changed)
            # An open case whose mark changed: re-check its files for the detail's list too.
            for pane in self._panes():
                if pane.display and pane.case is not None and pane.case.id in msg.changed:
                    self.states.pop(pane.case.id, None)
                    self.check(pane.case)

    # -- the open case -------------------------------------------------------------------------
    def check(self, case: Case) -> None:
        """Re-hash ``case``'s files (slow) and report which are missing or changed."""
        self.app.run_worker(partial(self._check, case), thread=True, group="evidence", exclusive=True)

    def _check(self, case: Case) -> None:
        states = {i: ops.evidence_state(e) for i, e in enumerate(case.evidence)}
        self.app.post_message(EvidenceChecked(case.id, case.rev, dict(states)))
        for i, e in enumerate(case.evidence):
            if states[i] == "ok":
                states[i] = ops.evidence_verify(e)
        self.app.post_message(EvidenceChecked(case.id, case.rev, states, final=True))

    def checked(self, msg: EvidenceChecked) -> None:
        if msg.final:
            self.states[msg.case_id] = (msg.rev, time.monotonic(), msg.states)
        for pane in self._panes():
            pane.set_states(msg.case_id, msg.states)

    def _panes(self) -> list[DetailPane]:
        out = []
        for screen in self.app.screen_stack:
            out.extend(screen.query(DetailPane).results(DetailPane))
        return out
