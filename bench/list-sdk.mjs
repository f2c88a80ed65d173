// A bare listing with the AWS SDK for JavaScript v3: a ListObjectsV2 loop (1000 keys a page) over
// s3://BUCKET/PREFIX, printing the number of keys. The benchmark's baseline for incremental runs.
// Usage: node bench/list-sdk.mjs ENDPOINT BUCKET PREFIX   (keys in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

const [endpoint, bucket, prefix = ''] = process.argv.slice(2);
if (!endpoint || !bucket) {
  process.stderr.write('usage: node bench/list-sdk.mjs ENDPOINT BUCKET [PREFIX]\n');
  process.exit(2);
}
const s3 = new S3Client({
  endpoint, region: 'us-east-1', forcePathStyle: true,
  requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
});
let keys = 0;
let token;
do {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: 1000 }));
  keys += page.KeyCount ?? 0;
  token = page.NextContinuationToken;
} while (token);
process.stdout.write(`${keys}\n`);
