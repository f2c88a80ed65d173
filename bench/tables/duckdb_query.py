"""DuckDB's side of the tables benchmark: one query on a Delta or Iceberg table in S3 (MinIO,
through the counting proxy), its rows written as JSON lines like `s3-connector tables read`.

Usage: duckdb_query.py FORMAT ENDPOINT KEY_ID SECRET TABLE_URL OUT_FILE [PREDICATE]
  FORMAT delta (TABLE_URL: the table's folder, read with delta_scan: the delta extension,
  delta-kernel-rs) or iceberg (TABLE_URL: its current metadata.json, read with iceberg_scan: the
  iceberg extension). ENDPOINT host:port (plain HTTP, path-style). Prints one JSON object: rows,
  and seconds (the query alone, after the extensions loaded and the secret was made).
DuckDB reads the table through httpfs; its filter pushdown is on, as users get it.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "fixtures"))
from duckdb_offline import connect  # noqa: E402

SCANS = {"delta": ("delta_scan", ("httpfs", "delta")), "iceberg": ("iceberg_scan", ("httpfs", "avro", "iceberg"))}


def main() -> None:
    fmt, endpoint, key_id, secret, url, out = sys.argv[1:7]
    predicate = sys.argv[7] if len(sys.argv) > 7 and sys.argv[7] != "" else None
    if fmt not in SCANS:
        sys.exit(f"duckdb_query.py: FORMAT {fmt!r} is not one of {', '.join(SCANS)}")
    scan, extensions = SCANS[fmt]
    con = connect(*extensions)
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"CREATE SECRET bench (TYPE S3, KEY_ID '{key_id}', SECRET '{secret}', REGION 'us-east-1', ENDPOINT '{endpoint}', URL_STYLE 'path', USE_SSL false)")
    where = f" WHERE {predicate}" if predicate else ""
    started = time.perf_counter()
    rows = con.execute(f"COPY (SELECT * FROM {scan}('{url}'){where}) TO '{out}' (FORMAT json)").fetchone()[0]
    print(json.dumps({"rows": rows, "seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
