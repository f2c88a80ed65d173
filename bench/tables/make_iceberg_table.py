"""Writes the Iceberg table of the tables benchmark with pyiceberg (the reference writer), straight
into S3 (the bench's MinIO): the same rows as the Delta table (make_table.py's `batch`, seeded 17).

Usage: make_iceberg_table.py CATALOG_DB WAREHOUSE_URL TABLE_URL [ROWS] [COMMITS]
  with S3_ENDPOINT (http://host:port), AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set.

A SqlCatalog on sqlite (CATALOG_DB) holds table `bench.sales` at TABLE_URL (s3://bucket/prefix),
format version 2, partitioned by identity(region) and month(at) (4 × 12 partitions, the Delta
table's region/month split through a transform), ROWS rows appended in COMMITS appends (one
snapshot and one data file per partition each). Manifests are written with deflate (pyiceberg
0.12's default, set explicitly): DuckDB 1.5.5's iceberg extension refuses zstandard manifests
("File header contains an unknown codec"). Data files are pyiceberg's default Parquet (zstd).
Prints one JSON object: the current metadata file's URL (`metadata`) and the snapshot count.
"""
import json
import os
import sys

import numpy as np
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.transforms import IdentityTransform, MonthTransform

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_table import batch  # noqa: E402


def main() -> None:
    if len(sys.argv) not in (4, 5, 6):
        sys.exit("usage: make_iceberg_table.py CATALOG_DB WAREHOUSE_URL TABLE_URL [ROWS] [COMMITS]")
    catalog_db, warehouse, location = sys.argv[1:4]
    rows = int(sys.argv[4]) if len(sys.argv) > 4 else 2_000_000
    commits = int(sys.argv[5]) if len(sys.argv) > 5 else 4
    catalog = SqlCatalog("bench", **{
        "uri": f"sqlite:///{catalog_db}",
        "warehouse": warehouse,
        "s3.endpoint": os.environ["S3_ENDPOINT"],
        "s3.access-key-id": os.environ["AWS_ACCESS_KEY_ID"],
        "s3.secret-access-key": os.environ["AWS_SECRET_ACCESS_KEY"],
        "s3.region": "us-east-1",
        "s3.path-style-access": "true",
    })
    catalog.create_namespace_if_not_exists("bench")
    rng = np.random.default_rng(17)
    per = rows // commits
    table = None
    for c in range(commits):
        count = per if c < commits - 1 else rows - per * (commits - 1)
        data = batch(rng, c * per, count)
        if table is None:
            table = catalog.create_table("bench.sales", schema=data.schema, location=location, properties={
                "format-version": "2", "write.avro.compression-codec": "deflate",
            })
            with table.update_spec() as spec:
                spec.add_field("region", IdentityTransform(), "region")
                spec.add_field("at", MonthTransform(), "at_month")
        table.append(data)
    table = catalog.load_table("bench.sales")
    print(json.dumps({"metadata": table.metadata_location, "snapshots": len(table.metadata.snapshots)}))


if __name__ == "__main__":
    main()
