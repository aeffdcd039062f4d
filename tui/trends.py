"""Charts of ``store.stats.trends`` on the Outcomes screen, drawn with textual-plotext.

Two bar charts: cases opened and resolved per week (whole-number ticks: counts), and money
claimed and recovered per month in one currency at a time (never added across currencies).
Colours come from the theme (``$primary``, ``$success``); the two series also differ in their
block character (full ``█`` against shaded ``▒``) and each chart has a legend, so the chart
reads the same in 16 colours and with ``NO_COLOR``. ``series`` keeps what was plotted: tests
read it, and a chart with nothing to show says so instead of drawing empty axes.
"""

from __future__ import annotations

import math
from decimal import Decimal

from textual.color import Color
from textual_plotext import PlotextPlot

from store.stats import MonthMoney, WeekCount

MARKERS = ("sd", "▒")  # first series: full blocks; second: shaded
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def count_ticks(top: int, rows: int = 6) -> list[int]:
    """Whole-number ticks from 0 to at least ``top``, at most ``rows`` of them."""
    top = max(1, top)
    step = max(1, math.ceil(top / max(1, rows - 1)))
    return list(range(0, top + step, step))


def money_ticks(top: Decimal, rows: int = 5) -> list[float]:
    """Round ticks (1, 2 or 5 times a power of ten) from 0 to at least ``top``."""
    top_f = float(top) if top > 0 else 1.0
    raw = top_f / max(1, rows - 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    n = math.ceil(top_f / step)
    return [i * step for i in range(n + 1)]


def _short(x: float) -> str:
    if x >= 1_000_000:
        return f"{x / 1_000_000:g}M"
    if x >= 10_000:
        return f"{x / 1000:g}k"
    return f"{x:g}"


class TrendChart(PlotextPlot):
    """One chart; ``plot_weeks`` or ``plot_money`` fills it."""

    DEFAULT_CSS = "TrendChart { height: 12; }"

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.series: dict[str, list] = {}
        self.x_labels: list[str] = []
        self.title_text = ""

    def _colours(self) -> list[tuple[int, int, int]]:
        v = self.app.theme_variables
        return [Color.parse(v.get("primary", "#0178d4")).rgb, Color.parse(v.get("success", "#4ebf71")).rgb]

    def _draw(self, title: str, labels: list[str], names: tuple[str, str], values: tuple[list, list],
              ticks: list, tick_text: list[str]) -> None:
        self.title_text, self.x_labels = title, labels
        self.series = {names[0]: list(values[0]), names[1]: list(values[1])}
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title)
        if not labels or not any(values[0]) and not any(values[1]):
            plt.title(title + ": nothing in this period")
        else:
            plt.multiple_bar(labels, [list(values[0]), list(values[1])], labels=list(names),
                             marker=list(MARKERS), color=self._colours())
            plt.yticks(ticks, tick_text)
            plt.ylim(0, ticks[-1])
            every = max(1, math.ceil(len(labels) / 6))  # six x labels fit in 80 columns
            pos = list(range(1, len(labels) + 1, every))
            plt.xticks(pos, [labels[i - 1] for i in pos])
        self.refresh()

    def plot_weeks(self, weeks: list[WeekCount]) -> None:
        labels = [f"{w.start:%m-%d}" for w in weeks]
        opened, resolved = [w.opened for w in weeks], [w.resolved for w in weeks]
        ticks = count_ticks(max(opened + resolved, default=0))
        self._draw("Cases per week (week starting, UTC)", labels, ("opened", "resolved"), (opened, resolved),
                   ticks, [str(t) for t in ticks])

    def plot_money(self, currency: str, months: list[MonthMoney], others: list[str]) -> None:
        labels = [MONTHS[int(m.month[5:7]) - 1] + ("" if m.month[5:7] != "01" else m.month[2:4])
                  for m in months]
        claimed, recovered = [m.claimed for m in months], [m.recovered for m in months]
        ticks = money_ticks(max(claimed + recovered, default=Decimal(0)))
        title = f"{currency} per month"
        if len(others) > 1:
            title += f" ({others.index(currency) + 1}/{len(others)}, c: next currency)"
        self._draw(title, labels, ("claimed", "recovered"),
                   ([float(x) for x in claimed], [float(x) for x in recovered]), ticks,
                   [_short(t) for t in ticks])
        self.series = {"claimed": claimed, "recovered": recovered}  # exact, for readers and tests


__all__ = ["TrendChart", "count_ticks", "money_ticks"]
