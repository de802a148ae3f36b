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

from access.guards import csrf_token
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
    """The rows this request may see: the scope web/auth.py set for the person logged in. A
    request that reaches a view without one (which the gate does not let happen) sees nothing."""
    scope = getattr(request.state, "report_scope", None)
    return scope if scope is not None else Scope(employers=frozenset(), coach_ids=frozenset())


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
    """(value, label) per list a filter form offers, read once per published file and scope. A
    scoped reader is offered the employers, coaches and referrals of their own members only."""

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

    every = snapshot.remember("form_options", read)
    if ctx.scope.unrestricted:
        return every

    def in_scope(sql: str, column: str) -> set[str]:
        base = ctx.relation(sql)
        found = ctx.rows(f"select distinct {column} from ({base.sql}) as s", list(base.params))
        return {value for (value,) in found if value is not None}

    def scoped() -> dict[str, list[tuple[str, str]]]:
        seen = {
            "employers": in_scope("select contact_id, employer from members", "employer"),
            "referrals": in_scope("select contact_id, referral from members", "referral"),
            "coaches": in_scope("select contact_id, coach_id from coaching_sessions", "coach_id"),
        }
        return {
            name: [o for o in offered if name not in seen or o[0] in seen[name]]
            for name, offered in every.items()
        }

    return snapshot.remember(("form_options", ctx.scope), scoped)


def _signed_in(request: Request) -> dict[str, Any]:
    """Who is logged in, for the header: the name, the scope, the log-out form's token."""
    user = getattr(request.state, "user", None)
    if user is None:
        return {"user": None, "scope_text": None, "csrf": None, "can_log_out": False}
    reference = getattr(request.state, "session_reference", None)
    secret = request.app.state.access.csrf_secret
    parts = [f"employers {', '.join(user.employers)}"] if user.employers else []
    parts += [f"coaches {', '.join(user.coaches)}"] if user.coaches else []
    return {
        "user": user,
        "scope_text": None if user.is_admin or not parts else " and ".join(parts),
        "csrf": None if reference is None else csrf_token(secret, reference),
        "can_log_out": reference is not None,
    }


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    from web.navigation import navigation_for

    signed_in = _signed_in(request)
    page = TEMPLATES.get_template(template).render(
        request_path=request.url.path,
        navigation=navigation_for(signed_in["user"]),
        now=datetime.now(UTC),
        **signed_in,
        **context,
    )
    return HTMLResponse(page, status_code=status_code)
