"""`disputes export | import | undo | redo | demo | config`: the database as a whole."""

from __future__ import annotations

import sys
from pathlib import Path

from store import clock, paths
from store.config import default_text
from store.export import export_csv, export_json, import_json

from .common import Refusal, db_path, need, open_db, write_out


def register(cmd) -> None:
    """Add this group's subcommands; ``cmd(name, help)`` makes one (see ``registry``)."""
    ex = cmd("export", "export every case")
    ex.add_argument("--format", choices=("json", "csv"), default="json")
    ex.add_argument("--output", metavar="FILE")

    im = cmd("import", "import cases from an export file (all or nothing; ids kept)")
    im.add_argument("file")

    un = cmd("undo", "undo the last change to a case (again to go further back)")
    un.add_argument("id")
    rd = cmd("redo", "redo what the last undo of a case reverted")
    rd.add_argument("id")

    de = cmd("demo", "fill an empty database with sample cases to try the board")
    de.add_argument("--cases", type=int, default=60)

    cf = cmd("config", "print where the config file is, or the built-in defaults")
    cf.add_argument("--defaults", action="store_true", help="print the built-in settings (a starting point)")
    ex.set_defaults(run=cmd_export)
    im.set_defaults(run=cmd_import)
    un.set_defaults(run=cmd_undo)
    rd.set_defaults(run=cmd_redo)
    de.set_defaults(run=cmd_demo)
    cf.set_defaults(run=cmd_config)


def cmd_export(args, cfg):
    store = open_db(args, cfg, create=False)
    cases = store.cases() if store else []
    if args.format == "json":
        data = export_json(cases)
    else:
        data = export_csv(cases, cfg, clock.now()).encode("utf-8")
    write_out(data, args.output)


def cmd_import(args, cfg):
    path = Path(args.file).expanduser()
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        raise Refusal(f"no such file: {args.file}") from None
    except OSError as exc:
        raise Refusal(f"{args.file}: cannot read: {exc.strerror}") from None
    cases = import_json(blob, args.file)
    store = open_db(args, cfg, create=True)
    n = store.import_cases(cases)
    print(f"imported {n} case{'s' if n != 1 else ''}")


def cmd_undo(args, cfg):
    store = need(open_db(args, cfg, create=False), args)
    c = store.undo(args.id)
    print(f"{c.id}: {c.history[-1].detail}")


def cmd_redo(args, cfg):
    store = need(open_db(args, cfg, create=False), args)
    c = store.redo(args.id)
    print(f"{c.id}: {c.history[-1].detail}")


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


