"""Fixtures for the board's extra screens (Today, Stats, Statement): a minimal host app on
the seeded 40-case database, with the fixed clock and local time set to UTC."""

from __future__ import annotations

import asyncio
import inspect
import time

import pytest


@pytest.fixture(autouse=True)
def utc_local_time(monkeypatch):
    """Times on screen are local: make local UTC so screens do not depend on the machine."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run ``async def`` tests on a fresh event loop (no asyncio plugin needed)."""
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        asyncio.run(pyfuncitem.obj(**args))
        return True
    return None
