"""`coach docs`: the dbt docs site (models, columns, lineage, glossary), generated and served on
localhost."""

from __future__ import annotations

import functools
import http.server
from collections.abc import Callable
from pathlib import Path

from warehouse import dbt
from warehouse.errors import CoachError
from warehouse.store import WarehousePaths


def generate_docs(paths: WarehousePaths) -> Path:
    """`dbt docs generate` against the published warehouse, opened read-only like any reader:
    it takes no lock and never holds the working file, so the pipeline runs on meanwhile.
    Returns the site's directory."""
    if not paths.published.exists():
        raise CoachError(
            f"No warehouse at {paths.published} yet; run `coach run` (or `make demo`) first."
        )
    dbt.run_dbt("docs generate", paths, target="duckdb_read_only")
    site = dbt.artifacts_dir(paths, "duckdb_read_only", None).resolve() / "target"
    if not (site / "index.html").exists():
        raise CoachError(f"dbt docs generate wrote no index.html in {site}.")
    return site


def serve_docs(site: Path, port: int, echo: Callable[[str], None]) -> None:
    """Serve `site` on 127.0.0.1 only (the catalog names every column) until interrupted."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        echo(f"Serving the docs at http://127.0.0.1:{server.server_port}/ (Ctrl-C stops)")
        server.serve_forever()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass
