"""The home page: pipeline health with its warning, the glossary from its one source, links."""

from __future__ import annotations

import html

from tests.pipeline import Pipeline
from tests.warehouse_copy import copy_warehouse
from tests.web.conftest import logged_in
from warehouse.glossary import GLOSSARY_FILE, glossary_terms
from warehouse.store import connect_working, pipeline_lock, publish
from web.app import create_app
from web.navigation import NAVIGATION
from web.settings import WebSettings

WARNING = "The data may be out of date."


def test_fresh_data_has_no_warning(client):
    page = client.get("/").text
    assert WARNING not in page
    assert "completed, ended" in page
    assert client.get("/api/health").json()["warning"] is None
    for path, label in NAVIGATION[1:]:
        assert f'<a href="{path}">{label}</a>' in page


def test_an_old_ingest_is_a_visible_warning(pipeline: Pipeline, access):
    app = create_app(pipeline.paths, access, WebSettings(max_ingest_age_hours=0.0001))
    with logged_in(app, "admin") as client:
        page = client.get("/").text
        assert WARNING in page and 'role="alert"' in page
        assert "more than the 0.0001 hours allowed" in html.unescape(page)
        assert "more than the 0.0001 hours" in client.get("/api/health").json()["warning"]


def test_a_failed_ingest_is_a_visible_warning(pipeline: Pipeline, access, tmp_path):
    paths = copy_warehouse(pipeline.paths, tmp_path / "w")
    with pipeline_lock(paths):
        con = connect_working(paths)
        con.execute(
            "update ingest.run_log set outcome = 'failed', error = 'HTTP 500 from Intercom' "
            "where stream = 'contacts'"
        )
        con.close()
        publish(paths)
    with logged_in(create_app(paths, access), "admin") as client:
        page = html.unescape(client.get("/").text)
    assert WARNING in page
    assert "did not complete: contacts failed" in page
    assert "HTTP 500 from Intercom" in page


def test_the_glossary_is_rendered_from_its_one_source(client):
    page = html.unescape(client.get("/").text)
    terms = glossary_terms(GLOSSARY_FILE.read_text(encoding="utf-8"))
    assert len(terms) > 10
    for _, text in terms:
        title = text.split("**")[1]
        assert f"<strong>{title}</strong>" in page
    assert "**" not in page  # bold marks became <strong>, escaped text otherwise
