import { execFileSync } from 'node:child_process';
import { buildProgram } from '../../client/cli';
import { bashCompletion } from '../../client/completion';

/** What bash offers for `words` with the cursor on the last word, through the generated script. */
function offered(script: string, words: string[]): string[] {
  const array = words.map((w) => `'${w}'`).join(' ');
  const out = execFileSync('bash', ['-c', `${script}\nCOMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _s3_connector_complete; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
  return out.split('\n').filter((w) => w !== '');
}

describe('shell completion', () => {
  let script: string;
  beforeAll(async () => {
    script = bashCompletion(await buildProgram());
  });

  it('completes the commands at the top level', () => {
    expect(offered(script, ['s3-connector', 's'])).toEqual(expect.arrayContaining(['sync', 'schedule', 'status']));
    expect(offered(script, ['s3-connector', 's'])).not.toContain('tables');
  });

  it('completes the subcommands of a group, after global options too', () => {
    expect(offered(script, ['s3-connector', 'tables', 're'])).toEqual(['register', 'read']);
    expect(offered(script, ['s3-connector', '--json', 'schedule', 'p'])).toEqual(['pause']);
  });

  it("completes a command's own options, and no other command's", () => {
    expect(offered(script, ['s3-connector', 'tables', 'read', 'orders', '--as'])).toEqual(['--as-of']);
    expect(offered(script, ['s3-connector', 'sync', 'orders', '--wa'])).toEqual(['--wait']);
    expect(offered(script, ['s3-connector', 'sync', 'orders', '--as'])).toEqual([]);
  });
});
