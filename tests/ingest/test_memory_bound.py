"""Issue 16 at a scale CI affords: days of heavy change land under a memory limit scaled down
as the workspace is, and the marts equal a full rebuild's and the oracle's.

At large (2M conversations) landing a day's changes needed the raw tables' key index whole in
memory (264 MB) under ingest's 256 MB limit, and every run failed. Here the small workspace
(30,000 conversations) gets `COACH_INGEST_MEMORY_LIMIT=32MB`: with the key index, the backfill
and the first two days landed and the third day failed, and so did every run after it (the
index grows with every version landed), the same failure at a tenth of the size. Without it
every run lands.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import httpx
from click.testing import CliRunner

from cli import main
from fake_intercom import EmulatorConfig, FakeIntercom
from tests.ingest.conftest import TOKEN, assert_matches_truth, env_for
from tests.oracle import Oracle
from warehouse.raw_tables import STREAMS, table_name
from warehouse.store import WarehousePaths

LIMIT = "32MB"
DAYS = 3  # the key index failed on the third
SHARE = 0.5  # of the conversations, changed each simulated day
# Columns that hold the build's own clock, so two builds of the same data differ there.
BUILD_CLOCK = {"build_info": "*", "engagement_status_history": "built_at"}


def coach(base_url: str, paths: WarehousePaths, *args: str) -> None:
    env = env_for(base_url, COACH_INGEST_MEMORY_LIMIT=LIMIT, COACH_WAREHOUSE=str(paths.published))
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == 0, result.output


def marts(paths: WarehousePaths) -> dict[str, set[tuple]]:
    """Every row of every mart, without the build's clock. The as-of instant (Engagement Status
    Date's desired value) is the build's start when the as-of date is today, so it is compared
    as present or absent."""
    with duckdb.connect(str(paths.published), read_only=True) as con:
        names = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'main'"
            ).fetchall()
        ]
        result = {}
        for name in names:
            if BUILD_CLOCK.get(name) == "*":
                continue
            exclude = f" exclude ({BUILD_CLOCK[name]})" if name in BUILD_CLOCK else ""
            rows = con.execute(f"select *{exclude} from main.{name}").fetchall()
            result[name] = {tuple(_comparable(name, row)) for row in rows}
        return result


def _comparable(name: str, row: tuple) -> tuple:
    if name == "contact_attribute_targets" and "Engagement Status Date" in row:
        return tuple(str(v is not None) if isinstance(v, str) and v.isdigit() else v for v in row)
    return row


def test_days_of_heavy_change_land_under_a_scaled_down_limit(tmp_path: Path):
    # History ends today, so each simulated day's closes and notes are activity the marts see.
    with (
        FakeIntercom.create(
            "small", seed=7, now=datetime.now(UTC), config=EmulatorConfig(token=TOKEN)
        ) as fake,
        fake.serve_in_thread() as base_url,
    ):
        as_of = fake.backend.ground_truth()["manifest"]["as_of"]
        paths = WarehousePaths(tmp_path / "daily" / "warehouse.duckdb")
        coach(base_url, paths, "ingest")
        changed = 0
        for day in range(DAYS):
            answer = httpx.post(
                f"{base_url}/_emulator/simulate_day",
                json={"share": SHARE, "seed": day},
                timeout=300,  # thousands of changes, on a machine that may be busy
            )
            changed += answer.raise_for_status().json()["changed"]
            # A build takes longer than a landing, and landing is what is at stake here: the
            # last day's run builds what every day landed.
            last = day == DAYS - 1
            run = ("run", "--as-of", as_of, "--replace-published")  # the fake's day may be UTC's
            coach(base_url, paths, *(run if last else ("ingest",)))
        assert changed >= DAYS * 14_000
        assert_matches_truth(paths, fake, deletions_noticed=False)
        with duckdb.connect(str(paths.working), read_only=True) as con:
            for stream in STREAMS:  # re-reading the overlap landed nothing twice
                duplicates = con.execute(
                    f"select count(*) - count(distinct (id, record_hash)) from {table_name(stream)}"
                ).fetchone()[0]
                assert duplicates == 0, stream

        rebuilt = WarehousePaths(tmp_path / "rebuilt" / "warehouse.duckdb")
        coach(base_url, rebuilt, "run", "--as-of", as_of, "--replace-published")
        truth = fake.backend.ground_truth()

    daily, fresh = marts(paths), marts(rebuilt)
    assert set(daily) == set(fresh) and "members" in daily
    for name in daily:
        assert daily[name] == fresh[name], name
    check_against_oracle(paths, Oracle(truth))


def check_against_oracle(paths: WarehousePaths, oracle: Oracle) -> None:
    with duckdb.connect(str(paths.published), read_only=True) as con:
        statuses = dict(con.execute("select contact_id, engagement_status from members").fetchall())
        assert statuses == {m: oracle.engagement_status(m) for m in oracle.members}
        sessions = con.execute(
            "select conversation_id, contact_id, epoch(session_at)::bigint from coaching_sessions"
            " where contact_id is not null"
        ).fetchall()
        expected = {
            (s.conversation_id, member, s.at)
            for member, found in oracle.sessions.items()
            for s in found
        }
        assert set(sessions) == expected
        # The simulated days close conversations at the fake's clock, whose day in the program's
        # time zone is the as-of date (the fake's UTC day) or, before midnight there, the day
        # before.
        recent = oracle.as_of - timedelta(days=1)
        today = [s for found in oracle.sessions.values() for s in found if s.day >= recent]
        assert today, "the simulated days closed conversations the marts count"
