"""What a DuckDB build leaves out when the last successful build was of the project as it is now.

dbt's cost per node and per artifact is fixed, whatever the rows, so a small incremental build
is mostly that cost: leaving out what cannot have changed is what keeps a `coach run` every few
minutes cheap (issue 15).

* Unit tests check the project's code on fixed rows, not the data: a scheduled run (`coach run`)
  leaves them out while the project is the one whose last build ran them.
* Seeds: the last build loaded them from the same files (the project fingerprint covers seeds/).
* Tests tagged `whole_tables` read every row whatever changed: a build whose tests read only the
  rows it rewrote leaves them to the next full build or the first build of an as-of date
  (dbt_project/macros/tests_of_rewritten_rows.sql).
* dbt's JSON artifacts: the manifest (written twice by every invocation, ~0.4 s each at this
  project's size) is the last build's, node for node; `warehouse.dbt.run_dbt` writes the
  run results itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from warehouse import build_state

NO_ARTIFACTS = "--no-write-json"


def left_out(
    target: str,
    stored: tuple | None,
    since: Mapping | None,
    *,
    scheduled: bool,
    manifest: Path,
) -> tuple[str, ...]:
    """The dbt arguments of a build. `since`: the incremental build's changes
    (`build_state.changed_since`, None for a full build, which is only ever of another project
    or another raw state); `manifest`: where the last build left its manifest."""
    resource_types: list[str] = []
    if scheduled and target == "duckdb" and build_state.same_project(stored):
        resource_types.append("unit_test")
    if since is not None:  # same project as the last successful build
        resource_types.append("seed")
    args: tuple[str, ...] = ()
    if resource_types:
        args += ("--exclude-resource-type", *resource_types)
    if since and since.get("same_as_of"):
        args += ("--exclude", "tag:whole_tables")
    if since is not None and manifest.is_file():
        args += (NO_ARTIFACTS,)
    return args
