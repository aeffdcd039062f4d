#!/usr/bin/env python3
"""`t` on the board: keypress to Today's settled frame, and back (escape), on a real pty.

    .venv/bin/python bench/today_bench.py --sizes 10000 --rounds 3 --presses 10
    make bench ARGS="--only today --sizes 10000 --rounds 3 --presses 8"

The same measure as bench/figures.py's keys group (bench/term.py: the key's bytes written to
the pty, to the last output before 100 ms of quiet), but only ``t``, with more presses, the CPU
each press costs the process (/proc/PID/stat), and escape (back to the board) as a figure of its
own. Each round launches the bare Textual app (bench/bare_app.py, whose ``t`` pushes a
one-Static screen: the floor) and the board (bench/board_proc.py) at 120x40, one after the
other, on the same database (``disputes demo``, as figures.py builds it; ``--work DIR`` keeps and
reuses it). Medians over every press of every round; p90 beside them. The board's background
evidence pass (every 30 s or more) lands inside some press of a round: it shows in the p90, not
the median. ``$DISPUTES_NOW`` is fixed, so the board's minute never turns here: every press
after the first is Today at the same minute (the first builds and ranks it).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from figures import Bench, med, pct  # noqa: E402
from term import Term  # noqa: E402


def presses(t: Term, n: int, key: bytes = b"t", back: bytes = b"\x1b") -> dict:
    """``n`` times: ``key`` then ``back``; settled and first-output ms of each, CPU ms of each."""
    out: dict = {"t": [], "t_first": [], "t_cpu": [], "back": [], "back_cpu": [], "none": 0}
    t.wait_quiet(0.3)
    for _ in range(n):
        for k, name in ((key, "t"), (back, "back")):
            cpu = t.cpu()
            got = t.press(k, quiet=0.1, timeout=15.0)
            t.wait_quiet(0.2)
            out[f"{name}_cpu"].append((t.cpu() - cpu) * 1000)
            if got is None:
                out["none"] += 1
                continue
            out[name].append(got[1] * 1000)
            if name == "t":
                out["t_first"].append(got[0] * 1000)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--presses", type=int, default=10)
    ap.add_argument("--work", help="folder for the databases (kept, reused)")
    ap.add_argument("--json", help="write the raw figures here")
    a = ap.parse_args(argv)
    bench = Bench(argparse.Namespace(work=a.work, only="keys"))
    raw: dict = {}
    lines = ["| cases | figure | median ms | p90 ms | floor: bare app `t` median ms | ratio |", "|---|---|---|---|---|---|"]
    try:
        for n in [int(x) for x in a.sizes.split(",")]:
            path = bench.db(n)
            res: dict = {"bare": [], "board": []}
            for r in range(a.rounds):
                for what in ("bare", "board"):
                    print(f"[today {time.strftime('%H:%M:%S')}] {n:,}: {what}, round {r + 1}/{a.rounds}",
                          file=sys.stderr, flush=True)
                    t = bench.launch(what, path, (120, 40))
                    try:
                        bench.started(t, what, n)
                        t.wait_cpu_quiet(window=1.0, max_share=0.05, timeout=30 + n / 1000)
                        res[what].append(presses(t, a.presses))
                    finally:
                        t.close()
            raw[n] = res

            def every(what, key):
                return [x for run in res[what] for x in run[key]]

            floor = med(every("bare", "t"))
            for label, key in (("`t` settled", "t"), ("`t` first output", "t_first"), ("`t` CPU", "t_cpu"),
                               ("escape back, settled", "back"), ("escape back, CPU", "back_cpu")):
                xs, fl = every("board", key), med(every("bare", key))
                ratio = med(xs) / fl if xs and fl else None
                lines.append(f"| {n:,} | {label} | {med(xs):.1f} | {pct(xs, 0.9):.1f} | "
                             f"{fl:.1f} | {ratio:.2f} |" if xs and fl is not None else f"| {n:,} | {label} | - | - | - | - |")
            lines.append(f"| {n:,} | per-round `t` medians (board / bare) | "
                         + " ".join(f"{med(x['t']):.0f}" for x in res["board"]) + " / "
                         + " ".join(f"{med(x['t']):.0f}" for x in res["bare"]) + f" | | {floor:.1f} | |")
    finally:
        if not a.work:
            bench.cleanup()
    print("\n".join(lines))
    if a.json:
        Path(a.json).write_text(json.dumps(raw, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
