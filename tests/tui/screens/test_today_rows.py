"""Today's row model without a terminal: kept current case by case, it lists exactly what
``store.query.today`` lists over the same cases, and triages only the cases that changed."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tests.support import NOW

from store.query import today
from store.sample import sample_cases
from tui.screens.today_rows import Due, TodayRows, row_parts


def ids(items) -> list[str]:
    return [t.case.id for t in items]


def test_changed_cases_only_are_triaged_and_the_order_is_that_of_store_today(cfg):
    cases = sample_cases(120, NOW, messages=2, evidence=0)
    calls: list[str] = []
    from store.query import triage

    def counted(c, now):
        calls.append(c.id)
        return triage(c, cfg, now)

    rows = TodayRows(cfg, counted)
    rows.rebuild(cases, NOW)
    assert ids(rows.items) == ids(today(cases, cfg, NOW))
    assert len(calls) == len(cases)

    listed = ids(rows.items)
    by_id = {c.id: c for c in cases}
    snoozed = by_id[listed[0]]
    resolved = by_id[listed[1]]
    gone = listed[2]
    quiet = next(c for c in cases if c.id not in listed)  # not in Today: now waiting on me
    new = replace(cases[5], id="D-9999", rev=1)
    changed = {snoozed.id: replace(snoozed, snoozed_until=NOW + timedelta(days=2), rev=snoozed.rev + 1),
               resolved.id: replace(resolved, stage="resolved", rev=resolved.rev + 1),
               quiet.id: replace(quiet, stage="dispute", rev=quiet.rev + 1)}
    after = [changed.get(c.id, c) for c in cases if c.id != gone] + [new]

    calls.clear()
    assert rows.update(after, NOW) is True
    # the other 116 were not triaged again (nor the snoozed one: today() leaves it out first)
    assert sorted(calls) == sorted([i for i in changed if i != snoozed.id] + [new.id])
    assert ids(rows.items) == ids(today(after, cfg, NOW))
    assert snoozed.id not in ids(rows.items) and gone not in rows.by_id and new.id in rows.by_id

    calls.clear()
    assert rows.update(list(after), NOW) is False  # nothing changed: nothing triaged
    assert calls == []


def test_an_older_copy_does_not_replace_a_newer_save(cfg):
    cases = sample_cases(30, NOW, messages=2, evidence=0)
    rows = TodayRows(cfg)
    rows.rebuild(cases, NOW)
    first = rows.items[0].case
    mine = replace(first, snoozed_until=NOW + timedelta(days=1), rev=first.rev + 1)
    assert rows.apply([mine]) is True  # our own bulk save, shown at once
    assert first.id not in ids(rows.items)
    assert rows.update(cases, NOW) is False  # the board still has the older copy: ours stays
    assert rows.by_id[first.id].rev == mine.rev


def test_a_row_says_id_countdown_reason_supplier_and_claim_in_its_width(cfg):
    cases = sample_cases(10, NOW, messages=2, evidence=0)
    t = today(cases, cfg, NOW)[0]
    parts = row_parts(t, Due("2d 3h", "soon", True), 80, 6, cursor=True, marked=True)
    text = "".join(p for p, _ in parts)
    assert len(text) <= 80
    assert text.startswith("▌●" + t.case.id)
    assert "2d 3h" in text and t.why[0][:10] in text
    assert dict((role, p) for p, role in parts)["soon+hard"].strip() == "2d 3h"
    plain = "".join(p for p, _ in row_parts(t, Due("", "ok", False), 80, 6, cursor=False, marked=False))
    assert plain.startswith("  " + t.case.id) and " - " in plain
