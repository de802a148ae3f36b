"""The product's side of a report view: open the published warehouse read-only, run the caseload
query, fetch every row, close. Benchmark harness only.

The reports package (`coach report caseload`) is being written in parallel; until it lands this
queries the `caseload` mart directly: every member with a coaching session in the last N days
(N ≤ the mart's lookback_days, 365), with the mart's columns.

Run as `python -m bench.report_query --warehouse PATH --lookback N --repetitions R`; prints one
JSON object with the seconds of each repetition, the rows, and its own peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections import Counter

import duckdb

CASELOAD_SQL = """
select *
from caseload
where days_since_last_session <= ?
order by days_since_last_session, contact_id
"""


def view(warehouse: str, lookback: int) -> list[tuple]:
    with duckdb.connect(warehouse, read_only=True) as con:
        return con.execute(CASELOAD_SQL, [lookback]).fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", required=True)
    parser.add_argument("--lookback", type=int, required=True)
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args()
    view(args.warehouse, args.lookback)  # warm: the first open reads the file into the OS cache
    seconds, rows = [], []
    for _ in range(args.repetitions):
        started = time.perf_counter()
        rows = view(args.warehouse, args.lookback)
        seconds.append(round(time.perf_counter() - started, 5))
    with duckdb.connect(args.warehouse, read_only=True) as con:
        columns = [c[0] for c in con.execute(CASELOAD_SQL, [0]).description]
    bucket = columns.index("recency_bucket")
    print(
        json.dumps(
            {
                "seconds": seconds,
                "members": len(rows),
                "buckets": dict(Counter(row[bucket] for row in rows)),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
