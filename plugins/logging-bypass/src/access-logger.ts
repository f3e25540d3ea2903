/**
 * The plugin's state: every log file by path, the workers' batch sequences, the housekeeper and
 * the counters. The worker formats the lines (`logBytes`: as Envoy formats on its workers and
 * leaves the file I/O to a flush thread); this plugin owns everything that can block or fail on
 * the way to disk. `handleBatch` does all its work synchronously (check the sequence, queue one
 * chunk per file) and only then returns the promise of the writes, so batches are queued in the
 * order they arrived.
 */
import { resolve } from 'node:path';
import { ThrottledLog } from '@mosn/plugin-sdk';
import type { LogByteBatch, PluginLogger } from '@mosn/plugin-sdk';
import type { LoggingBypassConfig } from './config.js';
import { ACCESS_LOG_ERROR_CODES, AccessLogError } from './errors.js';
import type { AccessLogErrorCode } from './errors.js';
import { BatchSequences } from './batch-sequence.js';
import { Housekeeper } from './housekeeping.js';
import { LogFile } from './log-file.js';
import { StatsRegistry } from './stats.js';
import type { PathStats } from './stats.js';

interface Chunk {
  readonly path: string;
  readonly records: number;
  readonly bytes: Uint8Array;
}

export interface AccessLogStats {
  readonly files: Record<string, Record<string, number>>;
  readonly workers: readonly Record<string, number>[];
  readonly totals: Record<string, number>;
}

export class AccessLogger {
  readonly #config: LoggingBypassConfig;
  readonly #log: ThrottledLog;
  readonly #logger: PluginLogger;
  readonly #files = new Map<string, LogFile>();
  /** Absolute path of each path the workers sent, resolved once. */
  readonly #paths = new Map<string, string>();
  readonly #sequences = new BatchSequences();
  readonly #stats = new StatsRegistry();
  readonly #housekeeper: Housekeeper;

  constructor(config: LoggingBypassConfig, logger: PluginLogger) {
    this.#config = config;
    this.#logger = logger;
    this.#log = new ThrottledLog(logger);
    this.#housekeeper = new Housekeeper({
      rotation: config.rotation,
      statsFor: (path) => this.#stats.forPath(path),
      problem: (path, code, error) => this.#problem(path, code, error),
    });
  }

  /**
   * Queues the batch's writes, one per file; resolves when they are done, rejects when one
   * failed (its records are counted in the file's stats).
   */
  handleBatch(batch: LogByteBatch): Promise<void> {
    if (!Array.isArray(batch.logs) || !Array.isArray(batch.bytes)) {
      this.#invalid(batch, `expected "logs" and "bytes" arrays, found ${kindOf(batch.logs)} and ${kindOf(batch.bytes)}`, 0);
      return Promise.resolve();
    }
    const seen = this.#sequences.observe(batch);
    if (seen.kind === 'duplicate') {
      this.#log.log('warn', `duplicate:${batch.pid}`, { code: ACCESS_LOG_ERROR_CODES.batchInvalid, pid: batch.pid, workerId: batch.workerId, seq: batch.seq }, `worker ${batch.workerId} (pid ${batch.pid}): batch ${batch.seq} seen already; skipped so that nothing is written twice`);
      return Promise.resolve();
    }
    if (seen.lost > 0) {
      this.#log.log(
        'warn',
        `lost:${batch.pid}`,
        { code: ACCESS_LOG_ERROR_CODES.batchesLost, pid: batch.pid, workerId: batch.workerId, lost: seen.lost },
        `worker ${batch.workerId} (pid ${batch.pid}): expected batch ${seen.expected}, found ${batch.seq}: ${seen.lost} batch(es) lost`,
      );
    }

    // Two logs with the same path (formats differ) share its file: their bytes go in one write.
    const byPath = new Map<string, Chunk[]>();
    let invalid = 0;
    let firstProblem = '';
    batch.bytes.forEach((entry: unknown, index) => {
      const chunk = this.#chunk(batch, entry);
      if (typeof chunk === 'string') {
        // As many records as it says when that is a positive count, else as many lines as it holds (at least one).
        const { records, bytes } = (entry ?? {}) as { records?: unknown; bytes?: unknown };
        invalid += isCount(records) && records > 0 ? records : Math.max(1, bytes instanceof Uint8Array ? lineCount(bytes) : 1);
        if (firstProblem === '') firstProblem = `bytes[${index}]: ${chunk}`;
        return;
      }
      const group = byPath.get(chunk.path);
      if (group === undefined) byPath.set(chunk.path, [chunk]);
      else group.push(chunk);
    });
    if (invalid > 0) this.#invalid(batch, `${firstProblem} (each entry of "bytes" is { log, records, bytes })`, invalid);

    const writes: Promise<boolean>[] = [];
    for (const [path, group] of byPath) {
      const only = group.length === 1 ? (group[0] as Chunk) : undefined;
      // The bytes are a view of the connection's receive buffer, kept for us until the promise
      // returned here settles: written as they are, never kept after.
      const bytes = only !== undefined ? only.bytes : Buffer.concat(group.map((c) => c.bytes));
      const records = only !== undefined ? only.records : group.reduce((n, c) => n + c.records, 0);
      writes.push(this.#file(path).append(bytes, records));
    }
    // A batch with records not written rejects: the SDK then acknowledges it as not written, and
    // the worker counts it as dropped (the plugin's own stats say exactly which records).
    return Promise.all(writes).then((results) => {
      const lost = results.filter((ok) => !ok).length;
      if (lost > 0) {
        throw new AccessLogError(ACCESS_LOG_ERROR_CODES.write, `batch ${batch.seq} of worker pid ${batch.pid}: ${lost} of ${results.length} file write(s) did not happen (see the earlier lines)`);
      }
    });
  }

  /** Reopens every open file at its path, each between two of its batches. */
  async reopen(): Promise<void> {
    await Promise.all([...this.#files.values()].map((file) => file.reopen()));
    this.#logger.info({ files: this.#files.size }, 'access logs reopened');
  }

  stats(): AccessLogStats {
    const files: Record<string, Record<string, number>> = {};
    const totals = { records: 0, bytes: 0, write_errors: 0, records_failed: 0, records_dropped: 0, rotations: 0, rotation_errors: 0, compressions: 0, compress_errors: 0 };
    for (const [path, stats] of this.#stats.paths) {
      files[path] = stats.toJSON();
      totals.records += stats.records;
      totals.bytes += stats.bytes;
      totals.write_errors += stats.writeErrors;
      totals.records_failed += stats.recordsFailed;
      totals.records_dropped += stats.recordsDropped;
      totals.rotations += stats.rotations;
      totals.rotation_errors += stats.rotationErrors;
      totals.compressions += stats.compressions;
      totals.compress_errors += stats.compressErrors;
    }
    const workers = [...this.#sequences.workers].map((w) => ({
      pid: w.pid,
      worker_id: w.workerId,
      last_seq: w.lastSeq,
      batches: w.batches,
      batches_lost: w.batchesLost,
      batches_duplicate: w.batchesDuplicate,
      dropped: w.dropped,
    }));
    const sequences = this.#sequences.totals();
    return {
      files,
      workers,
      totals: {
        ...totals,
        batches: sequences.batches,
        batches_lost: sequences.batchesLost,
        batches_duplicate: sequences.batchesDuplicate,
        worker_dropped: sequences.dropped,
        invalid_records: this.#stats.invalidRecords,
      },
    };
  }

  /** Resolves when the rotated-file sweeps queued so far are done (for tests and shutdown). */
  housekeepingIdle(): Promise<void> {
    return this.#housekeeper.idle();
  }

  /** Writes what is queued, closes every file, stops a compression in progress. */
  async close(): Promise<void> {
    await Promise.all([...this.#files.values()].map((file) => file.close()));
    await this.#housekeeper.close();
  }

  /** One entry of `lines` checked against the wire contract; what is wrong with it when it breaks it. */
  #chunk(batch: LogByteBatch, entry: unknown): Chunk | string {
    if (typeof entry !== 'object' || entry === null) return `expected an object, found ${kindOf(entry)}`;
    const { log, records, bytes } = entry as { log?: unknown; records?: unknown; bytes?: unknown };
    if (!isCount(log) || log >= batch.logs.length) return `expected "log" to index "logs" (${batch.logs.length} entries), found ${JSON.stringify(log) ?? 'none'}`;
    const path = (batch.logs[log] as { path?: unknown } | undefined)?.path;
    if (typeof path !== 'string' || path === '') return `expected logs[${log}] to have a path, found ${JSON.stringify(path) ?? 'none'}`;
    if (!(bytes instanceof Uint8Array)) return `expected "bytes" to be bytes, found ${kindOf(bytes)}`;
    // Every line ends with a newline, so bytes that do not would run into the next write.
    if (bytes.length > 0 && bytes[bytes.length - 1] !== NEWLINE) {
      return `expected "bytes" to end with a newline, found ${JSON.stringify(Buffer.from(bytes.subarray(-20)).toString('utf8'))} at its end`;
    }
    // The worker counted the lines as it formatted them. Counting them again here, byte by byte,
    // took ~0.2 of the ~1.3 ms this plugin spends on a batch of 1000 lines; only a count that
    // cannot be right is refused.
    if (!isCount(records) || (records === 0) !== (bytes.length === 0)) {
      return `expected "records" to be the number of lines in "bytes" (${bytes.length === 0 ? 'none' : 'at least one'}), found ${JSON.stringify(records) ?? 'none'}`;
    }
    // Relative paths resolve against the plugin's working directory (the supervisor's).
    return { path: this.#resolved(path), records, bytes };
  }

  #resolved(path: string): string {
    let absolute = this.#paths.get(path);
    if (absolute === undefined) {
      absolute = resolve(path);
      this.#paths.set(path, absolute);
    }
    return absolute;
  }

  #file(path: string): LogFile {
    let file = this.#files.get(path);
    if (file === undefined) {
      file = new LogFile({
        path,
        rotation: this.#config.rotation,
        maxPending: this.#config.maxPending,
        stats: this.#stats.forPath(path),
        events: {
          firstOpened: (p) => this.#housekeeper.schedule(p),
          rotated: (p) => this.#housekeeper.schedule(p),
          problem: (p, code, error) => this.#problem(p, code, error),
        },
      });
      this.#files.set(path, file);
    }
    return file;
  }

  #invalid(batch: LogByteBatch, problem: string, records: number): void {
    this.#stats.invalidRecords += records;
    this.#log.log(
      'warn',
      `invalid:${batch.pid}`,
      { code: ACCESS_LOG_ERROR_CODES.batchInvalid, pid: batch.pid, workerId: batch.workerId, seq: batch.seq, records },
      `worker ${batch.workerId} (pid ${batch.pid}) batch ${batch.seq}: ${problem}; ${records} record(s) skipped`,
    );
  }

  #problem(path: string, code: AccessLogErrorCode, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.#log.log(code === ACCESS_LOG_ERROR_CODES.overloaded ? 'warn' : 'error', `${code}:${path}`, { code, path }, message);
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

const NEWLINE = 0x0a;

/** Newlines in `bytes` (each line ends with one). */
function lineCount(bytes: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === NEWLINE) count++;
  return count;
}

function kindOf(value: unknown): string {
  return Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value;
}
