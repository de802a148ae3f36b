"""What every command shares: the error handling group and the `--warehouse` option."""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from typing import TYPE_CHECKING

import click

from warehouse.errors import CoachError, InternalError
from warehouse.secrets import scrub
from warehouse.text import printable

if TYPE_CHECKING:
    from warehouse.store import WarehousePaths


class CoachGroup(click.Group):
    """Turns any failure below into one plain line on stderr and an exit code, never a
    traceback: a CoachError with its own code, a file-system error (a destination that cannot
    be written, a full disk, a closed pipe) by its class, anything else as an internal error
    (`COACH_DEBUG=1` shows the traceback). Every line is scrubbed of credentials."""

    def invoke(self, ctx: click.Context):
        try:
            result = super().invoke(ctx)
            # Output still buffered fails here, not in Python's flush at exit (a full disk).
            sys.stdout.flush()
            return result
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:
            if os.environ.get("COACH_DEBUG") == "1" and not isinstance(exc, CoachError):
                raise
            error = as_coach_error(exc)
            if not isinstance(error, ReaderGone):
                click.echo(f"Error: {scrub(str(error))}", err=True)
            ctx.exit(error.exit_code)


class ReaderGone(CoachError):
    """The output was piped into a reader that stopped reading (`| head`): nothing to say."""


def as_coach_error(exc: BaseException) -> CoachError:
    if isinstance(exc, CoachError):
        return exc
    if isinstance(exc, OSError):
        return file_error(exc)
    return InternalError(f"unexpected {type(exc).__name__}: {printable(str(exc))[:300]}")


def file_error(exc: OSError) -> CoachError:
    """A file-system error by its class. When standard output itself cannot be written (piped
    into a full disk or a closed reader), it is pointed at /dev/null so that Python's final
    flush at exit does not print a second, raw error."""
    if exc.filename is None or _stdout_broken():
        # No file named: the output stream itself (files are written through `output.save`,
        # which names them).
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        if exc.errno == errno.EPIPE:
            return ReaderGone("The reader of the output went away before it ended.")
        return CoachError(f"Cannot write the output: {exc.strerror or exc}.")
    where = f" {exc.filename}" if exc.filename else ""
    reason = exc.strerror or type(exc).__name__
    code = 2 if exc.errno in _BAD_PATH else 1
    return CoachError(f"Cannot use{where}: {reason}.", exit_code=code)


# A path the user gave that cannot be used as given: their input to fix (exit code 2).
_BAD_PATH = {
    errno.EACCES,
    errno.EPERM,
    errno.ENOENT,
    errno.ENOTDIR,
    errno.EISDIR,
    errno.EROFS,
    errno.ENAMETOOLONG,
    errno.EINVAL,
}


def _stdout_broken() -> bool:
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        return True
    return False


def warehouse_option(command):
    return click.option(
        "--warehouse",
        type=click.Path(dir_okay=False),
        default=None,
        help="The published warehouse file (default: $COACH_WAREHOUSE, else "
        "data/warehouse.duckdb).",
    )(command)


def as_of_option(command):
    return click.option(
        "--as-of", "as_of", metavar="YYYY-MM-DD", help="Judge as of this date (default: today)."
    )(command)


def warehouse_paths(warehouse: str | None) -> WarehousePaths:
    from warehouse.config import warehouse_path
    from warehouse.store import WarehousePaths

    return WarehousePaths(warehouse_path(warehouse))


def console():
    from output.terminal import console as make

    return make()
