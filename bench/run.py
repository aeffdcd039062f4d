#!/usr/bin/env python3
"""`make bench`: issue 11's table (bench/figures.py: every figure at 1,000 and 10,000 cases, each
beside its floor measured in the same run, as one markdown table). The older, finer benches run
with --only: Today's `t` and escape (bench/today_bench.py), the store's (bench/store_bench.py),
the in-process board's (bench/board_bench.py), `disputes import` of 1,000 CSV rows
(bench/import_bench.py).

    make bench                                             # the table, 1,000 and 10,000 cases
    make bench ARGS="--sizes 1000,10000,30000 --json out.json"
    make bench ARGS="--sizes 1000 --only cli,save"         # some groups of the table
    make bench ARGS="--only store --sizes 1000 --saves 500"
    make bench ARGS="--only all"                           # the table, then the three older benches
    make bench ARGS="--only today --sizes 10000"           # `t` and escape back (bench/today_bench.py)

With no --only, or --only naming groups of the table (startup, keys, idle, colleague, memory,
cli, save), every argument goes to bench/figures.py. With --only store|board|import|all, options
the store bench knows go to it (--sizes, --reps, --saves, --seed, --real-import,
--until-compaction, --json, --keep); --cases N goes to the board bench.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
STORE_OPTS = ("--sizes", "--reps", "--saves", "--seed", "--real-import", "--until-compaction", "--json", "--keep")


OLD = ("store", "board", "import", "all")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    only = next((argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--only"), None)
    only = only or next((a.split("=", 1)[1] for a in argv if a.startswith("--only=")), None)
    if only == "today":  # `t` to Today's settled frame and back, more presses (bench/today_bench.py)
        i = argv.index("--only") if "--only" in argv else -1
        argv = argv[:i] + argv[i + 2:] if i >= 0 else [a for a in argv if not a.startswith("--only=")]
        return subprocess.call([sys.executable, str(HERE / "today_bench.py"), *argv])
    if only not in OLD:  # the table, or some of its groups
        return subprocess.call([sys.executable, str(HERE / "figures.py"), *argv])
    status = 0
    if only == "all":
        t = time.perf_counter()
        status |= subprocess.call([sys.executable, str(HERE / "figures.py")])
        print(f"(figures took {time.perf_counter() - t:.0f} s)\n", flush=True)
        i = argv.index("--only") if "--only" in argv else -1
        argv = argv[:i] + argv[i + 2:] if i >= 0 else [a for a in argv if not a.startswith("--only=")]
    return status | old(argv)


def old(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description="Run the store and board benchmarks.", add_help=True)
    ap.add_argument("--only", choices=("store", "board", "import"))
    ap.add_argument("--cases", help="case count for the board bench")
    ap.add_argument("--board-sizes", default="80x24,120x40",
                    help="terminal sizes for the board bench (default 80x24,120x40: the smallest that must "
                         "be fully usable, and a common one)")
    for opt in STORE_OPTS:
        ap.add_argument(opt)
    args, rest = ap.parse_known_args(argv)

    store_args = [x for opt in STORE_OPTS
                  if (v := getattr(args, opt.lstrip("-").replace("-", "_"))) is not None for x in (opt, v)]
    board_args = ["--cases", args.cases] if args.cases else []
    status = 0
    if args.only in (None, "store"):
        t = time.perf_counter()
        status |= subprocess.call([sys.executable, str(HERE / "store_bench.py"), *store_args, *rest])
        print(f"(store bench took {time.perf_counter() - t:.0f} s)\n", flush=True)
    board = HERE / "board_bench.py"
    if args.only in (None, "board"):
        if board.exists():
            for size in args.board_sizes.split(","):
                t = time.perf_counter()
                status |= subprocess.call([sys.executable, str(board), *board_args, "--size", size, *rest])
                print(f"(board bench at {size} took {time.perf_counter() - t:.0f} s)\n", flush=True)
        else:
            print("bench/board_bench.py is not there yet: board bench skipped", flush=True)
    if args.only in (None, "import"):
        t = time.perf_counter()
        status |= subprocess.call([sys.executable, str(HERE / "import_bench.py")])
        print(f"(import bench took {time.perf_counter() - t:.0f} s)\n", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
