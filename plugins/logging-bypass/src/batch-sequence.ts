/**
 * Follows each worker's batch numbers (`seq`, from 1, no gaps) to count lost batches, and keeps
 * the worker's own count of dropped records (`dropped`, cumulative). Keyed by pid: a replaced
 * worker is a new pid with its own sequence.
 *
 * - `seq` = last + 1: in order. `seq` > last + 1: `seq − last − 1` batches lost (counted, warned).
 * - `seq` = 1 again: the pid was reused by a new worker; its sequence starts over.
 * - `seq` ≤ last otherwise: a batch seen already: skipped, so nothing is written twice.
 * - The first batch from a pid with `seq` > 1 (this plugin was restarted while the worker kept
 *   sending) is not a gap: what came before went to the previous plugin instance.
 */
import type { LogRecordBatch } from '@mosn/plugin-sdk';

export interface WorkerSequence {
  readonly pid: number;
  workerId: number;
  lastSeq: number;
  batches: number;
  batchesLost: number;
  batchesDuplicate: number;
  /** The worker's own count of records it dropped (queue full, plugin away). */
  dropped: number;
  lastSeenAt: number;
}

export type Observation = { readonly kind: 'accept'; readonly lost: number; readonly expected: number } | { readonly kind: 'duplicate' };

export class BatchSequences {
  readonly #workers = new Map<number, WorkerSequence>();
  readonly #limit: number;
  /** Totals of workers forgotten to keep the map bounded (many reloads). */
  #retired = { batches: 0, batchesLost: 0, batchesDuplicate: 0, dropped: 0 };

  constructor(limit = 256) {
    this.#limit = limit;
  }

  observe(batch: Pick<LogRecordBatch, 'pid' | 'workerId' | 'seq' | 'dropped'>): Observation {
    const now = Date.now();
    let worker = this.#workers.get(batch.pid);
    if (worker !== undefined && batch.seq === 1 && worker.lastSeq >= 1) {
      // The pid belongs to a new worker now: keep the old one's counts in the totals.
      this.#retire(worker);
      worker = undefined;
    }
    if (worker === undefined) {
      this.#evictIfFull();
      worker = { pid: batch.pid, workerId: batch.workerId, lastSeq: batch.seq, batches: 1, batchesLost: 0, batchesDuplicate: 0, dropped: batch.dropped, lastSeenAt: now };
      this.#workers.set(batch.pid, worker);
      return { kind: 'accept', lost: 0, expected: batch.seq };
    }
    worker.lastSeenAt = now;
    worker.workerId = batch.workerId;
    const expected = worker.lastSeq + 1;
    if (batch.seq < expected) {
      worker.batchesDuplicate++;
      return { kind: 'duplicate' };
    }
    const lost = batch.seq - expected;
    worker.lastSeq = batch.seq;
    worker.batches++;
    worker.batchesLost += lost;
    worker.dropped = Math.max(worker.dropped, batch.dropped);
    return { kind: 'accept', lost, expected };
  }

  get workers(): Iterable<WorkerSequence> {
    return this.#workers.values();
  }

  totals(): { batches: number; batchesLost: number; batchesDuplicate: number; dropped: number } {
    const totals = { ...this.#retired };
    for (const w of this.#workers.values()) {
      totals.batches += w.batches;
      totals.batchesLost += w.batchesLost;
      totals.batchesDuplicate += w.batchesDuplicate;
      totals.dropped += w.dropped;
    }
    return totals;
  }

  #evictIfFull(): void {
    if (this.#workers.size < this.#limit) return;
    let oldest: WorkerSequence | undefined;
    for (const w of this.#workers.values()) if (oldest === undefined || w.lastSeenAt < oldest.lastSeenAt) oldest = w;
    if (oldest !== undefined) this.#retire(oldest);
  }

  #retire(worker: WorkerSequence): void {
    this.#workers.delete(worker.pid);
    this.#retired.batches += worker.batches;
    this.#retired.batchesLost += worker.batchesLost;
    this.#retired.batchesDuplicate += worker.batchesDuplicate;
    this.#retired.dropped += worker.dropped;
  }
}
