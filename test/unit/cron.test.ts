import { cronProblem } from '../../config/cron';
import { ConfigError } from '../../config/errors';
import { parseConfig } from '../../config/load';
import { ACCEPTED, REFUSED } from '../fixtures/cron-cases';

const FIX = 'Fix: write a 5-field cron expression (minute hour day-of-month month day-of-week), e.g. "0 * * * *".';

describe('cron expressions are checked fully at load, by the rules Temporal schedules use', () => {
  it.each(ACCEPTED)('accepts %p', (cron) => {
    expect(cronProblem(cron)).toBeUndefined();
  });

  it.each(REFUSED)('refuses %p, naming the %s field', (cron, field) => {
    expect(cronProblem(cron)).toMatch(new RegExp(`^the ${field} field "`));
  });

  it.each([
    ['60 * * * *', `the minute field "60": 60 is outside 0-59. ${FIX}`],
    ['0 0-24 * * *', `the hour field "0-24": 24 is outside 0-23. ${FIX}`],
    ['0 0 * * FRI-MON', `the day-of-week field "FRI-MON": the range ends at MON, before it starts (a range runs upwards; Sunday is also 7, e.g. MON-7). ${FIX}`],
    ['0 0 * 10-2 *', `the month field "10-2": the range ends at 2, before it starts (a range runs upwards). ${FIX}`],
    ['0 0 * ja *', `the month field "ja": "ja" is not a number from 1 to 12, or a month name such as jan. ${FIX}`],
    ['0 0 * * mondays', `the day-of-week field "mondays": "mondays" is not a number from 0 to 7, or a day name such as mon (Sunday is 0 or 7). ${FIX}`],
    ['0 0 ? * MON', `the day-of-month field "?": "?" is not a number from 1 to 31 ("?" is not Temporal syntax: write "*"). ${FIX}`],
    ['*/0 * * * *', `the minute field "*/0": the step "0" in "*/0" is not a whole number of at least 1. ${FIX}`],
    ['0,15,,45 * * * *', `the minute field "0,15,,45": "0,15,,45" has an empty item in its list. ${FIX}`],
    ['1-2-3 * * * *', `the minute field "1-2-3": "1-2-3" is not a value or a range x-z. ${FIX}`],
    ['0 0 1 1 * 2030', `has 6 fields, not 5. ${FIX}`],
    ['hourly', `has 1 field, not 5. ${FIX}`],
    ['@daily', '@daily is a shorthand, not a 5-field cron expression. Fix: write "0 0 * * *".'],
    ['@every 15m', '"@every" intervals are not supported. Fix: write a 5-field cron expression, e.g. "*/15 * * * *" for every 15 minutes.'],
    ['TZ=Europe/Paris 0 8 * * *', 'a time zone prefix is not supported: schedules run in UTC. Fix: remove "TZ=Europe/Paris" and write the times in UTC.'],
    ['0 0 * * MON#2', '"0 0 * * MON#2" contains "#", which Temporal schedules read as a comment. Fix: write the weekday without #, e.g. "0 0 * * MON".'],
  ])('says what is wrong with %p and how to fix it', (cron, message) => {
    expect(cronProblem(cron)).toBe(message);
  });

  it('reports the problem at the schedule\'s path when the config is loaded, and trims what it accepts', () => {
    const source = { url: 's3://bucket-a/', endpoint: 'http://127.0.0.1:9000', credentials: { type: 'cloudIdentity' } };
    const job = (cron: string) => ({ source: 'a', dataset: 'd', mode: 'bulk', schedule: { cron } });
    let problems: ConfigError['problems'] = [];
    try {
      parseConfig({ sources: { a: source }, syncs: { j: job('0 25 * * *') }, exports: {} });
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems).toEqual([{ path: 'syncs.j.schedule.cron', message: `the hour field "25": 25 is outside 0-23. ${FIX}` }]);
    expect(parseConfig({ sources: { a: source }, syncs: { j: job(' 0 6 * * MON-FRI ') } }).config.syncs.j!.schedule!.cron).toBe('0 6 * * MON-FRI');
  });
});
