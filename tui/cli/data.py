"""`disputes export | import | undo | redo | demo | config`: the database as a whole."""

from __future__ import annotations

import sys
from pathlib import Path

from store import clock, paths
from store.config import default_text
from store.export import export_csv, export_json, import_json
from store.history import NotYours
from store.users import login_name

from .common import EXIT_USAGE, Refusal, db_path, fit, need, open_db, output_mode, text_arg, write_out


def register(cmd) -> None:
    """Add this group's subcommands; ``cmd(name, help, run)`` makes one (see ``registry``)."""
    ex = cmd("export", "export every case", cmd_export)
    ex.add_argument("--format", choices=("json", "csv"), default="json")
    ex.add_argument("--output", metavar="FILE", help="write it to FILE (default, or -: standard output)")

    im = cmd("import", "import cases: the board's JSON or CSV export, a PayPal activity download "
                       "(--from paypal) or any CSV with --map; all or nothing, skips what is already there", cmd_import)
    im.add_argument("file")
    im.add_argument("--from", dest="source", choices=("board", "paypal"),
                    help="what wrote the CSV (default: the board itself)")
    im.add_argument("--map", action="append", metavar="FIELD=COLUMN,...", type=text_arg,
                    help="which column holds what, for any other CSV: order=, supplier=, amount= "
                         "(needed), currency=, platform=, ref=, title=, product=, description=, reason=, "
                         "want=, contact=, claimed=, tags=, paid=, shipped=, received=, "
                         "delivery_estimate=, opened=")
    im.add_argument("--date-order", type=str.upper, choices=("DMY", "MDY", "YMD"),
                    help="how the file writes dates, when the dates alone cannot tell (01/02/2026)")
    im.add_argument("--decimal-mark", choices=(".", ","),
                    help="how the file writes decimals (12.50 or 12,50), when its amounts alone cannot tell "
                         "(10.125 KWD: 10.125 or 10,125)")
    im.add_argument("--type", dest="types", action="append", metavar="TYPE", type=text_arg,
                    help="PayPal: import rows of this Type (again for more); default: payments sent")
    im.add_argument("--status", dest="statuses", action="append", metavar="STATUS", type=text_arg,
                    help="PayPal: import rows with this Status (again for more); default: Completed")
    im.add_argument("--platform", default="alibaba", help="--map: the cases' platform when no column says")
    im.add_argument("--currency", default="USD", help="--map: the currency when no column says")
    im.add_argument("--reason", default="other", help="PayPal and --map: the dispute reason for new cases")
    im.add_argument("--tz", metavar="ZONE",
                    help="--map: the zone of dates written without one (default: the platform's)")
    im.add_argument("--dry-run", action="store_true", help="print what would be added; write nothing")

    un = cmd("undo", "undo your last change to a case (again to go further back)", cmd_undo)
    un.add_argument("id")
    un.add_argument("--any", action="store_true", help="undo the last change even when someone else made it")
    rd = cmd("redo", "redo what your last undo of a case reverted", cmd_redo)
    rd.add_argument("id")
    rd.add_argument("--any", action="store_true", help="redo even when someone else made the undo")

    de = cmd("demo", "fill an empty database with sample cases to try the board", cmd_demo)
    de.add_argument("--cases", type=int, default=60)

    cf = cmd("config", "print where the config file is, or the built-in defaults", cmd_config)
    cf.add_argument("--defaults", action="store_true", help="print the built-in settings (a starting point)")


def cmd_export(args, cfg):
    store = open_db(args, cfg, create=False)
    cases = store.cases() if store else []
    if args.format == "json":
        data = export_json(cases)
    else:
        data = export_csv(cases, cfg, clock.now()).encode("utf-8")
    write_out(data, args.output, kind=args.format, mode=output_mode(args, cfg))


def cmd_import(args, cfg):
    path = Path(args.file).expanduser()
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        raise Refusal(f"no such file: {args.file}") from None
    except IsADirectoryError:
        raise Refusal(f"{args.file}: is a folder") from None
    except OSError as exc:
        raise Refusal(f"{args.file}: cannot read: {exc.strerror}") from None
    csv_like = args.source or args.map or not (path.suffix.lower() == ".json"
                                               or blob.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["))
    if csv_like:
        return _import_csv(args, cfg, blob)
    cases = import_json(blob, args.file)
    if args.dry_run:
        from store import importers  # csv and the importers' tables (~10 ms): this command only

        for c in cases:
            print(fit(importers.describe(c, cfg, clock.now()), 200).rstrip())
        print(f"would import {len(cases)} case{'s' if len(cases) != 1 else ''} (dry run: nothing written)")
        return
    store = open_db(args, cfg, create=True)
    n = store.import_cases(cases)
    print(f"imported {n} case{'s' if n != 1 else ''}")


def _import_csv(args, cfg, blob: bytes):
    if args.map and args.source:
        raise Refusal("give either --from or --map, not both", EXIT_USAGE)
    from store import importers  # see cmd_import

    now = clock.now()
    sheet = importers.read_csv(blob, args.file)
    store = open_db(args, cfg, create=False, missing_ok=True)  # created below, if anything is added
    user = store.user if store else login_name()
    # Only the keys the duplicate check needs, from the stored documents: no case decoded.
    existing = store.order_keys() if store else []
    last_id = store.last_id() if store is not None else 0
    ignored = 0
    if args.map:
        rows = importers.mapped_rows(sheet, importers.parse_map(args.map), date_order_given=args.date_order,
                                     platform=args.platform, currency=args.currency, reason=args.reason,
                                     tz_name=args.tz, cfg=cfg, now=now, user=user, mark_given=args.decimal_mark)
        plan = importers.plan(rows, existing, args.file, last_id=last_id)
    elif args.source == "paypal":
        rows, ignored = importers.paypal_rows(sheet, date_order_given=args.date_order, types=args.types,
                                              statuses=args.statuses or ["Completed"], reason=args.reason,
                                              now=now, user=user, mark_given=args.decimal_mark)
        plan = importers.plan(rows, existing, args.file, last_id=last_id, ignored=ignored)
    else:
        rows = importers.board_rows(sheet, cfg, now, user)
        plan = importers.plan(rows, existing, args.file, last_id=last_id, keep_ids=True)
    n = len(plan.cases)
    tail = f"; skipped {plan.skipped} already there" + (f"; {ignored} rows not chosen (see --type, --status)"
                                                         if args.source == "paypal" else "")
    if args.dry_run:
        for c in plan.cases:
            print(fit(importers.describe(c, cfg, now), 200).rstrip())
        print(f"would add {n} case{'s' if n != 1 else ''}{tail} (dry run: nothing written)")
        return
    if n:
        store = store or open_db(args, cfg, create=True)
        store.import_cases(plan.cases)
        span = plan.cases[0].id + (f"..{plan.cases[-1].id}" if n > 1 else "")
        print(f"imported {n} case{'s' if n != 1 else ''} ({span}){tail}")
    else:
        print(f"imported 0 cases{tail}")


def cmd_undo(args, cfg):
    store = need(open_db(args, cfg, create=False), args)
    c = _revert(store, "undo", args)
    print(f"{c.id}: {c.history[-1].detail}")


def cmd_redo(args, cfg):
    store = need(open_db(args, cfg, create=False), args)
    c = _revert(store, "redo", args)
    print(f"{c.id}: {c.history[-1].detail}")


def _revert(store, which: str, args):
    """Only a change of mine, as the board's u, unless --any (``history.reverter``)."""
    try:
        return getattr(store, which)(args.id, by=None if args.any else store.user)
    except NotYours as exc:
        raise Refusal(f"{exc} (--any {'undoes' if which == 'undo' else 'redoes'} it)") from None


def cmd_demo(args, cfg):
    from store.sample import materialize_evidence, sample_cases

    if not 1 <= args.cases <= 100_000:
        raise Refusal("--cases must be between 1 and 100000")
    store = open_db(args, cfg, create=True)
    held = store.count()
    if held:  # sample cases cannot be told from real ones afterwards: never mix them
        raise Refusal(f"{store.location} already holds {held} case{'s' if held != 1 else ''}; demo fills only "
                      f"an empty database (try: disputes demo --db /tmp/demo.json)")
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
        print(f"database:    {db_path(args, cfg)}")
        print(f"themes:      {paths.user_themes_dir()}")


