"""Helpers for the board tests."""

from __future__ import annotations

from tests.support import NOW  # noqa: F401 - the one instant every test uses

from store import STAGES


def keymapped_app(store, cfg, keys: dict[str, str]):
    """The board on ``store`` with ``[keys]`` in its config set to ``keys``, at ``NOW``."""
    from store.config import Config
    from tui.app import DisputeApp

    return DisputeApp(store, Config({**cfg.data, "keys": keys}, None), clock=lambda: NOW)


async def open_form(pilot, key: str):
    """Press ``key`` and return the form it opened (failing if it opened none)."""
    from tui.screens.forms import FormScreen

    await pilot.press(key)
    await pilot.pause()
    form = pilot.app.screen
    assert isinstance(form, FormScreen)
    return form


async def settle(pilot, times: int = 2) -> None:
    """Let workers finish and their messages land: loads, saves, evidence marks."""
    app = pilot.app
    for _ in range(times):
        await app.workers.wait_for_complete()
        await pilot.pause()
    for _ in range(30):
        if not app.triage.pending and not app.evidence.marking and not app._loading:
            break
        await app.workers.wait_for_complete()
        await pilot.pause()
    await pilot.pause()


async def one_tick(app, pilot, poll: bool = False) -> None:
    """Post one tick of the app's clock timer, as the timer would, and let its work land.

    ``poll`` makes the tick also look at the file for other processes' changes (the timer does
    that once a refresh interval). No real sleep: the test decides when time passes.
    """
    if poll:
        app._last_poll = float("-inf")
    app._tick()
    await settle(pilot)


def board(app):
    return app.screen_stack[0]


def selected(app):
    return board(app).selected


def column_ids(app, stage: str) -> list[str]:
    return [c.id for c in board(app).query_one(f"#col-{stage}").cases]


def screen_text(app) -> str:
    """What the terminal shows, as plain text."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


STAGE_IDS = STAGES


def as_colleague(db_path, cfg, case_id: str, change, user: str = "alice"):
    """Another person's change to a case, saved through their own store (its own lock and file
    handles), as a colleague's board would."""
    from store import TinyStore

    other = TinyStore(db_path, cfg=cfg, user=user, clock=lambda: NOW)
    try:
        return other.update(case_id, change)
    finally:
        other.close()
