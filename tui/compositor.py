"""A frame that changed in two places apart draws each place, not the rectangle around both.

Textual's compositor draws a partial update by rendering every widget that overlaps the one
rectangle around all the changed regions (``Compositor.render_partial_update``, textual==8.2.8,
the pinned version). A ``j`` on the board beside the detail pane changes two cards in the
leftmost column and the pane at the right: the rectangle is the whole screen, so the four other
columns, their titles and their boxes were rendered too (their lines cached, but each filtered,
cut and chopped again), for lines that were then not written. At 160x45 that was 2 ms of a 9-10
ms frame at the median and 4-5 ms at the 90th percentile (in-process, 80 presses).

``SplitCompositor`` groups the changed regions into bands that share no column, and draws
each band as Textual draws one update: the widgets overlapping it, the lines changed in it, only
the cells of its own regions written. Each band's output is exactly what Textual would write for
it alone (the cells of a region are drawn from every widget that can cover them, all of which
overlap its band), so the frame is the same; one band (most frames: a key in one column, a
tick) is Textual's own update, unchanged.
"""

from __future__ import annotations

from rich.console import Console
from textual._compositor import ChopsUpdate, Compositor, CompositorUpdate
from textual.geometry import Region


def bands(regions: set[Region] | list[Region]) -> list[list[Region]]:
    """``regions`` grouped so that no two groups share a column: sorted by their left edge, a
    region joins the group before it when it starts within that group's columns."""
    groups: list[list[Region]] = []
    right = -1
    for r in sorted(regions, key=lambda r: r.x):
        if groups and r.x < right:
            groups[-1].append(r)
            right = max(right, r.right)
        else:
            groups.append([r])
            right = r.right
    return groups


class BandsUpdate(CompositorUpdate):
    """The updates of each band, written one after another in one write."""

    def __init__(self, updates: list[ChopsUpdate]) -> None:
        self.updates = updates

    def __rich_console__(self, console, options):
        for update in self.updates:
            yield from update.__rich_console__(console, options)

    def render_segments(self, console: Console) -> str:
        return "".join(update.render_segments(console) for update in self.updates)


class SplitCompositor(Compositor):
    def render_partial_update(self) -> ChopsUpdate | BandsUpdate | None:
        regions = self._dirty_regions
        if len(regions) < 2:
            return super().render_partial_update()
        groups = bands(regions)
        if len(groups) < 2:
            return super().render_partial_update()
        screen_region = self.size.region
        self._dirty_regions.clear()
        chop_ends = [cut_set[1:] for cut_set in self.cuts]
        updates = []
        for group in groups:
            crop = Region.from_union(group).intersection(screen_region)
            if not crop:
                continue
            spans = list(self._regions_to_spans(group))
            if not spans:
                continue
            is_rendered_line = {y for y, _, _ in spans}.__contains__
            updates.append(ChopsUpdate(self._render_chops(crop, is_rendered_line), spans, chop_ends))
        if not updates:
            return None
        return updates[0] if len(updates) == 1 else BandsUpdate(updates)
