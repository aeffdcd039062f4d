"""Settings: the built-in ``defaults.toml`` with the user's config file merged over it."""

from __future__ import annotations

import copy
import json
import math
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from . import paths
from .dates import date_order, zone as named_zone
from .errors import ConfigError, StoreError
from .model import PLATFORMS, STAGES, TURNS
from .query import parse

ANCHORS = ("received", "paid", "shipped", "delivery_estimate", "opened", "escalated",
           "stage_entered", "created", "closed", "waiting", "last_evidence")
UNITS = ("days", "hours", "working_days", "business_days")


def default_text() -> str:
    # Beside this module in every layout the project installs as (a wheel, an editable install):
    # not through importlib.resources, whose import (tempfile, zipfile, ...) cost every process 10 ms.
    return Path(__file__).with_name("defaults.toml").read_text(encoding="utf-8")


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


@dataclass(frozen=True)
class Config:
    data: dict
    path: Path | None  # the user's file, if one was read

    def profile(self, platform: str) -> dict:
        return self.data["profiles"][platform]

    @property
    def board(self) -> dict:
        return self.data["board"]

    @property
    def database(self) -> dict:
        return self.data["database"]

    @property
    def urgency(self) -> dict:
        return self.data["urgency"]


def _validate(data: dict, where: str) -> None:
    if not isinstance(data.get("board", {}).get("thumbnails", True), bool):
        raise ConfigError(f"{where}: board.thumbnails must be true or false")
    for name in PLATFORMS:
        if name not in data.get("profiles", {}):
            raise ConfigError(f"{where}: profile '{name}' is missing")
    for name, prof in data["profiles"].items():
        for i, rule in enumerate(prof.get("clocks", [])):
            at = f"{where}: profiles.{name}.clocks[{i}]"
            if not isinstance(rule.get("kind"), str):
                raise ConfigError(f"{at}: 'kind' must be a name")
            if rule.get("from") not in ANCHORS:
                raise ConfigError(f"{at}: 'from' must be one of {', '.join(ANCHORS)}")
            if rule.get("unit", "days") not in UNITS:
                raise ConfigError(f"{at}: 'unit' must be one of {', '.join(UNITS)}")
            if not any(isinstance(rule.get(k), (int, float)) for k in ("days", "hours")):
                raise ConfigError(f"{at}: needs 'days' or 'hours' as a number")
            bad = [s for s in rule.get("stages", []) if s not in STAGES]
            if bad or not rule.get("stages"):
                raise ConfigError(f"{at}: 'stages' must list some of {', '.join(STAGES)}")
            if rule.get("party", "me") not in TURNS:
                raise ConfigError(f"{at}: 'party' must be one of {', '.join(TURNS)}")


# -- types ------------------------------------------------------------------------------------
# Every value in the user's file must have the type of the built-in value it replaces. A string
# "false" where a boolean belongs would count as true; a number where a table belongs breaks
# every command: each is refused with one line naming the key and what it must be.
WHOLE_NUMBERS = {"backups_keep", "seller_unanswered_contacts", "complex_extra_days"}
POSITIVE = {"refresh_seconds"}
# What a number may be where a deadline is worked out from it, or how often the board looks:
# beyond these no dispute means anything (a clock of more than ten years, a "soon" of more than
# a year, a look less often than hourly), and the dates overflow (a clock of 99,999,999 days
# ended every command with an OverflowError). A clock may run before its anchor (days = -5).
RANGES = {"refresh_seconds": (0, 3600), "soon_hard_hours": (0, 8784), "soon_soft_hours": (0, 8784),
          "complex_extra_days": (0, 3660), "days": (-3660, 3660), "hours": (-87840, 87840)}
CLOCK_TYPES = {"kind": str, "label": str, "source": str, "from": str, "unit": str, "party": str, "met_by": str,
               "hard": bool, "days": float, "hours": float, "stages": list, "outcomes": list}
OWN_CHECKS = {"notify"}  # store/notify.py settings(): smtp_tls may be true/false or "ssl", ...
_ZONE = re.compile(r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$")


def _what(v) -> str:
    if isinstance(v, bool):
        return "true or false"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, str):
        return "a string in quotes"
    if isinstance(v, list):
        return "a list [...]"
    if isinstance(v, dict):
        return "a table"
    return type(v).__name__


def _shown(v) -> str:
    if isinstance(v, str):
        return "the string " + json.dumps(v[:40], ensure_ascii=True)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, dict)):
        return "a list" if isinstance(v, list) else "a table"
    return json.dumps(v, ensure_ascii=True, default=str)[:40]


def _number_ok(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _check_range(key: str, leaf: str, value, at: str) -> None:
    lo, hi = RANGES.get(leaf, (-math.inf, math.inf))
    if not lo <= value <= hi:
        raise ConfigError(f"{at}: {key} must be between {lo:g} and {hi:g}, not {_shown(value)}")


def _check_value(key: str, default, value, at: str) -> None:
    leaf = key.rsplit(".", 1)[-1]
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{at}: {key} must be true or false (no quotes), not {_shown(value)}")
    elif isinstance(default, (int, float)):
        if not _number_ok(value):
            raise ConfigError(f"{at}: {key} must be a number, not {_shown(value)}")
        if leaf in WHOLE_NUMBERS and (value != int(value) or value < 0):
            raise ConfigError(f"{at}: {key} must be a whole number, 0 or more, not {_shown(value)}")
        if leaf in POSITIVE and value <= 0:
            raise ConfigError(f"{at}: {key} must be more than 0, not {_shown(value)}")
        _check_range(key, leaf, value, at)
    elif isinstance(default, str):
        if not isinstance(value, str):
            raise ConfigError(f"{at}: {key} must be a string in quotes, not {_shown(value)}")
    elif isinstance(default, dict):
        if not isinstance(value, dict):
            raise ConfigError(f"{at}: {key} must be a table ([{key}]), not {_shown(value)}")
        _unknown_keys(value, default, key, at)
        for k, v in value.items():
            _check_value(f"{key}.{k}", default[k], v, at)
    elif isinstance(default, list):
        if not isinstance(value, list):
            raise ConfigError(f"{at}: {key} must be a list [...], not {_shown(value)}")


def _check_profile(name: str, default: dict, prof, at: str) -> None:
    key = f"profiles.{name}"
    if not isinstance(prof, dict):
        raise ConfigError(f"{at}: {key} must be a table ([{key}]), not {_shown(prof)}")
    for k, v in prof.items():
        if k == "clocks":
            if not isinstance(v, list) or not all(isinstance(r, dict) for r in v):
                raise ConfigError(f"{at}: {key}.clocks must be a list of tables ([[{key}.clocks]])")
            for i, rule in enumerate(v):
                for rk, rv in rule.items():
                    want = CLOCK_TYPES.get(rk)
                    if want is not None and not (_number_ok(rv) if want is float else isinstance(rv, want)):
                        kind = "a number" if want is float else _what(want())
                        raise ConfigError(f"{at}: {key}.clocks[{i}].{rk} must be {kind}, not {_shown(rv)}")
                    if want is float:
                        _check_range(f"{key}.clocks[{i}].{rk}", rk, rv, at)
                for rk in ("stages", "outcomes"):
                    if not all(isinstance(x, str) for x in rule.get(rk, [])):
                        raise ConfigError(f"{at}: {key}.clocks[{i}].{rk} must be a list of strings")
        elif k in default:
            _check_value(f"{key}.{k}", default[k], v, at)
    zone = prof.get("timezone")
    if isinstance(zone, str) and (not _ZONE.match(zone) or named_zone(zone) is None):
        raise ConfigError(f"{at}: {key}.timezone must be a time zone name like \"Asia/Shanghai\", "
                          f"not {_shown(zone)}")
    for h in prof.get("holidays", []):
        try:
            date.fromisoformat(h)
        except (TypeError, ValueError):
            raise ConfigError(f"{at}: {key}.holidays must list dates like \"2026-10-01\", not {_shown(h)}") from None


def _check_views(views, at: str) -> None:
    if not isinstance(views, list) or not all(isinstance(v, dict) for v in views):
        raise ConfigError(f"{at}: views must be a list of tables ([[views]] with name and query)")
    for i, v in enumerate(views, 1):
        name, q = v.get("name"), v.get("query")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{at}: views[{i}].name must be a string in quotes, not {_shown(name)}")
        if not isinstance(q, str):
            raise ConfigError(f"{at}: views[{i}].query must be a string in quotes, not {_shown(q)}")
        try:
            parse(q)
        except StoreError as exc:
            raise ConfigError(f"{at}: views[{i}] ({name}): query {_shown(q)}: {exc}") from None


def _check_keys(keys, at: str) -> None:
    if not isinstance(keys, dict):
        raise ConfigError(f"{at}: keys must be a table ([keys] with action id = \"key\"), not {_shown(keys)}")
    for action, key in keys.items():
        if isinstance(key, dict):
            raise ConfigError(f"{at}: keys.{action}: an action id with a dot must be in quotes, "
                              f"like \"{action}.x\" = \"ctrl+x\"")
        if not isinstance(key, str) or not key.strip():
            raise ConfigError(f"{at}: keys.{action} must be a key name in quotes like \"ctrl+n\", "
                              f"not {_shown(key)}")


def _nearest(name: str, known, prefix: str = "", form: str = "{}") -> str:
    import difflib  # a refusal's hint only

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean {form.format(prefix + close[0])}?)" if close else ""


def _unknown_keys(table: dict, known, key: str, at: str) -> None:
    """A key the settings do not have: refused, not ignored. `soon_hard_hour = 72` (the s
    missing) was taken without a word, and the window stayed 48 hours."""
    for k in table:
        if k not in known:
            raise ConfigError(f"{at}: {key}.{k} is not a setting{_nearest(k, known, key + '.')}")


def check_types(user: dict, defaults_: dict, at: str) -> None:
    """Refuse (ConfigError, one line) a value in the user's file whose type is wrong, or a
    section, platform or key the settings do not have."""
    sections = set(defaults_) | {"keys"}
    for k, v in user.items():
        if k not in sections:
            raise ConfigError(f"{at}: [{k}] is not a section of the settings{_nearest(k, sections, form='[{}]')}")
        if k == "profiles":
            if not isinstance(v, dict):
                raise ConfigError(f"{at}: profiles must be a table, not {_shown(v)}")
            profile_keys = set().union(*(set(p) for p in defaults_["profiles"].values()))
            for name, prof in v.items():
                if name not in defaults_["profiles"]:
                    raise ConfigError(f"{at}: profiles.{name} is not a platform"
                                      f"{_nearest(name, defaults_['profiles'], 'profiles.')}")
                if isinstance(prof, dict):
                    _unknown_keys(prof, profile_keys, f"profiles.{name}", at)
                _check_profile(name, defaults_["profiles"][name], prof, at)
        elif k == "views":
            _check_views(v, at)
        elif k == "keys":
            _check_keys(v, at)
        elif k in OWN_CHECKS and isinstance(v, dict):
            # its values are checked by its own module, which allows more than one type for some
            _unknown_keys(v, set(defaults_[k]) | {"password"}, k, at)  # (a password is refused there)
        else:
            _check_value(k, defaults_[k], v, at)


def _validate_input(data: dict) -> None:
    date_order(data)  # [input] date_order: DMY, MDY, YMD or empty, else one line


def load(path: Path | None = None) -> Config:
    """Read the defaults and the user's file (``path``, else $DISPUTES_CONFIG, else XDG)."""
    data = tomllib.loads(default_text())
    user_path = path or paths.config_file()
    used: Path | None = None
    if user_path.exists():
        try:
            with open(user_path, "rb") as fh:
                user = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{user_path}: not valid TOML: {exc}") from None
        except OSError as exc:
            raise ConfigError(f"{user_path}: cannot read: {exc.strerror}") from None
        check_types(user, data, str(user_path))
        data = _merge(data, user)
        used = user_path
    _validate(data, str(user_path if used else "built-in defaults"))
    _validate_input(data)
    return Config(data, used)


def defaults() -> Config:
    return Config(tomllib.loads(default_text()), None)

