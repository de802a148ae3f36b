"""The one error type the CLI turns into a single plain line and an exit code."""


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
