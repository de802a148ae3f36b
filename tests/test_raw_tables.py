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
