"""`python -m tui.cli`: the same entry point as the `disputes` script."""

import sys

from tui.cli import main

sys.exit(main())
