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


def _with_theme(cfg, theme: str):
    from store.config import Config

    return Config({**cfg.data, "board": {**cfg.data.get("board", {}), "theme": theme}}, None)


async def test_the_configured_theme_is_chosen_before_the_stylesheet_is_parsed(seeded, cfg, monkeypatch):
    """The first frame is in the configured theme, and the board's own stylesheet was parsed at
    most twice on the way (Textual's pass for the theme's colours, then its first styling):
    chosen in on_mount, the theme re-parsed every stylesheet and its compose parsed them a third
    time, 60-80 ms of a start."""
    import textual.css.stylesheet as stylesheet
    from tests.support.board import NOW
    from tui.app import DisputeApp

    parsed: list[str] = []
    real = stylesheet.parse

    def counting(scope, css, read_from, *args, **kw):
        parsed.append(str(read_from[0]))
        return real(scope, css, read_from, *args, **kw)
    monkeypatch.setattr(stylesheet, "parse", counting)

    class FirstFrame(DisputeApp):
        first_theme = None
        parses_before = None

        def _display(self, screen, renderable) -> None:
            if renderable is not None and self.first_theme is None:
                self.first_theme = (self.current_theme.name, screen.styles.background)
                self.parses_before = sum(p.endswith("app.tcss") for p in parsed)
            super()._display(screen, renderable)

    app = FirstFrame(seeded, _with_theme(cfg, "dispute-light"), clock=lambda: NOW)
    async with running(app, (120, 40)):
        light = app.current_theme
        assert app.first_theme == ("dispute-light", app.screen.styles.background)
        assert light.name == "dispute-light" and not light.dark
        assert 1 <= app.parses_before <= 2


async def test_the_board_is_styled_once_before_its_first_frame(seeded, cfg, monkeypatch):
    """Styled as it mounted, the board is not restyled whole when first shown (Textual restyles
    the default screen as it resumes) nor for its width class (it is born with it): each was a
    pass over every widget, 13-25 ms of a start. What it shows is unchanged: the snapshots."""
    import textual.css.stylesheet as stylesheet
    from tests.support.board import NOW
    from tui.app import DisputeApp
    from tui.widgets.stage_column import StageColumn

    restyled: list[int] = []
    real = stylesheet.Stylesheet.update_nodes

    def counting(self, nodes, animate=False):
        nodes = list(nodes)
        restyled.append(sum(isinstance(n, StageColumn) for n in nodes))
        return real(self, nodes, animate=animate)
    monkeypatch.setattr(stylesheet.Stylesheet, "update_nodes", counting)

    class FirstFrame(DisputeApp):
        before: list[int] | None = None

        def _display(self, screen, renderable) -> None:
            if renderable is not None and self.before is None:
                self.before = list(restyled)
            super()._display(screen, renderable)

    for size, wide in (((120, 40), False), ((160, 45), True)):
        restyled.clear()
        app = FirstFrame(seeded, cfg, clock=lambda: NOW)
        async with running(app, size):
            assert app.board.has_class("-wide") is wide and app.board.has_class("-narrow") is not wide
            assert app.before is not None and sum(app.before) == 0, app.before
            assert app.board.query_one("#detail-side").display is wide  # the pane beside, when wide
