import { refreshingProvider } from '../../s3/credentials';

describe('temporary credential refresh', () => {
  it('reuses credentials until five minutes before they expire, then fetches new ones once for concurrent callers', async () => {
    let clock = 0;
    let fetches = 0;
    const provider = refreshingProvider(async () => {
      fetches += 1;
      return { accessKeyId: `key-${fetches}`, secretAccessKey: 's', expiration: new Date(clock + 3600_000) };
    }, 5 * 60_000, () => clock);
    expect((await provider()).accessKeyId).toBe('key-1');
    clock = 3600_000 - 5 * 60_000 - 1;
    expect((await provider()).accessKeyId).toBe('key-1');
    clock += 2;
    const [a, b] = await Promise.all([provider(), provider()]);
    expect([a.accessKeyId, b.accessKeyId]).toEqual(['key-2', 'key-2']);
    expect(fetches).toBe(2);
  });

  it('tries again on the next call after a failed refresh', async () => {
    let attempts = 0;
    const provider = refreshingProvider(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('sts down');
      return { accessKeyId: 'k', secretAccessKey: 's' };
    });
    await expect(provider()).rejects.toThrow('sts down');
    await expect(provider()).resolves.toMatchObject({ accessKeyId: 'k' });
  });
});
