import csv
import io
from zoneinfo import ZoneInfo

from output.writers import write_records


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised():
    rows = [{"contact_id": "c1", "current": '=HYPERLINK("x")', "desired": "@SUM(A1)", "n": -3}]
    out = io.StringIO()
    write_records(out, rows, ["contact_id", "current", "desired", "n"], ZoneInfo("UTC"), "csv")
    parsed = list(csv.reader(io.StringIO(out.getvalue())))
    assert parsed == [
        ["contact_id", "current", "desired", "n"],
        ["c1", '\'=HYPERLINK("x")', "'@SUM(A1)", "-3"],
    ]
