"""`disputes digest | snooze | assign | tag`: the morning's triage, for people and cron."""

from __future__ import annotations

import argparse

from store import clock, dates, ops, query
from store.clocks import next_deadline
from store.users import login_name

from ..safe import clean
from .common import fit, local_time, need, now_for, open_db, print_json


def register(cmd) -> None:
    """Add this group's subcommands; ``cmd(name, help)`` makes one (see ``registry``)."""
    dg = cmd("digest", "cases needing action, most urgent first, each with why")
    dg.add_argument("--json", action="store_true")
    dg.add_argument("--at", metavar="DATETIME", default=argparse.SUPPRESS)
    dg.add_argument("--mine", action="store_true", help="only cases assigned to me")

    sn = cmd("snooze", "keep a case out of the daily views until a time")
    sn.add_argument("id")
    g = sn.add_mutually_exclusive_group(required=True)
    g.add_argument("--until", metavar="DATETIME")
    g.add_argument("--wake", action="store_true", help="end the snooze now")

    asg = cmd("assign", "assign a case to a user of this box ('' for nobody)")
    asg.add_argument("id")
    asg.add_argument("user")

    tg = cmd("tag", "add tags to a case (--remove to take them off)")
    tg.add_argument("id")
    tg.add_argument("tags", nargs="+")
    tg.add_argument("--remove", action="store_true")

    dg.set_defaults(run=cmd_digest)
    sn.set_defaults(run=cmd_snooze)
    asg.set_defaults(run=cmd_assign)
    tg.set_defaults(run=cmd_tag)


def cmd_digest(args, cfg):
    now = now_for(args)
    store = open_db(args, cfg, create=False)
    cases = store.cases() if store else []
    if args.mine:
        user = store.user if store else login_name()
        cases = [c for c in cases if c.owner == user]
    rows = query.today(cases, cfg, now)
    if args.json:
        out = []
        for t in rows:
            d = t.to_dict(now)
            nd = next_deadline(t.case, cfg, now)
            d["next_deadline"] = None if nd is None else {"kind": nd.kind, "due": nd.due.isoformat(), "hard": nd.hard}
            out.append(d)
        print_json(out)
        return
    if not rows:
        print("nothing needs you today")
        return
    print(f"{len(rows)} case{'s need' if len(rows) != 1 else ' needs'} action ({local_time(now)})")
    for t in rows:
        c = t.case
        print(f"{c.id} {fit(c.supplier, 22)} {c.claim:>12,.2f} {c.currency}  {fit(c.title or c.order, 28).rstrip()}")
        print(f"       {clean('; '.join(t.why))}")


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


