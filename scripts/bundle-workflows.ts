/**
 * Prebuilds the workflow bundle (dist/workflow-bundle.js) so production workers start fast and
 * run exactly the code that was built.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows') });
  const out = resolve(__dirname, '..', 'workflow-bundle.js');
  writeFileSync(out, code);
  process.stderr.write(`workflow bundle: ${out} (${code.length} bytes)\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
