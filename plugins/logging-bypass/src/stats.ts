/**
 * Counters of what the plugin did, per log path, answered to `call` with `{ op: "stats" }`.
 * Counters are exact (log lines about the same problems are throttled, these are not).
 */

export class PathStats {
  /** Records written to the file. */
  records = 0;
  bytes = 0;
  /** Writes done (one per batch and file). */
  writes = 0;
  /** Failed opens and writes. */
  writeErrors = 0;
  /** Records not written because an open or a write failed. */
  recordsFailed = 0;
  /** Records not written because more than `max_pending` bytes were waiting. */
  recordsDropped = 0;
  rotations = 0;
  rotationErrors = 0;
  compressions = 0;
  compressErrors = 0;
  /** Rotated files deleted (beyond `keep`, or older than `max_age`). */
  deleted = 0;
  pendingBytes = 0;

  toJSON(): Record<string, number> {
    return {
      records: this.records,
      bytes: this.bytes,
      writes: this.writes,
      write_errors: this.writeErrors,
      records_failed: this.recordsFailed,
      records_dropped: this.recordsDropped,
      rotations: this.rotations,
      rotation_errors: this.rotationErrors,
      compressions: this.compressions,
      compress_errors: this.compressErrors,
      deleted: this.deleted,
      pending_bytes: this.pendingBytes,
    };
  }
}

export class StatsRegistry {
  readonly #paths = new Map<string, PathStats>();
  /** Records whose `log` index names no entry of the batch's `logs`. */
  invalidRecords = 0;

  forPath(path: string): PathStats {
    let stats = this.#paths.get(path);
    if (stats === undefined) {
      stats = new PathStats();
      this.#paths.set(path, stats);
    }
    return stats;
  }

  get paths(): ReadonlyMap<string, PathStats> {
    return this.#paths;
  }
}
