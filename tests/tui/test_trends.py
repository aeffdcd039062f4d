"""Trends over time (issue 12): the pure series in store.stats and the Outcomes screen's charts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from textual.app import App

from store import TinyStore
from store.stats import MonthMoney, WeekCount, monthly_money, trends, weekly_counts
from tui.screens.outcomes import OutcomesScreen
from tui.trends import TrendChart, count_ticks, money_ticks

from tests.support.tools import NOW, make_case, screen_text, settle
from tests.support.board import running, press

# NOW is Thursday 2026-11-26: its week starts Monday 2026-11-23.


def _resolved(cid, created, closed, claimed, recovered, currency="USD", outcome="partially_refunded"):
    return make_case(cid, created_at=created, stage_entered_at=closed, stage="resolved", outcome=outcome,
                     opened_at=created, closed_at=closed, claimed=Decimal(claimed),
                     recovered=Decimal(recovered), currency=currency)


def cases():
    d = timedelta(days=1)
    return [
        make_case("D-0001", created_at=NOW - 1 * d),                    # this week
        make_case("D-0002", created_at=NOW - 3 * d),                    # Mon 23 Nov: this week
        make_case("D-0003", created_at=NOW - 4 * d),                    # Sun 22 Nov: last week
        _resolved("D-0004", NOW - 40 * d, NOW - 2 * d, "300", "200"),  # created 17 Oct, closed this week
        _resolved("D-0005", NOW - 9 * d, NOW - 8 * d, "50.50", "50.50", "EUR", "refunded"),
        _resolved("D-0006", NOW - 400 * d, NOW - 380 * d, "999", "999"),  # outside every window
        make_case("D-0007", created_at=NOW + 2 * d),                    # the future: not counted
    ]


def test_weekly_counts_of_a_constructed_set():
    weeks = weekly_counts(cases(), NOW, weeks=3)
    assert weeks == [WeekCount(date(2026, 11, 9), 0, 0),
                     WeekCount(date(2026, 11, 16), 2, 1),  # D-0003 (Sun 22nd), D-0005; D-0005 closed 18th
                     WeekCount(date(2026, 11, 23), 2, 1)]
    assert len(weekly_counts(cases(), NOW)) == 12 and weekly_counts([], NOW, 2)[-1].opened == 0


def test_monthly_money_per_currency_never_added_across():
    months = monthly_money(cases(), NOW, months=2)
    assert list(months) == ["EUR", "USD"]
    assert months["USD"] == [MonthMoney("2026-10", Decimal("300"), Decimal("0")),
                             MonthMoney("2026-11", Decimal("375.03") * 3, Decimal("200"))]
    assert months["EUR"] == [MonthMoney("2026-10", Decimal(0), Decimal(0)),
                             MonthMoney("2026-11", Decimal("50.50"), Decimal("50.50"))]
    assert [m.month for m in monthly_money(cases(), NOW)["USD"]][:2] == ["2025-12", "2026-01"]


def test_ticks_are_whole_numbers_and_round_amounts():
    assert count_ticks(0) == [0, 1] and count_ticks(4) == [0, 1, 2, 3, 4]
    assert count_ticks(23) == [0, 5, 10, 15, 20, 25]
    assert money_ticks(Decimal("1125.09")) == [0, 500, 1000, 1500]


async def test_outcomes_screen_plots_the_series(db_path, cfg):
    s = TinyStore(db_path, cfg=cfg, user="tester", clock=lambda: NOW)
    s.import_cases(cases())
    class Host(App):
        def on_mount(self):
            self.push_screen(OutcomesScreen(s, cfg, lambda: NOW, "tester"))

    app = Host()
    async with running(app) as pilot:
        screen = app.screen
        expected = trends(s.cases(), NOW, cfg)
        weeks = screen.query_one("#chart-weeks", TrendChart)
        assert weeks.series == {"opened": [w.opened for w in expected.weeks],
                                "resolved": [w.resolved for w in expected.weeks]}
        assert weeks.x_labels[-1] == "11-23" and len(weeks.x_labels) == 12
        money = screen.query_one("#chart-money", TrendChart)
        assert screen.currency == "EUR" and money.series["claimed"][-1] == Decimal("50.50")
        await pilot.press("c")  # the next currency
        await pilot.pause()
        assert screen.currency == "USD" and money.series["recovered"][-1] == Decimal("200")
        assert "USD per month (2/2" in money.title_text
        await pilot.press("T")  # jump to the charts: they are on screen at 80x24
        await pilot.pause()
        text = screen_text(app)
        assert "Cases per week" in text and "opened" in text and "resolved" in text
        assert weeks.region.height >= 10 and weeks.region.width >= 70
    s.close()


class _StatsHost(App):
    def __init__(self, store, cfg) -> None:
        super().__init__()
        self.store_lock = __import__("threading").Lock()
        self._args = (store, cfg)

    def on_mount(self) -> None:
        store, cfg = self._args
        self.push_screen(OutcomesScreen(store, cfg, lambda: NOW, "tester"))


def test_trends_snapshot_80x24(snap_compare, db_path, cfg):
    s = TinyStore(db_path, cfg=cfg, user="tester", clock=lambda: NOW)
    s.import_cases(cases())

    async def run(pilot):
        await settle(pilot)
        await press(pilot, "T")

    assert snap_compare(_StatsHost(s, cfg), terminal_size=(80, 24), run_before=run)
    s.close()
