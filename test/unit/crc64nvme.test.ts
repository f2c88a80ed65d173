import { randomBytes } from 'node:crypto';
// The SDK's own implementation (a dependency of @aws-sdk/client-s3), as the reference.
import { Crc64NvmeJs } from '@aws-sdk/checksums';
import { crc64nvmeHex, crc64nvmeStart, crc64nvmeTables, crc64nvmeUpdate } from '../../datasets/crc64nvme';

const tables = crc64nvmeTables();
const crc = (...parts: Uint8Array[]) => {
  const register = crc64nvmeStart();
  for (const part of parts) crc64nvmeUpdate(tables, register, part);
  return crc64nvmeHex(register);
};

describe('CRC-64/NVME', () => {
  it('gives the catalogued check value of "123456789" and the known value of no bytes', () => {
    expect(crc(Buffer.from('123456789'))).toBe('ae8b14860a799888');
    expect(crc()).toBe('0000000000000000');
  });

  it('agrees with the AWS SDK\'s implementation whatever the lengths and the chunking', async () => {
    for (const size of [1, 7, 8, 9, 1000, 65_536 + 3]) {
      const data = randomBytes(size);
      const reference = new Crc64NvmeJs();
      reference.update(data);
      const expected = Buffer.from(await reference.digest()).toString('hex');
      const cut = Math.floor(size / 3);
      expect(crc(data)).toBe(expected);
      expect(crc(data.subarray(0, cut), data.subarray(cut))).toBe(expected);
    }
  });
});
