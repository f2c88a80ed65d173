"""DuckDB's side of the tables benchmark: one query on a Delta table in S3 (MinIO, through the
counting proxy), its rows written as JSON lines like `s3-connector tables read`.

Usage: duckdb_query.py ENDPOINT KEY_ID SECRET TABLE_URL OUT_FILE [PREDICATE]
  ENDPOINT host:port (plain HTTP, path-style). Prints one JSON object: rows, and seconds (the
  query alone, after the extensions loaded and the secret was made).
DuckDB reads the table with its delta extension (delta-kernel-rs) and httpfs; its filter
pushdown is on, as users get it.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "fixtures"))
from duckdb_offline import connect  # noqa: E402


def main() -> None:
    endpoint, key_id, secret, url, out = sys.argv[1:6]
    predicate = sys.argv[6] if len(sys.argv) > 6 and sys.argv[6] != "" else None
    con = connect("httpfs", "delta")
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"CREATE SECRET bench (TYPE S3, KEY_ID '{key_id}', SECRET '{secret}', REGION 'us-east-1', ENDPOINT '{endpoint}', URL_STYLE 'path', USE_SSL false)")
    where = f" WHERE {predicate}" if predicate else ""
    started = time.perf_counter()
    rows = con.execute(f"COPY (SELECT * FROM delta_scan('{url}'){where}) TO '{out}' (FORMAT json)").fetchone()[0]
    print(json.dumps({"rows": rows, "seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
