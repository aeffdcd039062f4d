"""The built-in themes stay readable where the board is used: 256 colours (OpenSSH does not
forward COLORTERM) and 16 colours."""

from __future__ import annotations

import pytest
from tests.support.board import running
from rich.color import ColorSystem

from tui.themes import builtin_themes

TEXT = ("card", "card--id", "card--supplier", "card--muted", "card--ok", "card--soon", "card--overdue",
        "card--me", "card--marker", "card--bar")
BACKGROUNDS = ("card", "card--selected")


def _lum(rgb) -> float:
    def ch(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = rgb
    return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b)


def contrast(a, b) -> float:
    la, lb = sorted((_lum(a), _lum(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_there_are_dark_light_and_high_contrast_themes():
    names = {t.name for t in builtin_themes()}
    assert {"dispute-dark", "dispute-light", "dispute-contrast"} <= names


@pytest.mark.parametrize("theme", [t.name for t in builtin_themes()])
async def test_card_text_is_readable_in_256_and_16_colours(app, theme):
    async with running(app) as pilot:
        app.theme = theme
        await pilot.pause()
        col = app.board.columns[0]
        col._rich_style_cache.clear()
        worst = []
        for system in (ColorSystem.EIGHT_BIT, ColorSystem.STANDARD):
            for bg_name in BACKGROUNDS:
                bg = col.get_component_rich_style(bg_name).bgcolor.downgrade(system).get_truecolor()
                for fg_name in TEXT:
                    fg = col.get_component_rich_style(fg_name).color.downgrade(system).get_truecolor()
                    ratio = contrast(fg, bg)
                    if ratio < 2.5:
                        worst.append((system.name, bg_name, fg_name, round(ratio, 2)))
        assert not worst, worst


def test_bad_user_theme_files_are_skipped_with_a_reason(tmp_path):
    from tui.themes import user_themes

    (tmp_path / "a.toml").write_text('name = "ok-theme"\nprimary = "#123456"\n')
    (tmp_path / "b.toml").write_text('name = "bad colour"\nprimary = "#123456"\n')
    (tmp_path / "c.toml").write_text('name = "c"\nprimary = "blurple"\n')
    (tmp_path / "d.toml").write_text('primary = "#123456"\n')
    themes, problems = user_themes(tmp_path)
    assert [t.name for t in themes] == ["ok-theme"]
    assert len(problems) == 3 and "blurple" in " ".join(problems)
