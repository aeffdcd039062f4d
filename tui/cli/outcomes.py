"""`disputes statement | packet | verify | offer | stats`: the dispute packet, negotiation and
outcomes on the command line.

The same contract holds as for every command:
bad input exits non-zero with one line on stderr, is checked before the database is opened,
and leaves the database byte-for-byte as it was.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from store import clock, negotiation, paths
from store.errors import ConflictError, DamagedDatabase, StoreError
from store.model import choice, money

from ..safe import clean
from .common import (
    EXIT_USAGE,
    Refusal,
    db_path,
    fit,
    local_time,
    need,
    open_db,
    output_mode,
    print_json,
)

if TYPE_CHECKING:
    from store.stats import Group

PROPOSAL_KINDS = ", ".join(negotiation.PROPOSAL_KINDS)


def register(cmd) -> None:
    """Add this group's subcommands; ``cmd(name, help, run)`` makes one (see ``registry``)."""
    st = cmd("statement", "print the dispute explanation for the platform's Open Dispute form", cmd_statement)
    st.add_argument("id")
    how = st.add_mutually_exclusive_group()
    how.add_argument("--save", action="store_true", help="store the composed text with the case")
    how.add_argument("--edit", action="store_true",
                     help="edit the statement in $VISUAL or $EDITOR and save the result")
    how.add_argument("--draft", action="store_true",
                     help="print a fresh composition from the case, ignoring any saved text")

    pk = cmd("packet", "write the upload zip: statement, transcript, evidence files, manifest.json", cmd_packet)
    pk.add_argument("id")
    pk.add_argument("--output", "-o", required=True, metavar="FILE.zip")
    pk.add_argument("--force", action="store_true",
                    help="write it anyway: missing evidence left out, changed files packed as they are now")

    vf = cmd("verify", "re-hash evidence files; exits 1 naming any missing or changed "
                       "(no ID: every case not yet resolved)", cmd_verify)
    vf.add_argument("id", nargs="?")
    vf.add_argument("--all", action="store_true", help="with no ID, resolved cases too")
    vf.add_argument("--json", action="store_true")

    of = cmd("offer", "record a proposal or counter-proposal, or answer one with --accept/--reject; "
                      "with only an ID, list them", cmd_offer)
    of.add_argument("id")
    of.add_argument("--from", dest="sender", help="supplier|me")
    of.add_argument("--kind", help=PROPOSAL_KINDS)
    of.add_argument("--amount", help="e.g. 600.00 (a full_refund without one is the amount claimed)")
    of.add_argument("--accept", nargs="?", const=0, type=int, metavar="N",
                    help="accept proposal N (default: the open one): the case is resolved with its amount")
    of.add_argument("--reject", nargs="?", const=0, type=int, metavar="N",
                    help="reject proposal N (default: the open one)")

    ss = cmd("stats", "claimed and recovered totals, win rate and days to resolution, per supplier and reason",
             cmd_stats)
    ss.add_argument("--json", action="store_true")


def _editor() -> list[str] | None:
    from store.editor import editor_command  # (subprocess, tempfile: these commands only)

    return editor_command()  # $VISUAL, $EDITOR, then nano/vi on PATH: the board's rule too


def cmd_statement(args, cfg):
    # The statement's writer and the editor: this command's (9-13 ms of imports every other
    # command and `--help` did without).
    from store import statement
    from store.editor import EditorError, discard, edit_text

    editor = _editor() if args.edit else None
    if args.edit and not editor:
        raise Refusal("no editor found: set $EDITOR (e.g. EDITOR=nano) to edit the statement, or edit it on the board")
    store = need(open_db(args, cfg, create=False), args)
    case = store.get(args.id)

    if not (args.save or args.edit):
        text = statement.compose(case) if args.draft else statement.current(case)
        sys.stdout.write(clean(text, multiline=True))
        return 0

    if args.save:
        text = statement.compose(case)
        if case.statement == text:
            print(f"{case.id}: statement already saved, unchanged")
            return 0
        replaced = bool(case.statement.strip())

        def save(k):
            k.statement = text
            return "statement", "composed and saved" + (" (replaced the saved text)" if replaced else "")

        c = store.update(case.id, save)
        print(f"{c.id}: statement saved ({len(text.splitlines())} lines)"
              + ("; replaced the saved text (undo restores it)" if replaced else ""))
        return 0

    # --edit: the saved text (else a fresh composition) in the user's editor. The temp file is
    # removed on every way out (refusal, error, Ctrl-C) except when a message says it is kept.
    original = case.statement
    try:
        edited = edit_text(statement.current(case), prefix=f"{case.id}-statement-", editor=editor, keep=True)
    except EditorError as exc:
        raise Refusal(f"{exc}; statement not saved") from None
    tmp = edited.path
    text = statement.normalise(edited.text)
    if not text:
        discard(tmp)
        raise Refusal("the edited statement is empty; not saved")
    if text == original:
        discard(tmp)
        print(f"{case.id}: statement unchanged")
        return 0

    def save_edit(k):
        if k.statement != original:  # someone saved another version while this one was edited
            raise ConflictError(f"{k.id}: the statement was changed by someone else while you edited it; "
                                f"nothing saved, your text is kept in {tmp}")
        k.statement = text
        return "statement", "edited"

    try:
        c = store.update(case.id, save_edit)
    except ConflictError:
        raise
    except StoreError as exc:  # a lock held too long, the case gone: the edit is not lost
        raise type(exc)(f"{exc}; your text is kept in {tmp}") from None
    except OSError as exc:  # the database cannot be written (disk full): say where the text is
        raise DamagedDatabase(f"{exc.filename or 'database'}: {exc.strerror or exc}; "
                              f"your text is kept in {tmp}") from None
    except BaseException:  # Ctrl-C, or anything else: nothing said about the file, so no file left
        discard(tmp)
        raise
    discard(tmp)
    print(f"{c.id}: statement saved ({len(text.splitlines())} lines)")
    return 0


def cmd_packet(args, cfg):
    from store import statement  # see cmd_statement
    from store import packet  # zipfile and the packet writer: this command and verify only

    target = packet.check_output(args.output).resolve()  # before the database is opened
    db = db_path(args, cfg).resolve()
    if target in (db, paths.journal_file(db), paths.lock_file(db)):
        raise Refusal(f"{args.output}: is the database; write the packet elsewhere")
    store = need(open_db(args, cfg, create=False), args)
    case = store.get(args.id)
    p = packet.write_packet(case, args.output, now=clock.now(), force=args.force, mode=output_mode(args, cfg))
    n_ev = len(p.files) - 2
    print(f"{case.id}: wrote {clean(str(p.path))} ({p.size:,} bytes): {p.statement_source} statement, "
          f"transcript, {n_ev} evidence file{'s' if n_ev != 1 else ''}, manifest.json")
    for prob in p.problems:
        print(f"  warning: #{prob.index} {clean(prob.name)} {prob.state}: {clean(prob.detail)}"
              + ("; left out" if prob.state != "changed" else "; packed as it is now"))
    for flag in statement.format_flags(case):
        print(f"  format: {clean(str(flag))}")
    for item in statement.missing(case, required_only=True):
        print(f"  still missing: {item.label}")
    return 0


def cmd_verify(args, cfg):
    from store import statement  # see cmd_statement
    from store import packet  # see cmd_packet

    store = open_db(args, cfg, create=False)
    if args.id:
        cases = [need(store, args).get(args.id)]
    else:
        cases = [] if store is None else [c for c in store.cases() if args.all or c.stage != "resolved"]
    results = [(c, packet.verify(c)) for c in cases]
    bad = [(c, r) for c, checks in results for r in checks if not r.ok]
    if args.json:
        out = []
        for c, checks in results:
            d = {"id": c.id, "files": [r.to_dict() for r in checks]}
            if args.id:
                d["formats"] = [f.to_dict() for f in statement.format_flags(c)]
                d["checklist"] = [k.to_dict() for k in statement.checklist(c)]
            out.append(d)
        print_json(out if not args.id else out[0])
    else:
        n = 0
        for c, checks in results:
            for r in checks:
                n += 1
                line = f"{c.id:<7} #{r.index:<3} {r.kind:<14} {r.state:<10} {fit(r.name, 30).rstrip()}"
                print(line + (f"  {clean(r.detail)}" if r.detail else ""))
        if args.id:
            c = cases[0]
            for flag in statement.format_flags(c):
                print(f"format: {clean(str(flag))}")
            for chk in statement.checklist(c):
                if chk.missing:
                    print(f"missing: {chk.need.label}" + ("" if chk.need.required else " (recommended)"))
        print(f"{n} evidence file{'s' if n != 1 else ''} in {len(results)} case{'s' if len(results) != 1 else ''}: "
              f"{n - len(bad)} ok, {len(bad)} missing or changed")
    if bad:
        names = ", ".join(f"{c.id} {r.name} {r.state}" for c, r in bad[:5])
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        sys.stdout.flush()
        raise Refusal(f"{len(bad)} evidence file{'s' if len(bad) != 1 else ''} missing or changed: {names}{more}")
    return 0


def cmd_offer(args, cfg):

    answer = None
    if args.accept is not None and args.reject is not None:
        raise Refusal("offer: give --accept or --reject, not both", EXIT_USAGE)
    if args.accept is not None or args.reject is not None:
        answer = "accepted" if args.accept is not None else "rejected"
        index = args.accept if args.accept is not None else args.reject
        if index < 0:
            raise Refusal(f"no proposal #{index}")
        if args.sender or args.kind or args.amount:
            raise Refusal("offer: --accept/--reject answer a proposal; --from, --kind and --amount make one",
                          EXIT_USAGE)
    creating = bool(args.sender or args.kind or args.amount)
    if creating:
        if not args.sender or not args.kind:
            raise Refusal("offer: a proposal needs --from (supplier|me) and --kind", EXIT_USAGE)
        sender = choice(args.sender, negotiation.PARTIES, "party")
        kind = choice(args.kind, negotiation.PROPOSAL_KINDS, "proposal kind")
        amount = money(args.amount, "proposal amount") if args.amount else None
        if amount is None and kind != "full_refund":
            raise Refusal(f"a {kind} proposal needs --amount")
    store = need(open_db(args, cfg, create=False), args)
    now = clock.now()
    if creating:
        c = store.update(args.id, lambda k: negotiation.offer(k, sender, kind, amount, now))
        print(f"{c.id}: proposal {clean(c.history[-1].detail)}")
    elif answer:
        c = store.update(args.id, lambda k: negotiation.respond(k, index or None, answer, now))
        print(f"{c.id}: {clean(c.history[-1].detail)}")
    else:
        c = store.get(args.id)
        if not c.proposals:
            print(f"{c.id}: no proposals")
        for i, p in enumerate(c.proposals, 1):
            print(f"#{i:<3} {local_time(p.at)}  {p.sender:<9} {p.kind:<15} {p.amount:>12,.2f} {c.currency}  {p.status}")
    return 0


def _pct(x) -> str:
    return "-" if x is None else f"{float(x) * 100:.0f}%"


def _shares(g: Group) -> str:
    s = g.share
    if not s:
        return "-"
    if len(s) == 1:
        return _pct(next(iter(s.values())))
    return ", ".join(f"{_pct(v)} {cur}" for cur, v in s.items())


def _days(g: Group) -> str:
    return "-" if g.mean_days is None else f"{g.mean_days:.1f}"


def _money(d: dict) -> str:
    return ", ".join(f"{v:,.2f} {k}" for k, v in sorted(d.items())) or "0"


def _table(title: str, groups: list[Group]) -> None:

    print(f"{title:<34}{'CASES':>6}{'WON':>6}{'RECOVERED':>12}{'MEAN DAYS':>11}{'ON TIME':>9}")
    for g in groups:
        on_time = f"{g.on_time}/{g.timed}" if g.timed else "-"
        print(f"{fit(g.key, 33)} {g.count:>6}{_pct(g.win_rate):>6}{fit(_shares(g), 11).rstrip():>12}"
              f"{_days(g):>11}{on_time:>9}")


def cmd_stats(args, cfg):
    from store.stats import stats  # this command only (the board's Outcomes screen imports it itself)

    store = open_db(args, cfg, create=False)
    s = stats(store.cases() if store else [], cfg)
    if args.json:
        print_json(s.to_dict())
        return 0
    t = s.total
    print(f"resolved {t.count} (won {t.wins}, {_pct(t.win_rate)}); open {s.open_count}, "
          f"claimed {_money(s.open_claimed)}")
    if not t.count:
        return 0
    for cur in sorted(t.claimed):
        share = t.share.get(cur)
        print(f"claimed {t.claimed[cur]:,.2f} {cur}, recovered {t.recovered[cur]:,.2f} {cur} ({_pct(share)})")
    if t.days:
        print(f"dispute to resolution: mean {_days(t)} days; {t.on_time} of {t.timed} within the expected time")
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in s.by_outcome.items()))
    print()
    _table("BY SUPPLIER", s.by_supplier)
    print()
    _table("BY REASON", s.by_reason)
    return 0


