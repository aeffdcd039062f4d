"""Evidence marks follow the files while the board is open, and a missing file fulfils nothing
(issue 9, "The board says what it knows"). Time passes by the injected clock and posted ticks."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

from tests.support.board import NOW, one_tick, press, running, screen_text, settle
from tests.support.cases import case_with_files

from store import TinyStore, ops, statement
from store.model import Case
from tui.app import DisputeApp
from tui.triage import Triage


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self):
        return self.now


def marks_line(app, case_id: str) -> str:
    return next(line for line in screen_text(app).splitlines() if case_id in line)


async def test_a_deleted_or_changed_file_shows_its_mark_within_a_minute(tmp_path, cfg):
    db = tmp_path / "d.json"
    s = TinyStore(db, cfg=cfg, user="tester", clock=lambda: NOW)
    s.import_cases([case_with_files(1, tmp_path), case_with_files(2, tmp_path)])
    clock = Clock()
    app = DisputeApp(s, cfg, clock=clock)
    async with running(app) as pilot:
        await one_tick(app, pilot)
        assert "✗" not in marks_line(app, "D-0001") and "Δ" not in marks_line(app, "D-0002")
        (tmp_path / "1-invoice.pdf").unlink()  # deleted
        (tmp_path / "2-photo.pdf").write_bytes(b"rewritten, another size")  # changed
        clock.now = NOW + timedelta(seconds=EVERY + 1)
        await one_tick(app, pilot)  # one tick of the app's timer, no key pressed
        await settle(pilot)
        assert "✗ev" in marks_line(app, "D-0001"), screen_text(app)
        assert "Δev" in marks_line(app, "D-0002"), screen_text(app)
        assert "✗" not in marks_line(app, "D-0002")
    s.close()


EVERY = 30  # seconds between background passes (tui.triage.EVIDENCE_RECHECK_SECONDS)


async def test_missing_and_changed_stay_apart_at_40_columns(tmp_path, cfg):
    db = tmp_path / "d.json"
    s = TinyStore(db, cfg=cfg, user="tester", clock=lambda: NOW)
    s.import_cases([case_with_files(1, tmp_path), case_with_files(2, tmp_path)])
    (tmp_path / "1-invoice.pdf").unlink()
    (tmp_path / "2-photo.pdf").write_bytes(b"rewritten, another size")
    app = DisputeApp(s, cfg, clock=lambda: NOW)
    async with running(app, (40, 12)) as pilot:
        await one_tick(app, pilot)
        text = screen_text(app)
        lines = text.splitlines()
        i1 = next(i for i, ln in enumerate(lines) if "D-0001" in ln)
        col = lines[i1].index("D-0001") - 1
        below = [ln[col:col + 8] for ln in lines[i1:i1 + 2]]
        assert any("✗" in b for b in below) and not any("Δ" in b for b in below), text
        i2 = next(i for i, ln in enumerate(lines) if "D-0002" in ln)
        col2 = lines[i2].index("D-0002") - 1
        below2 = [ln[col2:col2 + 8] for ln in lines[i2:i2 + 2]]
        assert any("Δ" in b for b in below2) and not any("✗" in b for b in below2), text
    s.close()


def test_a_missing_invoice_fulfils_nothing(tmp_path):
    c = case_with_files(1, tmp_path)
    invoice = next(ch for ch in statement.checklist(c) if ch.need.key == "invoice")
    assert not invoice.missing
    (tmp_path / "1-invoice.pdf").unlink()
    invoice = next(ch for ch in statement.checklist(c) if ch.need.key == "invoice")
    assert invoice.missing and invoice.gone == ("1-invoice.pdf",)
    assert "invoice or receipt" in [n.label for n in statement.missing(c, required_only=True)]


async def test_the_detail_checklist_does_not_tick_a_missing_invoice(tmp_path, cfg):
    db = tmp_path / "d.json"
    s = TinyStore(db, cfg=cfg, user="tester", clock=lambda: NOW)
    s.import_cases([case_with_files(1, tmp_path)])
    (tmp_path / "1-invoice.pdf").unlink()
    app = DisputeApp(s, cfg, clock=lambda: NOW)
    async with running(app) as pilot:
        await press(pilot, "enter")
        app.screen.pane.scroll_end(animate=False)
        await pilot.pause()
        text = screen_text(app)
        assert "✗ invoice or receipt" in text and "✓ invoice or receipt" not in text, text
    s.close()


def test_one_background_pass_over_1000_cases_is_quick(tmp_path):
    """The cost of one pass at 1,000 cases with 2 files each (2,000 stats): printed for the
    report, bounded loosely so a slow box still passes (the pass runs in a worker)."""
    cases = []
    for n in range(1, 1001):
        c = Case(id=f"D-{n:04d}", order=f"O-{n}", supplier="S", reason="damaged", amount=Decimal("1"),
                 created_at=NOW, stage_entered_at=NOW)
        for kind in ("photo", "invoice"):
            f = tmp_path / f"{n}-{kind}.jpg"
            f.write_bytes(b"y")
            c.evidence.append(ops.Evidence(str(f), kind, "", NOW, 1, "0" * 64))
        cases.append(c)
    from store.config import defaults

    t = Triage(defaults())
    started = time.perf_counter()
    changed = t.recheck(cases)
    took = time.perf_counter() - started
    print(f"\nevidence pass: 1000 cases, 2000 files: {took * 1000:.1f} ms")
    assert changed == set() and took < 5.0
    (tmp_path / "7-photo.jpg").unlink()
    assert t.recheck(cases) == {"D-0007"}


async def test_the_background_round_is_spread_over_its_interval(tmp_path, cfg):
    """Each tick stats the cases its share of the round's time has reached (300 cases, a
    30 s round: about 10 a second), never the whole board at once, and every case once a round;
    the next round starts when this one's time is over."""
    db = tmp_path / "d.json"
    s = TinyStore(db, cfg=cfg, user="tester", clock=lambda: NOW)
    s.import_cases([case_with_files(n, tmp_path) for n in range(1, 301)])
    clock = Clock()
    app = DisputeApp(s, cfg, clock=clock)
    seen: list[str] = []
    real = app.triage.recheck
    app.triage.recheck = lambda cases, pause=None: (seen.extend(c.id for c in cases), real(cases, pause))[1]
    async with running(app, (120, 40)) as pilot:
        await settle(pilot)
        app.timer.pause()  # only the ticks posted here: the real one-second timer fired between them on a slow run
        seen.clear()
        app.evidence.round = None
        app.evidence.due = None  # a round starts at the next tick
        per_tick = []
        for second in range(EVERY):
            clock.now = NOW + timedelta(seconds=second)
            before = len(seen)
            await one_tick(app, pilot)
            per_tick.append(len(seen) - before)
        # A share each tick; a tick that finds the last slice still running (a slow box) leaves
        # its share to the next, so at most two at once: never the whole board.
        assert max(per_tick) <= 2 * (300 // EVERY) + 1, per_tick
        assert sum(1 for x in per_tick if x > 300 // EVERY + 1) <= 1, per_tick
        assert sum(per_tick) >= 250  # (and the round went on: all but the last share)
        clock.now = NOW + timedelta(seconds=EVERY)
        await one_tick(app, pilot)  # the round's time is over: the rest, and the next round's first
        assert sorted(seen[:300]) == sorted(f"D-{n:04d}" for n in range(1, 301)), (per_tick, len(seen), app.evidence.rechecking)  # each case once
        assert app.evidence.round is not None and app.evidence.done <= 2 and len(seen) <= 302  # the next, begun
    s.close()


def test_give_way_waits_while_keys_are_pressed_and_no_longer(monkeypatch):
    """The background passes' pause: none when no key was pressed lately; while keys come, it
    waits (in small sleeps) until ``quiet`` seconds passed since the last, at most ``most``, or
    until ``stop()``. A fake clock: no real sleep."""
    import tui.app as app_module

    class FakeTime:
        def __init__(self) -> None:
            self.t = 1000.0
            self.slept = 0.0

        def monotonic(self) -> float:
            return self.t

        def sleep(self, s: float) -> None:
            self.slept += s
            self.t += s

    fake = FakeTime()
    monkeypatch.setattr(app_module, "time", fake)
    app = DisputeApp.__new__(DisputeApp)  # give_way reads input_at alone
    app.input_at = 0.0
    app.give_way(lambda: False)
    assert fake.slept == 0.0  # nobody typing: no wait
    app.input_at = fake.t - 0.1
    app.give_way(lambda: False, quiet=0.3)
    assert 0.19 <= fake.slept <= 0.22  # until 0.3 s after the last key
    fake.slept = 0.0
    app.input_at = fake.t + 10  # keys keep coming
    app.give_way(lambda: False, quiet=0.3, most=2.0)
    assert 1.99 <= fake.slept <= 2.03  # at most ``most``
    fake.slept = 0.0
    app.give_way(lambda: True)
    assert fake.slept == 0.0  # stopped (the app closing): at once


async def test_a_card_on_screen_shows_a_deleted_file_at_the_next_minute_without_the_round(tmp_path, cfg,
                                                                                          monkeypatch):
    """The background round may last minutes on a large board: a card on screen does not wait
    for it. Each minute's redraw asks its mark again, and a check older than 30 s is done again."""
    import tui.triage as triage_module

    db = tmp_path / "d.json"
    s = TinyStore(db, cfg=cfg, user="tester", clock=lambda: NOW)
    s.import_cases([case_with_files(1, tmp_path), case_with_files(2, tmp_path)])
    clock = Clock()
    app = DisputeApp(s, cfg, clock=clock)
    async with running(app) as pilot:
        await one_tick(app, pilot)
        assert "✗" not in marks_line(app, "D-0001")
        app.evidence.round = None
        app.evidence.due = NOW + timedelta(days=1)  # no round before tomorrow
        (tmp_path / "1-invoice.pdf").unlink()
        real = time.monotonic
        monkeypatch.setattr(triage_module.time, "monotonic", lambda: real() + 31)  # the last check: 31 s ago
        clock.now = NOW + timedelta(minutes=1)  # the minute turns: the countdowns redraw
        await one_tick(app, pilot)
        await settle(pilot)
        assert "✗ev" in marks_line(app, "D-0001"), screen_text(app)
    s.close()


def test_the_first_round_of_a_large_board_is_stretched_before_it_has_been_measured():
    """No round has said what a case's stat costs yet: the first is stretched by its size (at
    30,000 cases it ran at the 30 s floor, 3-8% of a core for half a minute), a small board's
    keeps the 30 s floor, and a measured round decides after."""
    from tui.evidence import EvidenceChecks

    ev = EvidenceChecks(app=None)  # type: ignore[arg-type]  # (interval reads no app)
    ev.round = [None] * 300
    assert ev.interval() == timedelta(seconds=EVERY)
    ev.round = [None] * 30_000
    assert ev.interval() >= timedelta(seconds=150)
    ev.last_pass = (30_000, 0.5)  # measured: 0.5 s of CPU, a third of a percent of a core over 150 s
    assert ev.interval() == timedelta(seconds=150)
