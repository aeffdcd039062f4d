"""Outcomes: what the disputes claimed and what they recovered, from ``store.stats``.

Per currency (money is never added across currencies) a pair of bars, claimed against
recovered; then per supplier and per reason: cases, win rate, recovered share, mean days from
dispute to resolution and how many closed within the expected time, each with a bar of the
recovered share. Bars are Unicode block characters in a Textual ``Content``, coloured through
theme variables; user text (supplier names) goes in literally, cleaned of control characters.
Below them the trends (``store.stats.trends``, drawn by ``tui/trends.py``): cases opened and
resolved per week, money claimed and recovered per month in one currency at a time (``c`` the
next); ``T`` scrolls to them. The figures are computed in a thread worker; ``reload()``
recomputes them.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Callable

from rich.cells import cell_len
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Static

from store import Config, StoreError
from store.stats import Group, Stats, Trends, stats, trends

from .base import StoreScreen
from ..safe import clean, fit, money
from ..trends import TrendChart

EIGHTHS = " ▏▎▍▌▋▊▉█"


def bar(fraction: float, width: int) -> str:
    """``fraction`` (0..1) of ``width`` cells in block characters, to an eighth of a cell."""
    if width <= 0:
        return ""
    f = min(max(fraction, 0.0), 1.0)
    eighths = round(f * width * 8)
    full, part = divmod(eighths, 8)
    out = "█" * full + (EIGHTHS[part] if part else "")
    return out


def pct(x: float | Decimal | None) -> str:
    return "-" if x is None else f"{float(x) * 100:.0f}%"


def main_currency(g: Group) -> str | None:
    """The currency with the most claimed in the group (the one its bar shows)."""
    if not g.claimed:
        return None
    return max(sorted(g.claimed), key=lambda c: g.claimed[c])


class StatsComputed(Message):
    def __init__(self, gen: int, result: Stats | None, error: str = "", trends: Trends | None = None) -> None:
        super().__init__()
        self.gen, self.result, self.error, self.trends = gen, result, error, trends


def render_stats(s: Stats, width: int) -> Content:
    """The whole report for a terminal ``width`` cells wide."""
    width = max(40, width)
    t = s.total
    parts: list = [("Resolved ", "bold"), (f"{t.count}", "bold"), ("  won ", "$text-muted"),
                   (f"{t.wins} ({pct(t.win_rate)})", "bold $success" if t.wins else "bold"),
                   ("  on time ", "$text-muted"), (f"{t.on_time}/{t.timed}" if t.timed else "-", "bold"),
                   ("  mean ", "$text-muted"),
                   (f"{t.mean_days:.1f} days" if t.mean_days is not None else "-", "bold"),
                   ("  open ", "$text-muted"), (f"{s.open_count}", "bold")]
    if s.by_outcome:
        parts += [("\n", ""), ("By outcome ", "$text-muted")]
        parts += [(" · ".join(f"{k.replace('_', ' ')} {v}" for k, v in s.by_outcome.items()), "")]

    # -- claimed vs recovered, per currency --------------------------------------------------
    parts += [("\n\n", ""), ("Claimed vs recovered, per currency", "bold underline")]
    if not t.claimed:
        parts += [("\n", ""), ("no resolved cases yet", "$text-muted")]
    label_w = 10
    amount_w = max((cell_len(money(v)) for v in list(t.claimed.values()) + list(t.recovered.values())), default=4)
    bar_w = max(4, width - 4 - label_w - amount_w - 6 - 3)
    for cur in sorted(t.claimed):
        claimed, recovered = t.claimed[cur], t.recovered.get(cur, Decimal(0))
        share = (recovered / claimed) if claimed else None
        top = claimed if claimed else Decimal(1)
        parts += [("\n", ""), (fit(clean(cur), 4), "bold $accent"), (fit("claimed", label_w), "$text-muted"),
                  (money(claimed).rjust(amount_w) + "  ", ""), (bar(1.0 if claimed else 0.0, bar_w), "$primary")]
        parts += [("\n    ", ""), (fit("recovered", label_w), "$text-muted"),
                  (money(recovered).rjust(amount_w) + "  ", ""),
                  (bar(float(recovered / top), bar_w), "$success"), (f" {pct(share)}", "bold")]
    if s.open_claimed:
        still = " · ".join(f"{money(v, k)}" for k, v in sorted(s.open_claimed.items()))
        parts += [("\n", ""), ("still claimed in open cases: ", "$text-muted"), (clean(still), "")]

    # -- per supplier, per reason -------------------------------------------------------------
    for title, groups, key in (("By supplier", s.by_supplier, "supplier"), ("By reason", s.by_reason, "reason")):
        parts += [("\n\n", "")] + _group_table(title, groups, width, key)
    parts += [("\n\n", ""), ("won: refunded, partially refunded, replaced or compensated. recovered: share of "
                             "the amount claimed, in the group's main currency (* more than one). on time: "
                             "closed within the platform's expected resolution time.", "$text-muted")]
    return Content.assemble(*parts)


def _group_table(title: str, groups: list[Group], width: int, key: str) -> list:
    name_w = max(10, min(30, (width - 40) // 2))
    bar_w = max(4, width - name_w - 38)
    head = fit(title, name_w) + "    n" + "   won" + "  recov" + "   days" + "  on time  " + "recovered share"
    parts: list = [(fit(head, width), "bold underline")]
    if not groups:
        return parts + [("\n", ""), ("none resolved", "$text-muted")]
    for g in groups:
        cur = main_currency(g)
        share = g.share.get(cur) if cur else None
        mixed = len(g.claimed) > 1
        name = g.key.replace("_", " ") if key == "reason" else g.key
        share_text = pct(share) + ("*" if mixed else "")
        win_style = "$success" if g.win_rate and g.win_rate >= 0.5 else "$warning" if g.wins else "$error"
        parts += [
            ("\n", ""), (fit(clean(name), name_w), "bold"),
            (f"{g.count:>5}", ""), (f"{pct(g.win_rate):>6}", win_style), (f"{share_text:>7}", ""),
            (f"{g.mean_days:>7.1f}" if g.mean_days is not None else f"{'-':>7}", ""),
            (f"{(f'{g.on_time}/{g.timed}' if g.timed else '-'):>9}  ", ""),
            (bar(float(share or 0), bar_w), "$success"),
            ("░" * max(0, bar_w - cell_len(bar(float(share or 0), bar_w))), "$text-muted"),
        ]
    return parts


class OutcomesScreen(StoreScreen):
    """Outcomes report. Push it from the board; ``reload()`` recomputes it."""

    DEFAULT_CSS = """
    OutcomesScreen { background: $background; }
    OutcomesScreen #stats-title { height: 1; padding: 0 1; background: $surface; color: $foreground; }
    OutcomesScreen #stats-scroll { height: 1fr; padding: 0 1; background: $background; }
    OutcomesScreen #stats-body { width: 1fr; }
    """

    BINDINGS = [
        Binding("escape,s", "close", "Back", id="stats.close"),
        Binding("r", "reload", "Reload", id="stats.reload"),
        Binding("T", "trends", "Trends", id="stats.trends"),
        Binding("c", "next_currency", "Next currency", show=False, id="stats.next_currency"),
        Binding("j,down", "scroll(1)", "Down", show=False, id="stats.down"),
        Binding("k,up", "scroll(-1)", "Up", show=False, id="stats.up"),
        Binding("pagedown,space", "page(1)", "Page down", show=False, id="stats.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="stats.page_up"),
    ]

    def __init__(self, store, cfg: Config, clock: Callable | None = None, user: str | None = None,
                 lock: threading.Lock | None = None) -> None:
        super().__init__(store, cfg, clock, user, lock, id="stats-screen")
        self.result: Stats | None = None
        self.trends: Trends | None = None
        self.currency: str | None = None  # the money chart's currency
        self._gen = 0

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble(("Outcomes", "bold"), ("  computing…", "$text-muted")), id="stats-title")
        with VerticalScroll(id="stats-scroll"):
            yield Static("", id="stats-body")
            yield Static(Content.assemble(("Trends", "bold underline"), ("  T jumps here", "$text-muted")),
                         id="trends-title")
            yield TrendChart(id="chart-weeks")
            yield TrendChart(id="chart-money")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#stats-scroll").focus()
        self.reload()

    def reload(self) -> None:
        """Recompute the figures from the store (in a worker)."""
        self._gen += 1
        self._compute(self._gen)

    @work(thread=True, group="stats", exclusive=True)
    def _compute(self, gen: int) -> None:
        try:
            with self.store_lock:
                cases = self.store.cases()
        except StoreError as exc:
            self.post_message(StatsComputed(gen, None, str(exc)))
            return
        now = self.clock() if self.clock is not None else max((c.created_at for c in cases), default=None)
        series = trends(cases, now, self.cfg) if now is not None else None
        self.post_message(StatsComputed(gen, stats(cases, self.cfg), trends=series))

    def on_stats_computed(self, msg: StatsComputed) -> None:
        if msg.gen != self._gen:
            return
        if msg.result is None:
            self.notify(clean(msg.error), title="Could not read the database", severity="error", markup=False)
            return
        self.result = msg.result
        self.trends = msg.trends
        self._plot_trends()
        t = msg.result.total
        self.query_one("#stats-title", Static).update(Content.assemble(
            ("Outcomes", "bold"), (f"  {t.count} resolved, {msg.result.open_count} open", "$text-muted")))
        self._draw()

    def on_resize(self) -> None:
        self.call_after_refresh(self._draw)

    def _draw(self) -> None:
        if self.result is None:
            return
        scroll = self.query_one("#stats-scroll", VerticalScroll)
        width = scroll.scrollable_content_region.width or (self.size.width - 2)
        self.query_one("#stats-body", Static).update(render_stats(self.result, width))

    def _plot_trends(self) -> None:
        tr = self.trends
        if tr is None:
            return
        self.query_one("#chart-weeks", TrendChart).plot_weeks(tr.weeks)
        chart = self.query_one("#chart-money", TrendChart)
        currencies = list(tr.months)
        if self.currency not in currencies:
            self.currency = currencies[0] if currencies else None
        chart.display = self.currency is not None
        if self.currency is not None:
            chart.plot_money(self.currency, tr.months[self.currency], currencies)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "next_currency":
            return None if self.trends is None or len(self.trends.months) < 2 else True
        return True

    def action_trends(self) -> None:
        scroll = self.query_one("#stats-scroll", VerticalScroll)
        scroll.scroll_to_widget(self.query_one("#trends-title"), animate=False, top=True)

    def action_next_currency(self) -> None:
        if self.trends is None or not self.trends.months:
            return
        currencies = list(self.trends.months)
        i = currencies.index(self.currency) if self.currency in currencies else -1
        self.currency = currencies[(i + 1) % len(currencies)]
        self._plot_trends()

    def action_close(self) -> None:
        self.dismiss()

    def action_reload(self) -> None:
        self.reload()

    def action_scroll(self, step: int) -> None:
        self.query_one("#stats-scroll", VerticalScroll).scroll_relative(y=step, animate=False)

    def action_page(self, step: int) -> None:
        scroll = self.query_one("#stats-scroll", VerticalScroll)
        (scroll.scroll_page_down if step > 0 else scroll.scroll_page_up)(animate=False)


__all__ = ["OutcomesScreen", "StatsComputed", "render_stats", "bar"]
