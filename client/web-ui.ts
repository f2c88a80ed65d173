/**
 * Links into the Temporal Web UI. The frontend address does not tell where the UI is: it is
 * TEMPORAL_UI_URL when set, else, for the dev server's default address, the dev UI's default
 * port (`s3-connector dev` and `temporal server start-dev` serve it on 8233).
 */

/** The Web UI's base URL for a frontend `address`, or undefined when it cannot be known. */
export function webUiBase(address: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env.TEMPORAL_UI_URL?.trim();
  if (configured) return configured.replace(/\/+$/, '');
  const match = /^(localhost|127\.0\.0\.1|\[::1\]):7233$/.exec(address);
  return match ? `http://${match[1]}:8233` : undefined;
}

/** The Web UI page of one run, or undefined when the UI's address is unknown. */
export function runUrl(address: string, namespace: string, workflowId: string, runId: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const base = webUiBase(address, env);
  return base && `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
}
