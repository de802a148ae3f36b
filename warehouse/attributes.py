"""The Intercom data attributes the product reads and writes, from the dbt seed that lists them.

The list lives in one place, `dbt_project/seeds/intercom_attributes.csv` (columns `model,
attribute, data_type, maintained`); Python reads it and never restates it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from warehouse.errors import ConfigError

SEED = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds" / "intercom_attributes.csv"


@dataclass(frozen=True)
class RequiredAttribute:
    model: str  # contact | conversation
    name: str
    data_type: str  # Intercom's data_type: string, integer, float, boolean, date
    maintained: bool  # written back by the product


def required_attributes(seed: Path = SEED) -> list[RequiredAttribute]:
    try:
        with open(seed, encoding="utf-8", newline="") as handle:
            return [
                RequiredAttribute(
                    model=row["model"].strip(),
                    name=row["attribute"].strip(),
                    data_type=row["data_type"].strip(),
                    maintained=row["maintained"].strip().lower() in ("true", "1", "yes"),
                )
                for row in csv.DictReader(handle)
            ]
    except (OSError, KeyError) as exc:
        raise ConfigError(f"Cannot read the attribute list {seed}: {exc}") from None
