"""The foundation's own guarantees: configuration errors, secrets, owner-only atomic files, lock."""

import os
import stat

import pytest
from click.testing import CliRunner

from cli import main
from warehouse.config import Secret, intercom_settings, warehouse_path
from warehouse.errors import CoachError, ConfigError, UsageError
from warehouse.files import atomic_private_file
from warehouse.store import WarehousePaths, connect_working, pipeline_lock, publish


def test_secret_never_prints():
    secret = Secret("tok-123")
    assert "tok-123" not in repr(secret)
    assert "tok-123" not in f"{secret}"
    assert secret.reveal() == "tok-123"


def test_missing_token_is_one_sentence():
    settings = intercom_settings({})
    with pytest.raises(ConfigError, match="INTERCOM_ACCESS_TOKEN"):
        settings.require_token()


@pytest.mark.parametrize("base", ["ftp://x", "api.intercom.io", ""])
def test_bad_api_base_rejected(base):
    if base == "":
        assert intercom_settings({"INTERCOM_API_BASE": base}).api_base == "https://api.intercom.io"
        return
    with pytest.raises(ConfigError, match="INTERCOM_API_BASE"):
        intercom_settings({"INTERCOM_API_BASE": base})


def test_eu_host_and_version():
    settings = intercom_settings(
        {"INTERCOM_API_BASE": "https://api.eu.intercom.io/", "INTERCOM_ACCESS_TOKEN": "t"}
    )
    assert settings.api_base == "https://api.eu.intercom.io"
    assert settings.version == "2.11"
    with pytest.raises(ConfigError, match="INTERCOM_VERSION"):
        intercom_settings({"INTERCOM_VERSION": "1.0"})


def test_warehouse_path_precedence(tmp_path):
    assert str(warehouse_path(None, {})) == "data/warehouse.duckdb"
    assert warehouse_path(None, {"COACH_WAREHOUSE": "x.duckdb"}).name == "x.duckdb"
    assert warehouse_path("y.duckdb", {"COACH_WAREHOUSE": "x.duckdb"}).name == "y.duckdb"
    with pytest.raises(ConfigError, match="directory"):
        warehouse_path(str(tmp_path), {})
    with pytest.raises(ConfigError, match="clashes with the schema 'raw'"):
        warehouse_path("data/raw.duckdb", {})


def test_atomic_private_file_refuses_overwrite_and_is_owner_only(tmp_path):
    target = tmp_path / "out" / "report.csv"
    with atomic_private_file(target) as handle:
        handle.write("a,b\n")
    assert target.read_text() == "a,b\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    with pytest.raises(UsageError, match="--force"), atomic_private_file(target) as handle:
        handle.write("never")
    assert target.read_text() == "a,b\n"
    with atomic_private_file(target, force=True) as handle:
        handle.write("c,d\n")
    assert target.read_text() == "c,d\n"


def test_atomic_private_file_leaves_target_untouched_on_error(tmp_path):
    target = tmp_path / "report.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_private_file(target, force=True) as handle:
        handle.write("half")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv"]


def test_second_writer_gets_clear_error(tmp_path):
    paths = WarehousePaths(tmp_path / "w.duckdb")
    with (
        pipeline_lock(paths),
        pytest.raises(CoachError, match="Another coach command"),
        pipeline_lock(paths),
    ):
        pass


def test_publish_while_a_reader_holds_the_old_copy(tmp_path):
    import duckdb

    paths = WarehousePaths(tmp_path / "w.duckdb")
    with pipeline_lock(paths):
        con = connect_working(paths)
        con.execute("create table t as select 1 as v")
        con.close()
        publish(paths)
    reader = duckdb.connect(str(paths.published), read_only=True)
    with pipeline_lock(paths):
        con = connect_working(paths)
        con.execute("update t set v = 2")
        con.close()
        publish(paths)
    assert reader.execute("select v from t").fetchone() == (1,)
    reader.close()
    fresh = duckdb.connect(str(paths.published), read_only=True)
    assert fresh.execute("select v from t").fetchone() == (2,)
    fresh.close()
    for path in (paths.published, paths.working):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_cli_help_and_error_line():
    runner = CliRunner()
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "emulator" in result.output
