"""Deadline warnings for when the board is closed (`disputes notify`, made for cron).

For every hard deadline not yet met that is within a warning threshold (``[notify]
thresholds_hours``, default 48, 24 and 3 hours) or has passed, one warning per case and
threshold. What was delivered is recorded on the case (``Case.notified``), through the store's
normal update path, so the next run never repeats it; what failed is not recorded, so the next
run tries it again. A case first seen at 2 hours left gets the 3 h warning only, not all three.

Pure functions here (what is due, the message text, recording a delivery) plus the delivery:
email over SMTP, and the URLs the team configures (``[notify] urls``, or ``urls_env`` naming an
environment variable that holds them, for URLs that carry tokens) through apprise. A warning is
recorded once every configured way took it. Nothing reads the system clock: callers pass ``now``.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Iterator

from .clocks import Clock, clocks, span
from .config import Config, ConfigError
from .model import STAGE_TITLES, Case

PASSED = 0  # the "threshold" of a deadline that has passed
TLS_MODES = ("none", "starttls", "ssl")


class DeliveryError(Exception):
    """Delivery failed; ``delivered`` counts what went out before it did."""

    def __init__(self, message: str, delivered: int = 0):
        super().__init__(message)
        self.delivered = delivered


@dataclass(frozen=True)
class Settings:
    smtp_host: str
    smtp_port: int
    sender: str
    recipients: tuple[str, ...]
    thresholds: tuple[int, ...]  # hours, largest first
    tls: str  # none | starttls | ssl
    user: str
    password_env: str
    timeout: float
    subject_prefix: str
    urls: tuple[str, ...] = ()  # apprise URLs, secrets and all: never shown, see ``masked``
    urls_env: str = "DISPUTES_NOTIFY_URLS"


def settings(cfg: Config, *, for_delivery: bool = True) -> Settings:
    """The ``[notify]`` table checked; ConfigError names the first bad key."""
    n = cfg.data.get("notify", {})
    where = f"{cfg.path or 'built-in defaults'}: [notify]"
    if not isinstance(n, dict):
        raise ConfigError(f"{where} must be a table")
    th = n.get("thresholds_hours", [48, 24, 3])
    if (not isinstance(th, list) or not th
            or not all(isinstance(h, int) and not isinstance(h, bool) and 0 < h <= 24 * 365 for h in th)):
        raise ConfigError(f"{where} thresholds_hours must be a list of whole hours between 1 and 8760, "
                          f"e.g. [48, 24, 3]")
    tls = n.get("smtp_tls", False)
    tls = {True: "starttls", False: "none"}.get(tls, tls) if isinstance(tls, bool) else str(tls).lower()
    if tls not in TLS_MODES:
        raise ConfigError(f"{where} smtp_tls must be true (STARTTLS), false, or one of {', '.join(TLS_MODES)}")
    port = n.get("smtp_port", 25)
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise ConfigError(f"{where} smtp_port must be a port number")
    recipients = n.get("recipients", [])
    if isinstance(recipients, str):
        recipients = [recipients]
    if not isinstance(recipients, list) or not all(isinstance(r, str) for r in recipients):
        raise ConfigError(f"{where} recipients must be a list of addresses")
    timeout = n.get("timeout_seconds", 30)
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not 0 < timeout <= 600:
        raise ConfigError(f"{where} timeout_seconds must be a number of seconds up to 600")
    for key in ("smtp_host", "sender", "smtp_user", "password_env", "subject_prefix"):
        if not isinstance(n.get(key, ""), str):
            raise ConfigError(f"{where} {key} must be text")
        if any(unicodedata.category(ch).startswith("C") for ch in n.get(key, "")):
            raise ConfigError(f"{where} {key} holds control characters")
    if any(any(unicodedata.category(ch).startswith("C") for ch in r) for r in recipients):
        raise ConfigError(f"{where} recipients hold control characters")
    if "password" in n:
        raise ConfigError(f"{where} password must not be in the file: name an environment variable "
                          f"in password_env instead")
    urls = n.get("urls", [])
    if isinstance(urls, str):
        urls = [urls]
    if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
        raise ConfigError(f"{where} urls must be a list of notification URLs (apprise's forms)")
    urls_env = n.get("urls_env", "DISPUTES_NOTIFY_URLS")
    if not isinstance(urls_env, str) or not urls_env.strip():
        raise ConfigError(f"{where} urls_env must name an environment variable")
    # From the environment: URLs separated by white space (tokens stay out of the config file).
    urls = [u.strip() for u in urls if u.strip()] + os.environ.get(urls_env.strip(), "").split()
    if any(any(unicodedata.category(ch).startswith("C") for ch in u) for u in urls):
        raise ConfigError(f"{where} urls hold control characters")
    s = Settings(
        smtp_host=n.get("smtp_host", "").strip(), smtp_port=port, sender=n.get("sender", "").strip(),
        recipients=tuple(r.strip() for r in recipients if r.strip()),
        thresholds=tuple(sorted(set(th), reverse=True)), tls=tls, user=n.get("smtp_user", "").strip(),
        password_env=n.get("password_env", "DISPUTES_SMTP_PASSWORD").strip(), timeout=float(timeout),
        subject_prefix=n.get("subject_prefix", "[disputes]"), urls=tuple(urls), urls_env=urls_env.strip(),
    )
    if for_delivery:
        missing = [k for k, v in (("smtp_host", s.smtp_host), ("sender", s.sender),
                                  ("recipients", s.recipients)) if not v]
        if missing and (s.smtp_host or not s.urls):  # URLs alone are enough; half an SMTP setup is not
            raise ConfigError(f"{where} set {', '.join(missing)} in your config file to send deadline "
                              f"warnings, or urls (see `disputes config`)")
        for u in s.urls:
            if _apprise_for(u) is None:
                raise ConfigError(f"{where} urls: {masked(u)} is not a notification URL apprise knows")
        if s.user and not os.environ.get(s.password_env):
            raise ConfigError(f"{where} smtp_user is set but ${s.password_env} (password_env) is empty")
    return s


def level(due: datetime, now: datetime, thresholds: tuple[int, ...]) -> int | None:
    """The most urgent threshold crossed: hours, ``PASSED`` (0) once due, None when not yet near."""
    left = due - now
    if left <= timedelta(0):
        return PASSED
    crossed = [h for h in thresholds if left <= timedelta(hours=h)]
    return min(crossed) if crossed else None


def _key(c: Clock) -> tuple[str, str]:
    return c.kind, c.due.astimezone(timezone.utc).isoformat()


def _sent_level(case: Case, c: Clock) -> int | None:
    """The most urgent warning already delivered for this deadline (same kind, same due)."""
    kind, due = _key(c)
    levels = [e.get("threshold") for e in case.notified
              if e.get("kind") == kind and e.get("due") == due and isinstance(e.get("threshold"), int)]
    return min(levels) if levels else None


@dataclass(frozen=True)
class Notice:
    """One warning: one case, one threshold, the hard deadlines that crossed it."""

    case: Case
    threshold: int  # hours, or PASSED
    deadlines: tuple[Clock, ...]

    @property
    def what(self) -> str:
        return "passed" if self.threshold == PASSED else f"{self.threshold} h warning"


def pending(cases: list[Case], cfg: Config, now: datetime, thresholds: tuple[int, ...]) -> list[Notice]:
    """Every warning due now and not yet delivered, by case id then urgency."""
    out: list[Notice] = []
    for case in cases:
        if case.stage == "resolved":
            continue
        by_level: dict[int, list[Clock]] = {}
        for c in clocks(case, cfg):
            if not c.hard or c.met:
                continue
            lv = level(c.due, now, thresholds)
            if lv is None:
                continue
            sent = _sent_level(case, c)
            if sent is not None and sent <= lv:
                continue  # this warning, or a more urgent one, went out already
            by_level.setdefault(lv, []).append(c)
        for lv in sorted(by_level):
            out.append(Notice(case, lv, tuple(by_level[lv])))
    return out


def _plain(text: str, keep_newlines: bool = False) -> str:
    """User text for a mail: control characters (bidi overrides too) become spaces."""
    return "".join(ch if (keep_newlines and ch == "\n") or not unicodedata.category(ch).startswith("C")
                   else " " for ch in text)


def when(dt: datetime) -> str:
    """A due time with its zone: as entered (its offset), and in UTC."""
    off = dt.strftime("%z")
    own = f"{dt:%Y-%m-%d %H:%M} {off[:3]}:{off[3:]}" if off else f"{dt:%Y-%m-%d %H:%M}"
    u = dt.astimezone(timezone.utc)
    return own if dt.utcoffset() == timedelta(0) else f"{own} ({u:%Y-%m-%d %H:%M} UTC)"


def subject(n: Notice, prefix: str = "[disputes]") -> str:
    first = n.deadlines[0]
    more = f" (+{len(n.deadlines) - 1} more)" if len(n.deadlines) > 1 else ""
    state = "PASSED" if n.threshold == PASSED else f"due within {n.threshold} h"
    text = f"{prefix} {n.case.id}: {first.kind} {state}, {when(first.due)}{more}".strip()
    return _plain(text)[:300]


def body(n: Notice, cfg: Config, now: datetime) -> str:
    c = n.case
    prof = cfg.profile(c.platform).get("name", c.platform)
    lines = [f"Case {c.id}: {c.title or c.order}",
             f"Supplier {c.supplier}, order {c.order}, {c.amount} {c.currency}",
             f"{prof}, stage {STAGE_TITLES.get(c.stage, c.stage)}", ""]
    for d in n.deadlines:
        left = d.due - now
        rel = f"in {span(left)}" if left > timedelta(0) else f"passed {span(left)} ago"
        lines += [f"Hard deadline {d.kind}: {d.label}", f"  due {when(d.due)}, {rel}", ""]
    lines.append(f"{'Deadline passed' if n.threshold == PASSED else n.what} from `disputes notify` "
                 f"at {now.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC.")
    return "\n".join(_plain(x, keep_newlines=False) for x in lines) + "\n"


def message(n: Notice, cfg: Config, s: Settings, now: datetime) -> EmailMessage:
    m = EmailMessage()
    m["Subject"] = subject(n, s.subject_prefix)
    m["From"] = s.sender
    m["To"] = ", ".join(s.recipients)
    m["Date"] = formatdate(now.timestamp(), usegmt=True)
    m["Message-ID"] = make_msgid("disputes")
    m.set_content(body(n, cfg, now))
    return m


def record(n: Notice, now: datetime, to: list[str]) -> callable:
    """A change for ``store.update``: note that this warning went out (journalled, one writer)."""
    def change(case: Case) -> tuple[str, str]:
        for d in n.deadlines:
            kind, due = _key(d)
            case.notified.append({"kind": kind, "due": due, "threshold": n.threshold,
                                  "at": now.astimezone(timezone.utc).isoformat(), "to": list(to)})
        kinds = ", ".join(d.kind for d in n.deadlines)
        return "notify", f"{n.what}: {kinds} sent to {', '.join(to)}"
    return change


def _apprise_for(url: str):
    """An Apprise object holding just this URL, or None when apprise does not know its form."""
    import apprise  # only when URLs are configured: it is not small

    a = apprise.Apprise()
    return a if a.add(url) else None


def masked(url: str) -> str:
    """A URL as it may be shown: apprise's privacy form (passwords, tokens starred), no query."""
    a = _apprise_for(url)
    if a is None or not len(a):
        return url.split(":", 1)[0] + "://****" if "://" in url else "****"
    return _plain(a[0].url(privacy=True).split("?", 1)[0])[:120]


def _send_url(url: str, n: Notice, cfg: Config, s: Settings, now: datetime) -> None:
    """One notice to one URL; DeliveryError (with apprise's reason, no secret) when refused."""
    import logging

    import apprise

    a = _apprise_for(url)
    shown = masked(url)
    # apprise says why through logging: caught here, never printed by Python's last-resort handler
    with apprise.LogCapture(level=logging.WARNING) as log:
        ok = a.notify(title=subject(n, s.subject_prefix), body=body(n, cfg, now))
    if not ok:
        lines = [x.strip() for x in log.getvalue().splitlines() if x.strip()]
        why = lines[-1] if lines else "not delivered"
        why = why.replace(url, shown)
        raise DeliveryError(f"{shown}: {_plain(why)[:200]}")


def deliver(notices: list[Notice], cfg: Config, s: Settings, now: datetime) -> Iterator[tuple[Notice, list[str]]]:
    """Send each notice every configured way (email, then each URL); yield each once all took
    it, with who took it (addresses, masked URLs). Raises DeliveryError on the first failure:
    what was yielded went out everywhere, the rest is tried again next run."""
    if not notices:
        return
    sent = 0
    shown = [masked(u) for u in s.urls]
    mails = _smtp(notices, cfg, s, now) if s.smtp_host else ((n, []) for n in notices)
    try:
        for n, to in mails:
            for u in s.urls:
                try:
                    _send_url(u, n, cfg, s, now)
                except DeliveryError as exc:
                    raise DeliveryError(str(exc), sent) from None
            sent += 1
            yield n, to + shown
    finally:
        mails.close()


def _smtp(notices: list[Notice], cfg: Config, s: Settings, now: datetime) -> Iterator[tuple[Notice, list[str]]]:
    """Send each notice over one SMTP connection; yield each as it is accepted, with who took it.

    Raises DeliveryError on the first failure: what was yielded went out, the rest did not.
    """
    if not notices:
        return
    sent = 0
    where = f"{s.smtp_host}:{s.smtp_port}"
    try:
        if s.tls == "ssl":
            conn = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.timeout,
                                    context=ssl.create_default_context())
        else:
            conn = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.timeout)
        try:
            if s.tls == "starttls":
                conn.starttls(context=ssl.create_default_context())
            if s.user:
                conn.login(s.user, os.environ.get(s.password_env, ""))
            for n in notices:
                refused = conn.send_message(message(n, cfg, s, now), s.sender, list(s.recipients))
                sent += 1
                yield n, [r for r in s.recipients if r not in refused]
        finally:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                conn.close()
    except smtplib.SMTPRecipientsRefused:
        raise DeliveryError(f"{where} refused every recipient ({', '.join(s.recipients)})", sent) from None
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"{where} refused the login for {s.user} ({exc.smtp_code})", sent) from None
    except smtplib.SMTPResponseException as exc:
        reason = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        raise DeliveryError(f"{where} answered {exc.smtp_code} {reason}", sent) from None
    except (smtplib.SMTPException, ssl.SSLError) as exc:
        raise DeliveryError(f"{where}: {exc}", sent) from None
    except OSError as exc:
        raise DeliveryError(f"cannot reach {where}: {exc.strerror or exc}", sent) from None
