"""Helpers for the board tests."""

from __future__ import annotations

from contextlib import asynccontextmanager

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


@asynccontextmanager
async def running(app, size: tuple[int, int] = (80, 24)):
    """The app running headless at ``size`` with its first load landed; yields the pilot."""
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        yield pilot


async def submit(pilot, form=None, wait: bool = True, **fields):
    """Type ``fields`` into the open form (``name=value`` for the input ``#f-name``) and press
    ctrl+s. ``wait`` lets the save's worker land; without it only the screen redraws (what a
    refused save shows). Returns the form."""
    form = form if form is not None else pilot.app.screen
    for name, value in fields.items():
        form.query_one(f"#f-{name}").value = value
    await pilot.press("ctrl+s")
    if wait:
        await settle(pilot)
    else:
        await pilot.pause()
    return form


async def settle(pilot, times: int = 2) -> None:
    """Let workers finish and their messages land: loads, saves, evidence marks, triage. Works on
    any Textual app (a host app without the board's loaders only waits for its workers)."""
    app = pilot.app
    for _ in range(times):
        await app.workers.wait_for_complete()
        await pilot.pause()
    for _ in range(30):
        if not _busy(app):
            break
        await app.workers.wait_for_complete()
        await pilot.pause()
    await pilot.pause()


def _busy(app) -> bool:
    triage, evidence = getattr(app, "triage", None), getattr(app, "evidence", None)
    return bool(getattr(triage, "pending", False) or getattr(evidence, "marking", False)
                or getattr(getattr(app, "loader", None), "loading", False))


async def press(pilot, *keys: str) -> None:
    """Press ``keys`` and let what they started land (a save, a load, a screen)."""
    await pilot.press(*keys)
    await settle(pilot)


async def one_tick(app, pilot, poll: bool = False) -> None:
    """Post one tick of the app's clock timer, as the timer would, and let its work land.

    ``poll`` makes the tick also look at the file for other processes' changes (the timer does
    that once a refresh interval). No real sleep: the test decides when time passes.
    """
    if poll:
        app.loader.last_poll = float("-inf")
    app.loader.tick()
    await settle(pilot)


def board(app):
    return app.screen_stack[0]


def selected(app):
    return board(app).selected


def column_ids(app, stage: str) -> list[str]:
    return [c.id for c in board(app).query_one(f"#col-{stage}").cases]


def screen_text(app) -> str:
    """What the terminal shows, as plain text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


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


def spy(obj, name: str, record=lambda *args, **kw: args) -> list:
    """Every call of ``obj.name`` from now on, as ``record(*args, **kw)`` made before the call
    runs (it still runs): what a test counts of redraws and refreshes."""
    calls: list = []
    original = getattr(obj, name)

    def wrapper(*args, **kw):
        calls.append(record(*args, **kw))
        return original(*args, **kw)

    setattr(obj, name, wrapper)
    return calls
