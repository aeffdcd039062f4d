"""`disputes digest | snooze | assign | tag`: the morning's triage, for people and cron."""

from __future__ import annotations

import argparse
import sys
from typing import Iterator

from rich.cells import cell_len

from store import clock, dates, ops, query
from store.users import login_name

from ..safe import clean, crop
from .common import EXIT_USAGE, Refusal, fit, local_time, need, now_for, open_db, print_json


def register(cmd) -> None:
    """Add this group's subcommands; ``cmd(name, help, run)`` makes one (see ``registry``)."""
    dg = cmd("digest", "cases needing action, most urgent first, each with why", cmd_digest)
    dg.add_argument("--json", action="store_true")
    dg.add_argument("--at", metavar="DATETIME", default=argparse.SUPPRESS)
    dg.add_argument("--mine", action="store_true", help="only cases assigned to me")
    dg.add_argument("--quiet", action="store_true", help="print nothing when nothing needs action (for cron)")
    dg.add_argument("--limit", type=int, metavar="N", help="at most N cases, most urgent first")

    sn = cmd("snooze", "keep a case out of the daily views until a time", cmd_snooze)
    sn.add_argument("id")
    g = sn.add_mutually_exclusive_group(required=True)
    g.add_argument("--until", metavar="DATETIME")
    g.add_argument("--wake", action="store_true", help="end the snooze now")

    asg = cmd("assign", "assign a case to a user of this box ('' for nobody)", cmd_assign)
    asg.add_argument("id")
    asg.add_argument("user")

    tg = cmd("tag", "add tags to a case (--remove to take them off)", cmd_tag)
    tg.add_argument("id")
    tg.add_argument("tags", nargs="+")
    tg.add_argument("--remove", action="store_true")



WIDTH = 80  # every digest line fits a mail reader's or a terminal's 80 cells
BLOCK = 1000  # lines a write


def _cells(text: str) -> int:
    """``cell_len``, without its per-character walk for printable ASCII (one cell a character):
    a digest at 10k measures ~15,000 lines and reasons, most of them plain ASCII."""
    if text.isascii() and text.isprintable():
        return len(text)
    plain = text.replace("\u2026", "")  # the ellipsis fit() cuts with is one cell (rich says so too)
    return len(text) if plain.isascii() and plain.isprintable() else cell_len(text)


def _why_lines(why: tuple[str, ...], indent: str = "       ") -> list[str]:
    """The reasons, joined with '; ' and wrapped at reasons to fit WIDTH cells."""
    room = WIDTH - len(indent)
    lines: list[str] = []
    cur = ""
    for w in (clean(x) for x in why):
        joined = f"{cur}; {w}" if cur else w
        if _cells(joined) <= room:
            cur = joined
            continue
        if cur:
            lines.append(cur)
        cur = crop(w, room)
    if cur:
        lines.append(cur)
    return [indent + line for line in lines]


def _lines(rows: list[query.Triage]) -> Iterator[str]:
    """Each case's line and its reasons' lines. What repeats is made once: the fitted supplier,
    currency and title (10k cases have a few dozen suppliers and a hundred titles), each with its
    width in cells, and the reason lines of a set of reasons; a line is measured only when its
    parts may not fit. Cell widths add up over the parts: each part is cleaned (no zero-width
    joiner left) and they meet at plain spaces (a variation selector after a space widens
    nothing). At 10k: 15,000 ``fit`` calls and 10,000 line measures were 150 ms profiled."""
    fitted: dict[tuple[str, int], tuple[str, int]] = {}
    reasons: dict[tuple[str, ...], list[str]] = {}

    def fitted_cells(text: str, width: int) -> tuple[str, int]:
        got = fitted.get((text, width))
        if got is None:
            f = fit(text, width)
            got = fitted[text, width] = (f, _cells(f))
        return got

    for t in rows:
        c = t.case
        sup, sup_cells = fitted_cells(c.supplier, 22)
        cur, cur_cells = fitted_cells(c.currency, 3)
        amount = f"{c.claim:>12,.2f}"
        head = f"{c.id} {sup} {amount} {cur}  "
        head_cells = _cells(c.id) + sup_cells + len(amount) + cur_cells + 5  # _cells(head)
        title, title_cells = fitted_cells(c.title or c.order, max(WIDTH - head_cells, 0))
        line = (head + title).rstrip()
        # (stripping spaces only narrows it: a line of parts within WIDTH is within WIDTH)
        yield line if head_cells + title_cells <= WIDTH or _cells(line) <= WIDTH else crop(line, WIDTH)
        why = reasons.get(t.why)
        if why is None:
            why = reasons[t.why] = _why_lines(t.why)
        yield from why


def cmd_digest(args, cfg):
    if args.limit is not None and args.limit < 1:
        raise Refusal(f"--limit must be 1 or more: {args.limit}", EXIT_USAGE)
    now = now_for(args)
    store = open_db(args, cfg, create=False)
    if store:
        store.summary().defer_few()  # a case or two edited since the last digest: not worth the rewrite
    cases = store.board_cases() if store else []  # light: the triage reads no history or message text
    if args.mine:
        user = store.user if store else login_name()
        cases = [c for c in cases if c.owner == user]
    rows = query.today(cases, cfg, now)
    total = len(rows)
    if args.limit is not None:
        rows = rows[: args.limit]
    if not rows and args.quiet:
        return
    if args.json:
        out = []
        for t in rows:
            d = t.to_dict(now)
            nd = t.deadline  # the deadline the first reason is about, not merely the earliest clock
            d["next_deadline"] = None if nd is None else {"kind": nd.kind, "due": nd.due.isoformat(),
                                                          "hard": nd.hard, "label": nd.label}
            out.append(d)
        print_json(out)
        return
    if not rows:
        print("nothing needs you today")
        return
    # Written a block of lines at a time: 15,000 lines at 10k were 30,000 writes, each cleaned;
    # the whole text in one write held it three times over at the command's peak (~5 MB).
    out = [f"{total} case{'s need' if total != 1 else ' needs'} action ({local_time(now)})"
           + (f", the {len(rows)} most urgent:" if len(rows) < total else "")]
    for line in _lines(rows):
        out.append(line)
        if len(out) >= BLOCK:
            out.append("")
            sys.stdout.write("\n".join(out))
            out = []
    if len(rows) < total:
        out.append(f"... and {total - len(rows)} more (disputes digest without --limit)")
    out.append("")
    sys.stdout.write("\n".join(out))


def cmd_snooze(args, cfg):
    until = None if args.wake else dates.ahead(args.until, "snooze time", cfg=cfg)
    store = need(open_db(args, cfg, create=False), args)
    c = store.update(args.id, lambda k: ops.snooze(k, until, clock.now()))
    print(f"{c.id}: snoozed {c.history[-1].detail}")


def cmd_assign(args, cfg):
    user = ops.box_user(args.user) if args.user.strip() else ""
    store = need(open_db(args, cfg, create=False), args)
    c = store.update(args.id, lambda k: ops.assign(k, user))
    print(f"{c.id}: assigned {c.history[-1].detail}")


def cmd_tag(args, cfg):
    store = need(open_db(args, cfg, create=False), args)
    add, remove = ([], args.tags) if args.remove else (args.tags, [])
    c = store.update(args.id, lambda k: ops.tag(k, add, remove))
    print(f"{c.id}: tags {c.history[-1].detail}")


