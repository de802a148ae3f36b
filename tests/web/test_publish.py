"""The app reads the published file and follows the pipeline's publishes: a new file (a new inode)
is used by the requests that start after it, a request in flight finishes on the file it started
with, and the old file is closed when its last request ends. Also: the engagement changes between
two builds, against the oracle, and `coach serve` refusing a non-loopback address."""

from __future__ import annotations

import copy
import time

import duckdb
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from cli import main
from reports.context import ReportContext
from reports.queries import caseload_query
from reports.relation import all_rows
from reports.scope import Scope
from tests.oracle import Oracle
from tests.pipeline import Pipeline
from tests.warehouse_copy import copy_warehouse
from tests.web.conftest import logged_in
from warehouse.build_info import read_build_info
from warehouse.readers import PublishedReader
from warehouse.store import connect_working, pipeline_lock, publish
from web.app import create_app

LATER = "2026-06-22"


def _publish_marker(paths, value: int) -> None:
    """A new published file, as the pipeline makes one (working file, then atomic rename)."""
    with pipeline_lock(paths):
        con = connect_working(paths)
        con.execute("create or replace table main.web_marker as select ? as v", [value])
        con.close()
        publish(paths)


def test_a_request_in_flight_finishes_on_its_file(pipeline: Pipeline, tmp_path):
    paths = copy_warehouse(pipeline.paths, tmp_path / "w")
    _publish_marker(paths, 1)
    reader = PublishedReader(paths)
    with reader.request() as (old, con):
        assert con.execute("select v from web_marker").fetchone() == (1,)
        _publish_marker(paths, 2)
        with reader.request() as (new, fresh):
            assert new is not old
            assert fresh.execute("select v from web_marker").fetchone() == (2,)
        # The request that started before the publish still reads its own file...
        assert con.execute("select v from web_marker").fetchone() == (1,)
        assert not old.closed
    # ...which is closed once its last request ended; the new one stays open.
    assert old.closed and not new.closed
    assert reader.opened == 2
    with reader.request() as (again, _):
        assert again is new
    reader.close()
    assert new.closed


def test_the_reader_never_opens_the_working_file_or_takes_the_lock(pipeline: Pipeline, tmp_path):
    paths = copy_warehouse(pipeline.paths, tmp_path / "w")
    reader = PublishedReader(paths)
    with pipeline_lock(paths), reader.request() as (_, con):
        # The lock is held by "the pipeline", and the working file is open for writing.
        writer = duckdb.connect(str(paths.working))
        writer.execute("create or replace table main.busy as select 1")
        assert con.execute("select count(*) from members").fetchone()[0] > 0
        writer.close()


def _oracle_at(pipeline: Pipeline, day: str) -> Oracle:
    truth = dict(pipeline.truth)
    truth["manifest"] = copy.deepcopy(truth["manifest"]) | {"as_of": day}
    return Oracle(truth)


def test_the_app_switches_to_a_new_build(pipeline: Pipeline, oracle: Oracle, access, tmp_path):
    paths = copy_warehouse(pipeline.paths, tmp_path / "w")
    plain = create_app(paths, access, warm_new_files=False)
    warmed = create_app(paths, access)
    with logged_in(plain, "admin") as first, logged_in(warmed, "admin") as second:
        for client in (first, second):
            assert client.get("/api/health").json()["as_of_date"] == "2026-06-15"
        result = CliRunner().invoke(
            main, ["build", "--as-of", LATER, "--warehouse", str(paths.published)], env={}
        )
        assert result.exit_code == 0, result.output
        # Without warming, the next request reads the new file.
        assert first.get("/api/health").json()["as_of_date"] == LATER
        # With warming, requests are served from the old file until the new one is ready.
        seen = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            response = second.get("/api/caseload")
            assert response.status_code == 200
            seen.append(response.json()["as_of_date"])
            if seen[-1] == LATER:
                break
            time.sleep(0.2)
        assert seen[-1] == LATER and set(seen) <= {"2026-06-15", LATER}
        later = _oracle_at(pipeline, LATER)
        document = first.get("/api/caseload", params={"per_page": 1000}).json()
        assert {r["contact_id"] for r in document["rows"]} == set(later.caseload())
        _check_engagement_changes(first, oracle, later)


def _check_engagement_changes(client: TestClient, before: Oracle, after: Oracle) -> None:
    """Status changes between the two builds, and the cards' counts and differences."""
    expected = {
        member: (before.engagement_status(member), after.engagement_status(member))
        for member in after.members
        if before.engagement_status(member) is not None
        and after.engagement_status(member) is not None
        and before.engagement_status(member) != after.engagement_status(member)
    }
    assert expected  # a week later some members slipped to At Risk or Unengaged
    document = client.get("/api/engagement", params={"days": 7, "per_page": 1000}).json()
    got = {r["contact_id"]: (r["previous_status"], r["new_status"]) for r in document["rows"]}
    assert got == expected
    assert {r["changed_on"] for r in document["rows"]} == {LATER}
    html = client.get("/engagement", params={"days": 7}).text
    for status in ("Engaged", "At Risk", "Unengaged"):
        now = sum(after.engagement_status(m) == status for m in after.members)
        then = sum(before.engagement_status(m) == status for m in before.members)
        assert f"{now - then:+,} since 2026-06-15" in html
    # A change is dated by the build that saw it; a one-day window still finds the status
    # it changed from in the build a week earlier.
    one_day = client.get("/api/engagement", params={"days": 1, "per_page": 1000}).json()
    assert {r["contact_id"]: (r["previous_status"], r["new_status"]) for r in one_day["rows"]} == (
        expected
    )


def test_a_scope_restricts_every_report_relation(pipeline: Pipeline, oracle: Oracle):
    """The one hook issue 14 will set: here, a scope of one employer."""
    employer = next(oracle.employer(m) for m in oracle.caseload() if oracle.employer(m))
    from warehouse.readers import open_snapshot

    with open_snapshot(pipeline.paths) as con:
        info = read_build_info(con)
        scoped = ReportContext(con, info, Scope(employers=frozenset({employer})))
        rows = all_rows(scoped, caseload_query(scoped, _no_filters()))
    assert rows
    ids = {row[0] for row in rows}
    assert ids == {m for m in oracle.caseload() if oracle.employer(m) == employer}


def _no_filters():
    from reports.filters import Filters

    return Filters()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.org"])
def test_serve_refuses_a_non_loopback_address(host, tmp_path):
    result = CliRunner().invoke(
        main, ["serve", "--host", host, "--warehouse", str(tmp_path / "w.duckdb")]
    )
    assert result.exit_code == 2
    assert f"--host '{host}' is not a loopback address: serve it over HTTPS" in result.output
    assert "Traceback" not in result.output


def test_serve_without_a_warehouse_is_one_line(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--warehouse", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 1
    missing = tmp_path / "w.duckdb"
    assert result.output.strip() == (
        f"Error: No warehouse at {missing} yet; run `coach run` (or `make demo`) first."
    )
