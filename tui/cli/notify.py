"""`disputes notify`: hard deadlines reach people when the board is closed (made for cron).

Prints nothing when there is nothing new, one line per warning delivered, and on a delivery
failure one line on stderr and exit 5; what failed is tried again next run.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ..safe import clean
from .common import Refusal, now_for, open_db

if TYPE_CHECKING:
    from store.notify import Notice

EXIT_DELIVERY = 5


def register(cmd) -> None:
    """Add this group's subcommands; ``cmd(name, help, run)`` makes one (see ``registry``)."""
    nt = cmd("notify", "send (email, URLs) a warning for each hard deadline near or past (once per case and threshold)",
             cmd_notify)
    nt.add_argument("--at", metavar="DATETIME", default=argparse.SUPPRESS,
                    help="evaluate deadlines at this instant instead of now")
    nt.add_argument("--dry-run", action="store_true",
                    help="print the warnings that are due; send and record nothing")


def _line(n: Notice, to: list[str] | None) -> str:
    from store import notify  # smtplib and email: only this command needs them (see cmd_notify)

    kinds = ", ".join(f"{d.kind} due {notify.when(d.due)}" for d in n.deadlines)
    tail = f" sent to {', '.join(to)}" if to is not None else " (dry run: not sent)"
    return clean(f"{n.case.id}: {n.what}: {kinds}{tail}")


def cmd_notify(args, cfg):
    from store import notify  # smtplib and email (~15 ms of import): not on the board's or other commands' way

    now = now_for(args)
    s = notify.settings(cfg, for_delivery=not args.dry_run)
    store = open_db(args, cfg, create=False)
    if store is None:
        return 0  # no database yet: nothing can be due
    if args.dry_run:
        return _run(args, cfg, store, s, now)
    with store.exclusive_run("notify") as held:
        if not held:  # it sends what is due; sending it here too would repeat every warning
            print("disputes: another notify run is in progress; nothing sent", file=sys.stderr)
            return 0
        return _run(args, cfg, store, s, now)


def _run(args, cfg, store, s, now):
    from store import notify  # see cmd_notify

    notices = notify.pending(store.cases(), cfg, now, s.thresholds)
    if args.dry_run:
        for n in notices:
            print(_line(n, None))
        return 0
    delivered = 0
    try:
        for n, to in notify.deliver(notices, cfg, s, now):
            store.update(n.case.id, notify.record(n, now, to))
            delivered += 1
            print(_line(n, to), flush=True)
    except notify.DeliveryError as exc:
        left = len(notices) - delivered
        raise Refusal(f"notify: {exc}; {left} warning{'s' if left != 1 else ''} not sent, "
                      f"tried again next run", EXIT_DELIVERY) from None
    sys.stdout.flush()
    return 0
