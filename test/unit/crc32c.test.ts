import { randomBytes } from 'node:crypto';
// The SDK's own implementation (a dependency of @aws-sdk/client-s3), as the reference.
import { Crc32cJs } from '@aws-sdk/checksums/crc';
import { crc32cTables, crc32cUpdate } from '../../datasets/crc32c';

const tables = crc32cTables();
const crc = (...parts: Uint8Array[]) => parts.reduce((value, part) => crc32cUpdate(tables, value, part), 0).toString(16).padStart(8, '0');

describe('CRC32C', () => {
  it('gives the catalogued check value of "123456789" and the known value of no bytes', () => {
    expect(crc(Buffer.from('123456789'))).toBe('e3069283');
    expect(crc()).toBe('00000000');
  });

  it('agrees with the AWS SDK\'s implementation whatever the lengths and the chunking', async () => {
    for (const size of [1, 7, 8, 9, 1000, 65_536 + 3]) {
      const data = randomBytes(size);
      const reference = new Crc32cJs();
      reference.update(data);
      const expected = Buffer.from(await reference.digest()).toString('hex');
      const cut = Math.floor(size / 3);
      expect(crc(data)).toBe(expected);
      expect(crc(data.subarray(0, cut), data.subarray(cut))).toBe(expected);
    }
  });
});
