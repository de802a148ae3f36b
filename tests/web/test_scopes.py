"""Scoped viewers see exactly their members, by every route of the app (enumerated from its
route table), whatever they type into the URL; the expected members come from the oracle."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from tests.oracle import Oracle
from tests.pipeline import Pipeline
from tests.web.conftest import ACCOUNT_ROUTES, all_rows, cards, logged_in, read_csv, route_paths
from web.app import create_app
from web.pages import EXPORT, PAGES

TABLES = [page.name for page in PAGES] + [EXPORT.name]


def _employers(oracle: Oracle) -> list[str]:
    counted = Counter(oracle.employer(m) for m in oracle.members if oracle.employer(m))
    return [e for e, _ in counted.most_common()]


def _coaches(oracle: Oracle) -> list[str]:
    counted = Counter(
        s.coach_id for m in oracle.members for s in oracle.coached(m) if s.coach_id is not None
    )
    return [c for c, _ in counted.most_common()]


def in_scope(oracle: Oracle, employers=(), coaches=()) -> set[str]:
    """The members a viewer of `employers` and/or `coaches` may see, by the oracle: their Employer
    is one of the employers (if given) and one of the coaches coached them (if given)."""
    found = set()
    for member in oracle.members:
        if employers and oracle.employer(member) not in employers:
            continue
        if coaches and not {s.coach_id for s in oracle.coached(member)} & set(coaches):
            continue
        found.add(member)
    return found


@pytest.fixture(scope="module")
def scoped(pipeline: Pipeline, oracle: Oracle, access):
    """Three viewers: one employer, one coach, and an employer and a coach together."""
    employer, other = _employers(oracle)[:2]
    coach = _coaches(oracle)[0]
    viewers = {
        "viewer-employer": ((employer,), ()),
        "viewer-coach": ((), (coach,)),
        "viewer-both": ((other,), (coach,)),
    }
    for name, (employers, coaches) in viewers.items():
        if access.users.find(name) is None:
            access.users.add(name, "viewer", "Pencil-Harbor-Quartz-91", employers, coaches)
    app = create_app(pipeline.paths, access)
    return {
        name: (logged_in(app, name), in_scope(oracle, employers, coaches), employers, coaches)
        for name, (employers, coaches) in viewers.items()
    }


def test_the_scopes_are_not_trivial(scoped, oracle: Oracle):
    sizes = {name: len(members) for name, (_, members, _, _) in scoped.items()}
    assert all(0 < n < len(oracle.members) for n in sizes.values()), sizes
    assert sizes["viewer-both"] < sizes["viewer-coach"]  # both kinds narrow; neither widens


def member_of(oracle: Oracle):
    """The member a row is about: its contact_id, or (the engagement export, which names members
    by their external id only) the member of that external id."""
    by_external = {
        r.get("external_id"): m for m, r in oracle.members.items() if r.get("external_id")
    }

    def member(row: dict) -> str | None:
        if "contact_id" in row:
            return row["contact_id"]
        return by_external[row["employee_id"]]

    return member


@pytest.mark.parametrize("name", ["viewer-employer", "viewer-coach", "viewer-both"])
def test_every_table_holds_exactly_the_in_scope_rows(scoped, client, oracle: Oracle, name):
    """Every table's JSON and CSV: the admin's rows restricted to the oracle's in-scope members,
    row for row, and nothing else."""
    viewer, members, _, _ = scoped[name]
    member = member_of(oracle)
    for table in TABLES:
        everyone = all_rows(client, table)["rows"]
        expected = [r for r in everyone if member(r) in members]
        assert expected or table == "engagement", table
        document = all_rows(viewer, table)
        assert document["rows"] == expected, table
        _, csv_rows = read_csv(viewer.get(f"/{table}.csv").text)
        assert [member(r) for r in csv_rows] == [member(r) for r in expected], table


def test_caseload_and_billing_of_a_scope_are_the_oracles(scoped, oracle: Oracle):
    viewer, members, _, _ = scoped["viewer-employer"]
    caseload = all_rows(viewer, "caseload", lookback=90)
    expected = {m: r for m, r in oracle.caseload(90).items() if m in members}
    assert expected
    assert {r["contact_id"]: r["session_count"] for r in caseload["rows"]} == {
        m: r["session_count"] for m, r in expected.items()
    }
    assert cards(caseload)["members"] == len(expected)
    assert sum(p["value"] for p in caseload["charts"][0]["points"]) == len(expected)
    cohort = {m: v for m, v in oracle.billing(date(2026, 6, 1)).items() if m in members}
    billing = all_rows(viewer, "billing")
    assert {r["contact_id"] for r in billing["rows"]} == set(cohort)
    assert cards(billing)["billable members"] == len(cohort)


def test_member_pages_outside_the_scope_are_not_found(scoped, oracle: Oracle):
    viewer, members, _, _ = scoped["viewer-coach"]
    inside = sorted(members)[0]
    outside = sorted(set(oracle.members) - members)[:5]
    assert viewer.get(f"/members/{inside}").status_code == 200
    assert viewer.get(f"/api/members/{inside}").json()["member"]["contact_id"] == inside
    for member in outside:
        assert viewer.get(f"/members/{member}").status_code == 404
        response = viewer.get(f"/api/members/{member}")
        assert response.status_code == 404 and member not in response.text


def test_tampered_filters_never_widen_the_scope(scoped, oracle: Oracle):
    """Another employer or coach in the filter, in pages, CSV and JSON: an empty or refused
    answer, never a row outside the scope."""
    viewer, members, _, _ = scoped["viewer-employer"]
    member = member_of(oracle)
    other_employer = _employers(oracle)[1]
    other_coach = _coaches(oracle)[-1]
    tampered = [
        {"employer": other_employer},
        {"exclude-employer": _employers(oracle)[0]},
        {"coach": other_coach},
        {"employer": other_employer, "coach": other_coach},
        {"employer": ["", other_employer]},
    ]
    for table in TABLES:
        for params in tampered:
            response = viewer.get(f"/api/{table}", params={**params, "per_page": 1000})
            assert response.status_code in (200, 400), (table, params)
            if response.status_code == 200:
                assert {member(r) for r in response.json()["rows"]} <= members
            csv_response = viewer.get(f"/{table}.csv", params=params)
            if csv_response.status_code == 200:
                _, rows = read_csv(csv_response.text)
                assert {member(r) for r in rows} <= members
            page = viewer.get(f"/{table}", params=params)
            for outside in set(oracle.members) - members:
                assert f"/members/{outside}" not in page.text


def test_the_forms_offer_the_scope_only(scoped, oracle: Oracle):
    viewer, _, employers, _ = scoped["viewer-employer"]
    page = viewer.get("/caseload").text
    assert f'value="{employers[0]}"' in page
    for other in _employers(oracle)[1:]:
        assert f'value="{other}"' not in page
    assert "sees employers " + employers[0] + " only" in page  # the scope is said on the page


def test_viewers_do_not_see_the_writeback_page(scoped, client):
    viewer, _, _, _ = scoped["viewer-employer"]
    assert 'href="/writeback"' not in viewer.get("/").text
    assert 'href="/writeback"' in client.get("/").text
    writeback = [p for n, p in route_paths() if "writeback" in n]
    assert len(writeback) >= 4
    for path in writeback:
        response = viewer.get(path)
        assert response.status_code == 403, path
        assert "plan" not in response.text.lower()
        assert client.get(path).status_code == 200


def test_every_data_route_is_scoped(scoped):
    """A guard against a route added later without scoping: every route that returns member rows
    is covered above (the tables, their CSV and JSON, the member page) or is admin-only."""
    covered = {"home", "api:health", "favicon", "member", "api:member", *ACCOUNT_ROUTES}
    for name, _ in route_paths():
        _, _, table = name.partition(":")
        assert name in covered or table in TABLES or "writeback" in name, name
