"""A table page, its CSV and its JSON: the same query from the same parameters.

* `/NAME`: the form, the cards (a card with a drill-down links to its rows), the chart, one
  sorted page of the table and the links to every other page and the downloads;
* `/NAME.csv`: every row of the table (all pages, in the order shown), streamed from a cursor in
  batches through `output.writers.csv_chunks`, the formula-safe writer of `coach export`;
* `/api/NAME`: the same as JSON (cards, charts, one page of rows, the total).

A bad parameter is the CLI's one-line message: on the page with the form kept, or as the body of
a 400 for the CSV and JSON.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse

from output.writers import csv_chunks, json_default
from reports import engagement
from reports import relation as rel
from reports.cache import key
from reports.relation import ReportQuery
from warehouse.errors import UsageError
from web import charts
from web.pages import BY_NAME, TablePage
from web.params import PER_PAGE_CHOICES, Parsed, paging, parse
from web.state import form_options, heading, render, warehouse
from web.tables import card_views, table_view


def _page_of(request: Request) -> TablePage:
    return BY_NAME[request.scope["route"].name.split(":", 1)[1]]


def _form(page: TablePage, parsed: Parsed, options: dict[str, list[tuple[str, str]]]) -> list:
    """The form's fields with their current values (as typed, so a bad value stays to fix)."""
    fields = []
    for param in page.params:
        if not param.in_form:
            continue
        raw = [v for v in parsed.raw.get(param.name, []) if v.strip()]
        offered = options.get(param.options or "", [])
        fields.append(
            {
                "param": param,
                "values": raw,
                "value": raw[-1] if raw else "",
                "options": offered,
                "big": len(offered) > BIG_LIST,
            }
        )
    return fields


# A list longer than this is a text field with suggestions, not a list box.
BIG_LIST = 40


def _datalists(form: list) -> dict[str, list[tuple[str, str]]]:
    return {f["param"].options: f["options"] for f in form if f["big"]}


def _hidden(page: TablePage, parsed: Parsed) -> list[tuple[str, str]]:
    """Parameters the form does not show but keeps (a drill-down, the sort, the page size)."""
    names = [p.name for p in page.params if not p.in_form and p.kind != "flag"]
    return [
        (name, value)
        for name in (*names, "sort", "dir", "per_page")
        for value in parsed.raw.get(name, [])
        if value.strip()
    ]


def _chart_views(ctx, query: ReportQuery) -> list:
    views = []
    for spec in query.charts:
        view = charts.stacked_bars(rel.compute_chart(ctx, query, spec))
        if view is not None:
            views.append(view)
    return views


def _prepared(request: Request, page: TablePage, ctx) -> tuple[Parsed, ReportQuery, Any, Any]:
    """The request's parameters parsed, its report query, page and checked sort: the same for a
    page, its CSV and its JSON. A bad value raises the CLI's UsageError."""
    parsed = parse(_multi(request), page.params)
    query = page.build(ctx, parsed)
    paged = paging(parsed)
    return parsed, query, paged, rel.check_sort(query, paged.sort, paged.direction)


def table_page(request: Request) -> Response:
    page = _page_of(request)
    with warehouse(request) as (snapshot, ctx):
        options = form_options(snapshot, ctx)
        parsed = Parsed(raw=_multi(request))
        context: dict[str, Any] = {
            "page": page,
            "heading": heading(ctx.info, None),
            "per_page_choices": PER_PAGE_CHOICES,
            "export_statuses": options.get("statuses", []),
        }
        try:
            parsed, query, paged, sort = _prepared(request, page, ctx)
        except UsageError as error:
            form = _form(page, parsed, options)
            context.update(form=form, hidden=_hidden(page, parsed), datalists=_datalists(form))
            return render(request, "table.html", 400, error=str(error), **context)
        total = rel.count_rows(ctx, query)
        rows = rel.fetch_page(ctx, query, sort, paged.page, paged.per_page)
        request.state.rows = len(rows)
        active = {k: str(v) for k, v in query.filters.items() if k in ("bucket", "cohort", "kind")}
        form = _form(page, parsed, options)
        context.update(
            form=form,
            datalists=_datalists(form),
            hidden=_hidden(page, parsed),
            query=query,
            heading=heading(ctx.info, query.filters),
            cards=card_views(rel.compute_cards(ctx, query), request.query_params, active),
            charts=_chart_views(ctx, query),
            table=table_view(
                list(query.columns),
                list(query.display_columns or query.columns),
                rows,
                total=total,
                page=paged.page,
                per_page=paged.per_page,
                sort=sort,
                query=request.query_params,
                zone=ctx.info.zone,
                caption=query.title,
            ),
            per_page=paged.per_page,
            query_string=request.url.query,
            extra=_extra(page, ctx, parsed, query, request),
        )
        return render(request, "table.html", **context)


def _multi(request: Request) -> dict[str, list[str]]:
    return {key: request.query_params.getlist(key) for key in request.query_params}


def _extra(page: TablePage, ctx, parsed: Parsed, query: ReportQuery, request: Request) -> dict:
    """What one page shows besides its table."""
    if page.name == "billing":
        month = query.filters["month"]
        first = ctx.info.as_of_month_start.replace(year=int(month[:4]), month=int(month[5:]))
        before = (first - timedelta(days=1)).replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
        return {
            "months": [
                (
                    f"← {before:%Y-%m}",
                    request.url.path + _month_link(request, before.strftime("%Y-%m")),
                ),
                (
                    f"This month ({ctx.info.as_of_month_start:%Y-%m})",
                    request.url.path + _month_link(request, None),
                ),
                (
                    f"{after:%Y-%m} →",
                    request.url.path + _month_link(request, after.strftime("%Y-%m")),
                ),
            ]
        }
    if page.name == "engagement":
        filters = query.filters
        filtered = _report_filters(ctx, parsed)
        mix = engagement.mix_query(ctx, filtered)
        compare = lambda: engagement.comparison(ctx, filtered)  # noqa: E731
        cached = ctx.cache.remember(key("comparison", mix.base), compare) if ctx.cache else None
        return {
            "comparison": cached or compare(),
            "mix_charts": _chart_views(ctx, mix),
            "days": filters["days"],
        }
    return {}


def _report_filters(ctx, parsed: Parsed):
    from reports.options import make_filters

    return make_filters(
        ctx, employers=parsed.many("employer"), exclude_employers=parsed.many("exclude-employer")
    )


def _month_link(request: Request, month: str | None) -> str:
    from web.urls import with_params

    return with_params(request.query_params, month=month, previous=None, cohort=None)


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def download_name(query: ReportQuery, as_of: str) -> str:
    """`caseload_lookback-28_employer-Acme-Manufacturing_as-of-2026-06-15.csv`: the report and
    its filters, in characters every file system and browser keeps."""
    parts = [query.name.replace("/", "-")]
    for name, value in query.filters.items():
        if value in (None, [], ""):
            continue
        values = value if isinstance(value, list) else [value]
        text = "+".join(_UNSAFE.sub("-", str(v)).strip("-") or "x" for v in values)
        parts.append(f"{name.replace('_', '-')}-{text}")
    name = "_".join(parts)[:180]
    return f"{name}_as-of-{as_of}.csv"


def table_csv(request: Request) -> Response:
    page = _page_of(request)
    stack = contextlib.ExitStack()
    try:
        _, ctx = stack.enter_context(warehouse(request))
        _, query, _, sort = _prepared(request, page, ctx)
    except UsageError as error:
        stack.close()
        return PlainTextResponse(f"Error: {error}\n", status_code=400)
    except BaseException:
        stack.close()
        raise
    zone = ctx.info.zone

    def body():
        # The request's snapshot stays open until the last row is sent.
        with stack:
            rows = counted(request, rel.stream_rows(ctx, query, sort))
            yield from csv_chunks(query.columns, rows, zone)

    name = download_name(query, ctx.info.as_of_date.isoformat())
    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def counted(request: Request, rows: Iterable[Any]) -> Iterator[Any]:
    """`rows`, counting in `request.state.rows` those sent (the access log's row count of a
    download); the download is complete only once the last one is sent."""
    request.state.rows = 0
    request.state.complete = False
    for row in rows:
        request.state.rows += 1
        yield row
    request.state.complete = True


def table_json(request: Request) -> Response:
    page = _page_of(request)
    with warehouse(request) as (_, ctx):
        try:
            _, query, paged, sort = _prepared(request, page, ctx)
        except UsageError as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        rows = rel.fetch_page(ctx, query, sort, paged.page, paged.per_page)
        request.state.rows = len(rows)
        document = {
            "report": query.name,
            "title": query.title,
            "as_of_date": ctx.info.as_of_date,
            "built_at": ctx.info.built_at,
            "program_timezone": ctx.info.program_timezone,
            "filters": query.filters,
            "cards": [
                {"label": c.label, "value": c.value, "drill": c.drill}
                for c in rel.compute_cards(ctx, query)
            ],
            "charts": [
                {
                    "title": chart.title,
                    "x_label": chart.x_label,
                    "points": [{"x": x, "series": s, "value": v} for x, s, v in chart.points],
                }
                for chart in (rel.compute_chart(ctx, query, spec) for spec in query.charts)
            ],
            "total_rows": rel.count_rows(ctx, query),
            "page": paged.page,
            "per_page": paged.per_page,
            "sort": sort.column,
            "dir": "desc" if sort.descending else "asc",
            "columns": list(query.columns),
            "rows": [dict(zip(query.columns, row, strict=True)) for row in rows],
        }
        return json_response(document, ctx.info.zone)


def json_response(document: Any, zone, status_code: int = 200) -> Response:
    text = json.dumps(document, ensure_ascii=False, default=json_default(zone))
    return Response(text, status_code=status_code, media_type="application/json")
