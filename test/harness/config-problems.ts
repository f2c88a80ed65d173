/** The problems a config is refused with, for the config tests. */
import { ConfigError, type ConfigProblem } from '../../config/errors';
import { parseConfig } from '../../config/load';

/** Every problem `parseConfig` reports for `raw`; throws when the config is accepted. */
export function configProblems(raw: unknown): ConfigProblem[] {
  try {
    parseConfig(raw);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('config was accepted');
}
