/**
 * The plan pages of a table sync run: the data files to read, as JSON lines of
 * {@link PlannedFile}, FILES_PER_PAGE to a page (one write activity each), in the run's staging.
 */
import { toJsonLines } from '../datasets/jsonl';
import type { JobDeps } from '../jobs/deps';
import type { PlannedFile } from './planned-file';
import type { tableRunPaths } from './run-files';

/** Data files per plan page, hence per write activity. */
export const FILES_PER_PAGE = 100;

/** Writes planned files to plan pages of FILES_PER_PAGE; counts the pages, files and bytes written. */
export class PageWriter {
  pages = 0;
  files = 0;
  bytes = 0;
  private current: PlannedFile[] = [];

  constructor(private readonly deps: JobDeps, private readonly paths: ReturnType<typeof tableRunPaths>) {}

  /** Adds a file; a full page is written at once. */
  async add(file: PlannedFile): Promise<void> {
    this.current.push(file);
    this.files += 1;
    this.bytes += file.size;
    if (this.current.length >= FILES_PER_PAGE) await this.flush();
  }

  /** Writes the files not yet written as the last page. */
  async flush(): Promise<void> {
    if (this.current.length === 0) return;
    this.pages += 1;
    await this.deps.store.write(this.paths.plan(this.pages), toJsonLines(this.current));
    this.current = [];
  }
}
