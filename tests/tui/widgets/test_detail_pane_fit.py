"""``fit_lines``: the case beside the board cut to its box exactly as wrapping the whole case
with ``Content.wrap`` would cut it (the same lines, styles and "N more lines" count), while only
the lines that show are wrapped. No app: the section builders on sample cases, at fixed sizes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from store.model import Message
from store.sample import sample_cases
from tests.support import NOW
from textual.content import Content
from tui.triage import Triage
from tui.widgets import detail_pane
from tui.widgets.detail_pane import fit_lines


def whole_case(case, cfg) -> Content:
    t = Triage(cfg)
    sections = [detail_pane.summary(case, t, NOW), detail_pane.deadlines(case, t, NOW), detail_pane.proposals(case),
                detail_pane.thread(case), detail_pane.evidence(case, {}), detail_pane.history(case)]
    return Content("\n\n").join([s for s in sections if s is not None])


def cut_by_wrapping_it_all(content: Content, width: int, height: int) -> list[tuple[str, tuple]]:
    """What the pane showed before: the whole case wrapped, cut, a last line saying how many more."""
    lines = content.wrap(width)
    if len(lines) > height:
        keep = lines[: max(height - 1, 0)]
        lines = [*keep, detail_pane.more_line(len(lines) - len(keep))]
    return [(line.plain, tuple(line.spans)) for line in lines]


def hostile(case):
    """User text that wraps awkwardly: wide characters, a word longer than the pane, markup-like
    and control text (shown literally, cleaned), blank lines, trailing spaces."""
    case.supplier = "东莞市精密五金制品有限公司 " * 4
    case.messages.append(Message(NOW - timedelta(hours=1), "supplier", "x" * 150 + " [bold]no[/] \x1b[2J end   ", "t"))
    case.messages.append(Message(NOW - timedelta(minutes=30), "me", "first\n\n\nafter two blank lines " * 3, "t"))
    return case


@pytest.fixture(scope="module")
def contents():
    from store.config import defaults

    cfg = defaults()
    cases = sample_cases(12, NOW, messages=9, evidence=3)
    return [whole_case(c, cfg) for c in cases] + [whole_case(hostile(c), cfg) for c in cases[:4]]


@pytest.mark.parametrize("width,height", [(57, 43), (57, 38), (30, 400), (77, 12), (12, 5), (57, 1), (57, 2)])
def test_the_pane_shows_the_lines_and_count_wrapping_the_whole_case_gave(contents, width, height):
    for content in contents:
        lines, cut = fit_lines(content, width, height)
        assert [(p.plain, tuple(p.spans)) for p, _, _ in lines] == cut_by_wrapping_it_all(content, width, height)
        assert cut == (len(content.wrap(width)) > height)


def test_offsets_are_those_textual_gives_each_cell_when_it_all_fits(contents):
    """A case that fits keeps its own lines: each wrapped piece is at its offset in its line (what
    a text selection reads); a cut case is its lines, one a line."""
    for content in contents:
        lines, cut = fit_lines(content, 57, 10_000)
        assert not cut
        rows = content.plain.split("\n")
        for piece, x, y in lines:
            assert rows[y][x:x + len(piece.plain)].rstrip() == piece.plain.rstrip()
        lines, cut = fit_lines(content, 57, 20)
        assert cut and [(x, y) for _, x, y in lines] == [(0, y) for y in range(20)]


def test_a_tab_is_expanded_as_content_wrap_does():
    content = Content.assemble(("a\tb" * 20, "bold"), ("\n\tc", ""))
    for width, height in ((20, 100), (20, 3)):
        lines, _ = fit_lines(content, width, height)
        assert [(p.plain, tuple(p.spans)) for p, _, _ in lines] == cut_by_wrapping_it_all(content, width, height)


def test_a_long_thread_is_counted_not_wrapped(monkeypatch):
    """A case with a thread of 600 messages: the pane says how many lines are cut off, but wraps
    only the lines it shows (wrapping the whole case was ~60 ms a key on such a case)."""
    from store.config import defaults

    case = sample_cases(1, NOW, messages=3, evidence=1)[0]
    case.messages += [Message(NOW - timedelta(minutes=i), "supplier", f"message {i} " * 12, "t") for i in range(600)]
    content = whole_case(case, defaults())
    want = cut_by_wrapping_it_all(content, 57, 43)
    wrapped: list[int] = []
    real = Content.wrap
    monkeypatch.setattr(Content, "wrap", lambda self, *a, **k: (wrapped.append(len(self.plain)), real(self, *a, **k))[1])
    lines, cut = fit_lines(content, 57, 43)
    assert cut and [(p.plain, tuple(p.spans)) for p, _, _ in lines] == want
    assert want[-1][0].startswith("… ") and int(want[-1][0].split()[1]) > 1000
    assert sum(wrapped) <= 43 * 57  # only lines that show went through Content.wrap
