"""Preparing a newly published file before it is served: the views everyone opens first (every
table page without filters: its count, cards, charts and first page; the write-back plan) are
computed into the file's cache, so the first visitors after a publish do not wait for them."""

from __future__ import annotations

from reports import relation as rel
from reports.cache import RelationCache
from reports.context import ReportContext
from warehouse.build_info import read_build_info
from warehouse.readers import Snapshot
from web.pages import PAGES
from web.params import DEFAULT_PER_PAGE, Parsed
from writeback.plan import read_plan


def relation_cache(snapshot: Snapshot) -> RelationCache:
    return snapshot.remember("relation_cache", RelationCache)


def warm(snapshot: Snapshot) -> None:
    con = snapshot.cursor()
    try:
        info = snapshot.remember("build_info", lambda: read_build_info(con))
        ctx = ReportContext(con, info, cache=relation_cache(snapshot))
        for page in PAGES:
            query = page.build(ctx, Parsed())
            rel.count_rows(ctx, query)
            rel.compute_cards(ctx, query)
            for spec in query.charts:
                rel.compute_chart(ctx, query, spec)
            rel.fetch_page(ctx, query, rel.Sort(), 1, DEFAULT_PER_PAGE)
        snapshot.remember("writeback_plan", lambda: read_plan(con))
    finally:
        con.close()
