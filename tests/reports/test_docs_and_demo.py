"""`coach docs --no-serve` (generate only) and the demo's code path on the tiny workspace (what
`make demo` runs on the demo workspace)."""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb
from click.testing import CliRunner

from cli import main
from tests.pipeline import Pipeline
from tests.warehouse_copy import copy_warehouse


def test_docs_generates_the_site(pipeline: Pipeline, tmp_path):
    copy = copy_warehouse(pipeline.paths, tmp_path / "docs")
    result = CliRunner().invoke(main, ["docs", "--no-serve", "--warehouse", str(copy.published)])
    assert result.exit_code == 0, result.output
    site = tmp_path / "docs" / "warehouse.dbt" / "duckdb_read_only" / "target"
    assert result.output.strip() == f"Docs generated in {site}"
    assert (site / "index.html").exists()
    catalog = json.loads((site / "catalog.json").read_text(encoding="utf-8"))
    assert "model.coach.caseload" in catalog["nodes"]
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    assert "Days since" in json.dumps(manifest["docs"])  # the glossary blocks are in the site


def test_docs_without_a_warehouse(tmp_path):
    missing = tmp_path / "warehouse.duckdb"
    result = CliRunner().invoke(main, ["docs", "--no-serve", "--warehouse", str(missing)])
    assert result.exit_code == 1
    assert "run `coach run` (or `make demo`) first" in result.output


def test_demo_runs_the_whole_pipeline(tmp_path):
    target = tmp_path / "demo.duckdb"
    result = CliRunner().invoke(
        main, ["demo", "--workspace", "tiny", "--no-serve", "--warehouse", str(target)], env={}
    )
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(target), read_only=True) as con:
        landed = con.execute("select count(*) from staging.stg_intercom__conversations")
        landed = landed.fetchone()[0]
        members = con.execute("select count(*) from caseload").fetchone()[0]
        month = con.execute("select strftime(as_of_date, '%Y-%m') from build_info").fetchone()[0]
        billable = con.execute(
            "select count(*) from billing_cohort where month = ?", [month]
        ).fetchone()[0]
        plan = con.execute(
            "select attribute, count(*) from contact_attribute_targets where needs_update"
            " group by 1"
        ).fetchall()
    output = result.output
    assert landed > 100
    assert "Caseload: members with a coaching session in the last 365 days" in output
    assert f"Billing cohort {month}" in output
    assert "Write-back plan" in output and plan
    for attribute, count in plan:
        assert any(attribute in line and f" {count:,} " in line for line in output.splitlines())
    assert f"{members}" in output and f"{billable}" in output
    assert f"The warehouse is {target}" in output
    _demo_logins_work(output, target)


def _demo_logins_work(output: str, target) -> None:
    """The printed log-ins open the web app: the admin sees everyone, the viewer one employer."""
    import re

    from starlette.testclient import TestClient

    from access.service import Access
    from access.settings import access_settings
    from tests.web.conftest import ORIGIN
    from warehouse.store import WarehousePaths
    from web.app import create_app

    logins = dict(re.findall(r"^  (demo-\w+)  password (\S+)  \(sees", output, re.MULTILINE))
    assert set(logins) == {"demo-admin", "demo-viewer"}
    app = create_app(WarehousePaths(target), Access.open(access_settings(target)))
    totals = {}
    for name, password in logins.items():
        client = TestClient(app)
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
        client.post(
            "/login",
            data={"name": name, "password": password, "csrf": token},
            headers={"origin": ORIGIN},
        )
        totals[name] = client.get("/api/caseload").json()["total_rows"]
    assert 0 < totals["demo-viewer"] < totals["demo-admin"]


def test_docs_never_hold_the_working_file_or_the_lock(pipeline: Pipeline, tmp_path):
    """While the docs are generated and served, the pipeline goes on: another process can take
    the writer lock and open the working file (the hourly `coach run` must not fail)."""
    from warehouse.docs_site import generate_docs
    from warehouse.store import pipeline_lock

    copy = copy_warehouse(pipeline.paths, tmp_path / "docs-lock")
    with pipeline_lock(copy, command="a test standing in for `coach build`"):
        generate_docs(copy)  # no lock needed: it reads the published file
    # This process generated the docs and goes on (as `coach docs` does while serving): another
    # process can now open the working file for writing.
    opened = subprocess.run(
        [sys.executable, "-c", f"import duckdb; duckdb.connect({str(copy.working)!r}).close()"],
        capture_output=True,
        text=True,
    )
    assert opened.returncode == 0, opened.stderr
