/**
 * Builds an image's filesystem from a Dockerfile without a Docker engine: each stage is a folder,
 * WORKDIR and COPY map into it, RUN steps run there with sh, and the last stage's ENTRYPOINT and
 * CMD can then be started as a process. It understands the instructions this project's Dockerfile
 * uses and fails naming any other, so a change to the Dockerfile cannot pass untested. FROM must
 * be a node image of the major version that runs the tests (the base image's own contents are
 * not built); ownership (--chown, USER) is recorded, not applied: this machine has no node user.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';

/** The last stage, ready to start. */
export interface BuiltImage {
  /** The folder standing for the stage's WORKDIR. */
  workdir: string;
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
  user?: string;
  volumes: string[];
  /** Paths copied with --chown, and the owner asked for. */
  chowned: Array<{ path: string; owner: string }>;
}

interface Stage extends BuiltImage {
  name?: string;
  root: string;
  cwd: string;
}

/** Joins continuation lines and drops comments: one instruction a line. */
function instructions(text: string): string[] {
  return text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

/** .dockerignore's entries (top-level names and simple paths, as this project uses them). */
function ignoredBy(context: string): (path: string) => boolean {
  const file = join(context, '.dockerignore');
  const entries = existsSync(file) ? instructions(readFileSync(file, 'utf8')) : [];
  return (path) => entries.some((e) => path === e || path.startsWith(`${e}/`));
}

const jsonArray = (text: string): string[] => JSON.parse(text) as string[];

/** Builds `dockerfile` with `context` as the build context into folders below `out`. */
export function buildDockerfile(dockerfile: string, context: string, out: string, nodeMajor = process.versions.node.split('.')[0]): BuiltImage {
  const stages: Stage[] = [];
  const ignored = ignoredBy(context);
  let stage: Stage | undefined;
  const inStage = (path: string, s: Stage) => (isAbsolute(path) ? join(s.root, path) : join(s.cwd, path));
  for (const line of instructions(readFileSync(dockerfile, 'utf8'))) {
    const [word, ...rest] = line.split(/\s+/);
    const args = line.slice(word!.length).trim();
    const instruction = word!.toUpperCase();
    if (instruction === 'FROM') {
      const [image, as, name] = rest;
      if (!new RegExp(`^node:${nodeMajor}(-|$)`).test(image ?? '')) throw new Error(`FROM ${image}: only node:${nodeMajor} images are built here (the tests run on Node ${nodeMajor})`);
      const root = join(out, String(stages.length));
      stage = { name: as?.toUpperCase() === 'AS' ? name : undefined, root, cwd: root, workdir: root, env: {}, entrypoint: [], cmd: [], volumes: [], chowned: [] };
      stages.push(stage);
      mkdirSync(root, { recursive: true });
      continue;
    }
    if (!stage) throw new Error(`${instruction} before FROM`);
    const s = stage;
    switch (instruction) {
      case 'WORKDIR':
        s.cwd = inStage(args, s);
        s.workdir = s.cwd;
        mkdirSync(s.cwd, { recursive: true });
        break;
      case 'ENV': {
        const [key, ...value] = args.split(/[=\s]/);
        s.env[key!] = value.join('=');
        break;
      }
      case 'COPY': {
        const flags = rest.filter((r) => r.startsWith('--'));
        const paths = rest.filter((r) => !r.startsWith('--'));
        const rawDest = paths.pop()!;
        const dest = inStage(rawDest, s);
        const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
        const owner = flags.find((f) => f.startsWith('--chown='))?.slice('--chown='.length);
        const source = from === undefined ? undefined : stages.find((x) => x.name === from);
        if (from !== undefined && !source) throw new Error(`COPY --from=${from}: no such stage`);
        // Docker's rules: a folder's contents go into dest; a file goes into dest when dest is
        // a folder (several sources, a trailing /, or an existing folder), else becomes dest.
        const intoFolder = paths.length > 1 || rawDest.endsWith('/') || rawDest === '.';
        for (const path of paths) {
          const src = source ? (isAbsolute(path) ? join(source.root, path) : join(source.cwd, path)) : join(context, path);
          const target = !statSync(src).isDirectory() && (intoFolder || (existsSync(dest) && statSync(dest).isDirectory())) ? join(dest, basename(src)) : dest;
          mkdirSync(dirname(target), { recursive: true });
          if (source === undefined && statSync(src).isDirectory()) {
            // Entry by entry: the output folder may lie inside the context (in an ignored folder).
            for (const name of readdirSync(src)) {
              if (!ignored(relative(context, join(src, name)))) cpSync(join(src, name), join(target, name), { recursive: true, filter: (p) => !ignored(relative(context, p)) });
            }
          } else {
            cpSync(src, target, { recursive: true, filter: (p) => source !== undefined || !ignored(relative(context, p)) });
          }
          if (owner) s.chowned.push({ path: relative(s.root, target), owner });
        }
        break;
      }
      case 'RUN':
        execFileSync('/bin/sh', ['-c', args], { cwd: s.cwd, env: { ...process.env, ...s.env }, stdio: 'pipe', maxBuffer: 64 * 1024 * 1024 });
        break;
      case 'USER': s.user = args; break;
      case 'VOLUME': s.volumes.push(...jsonArray(args)); break;
      case 'ENTRYPOINT': s.entrypoint = jsonArray(args); break;
      case 'CMD': s.cmd = jsonArray(args); break;
      default: throw new Error(`Dockerfile instruction ${instruction} is not understood by test/harness/dockerfile-steps.ts; teach it before using it`);
    }
  }
  if (!stage) throw new Error('the Dockerfile has no FROM');
  const { workdir, env, entrypoint, cmd, user, volumes, chowned } = stage;
  return { workdir, env, entrypoint, cmd, user, volumes, chowned };
}
