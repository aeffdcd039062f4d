"""The bench table's verdicts (bench/figures.py), without measuring anything: a figure over its
target is printed **MISS**, one within it ok, a growth worse than linear is flagged and a flat one
called constant, and each figure's sizes sit on adjacent lines. A table that said ok to a miss
would make every `make bench` run a lie."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import figures  # noqa: E402


def bench() -> SimpleNamespace:
    b = SimpleNamespace(rows=[])
    b.row = lambda *a, **kw: figures.Bench.row(b, *a, **kw)
    b.growth = lambda sizes: figures.Bench.growth(b, sizes)
    return b


def verdicts(text: str) -> dict[tuple[str, str], str]:
    out = {}
    for line in text.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        out[(cells[0], cells[1])] = cells[6]
    return out


def test_misses_are_marked_and_growth_is_classified():
    b = bench()
    # kind ratio: value / floor against the target
    b.row("startup", "board fully sorted, 80x24", 1000, 900.0, "ms", "bare", 400.0, 2.5)   # 2.25x: ok
    b.row("startup", "board fully sorted, 80x24", 10000, 1100.0, "ms", "bare", 400.0, 2.5)  # 2.75x: miss
    # kind abs: the value itself against the target; the floor is only shown
    b.row("save", "save, median", 1000, 2.9, "ms", "fsync", 1.0, 3.0, kind="abs")
    b.row("save", "save, median", 10000, 45.0, "ms", "fsync", 1.0, 3.0, kind="abs")
    b.row("cli", "floor: `python -c pass`", 1000, 30.0, "ms")
    b.row("cli", "floor: `python -c pass`", 10000, 31.0, "ms")
    b.growth([1000, 10000])
    rows = figures.ordered(b.rows, [1000, 10000])
    text = figures.table(rows)
    v = verdicts(text)
    assert v[("board fully sorted, 80x24", "1,000")] == "ok"
    assert v[("board fully sorted, 80x24", "10,000")] == "**MISS**"
    assert v[("save, median", "1,000")] == "ok"
    assert v[("save, median", "10,000")] == "**MISS**"
    assert v[("floor: `python -c pass`", "1,000")] == ""  # a floor has no target
    grown = {r["figure"]: r for r in rows if r["group"] == "growth"}
    assert grown["growth: board fully sorted, 80x24"]["note"] == "constant"  # 1.2x for 10x the cases
    assert grown["growth: save, median"]["note"] == "WORSE than linear"  # 15.5x for 10x
    assert v[("growth: save, median", "1,000->10,000")] == "**MISS**"
    assert "growth: floor: `python -c pass`" not in grown  # floors are not figures
    figures_in_order = [(r["figure"], r["cases"]) for r in rows if r["group"] != "growth"]
    assert figures_in_order[:2] == [("board fully sorted, 80x24", 1000), ("board fully sorted, 80x24", 10000)]
    assert [r["group"] for r in rows][-2:] == ["growth", "growth"]


def test_a_figure_that_was_not_measured_is_no_verdict():
    b = bench()
    b.row("startup", "board fully sorted, 80x24", 1000, None, "ms", "bare", 400.0, 2.5, note="no 'sorted' mark")
    line = figures.table(b.rows).splitlines()[2]
    assert "| - |" in line and "ok" not in line.split("|")[7] and "no 'sorted' mark" in line
