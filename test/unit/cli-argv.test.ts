import { commandFirst, packageVersion } from '../../client/argv';
import { version } from '../../package.json';

const cli = (...args: string[]) => ['node', 's3-connector', ...args];

describe('the command line', () => {
  it('moves global options written before the command to right after it', () => {
    expect(commandFirst(cli('--config', 'x.yaml', 'check', 'src'))).toEqual(cli('check', '--config', 'x.yaml', 'src'));
    expect(commandFirst(cli('--json', '--address=h:7233', 'datasets', 'list'))).toEqual(cli('datasets', '--json', '--address=h:7233', 'list'));
    expect(commandFirst(cli('--task-queue', 'q', '--namespace', 'n', 'sync', 'job', '--wait'))).toEqual(cli('sync', '--task-queue', 'q', '--namespace', 'n', 'job', '--wait'));
  });

  it('leaves a command line that starts with the command, help, the version or an unknown option as it is', () => {
    for (const args of [cli('check', 'src', '--config', 'x.yaml'), cli('--help'), cli('--version'), cli('--config', 'x.yaml', '--bogus', 'check'), cli('--config', 'x.yaml')]) {
      expect(commandFirst(args)).toEqual(args);
    }
  });

  it('finds this package\'s version from its source folder', () => {
    expect(packageVersion()).toBe(version);
  });
});
