#!/usr/bin/env python3
"""Peak memory of one `disputes` command: runs tui.cli.main(argv) in this process and, at exit,
writes this image's VmHWM (KiB, from /proc/self/status) to the file named by $BENCH_PEAK_FILE.
VmHWM starts afresh at exec, unlike a child's ru_maxrss (which keeps the forking parent's peak).
With no arguments after --bare it runs nothing: the bare interpreter's floor.

    .venv/bin/python bench/peak.py list --db X --stage mediation
"""

from __future__ import annotations

import atexit
import os
import sys


def _hwm() -> None:
    where = os.environ.get("BENCH_PEAK_FILE")
    if not where:
        return
    with open("/proc/self/status") as fh:
        kib = next((line.split()[1] for line in fh if line.startswith("VmHWM:")), "0")
    with open(where, "w") as out:
        out.write(kib)


atexit.register(_hwm)

if __name__ == "__main__":
    if sys.argv[1:] == ["--bare"]:
        sys.exit(0)
    if sys.argv[1:2] == ["--json-load"]:
        import json

        with open(sys.argv[2], "rb") as fh:
            json.load(fh)
        sys.exit(0)
    from tui.cli import main

    sys.exit(main(sys.argv[1:]))
