"""Preparing a newly published file before it is served: the views everyone opens first (every
table page without filters: its count, cards, charts and first page; the write-back plan) are
computed into the file's cache, so the first visitors after a publish do not wait for them."""

from __future__ import annotations

from reports import relation as rel
from reports.cache import RelationCache
from reports.context import ReportContext
from warehouse.build_info import read_build_info
from warehouse.readers import Snapshot
from web.pages import BY_NAME, PAGES
from web.params import DEFAULT_PER_PAGE, Parsed
from writeback.plan import read_plan


def relation_cache(snapshot: Snapshot) -> RelationCache:
    return snapshot.remember("relation_cache", RelationCache)


# Lookbacks a caseload is commonly asked for (besides the build's), and so prepared.
COMMON_LOOKBACKS = (7, 14, 28, 56, 90, 180)


def _prepare(ctx: ReportContext, page, parsed: Parsed) -> None:
    query = page.build(ctx, parsed)
    rel.count_rows(ctx, query)
    rel.compute_cards(ctx, query)
    for spec in query.charts:
        rel.compute_chart(ctx, query, spec)
    rel.fetch_page(ctx, query, rel.Sort(), 1, DEFAULT_PER_PAGE)


def warm(snapshot: Snapshot) -> None:
    """Every page without filters, then the caseload of each coach and of the common lookbacks
    (a coaching lead's first views: a rollup of the sessions each, so worth preparing)."""
    con = snapshot.cursor()
    try:
        info = snapshot.remember("build_info", lambda: read_build_info(con))
        ctx = ReportContext(con, info, cache=relation_cache(snapshot))
        for page in PAGES:
            _prepare(ctx, page, Parsed())
        snapshot.remember("writeback_plan", lambda: read_plan(con))
        caseload = BY_NAME["caseload"]
        for (coach,) in con.execute(
            "select coach_id from coaches order by session_count desc"
        ).fetchall():
            _prepare(ctx, caseload, Parsed(values={"coach": (coach,)}))
        for days in COMMON_LOOKBACKS:
            _prepare(ctx, caseload, Parsed(values={"lookback": days}))
    finally:
        con.close()
