"""The dispute explanation per reason, the evidence checklist, and the upload-format check."""

from __future__ import annotations

from datetime import timedelta

import pytest

from store import statement
from store.model import REASONS

from tests.support.cases import NOW, add_file, chat, make_case

ARRIVED = {
    "damaged": "The goods arrived damaged.",
    "wrong_item": "The goods delivered are not the items ordered.",
    "not_received": "The goods have not been delivered.",
    "quality": "do not meet the quality and specifications agreed",
    "short_shipment": "fewer goods arrived than were ordered and paid for",
    "payment": "There is a problem with the payment for this order.",
    "other": "The order was not fulfilled as agreed.",
}


@pytest.mark.parametrize("reason", REASONS)
def test_statement_for_each_reason_has_what_the_form_asks_for(reason, tmp_path):
    c = make_case(reason, platform_ref="TA-99120", delivery_estimate=NOW - timedelta(days=15))
    chat(c)
    add_file(c, tmp_path / "cracked 1.jpg", b"jpg", "photo", "carton 3")
    add_file(c, tmp_path / "invoice.pdf", b"pdf", "invoice")
    text = statement.compose(c)
    assert text == statement.compose(c)  # the same case always gives the same text
    lines = text.splitlines()
    assert lines[0] == "Order number: ORD-7781"
    assert "Dispute reference: TA-99120" in lines
    assert "Product: LED panel lights 600x600" in lines
    assert "Order amount: 1,250.10 USD" in lines
    assert "What was ordered: LED panel lights 600x600, order ORD-7781, for 1,250.10 USD." in lines
    assert ARRIVED[reason] in text
    assert "12 of 40 panels arrived with cracked housings." in lines
    assert "Resolution sought: A partial refund of 375.03 USD." in lines
    assert "1. photo: cracked 1.jpg (carton 3)" in lines and "2. invoice: invoice.pdf" in lines
    # seller contact first, as the seed advises; counted from my own messages only
    assert "I contacted the supplier about this on 2026-11-17 (2 messages) and the matter is not resolved." in lines
    if reason == "not_received":
        assert "expected by 2026-11-11" in text and "received 20" not in text
    else:
        assert "received 2026-11-14" in text
    assert "INTERNAL" not in text  # notes are never sent to the platform
    assert "\t" not in text and text.endswith(".\n")


@pytest.mark.parametrize("want, phrase", [
    ("full_refund", "A full refund of 375.03 USD."),
    ("replacement", "Replacement of the affected goods at the supplier's cost (value 375.03 USD)."),
    ("return_refund", "Return of the goods at the supplier's cost and a refund of 375.03 USD."),
])
def test_resolution_sought_names_the_amount(want, phrase):
    assert f"Resolution sought: {phrase}" in statement.compose(make_case(want=want))


def test_claim_defaults_to_the_order_amount_and_no_evidence_says_so():
    text = statement.compose(make_case(claimed=None, want="full_refund", product="", title="Tote bags"))
    assert "A full refund of 1,250.10 USD." in text and "Product: Tote bags" in text
    assert "Evidence: to follow." in text


def test_hostile_user_text_becomes_plain_text():
    c = make_case(description="Bad \x1b[2Jgoods\x1b]52;c;ZXZpbA==\x07 \u202eevil\ttabs\r\nnext")
    text = statement.compose(c)
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text and "\r" not in text
    assert "Bad [2Jgoods]52;c;ZXZpbA== evil tabs\nnext" in text


def test_current_prefers_the_saved_text_and_normalise_tidies_edits():
    c = make_case()
    assert statement.current(c) == statement.compose(c)
    c.statement = statement.normalise("My own words.   \r\n\r\n\n")
    assert c.statement == "My own words.\n" and statement.current(c) == "My own words.\n"
    assert statement.normalise(" \n \n") == ""


def _missing(c):
    return [n.key for n in statement.missing(c)]


def test_damaged_checklist_shows_what_is_still_missing(tmp_path):
    c = make_case("damaged")
    assert _missing(c) == ["photos", "video", "packaging", "invoice", "correspondence"]
    add_file(c, tmp_path / "crack.jpg", b"1", "photo")
    add_file(c, tmp_path / "unboxing.mp4", b"2", "video")
    chat(c)
    assert _missing(c) == ["packaging", "invoice"]
    add_file(c, tmp_path / "IMG_2231.jpg", b"3", "photo", "outer Carton crushed")
    add_file(c, tmp_path / "receipt.pdf", b"4", "receipt")
    assert _missing(c) == []
    checks = {k.need.key: k for k in statement.checklist(c)}
    assert checks["packaging"].met_by == ("IMG_2231.jpg",)
    assert checks["photos"].met_by == ("crack.jpg", "IMG_2231.jpg")
    assert checks["correspondence"].met_by == ("transcript (3 messages)",)
    assert not checks["correspondence"].need.required


@pytest.mark.parametrize("reason, keys", [
    ("not_received", ["tracking", "shipping_docs", "invoice", "correspondence"]),
    ("quality", ["spec", "inspection", "photos", "invoice", "video", "correspondence"]),
    ("wrong_item", ["photos", "order_spec", "invoice", "video", "correspondence"]),
    ("short_shipment", ["packing_list", "photos", "order_spec", "video", "correspondence"]),
    ("payment", ["receipt", "invoice", "correspondence"]),
    ("other", ["invoice", "photos", "correspondence"]),
])
def test_every_reason_has_its_checklist(reason, keys):
    assert [k.need.key for k in statement.checklist(make_case(reason))] == keys


def test_not_received_tracking_is_recognised_by_name(tmp_path):
    c = make_case("not_received")
    add_file(c, tmp_path / "BL-2026-118.pdf", b"bl", "shipping")
    assert _missing(c) == ["tracking", "invoice", "correspondence"]
    add_file(c, tmp_path / "DHL tracking history.pdf", b"trk", "shipping")
    assert "tracking" not in _missing(c)


def test_quality_needs_spec_and_inspection(tmp_path):
    c = make_case("quality")
    add_file(c, tmp_path / "contract.pdf", b"c", "contract")
    add_file(c, tmp_path / "SGS report.pdf", b"i", "inspection")
    assert [n.key for n in statement.missing(c, required_only=True)] == ["photos", "invoice"]


def test_formats_alibaba_does_not_accept_are_flagged_with_advice(tmp_path):
    c = make_case()
    for name, kind in (("a.jpg", "photo"), ("b.PDF", "invoice"), ("c.png", "photo"), ("d.HEIC", "photo"),
                       ("e.mp4", "video"), ("f.jpeg", "photo"), ("g", "other"), ("h.xlsx", "other"),
                       ("i.zip", "video")):
        add_file(c, tmp_path / name, name.encode(), kind)
    flags = {f.name: f for f in statement.format_flags(c)}
    assert sorted(flags) == ["c.png", "d.HEIC", "e.mp4", "f.jpeg", "g"]
    assert str(flags["c.png"]) == "c.png: .png files are not accepted; convert it to jpg"
    assert flags["e.mp4"].advice == "put it in a zip" and flags["f.jpeg"].advice == "rename it to .jpg"
    assert "without an extension" in str(flags["g"])
    c.platform = "paypal"  # no published list: not checked
    assert statement.format_flags(c) == []
