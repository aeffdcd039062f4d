"""Themes as data: the built-in TOML files in ``themes/`` and the user's in the config folder."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from textual.color import Color
from textual.theme import Theme

from store import paths

DEFAULT_THEME = "dispute-dark"
# Board-specific theme variables and the theme colour each falls back to.
BOARD_VARIABLES = {"card-selected-background": "panel", "case-id": "accent"}
_FIELDS = ("primary", "secondary", "warning", "error", "success", "accent", "foreground",
           "background", "surface", "panel", "boost")


def theme_from_dict(data: dict, where: str) -> Theme:
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{where}: a theme needs a 'name'")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}", name.strip()):
        raise ValueError(f"{where}: theme name {name!r} must be letters, digits, - and _ (up to 40)")
    if not isinstance(data.get("primary"), str):
        raise ValueError(f"{where}: a theme needs a 'primary' colour")
    kw = {k: str(data[k]) for k in _FIELDS if k in data}
    for key, value in kw.items():
        try:
            Color.parse(value)
        except Exception:  # ColorParseError and friends: any unreadable colour skips the file
            raise ValueError(f"{where}: {key} = {value!r} is not a colour (e.g. \"#5f87d7\")") from None
    for k in ("luminosity_spread", "text_alpha"):
        if k in data:
            kw[k] = float(data[k])
    variables = {str(k): str(v) for k, v in dict(data.get("variables", {})).items()}
    # Variables the board's stylesheet uses beyond Textual's own: a user theme may leave them out.
    for key, fallback in BOARD_VARIABLES.items():
        if key not in variables:
            if key == "case-id":  # the user's accent, else their primary (always given)
                variables[key] = str(data.get(fallback) or data["primary"])
                continue
            variables[key] = str(data.get(fallback, "")) or ("#3a3a3a" if data.get("dark", True) else "#d0d0d0")
    return Theme(name=name.strip(), dark=bool(data.get("dark", True)), variables=variables, **kw)


def builtin_themes() -> list[Theme]:
    out = []
    import themes  # the data package: its folder, beside our other packages (not importlib.resources: 10 ms)

    for entry in sorted(Path(themes.__file__).parent.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            out.append(theme_from_dict(tomllib.loads(entry.read_text(encoding="utf-8")), entry.name))
    return out


def user_themes(folder: Path | None = None) -> tuple[list[Theme], list[str]]:
    """The user's themes and one line per file that could not be read."""
    folder = folder or paths.user_themes_dir()
    themes: list[Theme] = []
    problems: list[str] = []
    if not folder.is_dir():
        return themes, problems
    for path in sorted(folder.glob("*.toml")):
        try:
            themes.append(theme_from_dict(tomllib.loads(path.read_text(encoding="utf-8")), str(path)))
        except (OSError, ValueError, tomllib.TOMLDecodeError) as exc:
            problems.append(f"{path.name}: {exc}")
    return themes, problems


def board_themes() -> tuple[list[Theme], list[str]]:
    """The board's themes, the built-in ones first, then the user's (one of the same name
    replaces the built-in), and one line per user theme file that could not be read."""
    mine, problems = user_themes()
    return [*builtin_themes(), *mine], problems


def remembered_theme() -> str | None:
    try:
        data = json.loads(paths.state_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    name = data.get("theme") if isinstance(data, dict) else None
    return name if isinstance(name, str) else None


def remember_theme(name: str) -> None:
    path = paths.state_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    data["theme"] = name
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
