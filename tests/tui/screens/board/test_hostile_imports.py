"""Generated hostile import files (issue 8: one validator for every way in).

Each file is a valid export mutated: wrong types, nulls, huge numbers, extreme or malformed
dates and offsets, control characters, deep nesting, missing keys, extra keys. Each must be
either refused with one line (exit 1, the database byte for byte unchanged) or leave every read
command working: ``list``, ``show``, ``digest``, ``export --format csv``, ``packet``, and the
board, which starts once at the end on a database holding every accepted case.

``make test`` tries 60 files (a few seconds); ``HYPOTHESIS_PROFILE=nightly`` tries 2,000.
"""

from __future__ import annotations

import copy
import json
import os
import sys

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.board import NOW, running, settle
from tests.support.cli import ok, run, state
from store import TinyStore
from store.sample import sample_cases
from tui.app import DisputeApp

settings.register_profile("quick", max_examples=60, deadline=None, database=None,
                          suppress_health_check=list(HealthCheck))
settings.register_profile("nightly", max_examples=2000, deadline=None, database=None,
                          suppress_health_check=list(HealthCheck))
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "quick")

HOSTILE = [
    None, True, 0, -1, 5, 10 ** 30, 2 ** 63, 1e308, -0.0, 0.001, "", " ", "5", "NaN", "Infinity", "-1",
    "1e999999999", "744.999", "12,50", "XXQ", "usd", "D-0000", "D-99999999999", "d-7", "nobody",
    "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00", "2026-13-45T00:00:00+00:00",
    "2026-12-01T18:00:00+25:00", "2026-12-01T18:00:00-14:30", "2026-12-01", "2026-12-01T18:00:00",
    "2027-06-01T00:00:00+00:00", "01/12/2026", "\x1b[2J\x1b]52;c;aGk=\x07", "\u202eevil\u202c", "\x9b31m",
    "[bold]x[/]", "x" * 300, "x" * 120_000, [], [1, 2], ["ok", 5], {}, {"set": 1}, {"truncate": -1},
    [[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]],
]


def _paths(node, prefix=()):
    """Every place in the document a value sits: (path, parent, key)."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield prefix + (k,), node, k
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield prefix + (i,), node, i
            yield from _paths(v, prefix + (i,))


@st.composite
def hostile(draw, base: dict):
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        places = list(_paths(doc["cases"]))
        _, parent, key = places[draw(st.integers(0, len(places) - 1))]
        how = draw(st.sampled_from(["replace", "replace", "replace", "delete", "text", "nest", "extra"]))
        if how == "replace":
            parent[key] = copy.deepcopy(draw(st.sampled_from(HOSTILE)))
        elif how == "delete":
            if isinstance(parent, dict):
                del parent[key]
            else:
                parent.pop(key)
        elif how == "text":
            parent[key] = draw(st.text(min_size=0, max_size=40))
        elif how == "nest":
            value = parent[key]
            for _ in range(draw(st.integers(1, 600))):
                value = [value]
            parent[key] = value
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["turn", "zzz", "__proto__", ""]))] = draw(st.sampled_from(HOSTILE))
    return doc


def _base(tmp_path) -> tuple[dict, str]:
    seed_db = tmp_path / "seed.json"
    s = TinyStore(seed_db, user="tester", clock=lambda: NOW)
    cases = sample_cases(3, NOW, messages=3, evidence=2, start_id=101)
    s.import_cases(cases)
    s.close()
    ok(seed_db, "offer", "D-0101", "--from", "supplier", "--kind", "partial_refund", "--amount", "10.00")
    ok(seed_db, "deadline", "D-0102", "--kind", "evidence_due", "--due", "2026-12-01T18:00+08:00")
    return orjson.loads(ok(seed_db, "export").encode()), str(seed_db)


def _one_line_refusal(r) -> None:
    lines = r.stderr.strip().splitlines()
    assert r.returncode in (1, 3), (r.returncode, r.stderr[-2000:])
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr[-2000:]


async def test_hostile_import_files_are_refused_or_harmless(tmp_path, cfg, utc_local_time):
    base, _ = _base(tmp_path)
    tried, accepted = [0], []

    @settings(settings.get_profile(PROFILE))
    @given(hostile(base))
    def one(doc):
        tried[0] += 1
        n = tried[0]
        db = tmp_path / f"db-{n}.json"
        ok(db, "add", "--order", "O", "--supplier", "S", "--reason", "damaged", "--amount", "5")
        f = tmp_path / f"hostile-{n}.json"
        f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8", errors="surrogatepass")
        before = state(db)
        r = run(db, "import", str(f))
        if r.returncode != 0:
            _one_line_refusal(r)
            assert state(db) == before, "a refused import changed the database"
            return
        accepted.append(doc)
        ids = [c["id"] for c in json.loads(ok(db, "list", "--json"))]
        for cid in ids:
            ok(db, "show", cid)
            ok(db, "show", cid, "--json")
        ok(db, "digest")
        ok(db, "digest", "--json")
        ok(db, "export", "--format", "csv")
        ok(db, "export")
        r = run(db, "packet", ids[-1], "--output", str(tmp_path / f"p-{n}.zip"), "--force")
        if r.returncode != 0:  # e.g. evidence files that are not on this box: refused, one line
            _one_line_refusal(r)

    one()
    print(f"\nhostile import files: {tried[0]} tried, {len(accepted)} accepted", file=sys.stderr)
    assert tried[0] >= 50

    # The board starts on a database holding every accepted case (renumbered so ids do not clash).
    board_db = tmp_path / "board.json"
    n = 1000
    everything = []
    for doc in accepted:
        for c in doc["cases"]:
            c = dict(c, id=f"D-{n:04d}")
            n += 1
            everything.append(c)
    f = tmp_path / "all-accepted.json"
    f.write_text(json.dumps({"format": "dispute-board-export", "version": 1, "cases": everything}))
    ok(board_db, "add", "--order", "O", "--supplier", "S", "--reason", "damaged", "--amount", "5")
    if everything:
        ok(board_db, "import", str(f))
    s = TinyStore(board_db, cfg=cfg, user="tester", clock=lambda: NOW)
    app = DisputeApp(s, cfg, clock=lambda: NOW)
    async with running(app, (100, 30)) as pilot:
        assert app.is_running and not app._exception
        await pilot.press("enter")  # the detail of the selected case
        await settle(pilot)
        assert not app._exception
    s.close()
