/**
 * The AWS permissions the connector needs, and the IAM statement that grants each. Pure data,
 * shared by `check`, error messages and docs.
 */

/** An S3 permission the connector may need. */
export type S3Permission = 's3:ListBucket' | 's3:GetObject' | 's3:PutObject' | 's3:AbortMultipartUpload' | 's3:PutObjectAcl';

/** The IAM policy statement (Action, Resource, Effect) that grants `permission` on `bucket`. */
export function grantingStatement(permission: S3Permission, bucket: string): string {
  const resource = permission === 's3:ListBucket' ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/*`;
  return JSON.stringify({ Action: [permission], Resource: [resource], Effect: 'Allow' });
}

/** Which permission an S3 operation needs, for naming it in AccessDenied errors. */
export function permissionFor(operation: string): S3Permission | undefined {
  switch (operation) {
    case 'ListObjectsV2': case 'ListObjects': case 'HeadBucket': return 's3:ListBucket';
    case 'GetObject': case 'HeadObject': return 's3:GetObject';
    case 'PutObject': case 'CreateMultipartUpload': case 'UploadPart': case 'CompleteMultipartUpload': return 's3:PutObject';
    case 'AbortMultipartUpload': return 's3:AbortMultipartUpload';
    default: return undefined;
  }
}
