"""The pages that are not one table: home (pipeline health, glossary), a member, write-back."""

from __future__ import annotations

import functools
import re
from dataclasses import asdict
from datetime import UTC, datetime

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from output.writers import csv_chunks
from reports.member import member_detail
from warehouse.config import writeback_settings
from warehouse.glossary import GLOSSARY_FILE, glossary_terms
from warehouse.run_log import ingest_health, last_ingest_streams
from web.navigation import navigation_for
from web.state import heading, render, settings, warehouse
from web.table_views import counted, json_response
from web.tables import cell_text, member_href
from writeback import audit
from writeback.guards import check_all
from writeback.plan import PLAN_COLUMNS, read_plan
from writeback.run import type_problems

# -- home -------------------------------------------------------------------------------------

_INLINE = re.compile(r"(\*\*[^*]+\*\*|`[^`]+`)")


def glossary() -> list[list[tuple[str, str]]]:
    """Each term of dbt_project/docs/glossary.md as (kind, text) pieces: "strong", "code" or
    "text". The template escapes every piece; nothing is passed through as markup."""
    return _glossary(GLOSSARY_FILE.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=4)
def _glossary(source: str) -> list[list[tuple[str, str]]]:
    terms = []
    for _, text in glossary_terms(source):
        pieces = []
        for piece in _INLINE.split(text):
            if not piece:
                continue
            if piece.startswith("**") and piece.endswith("**"):
                pieces.append(("strong", piece[2:-2]))
            elif piece.startswith("`") and piece.endswith("`"):
                pieces.append(("code", piece[1:-1]))
            else:
                pieces.append(("text", piece))
        terms.append(pieces)
    return terms


def _health(con, info, max_age_hours: float) -> dict:
    now = datetime.now(UTC)
    health = ingest_health(con, now, max_age_hours)
    runs = audit.run_summaries(con, None) if audit.has_audit(con) else []
    zone = info.zone
    return {
        "warning": health.warning,
        "ingest": health.run,
        "ingest_age_hours": health.age_hours,
        "streams": last_ingest_streams(con),
        "build_age_hours": (now - info.built_at).total_seconds() / 3600,
        "last_writeback": runs[-1] if runs else None,
        "max_age_hours": max_age_hours,
        "text": lambda value: cell_text(value, zone),
    }


def _current_health(request: Request, snapshot, ctx) -> dict:
    """The health as of the last 10 seconds (the file cannot change; only the clock moves)."""
    hours = settings(request).max_ingest_age_hours
    return snapshot.remember_for(("health", hours), 10, lambda: _health(ctx.con, ctx.info, hours))


def home(request: Request) -> Response:
    with warehouse(request) as (snapshot, ctx):
        health = _current_health(request, snapshot, ctx)
        return render(
            request,
            "home.html",
            heading=heading(ctx.info, None),
            info=ctx.info,
            health=health,
            glossary=glossary(),
            pages=navigation_for(getattr(request.state, "user", None))[1:],
        )


def health_json(request: Request) -> Response:
    with warehouse(request) as (snapshot, ctx):
        health = _current_health(request, snapshot, ctx)
        last = health["last_writeback"]
        document = {
            "as_of_date": ctx.info.as_of_date,
            "built_at": ctx.info.built_at,
            "program_timezone": ctx.info.program_timezone,
            "warning": health["warning"],
            "last_ingest": None
            if health["ingest"] is None
            else {
                "run_id": health["ingest"].run_id,
                "ended_at": health["ingest"].ended_at,
                "age_hours": health["ingest_age_hours"],
                "streams": [asdict(s) for s in health["streams"]],
            },
            "last_writeback": last,
        }
        return json_response(document, ctx.info.zone)


# -- a member ---------------------------------------------------------------------------------


def _member(request: Request, ctx):
    found = member_detail(ctx, request.path_params["contact_id"])
    if found is None:
        raise HTTPException(404, "No such member in this warehouse.")
    return found


def member(request: Request) -> Response:
    with warehouse(request) as (_, ctx):
        found = _member(request, ctx)
        request.state.rows = 1
        zone = ctx.info.zone
        return render(
            request,
            "member.html",
            heading=heading(ctx.info, None),
            member=found.member,
            detail=found,
            text=lambda value: cell_text(value, zone),
        )


def member_json(request: Request) -> Response:
    with warehouse(request) as (_, ctx):
        found = _member(request, ctx)
        request.state.rows = 1
        document = {
            "as_of_date": ctx.info.as_of_date,
            "built_at": ctx.info.built_at,
            "program_timezone": ctx.info.program_timezone,
            "member": found.member,
            "sessions": found.sessions.records(),
            "status_history": found.history.records(),
            "maintained_attributes": found.attributes.records(),
            "data_quality": found.quality.records(),
        }
        return json_response(document, ctx.info.zone)


# -- write-back (read-only) -------------------------------------------------------------------


def _plan(snapshot, con):
    """The plan of this published file (read once: the file never changes)."""
    return snapshot.remember("writeback_plan", lambda: read_plan(con))


def _writeback(snapshot, con) -> dict:
    plan = _plan(snapshot, con)
    # The guards judge the age of the last ingest against the clock: kept a minute at most.
    verdicts = snapshot.remember_for(
        "writeback_verdicts", 60, lambda: check_all(con, plan, writeback_settings())
    )
    problems = snapshot.remember("writeback_types", lambda: type_problems(con, plan))
    has_audit = audit.has_audit(con)
    return {
        "plan": plan,
        "by_attribute": snapshot.remember(
            "writeback_by_attribute", lambda: sorted(plan.by_attribute().items())
        ),
        "transitions": snapshot.remember("writeback_transitions", lambda: _transitions(plan)),
        "verdicts": verdicts,
        "type_problems": problems,
        "pending": len(audit.pending_writes(con)) if has_audit else 0,
        "runs": list(reversed(audit.run_summaries(con, None))) if has_audit else [],
    }


# Transitions listed per attribute (the rest are summed in one row), as `coach writeback` does.
SHOWN_TRANSITIONS = 6


def _transitions(plan) -> list[tuple[str, str, int]]:
    rows = []
    counted = plan.transitions()
    for attribute in sorted(plan.by_attribute()):
        mine = sorted(
            ((label, n) for (a, label), n in counted.items() if a == attribute),
            key=lambda t: (-t[1], t[0]),
        )
        rows += [(attribute, label, n) for label, n in mine[:SHOWN_TRANSITIONS]]
        rest = mine[SHOWN_TRANSITIONS:]
        if rest:
            rows.append((attribute, f"({len(rest):,} other transitions)", sum(n for _, n in rest)))
    return rows


def writeback_page(request: Request) -> Response:
    with warehouse(request) as (snapshot, ctx):
        zone = ctx.info.zone
        return render(
            request,
            "writeback.html",
            heading=heading(ctx.info, None),
            text=lambda value: cell_text(value, zone),
            member_href=member_href,
            **_writeback(snapshot, ctx.con),
        )


def writeback_json(request: Request) -> Response:
    with warehouse(request) as (snapshot, ctx):
        state = _writeback(snapshot, ctx.con)
        plan = state["plan"]
        request.state.rows = len(state["transitions"])
        document = {
            "as_of_date": ctx.info.as_of_date,
            "built_at": ctx.info.built_at,
            "members": plan.members,
            "contacts": plan.contacts,
            "changes": len(plan.rows),
            "by_attribute": dict(state["by_attribute"]),
            "transitions": [
                {"attribute": a, "transition": t, "rows": n} for a, t, n in state["transitions"]
            ],
            "guard_rails": [asdict(v) for v in state["verdicts"]],
            "type_problems": state["type_problems"],
            "pending_writes": state["pending"],
            "runs": state["runs"],
        }
        return json_response(document, ctx.info.zone)


def writeback_plan_csv(request: Request) -> Response:
    """The whole plan, as `coach writeback --format csv` prints it."""
    if request.query_params:
        return PlainTextResponse("Error: the plan takes no parameters.\n", status_code=400)
    with warehouse(request) as (snapshot, ctx):
        plan = _plan(snapshot, ctx.con)
        rows = [[getattr(row, c) for c in PLAN_COLUMNS] for row in plan.rows]
        zone, as_of = ctx.info.zone, ctx.info.as_of_date
    return StreamingResponse(
        csv_chunks(PLAN_COLUMNS, counted(request, rows), zone),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="writeback-plan_as-of-{as_of}.csv"'},
    )


def writeback_audit_csv(request: Request) -> Response:
    """Every audit row (`coach writeback audit --all --format csv`)."""
    if request.query_params:
        return PlainTextResponse("Error: the audit export takes no parameters.\n", 400)
    with warehouse(request) as (_, ctx):
        records = audit.export_rows(ctx.con, None) if audit.has_audit(ctx.con) else []
        zone, as_of = ctx.info.zone, ctx.info.as_of_date
    rows = [[record.get(c) for c in audit.EXPORT_COLUMNS] for record in records]
    return StreamingResponse(
        csv_chunks(audit.EXPORT_COLUMNS, counted(request, rows), zone),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="writeback-audit_as-of-{as_of}.csv"'
        },
    )
