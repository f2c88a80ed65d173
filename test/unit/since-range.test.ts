/**
 * `tables read --since/--until` (client/since-range.ts): the options stay text until the table's
 * format is known, so an Iceberg snapshot id keeps every digit and a Delta version is checked as
 * a version.
 */
import { InvalidArgumentError } from 'commander';
import { UsageError } from '../../client/context';
import { sinceRangeOf, wholeNumberText } from '../../client/since-range';

describe('tables read --since/--until', () => {
  it('keeps an Iceberg snapshot id beyond 2^53 exactly, as text', () => {
    const id = '5256094076672713661';
    expect(String(Number(id))).not.toBe(id);
    expect(sinceRangeOf('iceberg', 't', wholeNumberText(id), wholeNumberText('-9223372036854775808'))).toEqual({ sinceSnapshot: id, untilSnapshot: '-9223372036854775808' });
    expect(sinceRangeOf('iceberg', 't', id, undefined)).toEqual({ sinceSnapshot: id });
  });

  it('gives Delta versions as numbers and refuses an --until before --since or a version beyond 2^53', () => {
    expect(sinceRangeOf('delta', 't', '3', '7')).toEqual({ since: 3, until: 7 });
    expect(() => sinceRangeOf('delta', 't', '7', '3')).toThrow(new UsageError('tables read: --until 3 is before --since 7.'));
    expect(() => sinceRangeOf('delta', 't', '9007199254740993', undefined)).toThrow(/--since 9007199254740993 is not a version of Delta table t/);
    expect(() => sinceRangeOf('delta', 't', '-1', undefined)).toThrow(UsageError);
  });

  it('refuses text that is not a whole number before any table is opened', () => {
    expect(() => wholeNumberText('12a')).toThrow(InvalidArgumentError);
    expect(() => wholeNumberText('1.5')).toThrow(/a Delta version, or an Iceberg snapshot id/);
    expect(() => wholeNumberText('12345678901234567890')).toThrow(InvalidArgumentError);
    expect(sinceRangeOf('delta', 't', undefined, undefined)).toEqual({});
  });
});
