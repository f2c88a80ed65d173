import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { WORKFLOW_TYPES } from '../../shared/temporal-contract';

const dir = join(__dirname, '..', 'fixtures', 'histories');

describe('workflow determinism', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

  it('has recorded histories of every workflow type to replay', () => {
    const types = files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')).events[0].workflowExecutionStartedEventAttributes.workflowType.name);
    // Every type of the contract (a new one needs its history: scripts/record-histories.ts --only NAME).
    expect(new Set(types)).toEqual(new Set(Object.values(WORKFLOW_TYPES)));
  });

  it('replays every recorded history with the current workflow code, so a change that breaks determinism fails', async () => {
    const histories = files.map((f) => ({ workflowId: f, history: JSON.parse(readFileSync(join(dir, f), 'utf8')) }));
    const results = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath: require.resolve('../../workflows') }, histories)) {
      results.push({ workflowId: result.workflowId, error: result.error?.message });
    }
    expect(results).toEqual(files.map((f) => ({ workflowId: f, error: undefined })));
  });
});
