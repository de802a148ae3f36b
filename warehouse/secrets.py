"""Credentials never reach an output: every text the product prints, logs or stores about a
failure goes through `scrub`, which masks each secret the process has read, in every form a
library might quote it in (as is, trimmed, escaped as in a Python or bytes repr, URL-encoded),
and anything sent as a bearer credential."""

from __future__ import annotations

import re
from urllib.parse import quote

MASK = "****"
_known: set[str] = set()
# "Bearer <credential>" as an HTTP library might quote a header: plain, in a repr, escaped.
_BEARER = re.compile(r"(?i)\b(bearer)(?:\s|\\[rnt]|%20|\+)+[^\s'\",;)\]}]+")


def _forms(value: str) -> set[str]:
    forms = {value, value.strip()}
    for form in list(forms):
        forms.add(repr(form)[1:-1])
        forms.add(repr(form.encode("utf-8", "backslashreplace"))[2:-1])
        forms.add(quote(form, safe=""))
    # Masking a very short string would mangle unrelated text; real tokens are long.
    return {form for form in forms if len(form) >= 8}


def register(value: str) -> None:
    """Remember a secret's value so that `scrub` masks it from now on."""
    if value:
        _known.update(_forms(value))


def scrub(text: str) -> str:
    """`text` with every known secret (longest first) and every bearer credential masked."""
    for form in sorted(_known, key=len, reverse=True):
        if form in text:
            text = text.replace(form, MASK)
    return _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
