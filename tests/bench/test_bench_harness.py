"""The bench harness still measures (bench/figures.py): a 50-case board and the bare Textual app,
each a real process on a real pty at 80x24, reach their marks, and the board's "fully sorted"
frame holds every case. Catches a bench broken by a change to the app (a renamed attribute, a
crash on launch) before `make bench` is run at scale. Not a timing test: no figure is compared."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support import ROOT



def test_startup_figure_of_a_small_board(tmp_path):
    out = tmp_path / "figures.json"
    p = subprocess.run([sys.executable, str(ROOT / "bench" / "figures.py"), "--sizes", "50", "--only", "startup",
                        "--launches", "1", "--terminal-sizes", "80x24", "--work", str(tmp_path / "work"),
                        "--json", str(out)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    data = json.loads(out.read_text())
    rows = {r["figure"]: r for r in data["rows"]}
    sorted_row = rows["board fully sorted, 80x24"]
    assert sorted_row["value"] > 0 and sorted_row["floor"] > 0 and sorted_row["ratio"] > 0
    assert sorted_row["target"] == 2.5
    start = data["raw"]["50"]["starts"]["board 80x24"][0]
    assert start["held"] == 50, "the sorted frame must hold every case in the columns"
    assert start["first"] <= start["sorted"]
    assert "| board fully sorted, 80x24 | 50 |" in p.stdout
