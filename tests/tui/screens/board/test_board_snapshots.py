"""Snapshots of the board, the detail, a form and the help at 80x24 and 120x40.

Update after a deliberate change with ``pytest tests/tui/screens/board --snapshot-update`` and look at the
SVGs before committing them.
"""

from __future__ import annotations

import pytest
from tests.support.board import NOW, settle

from store import TinyStore
from store.sample import sample_cases
from tui.app import DisputeApp

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def snap_app(tmp_path, monkeypatch, cfg):
    # A relative path, so the database path in the status line is the same on every machine.
    monkeypatch.chdir(tmp_path)
    store = TinyStore("disputes.json", cfg=cfg, user="tester", clock=lambda: NOW)
    store.import_cases(sample_cases(40, NOW, messages=4, evidence=2))
    yield DisputeApp(store, cfg, clock=lambda: NOW)
    store.close()


async def _settled(pilot):
    await settle(pilot)


def _after(*keys):
    async def run(pilot):
        await settle(pilot)
        for k in keys:
            await pilot.press(k)
            await settle(pilot, 1)
    return run


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_board(snap_compare, snap_app, size):
    assert snap_compare(snap_app, terminal_size=size, run_before=_after("j", "l"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_detail(snap_compare, snap_app, size):
    assert snap_compare(snap_app, terminal_size=size, run_before=_after("enter"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_form(snap_compare, snap_app, size):
    assert snap_compare(snap_app, terminal_size=size, run_before=_after("d", "tab", "ctrl+s"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help(snap_compare, snap_app, size):
    assert snap_compare(snap_app, terminal_size=size, run_before=_after("question_mark"))


def test_wide_board_with_detail_beside(snap_compare, snap_app):
    assert snap_compare(snap_app, terminal_size=(160, 40), run_before=_after("j"))
