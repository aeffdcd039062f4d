"""The board (Textual) and the `disputes` command line."""
