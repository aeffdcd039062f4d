"""Shared fixtures: a fixed clock, isolated XDG folders, a seeded temporary database."""

from __future__ import annotations

import asyncio
import inspect
import time
from datetime import datetime
from pathlib import Path

import pytest

from store import TinyStore
from store.config import defaults

from tests.support import NOW
from tests.support.cases import seeded_store


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    """No test reads or writes the real user's config, data or state."""
    home = tmp_path_factory.mktemp("home")
    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state"),
                     ("XDG_CACHE_HOME", "cache")):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.delenv("DISPUTES_DB", raising=False)
    monkeypatch.delenv("DISPUTES_CONFIG", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    # The one clock (store.clock) reads this: writes and reads agree whatever the calendar says.
    monkeypatch.setenv("DISPUTES_NOW", NOW.isoformat())
    return home


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def cfg():
    return defaults()


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "disputes.json"


@pytest.fixture
def store(db_path, cfg):
    s = TinyStore(db_path, cfg=cfg, user="tester", clock=lambda: NOW)
    yield s
    s.close()


@pytest.fixture
def seeded(db_path, cfg):
    """A store holding 40 realistic cases spread over the five stages."""
    s = seeded_store(db_path, cfg)
    yield s
    s.close()


@pytest.fixture
def utc_local_time(monkeypatch):
    """Times on screen are local: make local UTC so screens do not depend on the machine."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run ``async def`` tests (the board's Pilot tests) on a fresh event loop, no plugin needed."""
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        asyncio.run(pyfuncitem.obj(**args))
        return True
    return None
