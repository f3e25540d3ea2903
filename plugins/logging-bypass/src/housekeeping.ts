/**
 * After a rotation (and once per path when the plugin starts, for leftovers of a previous run):
 * delete rotated files beyond `keep` or older than `max_age`, then gzip the remaining ones that
 * are not compressed yet. One sweep at a time for the whole plugin, off the files' write queues,
 * so that writing never waits for compression and at most one compression uses the threadpool.
 */
import { rm, stat } from 'node:fs/promises';
import type { RotationConfig } from './config.js';
import { gzipFile } from './compress.js';
import { ACCESS_LOG_ERROR_CODES, AccessLogError, messageOf, systemCode } from './errors.js';
import type { AccessLogErrorCode } from './errors.js';
import { listRotated, rotationsToDelete } from './rotation.js';
import type { RotatedLog } from './rotation.js';
import { SerialQueue } from './serial-queue.js';
import type { PathStats } from './stats.js';

/** A `.gz.tmp` not touched for this long is a dead compression's, not a running one's. */
const STALE_TMP_MS = 60_000;

export interface HousekeeperOptions {
  readonly rotation: RotationConfig;
  statsFor(path: string): PathStats;
  problem(path: string, code: AccessLogErrorCode, error: unknown): void;
}

export class Housekeeper {
  readonly #options: HousekeeperOptions;
  readonly #queue = new SerialQueue();
  readonly #scheduled = new Set<string>();
  readonly #abort = new AbortController();

  constructor(options: HousekeeperOptions) {
    this.#options = options;
  }

  /** Queues a sweep of `path`'s rotated files (once, if one is already waiting). */
  schedule(path: string): void {
    if (this.#abort.signal.aborted || this.#scheduled.has(path)) return;
    this.#scheduled.add(path);
    void this.#queue.run(async () => {
      this.#scheduled.delete(path);
      await this.#sweep(path);
    });
  }

  /** Resolves when every sweep queued so far is done. */
  idle(): Promise<void> {
    return this.#queue.idle();
  }

  /** Stops a compression in progress (its file stays uncompressed for the next run) and waits. */
  async close(): Promise<void> {
    this.#abort.abort();
    await this.#queue.idle();
  }

  async #sweep(path: string): Promise<void> {
    const signal = this.#abort.signal;
    if (signal.aborted) return;
    const { keep, maxAgeMs, compress } = this.#options.rotation;
    const stats = this.#options.statsFor(path);
    let rotated: RotatedLog[];
    try {
      rotated = await listRotated(path);
    } catch (error) {
      stats.rotationErrors++;
      this.#problem(path, ACCESS_LOG_ERROR_CODES.rotate, `expected to list rotated files of ${path}, found ${messageOf(error)}`, error);
      return;
    }
    const doomed = new Set(rotationsToDelete(rotated, keep, maxAgeMs, Date.now()));
    for (const r of doomed) {
      try {
        if (r.plain) await rm(r.name, { force: true });
        if (r.gz) await rm(`${r.name}.gz`, { force: true });
        stats.deleted++;
      } catch (error) {
        stats.rotationErrors++;
        this.#problem(path, ACCESS_LOG_ERROR_CODES.rotate, `expected to delete ${r.name} (beyond keep ${keep}), found ${messageOf(error)}`, error);
      }
    }
    for (const r of rotated) {
      if (signal.aborted) return;
      if (doomed.has(r)) continue;
      if (r.tmp) await removeIfStale(`${r.name}.gz.tmp`);
      // A crash between the .gz rename and the unlink: the .gz is complete.
      if (r.plain && r.gz) await rm(r.name, { force: true }).catch(() => undefined);
      else if (r.plain && compress) await this.#compress(path, r.name, stats, signal);
    }
  }

  async #compress(path: string, name: string, stats: PathStats, signal: AbortSignal): Promise<void> {
    try {
      await gzipFile(name, { signal });
      stats.compressions++;
    } catch (error) {
      if (signal.aborted) return; // shutdown: compressed by the next run's sweep
      if (systemCode(error) === 'EEXIST') return; // another instance is compressing it
      stats.compressErrors++;
      this.#problem(path, ACCESS_LOG_ERROR_CODES.compress, `expected to gzip ${name}, found ${messageOf(error)}; kept uncompressed`, error);
    }
  }

  #problem(path: string, code: AccessLogErrorCode, message: string, cause: unknown): void {
    this.#options.problem(path, code, new AccessLogError(code, message, { cause }));
  }
}

async function removeIfStale(tmp: string): Promise<void> {
  try {
    const info = await stat(tmp);
    if (Date.now() - info.mtimeMs > STALE_TMP_MS) await rm(tmp, { force: true });
  } catch {
    // gone already
  }
}
