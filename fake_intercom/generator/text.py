"""Small helpers for generated text and weighted choices."""

from __future__ import annotations

import random
import unicodedata


def weighted(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str | None:
    """One of `options` by weight, or None for the weight left over."""
    roll = rng.random()
    for value, weight in options:
        if roll < weight:
            return value
        roll -= weight
    return None


def ascii_slug(text: str) -> str:
    """ "Zoë Ağaoğlu" -> "zoe.agaoglu"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return ".".join(
        part for part in "".join(c.lower() if c.isalnum() else " " for c in plain).split()
    )


def email_domain(rng: random.Random, employer: str) -> str:
    if rng.random() < 0.5:
        return rng.choice(("gmail.example.com", "mail.example.com", "inbox.example.net"))
    return (ascii_slug(employer).replace(".", "") or "work") + ".example.com"
