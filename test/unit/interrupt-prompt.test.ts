import { PassThrough } from 'node:stream';
import { askToCancel } from '../../client/interrupt';

async function answer(text: string): Promise<{ cancel: boolean; asked: string }> {
  const input = new PassThrough();
  const output = new PassThrough();
  let asked = '';
  output.on('data', (d) => (asked += d));
  const decision = askToCancel('sync orders (bulkImport/orders)', input, output);
  input.end(text);
  return { cancel: await decision, asked };
}

describe('the Ctrl-C question while waiting for a run', () => {
  it('names the run and says that cancelling removes its staging and open uploads', async () => {
    expect((await answer('\n')).asked).toContain('cancel sync orders (bulkImport/orders)? It then removes its staging and open uploads. [y/N]');
  });

  it('cancels only on an answer that starts with y, and leaves the run running otherwise', async () => {
    expect((await answer('y\n')).cancel).toBe(true);
    expect((await answer('Yes\n')).cancel).toBe(true);
    expect((await answer('\n')).cancel).toBe(false);
    expect((await answer('n\n')).cancel).toBe(false);
    expect((await answer('whatever\n')).cancel).toBe(false);
  });
});
