"""Preparing a newly published file before it is served: the views everyone opens first (every
table page without filters: its count, cards, charts and first page; the write-back plan) are
computed into the file's cache, so the first visitors after a publish do not wait for them."""

from __future__ import annotations

from reports import relation as rel
from reports.cache import RelationCache
from reports.context import ReportContext
from reports.member import member_detail
from warehouse.build_info import read_build_info
from warehouse.readers import Snapshot
from web.pages import BY_NAME, PAGES
from web.params import DEFAULT_PER_PAGE, Parsed
from writeback.plan import read_plan


def relation_cache(snapshot: Snapshot) -> RelationCache:
    return snapshot.remember("relation_cache", RelationCache)


# Lookbacks a caseload or sessions report is commonly asked for (besides the build's).
COMMON_LOOKBACKS = (7, 14, 28, 56, 90, 180)
# Employers prepared, the largest first (a program has a few large employers and a long tail).
LARGEST_EMPLOYERS = 20


def _prepare(ctx: ReportContext, page, parsed: Parsed) -> None:
    query = page.build(ctx, parsed)
    rel.count_rows(ctx, query)
    rel.compute_cards(ctx, query)
    for spec in query.charts:
        rel.compute_chart(ctx, query, spec)
    rel.fetch_page(ctx, query, rel.Sort(), 1, DEFAULT_PER_PAGE)


def views(ctx: ReportContext) -> list[tuple[str, Parsed]]:
    """The views prepared, most asked for first: every page without filters; then the caseload,
    sessions and participants of each coach, of the common lookbacks, of the largest employers,
    and the sessions of each channel."""
    coaches = [c for (c,) in ctx.rows("select coach_id from coaches order by session_count desc")]
    employers = [
        e
        for (e,) in ctx.rows(
            "select employer from employers order by member_count desc, employer limit ?",
            [LARGEST_EMPLOYERS],
        )
    ]
    channels = [c for (c,) in ctx.rows("select channel from coaching_channels order by 1")]
    prepared = [(page.name, Parsed()) for page in PAGES]
    for name in ("caseload", "sessions", "participants"):
        prepared += [(name, Parsed(values={"coach": (coach,)})) for coach in coaches]
    for name in ("caseload", "sessions", "participants"):
        prepared += [(name, Parsed(values={"lookback": days})) for days in COMMON_LOOKBACKS]
    prepared += [("engagement", Parsed(values={"days": days})) for days in COMMON_LOOKBACKS]
    for name in ("caseload", "sessions", "participants", "billing", "engagement"):
        prepared += [(name, Parsed(values={"employer": (e,)})) for e in employers]
    prepared += [("sessions", Parsed(values={"channel": (c,)})) for c in channels]
    return prepared


def warm(snapshot: Snapshot) -> None:
    """Prepare `views` into the file's cache, and the write-back plan."""
    con = snapshot.cursor()
    try:
        info = snapshot.remember("build_info", lambda: read_build_info(con))
        ctx = ReportContext(con, info, cache=relation_cache(snapshot))
        for name, parsed in views(ctx)[: len(PAGES)]:
            _prepare(ctx, BY_NAME[name], parsed)
        snapshot.remember("writeback_plan", lambda: read_plan(con))
        member = con.execute("select contact_id from members limit 1").fetchone()
        if member is not None:
            member_detail(ctx, member[0])  # makes the copies ordered by member
        for name, parsed in views(ctx)[len(PAGES) :]:
            _prepare(ctx, BY_NAME[name], parsed)
    finally:
        con.close()
