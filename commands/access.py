"""`coach users` (who may log in to `coach serve`, with a role and a scope) and
`coach access-log` (who saw what)."""

from __future__ import annotations

import sys

import click

from commands.common import CoachGroup, console, warehouse_option, warehouse_paths
from warehouse.errors import UsageError

PASSWORD_STDIN = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (for scripts).",
)


def _open(warehouse: str | None):
    from access.service import warehouse_users

    paths = warehouse_paths(warehouse)
    return paths, warehouse_users(paths.published)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise UsageError("--password-stdin: standard input held no password.")
        return line.rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)


def _scope(paths, employers: tuple[str, ...], coaches: tuple[str, ...]):
    """Employers and coaches as the warehouse spells them (coaches by id); an unknown one is an
    error listing the known ones, never a scope that silently matches nobody."""
    if not employers and not coaches:
        return (), ()
    from reports.context import open_reports
    from reports.filters import resolve_coaches, resolve_employers

    with open_reports(paths) as ctx:
        return (
            tuple(resolve_employers(ctx, employers, "--employer")),
            tuple(resolve_coaches(ctx, coaches)),
        )


@click.group(cls=CoachGroup)
def users() -> None:
    """Who may log in to `coach serve`: users, roles (admin, viewer) and scopes."""


@users.command("add")
@click.argument("name")
@warehouse_option
@click.option("--role", type=click.Choice(["admin", "viewer"]), required=True)
@click.option("--employer", "employers", multiple=True, help="Limit to this employer.")
@click.option("--coach", "coaches", multiple=True, help="Limit to this coach's members.")
@PASSWORD_STDIN
def users_add(name, warehouse, role, employers, coaches, password_stdin) -> None:
    """Add a user (the password is asked for without echo)."""
    paths, store = _open(warehouse)
    scope_employers, scope_coaches = _scope(paths, employers, coaches)
    if store.find(name) is not None:
        raise UsageError(f"There is already a user {name!r}.")
    user = store.add(name, role, _password(password_stdin), scope_employers, scope_coaches)
    click.echo(f"Added {user.role} {user.name} ({_describe(user)}).")


@users.command("list")
@warehouse_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def users_list(warehouse, fmt) -> None:
    """Every user, role, scope and whether they can log in."""
    import json

    from rich.table import Table

    from output.terminal import safe

    _, store = _open(warehouse)
    everyone = store.all()
    if fmt == "json":
        rows = [
            {
                "name": u.name,
                "role": u.role,
                "disabled": u.disabled,
                "employers": list(u.employers),
                "coaches": list(u.coaches),
                "created_at": u.created_at,
            }
            for u in everyone
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table(title="coach serve users")
    for column in ("name", "role", "scope", "status", "created"):
        table.add_column(column)
    for user in everyone:
        status = "disabled" if user.disabled else "active"
        values = (user.name, user.role, _describe(user), status, user.created_at)
        table.add_row(*(safe(v) for v in values))
    console().print(table)


def _describe(user) -> str:
    parts = [f"employer {e}" for e in user.employers] + [f"coach {c}" for c in user.coaches]
    return "; ".join(parts) if parts else "every member"


@users.command("disable")
@click.argument("name")
@warehouse_option
def users_disable(name, warehouse) -> None:
    """Stop a user logging in; their sessions end at once."""
    _, store = _open(warehouse)
    store.set_disabled(name, True)
    click.echo(f"Disabled {name}; their sessions have ended.")


@users.command("enable")
@click.argument("name")
@warehouse_option
def users_enable(name, warehouse) -> None:
    """Let a disabled user log in again."""
    _, store = _open(warehouse)
    store.set_disabled(name, False)
    click.echo(f"Enabled {name}.")


@users.command("passwd")
@click.argument("name")
@warehouse_option
@PASSWORD_STDIN
def users_passwd(name, warehouse, password_stdin) -> None:
    """Set a user's password (their sessions end)."""
    _, store = _open(warehouse)
    store.get(name)
    store.set_password(name, _password(password_stdin))
    click.echo(f"Changed the password of {name}; their sessions have ended.")


@users.command("remove")
@click.argument("name")
@warehouse_option
def users_remove(name, warehouse) -> None:
    """Remove a user (the access log keeps what they did)."""
    _, store = _open(warehouse)
    store.remove(name)
    click.echo(f"Removed {name}.")


@click.command("access-log")
@warehouse_option
@click.option("--since", metavar="YYYY-MM-DD", help="From this day on (program time zone).")
@click.option("--user", "user_name", help="Only this user.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
    show_default=True,
)  # fmt: skip
def access_log(warehouse, since, user_name, fmt) -> None:
    """Who saw what: log-ins, page views, downloads and API calls of `coach serve`."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from access.log import COLUMNS, AccessLog
    from access.settings import access_settings
    from access.store import AccessStore
    from output.writers import write_records
    from warehouse.as_of import program_timezone
    from warehouse.dates import parse_iso_date

    zone = ZoneInfo(program_timezone())
    start = None
    if since is not None:
        day = parse_iso_date(since, "--since")
        start = datetime(day.year, day.month, day.day, tzinfo=zone)
    settings = access_settings(warehouse_paths(warehouse).published)
    if not settings.store.exists():
        raise UsageError(f"No access store at {settings.store}: nobody has used `coach serve`.")
    rows = AccessLog(AccessStore(settings.store)).read(start, user_name)
    if fmt != "table":
        write_records(sys.stdout, rows, COLUMNS, zone, fmt)
        return
    _print_log(rows, zone)


def _print_log(rows, zone) -> None:
    from datetime import datetime

    from rich.table import Table

    from output.terminal import safe

    table = Table(title=f"coach serve access log ({len(rows):,} entries)")
    for column in ("time", "user", "event", "route", "status", "rows", "filters", "client"):
        table.add_column(column)
    for row in rows:
        at = datetime.fromisoformat(row["at"]).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
        route = f"{row['method'] or ''} {row['route'] or ''}".strip()
        count = "" if row["row_count"] is None else row["row_count"]
        values = [at, row["user_name"] or "-", row["event"], route, row["status"] or "", count,
                  row["filters"] or "", row["client"] or ""]  # fmt: skip
        table.add_row(*(safe(v) for v in values))
    console().print(table)


COMMANDS = (users, access_log)
