"""Links that keep the view: the current query string with some parameters changed."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.datastructures import QueryParams


def with_params(query: QueryParams, drop: tuple[str, ...] = (), **changes: object) -> str:
    """`?...` of `query` with `changes` applied (None removes a parameter) and `drop` removed.
    Keyword names stand for parameters with `-` (exclude_employer: exclude-employer), except
    per_page. Any change but of `page` itself sends the table back to its first page."""
    changed = {(k if k == "per_page" else k.replace("_", "-")): v for k, v in changes.items()}
    changed.setdefault("page", None)
    kept = [
        (k, v)
        for k, v in query.multi_items()
        if k not in drop and k not in changed and v.strip() != ""
    ]
    for key, value in changed.items():
        if value is None:
            continue
        for one in value if isinstance(value, list | tuple) else [value]:
            kept.append((key, str(one)))
    return "?" + urlencode(kept) if kept else "?"
