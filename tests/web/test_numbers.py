"""The web app's numbers against the oracle (tests/oracle.py), and its CSV against `coach report`:
pages, cards, drill-downs, charts, sorting, paging and downloads of the same filtered rows."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from tests.oracle import Oracle
from tests.pipeline import Pipeline
from tests.reports.test_reports import participants_expected, sessions_expected
from tests.web.conftest import all_rows, cards, read_csv

BUCKETS = ("≤7", "8–28", "29–56", ">56")


def test_caseload_rows_and_cards(client, oracle: Oracle):
    document = all_rows(client, "caseload", lookback=90)
    expected = oracle.caseload(90)
    assert expected
    got = {
        r["contact_id"]: (r["days_since_last_session"], r["recency_bucket"], r["session_count"])
        for r in document["rows"]
    }
    assert got == {
        m: (r["days_since_last_session"], r["recency_bucket"], r["session_count"])
        for m, r in expected.items()
    }
    buckets = Counter(r["recency_bucket"] for r in expected.values())
    assert cards(document) == {"members": len(expected), **{b: buckets[b] for b in BUCKETS}}
    # The chart counts the same members: bucket x channel combination.
    [chart] = document["charts"]
    combos = Counter((r["recency_bucket"], r["channel_combination"]) for r in expected.values())
    assert {(p["x"], p["series"]): p["value"] for p in chart["points"]} == dict(combos)


def test_a_card_drills_down_to_its_members(client, oracle: Oracle):
    expected = oracle.caseload()
    bucket = Counter(r["recency_bucket"] for r in expected.values()).most_common(1)[0][0]
    page = client.get("/caseload", params={"bucket": bucket})
    assert page.status_code == 200
    # The card links to exactly this view.
    assert f'href="?bucket={bucket}"'.replace("–", "%E2%80%93").replace("≤", "%E2%89%A4") in (
        client.get("/caseload").text
    )
    document = all_rows(client, "caseload", bucket=bucket)
    assert {r["contact_id"] for r in document["rows"]} == {
        m for m, r in expected.items() if r["recency_bucket"] == bucket
    }
    # The cards still count every bucket; the table holds the drilled bucket only.
    assert cards(document)["members"] == len(expected)
    assert document["total_rows"] == cards(document)[bucket]


def test_sessions_cards_count_a_session_once(client, oracle: Oracle):
    first, last = date(2026, 5, 1), date(2026, 5, 31)
    document = all_rows(client, "sessions", **{"from": "2026-05-01", "to": "2026-05-31"})
    expected = sessions_expected(oracle, lambda m, c: first <= c.session.day <= last)
    assert expected
    assert {(r["conversation_id"], r["contact_id"]) for r in document["rows"]} == expected
    assert cards(document)["sessions"] == len({c for c, _ in expected})
    assert cards(document)["members"] == len({m for _, m in expected})
    [chart] = document["charts"]
    assert sum(p["value"] for p in chart["points"]) >= cards(document)["sessions"]


def test_participants_and_billing(client, oracle: Oracle):
    document = all_rows(client, "participants", lookback=60)
    expected = participants_expected(oracle, 60)
    assert {r["contact_id"]: r["days_without_session"] for r in document["rows"]} == {
        m: without for m, (_, without, _) in expected.items()
    }
    for params, month in (
        ({}, "2026-06"),
        ({"previous": "1"}, "2026-05"),
        ({"month": "2026-03"}, "2026-03"),
    ):
        billing = all_rows(client, "billing", **params)
        cohort = oracle.billing(date.fromisoformat(f"{month}-01"))
        assert {r["contact_id"] for r in billing["rows"]} == set(cohort)
        assert cards(billing) == {
            "billable members": len(cohort),
            "new participants": sum(n for n, _ in cohort.values()),
            "engaged": sum(e for _, e in cohort.values()),
            "new and engaged": sum(n and e for n, e in cohort.values()),
        }
        engaged = all_rows(client, "billing", cohort="engaged", **params)
        assert {r["contact_id"] for r in engaged["rows"]} == {
            m for m, (_, e) in cohort.items() if e
        }


@pytest.mark.parametrize(
    ("page", "cli", "params"),
    [
        ("caseload", ("report", "caseload", "--lookback", "28"), {"lookback": "28"}),
        ("sessions", ("report", "sessions", "--channel", "Phone"), {"channel": "Phone"}),
        ("participants", ("report", "participants"), {}),
        ("billing", ("report", "billing", "--previous"), {"previous": "1"}),
    ],
)
def test_the_csv_is_the_cli_csv(client, pipeline: Pipeline, page, cli, params):
    """Every filtered row, all pages of them, byte for byte what `coach report --format csv`
    writes (the same formula-safe writer), with the report and filters in the file name."""
    response = client.get(f"/{page}.csv", params={**params, "per_page": 25, "page": 2})
    result = pipeline.coach(*cli, "--format", "csv")
    assert result.exit_code == 0
    assert response.content == result.stdout_bytes
    name = response.headers["content-disposition"]
    assert name.startswith(f'attachment; filename="{page}') and "as-of-2026-06-15.csv" in name
    for value in params.values():
        if value != "1":
            assert value in name


def test_the_csv_follows_the_sort_and_the_drill_down(client, oracle: Oracle):
    text = client.get(
        "/caseload.csv", params={"sort": "name", "dir": "desc", "bucket": "8–28"}
    ).text
    _, rows = read_csv(text)
    assert {r["contact_id"] for r in rows} == {
        m for m, r in oracle.caseload().items() if r["recency_bucket"] == "8–28"
    }
    names = [r["name"] for r in rows if r["name"]]
    assert names == sorted(names, reverse=True)


def test_sorting_and_paging_cover_every_row_once(client):
    whole = all_rows(client, "sessions")
    seen = []
    page = 1
    while True:
        document = client.get(
            "/api/sessions",
            params={"sort": "days_since", "dir": "desc", "per_page": 100, "page": page},
        ).json()
        if not document["rows"]:
            break
        seen += document["rows"]
        page += 1
    assert len(seen) == whole["total_rows"] > 100
    keys = [(r["conversation_id"], r["contact_id"]) for r in seen]
    assert len(set(keys)) == len(keys)
    days = [r["days_since"] for r in seen]
    assert days == sorted(days, reverse=True)


def test_sort_links_and_pager_on_the_page(client):
    html = client.get("/sessions", params={"per_page": 25}).text
    assert 'href="?per_page=25&amp;sort=days_since&amp;dir=asc"' in html
    assert 'rel="next"' in html and "page=2" in html
    sorted_page = client.get("/sessions", params={"sort": "days_since", "dir": "asc"}).text
    assert 'aria-sort="ascending"' in sorted_page


def test_member_page(client, oracle: Oracle):
    member = max(oracle.members, key=lambda m: len(oracle.sessions[m]))
    document = client.get(f"/api/members/{member}").json()
    assert {s["conversation_id"] for s in document["sessions"]} == {
        s.conversation_id for s in oracle.sessions[member]
    }
    statuses = {h["engagement_status"] for h in document["status_history"]}
    assert statuses == ({oracle.engagement_status(member)} - {None})
    assert {a["attribute"] for a in document["maintained_attributes"]} >= {
        "Engagement Status",
        "Last Coaching Session",
    }
    html = client.get(f"/members/{member}").text
    assert oracle.members[member]["name"].split()[0] in html
    # Every member name in a table links to the member's page.
    caseload = client.get("/caseload", params={"per_page": 250}).text
    assert f'href="/members/{member}"' in caseload


def test_data_quality_counts_by_kind(client, pipeline: Pipeline):
    document = all_rows(client, "data-quality")
    counted = Counter(r["issue_kind"] for r in document["rows"])
    assert cards(document) == {"issues": sum(counted.values()), **counted}
    planted = {kind for kind, where in pipeline.truth["manifest"]["dirty"].items() if where}
    assert planted - {"duplicate_looking_member"} <= set(counted)
    kind = counted.most_common(1)[0][0]
    assert all_rows(client, "data-quality", kind=kind)["total_rows"] == counted[kind]


def test_an_empty_result_says_so(client):
    html = client.get("/sessions", params={"from": "2020-01-01", "to": "2020-01-31"}).text
    assert "No coaching session matches these filters." in html


def test_the_engagement_export_csv_is_the_cli_export(client, pipeline: Pipeline, tmp_path):
    out = tmp_path / "export.csv"
    result = pipeline.coach("export", "engagement", "--status", "At Risk", "--out", str(out))
    assert result.exit_code == 0
    response = client.get("/exports/engagement.csv", params={"status": "at risk"})
    assert response.content == out.read_bytes()
