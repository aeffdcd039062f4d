"""Outcome statistics on a constructed set of resolved cases."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from store.stats import case_outcome, stats

from tests.support.cases import NOW, make_case

D = Decimal


def resolved(cid, supplier, reason, amount, outcome, recovered, days, claimed=None, currency="USD", **kw):
    opened = NOW - timedelta(days=60)
    return make_case(reason, id=cid, supplier=supplier, amount=D(amount), claimed=None if claimed is None else D(claimed),
                     currency=currency, stage="resolved", outcome=outcome, recovered=D(recovered),
                     opened_at=opened if days is not None else None,
                     closed_at=opened + timedelta(days=days if days is not None else 5), **kw)


def cases():
    return [
        resolved("D-0001", "Ningbo Brightway", "damaged", "100", "refunded", "100", 10),
        resolved("D-0002", "ningbo  Brightway ", "quality", "300", "rejected", "0", 30, claimed="200"),
        resolved("D-0003", "Yiwu Crafts", "damaged", "80", "partially_refunded", "20", 14, currency="EUR"),
        resolved("D-0004", "Yiwu Crafts", "not_received", "50", "replaced", "0", 30, complex=True),
        resolved("D-0005", "Shenzhen Topfly", "damaged", "400", "withdrawn", "0", None),  # settled before a dispute
        make_case("quality", id="D-0006", supplier="Shenzhen Topfly", amount=D("999"), claimed=None, stage="evidence"),
    ]


def test_one_case_outcome_against_the_expected_time(cfg):
    a, b, c, d, e, f = (case_outcome(x, cfg) for x in cases())
    assert (a.claimed, a.recovered, a.share, a.won, a.days, a.expected_days, a.on_time) == (
        D("100"), D("100"), D("1"), True, 10.0, 21.0, True)
    assert (b.claimed, b.won, b.on_time) == (D("200"), False, False)
    assert (d.won, d.expected_days, d.on_time) == (True, 35.0, True)  # complex: 14 more days expected
    assert (e.days, e.on_time) == (None, None)
    assert f is None  # not resolved


def test_totals_per_supplier_and_reason(cfg):
    s = stats(cases(), cfg).to_dict()
    assert s["resolved"] == {
        "count": 5, "wins": 3, "win_rate": 0.6,
        "claimed": {"EUR": "80", "USD": "750"}, "recovered": {"EUR": "20", "USD": "100"},
        "recovered_share": {"EUR": 0.25, "USD": 0.1333}, "mean_days": 21.0, "timed": 4, "on_time": 3,
    }
    assert s["open"] == {"count": 1, "claimed": {"USD": "999"}}
    assert s["by_outcome"] == {"refunded": 1, "rejected": 1, "partially_refunded": 1, "replaced": 1, "withdrawn": 1}
    sup = {g["key"]: g for g in s["by_supplier"]}
    assert [g["key"] for g in s["by_supplier"]] == ["Ningbo Brightway", "Yiwu Crafts", "Shenzhen Topfly"]
    assert sup["Ningbo Brightway"] == {
        "key": "Ningbo Brightway", "count": 2, "wins": 1, "win_rate": 0.5, "claimed": {"USD": "300"},
        "recovered": {"USD": "100"}, "recovered_share": {"USD": 0.3333}, "mean_days": 20.0, "timed": 2, "on_time": 1,
    }
    assert sup["Yiwu Crafts"]["recovered_share"] == {"EUR": 0.25, "USD": 0.0}
    assert sup["Yiwu Crafts"]["win_rate"] == 1.0 and sup["Yiwu Crafts"]["mean_days"] == 22.0
    assert sup["Shenzhen Topfly"]["mean_days"] is None and sup["Shenzhen Topfly"]["win_rate"] == 0.0
    reasons = {g["key"]: g for g in s["by_reason"]}
    assert [g["key"] for g in s["by_reason"]] == ["damaged", "not_received", "quality"]
    assert reasons["damaged"]["count"] == 3 and reasons["damaged"]["wins"] == 2
    assert reasons["damaged"]["claimed"] == {"EUR": "80", "USD": "500"}
    assert reasons["damaged"]["recovered_share"] == {"EUR": 0.25, "USD": 0.2}
    assert reasons["damaged"]["mean_days"] == 12.0


def test_no_cases_no_numbers(cfg):
    s = stats([], cfg).to_dict()
    assert s["resolved"]["count"] == 0 and s["resolved"]["win_rate"] is None and s["resolved"]["mean_days"] is None
    assert s["by_supplier"] == [] and s["open"] == {"count": 0, "claimed": {}}
