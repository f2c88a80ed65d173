"""Checks that s3-connector and DuckDB returned the same rows for a query of the tables benchmark.

Usage: same_rows.py CONNECTOR_JSONL DUCKDB_JSONL
Both files are read by DuckDB with the bench table's column types (so `"9007199254740993"` and
9007199254740993, a decimal's text and number, and each tool's timestamp text compare as values),
then each side's rows that the other lacks are counted (EXCEPT ALL, so duplicates count).
Prints one JSON object: rows on each side and the differing rows; exits 1 if any differ.
"""
import json
import sys

import duckdb

COLUMNS = "{'id': 'BIGINT', 'amount': 'DECIMAL(18,4)', 'at': 'TIMESTAMPTZ', 'name': 'VARCHAR', 'score': 'DOUBLE', 'flag': 'BOOLEAN', 'region': 'VARCHAR', 'month': 'DATE'}"


def main() -> None:
    connector, duck = sys.argv[1:3]
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for name, path in (("a", connector), ("b", duck)):
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_json('{path}', format = 'newline_delimited', columns = {COLUMNS})")
    counts = {name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in ("a", "b")}
    only_a = con.execute("SELECT count(*) FROM (SELECT * FROM a EXCEPT ALL SELECT * FROM b)").fetchone()[0]
    only_b = con.execute("SELECT count(*) FROM (SELECT * FROM b EXCEPT ALL SELECT * FROM a)").fetchone()[0]
    # The timestamp as text: fetching a TIMESTAMPTZ into Python needs pytz, which the venv lacks.
    sample = con.execute('SELECT * REPLACE (CAST("at" AS VARCHAR) AS "at") FROM (SELECT * FROM a EXCEPT ALL SELECT * FROM b) ORDER BY id LIMIT 3').fetchall()
    print(json.dumps({"connectorRows": counts["a"], "duckdbRows": counts["b"], "onlyConnector": only_a, "onlyDuckdb": only_b, "sample": [str(r) for r in sample]}))
    sys.exit(0 if only_a == 0 and only_b == 0 and counts["a"] == counts["b"] else 1)


if __name__ == "__main__":
    main()
