"""`disputes add | edit | list | show | move | log | attach | deadline`: one case at a time."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone

from store.validate import check_case
from store import clock, dates, ops, query
from store import money as amounts
from store.clocks import clocks, countdown, soon_windows, unresponsive, urgency, whose_turn
from store.config import Config
from store.errors import ConflictError
from store.export import case_json
from store.model import (
    EVIDENCE_KINDS,
    OUTCOMES,
    PLATFORMS,
    REASONS,
    RESOLUTIONS,
    SENDERS,
    STAGES,
    Case,
    choice,
    money,
)
from store.users import login_name

from ..safe import clean
from .common import (
    EXIT_CONFLICT,
    EXIT_USAGE,
    Refusal,
    fit,
    local_time,
    need,
    now_for,
    open_db,
    print_json,
    text_arg,
)


def register(cmd) -> None:
    """Add this group's subcommands; ``cmd(name, help, run)`` makes one (see ``registry``)."""
    a = cmd("add", "add a case; prints its new id", cmd_add)
    a.add_argument("--order", required=True, type=text_arg)
    a.add_argument("--supplier", required=True, type=text_arg)
    a.add_argument("--reason", required=True, help=", ".join(REASONS))
    a.add_argument("--amount", required=True, help="order amount, e.g. 1250.00")
    a.add_argument("--currency", default="USD")
    a.add_argument("--want", default="full_refund", help=", ".join(RESOLUTIONS))
    a.add_argument("--claimed", help="amount claimed, if less than the order amount")
    a.add_argument("--title", default="", type=text_arg)
    a.add_argument("--product", default="", type=text_arg)
    a.add_argument("--description", default="", type=text_arg)
    a.add_argument("--contact", default="", type=text_arg, help="supplier contact")
    a.add_argument("--platform", default="alibaba", help="|".join(PLATFORMS))
    a.add_argument("--platform-ref", default="", type=text_arg, help="the platform's own dispute number")
    a.add_argument("--received", metavar="DATE", help="when the goods arrived (starts the protection window)")
    a.add_argument("--paid", metavar="DATE")

    ed = cmd("edit", "change a case's fields (only those named); --rev N refuses if it changed since N", cmd_edit)
    ed.add_argument("id")
    for flag, (attr, meta, help_) in EDIT_FLAGS.items():
        ed.add_argument(f"--{flag}", dest=f"edit_{attr}", metavar=meta, type=text_arg, help=help_)
    ed.add_argument("--rev", type=int, metavar="N",
                    help="the revision you read (show --json's rev): refused, exit 4, if it changed since")

    ls = cmd("list", "list cases", cmd_list)
    ls.add_argument("--stage", help=", ".join(STAGES))
    ls.add_argument("--query", "-q", metavar="QUERY", type=text_arg,
                    help="e.g. 'stage:dispute turn:me due<3d amount>500 supplier:ningbo owner:li "
                         "tag:urgent platform:paypal overdue unresponsive' and free words (AND)")
    ls.add_argument("--view", metavar="NAME", help="a saved view from the config (name or number)")
    ls.add_argument("--json", action="store_true")
    ls.add_argument("--at", metavar="DATETIME", default=argparse.SUPPRESS)

    sh = cmd("show", "show one case", cmd_show)
    sh.add_argument("id")
    sh.add_argument("--json", action="store_true")
    sh.add_argument("--at", metavar="DATETIME", default=argparse.SUPPRESS)

    mv = cmd("move", "move a case to a stage", cmd_move)
    mv.add_argument("id")
    mv.add_argument("stage", help=", ".join(STAGES))
    mv.add_argument("--outcome", help=", ".join(OUTCOMES) + " (needed for resolved)")
    mv.add_argument("--recovered", metavar="AMOUNT")

    lg = cmd("log", "log a message on a case ('-' reads the text from stdin)", cmd_log)
    lg.add_argument("id")
    lg.add_argument("--from", dest="sender", required=True, help="|".join(SENDERS))
    lg.add_argument("text", nargs="+", type=text_arg)

    at = cmd("attach", "attach an evidence file (records its size and SHA-256)", cmd_attach)
    at.add_argument("id")
    at.add_argument("path")
    at.add_argument("--kind", default="other", help=", ".join(EVIDENCE_KINDS))
    at.add_argument("--note", default="", type=text_arg)

    dl = cmd("deadline", "add a deadline the platform set (hard unless --soft)", cmd_deadline)
    dl.add_argument("id")
    dl.add_argument("--kind", required=True, help="e.g. evidence_due, escalate_by")
    dl.add_argument("--due", required=True, metavar="DATETIME", help="with its offset, e.g. 2026-12-01T18:00+08:00")
    dl.add_argument("--soft", action="store_true", help="an expectation, not a hard deadline")
    dl.add_argument("--note", default="", type=text_arg)



# `disputes edit` flags: flag -> (field, metavar, help). The names are ops.EDITABLE's.
EDIT_FLAGS = {
    "title": ("title", "T", None), "product": ("product", "P", None),
    "description": ("description", "D", None), "supplier": ("supplier", "S", None),
    "contact": ("supplier_contact", "C", "supplier contact"), "order": ("order", "NO", "order number"),
    "amount": ("amount", "A", "order amount"), "claimed": ("claimed", "A", "amount claimed ('' for the whole order)"),
    "currency": ("currency", "C", None), "reason": ("reason", "R", ", ".join(REASONS)),
    "want": ("want", "W", ", ".join(RESOLUTIONS)), "platform": ("platform", "P", "|".join(PLATFORMS)),
    "platform-ref": ("platform_ref", "REF", "the platform's own dispute number"),
    "received": ("received_at", "DATE", "when the goods arrived ('' to clear)"),
    "paid": ("paid_at", "DATE", None), "shipped": ("shipped_at", "DATE", None),
    "delivery-estimate": ("delivery_estimate", "DATE", "latest estimated delivery (Amazon's 90 days run from it)"),
    "priority": ("priority", "N", "0-99"),
}


def _line(c: Case, cfg: Config, now: datetime, windows: tuple[datetime, datetime] | None = None) -> str:
    cl = clocks(c, cfg)  # once: the countdown and the unresponsive flag both read them
    u = urgency(c, cfg, now, cl, windows)
    due = countdown(u.clock.due, now) if u.clock else "-"
    if u.clock and u.hard:
        due = "!" + due
    flag = "⚠" if unresponsive(c, cfg, now, cl) else " "
    amount = f"{amounts.digits(c.claim, c.currency)} {c.currency}"
    head = f"{c.id:<7}{c.stage:<10}{whose_turn(c):<9}{fit(due, 12)} {amount:>15} {flag}"
    rest = 80 - len(head) - 1
    return f"{head} {fit(c.supplier + ' · ' + (c.title or c.order), max(rest, 10)).rstrip()}"


def print_list(cases: list[Case], cfg: Config, now: datetime) -> None:
    if not cases:
        print("no cases")
        return
    print(f"{'ID':<7}{'STAGE':<10}{'TURN':<9}{'NEXT DUE':<13}{'CLAIMED':>15}   SUPPLIER · TITLE")
    # One instant's soon windows for every line, and the lines printed as one write (4,536 lines
    # of a 30,000-case list: a print and a clean() of each were 10% of the command).
    windows = soon_windows(now, cfg)
    print("\n".join(_line(c, cfg, now, windows) for c in cases))
    print(f"{len(cases)} case{'s' if len(cases) != 1 else ''}")


def print_case(c: Case, cfg: Config, now: datetime) -> None:
    def row(label, value):
        print(f"  {label:<14}{clean(str(value))}")

    print(f"{c.id}  {clean(c.title or c.order)}")
    row("stage", f"{c.stage_title} since {local_time(c.stage_entered_at)}")
    row("turn", whose_turn(c) + ("   ⚠ unresponsive supplier: escalate" if unresponsive(c, cfg, now) else ""))
    row("platform", c.platform + (f"  (dispute {c.platform_ref})" if c.platform_ref else ""))
    row("order", c.order)
    row("supplier", c.supplier + (f"  <{c.supplier_contact}>" if c.supplier_contact else ""))
    row("reason", f"{c.reason}; wants {c.want}")
    row("amount", f"{c.amount} {c.currency}" + (f", claimed {c.claimed}" if c.claimed is not None else ""))
    if c.outcome:
        row("outcome", f"{c.outcome}, recovered {c.recovered} {c.currency} on {local_time(c.closed_at)}")
    if c.description:
        row("description", c.description)
    cl = clocks(c, cfg)
    if cl:
        print("deadlines")
        for k in cl:
            state = "met" if k.met else countdown(k.due, now)
            print(f"  {'HARD' if k.hard else 'soft'} {fit(k.label, 40)} {dates.show_instant(k.due)}  {state}")
    if c.messages:
        print(f"messages ({len(c.messages)})")
        for m in c.messages:
            print(f"  {local_time(m.at)} {m.sender:<8} {clean(m.text)}")
    if c.evidence:
        print(f"evidence ({len(c.evidence)})")
        for e in c.evidence:
            print(f"  {e.kind:<14} {clean(e.path)}  {e.size} bytes  {ops.evidence_state(e)}"
                  + (f"  {clean(e.note)}" if e.note else ""))
    print(f"history (revision {c.rev}; `edit --rev {c.rev}` refuses if it changes)")
    for h in c.history:
        print(f"  {local_time(h.at)} {fit(h.user, 10)} {h.action:<9} {clean(h.detail)}")


def cmd_add(args, cfg):
    now = clock.now()
    currency = amounts.currency(args.currency)
    case = Case(
        id="D-0001", order=text_arg(args.order).strip(), supplier=args.supplier.strip(),
        reason=choice(args.reason, REASONS, "reason"), amount=amounts.amount(args.amount, currency),
        created_at=now, stage_entered_at=now, currency=currency,
        platform=choice(args.platform, PLATFORMS, "platform"), platform_ref=args.platform_ref,
        supplier_contact=args.contact, title=args.title, product=args.product, description=args.description,
        want=choice(args.want, RESOLUTIONS, "resolution"),
        claimed=amounts.amount(args.claimed, currency, "claimed amount") if args.claimed else None,
        received_at=dates.happened(args.received, "received", cfg=cfg).astimezone(timezone.utc) if args.received else None,
        paid_at=dates.happened(args.paid, "paid", cfg=cfg).astimezone(timezone.utc) if args.paid else None,
    )
    if case.claimed is not None and case.claimed > case.amount:
        raise Refusal(f"claimed amount {case.claimed} is more than the order amount {case.amount}")
    check_case(case, now=now)  # before the database is opened: bad input creates nothing
    store = open_db(args, cfg, create=True)
    created = store.create(case)
    print(created.id)


def _view_query(cfg: Config, name: str) -> str:
    views = cfg.data.get("views", [])
    for i, v in enumerate(views, 1):
        if name == str(i) or name.casefold() == str(v.get("name", "")).casefold():
            return v.get("query", "")
    names = ", ".join(f"{i} {v.get('name')}" for i, v in enumerate(views, 1)) or "none configured"
    raise Refusal(f"no saved view {name!r} (views: {names})")


def _listed(store, stage: str | None, whole: bool) -> list[Case]:
    """The cases a listing shows: light ones (``board_cases``, no history or message texts, which
    neither the table nor a query reads) unless the whole case is printed (``--json``)."""
    if store is None:
        return []
    if whole:
        return store.cases(stage)
    return store.board_cases(stage)


def cmd_list(args, cfg):
    stage = choice(args.stage, STAGES, "stage") if args.stage else None
    now = now_for(args)
    text = " ".join(q for q in (_view_query(cfg, args.view) if args.view else "", args.query or "") if q)
    pred = query.parse(text) if text else None
    store = open_db(args, cfg, create=False)
    cases = _listed(store, stage, whole=args.json)
    if pred is not None:
        ctx = query.Context(now, cfg, store.user if store else login_name())
        cases = [c for c in cases if pred(c, ctx)]
    if args.json:
        print_json([case_json(c, cfg, now) for c in cases])
    else:
        print_list(cases, cfg, now)


def cmd_show(args, cfg):
    now = now_for(args)
    store = need(open_db(args, cfg, create=False), args)
    c = store.get(args.id)
    if args.json:
        print_json(case_json(c, cfg, now))
    else:
        print_case(c, cfg, now)


def cmd_move(args, cfg):
    stage = choice(args.stage, STAGES, "stage")
    if args.recovered is not None:
        money(args.recovered, "amount recovered")
    if args.outcome is not None:
        choice(args.outcome, OUTCOMES, "outcome")
    store = need(open_db(args, cfg, create=False), args)
    c = store.update(args.id, lambda k: ops.move(k, stage, clock.now(), args.outcome, args.recovered))
    print(f"{c.id}: {c.history[-1].detail}")


def cmd_log(args, cfg):
    sender = choice(args.sender, SENDERS, "sender")
    text = " ".join(args.text)
    if text == "-":
        text = text_arg(sys.stdin.read()).rstrip("\n")
    if not text.strip():
        raise Refusal("message text is empty")
    store = need(open_db(args, cfg, create=False), args)
    c = store.update(args.id, lambda k: ops.log(k, sender, text, clock.now(), store.user))
    print(f"{c.id}: message from {sender} logged; turn: {whose_turn(c)}")


def cmd_attach(args, cfg):
    kind = choice(args.kind, EVIDENCE_KINDS, "evidence kind")
    p = ops.check_evidence_path(args.path)
    digest = ops.file_digest(p)  # hashed before the lock is taken: a big video must not block others
    store = need(open_db(args, cfg, create=False), args)
    c = store.update(args.id, lambda k: ops.attach(k, p, kind, args.note, clock.now(),
                                                   store.user, digest))
    e = c.evidence[-1]
    print(f"{c.id}: {e.kind} {clean(e.path)} ({e.size} bytes, sha256 {e.sha256[:12]}…)")


def cmd_deadline(args, cfg):
    due = dates.ahead(args.due, "due", cfg=cfg)
    store = need(open_db(args, cfg, create=False), args)
    c = store.update(args.id, lambda k: ops.add_deadline(k, args.kind, due, not args.soft, args.note))
    print(f"{c.id}: {c.history[-1].detail}")


def cmd_edit(args, cfg):
    values = {}
    for flag, (attr, _, _) in EDIT_FLAGS.items():
        text = getattr(args, f"edit_{attr}")
        if text is not None:
            values[attr] = ops.parse_field(attr, text, cfg=cfg)  # every value checked before the database is opened
    if not values:
        raise Refusal(f"nothing to change: name a field, e.g. disputes edit {args.id.strip()} --title T",
                      EXIT_USAGE)
    if args.rev is not None and args.rev < 1:
        raise Refusal(f"--rev must be a revision number (1 or more): {args.rev}", EXIT_USAGE)
    store = need(open_db(args, cfg, create=False), args)
    try:
        c = store.update(args.id, lambda k: ops.edit_fields(k, values), expected_rev=args.rev,
                         fields=list(values))
    except ConflictError as exc:
        raise Refusal(f"{exc}; check with `disputes show {args.id.strip()}`, then edit with --rev {exc.rev}",
                      EXIT_CONFLICT) from None
    print(f"{c.id}: {c.history[-1].detail} (revision {c.rev})")
