"""Every bad filter the CLI refuses is refused by the web app with the CLI's own one-line message:
on the page (HTTP 400, the form kept with the value typed), as the body of a 400 for the CSV, and
as `{"error": ...}` for the JSON. Never a traceback, never a silently widened filter."""

from __future__ import annotations

import html

import pytest

from tests.pipeline import Pipeline
from tests.reports.test_bad_input import BAD
from tests.web.conftest import error_text

# Where each CLI command lives on the web.
TABLES = {
    ("report", "caseload"): "caseload",
    ("report", "sessions"): "sessions",
    ("report", "participants"): "participants",
    ("report", "billing"): "billing",
    ("export", "billing"): "billing",
    ("export", "participants"): "participants",
    ("export", "engagement"): "exports/engagement",
}


def _web(args: tuple[str, ...]) -> tuple[str, list[tuple[str, str]]]:
    """The table and GET parameters of a CLI command (`--out FILE` has no web equivalent)."""
    table = TABLES[args[:2]]
    params: list[tuple[str, str]] = []
    rest = list(args[2:])
    while rest:
        option = rest.pop(0)
        if option == "--out":
            rest.pop(0)
            continue
        name = option.removeprefix("--")
        value = "1" if name == "previous" else rest.pop(0)
        params.append((name, value))
    return table, params


@pytest.mark.parametrize(("args", "fragment"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_the_cli_message_on_the_page_csv_and_json(
    client, pipeline: Pipeline, tmp_path, args, fragment
):
    cli_args = tuple(str(tmp_path / a) if a == "x.csv" else a for a in args)
    result = pipeline.coach(*cli_args)
    assert result.exit_code == 2
    message = result.output.strip().removeprefix("Error: ")
    table, params = _web(args)
    if table != "exports/engagement":
        page = client.get(f"/{table}", params=params)
        assert page.status_code == 400
        assert error_text(page.text) == message
        assert "Traceback" not in page.text
        # The form keeps what was typed, so it can be corrected.
        for name, value in params:
            if name not in ("previous",):
                assert f'value="{html.escape(value)}"' in page.text
        api = client.get(f"/api/{table}", params=params)
        assert api.status_code == 400 and api.json() == {"error": message}
    download = client.get(f"/{table}.csv", params=params)
    assert download.status_code == 400
    assert download.text == f"Error: {message}\n"
    assert fragment in message


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        (
            "/caseload",
            {"lookback": "many"},
            "Invalid value for '--lookback': 'many' is not a valid integer.",
        ),
        ("/caseload", {"employr": "Acme"}, "Unknown parameter 'employr' for this page"),
        ("/caseload", {"bucket": "9–10"}, "No recency bucket '9–10' (--bucket); known:"),
        ("/caseload", {"sort": "password"}, "Cannot sort by 'password'; columns:"),
        ("/caseload", {"dir": "up"}, "--dir must be asc or desc, got 'up'."),
        ("/caseload", {"page": "0"}, "--page must be 1 or more, got 0."),
        ("/sessions", {"per_page": "5000"}, "--per_page must be between 1 and 1000, got 5000."),
        ("/billing", {"cohort": "all"}, "--cohort must be one of new, engaged, both, got 'all'."),
        ("/billing", {"month": ["2026-05", "2026-06"]}, "Give --month once, got 2 values."),
        ("/engagement", {"days": "0"}, "--days must be between 1 and 365 days, got 0."),
        ("/data-quality", {"kind": "gossip"}, "No data-quality issue of kind 'gossip' (--kind)"),
        (
            "/participants",
            {"lookback": "366"},
            "--lookback must be between 1 and 365 days, got 366.",
        ),
    ],
)
def test_web_only_parameters_are_checked_too(client, path, params, message):
    page = client.get(path, params=params)
    assert page.status_code == 400
    assert error_text(page.text).startswith(message)
    assert '<form class="filters"' in page.text


def test_a_hostile_value_is_escaped_on_the_page(client):
    page = client.get("/caseload", params={"employer": "<script>alert(1)</script>"})
    assert page.status_code == 400
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
