"""What every view shares: the published warehouse for one request, the scope of the person asking,
the templates, the heading of a page, and the lists the filter forms offer."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from reports.context import ReportContext
from reports.render import filters_text
from reports.scope import Scope
from warehouse.build_info import BuildInfo, read_build_info
from warehouse.readers import PublishedReader, Snapshot
from web.settings import WebSettings
from web.warm import relation_cache

HERE = Path(__file__).parent
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,  # everything from the data is escaped; no template marks data as safe
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
TEMPLATES.filters["dict_values"] = lambda record, names: [record.get(n) for n in names]


def scope_of(request: Request) -> Scope:
    """The rows this request may see. Unrestricted until access control (issue 14) sets
    `request.state.report_scope` for the person logged in."""
    return getattr(request.state, "report_scope", None) or Scope()


@contextlib.contextmanager
def warehouse(request: Request) -> Iterator[tuple[Snapshot, ReportContext]]:
    """The published file current when the request started, and a report context on it."""
    reader: PublishedReader = request.app.state.reader
    with reader.request() as (snapshot, con):
        info = snapshot.remember(
            "build_info", lambda: read_build_info(con, f"The warehouse {reader.paths.published}")
        )
        cache = relation_cache(snapshot)
        yield snapshot, ReportContext(con, info, scope_of(request), cache)


def settings(request: Request) -> WebSettings:
    return request.app.state.settings


def built_text(info: BuildInfo) -> str:
    return info.built_at.astimezone(info.zone).strftime("%Y-%m-%d %H:%M %Z")


@dataclass(frozen=True)
class Heading:
    """What a page (and its print) says it shows."""

    as_of: str
    built: str
    zone: str
    filters: str


def heading(info: BuildInfo, filters: dict[str, Any] | None) -> Heading:
    return Heading(
        as_of=info.as_of_date.isoformat(),
        built=built_text(info),
        zone=info.program_timezone,
        filters=filters_text(filters or {}),
    )


def form_options(snapshot: Snapshot, ctx: ReportContext) -> dict[str, list[tuple[str, str]]]:
    """(value, label) per list a filter form offers, read once per published file."""

    def read() -> dict[str, list[tuple[str, str]]]:
        def values(sql: str) -> list[tuple[str, str]]:
            return [(v, v) for (v,) in ctx.rows(sql) if v is not None]

        coaches = ctx.rows("select coach_id, coach_name from coaches order by coach_name, 1")
        return {
            "coaches": [(cid, f"{name or 'unnamed'} ({cid})") for cid, name in coaches],
            "employers": values("select employer from employers order by employer"),
            "channels": values("select channel from coaching_channels order by channel"),
            "statuses": values("select engagement_status from engagement_statuses"),
            "referrals": values(
                "select distinct referral from members where referral is not null order by 1"
            ),
        }

    # The lists are the same for every scope: they name values, not members.
    return snapshot.remember("form_options", read)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    from web.navigation import NAVIGATION

    page = TEMPLATES.get_template(template).render(
        request_path=request.url.path,
        navigation=NAVIGATION,
        now=datetime.now(UTC),
        **context,
    )
    return HTMLResponse(page, status_code=status_code)
