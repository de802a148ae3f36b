"""`coach report caseload|sessions|participants|billing`: numbers against the ground truth, every
filter, and the formats."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from tests.oracle import NO_SESSION_BUCKETS, RULES, Oracle, bucket
from tests.pipeline import Pipeline
from tests.reports.conftest import as_json, read_csv, run

CASELOAD_FIELDS = (
    "last_session_date",
    "days_since_last_session",
    "recency_bucket",
    "session_count",
    "channel_combination",
)


def caseload_rows(document) -> dict[str, dict]:
    return {r["contact_id"]: {k: r[k] for k in CASELOAD_FIELDS} for r in document["rows"]}


def test_caseload_default_window(pipeline: Pipeline, oracle: Oracle):
    document = as_json(pipeline, "caseload")
    expected = oracle.caseload()
    assert len(expected) > 20
    assert caseload_rows(document) == expected
    buckets = Counter(row["recency_bucket"] for row in expected.values())
    assert document["cards"] == {
        "members": len(expected),
        **{label: buckets[label] for label in ("≤7", "8–28", "29–56", ">56")},
    }


def test_caseload_matches_the_mart_at_the_builds_window(pipeline: Pipeline):
    """The filtered caseload is the group-by the mart documents: unfiltered, it is the mart."""
    document = as_json(pipeline, "caseload")
    with pipeline.connect() as con:
        cursor = con.execute("select * from caseload order by contact_id")
        columns = [d[0] for d in cursor.description]
        mart = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    assert list(document["rows"][0]) == columns
    reported = sorted(document["rows"], key=lambda r: r["contact_id"])
    for row, expected in zip(reported, mart, strict=True):
        expected["last_session_at"] = row["last_session_at"]  # compared as dates above
        expected["last_session_date"] = expected["last_session_date"].isoformat()
        assert row == expected


@pytest.mark.parametrize("lookback", [7, 28, 56])
def test_caseload_lookback(pipeline: Pipeline, oracle: Oracle, lookback: int):
    document = as_json(pipeline, "caseload", "--lookback", str(lookback))
    expected = oracle.caseload(lookback)
    assert expected
    assert caseload_rows(document) == expected
    assert document["filters"]["lookback"] == lookback


def test_caseload_by_coach_name_and_id(pipeline: Pipeline, oracle: Oracle):
    counts = Counter(oracle.coach_of[c] for c in oracle.coach_of if oracle.coach_of[c])
    coach_id = counts.most_common(1)[0][0]
    name = oracle.admins[coach_id]
    by_name = as_json(pipeline, "caseload", "--coach", name.upper(), "--lookback", "90")
    by_id = as_json(pipeline, "caseload", "--coach", coach_id, "--lookback", "90")
    expected = oracle.caseload(90, lambda m, c: c.coach_id == coach_id)
    assert expected
    assert caseload_rows(by_name) == caseload_rows(by_id) == expected
    assert {r["coach_names"] for r in by_id["rows"]} == {name}


def test_caseload_by_channels(pipeline: Pipeline, oracle: Oracle):
    document = as_json(pipeline, "caseload", "--channel", "phone", "--channel", "Video Conference")
    expected = oracle.caseload(keep=lambda m, c: c.session.channel in {"Phone", "Video Conference"})
    assert expected and caseload_rows(document) == expected


def test_caseload_by_employer_and_exclusion(pipeline: Pipeline, oracle: Oracle):
    employer = Counter(oracle.employer(m) for m in oracle.caseload()).most_common(1)[0][0]
    only = as_json(pipeline, "caseload", "--employer", employer)
    expected = {m: r for m, r in oracle.caseload().items() if oracle.employer(m) == employer}
    assert expected and caseload_rows(only) == expected
    without = as_json(pipeline, "caseload", "--exclude-employer", employer)
    # A member without an employer is no excluded one: kept.
    rest = {m: r for m, r in oracle.caseload().items() if oracle.employer(m) != employer}
    assert rest and caseload_rows(without) == rest


def test_caseload_table_has_cards_and_the_channel_breakdown(pipeline: Pipeline, oracle):
    output = run(pipeline, "report", "caseload", "--lookback", "28").stdout
    expected = oracle.caseload(28)
    assert "Caseload: members with a coaching session in the last 28 days" in output
    assert "members" in output and str(len(expected)) in output
    assert "Members by channel combination" in output
    some = next(iter(expected.values()))
    assert some["channel_combination"].split(" + ")[0] in output


def sessions_expected(oracle: Oracle, keep) -> set[tuple[str, str]]:
    return {
        (c.session.conversation_id, member)
        for member in oracle.members
        for c in oracle.coached(member)
        if keep(member, c)
    }


def session_keys(document) -> set[tuple[str, str]]:
    return {(r["conversation_id"], r["contact_id"]) for r in document["rows"]}


def test_sessions_default_window_and_cards(pipeline: Pipeline, oracle: Oracle):
    document = as_json(pipeline, "sessions")
    expected = sessions_expected(oracle, lambda m, c: oracle.days_since(c.session.day) <= 365)
    assert session_keys(document) == expected
    days = {c: oracle.days_since(s.session.day) for m in oracle.members for s in oracle.coached(m)
            for c in [s.session.conversation_id]}  # fmt: skip
    conversations = {c for c, _ in expected}
    cards = document["cards"]
    assert cards["sessions"] == len(conversations)
    assert cards["members"] == len({m for _, m in expected})
    for label, low, high in (("≤7", 0, 7), ("8–28", 8, 28), ("29–56", 29, 56)):
        assert cards[f"sessions {label} days"] == len(
            {c for c in conversations if low <= days[c] <= high}
        )
    assert any(cards[f"sessions {label} days"] for label in ("≤7", "8–28"))


def test_sessions_date_range_is_inclusive(pipeline: Pipeline, oracle: Oracle):
    first, last = date(2026, 5, 1), date(2026, 5, 31)
    document = as_json(pipeline, "sessions", "--from", "2026-05-01", "--to", "2026-05-31")
    expected = sessions_expected(oracle, lambda m, c: first <= c.session.day <= last)
    assert expected and session_keys(document) == expected
    assert {r["session_date"] for r in document["rows"]} <= {
        date.fromordinal(d).isoformat() for d in range(first.toordinal(), last.toordinal() + 1)
    }


def test_sessions_filters_combined(pipeline: Pipeline, oracle: Oracle):
    coach_id = next(c for c in oracle.coach_of.values() if c)
    document = as_json(
        pipeline, "sessions", "--lookback", "120", "--coach", coach_id, "--channel", "Email"
    )
    expected = sessions_expected(
        oracle,
        lambda m, c: (
            oracle.days_since(c.session.day) <= 120
            and c.coach_id == coach_id
            and c.session.channel == "Email"
        ),
    )
    assert session_keys(document) == expected


def participants_expected(oracle: Oracle, lookback: int = RULES.lookback_days) -> dict[str, tuple]:
    rows = {}
    for member in oracle.members:
        enrolled = oracle.enrolled(member)
        if enrolled is None or not 0 <= oracle.days_since(enrolled) <= lookback:
            continue
        sessions = oracle.sessions[member]
        last = max((s.day for s in sessions), default=None)
        without = oracle.days_since(last if last else enrolled)
        rows[member] = (enrolled.isoformat(), without, bucket(without, NO_SESSION_BUCKETS))
    return rows


def participant_rows(document) -> dict[str, tuple]:
    return {
        r["contact_id"]: (r["enrolled_date"], r["days_without_session"], r["no_session_bucket"])
        for r in document["rows"]
    }


def test_participants(pipeline: Pipeline, oracle: Oracle):
    document = as_json(pipeline, "participants")
    expected = participants_expected(oracle)
    assert len(expected) > 10 and participant_rows(document) == expected
    buckets = Counter(b for _, _, b in expected.values())
    assert document["cards"] == {
        "participants": len(expected),
        **{label: buckets[label] for label in ("≤14", "15–21", "22–28", ">28")},
    }


def test_participants_lookback_and_enrolled_range(pipeline: Pipeline, oracle: Oracle):
    short = as_json(pipeline, "participants", "--lookback", "60")
    assert participant_rows(short) == participants_expected(oracle, 60)
    ranged = as_json(pipeline, "participants", "--from", "2026-01-01", "--to", "2026-03-31")
    expected = {
        m: row
        for m, row in participants_expected(oracle).items()
        if "2026-01-01" <= row[0] <= "2026-03-31"
    }
    assert expected and participant_rows(ranged) == expected


def test_participants_by_coach_and_employer(pipeline: Pipeline, oracle: Oracle):
    everyone = as_json(pipeline, "participants")["rows"]
    coach_name = next(r["coach_name"] for r in everyone if r["coach_name"])
    by_coach = as_json(pipeline, "participants", "--coach", coach_name)
    # The coach of a participant is the coach of their latest coaching session.
    expected = set()
    for member in participants_expected(oracle):
        coached = oracle.coached(member)
        if coached:
            latest = max(coached, key=lambda c: (c.session.at, c.session.conversation_id))
            if latest.coach_id and oracle.admins[latest.coach_id] == coach_name:
                expected.add(member)
    assert expected and {r["contact_id"] for r in by_coach["rows"]} == expected
    employer = next(r["employer"] for r in everyone if r["employer"])
    by_employer = as_json(pipeline, "participants", "--employer", employer)
    assert {r["contact_id"] for r in by_employer["rows"]} == {
        m for m in participants_expected(oracle) if oracle.employer(m) == employer
    }


def billing_rows(document) -> dict[str, tuple[bool, bool]]:
    return {r["contact_id"]: (r["is_new_participant"], r["is_engaged"]) for r in document["rows"]}


@pytest.mark.parametrize(
    ("args", "month"),
    [((), "2026-06"), (("--previous",), "2026-05"), (("--month", "2026-03"), "2026-03")],
)
def test_billing_months(pipeline: Pipeline, oracle: Oracle, args, month: str):
    """The default month is the build's (as-of 2026-06-15); --previous the one before."""
    document = as_json(pipeline, "billing", *args)
    expected = oracle.billing(date.fromisoformat(f"{month}-01"))
    assert expected and billing_rows(document) == expected
    assert {r["month"] for r in document["rows"]} == {month}
    assert document["cards"] == {
        "billable members": len(expected),
        "new participants": sum(n for n, _ in expected.values()),
        "engaged": sum(e for _, e in expected.values()),
        "new and engaged": sum(n and e for n, e in expected.values()),
    }


def test_billing_employer_filters(pipeline: Pipeline, oracle: Oracle):
    cohort = oracle.billing(date(2026, 6, 1))
    employer = Counter(oracle.employer(m) for m in cohort).most_common(1)[0][0]
    only = as_json(pipeline, "billing", "--employer", employer)
    assert billing_rows(only) == {m: v for m, v in cohort.items() if oracle.employer(m) == employer}
    rest = as_json(pipeline, "billing", "--exclude-employer", employer)
    assert billing_rows(rest) == {m: v for m, v in cohort.items() if oracle.employer(m) != employer}


@pytest.mark.parametrize("name", ["caseload", "sessions", "participants", "billing"])
def test_csv_format_carries_the_json_rows(pipeline: Pipeline, name: str):
    document = as_json(pipeline, name)
    text = run(pipeline, "report", name, "--format", "csv").stdout
    header, rows = read_csv(text)
    assert header == list(document["rows"][0])
    assert [r["contact_id"] for r in rows] == [r["contact_id"] for r in document["rows"]]


def test_a_filter_matching_no_row_says_so(pipeline: Pipeline):
    result = run(pipeline, "report", "sessions", "--from", "2020-01-01", "--to", "2020-01-31")
    assert "No coaching session matches these filters." in result.stdout
