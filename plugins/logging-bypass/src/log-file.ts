/**
 * One access log file: opened on its first batch, appended to with one write per batch, rolled
 * by size and time, reopened on request. Everything that touches the file goes through one
 * serial queue, queued synchronously when the batch arrives, so batches land in arrival order
 * and a rotation or a reopen falls exactly between two batches:
 *
 *   batch ─► append(chunk) ─┐
 *   timer ─► tick ──────────┼─► queue ─► [open if closed] ─► [rotate if due] ─► write(chunk)
 *   reopenLogs ─► reopen ───┘                                   │
 *                                                               └─► onRotated ─► housekeeping
 *
 * Nothing is written twice: a failed write is counted and never retried (part of it may be in
 * the file already; the next write then starts on a new line). A failed open is retried with
 * the next batch. Directories are not created: a missing one is an error to fix, not a reason to
 * create a tree wherever a typo points.
 */
import type { FileHandle } from 'node:fs/promises';
import { open, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RotationConfig } from './config.js';
import { ACCESS_LOG_ERROR_CODES, AccessLogError, messageOf, systemCode } from './errors.js';
import type { AccessLogErrorCode } from './errors.js';
import { freeRotatedName, nextPeriodStart, periodOf } from './rotation.js';
import { SerialQueue } from './serial-queue.js';
import type { PathStats } from './stats.js';

export interface LogFileEvents {
  /** The file was opened for the first time in this process (sweep leftovers of a previous run). */
  firstOpened(path: string): void;
  /** The file was rolled (compress and prune the rotated files). */
  rotated(path: string): void;
  /** Something failed; the stats already count it. */
  problem(path: string, code: AccessLogErrorCode, error: unknown): void;
}

export interface LogFileOptions {
  readonly path: string;
  readonly rotation: RotationConfig;
  /** Bytes that may wait for this file; beyond it a batch is dropped and counted. */
  readonly maxPending: number;
  readonly stats: PathStats;
  readonly events: LogFileEvents;
}

const NEWLINE = Buffer.from('\n');
const MAX_TIMER_MS = 2 ** 31 - 1;
// The plugin's stdout carries only the handshake line; a log there would corrupt it.
const STDOUT_PATHS = new Set(['/dev/stdout', '/dev/fd/1', '/proc/self/fd/1']);

export class LogFile {
  readonly path: string;
  readonly #options: LogFileOptions;
  readonly #queue = new SerialQueue();
  #handle: FileHandle | undefined;
  #identity: { dev: number; ino: number } | undefined;
  /** A regular file: rolled by size and time (a FIFO or /dev/stderr is not). */
  #regular = true;
  #size = 0;
  #period = 0;
  /** A write failed half-way: the file ends without a newline. */
  #brokenLine = false;
  #timer: NodeJS.Timeout | undefined;
  #opened = false;
  #closed = false;

  constructor(options: LogFileOptions) {
    this.path = options.path;
    this.#options = options;
  }

  /** Queues `chunk` (whole lines of `records` records). Never rejects: failures are counted. */
  /** Resolves true once written, false when the records were dropped or the write failed (counted either way). */
  append(chunk: Uint8Array, records: number): Promise<boolean> {
    const stats = this.#options.stats;
    if (this.#closed || (stats.pendingBytes > 0 && stats.pendingBytes + chunk.length > this.#options.maxPending)) {
      stats.recordsDropped += records;
      this.#options.events.problem(
        this.path,
        ACCESS_LOG_ERROR_CODES.overloaded,
        new AccessLogError(
          ACCESS_LOG_ERROR_CODES.overloaded,
          this.#closed
            ? `access log ${this.path}: expected an open log, found it closed (the plugin is stopping); ${records} record(s) dropped`
            : `access log ${this.path}: expected at most ${this.#options.maxPending} bytes waiting (max_pending), found ${stats.pendingBytes} + ${chunk.length}; ${records} record(s) dropped`,
        ),
      );
      return Promise.resolve(false);
    }
    stats.pendingBytes += chunk.length;
    return this.#queue.run(async () => {
      try {
        return await this.#write(chunk, records);
      } finally {
        stats.pendingBytes -= chunk.length;
      }
    });
  }

  /** Closes and reopens the file at its path, between two batches (logrotate moved it). */
  reopen(): Promise<void> {
    return this.#queue.run(async () => {
      if (this.#handle === undefined) return; // closed or failed: the next batch opens the path anyway
      await this.#closeHandle();
      try {
        await this.#open();
      } catch (error) {
        this.#failed(error, 0); // retried with the next batch
      }
    });
  }

  /** Writes what is queued, then closes. Later batches are dropped (counted). */
  close(): Promise<void> {
    this.#closed = true;
    this.#clearTimer();
    return this.#queue.run(() => this.#closeHandle());
  }

  async #write(chunk: Uint8Array, records: number): Promise<boolean> {
    const stats = this.#options.stats;
    let written = 0;
    try {
      if (this.#handle === undefined) await this.#open();
      const now = Date.now();
      if (this.#rotationDue(now, chunk.length)) await this.#rotate(now);
      const handle = this.#handle as FileHandle | undefined;
      if (handle === undefined) throw new AccessLogError(ACCESS_LOG_ERROR_CODES.open, `access log ${this.path}: expected an open file after rotation, found none`);
      const data = this.#brokenLine ? Buffer.concat([NEWLINE, chunk]) : chunk;
      while (written < data.length) {
        const { bytesWritten } = await handle.write(data, written, data.length - written);
        if (bytesWritten === 0) throw new Error(`expected bytes to be written, found 0 of ${data.length - written} accepted`);
        written += bytesWritten;
      }
      this.#brokenLine = false;
      this.#size += data.length;
      stats.records += records;
      stats.bytes += data.length;
      stats.writes++;
      return true;
    } catch (error) {
      if (written > 0) this.#brokenLine = true;
      this.#failed(error, records);
      await this.#closeHandle(); // reopened (and the error retried) with the next batch
      return false;
    }
  }

  #failed(error: unknown, records: number): void {
    const stats = this.#options.stats;
    stats.writeErrors++;
    stats.recordsFailed += records;
    const typed =
      error instanceof AccessLogError
        ? error
        : new AccessLogError(
            ACCESS_LOG_ERROR_CODES.write,
            `cannot write access log ${this.path}: expected the write to succeed, found ${messageOf(error)}; ${records} record(s) lost`,
            { cause: error },
          );
    this.#options.events.problem(this.path, typed.code, typed);
  }

  async #open(): Promise<void> {
    if (STDOUT_PATHS.has(this.path)) {
      throw new AccessLogError(
        ACCESS_LOG_ERROR_CODES.open,
        `cannot open access log ${this.path}: expected a file, found the plugin's stdout, which carries only its handshake line (use a file or /dev/stderr)`,
      );
    }
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'a', 0o644);
    } catch (error) {
      throw openError(this.path, error);
    }
    try {
      const info = await handle.stat();
      this.#regular = info.isFile();
      this.#identity = { dev: info.dev, ino: info.ino };
      this.#size = info.size;
      if (info.size === 0) this.#brokenLine = false;
      const { intervalMs } = this.#options.rotation;
      this.#period = intervalMs > 0 ? periodOf(info.size > 0 ? info.mtimeMs : Date.now(), intervalMs) : 0;
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw openError(this.path, error);
    }
    this.#handle = handle;
    this.#armTimer();
    if (!this.#opened) {
      this.#opened = true;
      if (this.#regular) this.#options.events.firstOpened(this.path);
    }
  }

  #rotationDue(now: number, incoming: number): boolean {
    if (!this.#regular || this.#size === 0) return false;
    const { maxSize, intervalMs } = this.#options.rotation;
    if (maxSize > 0 && this.#size + incoming > maxSize) return true;
    return intervalMs > 0 && periodOf(now, intervalMs) !== this.#period;
  }

  /** Renames the file to its rotated name and opens a new one; throws only if that open fails. */
  async #rotate(now: number): Promise<void> {
    const stats = this.#options.stats;
    const identity = this.#identity;
    await this.#closeHandle();
    let rotated = false;
    try {
      const target = await freeRotatedName(this.path, now);
      const current = await stat(this.path).catch(() => undefined);
      // Someone else moved the file already (logrotate without a reopen): only reopen.
      if (current !== undefined && identity !== undefined && current.dev === identity.dev && current.ino === identity.ino) {
        await rename(this.path, target);
        rotated = true;
        stats.rotations++;
      }
    } catch (error) {
      stats.rotationErrors++;
      this.#options.events.problem(
        this.path,
        ACCESS_LOG_ERROR_CODES.rotate,
        new AccessLogError(ACCESS_LOG_ERROR_CODES.rotate, `cannot rotate access log ${this.path}: expected to rename it, found ${messageOf(error)}; writing on to it`, {
          cause: error,
        }),
      );
    }
    await this.#open();
    if (rotated) this.#options.events.rotated(this.path);
  }

  #armTimer(): void {
    this.#clearTimer();
    const { intervalMs } = this.#options.rotation;
    if (intervalMs === 0 || !this.#regular || this.#closed) return;
    const now = Date.now();
    const delay = Math.min(Math.max(nextPeriodStart(now, intervalMs) - now, 1), MAX_TIMER_MS);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#queue.run(() => this.#tick());
    }, delay);
    this.#timer.unref();
  }

  /** A period boundary passed: roll a file that has anything in it, even if no batch comes. */
  async #tick(): Promise<void> {
    if (this.#handle === undefined || this.#closed) return; // the next batch opens (and re-arms)
    const now = Date.now();
    const { intervalMs } = this.#options.rotation;
    if (periodOf(now, intervalMs) === this.#period) {
      this.#armTimer(); // woke a little early
      return;
    }
    if (this.#size === 0) {
      this.#period = periodOf(now, intervalMs);
      this.#armTimer();
      return;
    }
    try {
      await this.#rotate(now);
    } catch (error) {
      this.#failed(error, 0);
    }
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #closeHandle(): Promise<void> {
    this.#clearTimer();
    const handle = this.#handle;
    this.#handle = undefined;
    if (handle !== undefined) await handle.close().catch(() => undefined);
  }
}

function openError(path: string, error: unknown): AccessLogError {
  const code = systemCode(error);
  const expected =
    code === 'ENOENT'
      ? `expected directory ${dirname(path)} to exist (the plugin does not create directories), found ENOENT`
      : code === 'EISDIR'
        ? 'expected a file, found a directory'
        : code === 'EACCES' || code === 'EPERM'
          ? `expected write permission, found ${code}`
          : `expected to open it for appending, found ${messageOf(error)}`;
  return new AccessLogError(ACCESS_LOG_ERROR_CODES.open, `cannot open access log ${path}: ${expected}`, { cause: error });
}
