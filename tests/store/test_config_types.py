"""Every value in the user's config file has the type of the built-in value it replaces; a wrong
one is refused with one line naming the key and what it must be."""

from __future__ import annotations

import tomllib

import pytest

from store.config import ConfigError, default_text, load


def _leaves(d: dict, prefix: str = ""):
    for k, v in d.items():
        if k in ("profiles", "views", "notify"):
            continue  # their own tests below; [notify] is checked by store/notify.py settings()
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            yield from _leaves(v, key + ".")
        else:
            yield key, v


def _wrong(v):
    """A value of another type, the kind a person types by mistake."""
    if isinstance(v, bool):
        return '"false"'  # a string: it used to count as true
    if isinstance(v, (int, float)):
        return '"7"'
    if isinstance(v, str):
        return "5"
    return "{}"


LEAVES = list(_leaves(tomllib.loads(default_text())))


def _toml(key: str, raw: str) -> str:
    table, _, leaf = key.rpartition(".")
    return f"[{table}]\n{leaf} = {raw}\n" if table else f"{leaf} = {raw}\n"


def write(tmp_path, text: str):
    p = tmp_path / "config.toml"
    p.write_text(text)
    return p


def test_the_built_in_settings_copied_whole_are_accepted(tmp_path):
    cfg = load(write(tmp_path, default_text()))
    assert cfg.database["group_shared"] is False and len(cfg.data["views"]) == 5


@pytest.mark.parametrize("key, value", LEAVES, ids=[k for k, _ in LEAVES])
def test_every_setting_with_the_wrong_type_is_refused_naming_it(tmp_path, key, value):
    with pytest.raises(ConfigError) as exc:
        load(write(tmp_path, _toml(key, _wrong(value))))
    msg = str(exc.value)
    assert key in msg and "must be" in msg and "\n" not in msg and "config.toml" in msg


@pytest.mark.parametrize("text, says", [
    ('[database]\ngroup_shared = "false"\n', 'database.group_shared must be true or false (no quotes), not the string "false"'),
    ("[database]\ngroup_shared = 0\n", "database.group_shared must be true or false"),
    ("database = 5\n", "database must be a table"),
    ("board = []\n", "board must be a table"),
    ("[board]\nrefresh_seconds = nan\n", "board.refresh_seconds must be a number"),
    ("[board]\nrefresh_seconds = 0\n", "board.refresh_seconds must be more than 0"),
    ("[urgency]\nsoon_hard_hours = inf\n", "urgency.soon_hard_hours must be a number"),
    ("[database]\nbackups_keep = -1\n", "database.backups_keep must be a whole number"),
    ("[database]\nbackups_keep = true\n", "database.backups_keep must be a number"),
    ("[triage]\nmy_turn = \"200\"\n", "triage.my_turn must be a number"),
    ("views = 3\n", "views must be a list of tables"),
    ('[[views]]\nname = 5\nquery = "turn:me"\n', "views[1].name must be a string"),
    ('[[views]]\nname = "x"\n', "views[1].query must be a string"),
    ('[[views]]\nname = "x"\nquery = "stage:nowhere"\n', "views[1] (x): query"),
    ('[[views]]\nname = "x"\nquery = "amount>NaN"\n', "is not a number"),
    ("keys = 5\n", "keys must be a table"),
    ('[keys]\n"board.new" = 5\n', "keys.board.new must be a key name"),
    ('[keys]\n"board.new" = ""\n', "keys.board.new must be a key name"),
    ('[keys]\nboard.new = "n"\n', "an action id with a dot must be in quotes"),
    ("profiles = 1\n", "profiles must be a table"),
    ('[profiles.alibaba]\ntimezone = "Mars/Olympus"\n', "profiles.alibaba.timezone must be a time zone name"),
    ('[profiles.alibaba]\ntimezone = "/etc/passwd"\n', "profiles.alibaba.timezone must be a time zone name"),
    ('[profiles.paypal]\nholidays = ["soon"]\n', "profiles.paypal.holidays must list dates"),
    ("[profiles.paypal]\nholidays = \"2026-10-01\"\n", "profiles.paypal.holidays must be a list"),
    ("[profiles.amazon]\nname = 5\n", "profiles.amazon.name must be a string"),
    ("[profiles.amazon]\nclocks = 5\n", "profiles.amazon.clocks must be a list of tables"),
    ('[[profiles.amazon.clocks]]\nkind = "k"\nfrom = "received"\ndays = 3\nstages = ["seller"]\nhard = "yes"\n',
     "profiles.amazon.clocks[0].hard must be true or false"),
    ('[[profiles.amazon.clocks]]\nkind = "k"\nfrom = "received"\ndays = nan\nstages = ["seller"]\n',
     "profiles.amazon.clocks[0].days must be a number"),
    ('[[profiles.amazon.clocks]]\nkind = "k"\nfrom = "received"\ndays = 1\nstages = [1]\n',
     "profiles.amazon.clocks[0].stages must be a list of strings"),
    # Numbers beyond what a dispute can mean. Tried: a soon window of 1e9 hours, or a clock of
    # 99,999,999 days, ended every command (digest, list, the board) with "cannot do that:
    # OverflowError: date value out of range"; a refresh of 1e308 s was taken (never looking again).
    ("[urgency]\nsoon_soft_hours = 1e9\n", "urgency.soon_soft_hours must be between 0 and 8784"),
    ("[urgency]\nsoon_hard_hours = -1\n", "urgency.soon_hard_hours must be between 0 and 8784"),
    ("[board]\nrefresh_seconds = 1e308\n", "board.refresh_seconds must be between"),
    ("[profiles.alibaba]\ncomplex_extra_days = 1e9\n", "profiles.alibaba.complex_extra_days must be"),
    ('[[profiles.alibaba.clocks]]\nkind = "k"\nfrom = "received"\ndays = 99999999\nstages = ["seller"]\n',
     "profiles.alibaba.clocks[0].days must be between -3660 and 3660"),
    ('[[profiles.alibaba.clocks]]\nkind = "k"\nfrom = "received"\nhours = 1e12\nstages = ["seller"]\n',
     "profiles.alibaba.clocks[0].hours must be between -87840 and 87840"),
])
def test_typed_sections_say_what_is_wrong(tmp_path, text, says):
    with pytest.raises(ConfigError) as exc:
        load(write(tmp_path, text))
    assert says in str(exc.value) and "\n" not in str(exc.value)


def test_good_views_keys_and_profiles_load(tmp_path):
    cfg = load(write(tmp_path, '[keys]\n"board.new" = "ctrl+n"\n[[views]]\nname = "Big"\nquery = "amount>500"\n'
                                '[profiles.alibaba]\ntimezone = "Asia/Shanghai"\nholidays = ["2026-10-01"]\n'))
    assert cfg.data["keys"] == {"board.new": "ctrl+n"} and cfg.data["views"] == [{"name": "Big", "query": "amount>500"}]


def test_the_bounds_admit_a_clock_before_its_anchor_and_a_years_window(tmp_path):
    cfg = load(write(tmp_path, '[urgency]\nsoon_hard_hours = 8784\n[[profiles.alibaba.clocks]]\nkind = "k"\n'
                               'from = "delivery_estimate"\ndays = -5\nstages = ["seller"]\n'))
    assert cfg.urgency["soon_hard_hours"] == 8784


@pytest.mark.parametrize("text, says", [
    ("[urgency]\nsoon_hard_hour = 72\n",
     "urgency.soon_hard_hour is not a setting (did you mean urgency.soon_hard_hours?)"),
    ('[bord]\ntheme = "dispute-light"\n', "[bord] is not a section of the settings (did you mean [board]?)"),
    ('[profiles.alibaba]\ntimezon = "Asia/Shanghai"\n',
     "profiles.alibaba.timezon is not a setting (did you mean profiles.alibaba.timezone?)"),
    ('[profiles.alibba]\ntimezone = "Asia/Shanghai"\n',
     "profiles.alibba is not a platform (did you mean profiles.alibaba?)"),
    ('[notify]\nrecipient = ["me@example.com"]\n',
     "notify.recipient is not a setting (did you mean notify.recipients?)"),
    ("[triage]\nxyzzy = 3\n", "triage.xyzzy is not a setting"),
])
def test_a_setting_that_does_not_exist_is_refused_naming_the_nearest(tmp_path, text, says):
    """Tried: `soon_hard_hour = 72` (the s missing) was taken without a word, and the window
    stayed 48 hours; so was a misspelt section, platform or notify key (`recipient`: no
    warning would ever be mailed). A deadline tool must not ignore a setting it was given."""
    with pytest.raises(ConfigError) as exc:
        load(write(tmp_path, text))
    assert says in str(exc.value) and "\n" not in str(exc.value)
