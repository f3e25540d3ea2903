// A worker's access log records on their way to one logging plugin. Forwarding only notes the
// exchange (exchange-capture.ts) or appends to a bounded queue; batches leave on a timer or when
// full, as notifications nobody waits for.
//
//   capture(exchange) ──► 256 captured, or a flush ──► one row per log of its listener
//                                                        │
//   push(row) ──────────────────────────────────────────┴──► formatted lines + queued rows
//                      │   (≤ queue_size together; when full the oldest are dropped, counted:
//                      │   the formatted lines, then a tenth of the rows)
//                      │ batch_size records (or 4 MiB of lines), or flush_interval elapsed
//                      ▼
//                 plugin connected and keeping up? ──no──► stays queued (retried next flush)
//                      │ yes: sent as plugin/logRecords {seq} (lines, or rows), kept as "unacknowledged"
//                      ▼
//                 plugin/logRecordsAck {seq, written} ──► forgotten (written: false → dropped)
//                 connection lost ──► every unacknowledged batch counted as dropped, never resent
//
// So a record is written at most once, and every record that may be lost is counted.
//
// For a plugin with a logBytes or logLines hook the worker formats the lines, a few hundred rows
// at a time while the batch fills (formatted-lines.ts). A batch's lines are written as bytes into
// one buffer per file, sent as those bytes (logBytes: nothing decoded here nor in the plugin) or
// decoded once into text (logLines). While the plugin is away or not keeping up, rows wait as
// they are (nothing is formatted that may be dropped).
import type { AccessLogBytes, AccessLogLines, AccessLogRow, AccessLogTarget, LogRecordsAckParams, LogRecordsParams } from '@mosn/ipc-protocol';
import type { Logger } from 'pino';
import type { PluginClient } from '../plugin/plugin-client.js';
import type { ExchangeView } from './access-log-recorder.js';
import { ExchangeCapture } from './exchange-capture.js';
import type { CaptureSource } from './exchange-capture.js';
import { FormattedLines } from './formatted-lines.js';
import { lineWriterFor } from './log-line.js';
import type { LineWriter } from './log-line.js';

/** Rows formatted at a time while a batch fills: a hot loop, and a short stall. */
const FORMAT_AHEAD_ROWS = 256;
/** Exchanges captured before they become rows (also at every flush). */
const CAPTURE_EXCHANGES = 256;
/**
 * A batch of lines also leaves when this many bytes are formatted, so that long lines never make
 * a frame near the IPC limit (16 MiB): 16 000 lines of ~260 bytes each.
 */
export const DEFAULT_MAX_BATCH_BYTES = 4 * 1024 * 1024;
/**
 * Rows sent as they are (a plugin that takes records) go at most this many a batch: their frame's
 * size is not known before it is encoded, and 4000 rows were the batch before batch_size grew.
 */
const MAX_ROWS_PER_BATCH = 4000;

export interface AccessLogBatcherOptions {
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly queueSize: number;
  readonly workerId: number;
  /** Formatted bytes at which a batch of lines leaves without waiting for batch_size records (DEFAULT_MAX_BATCH_BYTES). */
  readonly maxBatchBytes?: number;
}

export interface AccessLogCounters {
  /** Records handed to the batcher. */
  records: number;
  /** Records sent to the plugin (some may still await their acknowledgement). */
  sent: number;
  /** Records the plugin acknowledged as written. */
  written: number;
  /** Records dropped: queue full, plugin away too long, unacknowledged when it went, or not written. */
  dropped: number;
}

/** What every plugin/logRecords batch carries besides its records. */
type BatchBase = Pick<LogRecordsParams, 'workerId' | 'pid' | 'seq' | 'dropped' | 'logs' | 'records'>;

export class AccessLogBatcher {
  readonly counters: AccessLogCounters = { records: 0, sent: 0, written: 0, dropped: 0 };
  readonly #targets: AccessLogTarget[] = [];
  /** The line writer of each target, by index. */
  readonly #writers: LineWriter[] = [];
  /** Each target's file: the first target with its path (two formats may share a file). */
  readonly #files: number[] = [];
  /** The oldest records waiting, already formatted (never more than a batch). */
  readonly #lines: FormattedLines;
  #renderFailed = false;
  #sendFailed = false;
  readonly #targetIndex = new Map<string, number>();
  #queue: AccessLogRow[] = [];
  /** Exchanges ended since the last rows were made: newer than everything queued. */
  readonly #capture = new ExchangeCapture(CAPTURE_EXCHANGES);
  readonly #unacked = new Map<number, number>();
  #unackedRecords = 0;
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  #flushScheduled = false;
  #closed = false;
  /** batch_size, but never more than the queue holds (else no batch would ever be full). */
  readonly #batchSize: number;
  readonly #maxBatchBytes: number;

  constructor(
    private readonly client: PluginClient,
    private readonly options: AccessLogBatcherOptions,
    private readonly logger: Logger,
  ) {
    this.#batchSize = Math.max(1, Math.min(options.batchSize, options.queueSize));
    this.#maxBatchBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    this.#lines = new FormattedLines(this.#writers, this.#files, (error, row) => this.#formatFailed(error, row));
    client.onLogRecords({ acked: (ack) => this.#acked(ack), connectionLost: () => this.#connectionLost() });
  }

  /** The index records use for this log target (the same path and format share one). */
  target(path: string, format: string | undefined): number {
    const key = path + '\0' + (format ?? '');
    let index = this.#targetIndex.get(key);
    if (index === undefined) {
      index = this.#targets.length;
      this.#targets.push(format === undefined ? { path } : { path, format });
      this.#writers.push(lineWriterFor(format));
      const first = this.#targets.findIndex((t) => t.path === path);
      this.#files.push(first);
      this.#targetIndex.set(key, index);
    }
    return index;
  }

  /**
   * Notes an exchange that ended, for one row per log of `source` (see ExchangeCapture.add for
   * the arguments). The rows are made 256 exchanges at a time, or when the batch is flushed.
   */
  capture(source: CaptureSource, x: ExchangeView, end: number, path: string, requestId: string, requestPairs: readonly string[] | null, responsePairs: readonly string[] | null): void {
    if (this.#closed) return;
    this.counters.records += source.plans.length;
    if (this.#capture.add(source, x, end, path, requestId, requestPairs, responsePairs)) this.#makeRows();
    else if (this.#timer === undefined) this.#timer = setTimeout(this.#flush, this.options.flushIntervalMs);
  }

  /** Queues one row (a record already made: tests, and the rows of captured exchanges). */
  push(row: AccessLogRow): void {
    if (this.#closed) return;
    this.counters.records += 1;
    this.#enqueue(row);
  }

  /** The captured exchanges become rows, queued after everything else. */
  #makeRows(): void {
    if (this.#capture.size === 0) return;
    // What to add to a performance.now() reading for epoch milliseconds (the start times): one
    // clock pair per chunk instead of a Date.now() per request.
    this.#capture.drain(this.#enqueue, Date.now() - performance.now());
  }

  readonly #enqueue = (row: AccessLogRow): void => {
    const lines = this.#lines;
    if (lines.records + this.#queue.length >= this.options.queueSize) this.#dropOldest();
    const queue = this.#queue;
    queue.push(row);
    const waiting = lines.records + queue.length;
    if (waiting >= this.#batchSize) {
      this.#batchFull();
    } else {
      // Past maxBatchBytes nothing more is formatted ahead: the rows wait for the next batch, so
      // that a batch overshoots the limit by one chunk at most.
      if (queue.length >= FORMAT_AHEAD_ROWS && lines.bytes < this.#maxBatchBytes && this.#formatsAhead()) {
        lines.add(queue);
        this.#queue = [];
        if (lines.bytes >= this.#maxBatchBytes) return this.#batchFull();
      }
      if (this.#timer === undefined) this.#timer = setTimeout(this.#flush, this.options.flushIntervalMs);
    }
  };

  /** A batch is full (records or bytes): it leaves in this turn. */
  #batchFull(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(this.#flushFull);
    // The full batch leaves now: what comes next is newer, its flush_interval starts with it
    // (under a steady load batches then leave full, not also as a partial one per tick).
    this.#clearTimer();
  }

  /** Whether at least `minimum` records wait, or a batch's worth of bytes is formatted. */
  #enoughToSend(minimum: number): boolean {
    return this.#lines.records + this.#queue.length >= Math.max(1, minimum) || this.#lines.bytes >= this.#maxBatchBytes;
  }

  /** The queue is full: the formatted lines go first (the oldest), then the oldest tenth of the rows. */
  #dropOldest(): void {
    const lines = this.#lines;
    if (lines.records > 0) {
      this.counters.dropped += lines.records;
      lines.clear();
    }
    if (this.#queue.length >= this.options.queueSize) {
      // One splice, not one shift per record while the plugin is away.
      const drop = Math.max(1, Math.floor(this.options.queueSize / 10));
      this.#queue.splice(0, drop);
      this.counters.dropped += drop;
    }
  }

  /** Only for a plugin that takes lines, connected and keeping up: lines that may be dropped are not worth formatting. */
  #formatsAhead(): boolean {
    if (this.#unackedRecords >= this.options.queueSize) return false;
    const form = this.client.logForm();
    return form === 'bytes' || form === 'lines';
  }

  /** Full batches only: the rest waits for more records or for the timer. */
  readonly #flushFull = (): void => {
    this.#flushScheduled = false;
    this.#send(this.#batchSize);
  };

  /** Everything queued and captured (the timer fired, or the worker is stopping). */
  readonly #flush = (): void => {
    this.#flushScheduled = false;
    this.#clearTimer();
    this.#makeRows();
    this.#send(1);
  };

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Sends batches while at least `minimum` records wait and the plugin keeps up. */
  #send(minimum: number): void {
    const batchSize = this.#batchSize;
    const queueSize = this.options.queueSize;
    const lines = this.#lines;
    while (this.#enoughToSend(minimum)) {
      // The plugin is not acknowledging: hold back rather than pile batches into its socket.
      if (this.#unackedRecords >= queueSize) break;
      const form = this.client.logForm();
      if (form === undefined) break;
      if (form !== 'bytes' && form !== 'lines') {
        if (lines.records > 0) this.#dropLines('the logging plugin now takes records, not lines');
        if (this.#queue.length === 0) continue;
        const most = Math.min(batchSize, MAX_ROWS_PER_BATCH);
        const rows = this.#queue.length <= most ? this.#queue : this.#queue.slice(0, most);
        if (rows === this.#queue) this.#queue = [];
        else this.#queue.splice(0, rows.length);
        this.#sendBatch(rows.length, (base, notSent) => this.client.sendLogRecords({ ...base, rows }, notSent));
        continue;
      }
      // The rest of the batch, formatted before anything else changes, so that a row that fails is
      // counted once, as dropped; a chunk at a time, up to batch_size records or maxBatchBytes.
      const take = Math.min(this.#queue.length, batchSize - lines.records);
      let taken = 0;
      while (taken < take && lines.bytes < this.#maxBatchBytes) {
        const to = Math.min(take, taken + FORMAT_AHEAD_ROWS);
        lines.add(this.#queue, taken, to);
        taken = to;
      }
      if (taken === this.#queue.length) this.#queue = [];
      else this.#queue.splice(0, taken);
      const files = lines.files();
      if (lines.records > 0) {
        this.#sendBatch(lines.records, (base, notSent) => {
          if (form === 'bytes') this.client.sendLogRecords({ ...base, bytes: files.map((f): AccessLogBytes => ({ log: f.log, records: f.records, bytes: f.out.bytes() })) }, notSent);
          else this.client.sendLogRecords({ ...base, lines: files.map((f): AccessLogLines => ({ log: f.log, records: f.records, text: f.out.take() })) }, notSent);
        });
      }
      // Encoded by now: the buffers are written over by the next batch.
      lines.clear();
    }
    if (this.#queue.length + lines.records + this.#capture.size > 0 && this.#timer === undefined && !this.#closed) this.#timer = setTimeout(this.#flush, this.options.flushIntervalMs);
  }

  /** Numbers a batch of `count` records, keeps it as unacknowledged, and hands it to `send`. */
  #sendBatch(count: number, send: (base: BatchBase, notSent: (error: unknown) => void) => void): void {
    const seq = ++this.#seq;
    const base = { workerId: this.options.workerId, pid: process.pid, seq, dropped: this.counters.dropped, logs: this.#targets, records: [] };
    // Unacknowledged from now on, so that a batch that cannot go is found there and counted.
    this.#unacked.set(seq, count);
    this.#unackedRecords += count;
    this.counters.sent += count;
    send(base, (error: unknown): void => this.#notSent(seq, error));
  }

  /** A row its writer fails on is dropped and counted (logged once). */
  #formatFailed(error: unknown, row: AccessLogRow): void {
    this.counters.dropped += 1;
    if (!this.#renderFailed) this.logger.error({ err: error, path: this.#targets[row[0]]?.path }, 'an access log record could not be formatted; dropped and counted (logged once)');
    this.#renderFailed = true;
  }

  /** Formatted lines that can no longer go (the plugin was replaced by one that takes records): dropped and counted. */
  #dropLines(why: string): void {
    const records = this.#lines.records;
    this.counters.dropped += records;
    this.#lines.clear();
    this.logger.warn({ records }, `${why}; the lines already formatted were dropped and counted`);
  }

  #acked(ack: LogRecordsAckParams): void {
    const count = this.#unacked.get(ack.seq);
    if (count === undefined) return; // already counted as lost when its connection went
    this.#unacked.delete(ack.seq);
    this.#unackedRecords -= count;
    if (ack.written) this.counters.written += count;
    else this.counters.dropped += count;
    // Room again: send a full batch that waited. Less than a batch waits for its timer: flushing
    // it on every acknowledgement made batches ping-pong at a few records each under load, and
    // the per-message cost on both sides then cost more than the records (bench/http mosn-log).
    if (this.#enoughToSend(this.#batchSize) && !this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(this.#flushFull);
    }
  }

  /**
   * A batch that never left (too large to encode, or its connection went first): its records are
   * dropped and counted now, unless the lost connection already counted them. Were it left among
   * the unacknowledged, it would hold back every later batch.
   */
  #notSent(seq: number, error: unknown): void {
    const count = this.#unacked.get(seq);
    if (count === undefined) return;
    this.#unacked.delete(seq);
    this.#unackedRecords -= count;
    this.counters.sent -= count;
    this.counters.dropped += count;
    if (!this.#sendFailed) this.logger.error({ err: error, records: count }, 'an access log batch could not be sent to the logging plugin; its records were dropped and counted (logged once)');
    this.#sendFailed = true;
  }

  #connectionLost(): void {
    if (this.#unackedRecords === 0) return;
    this.logger.warn(
      { records: this.#unackedRecords, batches: this.#unacked.size },
      'logging plugin connection lost with batches not yet acknowledged; counting them as dropped (never sent twice)',
    );
    this.counters.dropped += this.#unackedRecords;
    this.#unacked.clear();
    this.#unackedRecords = 0;
  }

  /**
   * Before the worker exits: sends what it can and waits (at most `ms`) for the plugin to
   * acknowledge; then closes, counting whatever is left, so that the counters the worker reports
   * last are final.
   */
  async settle(ms: number): Promise<void> {
    this.#flush();
    const deadline = Date.now() + ms;
    while ((this.#unackedRecords > 0 || this.#queue.length + this.#lines.records + this.#capture.size > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      if (this.#queue.length + this.#lines.records + this.#capture.size > 0) this.#flush();
    }
    this.close();
    this.#connectionLost();
  }

  /** Sends what it can now (drain, stop); whatever cannot go is counted as dropped. */
  close(): void {
    this.#flush();
    this.#closed = true;
    this.#clearTimer();
    this.counters.dropped += this.#queue.length + this.#lines.records;
    this.#queue = [];
    this.#lines.clear();
  }
}
