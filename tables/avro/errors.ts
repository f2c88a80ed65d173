/** The errors of the Avro reader: each names the file and what is wrong with it. */

/** An object container file that cannot be read: bad magic, a corrupt block, an unknown codec, a failed checksum. */
export class AvroFileError extends Error {
  override readonly name: string = 'AvroFileError';
}

/** A schema this reader cannot read, or a file whose schema does not resolve to the table's. */
export class AvroSchemaError extends AvroFileError {
  override readonly name = 'AvroSchemaError';
}
