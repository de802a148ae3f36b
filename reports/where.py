"""WHERE clauses from fixed SQL fragments and bound parameters: user input is never SQL text."""

from __future__ import annotations

from datetime import date
from typing import Any

from reports.filters import Filters


def listed(values: list[str]) -> list[str] | None:
    """A list parameter of a table function: null (no filter) when nothing was asked for."""
    return list(values) or None


class Where:
    def __init__(self) -> None:
        self._parts: list[str] = []
        self.params: list[Any] = []

    def add(self, fragment: str, *params: Any) -> Where:
        self._parts.append(fragment)
        self.params.extend(params)
        return self

    def any_of(self, column: str, values: list[str]) -> Where:
        """`column` equals one of `values` (one placeholder per value); nothing when empty."""
        if values:
            self.add(f"{column} in ({', '.join('?' for _ in values)})", *values)
        return self

    def none_of(self, column: str, values: list[str]) -> Where:
        """`column` is none of `values`; a row without a value is kept (it is no excluded one)."""
        if values:
            marks = ", ".join("?" for _ in values)
            self.add(f"({column} is null or {column} not in ({marks}))", *values)
        return self

    def between(self, column: str, first: date | None, last: date | None) -> Where:
        if first is not None:
            self.add(f"{column} >= ?", first)
        if last is not None:
            self.add(f"{column} <= ?", last)
        return self

    def at_most(self, column: str, value: int | None) -> Where:
        if value is not None:
            self.add(f"{column} <= ?", value)
        return self

    def employers(self, column: str, filters: Filters) -> Where:
        return self.any_of(column, filters.employers).none_of(column, filters.exclude_employers)

    def sql(self) -> str:
        return ("where " + "\n  and ".join(self._parts)) if self._parts else ""
