import duckdb
import orjson

from warehouse.raw_tables import create_raw_tables, land_records


def test_landing_is_lossless_and_idempotent():
    con = duckdb.connect()
    create_raw_tables(con)
    record = {
        "type": "contact",
        "id": "667d60a98a68186f43bafdb9",
        "updated_at": 1719492777,
        "name": "Zoë Ağaoğlu-Nguyễn",
        "custom_attributes": {"Enrolled Date": 1719446400, "Weight": 81.25, "Flag": None},
    }
    first = land_records(con, "contacts", [record, dict(record)], run_id="r1")
    assert (first.received, first.new) == (2, 1)
    again = land_records(con, "contacts", [record], run_id="r2")
    assert again.new == 0
    changed = dict(record, updated_at=1719492999)
    assert land_records(con, "contacts", [changed], run_id="r3").new == 1
    rows = con.execute(
        "select id, updated_at, record, run_id from raw.intercom_contacts order by updated_at"
    ).fetchall()
    assert [r[1] for r in rows] == [1719492777, 1719492999]
    assert orjson.loads(rows[0][2]) == record
    assert list(orjson.loads(rows[0][2])) == list(record)
    assert rows[0][3] == "r1"


def test_data_attribute_ids_and_missing_updated_at():
    con = duckdb.connect()
    create_raw_tables(con)
    land_records(
        con, "data_attributes", [{"model": "contact", "name": "Enrolled Date"}], run_id="r"
    )
    land_records(con, "admins", [{"type": "admin", "id": "991267553"}], run_id="r")
    assert con.execute("select id, updated_at from raw.intercom_data_attributes").fetchall() == [
        ("contact.Enrolled Date", None)
    ]
    assert con.execute("select id from raw.intercom_admins").fetchall() == [("991267553",)]


def _primary_keys(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            "select table_name from duckdb_constraints() where schema_name = 'raw'"
            " and constraint_type = 'PRIMARY KEY'"
        ).fetchall()
    ]


def test_raw_tables_have_no_key_index():
    """A key's index must stay in memory while rows go in, so landing into a big table ran out
    of memory (issue 16): the landing itself keeps (id, record_hash) unique."""
    con = duckdb.connect()
    create_raw_tables(con)
    assert _primary_keys(con) == []


def test_a_warehouse_made_with_the_keyed_layout_is_rebuilt_without_losing_a_row(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema raw")
    con.execute(
        """create table raw.intercom_conversations (
            id varchar not null, updated_at bigint, record json not null,
            record_hash varchar not null, run_id varchar not null,
            loaded_at timestamptz not null, primary key (id, record_hash))"""
    )
    versions = [
        {"id": str(i), "updated_at": 1719492777 + v, "v": v} for i in range(50) for v in (0, 1)
    ]
    land_records(con, "conversations", versions, run_id="old")
    before = con.execute("select * from raw.intercom_conversations order by all").fetchall()
    con.close()

    con = duckdb.connect(str(path))
    create_raw_tables(con)
    assert _primary_keys(con) == []
    assert con.execute("select * from raw.intercom_conversations order by all").fetchall() == before
    assert land_records(con, "conversations", versions, run_id="again").new == 0
    changed = dict(versions[0], v=2)
    assert land_records(con, "conversations", [changed, changed], run_id="new").new == 1
    create_raw_tables(con)  # a second call finds nothing to do
    assert con.execute("select count(*) from raw.intercom_conversations").fetchone()[0] == 101
