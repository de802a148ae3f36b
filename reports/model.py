"""What a report is once queried: summary cards, breakdowns and rows, ready to print or save."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Breakdown:
    """A small summary table shown under the cards (e.g. channel combination × bucket)."""

    title: str
    columns: list[str]
    rows: list[tuple[Any, ...]]


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    columns: list[str]
    rows: list[tuple[Any, ...]]
    cards: list[tuple[str, int]] = field(default_factory=list)
    breakdowns: list[Breakdown] = field(default_factory=list)
    # The columns a terminal table shows (CSV and JSON carry every column).
    display_columns: list[str] = field(default_factory=list)
    filters: dict[str, Any] = field(default_factory=dict)
    empty_message: str = "No rows match these filters."

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]
