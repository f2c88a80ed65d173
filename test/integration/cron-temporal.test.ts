import { cronProblem } from '../../config/cron';
import { temporalClient } from '../harness/sync-runner';
import { ACCEPTED, REFUSED } from '../fixtures/cron-cases';

/**
 * Temporal's schedule parser is the final authority on cron: the validator must accept what it
 * accepts and refuse what it refuses. Each case is given to the real server as a paused schedule.
 */
describe('the cron validator agrees with the Temporal server', () => {
  let t: Awaited<ReturnType<typeof temporalClient>>;
  beforeAll(async () => {
    t = await temporalClient();
  });
  afterAll(() => t.close());

  /** Whether the server accepts `cron` in a schedule's spec (the schedule is deleted at once). */
  async function temporalAccepts(cron: string): Promise<boolean | string> {
    const scheduleId = `cron-check-${Math.random().toString(36).slice(2)}`;
    try {
      const handle = await t.client.schedule.create({
        scheduleId, spec: { cronExpressions: [cron] }, state: { paused: true },
        action: { type: 'startWorkflow', workflowType: 'never-run', taskQueue: 'cron-check', args: [] },
      });
      await handle.delete();
      return true;
    } catch (err) {
      return (err as Error).message;
    }
  }

  it('on every accepted and refused case', async () => {
    const disagreements: string[] = [];
    for (const cron of ACCEPTED) {
      const verdict = await temporalAccepts(cron);
      if (verdict !== true) disagreements.push(`"${cron}": validator accepts, Temporal refuses (${verdict})`);
    }
    for (const [cron] of REFUSED) {
      expect(cronProblem(cron)).toBeDefined();
      if (await temporalAccepts(cron) === true) disagreements.push(`"${cron}": validator refuses (${cronProblem(cron)}), Temporal accepts`);
    }
    expect(disagreements).toEqual([]);
  });
});
