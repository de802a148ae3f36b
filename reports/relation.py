"""A report as a filtered SQL relation, and everything derived from it in SQL.

A `ReportQuery` is a relation (a select over the marts with bound parameters, already scoped by
`ReportContext.relation`), the columns it shows, its default order, and its cards and charts as
aggregate expressions. From it the same code derives, without fetching rows into Python:

* `count_rows`: how many rows the table holds;
* `fetch_page`: one page, ordered by a whitelisted column (LIMIT/OFFSET);
* `all_rows` / `stream_rows`: every row in the default order (the CLI; a CSV, in batches);
* `compute_cards` and `compute_chart`: aggregates over the same relation.

So a terminal table, a web page, its CSV and its JSON can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from reports.cache import key
from reports.context import ReportContext
from warehouse.errors import UsageError, listing, shown

# Rows fetched at a time when streaming (a CSV of 100k rows never sits in memory whole).
BATCH_ROWS = 2_000
MAX_PER_PAGE = 1_000
T = TypeVar("T")


@dataclass(frozen=True)
class Relation:
    """A select (`sql`) and its bound parameters; `where` adds a fragment on top."""

    sql: str
    params: tuple[Any, ...] = ()

    def where(self, fragment: str, *params: Any) -> Relation:
        return Relation(
            f"select * from ({self.sql}) as r where {fragment}", (*self.params, *params)
        )


@dataclass(frozen=True)
class CardSpec:
    """A summary number: an aggregate over the relation (`count(*) filter (where ...)`); `drill`
    names the table filter that shows its rows (e.g. {"bucket": "8–28"})."""

    label: str
    aggregate: str
    params: tuple[Any, ...] = ()
    drill: dict[str, str] | None = None


@dataclass(frozen=True)
class Card:
    label: str
    value: int
    drill: dict[str, str] | None = None


@dataclass(frozen=True)
class ChartSpec:
    """A grouped count over the relation: one series per `series` value, one point per `x`."""

    title: str
    x: str  # a SQL expression
    series: str | None
    value: str  # an aggregate
    x_label: str
    order: str = "1, 2"


@dataclass(frozen=True)
class Chart:
    title: str
    x_label: str
    points: list[tuple[Any, Any, int]]  # (x, series or None, value)


@dataclass(frozen=True)
class ReportQuery:
    name: str
    title: str
    base: Relation  # the filtered, scoped rows the cards and charts count
    columns: tuple[str, ...]  # shown columns, in order (CSV and JSON carry them all)
    order: str  # the default ORDER BY (also every sort's tie-breaker)
    display_columns: tuple[str, ...] = ()
    cards: tuple[CardSpec, ...] = ()
    charts: tuple[ChartSpec, ...] = ()
    filters: dict[str, Any] = field(default_factory=dict)
    empty_message: str = "No rows match these filters."
    # A drill-down from a card: a filter of the table only (the cards keep counting `base`).
    drill: tuple[str, tuple[Any, ...]] | None = None

    @property
    def table(self) -> Relation:
        return self.drilled_relation(self.base)

    def drilled_relation(self, base: Relation) -> Relation:
        if self.drill is None:
            return base
        fragment, params = self.drill
        return base.where(fragment, *params)

    def drilled(self, fragment: str, *params: Any, **described: Any) -> ReportQuery:
        return replace(self, drill=(fragment, params), filters={**self.filters, **described})


@dataclass(frozen=True)
class Sort:
    column: str | None = None
    descending: bool = False


def check_sort(query: ReportQuery, column: str | None, direction: str | None) -> Sort:
    """A sort the table allows: one of its columns, `asc` or `desc`."""
    if direction not in (None, "", "asc", "desc"):
        raise UsageError(f"--dir must be asc or desc, got {shown(direction)}.")
    if column in (None, ""):
        return Sort(None, direction == "desc")
    if column not in query.columns:
        raise UsageError(
            f"Cannot sort by {shown(column)}; columns: {listing(list(query.columns), 40)}."
        )
    return Sort(column, direction == "desc")


def _select(query: ReportQuery, table: Relation, order: str) -> str:
    columns = ", ".join(f'"{c}"' for c in query.columns)
    return f"select {columns} from ({table.sql}) as t order by {order}"


def _order(query: ReportQuery, sort: Sort) -> str:
    if sort.column is None:
        return query.order
    direction = "desc" if sort.descending else "asc"
    return f'"{sort.column}" {direction} nulls last, {query.order}'


def _cached(ctx: ReportContext, parts: tuple, compute: Callable[[], T]) -> T:
    """`compute()`, kept by the context's cache when it has one (the web app's, per file)."""
    if ctx.cache is None:
        return compute()
    return ctx.cache.remember(key(*parts), compute)


def _table(ctx: ReportContext, query: ReportQuery) -> Relation:
    return query.drilled_relation(query.base)


def count_rows(ctx: ReportContext, query: ReportQuery) -> int:
    table = _table(ctx, query)
    sql = f"select count(*) from ({table.sql}) as t"
    params = list(table.params)
    return _cached(ctx, ("count", sql, params), lambda: int(ctx.rows(sql, params)[0][0]))


def fetch_page(
    ctx: ReportContext, query: ReportQuery, sort: Sort, page: int, per_page: int
) -> list[tuple]:
    """Rows `(page - 1) * per_page` onwards, at most `per_page` (1-based pages)."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    table = _table(ctx, query)
    sql = f"{_select(query, table, _order(query, sort))} limit ? offset ?"
    params = [*table.params, per_page, (max(page, 1) - 1) * per_page]
    return _cached(ctx, ("page", sql, params), lambda: ctx.rows(sql, params))


def all_rows(ctx: ReportContext, query: ReportQuery) -> list[tuple]:
    table = _table(ctx, query)
    return ctx.rows(_select(query, table, query.order), list(table.params))


def stream_rows(
    ctx: ReportContext, query: ReportQuery, sort: Sort | None = None, batch: int = BATCH_ROWS
) -> Iterator[tuple]:
    """Every row of the table, fetched `batch` at a time from one cursor."""
    table = _table(ctx, query)
    sql = _select(query, table, _order(query, sort or Sort()))
    cursor = ctx.con.execute(sql, list(table.params))
    while chunk := cursor.fetchmany(batch):
        yield from chunk


def compute_cards(ctx: ReportContext, query: ReportQuery) -> list[Card]:
    """Every card in one aggregate query over the base relation."""
    if not query.cards:
        return []
    base = query.base
    aggregates = ", ".join(spec.aggregate for spec in query.cards)
    params = [*(p for spec in query.cards for p in spec.params), *base.params]
    sql = f"select {aggregates} from ({base.sql}) as t"
    values = _cached(ctx, ("cards", sql, params), lambda: ctx.rows(sql, params)[0])
    return [
        Card(spec.label, int(value or 0), spec.drill)
        for spec, value in zip(query.cards, values, strict=True)
    ]


def compute_chart(ctx: ReportContext, query: ReportQuery, spec: ChartSpec) -> Chart:
    base = query.base
    series = spec.series or "null"
    sql = f"""select {spec.x} as x, {series} as series, {spec.value} as value
        from ({base.sql}) as t group by all order by {spec.order}"""
    params = list(base.params)
    points = _cached(
        ctx,
        ("chart", sql, params),
        lambda: [(x, s, int(v)) for x, s, v in ctx.rows(sql, params)],
    )
    return Chart(spec.title, spec.x_label, points)
