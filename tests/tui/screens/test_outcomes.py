"""The outcomes screen: the figures of store.stats, per currency, supplier and reason."""

from __future__ import annotations

from tests.support.outcome_cases import HOSTILE, outcome_set
from tests.support.host import NOW, Host, assert_no_controls, screen_text, settle

from store import TinyStore
from tui.screens.outcomes import OutcomesScreen, bar


def test_bar_is_drawn_to_an_eighth_of_a_cell():
    assert bar(1.0, 4) == "████"
    assert bar(0.5, 4) == "██"
    assert bar(0.0, 4) == ""
    assert bar(0.3, 4) == "█▎"  # 1.2 cells: 9.6 eighths round to 10 = 1 cell + 2/8
    assert bar(2.0, 3) == "███"  # clamped


async def test_stats_show_the_numbers_of_a_constructed_set(db_path, cfg):
    s = TinyStore(db_path, cfg=cfg, user="tester", clock=lambda: NOW)
    s.import_cases(outcome_set())
    app = Host(lambda: OutcomesScreen(s, cfg, lambda: NOW, "tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Resolved 4  won 3 (75%)  on time 3/4  mean 15.2 days  open 1" in text
        assert "refunded 2 · partially refunded 1 · rejected 1" in text
        # money per currency, never added across currencies
        usd = [ln for ln in text.splitlines() if "USD" in ln and "claimed" in ln][0]
        assert "4,000.00" in usd
        assert "recovered 1,500.00" in text and "38%" in text
        assert "recovered   800.00" in text and "100%" in text
        assert "still claimed in open cases: 500.00 USD" in text
        rows = {ln.split("  ")[0].strip(): ln for ln in text.splitlines()}
        assert rows["Ningbo Brightway"].split()[2:7] == ["2", "100%", "75%", "20.0", "1/2"]
        assert "[b]x[/b] ␛[2J" in text  # a supplier name shown literally
        assert rows["[b]x[/b] ␛[2J"].split()[2:7] == ["1", "0%", "0%", "14.0", "1/1"]
        assert rows["quality"].split()[1:6] == ["2", "50%", "0%*", "10.5", "2/2"]  # mixed currencies marked
        assert "█" in rows["Ningbo Brightway"]
        assert_no_controls(app)
        assert HOSTILE not in text
    s.close()
