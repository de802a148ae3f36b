"""The one error type the CLI turns into a single plain line and an exit code."""

from warehouse.text import clip, printable


class CoachError(Exception):
    """A failure the user can act on. The message is one sentence and never holds a secret."""

    exit_code = 1

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class ConfigError(CoachError):
    """Missing or invalid configuration (token, URLs, paths)."""

    exit_code = 2


class UsageError(CoachError):
    """A bad value given on the command line (a date, a month, a filter)."""

    exit_code = 2


class InternalError(CoachError):
    """Something the product did not expect; the message names its type, never a traceback."""


def shown(value: object, limit: int = 60) -> str:
    """A value quoted in an error message: quoted, control characters made visible, cut to
    `limit` characters, so that a huge or hostile value cannot flood or rewrite the terminal."""
    return f"'{clip(printable(str(value)), limit)}'"


def listing(values: list[str], most: int = 12) -> str:
    """Known values for an error message: at most `most`, then how many more there are."""
    head = "; ".join(clip(printable(v), 40) for v in values[:most]) or "none"
    return head if len(values) <= most else f"{head}; and {len(values) - most:,} more"
