/**
 * Where `tables read` writes its bytes: `--out FILE`, written to a temp file beside it and
 * renamed into place only when the whole read is there (whole or not at all), or stdout. Parquet
 * is binary: it goes to a file or a pipe, never to a terminal. A reader of stdout that stops
 * early (`| head`, EPIPE) ends the command quietly with exit 0, as in other Unix tools.
 */
import { createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';
import { isReadFormat, READ_FORMATS, type ReadFormat } from '../tables/read-output';
import { UsageError } from './context';

/** Where the bytes of a read go; `commit` makes them visible, `abort` removes what was written. */
export interface ReadSink {
  write(chunk: Uint8Array): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** The format of `--format`, jsonl by default; another name is a usage error. */
export function readFormatOf(text: string | undefined): ReadFormat {
  if (text === undefined) return 'jsonl';
  if (!isReadFormat(text)) throw new UsageError(`tables read: --format ${text} is not a format. Fix: give one of ${READ_FORMATS.join(', ')}.`);
  return text;
}

/** Writes `chunk`, waiting for a full stream to drain; a stream that failed (EPIPE) fails the write. */
async function write(stream: NodeJS.WritableStream, chunk: Uint8Array, failed?: () => Error | undefined): Promise<void> {
  const error = failed?.();
  if (error) throw error;
  if (!stream.write(chunk)) {
    // A closed pipe never drains: its error ends the wait.
    await new Promise<void>((ok, fail) => {
      const done = (err?: Error) => {
        stream.off('drain', onDrain);
        stream.off('error', onError);
        if (err) fail(err);
        else ok();
      };
      const onDrain = () => done();
      const onError = (err: Error) => done(err);
      stream.on('drain', onDrain);
      stream.on('error', onError);
    });
  }
}

/**
 * The sink of a read: the file `out` (through `<out>.tmp-<pid>`), else stdout, whose errors
 * `stdoutError` reports. Parquet to a terminal is refused before anything is read.
 */
export function openReadSink(out: string | undefined, format: ReadFormat, stdoutError: () => Error | undefined): ReadSink {
  if (out === undefined) {
    if (format === 'parquet' && process.stdout.isTTY) {
      throw new UsageError('tables read: Parquet is binary and stdout is a terminal. Fix: give --out FILE, or pipe the output (e.g. > file.parquet).');
    }
    return {
      write: (chunk) => write(process.stdout, chunk, stdoutError),
      commit: async () => {},
      abort: async () => {},
    };
  }
  const temp = `${out}.tmp-${process.pid}`;
  const file: WriteStream = createWriteStream(temp);
  // The file opens asynchronously: an error (no such folder, no permission) is kept for the next write.
  let failure: Error | undefined;
  file.on('error', (err) => { failure ??= err; });
  return {
    write: (chunk) => write(file, chunk, () => failure),
    commit: async () => {
      await new Promise<void>((ok, fail) => file.end((err?: Error | null) => (err ? fail(err) : ok())));
      if (failure) throw failure;
      renameSync(temp, out);
    },
    abort: async () => {
      // Wait until the stream is closed: an open still under way would create the temp file after its removal.
      if (!file.closed) await new Promise<void>((ok) => { file.once('close', ok); file.destroy(); });
      rmSync(temp, { force: true });
    },
  };
}

/** Writes every chunk to `sink` and commits it; on any failure the sink is aborted and the error thrown. */
export async function writeRead(chunks: AsyncIterable<Uint8Array>, sink: ReadSink): Promise<void> {
  try {
    for await (const chunk of chunks) await sink.write(chunk);
    await sink.commit();
  } catch (err) {
    await sink.abort();
    throw err;
  }
}

/** Runs a read to stdout, ending quietly when stdout's reader has gone (EPIPE); `fn` is given stdout's first error. */
export async function quietOnClosedStdout(fn: (stdoutError: () => NodeJS.ErrnoException | undefined) => Promise<void>): Promise<void> {
  let stdoutError: NodeJS.ErrnoException | undefined;
  const onError = (err: NodeJS.ErrnoException) => { stdoutError ??= err; };
  process.stdout.on('error', onError);
  try {
    await fn(() => stdoutError);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPIPE' && stdoutError?.code !== 'EPIPE') throw err;
  } finally {
    process.stdout.off('error', onError);
  }
}
