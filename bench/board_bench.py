"""Board benchmark: first paint, key-to-frame and the ticking clock at N cases (default 10,000).
In-process and headless: the finer view. bench/figures.py measures the same things from outside,
a real process on a real pty, for issue 11's table.

Builds its database with ``store.sample.sample_cases`` + ``import_cases`` in a temporary folder,
drives the real app headless with Pilot, and measures from inside the app: a key is timed from
the moment the app receives the ``Key`` event to the moment the app hands the next frame to the
driver (the frame is encoded to terminal bytes here too, as a real terminal write would be),
not from Pilot round trips. Prints a markdown table of medians.

    .venv/bin/python bench/board_bench.py [--cases 10000] [--keys 60]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console  # noqa: E402
from textual import events  # noqa: E402
from textual._compositor import CompositorUpdate  # noqa: E402

from store import TinyStore  # noqa: E402
from store.config import defaults  # noqa: E402
from store.sample import sample_cases  # noqa: E402
from tui.app import DisputeApp  # noqa: E402
from tui.widgets.stage_column import StageColumn  # noqa: E402

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)


class BenchApp(DisputeApp):
    """The real app, with a stopwatch on key arrival and on frames leaving for the terminal."""

    def __init__(self, *a, **kw) -> None:
        super().__init__(*a, **kw)
        self.key_at: float | None = None
        self.samples: list[float] = []
        self.frame_bytes: list[int] = []
        self.frames = 0
        self._sink = Console(file=StringIO(), force_terminal=True, color_system="256", width=200)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self.key_at = time.perf_counter()
        await super().on_event(event)

    def _display(self, screen, renderable) -> None:
        if renderable is not None:
            self.frames += 1
            if isinstance(renderable, CompositorUpdate):
                # What a real terminal write would cost: encode the update to bytes.
                out = "".join(seg.text for seg in self._sink.render(renderable))
                self.frame_bytes.append(len(out))
            if self.key_at is not None:
                self.samples.append(time.perf_counter() - self.key_at)
                self.key_at = None
        super()._display(screen, renderable)


async def wait_loaded(app: BenchApp, pilot) -> None:
    while app.loader.first_paint_at is None:
        await asyncio.sleep(0.005)


async def run(n: int, keys: int, size: tuple[int, int]) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.json"
        t = time.perf_counter()
        cases = sample_cases(n, NOW)
        build = TinyStore(db, cfg=defaults(), user="bench", clock=lambda: NOW, fsync=False)
        build.import_cases(cases)
        build.close()
        del cases
        print(f"built {n} cases ({sum(f.stat().st_size for f in Path(tmp).iterdir() if f.is_file()) / 1e6:.1f} MB) in {time.perf_counter() - t:.1f} s",
              file=sys.stderr)

        t0 = time.perf_counter()
        store = TinyStore(db, cfg=defaults(), user="bench", clock=lambda: NOW)
        opened = time.perf_counter() - t0
        now = [NOW]
        app = BenchApp(store, store.cfg, clock=lambda: now[0])
        t1 = time.perf_counter()
        async with app.run_test(size=size) as pilot:
            await wait_loaded(app, pilot)
            first_paint_app = app.loader.first_paint_at - t1
            rows.append(("open the database (store)", f"{opened * 1000:.0f} ms", "once"))
            rows.append(("app start to cards painted", f"{first_paint_app * 1000:.0f} ms", "once"))
            rows.append(("first paint incl. opening the database", f"{(opened + first_paint_app) * 1000:.0f} ms",
                         "target < 1500 ms"))
            while app.loader.full_loaded_at is None:
                await asyncio.sleep(0.01)
            rows.append(("every case decoded, sorted by urgency, counted", f"{(app.loader.full_loaded_at - t1) * 1000:.0f} ms",
                         "from app start; a worker thread, the board is usable meanwhile"))
            await pilot.pause(0.2)

            async def keyset(label: str, seq: list[str]) -> None:
                app.samples.clear()
                for k in seq:
                    await pilot.press(k)
                    await pilot.pause(0.02)
                ms = sorted(s * 1000 for s in app.samples)
                if not ms:
                    rows.append((label, "no frames", ""))
                    return
                rows.append((label, f"{statistics.median(ms):.1f} ms",
                             f"p90 {ms[int(len(ms) * 0.9) - 1]:.1f} ms, n={len(ms)}"))

            await keyset("move selection down (j)", ["j"] * keys)
            await keyset("move selection up (k)", ["k"] * keys)
            await keyset("next/previous column (l/h)", ["l", "h"] * (keys // 2))
            await keyset("last/first card (G/g)", ["G", "g"] * (keys // 4))

            async def openset(label: str, key: str, times: int = 8) -> None:
                """A key that opens a screen, timed to its first frame; escape goes back, untimed."""
                got = []
                for _ in range(times):
                    app.samples.clear()
                    await pilot.press(key)
                    await pilot.pause(0.1)
                    if app.samples:
                        got.append(app.samples[0] * 1000)
                    await pilot.press("escape")
                    await pilot.pause(0.1)
                    app.key_at = None
                got.sort()
                rows.append((label, f"{statistics.median(got):.1f} ms" if got else "no frames",
                             f"p90 {got[max(0, int(len(got) * 0.9) - 1)]:.1f} ms, n={len(got)}" if got else ""))

            await openset("open the case (enter), first frame", "enter")
            await openset("open Today (t), first frame", "t")

            # The clock: one tick when the minute turns redraws the visible lines only.
            calls = [0]
            original = StageColumn.render_line

            def counting(self, y):
                calls[0] += 1
                return original(self, y)

            StageColumn.render_line = counting  # type: ignore[assignment]
            if "--no-recount" in sys.argv:
                app.loader.recount = lambda: None
            tick_ms = []
            tick_calls = []
            for i in range(10):
                now[0] = NOW + timedelta(minutes=i + 1)
                calls[0] = 0
                frames = app.frames
                t = time.perf_counter()
                app.loader.tick()
                while app.frames == frames:
                    await asyncio.sleep(0.001)
                tick_ms.append((time.perf_counter() - t) * 1000)
                tick_calls.append(calls[0])
                await pilot.pause(0.05)
            StageColumn.render_line = original  # type: ignore[assignment]
            visible = sum(c.scrollable_content_region.height for c in app.board.columns)
            rows.append(("clock tick, minute turns (tick to frame)", f"{statistics.median(tick_ms):.1f} ms",
                         f"{statistics.median(tick_calls):.0f} render_line calls; {visible} visible column lines"))
            idle = []
            for _ in range(10):
                t = time.perf_counter()
                app.loader.tick()  # same minute: nothing to redraw, one poll of two stats
                idle.append((time.perf_counter() - t) * 1000)
            rows.append(("clock tick, same minute (poll only)", f"{statistics.median(idle):.2f} ms", ""))
            if app.frame_bytes:
                rows.append(("frame size (256 colours)", f"{statistics.median(app.frame_bytes) / 1024:.1f} KiB",
                             "median"))
        store.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--keys", type=int, default=60, help="key presses per measurement")
    ap.add_argument("--size", default="120x40", help="terminal size, e.g. 80x24")
    ap.add_argument("--no-recount", action="store_true", help="tick without the status-line recount")
    args = ap.parse_args(argv)
    w, h = (int(x) for x in args.size.split("x"))
    rows = asyncio.run(run(args.cases, args.keys, (w, h)))
    print(f"\n### Board at {args.cases:,} cases, {w}x{h}, headless (Textual {_textual_version()})\n")
    print("| measure | median | notes |")
    print("| --- | --- | --- |")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} |")
    return 0


def _textual_version() -> str:
    from importlib.metadata import version

    return version("textual")


if __name__ == "__main__":
    raise SystemExit(main())
