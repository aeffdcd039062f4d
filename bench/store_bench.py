#!/usr/bin/env python3
"""How fast is the store with 1,000 and 10,000 realistic cases?

    .venv/bin/python bench/store_bench.py                    # --sizes 1000,10000
    .venv/bin/python bench/store_bench.py --sizes 2000 --saves 500 --json out.json
    .venv/bin/python bench/store_bench.py --save-only --sizes 1000,10000,30000 --reps 3

First, for each size, the save table: median and p99 of ``--saves`` fsync'd saves, with a
second TinyStore open in another process (polling ``refresh()`` as a board does), each run
beside the floor measured right before it in the same folder (append 4 KB + fsync), medians
over ``--reps`` runs (issue 11's targets: median <= 3 ms, p99 <= 20 ms at every size).

For each size it builds a database of ``store.sample.sample_cases`` (10 messages and 5 evidence
records each, as a case a few weeks old carries), then measures in a fresh process:

- open: constructing a TinyStore on the existing file (what every SSH session does first);
- fetch one: ``store.get(id)`` on an open store;
- save one change: ``store.update(id, ops.log)``, a real fsync'd journal append; median, p95 and
  max over ``--saves`` saves; then it keeps saving until the journal is folded into a new
  snapshot by itself (real thresholds: past max(4 MiB, half the snapshot)) and reports that
  save and the p99/max over the whole run; the first save of a day (it writes the daily
  backup) and a save that triggers a compaction (forced) are reported on their own rows;
- list one stage: ``store.cases("dispute")`` right after open (cold) and again (warm);
- another person's save noticed: ``refresh()`` after a save by a second store;
- peak memory: ru_maxrss of a fresh process that opens the database and lists every case;
- the fold at close: ``close()`` of the last store open after 20 saves (it writes the journal
  into a new snapshot), and of one with nothing to fold.

The machine is shared and noisy: each timing is repeated and the median is printed; compare
ratios, not single numbers. Targets at 10,000 cases: fetch < 1 ms, save < 50 ms, open < 1 s.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from store import TinyStore, ops  # noqa: E402
from store.config import defaults  # noqa: E402
from store.sample import sample_cases  # noqa: E402

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
TARGETS = {"fetch_ms": 1.0, "save_median_ms": 50.0, "open_ms": 1000.0}


def ms(seconds: float) -> float:
    return seconds * 1000.0


def p95(xs: list[float]) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def p99(xs: list[float]) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(0.99 * (len(s) - 1))))]


def maxrss_mb() -> float:
    """Peak resident memory of this process image. ru_maxrss survives execve on Linux (a child
    would inherit the parent's peak), so prefer VmHWM, which starts afresh with the new image."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return ms(time.perf_counter() - t)


# -- building ---------------------------------------------------------------------------------------

def build(path: Path, n: int) -> dict:
    """A database of n sample cases, compacted into one snapshot (the steady state)."""
    cases = sample_cases(n, NOW)
    s = TinyStore(path, cfg=defaults(), user="bench", clock=lambda: NOW)
    t = time.perf_counter()
    s.import_cases(cases)  # the user-facing path: one transaction, one table rebuild
    s.storage.compact()
    built = time.perf_counter() - t
    s.close()
    shutil.rmtree(path.with_name(path.name + ".backups"), ignore_errors=True)
    return {"build_s": built}


# -- measuring (runs in a fresh process per size) --------------------------------------------------

def child_memory(path: str) -> dict:
    base = maxrss_mb()
    t = time.perf_counter()
    s = TinyStore(path, cfg=defaults(), user="bench", clock=lambda: NOW)
    open_ms = ms(time.perf_counter() - t)
    every = s.cases()  # what the board holds: every case decoded
    s.get(every[len(every) // 2].id)
    return {"rss_base_mb": base, "rss_peak_mb": maxrss_mb(), "open_fresh_process_ms": open_ms}


def child_timings(path: str, reps: int, saves: int, seed: int, until_compaction: int = 0) -> dict:
    rng = random.Random(seed)
    day = {"now": NOW}
    cfg = defaults()

    def open_store(user: str = "bench") -> TinyStore:
        return TinyStore(path, cfg=cfg, user=user, clock=lambda: day["now"])

    out: dict = {"snapshot_bytes": os.path.getsize(path)}

    # open, then list one stage cold and warm, on each fresh open
    opens, cold, warm = [], [], []
    for _ in range(reps):
        gc.collect()
        t = time.perf_counter()
        s = open_store()
        opens.append(ms(time.perf_counter() - t))
        cold.append(timed(lambda: s.cases("dispute")))
        warm.append(statistics.median(timed(lambda: s.cases("dispute")) for _ in range(3)))
        s.close()
        del s
    out.update(open_ms=statistics.median(opens), list_cold_ms=statistics.median(cold),
               list_warm_ms=statistics.median(warm), stage_cases=0)

    s = open_store()
    n = s.count()
    out["stage_cases"] = len(s.cases("dispute"))
    ids = [f"D-{k:04d}" for k in range(1, n + 1)]

    # fetch one
    fetches = []
    for _ in range(reps):
        batch = [timed(lambda cid=cid: s.get(cid)) for cid in rng.sample(ids, min(500, n))]
        fetches.append(statistics.median(batch))
    out["fetch_ms"] = statistics.median(fetches)

    def save(store: TinyStore, text: str) -> float:
        cid = rng.choice(ids)
        return timed(lambda: store.update(cid, lambda c: ops.log(c, "me", text, day["now"], store.user)))

    # the first save of a day writes the daily backup of the whole database
    firsts = []
    for d in range(3):
        day["now"] = NOW + timedelta(days=d)
        firsts.append(save(s, f"first save of day {d}"))
    out["first_save_of_day_ms"] = statistics.median(firsts)

    # ordinary saves, real thresholds; count any compaction that happens on its own
    compactions = []
    real_compact = s.storage.compact

    def counting_compact():
        compactions.append(timed(real_compact))
    s.storage.compact = counting_compact
    j0 = os.path.getsize(path + ".journal")
    series = [save(s, f"bench save {i}") for i in range(saves)]
    j1 = os.path.getsize(path + ".journal")
    s.storage.compact = real_compact
    out.update(save_median_ms=statistics.median(series), save_p95_ms=p95(series), save_max_ms=max(series),
               saves=saves, compactions_in_series=len(compactions))
    if j1 > j0:
        line = (j1 - j0) / saves
        snap = os.path.getsize(path)
        threshold = max(s.storage.compact_min_bytes, snap // 2)
        out["journal_line_bytes"] = line
        out["saves_per_compaction"] = int(threshold / line)

    # keep saving, real thresholds, until a compaction happens by itself: its cost in the tail
    if until_compaction and not compactions:
        s.storage.compact = counting_compact
        more = []
        while not compactions and len(series) + len(more) < until_compaction:
            more.append(save(s, f"bench save {len(series) + len(more)}"))
        s.storage.compact = real_compact
        if compactions:
            out.update(natural_compaction_at=len(series) + len(more), natural_compaction_save_ms=more[-1])
            everything = series + more
            out.update(long_series_saves=len(everything), long_series_p99_ms=p99(everything),
                       long_series_max_ms=max(everything))

    # another process's save noticed by an open store
    other = open_store("colleague")
    refreshes = []
    for i in range(max(10, reps * 4)):
        save(other, f"colleague {i}")
        refreshes.append(timed(s.refresh))
    other.close()
    out["refresh_ms"] = statistics.median(refreshes)

    # compaction on its own, then saves that trigger one (forced: every save in this series)
    out["compact_ms"] = statistics.median(timed(s.storage.compact) for _ in range(reps))
    s.storage._maybe_compact = s.storage.compact
    forced = [save(s, f"forced {i}") for i in range(reps)]
    del s.storage._maybe_compact
    out["save_with_compaction_ms"] = statistics.median(forced)
    out["journal_bytes"] = os.path.getsize(path + ".journal")
    s.close()

    # the fold at close: the last process to let go writes the journal into the snapshot
    folds, empties = [], []
    for r in range(reps):
        f = open_store()
        for i in range(20):
            save(f, f"before close {r}-{i}")
        gc.collect()
        folds.append(timed(f.close))
        assert os.path.getsize(path + ".journal") == 0, "the close did not fold"
        g = open_store()
        empties.append(timed(g.close))
    out["fold_at_close_ms"] = statistics.median(folds)
    out["close_nothing_to_fold_ms"] = statistics.median(empties)
    return out


HOLDER = """
import sys, time
sys.path.insert(0, sys.argv[2])
from store import TinyStore
from store.config import defaults
s = TinyStore(sys.argv[1], cfg=defaults(), user="colleague")
print("open", flush=True)
import select
while not select.select([sys.stdin], [], [], 0.5)[0]:
    s.refresh()  # an open board polls for a colleague's save
s.close()
"""


def floor_series(folder: str, count: int) -> list[float]:
    """The floor: append 4 KB and fsync, to a file in the database's folder."""
    where = os.path.join(folder, f"floor-{os.getpid()}")
    fd = os.open(where, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
    block = b"x" * 4095 + b"\n"
    out = []
    try:
        for _ in range(count):
            t = time.perf_counter()
            os.write(fd, block)
            os.fsync(fd)
            out.append(ms(time.perf_counter() - t))
    finally:
        os.close(fd)
        os.unlink(where)
    return out


def child_saves(path: str, runs: int, saves: int, seed: int) -> dict:
    """Save median and p99 with another process holding the database open, each run beside the
    floor measured right before it; medians over the runs."""
    rng = random.Random(seed)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, path, str(ROOT)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open", "the second store did not open"
        s = TinyStore(path, cfg=defaults(), user="bench", clock=lambda: NOW)
        ids = [f"D-{k:04d}" for k in range(1, s.count() + 1)]

        def save(text: str) -> float:
            cid = rng.choice(ids)
            return timed(lambda: s.update(cid, lambda c: ops.log(c, "me", text, NOW, s.user)))

        save("warm-up: the day's backup")
        per_run = []
        for r in range(runs):
            floor = floor_series(os.path.dirname(path), saves)
            series = [save(f"save {r}-{i}") for i in range(saves)]
            per_run.append({"floor_median": statistics.median(floor), "floor_p99": p99(floor),
                            "save_median": statistics.median(series), "save_p99": p99(series)})
        s.close()
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    return {k: statistics.median(r[k] for r in per_run) for k in per_run[0]} | {"runs": runs, "saves": saves}


def save_table(results: dict[int, dict]) -> str:
    lines = ["| cases | save median | floor median | ratio | save p99 | floor p99 | ratio |", "|---" * 7 + "|"]
    for n in sorted(results):
        r = results[n]
        lines.append(f"| {n:,} | {r['save_median']:.2f} ms | {r['floor_median']:.2f} ms | "
                     f"{r['save_median'] / r['floor_median']:.1f}x | {r['save_p99']:.2f} ms | "
                     f"{r['floor_p99']:.2f} ms | {r['save_p99'] / r['floor_p99']:.1f}x |")
    any_r = next(iter(results.values()))
    lines.append(f"\nMedians of {any_r['runs']} runs of {any_r['saves']} fsync'd saves on random cases, another "
                 f"process holding the database open; floor: append 4 KB + fsync in the same folder, "
                 f"measured right before each run. Targets: median <= 3 ms, p99 <= 20 ms.\n")
    return "\n".join(lines)


def run_child(mode: str, path: Path, args) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, "--db", str(path), "--reps", str(args.reps),
           "--saves", str(args.saves), "--seed", str(args.seed), "--until-compaction", str(args.until_compaction)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"bench child ({mode}) failed:\n{p.stderr}")
    return json.loads(p.stdout)


# -- report -------------------------------------------------------------------------------------------

ROWS = [
    # key, label, format, target key
    ("snapshot_mb", "database size (snapshot)", "{:.1f} MB", None),
    ("open_ms", "open (construct TinyStore on the file)", "{:.0f} ms", "open_ms"),
    ("open_fresh_process_ms", "open, first in a fresh process", "{:.0f} ms", None),
    ("fetch_ms", "fetch one case (get by id)", "{:.3f} ms", "fetch_ms"),
    ("save_median_ms", "save one change (median)", "{:.1f} ms", "save_median_ms"),
    ("save_p95_ms", "save one change (p95)", "{:.1f} ms", None),
    ("save_max_ms", "save one change (max)", "{:.1f} ms", None),
    ("compactions_in_series", "compactions during those saves", "{:d}", None),
    ("saves_per_compaction", "saves between two compactions", "~{:,d}", None),
    ("compact_ms", "compaction alone", "{:.0f} ms", None),
    ("save_with_compaction_ms", "a save that triggers a compaction (forced)", "{:.0f} ms", None),
    ("natural_compaction_at", "saving on: first compaction by itself at save no.", "{:,d}", None),
    ("natural_compaction_save_ms", "  that save took", "{:.0f} ms", None),
    ("long_series_p99_ms", "  p99 over all those saves", "{:.1f} ms", None),
    ("long_series_max_ms", "  max over all those saves", "{:.1f} ms", None),
    ("first_save_of_day_ms", "first save of the day (daily backup)", "{:.0f} ms", None),
    ("fold_at_close_ms", "close by the last process (folds 20 saves in)", "{:.0f} ms", None),
    ("close_nothing_to_fold_ms", "close by the last process, journal empty", "{:.2f} ms", None),
    ("refresh_ms", "notice a colleague's save (refresh)", "{:.2f} ms", None),
    ("list_cold_ms", "list one stage, cold (after open)", "{:.0f} ms", None),
    ("list_warm_ms", "list one stage, warm", "{:.1f} ms", None),
    ("stage_cases", "  cases in that stage", "{:,d}", None),
    ("rss_peak_mb", "peak memory (VmHWM, open + list all)", "{:.0f} MB", None),
    ("rss_base_mb", "  of which interpreter + imports", "{:.0f} MB", None),
    ("build_s", "build the database (not a target)", "{:.1f} s", None),
]
TARGET_TEXT = {"open_ms": "< 1 s", "fetch_ms": "< 1 ms", "save_median_ms": "< 50 ms"}


def table(results: dict[int, dict], saves: int, reps: int) -> str:
    sizes = sorted(results)
    head = "| measure | " + " | ".join(f"{n:,} cases" for n in sizes) + " | target at 10,000 |"
    lines = [head, "|---" * (len(sizes) + 2) + "|"]
    for key, label, fmt, tkey in ROWS:
        cells = []
        for n in sizes:
            v = results[n].get(key)
            if v is None:
                cells.append("-")
                continue
            text = fmt.format(v)
            if tkey and n == 10_000:
                text += " ok" if v < TARGETS[tkey] else " MISSED"
            cells.append(text)
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {TARGET_TEXT.get(tkey, '')} |")
    lines.append("")
    lines.append(f"Medians of {reps} repetitions; saves: {saves} fsync'd saves on random cases; "
                 f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs.\n")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated case counts (default 1000,10000)")
    ap.add_argument("--reps", type=int, default=5, help="repetitions per timing (default 5)")
    ap.add_argument("--saves", type=int, default=200, help="saves in the save series (default 200)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--until-compaction", type=int, default=6000, metavar="N",
                    help="after the save series, keep saving until the journal compacts by itself, at most "
                         "N saves in all (0: don't); default 6000")
    ap.add_argument("--json", metavar="FILE", help="also write the raw results as JSON")
    ap.add_argument("--keep", metavar="DIR", help="build the databases in DIR and keep them")
    ap.add_argument("--save-only", action="store_true",
                    help="only the save series: median and p99 beside the fsync floor, another store open")
    ap.add_argument("--child", choices=("memory", "timings", "saves"), help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child == "memory":
        print(json.dumps(child_memory(args.db)))
        return 0
    if args.child == "saves":
        print(json.dumps(child_saves(args.db, args.reps, args.saves, args.seed)))
        return 0
    if args.child == "timings":
        print(json.dumps(child_timings(args.db, args.reps, args.saves, args.seed, args.until_compaction)))
        return 0

    sizes = [int(x.replace("_", "")) for x in args.sizes.split(",") if x.strip()]
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="store-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results: dict[int, dict] = {}
    try:
        for n in sizes:
            path = work / f"bench-{n}" / "disputes.json"
            if path.parent.exists():
                shutil.rmtree(path.parent)
            path.parent.mkdir(parents=True)
            print(f"store bench: {n:,} cases: building...", file=sys.stderr, flush=True)
            r = build(path, n)
            r["snapshot_mb"] = os.path.getsize(path) / 1e6
            print(f"store bench: {n:,} cases: measuring...", file=sys.stderr, flush=True)
            r.update(run_child("saves", path, args))
            if args.save_only:
                results[n] = r
                continue
            r.update(run_child("memory", path, args))
            r.update(run_child("timings", path, args))
            results[n] = r
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    print(f"\n## Save, beside the floor ({', '.join(f'{n:,}' for n in sizes)} cases)\n")
    print(save_table(results))
    if not args.save_only:
        print(f"\n## Store ({', '.join(f'{n:,}' for n in sizes)} cases)\n")
        print(table(results, args.saves, args.reps))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
