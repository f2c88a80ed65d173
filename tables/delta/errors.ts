/**
 * The errors of the Delta reader. Each says what is wrong with the table and, where one exists,
 * what the reader would need: a table is refused rather than read into wrong rows.
 */

/** The table's log or files are invalid, incomplete or inconsistent. */
export class DeltaTableError extends Error {
  override readonly name: string = 'DeltaTableError';
}

/** The table needs a reader feature (or protocol version, or type) this reader does not implement. */
export class DeltaUnsupportedFeatureError extends DeltaTableError {
  override readonly name = 'DeltaUnsupportedFeatureError';
  /**
   * @param feature the protocol's name for what is missing (`catalogManaged`, `readerVersion 4`, `type interval`)
   * @param detail where the table requires it
   */
  constructor(readonly feature: string, detail: string) {
    super(`the table needs the Delta reader feature "${feature}", which this reader does not implement (${detail}); it is refused rather than read wrong`);
  }
}

/** The requested version or timestamp is not in the table's history as kept in its log. */
export class DeltaVersionNotFoundError extends DeltaTableError {
  override readonly name = 'DeltaVersionNotFoundError';
}
