"""`coach report` and `coach export`: the reports over the published warehouse."""

from __future__ import annotations

import click

from commands.common import CoachGroup, console, warehouse_option, warehouse_paths

# Rows a table shows on a terminal unless --rows says otherwise (a pipe gets them all).
TERMINAL_ROWS = 40


def FORMAT_OPTION(command):
    """--format, and --rows for the table (kept in the context, read by `_show`)."""
    command = click.option(
        "--rows",
        type=click.IntRange(min=0),
        default=None,
        expose_value=False,
        callback=lambda ctx, _param, value: ctx.meta.__setitem__("rows", value),
        help=f"Table rows to show (default: {TERMINAL_ROWS} on a terminal, all when piped; "
        "0: all).",
    )(command)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "csv", "json"]),
        default="table",
        show_default=True,
        help="A terminal table with summary cards, or CSV / JSON on stdout.",
    )(command)


LOOKBACK = click.option("--lookback", type=int, metavar="DAYS", help="Days back, 1 to 365.")
COACH = click.option("--coach", "coaches", multiple=True, help="Coach id or name (repeatable).")
EMPLOYER = click.option("--employer", "employers", multiple=True, help="Employer (repeatable).")
EXCLUDE = click.option(
    "--exclude-employer", "exclude_employers", multiple=True, help="Leave out this employer."
)
CHANNEL = click.option(
    "--channel",
    "channels",
    multiple=True,
    help="Phone, Video Conference, Email, Chat (repeatable).",
)
MONTH = click.option("--month", metavar="YYYY-MM", help="Billing month (default: the current one).")
PREVIOUS = click.option("--previous", is_flag=True, help="The month before the current one.")
OUT = click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="CSV file.")
FORCE = click.option("--force", is_flag=True, help="Overwrite an existing file.")


def _date_options(what: str):
    def apply(command):
        command = click.option(
            "--to", "date_to", metavar="YYYY-MM-DD", help=f"{what} on or before."
        )(command)
        return click.option(
            "--from", "date_from", metavar="YYYY-MM-DD", help=f"{what} on or after."
        )(command)

    return apply


def _show(report, ctx, fmt: str) -> None:
    import sys

    from reports.render import print_table, write_report

    if fmt == "table":
        out = console()
        rows = click.get_current_context().meta.get("rows")
        if rows is None:
            rows = TERMINAL_ROWS if out.is_terminal else 0
        print_table(out, report, ctx.info, max_rows=rows or None)
    else:
        write_report(sys.stdout, report, ctx.info, fmt)


def _reports(warehouse: str | None):
    from reports.context import open_reports

    return open_reports(warehouse_paths(warehouse))


@click.group(cls=CoachGroup)
def report() -> None:
    """Reports over the warehouse (read-only): summary cards and a table, or CSV / JSON."""


# The filter options are named like `reports.options.make_filters`'s keywords: a command passes
# them on as they are.


@report.command("caseload")
@warehouse_option
@LOOKBACK
@COACH
@EMPLOYER
@EXCLUDE
@CHANNEL
@FORMAT_OPTION
def report_caseload(warehouse, fmt, **options):
    """Members with a coaching session in the lookback window, by days since the last one."""
    from reports import queries
    from reports.options import make_filters

    with _reports(warehouse) as ctx:
        _show(queries.caseload(ctx, make_filters(ctx, **options)), ctx, fmt)


@report.command("sessions")
@warehouse_option
@LOOKBACK
@_date_options("Session date")
@COACH
@EMPLOYER
@EXCLUDE
@CHANNEL
@FORMAT_OPTION
def report_sessions(warehouse, fmt, **options):
    """Coaching sessions (one row per session and member). Default window: the build's
    lookback; with --from/--to only, just that date range."""
    from reports import queries
    from reports.options import make_filters

    with _reports(warehouse) as ctx:
        _show(queries.sessions(ctx, make_filters(ctx, **options)), ctx, fmt)


def _participants(ctx, options):
    from reports import queries
    from reports.options import make_filters

    limit = ctx.info.participants_max_lookback_days
    return queries.participants(ctx, make_filters(ctx, lookback_limit=limit, **options))


@report.command("participants")
@warehouse_option
@LOOKBACK
@_date_options("Enrolled Date")
@COACH
@EMPLOYER
@EXCLUDE
@FORMAT_OPTION
def report_participants(warehouse, fmt, **options):
    """Enrolled participants and their days without a coaching session."""
    with _reports(warehouse) as ctx:
        _show(_participants(ctx, options), ctx, fmt)


def _billing(ctx, month, previous, options):
    from reports import queries
    from reports.filters import billing_month
    from reports.options import make_filters

    month_start = billing_month(ctx.info, month, previous)
    return queries.billing(ctx, make_filters(ctx, **options), month_start)


@report.command("billing")
@warehouse_option
@MONTH
@PREVIOUS
@EMPLOYER
@EXCLUDE
@FORMAT_OPTION
def report_billing(warehouse, month, previous, fmt, **options):
    """The billing cohort of a month: new participants and engaged members."""
    with _reports(warehouse) as ctx:
        _show(_billing(ctx, month, previous, options), ctx, fmt)


@click.group(cls=CoachGroup)
def export() -> None:
    """CSV files for spreadsheets: owner-only, written atomically, formula-safe."""


def _save(report, ctx, out: str, force: bool) -> None:
    from pathlib import Path

    from output.writers import export_csv

    count = export_csv(Path(out), report.columns, report.rows, ctx.info.zone, force=force)
    if count == 0:
        click.echo(f"{report.empty_message} Wrote only the header to {out}.")
    else:
        click.echo(f"Wrote {count:,} rows to {out} (owner-only).")


@export.command("engagement")
@warehouse_option
@OUT
@FORCE
@click.option("--referral", "referrals", multiple=True, help="Referral (repeatable).")
@EMPLOYER
@EXCLUDE
@click.option("--enrolled-from", metavar="YYYY-MM-DD", help="Enrolled Date on or after.")
@click.option("--enrolled-to", metavar="YYYY-MM-DD", help="Enrolled Date on or before.")
@click.option(
    "--last-session-from", metavar="YYYY-MM-DD", help="Last coaching session on or after."
)
@click.option("--last-session-to", metavar="YYYY-MM-DD", help="Last coaching session on or before.")
@click.option(
    "--status", "statuses", multiple=True, help="Engaged, At Risk or Unengaged (repeatable)."
)
def export_engagement(
    warehouse,
    out,
    force,
    referrals,
    employers,
    exclude_employers,
    enrolled_from,
    enrolled_to,
    last_session_from,
    last_session_to,
    statuses,
):
    """The engagement export (employee_id ... registration_code), one row per member."""
    from reports import queries
    from reports.filters import date_range, resolve_referrals, resolve_statuses
    from reports.options import make_filters

    with _reports(warehouse) as ctx:
        filters = make_filters(
            ctx,
            employers=employers,
            exclude_employers=exclude_employers,
            date_from=enrolled_from,
            date_to=enrolled_to,
            date_options=("--enrolled-from", "--enrolled-to"),
        )
        report = queries.engagement_export(
            ctx,
            filters,
            referrals=resolve_referrals(ctx, referrals),
            statuses=resolve_statuses(ctx, statuses),
            last_session=date_range(
                last_session_from, last_session_to, ("--last-session-from", "--last-session-to")
            ),
        )
        _save(report, ctx, out, force)


@export.command("billing")
@warehouse_option
@OUT
@FORCE
@MONTH
@PREVIOUS
@EMPLOYER
@EXCLUDE
def export_billing(warehouse, out, force, month, previous, **options):
    """The billing cohort of a month, one row per member."""
    with _reports(warehouse) as ctx:
        _save(_billing(ctx, month, previous, options), ctx, out, force)


@export.command("participants")
@warehouse_option
@OUT
@FORCE
@LOOKBACK
@_date_options("Enrolled Date")
@COACH
@EMPLOYER
@EXCLUDE
def export_participants(warehouse, out, force, **options):
    """Enrolled participants, one row per member."""
    with _reports(warehouse) as ctx:
        _save(_participants(ctx, options), ctx, out, force)


COMMANDS = (report, export)
