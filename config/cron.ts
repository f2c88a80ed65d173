/**
 * Checking a 5-field cron expression at load, by the rules of Temporal's schedule parser (the
 * server's calendar.go), which is the final authority: what Temporal accepts in 5 fields is
 * accepted here, and what it refuses is refused here, with the field and the bad part named.
 *
 * Per field, a comma-separated list of parts; each part is `*`, a value `x`, a range `x-z`
 * (increasing), any of those with a step `/n` (n >= 1; `x/n` runs from x to the field's maximum).
 * Values are decimal numbers; the month field also takes English month names or their prefixes
 * of 3+ letters (jan, sept, march), the day-of-week field day names or prefixes of 2+ letters
 * (mo, tue, friday), and 0 or 7 for Sunday. Not Temporal syntax, so refused: `?`, `L`, `W`, `#`.
 */

interface Field {
  name: string;
  min: number;
  max: number;
  names?: { list: readonly string[]; minLength: number; first: number; example: string };
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: { list: MONTHS, minLength: 3, first: 1, example: 'a month name such as jan' } },
  { name: 'day-of-week', min: 0, max: 7, names: { list: DAYS, minLength: 2, first: 0, example: 'a day name such as mon (Sunday is 0 or 7)' } },
];

/** Temporal's shorthands, and the 5 fields each stands for. */
const SHORTHANDS: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};

const FIX = 'Fix: write a 5-field cron expression (minute hour day-of-month month day-of-week), e.g. "0 * * * *".';

/** A value of `field` of at least `min` (a range's start), or the words saying why `text` is not one. */
function parseValue(text: string, field: Field, min: number): number | string {
  let value: number | undefined;
  if (field.names && text.length >= field.names.minLength) {
    const lower = text.toLowerCase();
    const index = field.names.list.findIndex((name) => name.startsWith(lower));
    if (index >= 0) value = index + field.names.first;
  }
  // Go's strconv.Atoi, which Temporal uses, takes an optional sign.
  if (value === undefined && /^\+?\d+$/.test(text)) value = Number(text);
  if (value === undefined) {
    const hint = text === '?' ? ' ("?" is not Temporal syntax: write "*")' : '';
    return `"${text}" is not a number from ${field.min} to ${field.max}${field.names ? `, or ${field.names.example}` : ''}${hint}`;
  }
  if (value < field.min || value > field.max) return `${text} is outside ${field.min}-${field.max}`;
  if (value < min) return `the range ends at ${text}, before it starts (a range runs upwards${field.name === 'day-of-week' ? '; Sunday is also 7, e.g. MON-7' : ''})`;
  return value;
}

/** Why `part` (one item of a field's comma-separated list) is not valid, or undefined. */
function partProblem(part: string, field: Field): string | undefined {
  let base = part;
  if (part.includes('/')) {
    const pieces = part.split('/');
    if (pieces.length !== 2) return `"${part}" has more than one "/"`;
    const step = pieces[1]!;
    if (!/^\+?\d+$/.test(step) || Number(step) < 1) return `the step "${step}" in "${part}" is not a whole number of at least 1`;
    base = pieces[0]!;
  }
  if (base === '*') return undefined;
  if (base.includes('-')) {
    const pieces = base.split('-');
    if (pieces.length !== 2) return `"${part}" is not a value or a range x-z`;
    const start = parseValue(pieces[0]!, field, field.min);
    if (typeof start === 'string') return start;
    const end = parseValue(pieces[1]!, field, start);
    return typeof end === 'string' ? end : undefined;
  }
  const value = parseValue(base, field, field.min);
  return typeof value === 'string' ? value : undefined;
}

/**
 * Why `cron` is not a 5-field cron expression Temporal accepts, naming the field and the bad
 * part with the fix; undefined when it is valid.
 */
export function cronProblem(cron: string): string | undefined {
  const text = cron.trim();
  if (text.includes('#')) {
    return `"${cron}" contains "#", which Temporal schedules read as a comment. Fix: write the weekday without #, e.g. "0 0 * * MON".`;
  }
  if (SHORTHANDS[text]) return `${text} is a shorthand, not a 5-field cron expression. Fix: write "${SHORTHANDS[text]}".`;
  if (/^(CRON_)?TZ=/.test(text)) return `a time zone prefix is not supported: schedules run in UTC. Fix: remove "${text.split(/\s/)[0]}" and write the times in UTC.`;
  if (text.startsWith('@every')) return `"@every" intervals are not supported. Fix: write a 5-field cron expression, e.g. "*/15 * * * *" for every 15 minutes.`;
  const fields = text.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) return `has ${fields.length} field${fields.length === 1 ? '' : 's'}, not 5. ${FIX}`;
  for (const [i, field] of FIELDS.entries()) {
    const value = fields[i]!;
    for (const part of value.split(',')) {
      const problem = part === '' ? `"${value}" has an empty item in its list` : partProblem(part, field);
      if (problem) return `the ${field.name} field "${value}": ${problem}. ${FIX}`;
    }
  }
  return undefined;
}
