"""Snapshots of the Today and Outcomes screens at 80x24.

Update after a deliberate change with ``pytest tests/tui/screens --snapshot-update`` and look
at the SVGs before committing them.
"""

from __future__ import annotations

import pytest
from tests.support.outcome_cases import outcome_set
from tests.support.host import NOW, Host, settle

from store import TinyStore
from store.sample import sample_cases
from tui.screens.outcomes import OutcomesScreen
from tui.screens.today import TodayScreen


@pytest.fixture
def snap_store(tmp_path, cfg):
    s = TinyStore(tmp_path / "disputes.json", cfg=cfg, user="tester", clock=lambda: NOW)
    yield s
    s.close()


async def _settled(pilot):
    await settle(pilot)


def test_today(snap_compare, snap_store, cfg):
    snap_store.import_cases(sample_cases(40, NOW, messages=4, evidence=2))

    async def run(pilot):
        await settle(pilot)
        await pilot.press("j", "space", "j")
        await settle(pilot, 1)

    app = Host(lambda: TodayScreen(snap_store, cfg, lambda: NOW, "tester"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=run)


def test_stats(snap_compare, snap_store, cfg):
    snap_store.import_cases(outcome_set())
    app = Host(lambda: OutcomesScreen(snap_store, cfg, lambda: NOW, "tester"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=_settled)
