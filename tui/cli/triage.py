"""`disputes digest | snooze | assign | tag`: the morning's triage, for people and cron."""

from __future__ import annotations

import argparse
import sys

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


def cmd_digest(args, cfg):
    if args.limit is not None and args.limit < 1:
        raise Refusal(f"--limit must be 1 or more: {args.limit}", EXIT_USAGE)
    now = now_for(args)
    store = open_db(args, cfg, create=False)
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
    out = [f"{total} case{'s need' if total != 1 else ' needs'} action ({local_time(now)})"
           + (f", the {len(rows)} most urgent:" if len(rows) < total else "")]
    for t in rows:
        c = t.case
        head = f"{c.id} {fit(c.supplier, 22)} {c.claim:>12,.2f} {fit(c.currency, 3)}  "
        line = (head + fit(c.title or c.order, max(WIDTH - _cells(head), 0))).rstrip()
        out.append(line if _cells(line) <= WIDTH else crop(line, WIDTH))
        out.extend(_why_lines(t.why))
    if len(rows) < total:
        out.append(f"... and {total - len(rows)} more (disputes digest without --limit)")
    out.append("")
    sys.stdout.write("\n".join(out))  # one write: 15,000 lines at 10k were 30,000 writes, each cleaned


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


