"""`disputes`: the command line. With no subcommand it opens the board.

A contract scripts rely on: success exits 0; bad input exits non-zero with one line on
stderr and leaves the database byte-for-byte as it was. Exit codes: 1 refused input or
unknown case, 2 usage, 3 damaged or unreadable database, 4 conflict or lock timeout.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

import orjson

from store import clock, paths
from store.clocks import countdown, next_deadline, unresponsive, urgency, whose_turn
from store.config import Config, ConfigError, default_text, load as load_config
from store.dates import parse_when
from store.errors import (ConflictError, DamagedDatabase, LockTimeout, NotFound, StoreError,
                          ValidationError)
from store.export import case_json, export_csv, export_json, import_json
from store.model import (EVIDENCE_KINDS, OUTCOMES, PLATFORMS, REASONS, RESOLUTIONS, SENDERS,
                         STAGES, Case, choice, money)
from store import ops, query
from store.backends.tinydb import TinyStore
from store.users import login_name

from . import cli_outcomes
from .safe import clean, fit as _fit


def fit(text: str, width: int) -> str:
    """User text cleaned of control codes, then cut or padded to ``width`` cells."""
    return _fit(clean(text), width)

EXIT_INPUT, EXIT_USAGE, EXIT_DAMAGED, EXIT_CONFLICT = 1, 2, 3, 4


class Refusal(Exception):
    def __init__(self, message: str, code: int = EXIT_INPUT):
        super().__init__(message)
        self.code = code


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump
        raise Refusal(f"{self.prog}: {message} (see --help)", EXIT_USAGE)


def _text(value: str) -> str:
    """Arguments with undecodable bytes arrive as surrogates: keep them as visible replacements."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def build_parser() -> Parser:
    db = Parser(add_help=False)
    db.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS,
                    help="database file (default: $DISPUTES_DB, else the XDG data folder)")
    p = Parser(prog="disputes", parents=[db],
               description="Dispute Board: a terminal case board for supplier disputes. "
                           "With no command, opens the board.")
    p.add_argument("--at", metavar="DATETIME", default=argparse.SUPPRESS,
                   help="evaluate clocks at this instant instead of now")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    def cmd(name, help_):
        sp = sub.add_parser(name, parents=[db], help=help_, description=help_)
        return sp

    a = cmd("add", "add a case; prints its new id")
    a.add_argument("--order", required=True, type=_text)
    a.add_argument("--supplier", required=True, type=_text)
    a.add_argument("--reason", required=True, help=", ".join(REASONS))
    a.add_argument("--amount", required=True, help="order amount, e.g. 1250.00")
    a.add_argument("--currency", default="USD")
    a.add_argument("--want", default="full_refund", help=", ".join(RESOLUTIONS))
    a.add_argument("--claimed", help="amount claimed, if less than the order amount")
    a.add_argument("--title", default="", type=_text)
    a.add_argument("--product", default="", type=_text)
    a.add_argument("--description", default="", type=_text)
    a.add_argument("--contact", default="", type=_text, help="supplier contact")
    a.add_argument("--platform", default="alibaba", help="|".join(PLATFORMS))
    a.add_argument("--platform-ref", default="", type=_text, help="the platform's own dispute number")
    a.add_argument("--received", metavar="DATE", help="when the goods arrived (starts the protection window)")
    a.add_argument("--paid", metavar="DATE")

    ls = cmd("list", "list cases")
    ls.add_argument("--stage", help=", ".join(STAGES))
    ls.add_argument("--query", "-q", metavar="QUERY", type=_text,
                    help="e.g. 'stage:dispute turn:me due<3d amount>500 supplier:ningbo owner:li "
                         "tag:urgent platform:paypal overdue unresponsive' and free words (AND)")
    ls.add_argument("--view", metavar="NAME", help="a saved view from the config (name or number)")
    ls.add_argument("--json", action="store_true")
    ls.add_argument("--at", metavar="DATETIME", default=argparse.SUPPRESS)

    sh = cmd("show", "show one case")
    sh.add_argument("id")
    sh.add_argument("--json", action="store_true")
    sh.add_argument("--at", metavar="DATETIME", default=argparse.SUPPRESS)

    mv = cmd("move", "move a case to a stage")
    mv.add_argument("id")
    mv.add_argument("stage", help=", ".join(STAGES))
    mv.add_argument("--outcome", help=", ".join(OUTCOMES) + " (needed for resolved)")
    mv.add_argument("--recovered", metavar="AMOUNT")

    lg = cmd("log", "log a message on a case ('-' reads the text from stdin)")
    lg.add_argument("id")
    lg.add_argument("--from", dest="sender", required=True, help="|".join(SENDERS))
    lg.add_argument("text", nargs="+", type=_text)

    at = cmd("attach", "attach an evidence file (records its size and SHA-256)")
    at.add_argument("id")
    at.add_argument("path")
    at.add_argument("--kind", default="other", help=", ".join(EVIDENCE_KINDS))
    at.add_argument("--note", default="", type=_text)

    dl = cmd("deadline", "add a deadline the platform set (hard unless --soft)")
    dl.add_argument("id")
    dl.add_argument("--kind", required=True, help="e.g. evidence_due, escalate_by")
    dl.add_argument("--due", required=True, metavar="DATETIME", help="with its offset, e.g. 2026-12-01T18:00+08:00")
    dl.add_argument("--soft", action="store_true", help="an expectation, not a hard deadline")
    dl.add_argument("--note", default="", type=_text)

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

    ex = cmd("export", "export every case")
    ex.add_argument("--format", choices=("json", "csv"), default="json")
    ex.add_argument("--output", metavar="FILE")

    im = cmd("import", "import cases from an export file (all or nothing; ids kept)")
    im.add_argument("file")

    un = cmd("undo", "undo the last change to a case (again to go further back)")
    un.add_argument("id")
    rd = cmd("redo", "redo what the last undo of a case reverted")
    rd.add_argument("id")

    de = cmd("demo", "fill a database with sample cases to try the board")
    de.add_argument("--cases", type=int, default=60)

    cf = cmd("config", "print where the config file is, or the built-in defaults")
    cf.add_argument("--defaults", action="store_true", help="print the built-in settings (a starting point)")
    cli_outcomes.add_parsers(sub, cmd)
    return p


# -- helpers ------------------------------------------------------------------------------
def _now(args) -> datetime:
    at = getattr(args, "at", None)
    return parse_when(at).astimezone(timezone.utc) if at else clock.now()


def _db_path(args, cfg: Config) -> Path:
    return paths.database(getattr(args, "db", None), cfg.database.get("path") or None)


def _open(args, cfg: Config, create: bool) -> TinyStore | None:
    path = _db_path(args, cfg)
    if not create and not path.exists():
        return None  # reading a database that does not exist yet: nothing in it, nothing created
    if path.exists() and path.is_dir():
        raise Refusal(f"{path}: is a folder, not a database file")
    return TinyStore(path, cfg=cfg)


def _need(store: TinyStore | None, args) -> TinyStore:
    if store is None:
        raise Refusal(f"no case {args.id.strip()} (there is no database yet)")
    return store


def _local(dt: datetime | None) -> str:
    return "" if dt is None else dt.astimezone().strftime("%Y-%m-%d %H:%M")


def _write_out(data: bytes, output: str | None) -> None:
    if not output:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    target = Path(output).expanduser()
    if target.is_dir():
        raise Refusal(f"{output}: is a folder")
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise Refusal(f"{output}: cannot write: {exc.strerror}") from None


# -- people's output ------------------------------------------------------------------------
def _line(c: Case, cfg: Config, now: datetime) -> str:
    u = urgency(c, cfg, now)
    due = countdown(u.clock.due, now) if u.clock else "-"
    if u.clock and u.hard:
        due = "!" + due
    flag = "⚠" if unresponsive(c, cfg, now) else " "
    amount = f"{c.claim:,.2f} {c.currency}"
    head = f"{c.id:<7}{c.stage:<10}{whose_turn(c):<9}{fit(due, 12)} {amount:>15} {flag}"
    rest = 80 - len(head) - 1
    return f"{head} {fit(c.supplier + ' · ' + (c.title or c.order), max(rest, 10)).rstrip()}"


def print_list(cases: list[Case], cfg: Config, now: datetime) -> None:
    if not cases:
        print("no cases")
        return
    print(f"{'ID':<7}{'STAGE':<10}{'TURN':<9}{'NEXT DUE':<13}{'CLAIMED':>15}   SUPPLIER · TITLE")
    for c in cases:
        print(_line(c, cfg, now))
    print(f"{len(cases)} case{'s' if len(cases) != 1 else ''}")


def print_case(c: Case, cfg: Config, now: datetime) -> None:
    from store.clocks import clocks

    def row(label, value):
        print(f"  {label:<14}{clean(str(value))}")

    print(f"{c.id}  {clean(c.title or c.order)}")
    row("stage", f"{c.stage_title} since {_local(c.stage_entered_at)}")
    row("turn", whose_turn(c) + ("   ⚠ unresponsive supplier: escalate" if unresponsive(c, cfg, now) else ""))
    row("platform", c.platform + (f"  (dispute {c.platform_ref})" if c.platform_ref else ""))
    row("order", c.order)
    row("supplier", c.supplier + (f"  <{c.supplier_contact}>" if c.supplier_contact else ""))
    row("reason", f"{c.reason}; wants {c.want}")
    row("amount", f"{c.amount} {c.currency}" + (f", claimed {c.claimed}" if c.claimed is not None else ""))
    if c.outcome:
        row("outcome", f"{c.outcome}, recovered {c.recovered} {c.currency} on {_local(c.closed_at)}")
    if c.description:
        row("description", c.description)
    cl = clocks(c, cfg)
    if cl:
        print("deadlines")
        for k in cl:
            state = "met" if k.met else countdown(k.due, now)
            print(f"  {'HARD' if k.hard else 'soft'} {fit(k.label, 40)} {_local(k.due)}  {state}")
    if c.messages:
        print(f"messages ({len(c.messages)})")
        for m in c.messages:
            print(f"  {_local(m.at)} {m.sender:<8} {clean(m.text)}")
    if c.evidence:
        print(f"evidence ({len(c.evidence)})")
        for e in c.evidence:
            print(f"  {e.kind:<14} {clean(e.path)}  {e.size} bytes  {ops.evidence_state(e)}"
                  + (f"  {clean(e.note)}" if e.note else ""))
    print("history")
    for h in c.history:
        print(f"  {_local(h.at)} {fit(h.user, 10)} {h.action:<9} {clean(h.detail)}")


def _json(obj) -> None:
    sys.stdout.buffer.write(orjson.dumps(obj, option=orjson.OPT_INDENT_2) + b"\n")


# -- commands ---------------------------------------------------------------------------
def cmd_add(args, cfg):
    now = clock.now()
    case = Case(
        id="D-0001", order=_text(args.order).strip(), supplier=args.supplier.strip(),
        reason=choice(args.reason, REASONS, "reason"), amount=money(args.amount),
        created_at=now, stage_entered_at=now, currency=args.currency.strip().upper(),
        platform=choice(args.platform, PLATFORMS, "platform"), platform_ref=args.platform_ref,
        supplier_contact=args.contact, title=args.title, product=args.product, description=args.description,
        want=choice(args.want, RESOLUTIONS, "resolution"),
        claimed=money(args.claimed, "claimed amount") if args.claimed else None,
        received_at=parse_when(args.received).astimezone(timezone.utc) if args.received else None,
        paid_at=parse_when(args.paid).astimezone(timezone.utc) if args.paid else None,
    )
    if case.claimed is not None and case.claimed > case.amount:
        raise Refusal(f"claimed amount {case.claimed} is more than the order amount {case.amount}")
    case.validate()  # before the database is opened: bad input creates nothing
    store = _open(args, cfg, create=True)
    created = store.create(case)
    print(created.id)


def _view_query(cfg: Config, name: str) -> str:
    views = cfg.data.get("views", [])
    for i, v in enumerate(views, 1):
        if name == str(i) or name.casefold() == str(v.get("name", "")).casefold():
            return v.get("query", "")
    names = ", ".join(f"{i} {v.get('name')}" for i, v in enumerate(views, 1)) or "none configured"
    raise Refusal(f"no saved view {name!r} (views: {names})")


def cmd_list(args, cfg):
    stage = choice(args.stage, STAGES, "stage") if args.stage else None
    now = _now(args)
    text = " ".join(q for q in (_view_query(cfg, args.view) if args.view else "", args.query or "") if q)
    pred = query.parse(text) if text else None
    store = _open(args, cfg, create=False)
    cases = store.cases(stage) if store else []
    if pred is not None:
        ctx = query.Context(now, cfg, store.user if store else login_name())
        cases = [c for c in cases if pred(c, ctx)]
    if args.json:
        _json([case_json(c, cfg, now) for c in cases])
    else:
        print_list(cases, cfg, now)


def cmd_show(args, cfg):
    now = _now(args)
    store = _need(_open(args, cfg, create=False), args)
    c = store.get(args.id)
    if args.json:
        _json(case_json(c, cfg, now))
    else:
        print_case(c, cfg, now)


def cmd_move(args, cfg):
    stage = choice(args.stage, STAGES, "stage")
    if args.recovered is not None:
        money(args.recovered, "amount recovered")
    if args.outcome is not None:
        choice(args.outcome, OUTCOMES, "outcome")
    store = _need(_open(args, cfg, create=False), args)
    c = store.update(args.id, lambda k: ops.move(k, stage, clock.now(), args.outcome, args.recovered))
    print(f"{c.id}: {c.history[-1].detail}")


def cmd_log(args, cfg):
    sender = choice(args.sender, SENDERS, "sender")
    text = " ".join(args.text)
    if text == "-":
        text = _text(sys.stdin.read()).rstrip("\n")
    if not text.strip():
        raise Refusal("message text is empty")
    store = _need(_open(args, cfg, create=False), args)
    c = store.update(args.id, lambda k: ops.log(k, sender, text, clock.now(), store.user))
    print(f"{c.id}: message from {sender} logged; turn: {whose_turn(c)}")


def cmd_attach(args, cfg):
    kind = choice(args.kind, EVIDENCE_KINDS, "evidence kind")
    p = ops.check_evidence_path(args.path)
    digest = ops.file_digest(p)  # hashed before the lock is taken: a big video must not block others
    store = _need(_open(args, cfg, create=False), args)
    c = store.update(args.id, lambda k: ops.attach(k, p, kind, args.note, clock.now(),
                                                   store.user, digest))
    e = c.evidence[-1]
    print(f"{c.id}: {e.kind} {clean(e.path)} ({e.size} bytes, sha256 {e.sha256[:12]}…)")


def cmd_deadline(args, cfg):
    due = parse_when(args.due)
    store = _need(_open(args, cfg, create=False), args)
    c = store.update(args.id, lambda k: ops.add_deadline(k, args.kind, due, not args.soft, args.note))
    print(f"{c.id}: {c.history[-1].detail}")


def cmd_digest(args, cfg):
    now = _now(args)
    store = _open(args, cfg, create=False)
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
        _json(out)
        return
    if not rows:
        print("nothing needs you today")
        return
    print(f"{len(rows)} case{'s need' if len(rows) != 1 else ' needs'} action ({_local(now)})")
    for t in rows:
        c = t.case
        print(f"{c.id} {fit(c.supplier, 22)} {c.claim:>12,.2f} {c.currency}  {fit(c.title or c.order, 28).rstrip()}")
        print(f"       {clean('; '.join(t.why))}")


def cmd_snooze(args, cfg):
    until = None if args.wake else parse_when(args.until)
    store = _need(_open(args, cfg, create=False), args)
    c = store.update(args.id, lambda k: ops.snooze(k, until, clock.now()))
    print(f"{c.id}: snoozed {c.history[-1].detail}")


def cmd_assign(args, cfg):
    user = ops.box_user(args.user) if args.user.strip() else ""
    store = _need(_open(args, cfg, create=False), args)
    c = store.update(args.id, lambda k: ops.assign(k, user))
    print(f"{c.id}: assigned {c.history[-1].detail}")


def cmd_tag(args, cfg):
    store = _need(_open(args, cfg, create=False), args)
    add, remove = ([], args.tags) if args.remove else (args.tags, [])
    c = store.update(args.id, lambda k: ops.tag(k, add, remove))
    print(f"{c.id}: tags {c.history[-1].detail}")


def cmd_export(args, cfg):
    store = _open(args, cfg, create=False)
    cases = store.cases() if store else []
    if args.format == "json":
        data = export_json(cases)
    else:
        data = export_csv(cases, cfg, clock.now()).encode("utf-8")
    _write_out(data, args.output)


def cmd_import(args, cfg):
    path = Path(args.file).expanduser()
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        raise Refusal(f"no such file: {args.file}") from None
    except OSError as exc:
        raise Refusal(f"{args.file}: cannot read: {exc.strerror}") from None
    cases = import_json(blob, args.file)
    store = _open(args, cfg, create=True)
    n = store.import_cases(cases)
    print(f"imported {n} case{'s' if n != 1 else ''}")


def cmd_undo(args, cfg):
    store = _need(_open(args, cfg, create=False), args)
    c = store.undo(args.id)
    print(f"{c.id}: {c.history[-1].detail}")


def cmd_redo(args, cfg):
    store = _need(_open(args, cfg, create=False), args)
    c = store.redo(args.id)
    print(f"{c.id}: {c.history[-1].detail}")


def cmd_demo(args, cfg):
    from store.sample import materialize_evidence, sample_cases

    if not 1 <= args.cases <= 100_000:
        raise Refusal("--cases must be between 1 and 100000")
    store = _open(args, cfg, create=True)
    start = max((c.number for c in store.cases()), default=0) + 1
    cases = sample_cases(args.cases, clock.now(), start_id=start)
    folder = store.path().with_name(store.path().name + ".demo-evidence")
    files = materialize_evidence(cases, folder)
    n = store.import_cases(cases)
    print(f"added {n} sample cases to {store.location} ({files} evidence files in {folder})")


def cmd_config(args, cfg):
    if args.defaults:
        sys.stdout.write(default_text())
    else:
        where = paths.config_file()
        print(f"config file: {where} ({'in use' if cfg.path else 'not created yet; see --defaults'})")
        print(f"database:    {_db_path(args, cfg)}")
        print(f"themes:      {paths.user_themes_dir()}")


def cmd_board(args, cfg):
    from .app import run_board

    store = _open(args, cfg, create=True)
    return run_board(store, cfg)


COMMANDS = {
    **cli_outcomes.COMMANDS,
    "add": cmd_add, "list": cmd_list, "show": cmd_show, "move": cmd_move, "log": cmd_log,
    "attach": cmd_attach, "export": cmd_export, "import": cmd_import, "undo": cmd_undo, "redo": cmd_redo,
    "demo": cmd_demo, "deadline": cmd_deadline, "digest": cmd_digest, "snooze": cmd_snooze,
    "assign": cmd_assign, "tag": cmd_tag, "config": cmd_config, None: cmd_board,
}


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        cfg = load_config()
        rc = COMMANDS[args.command](args, cfg)
        return rc or 0
    except Refusal as exc:
        code, msg = exc.code, str(exc)
    except NotFound as exc:
        code, msg = EXIT_INPUT, str(exc)
    except (ValidationError, ConfigError) as exc:
        code, msg = EXIT_INPUT, str(exc)
    except DamagedDatabase as exc:
        code, msg = EXIT_DAMAGED, str(exc)
    except (ConflictError, LockTimeout) as exc:
        code, msg = EXIT_CONFLICT, str(exc)
    except StoreError as exc:
        code, msg = EXIT_INPUT, str(exc)
    except PermissionError as exc:
        code, msg = EXIT_DAMAGED, f"{exc.filename}: permission denied"
    except BrokenPipeError:
        # `disputes list | head`: the reader left; not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130
    print(f"disputes: {clean(msg)}", file=sys.stderr)
    return code


if __name__ == "__main__":
    # `python -m tui.cli` runs this file as __main__; run the importable tui.cli instead, so
    # every module that imports tui.cli (cli_outcomes) shares its Refusal and helpers.
    from tui.cli import main as _main

    sys.exit(_main())
