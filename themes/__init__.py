"""Built-in themes, as data files (TOML). Users add theirs in the config folder."""
