"""Where a command goes: the groups of subcommands, in the order ``--help`` lists them.

Each group is a module with ``register(cmd)``: it makes its parsers with ``cmd(name, help, run)``,
``run(args, cfg)`` being the function that runs the command. A new command is a parser and a
function in the group it belongs to; a new group is a module added to ``GROUPS``. No command
module imports another; what they share lives in ``common``.
"""

from __future__ import annotations

import argparse
from typing import Any, Callable

from . import cases, data, db, notify, outcomes, triage
from .common import Parser

GROUPS = (cases, triage, data, outcomes, notify, db)


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

    def cmd(name: str, help_: str, run: Callable[[argparse.Namespace, Any], int | None]) -> Parser:
        parser = sub.add_parser(name, parents=[db], help=help_, description=help_)
        parser.set_defaults(run=run)
        return parser

    for group in GROUPS:
        group.register(cmd)
    return p
