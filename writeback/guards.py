"""Guard rails: reasons not to apply a plan, each with the flag that overrides it.

* the last ingest did not complete, is older than the allowed age, or came after the last build
  (the plan would be computed from stale or partial data) - `--allow-stale-ingest`;
* the plan changes more than the allowed share of members, overall (`--max-share`) or for any
  one attribute (`--max-attribute-share`) - `--allow-large-plan`;
* the warehouse was built as of another day than today in the program's time zone -
  `--allow-other-as-of`.

A dry run shows every guard's verdict; `--apply` stops at the first one not overridden.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import duckdb

from warehouse.config import WritebackSettings
from warehouse.run_log import last_ingest
from writeback.plan import Plan

STALE_INGEST = "--allow-stale-ingest"
LARGE_PLAN = "--allow-large-plan"
OTHER_AS_OF = "--allow-other-as-of"


@dataclass(frozen=True)
class Verdict:
    guard: str
    passed: bool
    detail: str
    override: str

    def refusal(self) -> str:
        return f"{self.detail}; rerun with {self.override} to apply anyway."


def check_ingest(
    con: duckdb.DuckDBPyConnection, plan: Plan, settings: WritebackSettings, now: datetime
) -> Verdict:
    def verdict(passed: bool, detail: str) -> Verdict:
        return Verdict("ingest", passed, detail, STALE_INGEST)

    last = last_ingest(con)
    if last is None:
        return verdict(False, "The warehouse records no ingest run")
    run_id, unfinished = last.run_id, last.unfinished
    if unfinished:
        return verdict(
            False,
            f"The last ingest ({run_id}) did not complete: "
            f"{unfinished[0].stream} {unfinished[0].outcome}",
        )
    ended = last.ended_at
    if ended is None:
        return verdict(False, f"The last ingest ({run_id}) records no end")
    age_hours = (now - ended).total_seconds() / 3600
    if age_hours > settings.max_ingest_age_hours:
        return verdict(
            False,
            f"The last ingest ended {age_hours:.1f} hours ago, more than the "
            f"{settings.max_ingest_age_hours:g} allowed (--max-ingest-age-hours)",
        )
    # build_info.built_at is whole seconds: a build that began in the second the ingest ended
    # came after it (both hold the writer lock, one after the other).
    if plan.build.built_at < ended.replace(microsecond=0):
        return verdict(
            False,
            f"The models were built before the last ingest ({run_id}); run `coach build` first",
        )
    return verdict(True, f"The last ingest ({run_id}) completed {age_hours:.1f} hours ago")


def check_share(plan: Plan, settings: WritebackSettings) -> Verdict:
    def verdict(passed: bool, detail: str) -> Verdict:
        return Verdict("plan size", passed, detail, LARGE_PLAN)

    limit, attribute_limit = settings.max_share_percent, settings.max_attribute_share_percent
    members = plan.members
    if members == 0 or not plan.rows:
        return verdict(True, "The plan changes nothing")

    def share(count: int) -> float:
        return 100.0 * count / members

    if share(plan.contacts) > limit:
        return verdict(
            False,
            f"The plan changes {plan.contacts:,} of {members:,} members "
            f"({share(plan.contacts):.0f}%), more than the {limit:g}% allowed (--max-share)",
        )
    attribute, count = plan.by_attribute().most_common(1)[0]
    if share(count) > attribute_limit:
        return verdict(
            False,
            f"The plan changes {attribute} for {count:,} of {members:,} members "
            f"({share(count):.0f}%), more than the {attribute_limit:g}% allowed for one "
            "attribute (--max-attribute-share)",
        )
    return verdict(
        True,
        f"The plan changes {plan.contacts:,} of {members:,} members "
        f"({share(plan.contacts):.1f}%; at most {share(count):.1f}% for one attribute)",
    )


def check_as_of(plan: Plan, now: datetime) -> Verdict:
    zone = plan.build.program_timezone
    today = now.astimezone(ZoneInfo(zone)).date()
    as_of = plan.build.as_of_date
    if as_of != today:
        return Verdict(
            "as-of date",
            False,
            f"The warehouse was built as of {as_of}, but today is {today} ({zone}); "
            "run `coach build` without --as-of",
            OTHER_AS_OF,
        )
    return Verdict("as-of date", True, f"Built as of today ({as_of}, {zone})", OTHER_AS_OF)


def check_all(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    settings: WritebackSettings,
    now: datetime | None = None,
) -> list[Verdict]:
    now = now or datetime.now(UTC)
    return [
        check_ingest(con, plan, settings, now),
        check_share(plan, settings),
        check_as_of(plan, now),
    ]
