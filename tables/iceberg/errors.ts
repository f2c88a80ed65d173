/**
 * The errors of the Iceberg reader. Each names the table file and what is wrong; a table that
 * needs something this reader does not read is refused by name, never read into wrong rows.
 */

/** The table's metadata, manifests or files are invalid, incomplete or inconsistent. */
export class IcebergTableError extends Error {
  override readonly name: string = 'IcebergTableError';
}

/** The table needs a feature (a format version, a type, a file format) this reader does not implement. */
export class IcebergUnsupportedError extends IcebergTableError {
  override readonly name = 'IcebergUnsupportedError';
  /**
   * @param feature what is missing, as the specification names it (`format-version 3`, `type variant`, `ORC data files`)
   * @param detail where the table needs it
   */
  constructor(readonly feature: string, detail: string) {
    super(`the Iceberg table needs ${feature}, which this reader does not read (${detail}); it is refused rather than read wrong`);
  }
}

/** The snapshot, ref or time asked for is not in the table's metadata. */
export class IcebergSnapshotNotFoundError extends IcebergTableError {
  override readonly name = 'IcebergSnapshotNotFoundError';
}
