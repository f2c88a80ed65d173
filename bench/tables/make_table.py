"""Writes the Delta table of the tables benchmark with deltalake (the reference writer).

Usage: make_table.py OUT_DIR [ROWS] [COMMITS]

OUT_DIR/sales/: ROWS rows (2,000,000 by default) appended in COMMITS commits (4 by default),
partitioned by region (eu, us, asia, africa) and month (a date, the first of each month of 2024),
with deltalake's per-file statistics. Row i (ids are 2**53 + i, so ids beyond 2^53, increasing
with the commit):
    id      int64              2**53 + i
    amount  decimal(18,4)      random in [-10^6, 10^6), 4 fraction digits
    at      timestamp[us,UTC]  a random microsecond of the row's month
    name    string             "customer-<random 0..99999>", null for 5% of rows
    score   float64            random in [0, 1000)
    flag    bool               random
    region  string             random among the four (partition)
    month   date32             random month of 2024 (partition)
Random values come from numpy's generator seeded 17: the same table every run. `batch` also
gives the Iceberg table's rows (make_iceberg_table.py), so both formats hold the same rows.
"""
import datetime
import decimal
import os
import sys

import numpy as np
import pyarrow as pa
from deltalake import write_deltalake

REGIONS = np.array(["eu", "us", "asia", "africa"])


def batch(rng: np.random.Generator, start: int, count: int) -> pa.Table:
    month = rng.integers(1, 13, count)
    firsts = np.array([(datetime.date(2024, m, 1) - datetime.date(1970, 1, 1)).days for m in range(1, 13)] + [(datetime.date(2025, 1, 1) - datetime.date(1970, 1, 1)).days])
    days_in = firsts[month] - firsts[month - 1]
    micros = (firsts[month - 1].astype(np.int64) * 86_400_000_000) + (rng.random(count) * days_in * 86_400_000_000).astype(np.int64)
    names = np.char.add("customer-", rng.integers(0, 100_000, count).astype(str))
    name_mask = rng.random(count) < 0.05
    return pa.table({
        "id": pa.array(np.arange(start, start + count, dtype=np.int64) + 2**53),
        "amount": pa.array([decimal.Decimal(int(v)).scaleb(-4) for v in rng.integers(-10**10, 10**10, count)], pa.decimal128(18, 4)),
        "at": pa.array(micros, pa.timestamp("us", tz="UTC")),
        "name": pa.array(names, pa.string(), mask=name_mask),
        "score": pa.array(rng.random(count) * 1000),
        "flag": pa.array(rng.random(count) < 0.5),
        "region": pa.array(REGIONS[rng.integers(0, 4, count)]),
        "month": pa.array(firsts[month - 1].astype(np.int32), pa.int32()).cast(pa.date32()),
    })


def main() -> None:
    if len(sys.argv) not in (2, 3, 4):
        sys.exit("usage: make_table.py OUT_DIR [ROWS] [COMMITS]")
    out = os.path.join(sys.argv[1], "sales")
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000
    commits = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    rng = np.random.default_rng(17)
    per = rows // commits
    for c in range(commits):
        count = per if c < commits - 1 else rows - per * (commits - 1)
        write_deltalake(out, batch(rng, c * per, count), partition_by=["region", "month"], mode="append")


if __name__ == "__main__":
    main()
