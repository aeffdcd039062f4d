"""Settings: the built-in ``defaults.toml`` with the user's config file merged over it."""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from . import paths
from .errors import StoreError
from .model import PLATFORMS, STAGES, TURNS

ANCHORS = ("received", "paid", "shipped", "delivery_estimate", "opened", "escalated",
           "stage_entered", "created", "closed", "waiting", "last_evidence")
UNITS = ("days", "hours", "working_days", "business_days")


class ConfigError(StoreError):
    pass


def default_text() -> str:
    return resources.files("store").joinpath("defaults.toml").read_text(encoding="utf-8")


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
        data = _merge(data, user)
        used = user_path
    _validate(data, str(user_path if used else "built-in defaults"))
    return Config(data, used)


def defaults() -> Config:
    return Config(tomllib.loads(default_text()), None)

