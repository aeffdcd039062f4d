"""The New and Edit forms take every date a clock rule counts from, and the long texts are
multi-line text areas (issue 9, "The board says what it knows")."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.support.board import open_form, press, running, screen_text, selected
from textual import events
from textual.widgets import TextArea

from store.clocks import clocks
from tui.screens.detail import DetailScreen
from tui.screens.forms import FormScreen

REPLY = ("Dear buyer,\r\nWe checked the cartons again.\r\n\r\nWe offer 30% refund or a resend.\r\n"
         "Best regards,\r\nLily (Ningbo Bright)")
REPLY_LINES = ["Dear buyer,", "We checked the cartons again.", "", "We offer 30% refund or a resend.",
               "Best regards,", "Lily (Ningbo Bright)"]


def field(form, name):
    return form.query_one(f"#f-{name}")


def set_text(form, name: str, value: str) -> None:
    w = field(form, name)
    if isinstance(w, TextArea):
        w.load_text(value)
    else:
        w.value = value


async def paste(pilot, widget, text: str) -> None:
    widget.focus()
    await pilot.pause()
    pilot.app.post_message(events.Paste(text))  # as the driver does: the app hands it to the focused widget
    await pilot.pause()


async def test_new_case_takes_paid_shipped_and_delivery_estimate(app, seeded, cfg):
    async with running(app) as pilot:
        form = await open_form(pilot, "n")
        for name in ("paid", "shipped", "delivery_estimate"):
            assert field(form, name) is not None
        for name, value in {"supplier": "Paypal Paid Co", "order": "PP-1", "amount": "300.00", "reason": "damaged",
                            "platform": "paypal", "paid": "2026-10-02T10:00+00:00", "shipped": "2026-10-05",
                            "delivery_estimate": "2026-10-20"}.items():
            set_text(form, name, value)
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, FormScreen), screen_text(app)
        case = next(c for c in seeded.cases() if c.supplier == "Paypal Paid Co")
        assert case.paid_at == datetime(2026, 10, 2, 10, 0, tzinfo=timezone.utc)
        assert case.shipped_at.date().isoformat() == "2026-10-05"
        assert case.delivery_estimate.date().isoformat() == "2026-10-20"
        window = next(k for k in clocks(case, cfg) if k.kind == "protection_window")
        assert window.due == case.paid_at + timedelta(days=180)  # PayPal: 180 days from payment


async def test_edit_sets_the_delivery_estimate_amazons_window_counts_from(app, seeded, cfg):
    target = next(c for c in seeded.cases() if c.stage == "seller")
    seeded.update(target.id, lambda c: (setattr(c, "platform", "amazon"), ("edit", "amazon"))[1])
    async with running(app) as pilot:
        assert app.board.select_case(target.id)
        form = await open_form(pilot, "e")
        assert field(form, "paid").value  # the sample case's payment date is shown to edit
        set_text(form, "delivery_estimate", "2026-11-01T12:00+00:00")
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, FormScreen), screen_text(app)
        fresh = seeded.get(target.id)
        assert fresh.delivery_estimate == datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
        assert "delivery-estimate" in fresh.history[-1].detail
        window = next(k for k in clocks(fresh, cfg) if k.kind == "protection_window")
        assert window.due == fresh.delivery_estimate + timedelta(days=90)


async def test_a_pasted_multi_line_reply_keeps_every_line(app, seeded):
    async with running(app) as pilot:
        case = selected(app)
        form = await open_form(pilot, "m")
        await paste(pilot, field(form, "text"), REPLY)
        await pilot.press("enter")  # in the text area enter adds a line; it does not save
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        await press(pilot, "backspace", "ctrl+s")
        assert not isinstance(app.screen, FormScreen), screen_text(app)
        msg = seeded.get(case.id).messages[-1]
        assert msg.sender == "supplier" and msg.text.split("\n") == REPLY_LINES
        await pilot.press("enter")  # the detail shows all of it
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        pane = app.screen.pane
        seen = []
        for y in range(0, int(pane.max_scroll_y) + 10, 8):  # page through the whole detail
            pane.scroll_to(y=y, animate=False)
            await pilot.pause()
            seen.append(screen_text(app))
        text = "\n".join(seen)
        for line in REPLY_LINES[1:]:
            assert line in text, text


async def test_the_description_is_a_text_area_and_keeps_its_lines(app, seeded):
    async with running(app) as pilot:
        case = selected(app)
        form = await open_form(pilot, "e")
        area = field(form, "description")
        assert isinstance(area, TextArea)
        area.load_text("")
        await paste(pilot, area, "Ordered: 40 cartons\nArrived: 31 cartons, 6 crushed\nWant: refund for 15")
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, FormScreen), screen_text(app)
        assert seeded.get(case.id).description == "Ordered: 40 cartons\nArrived: 31 cartons, 6 crushed\nWant: refund for 15"


async def test_control_characters_pasted_into_a_text_area_are_replaced(app, seeded):
    async with running(app) as pilot:
        await pilot.press("m")
        await pilot.pause()
        area = field(app.screen, "text")
        await paste(pilot, area, "fine\n\x1b]52;c;aGk=\x07 \x1b[2J done")
        assert "\x1b" not in area.text and "\x07" not in area.text
        assert area.text.startswith("fine\n")


async def test_forms_fit_80x24_with_save_on_screen(app, seeded):
    async with running(app) as pilot:
        for key in ("n", "e", "m"):
            await pilot.press(key)
            await pilot.pause()
            form = app.screen
            assert isinstance(form, FormScreen)
            box = form.query_one("#form-box").region
            save = form.query_one("#form-save").region
            assert box.bottom <= 24 and box.right <= 80
            assert save.height and 0 <= save.y < 24, (key, save)
            assert "Save (ctrl+s)" in screen_text(app)
            # Every field can be reached (tab) and scrolls into view.
            for name in ("paid", "delivery_estimate", "description") if key != "m" else ("text",):
                w = field(form, name)
                w.focus()
                scroller = form.query_one("#form-fields")
                for _ in range(30):  # scrolling into view lands a frame or two later; more when loaded
                    await pilot.pause()
                    if scroller.region.contains_region(w.region):
                        break
                assert scroller.region.contains_region(w.region), (key, name, scroller.region, w.region)
            await pilot.press("escape")
            await pilot.pause()


async def test_up_and_down_go_between_fields_and_stay_inside_a_text_area(app, seeded):
    """Tried as a buyer: in the Edit form, down, down, ctrl+u and a new title went into the
    supplier (the first field): the arrows did nothing there, so the supplier was lost instead
    of the title. Down and up now go to the next and previous field, as tab and shift+tab do;
    in a multi-line text area they still move between its lines."""
    async with running(app) as pilot:
        form = await open_form(pilot, "e")
        inputs = [w for w in form.query(".field-input")]
        assert app.focused is inputs[0]
        await press(pilot, "down")
        await press(pilot, "down")
        assert app.focused is inputs[2]
        await press(pilot, "up")
        assert app.focused is inputs[1]
        area = next(w for w in inputs if isinstance(w, TextArea))
        area.focus()
        area.load_text("one\ntwo\nthree")
        area.move_cursor((0, 0))
        await pilot.pause()
        await press(pilot, "down")
        assert app.focused is area and area.cursor_location == (1, 0)
        await press(pilot, "escape")


async def test_a_long_pasted_reply_is_taken_as_the_command_line_takes_it(app, seeded):
    """Seen: a supplier's long e-mail (5,000 characters, quoted thread and all) pasted into the
    message form was refused as "longer than 4000 characters", where `disputes log` stores it:
    the form had a limit of its own. Both now take what the validator takes."""
    async with running(app) as pilot:
        case = selected(app)
        form = await open_form(pilot, "m")
        set_text(form, "sender", "supplier")
        long_reply = "\n".join(f"> line {i} of the quoted thread, as mail clients keep it" for i in range(90))
        assert len(long_reply) > 4000
        await paste(pilot, field(form, "text"), long_reply)
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, FormScreen), screen_text(app)
        assert seeded.get(case.id).messages[-1].text == long_reply
