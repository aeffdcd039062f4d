#!/usr/bin/env python3
"""`make bench`: the store benchmark, then the board's (bench/board_bench.py) if it exists, then
`disputes import` of 1,000 CSV rows (bench/import_bench.py).

    .venv/bin/python bench/run.py                          # store at 1,000 and 10,000 cases
    .venv/bin/python bench/run.py --sizes 1000,10000       # store sizes
    .venv/bin/python bench/run.py --cases 5000             # board size (passed to board_bench.py)
    make bench ARGS="--sizes 1000 --saves 500"

Options the store bench knows go to it (--sizes, --reps, --saves, --seed, --real-import, --until-compaction,
--json, --keep); --cases N goes to the board bench; --only store|board|import runs one of them.
Anything else is passed to both.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
STORE_OPTS = ("--sizes", "--reps", "--saves", "--seed", "--real-import", "--until-compaction", "--json", "--keep")


def main(argv: list[str] | None = None) -> int:
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
