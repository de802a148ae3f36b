"""Query-string parameters: the CLI's options as GET parameters, parsed into the values the
`reports/` functions take. No rule here: values are checked by `reports/` exactly as for the CLI
(an unknown coach, a bad date, a lookback out of range are the CLI's one-line messages).

A parameter this page does not know is an error too: a misspelt filter silently ignored would
widen the table without anyone noticing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from warehouse.errors import UsageError, listing, shown

# Paging and sorting, accepted by every table (pages, CSV, JSON).
TABLE_PARAMS = ("sort", "dir", "page", "per_page")
PER_PAGE_CHOICES = (25, 50, 100, 250)
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 1_000


@dataclass(frozen=True)
class Param:
    """One filter: its name in the URL (the CLI option without `--`), how it is read, and how
    the form shows it."""

    name: str
    kind: str  # "int", "text", "list", "flag", "date", "month"
    label: str
    help: str = ""
    options: str | None = None  # the list the form offers: coaches, employers, channels, ...
    in_form: bool = True

    @property
    def option(self) -> str:
        return f"--{self.name}"


@dataclass
class Parsed:
    """The parameters given, parsed; `raw` keeps every value as typed, for the form."""

    values: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, list[str]] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def many(self, name: str) -> tuple[str, ...]:
        return tuple(self.values.get(name, ()))


def _int(param: Param, text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise UsageError(
            f"Invalid value for '{param.option}': {shown(text)} is not a valid integer."
        ) from None


def parse(query: Mapping[str, Sequence[str]], params: Sequence[Param]) -> Parsed:
    """`query` (name -> values) for a page accepting `params` and the table parameters. Empty
    values (a form's blank field) count as not given."""
    known = {p.name: p for p in params}
    parsed = Parsed()
    for name, values in query.items():
        given = [v for v in values if v.strip() != ""]
        parsed.raw[name] = list(values)
        if name in TABLE_PARAMS:
            if given:
                parsed.values[name] = given[-1]
            continue
        param = known.get(name)
        if param is None:
            accepted = [*known, *TABLE_PARAMS]
            raise UsageError(
                f"Unknown parameter {shown(name)} for this page; accepted: {listing(accepted, 20)}."
            )
        if not given:
            continue
        if param.kind == "list":
            parsed.values[name] = tuple(given)
        elif len(given) > 1:
            raise UsageError(f"Give {param.option} once, got {len(given)} values.")
        elif param.kind == "int":
            parsed.values[name] = _int(param, given[0])
        elif param.kind == "flag":
            if given[0].strip().lower() not in ("1", "true", "yes", "on"):
                raise UsageError(f"{param.option} takes 1 (or nothing), got {shown(given[0])}.")
            parsed.values[name] = True
        else:
            parsed.values[name] = given[0]
    return parsed


@dataclass(frozen=True)
class Paging:
    sort: str | None
    direction: str | None
    page: int
    per_page: int


def paging(parsed: Parsed) -> Paging:
    page_text = parsed.get("page", "1")
    per_page_text = parsed.get("per_page", str(DEFAULT_PER_PAGE))
    page = _int(Param("page", "int", "page"), page_text)
    per_page = _int(Param("per_page", "int", "rows per page"), per_page_text)
    if page < 1:
        raise UsageError(f"--page must be 1 or more, got {page}.")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise UsageError(f"--per_page must be between 1 and {MAX_PER_PAGE}, got {per_page}.")
    return Paging(parsed.get("sort"), parsed.get("dir"), page, per_page)
