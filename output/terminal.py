"""The terminal side of output: the console tables are printed on, and text from the data made
safe to show there (no markup, no control characters)."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.markup import escape

from warehouse.text import printable

# Off a terminal (logs, CI, pipes) tables are laid out this wide, so columns are not cut.
PIPE_WIDTH = 160


def console() -> Console:
    """stdout for tables."""
    return Console() if sys.stdout.isatty() else Console(width=PIPE_WIDTH)


def say(out: Console, text: str) -> None:
    """One plain line: no markup, no highlighting, never wrapped (paths stay whole)."""
    out.print(text, markup=False, highlight=False, soft_wrap=True)


def safe(text: object) -> str:
    """Text from the data for a rich table or line: control characters shown as escapes
    (a name holding `ESC[2J` would clear the screen) and rich markup escaped."""
    return escape(printable(str(text)))
