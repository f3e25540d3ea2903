// A worker's access log records on their way to one logging plugin. Forwarding only appends to a
// bounded queue; batches leave on a timer or when full, as notifications nobody waits for.
//
//   push(row) ──► queue (≤ queue_size; when full the oldest tenth is dropped, counted)
//                      │ batch_size records, or flush_interval elapsed
//                      ▼
//                 plugin connected and keeping up? ──no──► stays queued (retried next flush)
//                      │ yes: sent as plugin/logRecords {seq} (lines, or rows), kept as "unacknowledged"
//                      ▼
//                 plugin/logRecordsAck {seq, written} ──► forgotten (written: false → dropped)
//                 connection lost ──► every unacknowledged batch counted as dropped, never resent
//
// So a record is written at most once, and every record that may be lost is counted.
//
// For a plugin with a logBytes or logLines hook the worker formats the lines, when the batch
// leaves: a queued row (one array) costs the garbage collector less than its line would while it
// waits. A batch's lines are written as bytes into one buffer per file, sent as those bytes
// (logBytes: nothing decoded here nor in the plugin) or decoded once into text (logLines).
import type { AccessLogBytes, AccessLogLines, AccessLogRow, AccessLogTarget, LogRecordsAckParams } from '@mosn/ipc-protocol';
import type { Logger } from 'pino';
import type { PluginClient } from '../plugin/plugin-client.js';
import { LineBuffer } from './line-buffer.js';
import { lineWriterFor } from './log-line.js';
import type { LineWriter } from './log-line.js';

export interface AccessLogBatcherOptions {
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly queueSize: number;
  readonly workerId: number;
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

/** One file's lines of a batch, in its reused buffer. */
interface FormattedFile {
  readonly log: number;
  readonly records: number;
  readonly out: LineBuffer;
}

export class AccessLogBatcher {
  readonly counters: AccessLogCounters = { records: 0, sent: 0, written: 0, dropped: 0 };
  readonly #targets: AccessLogTarget[] = [];
  /** The line writer of each target, by index. */
  readonly #writers: LineWriter[] = [];
  /** Each file's buffer, by the index in #files, reused from batch to batch. */
  readonly #fileBuffers: LineBuffer[] = [];
  /** Each target's file: the first target with its path (two formats may share a file). */
  readonly #files: number[] = [];
  #renderFailed = false;
  #sendFailed = false;
  readonly #targetIndex = new Map<string, number>();
  #queue: AccessLogRow[] = [];
  readonly #unacked = new Map<number, number>();
  #unackedRecords = 0;
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  #flushScheduled = false;
  #closed = false;
  /** batch_size, but never more than the queue holds (else no batch would ever be full). */
  readonly #batchSize: number;

  constructor(
    private readonly client: PluginClient,
    private readonly options: AccessLogBatcherOptions,
    private readonly logger: Logger,
  ) {
    this.#batchSize = Math.max(1, Math.min(options.batchSize, options.queueSize));
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

  push(row: AccessLogRow): void {
    if (this.#closed) return;
    this.counters.records += 1;
    const queue = this.#queue;
    if (queue.length >= this.options.queueSize) {
      // Drop the oldest tenth at once: one splice, not one shift per record while the plugin is away.
      const drop = Math.max(1, Math.floor(this.options.queueSize / 10));
      queue.splice(0, drop);
      this.counters.dropped += drop;
    }
    queue.push(row);
    if (queue.length >= this.#batchSize) {
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(this.#flushFull);
        // The full batch leaves now: what comes next is newer, its flush_interval starts with it
        // (under a steady load batches then leave full, not also as a partial one per tick).
        this.#clearTimer();
      }
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(this.#flush, this.options.flushIntervalMs);
    }
  }

  /** Full batches only: the rest waits for more records or for the timer. */
  readonly #flushFull = (): void => {
    this.#flushScheduled = false;
    this.#send(this.#batchSize);
  };

  /** Everything queued (the timer fired, or the worker is stopping). */
  readonly #flush = (): void => {
    this.#flushScheduled = false;
    this.#clearTimer();
    this.#send(1);
  };

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Sends batches while at least `minimum` records are queued and the plugin keeps up. */
  #send(minimum: number): void {
    const batchSize = this.#batchSize;
    const queueSize = this.options.queueSize;
    while (this.#queue.length >= minimum && this.#queue.length > 0) {
      // The plugin is not acknowledging: hold back rather than pile batches into its socket.
      if (this.#unackedRecords >= queueSize) break;
      const form = this.client.logForm();
      if (form === undefined) break;
      const rows = this.#queue.length <= batchSize ? this.#queue : this.#queue.slice(0, batchSize);
      // Formatted before anything else changes, so that a row that fails is counted once, as dropped.
      const files = form === 'bytes' || form === 'lines' ? this.#format(rows) : undefined;
      if (rows === this.#queue) this.#queue = [];
      else this.#queue.splice(0, rows.length);
      const count = files === undefined ? rows.length : files.reduce((n, f) => n + f.records, 0);
      const seq = ++this.#seq;
      const base = { workerId: this.options.workerId, pid: process.pid, seq, dropped: this.counters.dropped, logs: this.#targets, records: [] };
      // Unacknowledged from now on, so that a batch that cannot go is found there and counted.
      this.#unacked.set(seq, count);
      this.#unackedRecords += count;
      this.counters.sent += count;
      const notSent = (error: unknown): void => this.#notSent(seq, error);
      if (files === undefined) this.client.sendLogRecords({ ...base, rows }, notSent);
      else if (form === 'bytes') this.client.sendLogRecords({ ...base, bytes: files.map((f): AccessLogBytes => ({ log: f.log, records: f.records, bytes: f.out.bytes() })) }, notSent);
      else this.client.sendLogRecords({ ...base, lines: files.map((f): AccessLogLines => ({ log: f.log, records: f.records, text: f.out.take() })) }, notSent);
      // Encoded by now: the buffers are written over by the next batch.
      if (files !== undefined) for (const f of files) f.out.clear();
    }
    if (this.#queue.length > 0 && this.#timer === undefined && !this.#closed) this.#timer = setTimeout(this.#flush, this.options.flushIntervalMs);
  }

  /**
   * Rows as lines, one buffer per file, each line in the order its request finished (two logs that
   * share a path interleave as their requests did). A row its writer fails on is dropped and
   * counted (logged once).
   */
  #format(rows: readonly AccessLogRow[]): FormattedFile[] {
    const writers = this.#writers;
    const buffers = this.#fileBuffers;
    const counts: number[] = [];
    const order: number[] = [];
    for (const row of rows) {
      const log = this.#files[row[0]] as number;
      const out = (buffers[log] ??= new LineBuffer());
      const mark = out.length;
      try {
        (writers[row[0]] as LineWriter)(row, out);
        out.byte(0x0a); // a newline after every line, the last one too
      } catch (error) {
        out.truncate(mark); // nothing of a line that failed half-way is sent
        this.counters.dropped += 1;
        if (!this.#renderFailed) this.logger.error({ err: error, path: this.#targets[row[0]]?.path }, 'an access log record could not be formatted; dropped and counted (logged once)');
        this.#renderFailed = true;
        continue;
      }
      const count = counts[log];
      if (count === undefined) {
        counts[log] = 1;
        order.push(log);
      } else {
        counts[log] = count + 1;
      }
    }
    return order.map((log) => ({ log, records: counts[log] as number, out: buffers[log] as LineBuffer }));
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
    if (this.#queue.length >= this.#batchSize && !this.#flushScheduled) {
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
    while ((this.#unackedRecords > 0 || this.#queue.length > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      if (this.#queue.length > 0) this.#flush();
    }
    this.close();
    this.#connectionLost();
  }

  /** Sends what it can now (drain, stop); whatever cannot go is counted as dropped. */
  close(): void {
    this.#flush();
    this.#closed = true;
    this.#clearTimer();
    this.counters.dropped += this.#queue.length;
    this.#queue = [];
  }
}
