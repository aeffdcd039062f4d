"""Widgets: pieces a screen is built from (a stage column, the detail of one case)."""
