"""CLI figures at scale, each beside its floors measured in the same run (issue 11).

    python bench/cli_bench.py DB [DB ...] [--runs 5]

For each database (build one with `disputes demo --db X --cases N`): the median wall time and
the peak memory (the child's ru_maxrss) of `show`, `log`, `move`, `edit`, `list --stage` and
`digest`, each a real process; writes include the fold at exit (each is the last one out).
Floors: `python -c pass`, `disputes --help`, `orjson.loads` of the file (in a process).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

PY = sys.executable
DISPUTES = [PY, "-m", "tui.cli"]


def run(argv: list[str], env: dict) -> tuple[float, float]:
    """(seconds, peak MB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _out, err = p.communicate()
    dt = time.perf_counter() - t
    if p.returncode:
        raise SystemExit(f"{' '.join(argv)}: exit {p.returncode}: {err.decode()[-300:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return dt, max(after.ru_maxrss, before.ru_maxrss) / 1024


def peak(argv: list[str], env: dict) -> float:
    """A child's own peak RSS (MB), read by /usr/bin/time-free means: a wrapper process."""
    code = ("import resource,subprocess,sys;subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([PY, "-c", code, *argv], capture_output=True, text=True, env=env, check=True)
    return int(out.stdout.strip()) / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dbs", nargs="+")
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    env = {**os.environ, "TZ": "UTC", "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    for db in a.dbs:
        src = Path(db)
        work = src.with_name(src.stem + "-bench.json")
        shutil.copyfile(src, work)
        size = work.stat().st_size / 1e6
        w = str(work)
        rows = {
            "python -c pass": [PY, "-c", "pass"],
            "disputes --help": [*DISPUTES, "--help"],
            "orjson.loads(file)": [PY, "-c", f"import orjson;orjson.loads(open({w!r},'rb').read())"],
            "show D-0042": [*DISPUTES, "show", "D-0042", "--db", w],
            "log D-0042": [*DISPUTES, "log", "D-0042", "--from", "me", "bench", "line", "--db", w],
            "move D-0042": None,  # alternates two stages
            "edit D-0042": [*DISPUTES, "edit", "D-0042", "--priority", "3", "--db", w],
            "list --stage mediation": [*DISPUTES, "list", "--stage", "mediation", "--db", w],
            "digest": [*DISPUTES, "digest", "--db", w],
        }
        res = {}
        for name, argv in rows.items():
            times, mems = [], []
            for i in range(a.runs):
                if argv is None:
                    if i == 0:  # from wherever the demo left it: not timed
                        subprocess.run([*DISPUTES, "move", "D-0042", "evidence", "--db", w], env=env,
                                       capture_output=True)
                    cmd = [*DISPUTES, "move", "D-0042", ("mediation", "evidence")[i % 2], "--db", w]
                elif name == "edit D-0042":
                    cmd = argv[:]
                    cmd[cmd.index("3")] = str(i % 2 + 1)
                else:
                    cmd = argv
                times.append(run(cmd, env)[0])
                if i == 0:
                    mems.append(peak(cmd, env))
            res[name] = (statistics.median(times), mems[0])
        help_t = res["disputes --help"][0]
        bare = res["python -c pass"][1]
        print(f"\n{src.name}: {size:.1f} MB, {a.runs} runs, medians")
        print(f"{'':26}{'median ms':>10}{'x --help':>10}{'peak MB':>9}{'MB budget':>10}")
        for name, (t, m) in res.items():
            print(f"{name:26}{t * 1000:10.0f}{t / help_t:10.2f}{m:9.0f}{2.5 * size + bare:10.0f}")
        for p in (work, *work.parent.glob(work.name + ".*")):
            if p.is_file():
                p.unlink()
            elif p.is_dir():
                shutil.rmtree(p, ignore_errors=True)


if __name__ == "__main__":
    main()
