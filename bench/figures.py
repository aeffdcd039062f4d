#!/usr/bin/env python3
"""Issue 11's table: every figure at each size, beside its floor measured in the same run.

    .venv/bin/python bench/figures.py                         # 1,000 and 10,000 cases
    .venv/bin/python bench/figures.py --sizes 1000,10000,30000 --json out.json
    .venv/bin/python bench/figures.py --sizes 1000 --only startup,cli

Databases: ``disputes demo --db X --cases N`` (10 messages and 5 evidence files a case) in a
temporary folder (``--work DIR`` keeps and reuses them), ``$DISPUTES_NOW`` fixed, empty XDG
folders. Every figure is a real process:

- startup: the board (bench/board_proc.py: ``disputes --db X`` with frame marks, bench/marks.py)
  and a bare Textual app (bench/bare_app.py), each on its own pty at 120x40 and 80x24, timed
  from the parent's spawn to the first frame, the first cards, and the first frame with every
  case sorted into its column; launches interleaved, median of ``--launches``, with the user's
  summary cache (store/summary.py) in place; before them, one launch per size with none (the
  first open of a database by a user, which writes it), reported on its own row.
- keys: the key's bytes written to the pty, to the last output before 100 ms of quiet (settled)
  and to the first output; p90 over ``--keys`` presses; j/k/h/l at 80x24 and 160x45 (the detail
  pane beside the board), enter and t at 120x40; floor: the same keys in the bare app.
- idle and a colleague's save: the board's CPU from /proc/PID/stat: over ``--idle-seconds``
  with nothing happening (floor: the bare app over the same window, running beside it), and
  per save of a colleague (a TinyStore in another process), less the idle rate; floor: what
  noticing one save must cost (stat the journal, read and decode the new line). Idle also on a
  running clock (no $DISPUTES_NOW), from 30 s after the sorted frame, over twice the window.
- memory: VmHWM of the board (after the colleague's saves) and of CLI commands (bench/peak.py);
  floors: 2.5x the database plus the bare Textual app / plus a bare interpreter.
- cli: ``disputes`` commands, wall time, median of ``--reps`` interleaved rounds; writers are
  the last out, so they fold the journal at close; floors: ``python -c pass``, ``disputes --help``
  and ``json.load`` of the file, each a process.
- save: bench/store_bench.py's save series (another store open), beside append 4 KB + fsync.

The growth rows compare the largest size to the smallest for every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from term import CLK_TCK, Term  # noqa: E402

NOW = "2026-11-26T09:00:00+00:00"
GROUPS = ("startup", "keys", "idle", "colleague", "memory", "cli", "save")
BIN = Path(sys.executable).parent
PY = sys.executable
DISPUTES = str(BIN / "disputes")


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def med(xs):
    return statistics.median(xs) if xs else None


def pct(xs, q):
    if not xs:
        return None
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, int(round(q * (len(s) - 1)))))]


RUNNING_AFTER = 30  # seconds after the sorted frame: the running-clock idle window starts


class Bench:
    def __init__(self, args) -> None:
        self.args = args
        self.rows: list[dict] = []
        self.raw: dict = {}
        self.work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="disputes-bench-"))
        self.work.mkdir(parents=True, exist_ok=True)
        xdg = self.work / "xdg"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISPUTES_", "TEXTUAL", "COLORTERM"))}
        env.update(DISPUTES_NOW=NOW, XDG_CONFIG_HOME=str(xdg / "config"), XDG_DATA_HOME=str(xdg / "data"),
                   XDG_STATE_HOME=str(xdg / "state"), XDG_CACHE_HOME=str(xdg / "cache"))
        self.env = env
        self.only = set(args.only.split(",")) if args.only else set(GROUPS)

    # -- rows ---------------------------------------------------------------------------------
    def row(self, group, figure, n, value, unit, floor_name=None, floor=None, target=None, kind="ratio",
            note="") -> None:
        """kind 'ratio': target is the most value/floor may be; 'abs': the most value may be."""
        ratio = value / floor if (value is not None and floor) else None
        ok = None
        if target is not None and value is not None:
            ok = (ratio is not None and ratio <= target) if kind == "ratio" else value <= target
        self.rows.append(dict(group=group, figure=figure, cases=n, value=value, unit=unit, floor_name=floor_name,
                              floor=floor, ratio=ratio, target=target, kind=kind, ok=ok, note=note))

    # -- databases ----------------------------------------------------------------------------
    def db(self, n: int) -> Path:
        path = self.work / f"cases-{n}" / "disputes.json"
        if path.exists():
            log(f"{n:,} cases: reusing {path}")
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        log(f"{n:,} cases: disputes demo ...")
        t = time.perf_counter()
        subprocess.run([DISPUTES, "demo", "--db", str(path), "--cases", str(n)], env=self.env, check=True,
                       stdout=subprocess.DEVNULL)
        log(f"{n:,} cases: built in {time.perf_counter() - t:.0f} s, {self.size_mb(path):.1f} MB")
        return path

    @staticmethod
    def size_mb(path: Path) -> float:
        total = path.stat().st_size
        journal = path.with_name(path.name + ".journal")
        if journal.exists():
            total += journal.stat().st_size
        return total / 1e6

    def ids(self, path: Path, stage: str) -> list[str]:
        p = subprocess.run([DISPUTES, "list", "--db", str(path), "--stage", stage, "--json"], env=self.env,
                           capture_output=True, text=True, check=True)
        data = json.loads(p.stdout)
        items = data if isinstance(data, list) else data.get("cases", [])
        return [c["id"] for c in items]

    def check_shape(self, path: Path, n: int, case_id: str) -> str:
        p = subprocess.run([DISPUTES, "show", "--db", str(path), "--json", case_id], env=self.env,
                           capture_output=True, text=True)
        try:
            d = json.loads(p.stdout)
            return f"{case_id}: {len(d.get('messages', []))} messages, {len(d.get('evidence', []))} evidence"
        except ValueError:
            return f"{case_id}: show --json failed: {p.stderr.strip()[:200]}"

    # -- launching ----------------------------------------------------------------------------
    def launch(self, what: str, path: Path | None, size: tuple[int, int]) -> Term:
        argv = [PY, str(HERE / "bare_app.py")] if what == "bare" else [PY, str(HERE / "board_proc.py"), "--db",
                                                                         str(path)]
        logf = str(self.work / f"{what}-{size[0]}x{size[1]}.log")
        return Term(argv, size, self.env, logf)

    def started(self, t: Term, what: str, n: int) -> dict:
        """Seconds from spawn to each mark; a mark that never comes is None (the row says so)
        and the launch goes on, unless the process died."""
        out: dict = {"held": None, "load_s": None}
        timeout = 30 + n / 500
        for mark in (("first",) if what == "bare" else ("first", "cards", "sorted")):
            hit = t.wait_mark(mark, timeout)
            if hit is None and not t.alive():
                raise RuntimeError(f"{what} exited {t.proc.returncode} before its {mark!r} mark (see {t.log_path})")
            out[mark] = None if hit is None else hit[0]
            if hit is None:
                log(f"{what}: no {mark!r} mark within {timeout:.0f} s")
            elif mark == "sorted":
                out["held"] = int(hit[1][0])
                out["load_s"] = float(hit[1][1])
                if out.get("cards") is not None and out["held"]:  # the sorted frame shows cards too
                    out["cards"] = min(out["cards"], out["sorted"])
        return out

    def keys(self, t: Term, seq: list[bytes], back: bytes | None = None, timeout: float = 3.0) -> dict:
        """Settled: the last output before 100 ms of quiet; a key that draws nothing within
        ``timeout`` is counted apart (none), a slower one is cut at ``timeout``."""
        settled, first, none = [], [], 0
        t.wait_quiet(0.3)
        for k in seq:
            got = t.press(k, quiet=0.1, timeout=timeout)
            if got is None:
                none += 1
            else:
                first.append(got[0] * 1000)
                settled.append(got[1] * 1000)
            if back:
                t.press(back, quiet=0.15, timeout=timeout)
                t.wait_quiet(0.2)
        return {"p90": pct(settled, 0.9), "p50": med(settled), "first_p90": pct(first, 0.9), "n": len(settled),
                "none": none}

    # -- one size -----------------------------------------------------------------------------
    def size(self, n: int) -> None:
        path = self.db(n)
        mb = self.size_mb(path)
        self.raw[n] = raw = {"file_mb": mb}
        first_id = "D-" + f"{max(1, n // 2):04d}"
        raw["shape"] = self.check_shape(path, n, first_id)
        log(f"{n:,} cases: {raw['shape']}")
        if self.only & {"startup", "keys", "idle", "colleague", "memory"}:
            self.guarded("board", n, self.boards, n, path, mb, raw)
        if "idle" in self.only:
            self.guarded("idle", n, self.idle_running, n, path, raw)
        if "cli" in self.only or "memory" in self.only:
            self.guarded("cli", n, self.cli, n, path, mb, raw)
        if "save" in self.only:
            self.guarded("save", n, self.saves, n, path, raw)

    def guarded(self, group: str, n: int, fn, *args) -> None:
        """One group failing (a branch changed what it measures through) is a row saying so, and
        the rest of the table is still measured and printed."""
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001 - reported in the table, with the traceback on stderr
            import traceback

            traceback.print_exc()
            self.row(group, f"{group} group", n, None, "", note=f"FAILED: {type(exc).__name__}: {str(exc)[:160]}")

    def boards(self, n, path, mb, raw) -> None:
        a = self.args
        sizes = [tuple(int(x) for x in s.split("x")) for s in a.terminal_sizes.split(",")]
        starts = {("bare", s): [] for s in sizes} | {("board", s): [] for s in sizes}
        key_sets = {"j/k": [b"j", b"k"], "h/l": [b"l", b"h"]}
        keyres: dict = {}
        want_keys = "keys" in self.only
        cold: dict = {}
        if "startup" in self.only:  # the first open of this database by this user: no summary cache yet
            for s in sizes:
                shutil.rmtree(Path(self.env["XDG_CACHE_HOME"]), ignore_errors=True)
                log(f"{n:,} cases: board at {s[0]}x{s[1]}, no summary cache (a first open)")
                t = self.launch("board", path, s)
                try:
                    cold[s] = self.started(t, "board", n)
                finally:
                    t.close()
        for r in range(a.launches):
            for s in sizes:
                for what in ("bare", "board"):
                    log(f"{n:,} cases: {what} at {s[0]}x{s[1]}, launch {r + 1}/{a.launches}")
                    t = self.launch(what, path, s)
                    try:
                        st = self.started(t, what, n)
                        starts[(what, s)].append(st)
                        if r == 0 and want_keys and s == (80, 24):
                            for label, pair in key_sets.items():
                                seq = [pair[0]] * (a.keys // 2) + [pair[1]] * (a.keys // 2) if label == "j/k" \
                                    else pair * (a.keys // 2)
                                keyres[(what, label, "80x24")] = self.keys(t, seq)
                        if r == 0 and s == (120, 40):
                            if want_keys:
                                for label, k in (("enter", b"\r"), ("t", b"t")):
                                    keyres[(what, label, "120x40")] = self.keys(t, [k] * a.open_keys, back=b"\x1b",
                                                                                   timeout=15.0)
                            if what == "board" and self.only & {"idle", "colleague", "memory"}:
                                self.watch(n, path, mb, t, raw)
                            if what == "bare":
                                raw["bare_hwm_mb"] = t.hwm_mb()
                    finally:
                        rc = t.close()
                    if rc not in (0, None):
                        log(f"{what} exited {rc}: see {t.log_path}")
        if want_keys:  # the detail pane beside the board: 160x45
            for what in ("bare", "board"):
                log(f"{n:,} cases: {what} at 160x45, keys")
                t = self.launch(what, path, (160, 45))
                try:
                    self.started(t, what, n)
                    for label, pair in key_sets.items():
                        seq = [pair[0]] * (a.keys // 2) + [pair[1]] * (a.keys // 2) if label == "j/k" \
                            else pair * (a.keys // 2)
                        keyres[(what, label, "160x45")] = self.keys(t, seq)
                finally:
                    t.close()
        raw["starts"] = {f"{w} {s[0]}x{s[1]}": v for (w, s), v in starts.items()}
        raw["keys"] = {" ".join(k): v for k, v in keyres.items()}

        if "startup" in self.only:
            for s in sizes:
                bare = med([x["first"] for x in starts[("bare", s)]])
                board = starts[("board", s)]
                ss = f"{s[0]}x{s[1]}"
                held = {x["held"] for x in board if x["held"] is not None}
                note = f"{len(board)} launches; cases in columns {sorted(held)}"
                if any(h != n for h in held):
                    note += f" (EXPECTED {n})"
                target = 2.5 if n <= 10_000 else 3.5
                load = med([x["load_s"] for x in board if x["load_s"] is not None])
                if load is not None:
                    note += f"; the app's own load: {load * 1000:.0f} ms"
                c = cold.get(s, {})
                if c.get("sorted") is not None:
                    self.row("startup", f"board fully sorted, {ss}, first open (no summary cache)", n,
                             c["sorted"] * 1000, "ms", "bare Textual first paint", bare * 1000, None,
                             note=f"1 launch; first cards {_f(c['cards'] * 1000 if c.get('cards') else None)} ms;"
                                  f" the app's own load: {_f((c.get('load_s') or 0) * 1000)} ms")
                for mark, label, tgt in (("sorted", "fully sorted", target), ("cards", "first cards", None),
                                         ("first", "first frame", None)):
                    got = [x[mark] * 1000 for x in board if x.get(mark) is not None]
                    self.row("startup", f"board {label}, {ss}", n, med(got), "ms", "bare Textual first paint",
                             bare * 1000, tgt, note=(note if mark == "sorted" else "")
                             + ("" if len(got) == len(board) else f"; NO MARK in {len(board) - len(got)} launches"))
        if want_keys:
            for (what, label, ts), res in keyres.items():
                if what != "board":
                    continue
                fl = keyres.get(("bare", label, ts), {})
                limit = 16.0 if label in ("j/k", "h/l") else 50.0
                self.row("keys", f"`{label}` settled p90, {ts}" + (" (detail pane)" if ts == "160x45" else ""), n,
                         res["p90"], "ms", f"bare app `{label}`", fl.get("p90"), limit, kind="abs",
                         note=f"p50 {_f(res['p50'])} ms, first-frame p90 {_f(res['first_p90'])} ms, n={res['n']}"
                              + (f", {res['none']} drew nothing" if res["none"] else ""))

    def watch(self, n, path, mb, t: Term, raw) -> None:
        """On a launched, sorted board at 120x40: idle CPU, a colleague's saves, peak memory."""
        a = self.args
        t.wait_cpu_quiet(window=1.0, max_share=0.05, timeout=30 + n / 1000)
        if "idle" in self.only:
            bare = self.launch("bare", None, (120, 40))
            try:
                self.started(bare, "bare", 0)
                bare.wait_cpu_quiet(window=0.5, timeout=10)
                c0, b0, w0 = t.cpu(), bare.cpu(), time.monotonic()
                time.sleep(a.idle_seconds)
                c1, b1, w1 = t.cpu(), bare.cpu(), time.monotonic()
            finally:
                bare.close()
            idle = (c1 - c0) / (w1 - w0)
            bare_idle = (b1 - b0) / (w1 - w0)
            raw["idle_share"] = idle
            self.row("idle", "idle board, CPU share of a core", n, idle * 100, "%", "bare Textual app, same window",
                     bare_idle * 100, 1.0, kind="abs",
                     note=f"{a.idle_seconds:.0f} s window, /proc/PID/stat ticks of 1/{CLK_TCK} s; "
                          "$DISPUTES_NOW holds the clock, so no minute turns in the window")
        else:
            idle = 0.0
        if "colleague" in self.only:
            self.guarded("colleague", n, self.colleague, n, path, t, idle, raw)
        if "memory" in self.only:
            raw["board_hwm_mb"] = t.hwm_mb()

    def idle_running(self, n, path, raw) -> None:
        """The idle board on a running clock: $DISPUTES_NOW holds time still, so the background
        round over every case's files (spread by the app's clock) barely moves in the row above.
        Here the clock runs; the window starts ``RUNNING_AFTER`` s after the sorted frame (the
        fields' fill and Today's warm-up done) and may hold a minute's turn (the cards' countdowns)."""
        a = self.args
        env = {k: v for k, v in self.env.items() if k != "DISPUTES_NOW"}
        log(f"{n:,} cases: idle board on a running clock")
        t = Term([PY, str(HERE / "board_proc.py"), "--db", str(path)], (120, 40), env,
                 str(self.work / "board-running.log"))
        bare = None
        try:
            hit = t.wait_mark("sorted", 30 + n / 500)
            if hit is None:
                raise RuntimeError(f"no sorted frame (see {t.log_path})")
            bare = self.launch("bare", None, (120, 40))
            self.started(bare, "bare", 0)
            wait = RUNNING_AFTER - (time.monotonic() - t.started - hit[0])
            if wait > 0:
                time.sleep(wait)
            window = 2 * a.idle_seconds
            c0, b0, w0 = t.cpu(), bare.cpu(), time.monotonic()
            time.sleep(window)
            c1, b1, w1 = t.cpu(), bare.cpu(), time.monotonic()
        finally:
            if bare is not None:
                bare.close()
            t.close()
        share, floor = (c1 - c0) / (w1 - w0), (b1 - b0) / (w1 - w0)
        raw["idle_running_share"] = share
        self.row("idle", "idle board on a running clock, CPU share of a core", n, share * 100, "%",
                 "bare Textual app, same window", floor * 100, 1.0, kind="abs",
                 note=f"{window:.0f} s window from {RUNNING_AFTER} s after the sorted frame, no $DISPUTES_NOW")

    def colleague(self, n, path, t: Term, idle: float, raw) -> None:
        a = self.args
        code = ("import sys\nfrom store import TinyStore, ops, clock\nfrom store.config import defaults\n"
                "s = TinyStore(sys.argv[1], cfg=defaults(), user='colleague')\nprint('open', flush=True)\n"
                "for line in sys.stdin:\n"
                "    cid = line.strip()\n"
                "    s.update(cid, lambda c: ops.log(c, 'supplier', 'a colleague logs a reply', clock.now(), s.user))\n"
                "    print('saved', flush=True)\n"
                "s.close()\n")
        peer = subprocess.Popen([PY, "-c", code, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True, env=self.env)
        journal = path.with_name(path.name + ".journal")
        try:
            assert peer.stdout.readline().strip() == "open", "the colleague's store did not open"
            t.wait_cpu_quiet(window=1.0, max_share=0.05, timeout=30)
            floor_cpu = 0.0
            c0, w0 = t.cpu(), time.monotonic()
            for i in range(a.colleague_saves):
                seen = journal.stat().st_size if journal.exists() else 0  # made by the first save
                peer.stdin.write(f"D-{(i * 7919) % n + 1:04d}\n")
                peer.stdin.flush()
                assert peer.stdout.readline().strip() == "saved"
                # the floor: what noticing this one save must cost a reader
                f0 = time.process_time()
                os.stat(path)
                try:
                    with open(journal, "rb") as fh:
                        fh.seek(seen)
                        new_lines = fh.read().splitlines()
                except OSError:  # a store that moved its journal: the floor is the stat alone
                    new_lines = []
                for line in new_lines:  # "<crc32> <json>" a line
                    body = line[9:]
                    try:  # a journal in another format (a branch changed it): the floor is the read alone
                        if body and int(line[:8], 16) == zlib.crc32(body):
                            json.loads(body)
                    except ValueError:
                        pass
                floor_cpu += time.process_time() - f0
                time.sleep(a.poll_wait)  # the board polls every refresh_seconds (1 s by default)
                t.wait_cpu_quiet(window=0.5, max_share=0.05, timeout=30 + n / 500)
            c1, w1 = t.cpu(), time.monotonic()
        finally:
            peer.stdin.close()
            peer.wait(timeout=120)
        per = ((c1 - c0) - idle * (w1 - w0)) / a.colleague_saves
        raw["colleague_cpu_s"] = per
        self.row("colleague", "a colleague's save, CPU of the open board", n, per * 1000, "ms",
                 "read + decode the new journal line", floor_cpu / a.colleague_saves * 1000, 5.0, kind="abs",
                 note=f"{a.colleague_saves} saves from another process, board CPU from /proc/PID/stat less the idle "
                      f"rate, tick {1000 / CLK_TCK:.0f} ms / {a.colleague_saves}")

    # -- CLI ----------------------------------------------------------------------------------
    def cli(self, n, path, mb, raw) -> None:
        a = self.args
        db = ["--db", str(path)]
        show_id = f"D-{max(1, n // 2):04d}"
        disputes = self.ids(path, "dispute")
        mover = disputes[0]
        floors = {
            "python -c pass": [PY, "-c", "pass"],
            "disputes --help": [DISPUTES, "--help"],
            "json.load of the file": [PY, "-c", "import json,sys; json.load(open(sys.argv[1], 'rb'))", str(path)],
        }
        moves = iter([["seller"], ["dispute"]] * (a.reps + 1))
        cmds = {
            "show ID": lambda r: [DISPUTES, "show", *db, show_id],
            "log ID": lambda r: [DISPUTES, "log", *db, "--from", "me", show_id, f"bench note {r}"],
            "move ID": lambda r: [DISPUTES, "move", *db, mover, *next(moves)],
            "edit ID": lambda r: [DISPUTES, "edit", *db, show_id, "--title", f"bench title {r}"],
            "list --stage mediation": lambda r: [DISPUTES, "list", *db, "--stage", "mediation"],
            "digest": lambda r: [DISPUTES, "digest", *db],
        }
        times: dict[str, list[float]] = {k: [] for k in (*floors, *cmds)}
        failures: dict[str, str] = {}
        if "cli" in self.only:
            log(f"{n:,} cases: CLI, {a.reps} rounds")
            for r in range(a.reps):
                for name in times:
                    argv = floors[name] if name in floors else cmds[name](r)
                    t = time.perf_counter()
                    p = subprocess.run(argv, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                    times[name].append((time.perf_counter() - t) * 1000)
                    if p.returncode != 0:
                        failures[name] = f"exit {p.returncode}: {p.stderr.decode(errors='replace').strip()[:120]}"
            raw["cli_ms"] = times
            helpms = med(times["disputes --help"])
            for name in floors:
                self.row("cli", f"floor: `{name}`", n, med(times[name]), "ms")
            for name in cmds:
                target = 2.0 if name in ("show ID", "log ID", "move ID", "edit ID") else 3.0
                note = f"median of {a.reps}" + (", writes: last out, folds the journal" if name in
                                                ("log ID", "move ID", "edit ID") else "")
                if name in failures:
                    note += f"; FAILED {failures[name]}"
                self.row("cli", f"`disputes {name}`", n, med(times[name]), "ms", "`disputes --help`", helpms, target,
                         note=note)
        if "memory" in self.only:
            peaks = {}
            for name, argv in (("bare", ["--bare"]), ("show ID", ["show", *db, show_id]),
                               ("list --stage mediation", ["list", *db, "--stage", "mediation"]),
                               ("digest", ["digest", *db])):
                out = self.work / "peak.txt"
                subprocess.run([PY, str(HERE / "peak.py"), *argv], env=dict(self.env, BENCH_PEAK_FILE=str(out)),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                peaks[name] = int(out.read_text() or 0) * 1024 / 1e6
            raw["cli_hwm_mb"] = peaks
            floor = 2.5 * mb + peaks.pop("bare")
            for name, v in peaks.items():
                self.row("memory", f"peak memory, `disputes {name}`", n, v, "MB", "2.5 x file + bare interpreter",
                         floor, 1.0, note=f"VmHWM; file {mb:.1f} MB")
            if "board_hwm_mb" in raw and "bare_hwm_mb" in raw:
                self.row("memory", "peak memory, board (after the colleague's saves)", n, raw["board_hwm_mb"], "MB",
                         "2.5 x file + bare Textual app", 2.5 * mb + raw["bare_hwm_mb"], 1.0,
                         note=f"VmHWM; bare Textual app {raw['bare_hwm_mb']:.0f} MB")

    # -- saves --------------------------------------------------------------------------------
    def saves(self, n, path, raw) -> None:
        a = self.args
        log(f"{n:,} cases: saves, {a.save_runs} runs of {a.saves}")
        p = subprocess.run([PY, str(HERE / "store_bench.py"), "--child", "saves", "--db", str(path), "--reps",
                            str(a.save_runs), "--saves", str(a.saves)], env=self.env, capture_output=True, text=True)
        if p.returncode != 0:
            self.row("save", "save", n, None, "ms", note=f"FAILED: {p.stderr.strip()[-200:]}")
            return
        r = json.loads(p.stdout)
        raw["save"] = r
        note = f"median of {a.save_runs} runs of {a.saves} fsync'd saves, another store open and polling"
        self.row("save", "save, median", n, r["save_median"], "ms", "append 4 KB + fsync, median",
                 r["floor_median"], 3.0, kind="abs", note=note)
        self.row("save", "save, p99", n, r["save_p99"], "ms", "append 4 KB + fsync, p99", r["floor_p99"], 20.0,
                 kind="abs", note=note)

    # -- growth -------------------------------------------------------------------------------
    def growth(self, sizes: list[int]) -> None:
        lo, hi = min(sizes), max(sizes)
        if hi <= lo:
            return
        linear = hi / lo
        for r in [r for r in self.rows if r["cases"] == hi]:
            base = next((x for x in self.rows if x["cases"] == lo and x["figure"] == r["figure"]), None)
            if base is None or not base["value"] or r["value"] is None or r["figure"].startswith("floor"):
                continue
            g = r["value"] / base["value"]
            shape = "constant" if g < 1.5 else ("linear or better" if g <= linear * 1.1 else "WORSE than linear")
            self.rows.append(dict(group="growth", figure=f"growth: {r['figure']}", cases=f"{lo:,}->{hi:,}", value=g,
                                  unit="x", floor_name="linear", floor=linear, ratio=g / linear, target=1.1,
                                  kind="ratio", ok=g <= linear * 1.1, note=shape))

    def cleanup(self) -> None:
        if not self.args.work:
            shutil.rmtree(self.work, ignore_errors=True)


def _f(v) -> str:
    return "-" if v is None else (f"{v:.1f}" if abs(v) < 100 else f"{v:.0f}")


def ordered(rows: list[dict], sizes: list[int]) -> list[dict]:
    """Group by group (GROUPS' order), then figure (first-measured order), then size, growth last:
    each figure's sizes on adjacent lines. The measuring order interleaves them (idle and the
    colleague's saves are measured on the first board launched)."""
    seen: dict[str, int] = {}
    for r in rows:
        seen.setdefault(r["figure"], len(seen))

    def key(r):
        g = r["group"]
        return (g == "growth", GROUPS.index(g) if g in GROUPS else len(GROUPS), seen[r["figure"]],
                sizes.index(r["cases"]) if r["cases"] in sizes else 0)

    return sorted(rows, key=key)


def table(rows: list[dict]) -> str:
    out = ["| figure | cases | measured | floor (same run) | ratio | target | pass | notes |",
           "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        unit = r["unit"]
        val = "-" if r["value"] is None else f"{_f(r['value'])} {unit}"
        floor = "" if r["floor_name"] is None else f"{r['floor_name']}: {_f(r['floor'])} {unit if unit != 'x' else ''}"
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}x"
        if r["target"] is None:
            target = ""
        elif r["group"] == "growth":
            target = "<= linear"
        elif r["kind"] == "ratio":
            target = f"<= {r['target']:g}x floor"
        else:
            target = f"<= {r['target']:g} {unit}"
        mark = {True: "ok", False: "**MISS**", None: ""}[r["ok"]]
        cases = r["cases"] if isinstance(r["cases"], str) else f"{r['cases']:,}"
        out.append(f"| {r['figure']} | {cases} | {val} | {floor.strip()} | {ratio} | {target} | {mark} | {r['note']} |")
    return "\n".join(out)


def parse(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000", help="case counts (default 1000,10000; 30000 is opt-in)")
    ap.add_argument("--only", help=f"comma-separated groups: {','.join(GROUPS)} (default all)")
    ap.add_argument("--launches", type=int, default=3, help="launches per app and terminal size (default 3)")
    ap.add_argument("--terminal-sizes", default="120x40,80x24")
    ap.add_argument("--keys", type=int, default=40, help="presses per key pair (default 40)")
    ap.add_argument("--open-keys", type=int, default=10, help="presses of enter and of t (default 10)")
    ap.add_argument("--reps", type=int, default=5, help="rounds of CLI commands (default 5)")
    ap.add_argument("--idle-seconds", type=float, default=10.0)
    ap.add_argument("--colleague-saves", type=int, default=20)
    ap.add_argument("--poll-wait", type=float, default=1.3, help=argparse.SUPPRESS)
    ap.add_argument("--saves", type=int, default=200, help="saves per save run (default 200)")
    ap.add_argument("--save-runs", type=int, default=3)
    ap.add_argument("--work", help="build the databases here and keep them (reused when present)")
    ap.add_argument("--json", help="also write rows and raw figures as JSON to this file")
    return ap.parse_args(argv)


def main(argv=None) -> int:
    args = parse(argv)
    sizes = [int(x.replace("_", "")) for x in args.sizes.split(",") if x.strip()]
    bench = Bench(args)
    started = time.perf_counter()
    try:
        for n in sizes:
            bench.size(n)
        bench.growth(sizes)
    finally:
        bench.cleanup()
    bench.rows = ordered(bench.rows, sizes)
    took = time.perf_counter() - started
    print(f"\n## Issue 11 figures ({', '.join(f'{n:,}' for n in sizes)} cases), each beside its floor\n")
    print(table(bench.rows))
    shapes = "; ".join(f"{n:,}: {r.get('file_mb', 0):.1f} MB ({r.get('shape', '')})" for n, r in bench.raw.items())
    print(f"\nDatabases from `disputes demo`: {shapes}. $DISPUTES_NOW={NOW}. Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end; took {took:.0f} s.\n")
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": bench.rows, "raw": {str(k): v for k, v in bench.raw.items()},
                                               "took_s": took}, indent=2, default=str))
    return 0  # a missed target is a finding, not a failure of the bench


if __name__ == "__main__":
    sys.exit(main())
