"""Board fixtures: the app on the seeded 40-case database, with the fixed clock."""

from __future__ import annotations

import asyncio
import inspect
import time

import pytest

from board_helpers import NOW
from tui.app import DisputeApp


@pytest.fixture(autouse=True)
def utc_local_time(monkeypatch):
    """Times on screen are local: make local UTC so screens do not depend on the machine."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def app(seeded, cfg):
    return DisputeApp(seeded, cfg, clock=lambda: NOW)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run ``async def`` tests on a fresh event loop (no asyncio plugin needed)."""
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        asyncio.run(pyfuncitem.obj(**args))
        return True
    return None
