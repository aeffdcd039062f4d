"""The command palette is a Textual ``Provider`` (``tui.commands.BoardCommands``) and names each
command's key as the live keymap has it: a ``[keys]`` remap shows in the palette too."""

from __future__ import annotations

from tests.support.board import NOW, keymapped_app, press, running, screen_text, selected, settle

from textual.app import App

from tui import commands
from tui.app import DisputeApp


async def test_the_palette_hints_follow_the_keymap(seeded, cfg):
    app = keymapped_app(seeded, cfg, {"case.message": "f5", "case.next_stage": "ctrl+n"})
    async with running(app, (120, 40)) as pilot:
        case = selected(app)
        helps = {c.title: c.help for c in commands.palette(app, app.screen)}
        assert helps[f"Log a message on {case.id}"] == "f5"
        assert helps[f"Move {case.id} to Dispute opened"] == "Next stage (^n)"
        assert helps["New case"] == "n"  # not remapped: the default key
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"log a mess")
        await settle(pilot)
        text = screen_text(app)
        assert f"Log a message on {case.id}" in text and "f5" in text  # the provider's hit, with its key
        await press(pilot, "enter")
        assert "Log a message" in screen_text(app)  # the form the command opened


async def test_the_palette_is_our_provider_only(seeded, cfg):
    app = DisputeApp(seeded, cfg, clock=lambda: NOW)
    assert DisputeApp.COMMANDS == {commands.BoardCommands}
    async with running(app) as pilot:
        ours = {c.title for c in commands.palette(app, app.screen)}
        textuals = [c.title for c in App.get_system_commands(app, app.screen) 
                    if not any(c.title.lower() in o.lower() for o in ours)]
        assert textuals  # Textual's own system commands (screenshot, maximize, ...)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*textuals[0].lower())
        await settle(pilot)
        assert textuals[0] not in screen_text(app).split("\n", 1)[1]  # not offered here
