import { sourceCheck } from '../../syncs/object-copy';

const single = '"95a11d271506ecd3ca06604eb330c00a"';
const multipart = '"95a11d271506ecd3ca06604eb330c00a-3"';
const layout = { count: 3, sizes: [5 * 1024 * 1024], exact: false };
const headers = (h: Record<string, string>) => (name: string) => h[name];
const kms = { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:us-east-1:1:key/k' };
const ssec = { 'x-amz-server-side-encryption-customer-algorithm': 'AES256' };

describe('the check a copied object is verified by', () => {
  it('prefers a full-object checksum, then the single-part ETag', () => {
    expect(sourceCheck(single, headers({ 'x-amz-checksum-sha256': 'j3bUETMPwGsLKfBJwDdFzHQ75OJEtl1H2cKwocX6dvk=' }), undefined).kind).toBe('sha256');
    expect(sourceCheck(multipart, headers({ 'x-amz-checksum-crc32': 'r0sbug==', 'x-amz-checksum-type': 'FULL_OBJECT' }), layout)).toMatchObject({ kind: 'crc32', expected: 'af4b1bba' });
    expect(sourceCheck(single, headers({ 'x-amz-checksum-sha1': 'YPWohYr68+qefR+ByPAtFzySlmw=' }), undefined).kind).toBe('sha1');
    expect(sourceCheck(single, headers({ 'x-amz-checksum-crc32c': 'MUKeQw==' }), undefined).kind).toBe('md5-etag');
    expect(sourceCheck(single, headers({ 'x-amz-checksum-crc32c': 'MUKeQw==', ...kms }), undefined).kind).toBe('crc32c');
    expect(sourceCheck(multipart, headers({ 'x-amz-checksum-crc64nvme': 'CT4RkMse3SU=' }), layout).kind).toBe('crc64nvme');
  });

  it('checks a multipart object part by part: its composite checksum, else its ETag, with the parts\' layout', () => {
    expect(sourceCheck(multipart, headers({ 'x-amz-checksum-crc32': 'VmP3qA==-3', 'x-amz-checksum-type': 'COMPOSITE' }), layout))
      .toMatchObject({ kind: 'composite-crc32', expected: '5663f7a8-3', digests: { parts: { algorithm: 'crc32', sizes: layout.sizes } } });
    // A composite value without `-<parts>` is taken as one when the store says COMPOSITE.
    expect(sourceCheck(multipart, headers({ 'x-amz-checksum-sha256': 'j3bUETMPwGsLKfBJwDdFzHQ75OJEtl1H2cKwocX6dvk=', 'x-amz-checksum-type': 'COMPOSITE' }), layout).kind)
      .toBe('composite-sha256');
    // SSE-KMS: the ETag is no MD5, a composite checksum still is what it says.
    expect(sourceCheck(multipart, headers({ 'x-amz-checksum-crc32c': '0IMzhQ==-3', ...kms }), layout).kind).toBe('composite-crc32c');
    expect(sourceCheck(multipart, headers({}), layout))
      .toMatchObject({ kind: 'multipart-md5-etag', expected: '95a11d271506ecd3ca06604eb330c00a-3', digests: { parts: { algorithm: 'md5' } } });
  });

  it('falls back to the size only where the store gives nothing else', () => {
    expect(sourceCheck(multipart, headers(kms), layout).kind).toBe('size-only');
    expect(sourceCheck(multipart, headers(ssec), layout).kind).toBe('size-only');
    expect(sourceCheck(single, headers(kms), undefined).kind).toBe('size-only');
    // No layout (the store ignores HEAD ?partNumber=): no per-part check.
    expect(sourceCheck(multipart, headers({ 'x-amz-checksum-crc32': 'VmP3qA==-3' }), undefined).kind).toBe('size-only');
    // A composite checksum of another part count than the layout's is not comparable.
    expect(sourceCheck(multipart, headers({ 'x-amz-checksum-sha1': 'ePX1I1z2kSNhL3/TaEVBqYxbXXQ=-4', ...kms }), layout).kind).toBe('size-only');
  });
});
