// Every downstream connection of a worker, so that drain and close can reach them, and drain
// can wait until none is left.

export interface TrackedConnection {
  /**
   * Finish what is in flight, then close (HTTP: `Connection: close` on the next response).
   * An idle connection closes at a random moment within `spreadMs`.
   */
  drain(spreadMs: number): void;
  /** Close now, losing whatever is in flight. */
  destroy(): void;
}

export class ConnectionTracker {
  private readonly connections = new Set<TrackedConnection>();
  private waiters: Array<() => void> = [];

  get size(): number {
    return this.connections.size;
  }

  add(conn: TrackedConnection): void {
    this.connections.add(conn);
  }

  remove(conn: TrackedConnection): void {
    if (!this.connections.delete(conn) || this.connections.size > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves when no connection is left (now, if there is none). */
  whenEmpty(): Promise<void> {
    if (this.connections.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  drainAll(spreadMs: number): void {
    for (const conn of [...this.connections]) conn.drain(spreadMs);
  }

  /** Destroys every connection; returns how many there were. */
  destroyAll(): number {
    const all = [...this.connections];
    for (const conn of all) conn.destroy();
    return all.length;
  }
}
