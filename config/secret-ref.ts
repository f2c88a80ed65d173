/**
 * Secret references in the config file: `${env:NAME}` or `${file:PATH}`.
 *
 * The CLI never resolves them; only the worker does, inside an activity, so a secret value never
 * enters workflow inputs, results, heartbeats, memos, search attributes or logs.
 */
import { readFileSync } from 'node:fs';

const REFERENCE = /^\$\{(env|file):([^}]+)\}$/;

/** A parsed secret reference, or a literal value written inline in the config. */
export type SecretRef =
  | { kind: 'env'; name: string }
  | { kind: 'file'; path: string }
  | { kind: 'literal'; value: string };

/** Returns true when `text` looks like a reference (starts with `${`), whether or not it is well formed. */
export function looksLikeReference(text: string): boolean {
  return text.startsWith('${');
}

/** Parses `${env:NAME}`, `${file:PATH}` or a literal. Returns undefined for a malformed reference. */
export function parseSecretRef(text: string): SecretRef | undefined {
  if (!looksLikeReference(text)) return { kind: 'literal', value: text };
  const match = REFERENCE.exec(text);
  if (!match) return undefined;
  const [, kind, target] = match as unknown as [string, 'env' | 'file', string];
  return kind === 'env' ? { kind, name: target } : { kind, path: target };
}

/** Thrown when a secret cannot be resolved on the worker. The message names the reference, never a value. */
export class SecretResolutionError extends Error {
  override name = 'SecretResolutionError';
}

/**
 * Resolves a secret on the worker. `field` is the config path used in error messages.
 * @throws SecretResolutionError when the variable is unset or the file unreadable.
 */
export function resolveSecret(text: string, field: string, env: NodeJS.ProcessEnv = process.env): string {
  const ref = parseSecretRef(text);
  if (!ref) {
    // The text is not echoed: a malformed reference may be a value written in its place.
    throw new SecretResolutionError(`${field}: is not a valid secret reference. Fix: write \${env:NAME} or \${file:PATH}.`);
  }
  if (ref.kind === 'literal') return ref.value;
  if (ref.kind === 'env') {
    const value = env[ref.name];
    if (value === undefined || value === '') {
      throw new SecretResolutionError(
        `${field}: environment variable ${ref.name} is not set on the worker. Fix: export ${ref.name} in the worker's environment.`,
      );
    }
    return value;
  }
  try {
    return readFileSync(ref.path, 'utf8').trim();
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new SecretResolutionError(
      `${field}: secret file ${ref.path} cannot be read (${reason}). Fix: make the file readable by the worker.`,
    );
  }
}
