/**
 * Failures of an Iceberg catalog, classified where they are born: a table that is not there, a
 * refused token, a table that is not Iceberg, a bad reply are permanent; a catalog that is down
 * or overloaded (5xx, 429, network) is transient and worth retrying. Messages name the catalog
 * (its config field), the identifier and the fix, never a token or a vended credential.
 */
import { S3OperationError } from '../../s3/errors';

/** Why a catalog request failed. */
export type CatalogErrorCode =
  | 'CatalogNoSuchTable' | 'CatalogNoSuchNamespace' | 'CatalogUnauthorized' | 'CatalogNotIceberg'
  | 'CatalogBadReply' | 'CatalogUnavailable' | 'CatalogBadIdentifier';

/**
 * A catalog failure. It is an {@link S3OperationError} so that workers retry the transient ones
 * and fail the others at once, as for the store itself (worker/failure-interceptor.ts).
 */
export class CatalogError extends S3OperationError {
  override name = 'CatalogError';
  constructor(readonly catalogCode: CatalogErrorCode, message: string, status?: number) {
    super(catalogCode === 'CatalogUnavailable' ? 'transient' : 'permanent', catalogCode, message, status);
  }
}
