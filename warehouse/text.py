"""Text from the data (names, employers, values typed by users) made safe to print: a terminal
runs control characters (`ESC[2J` clears it, `ESC]0;...` retitles it), so they are shown as
escapes instead."""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, and the Unicode bidirectional overrides and isolates
# (which reorder what a reader sees).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with every control character shown as an escape such as `\\x1b`."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
