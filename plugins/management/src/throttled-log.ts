/**
 * Warnings that cannot flood stderr: a sender with a malformed metric repeats it every flush
 * interval; the operator needs one line per problem every few seconds, with how many were left out.
 */
import type { PluginLogger } from '@mosn/plugin-sdk';

const MAX_KEYS = 1024;

export class ThrottledLog {
  readonly #logger: PluginLogger;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  constructor(logger: PluginLogger, options: { intervalMs?: number; now?: () => number } = {}) {
    this.#logger = logger;
    this.#intervalMs = options.intervalMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Logs unless the same `key` was logged less than the interval ago (then counts it). */
  warn(key: string, fields: Record<string, unknown>, message: string): void {
    const now = this.#now();
    const last = this.#last.get(key);
    if (last !== undefined && now - last.at < this.#intervalMs) {
      last.suppressed++;
      return;
    }
    if (this.#last.size >= MAX_KEYS) this.#last.clear();
    this.#last.set(key, { at: now, suppressed: 0 });
    const suppressed = last?.suppressed ?? 0;
    this.#logger.warn(suppressed > 0 ? { ...fields, suppressed } : fields, message);
  }
}
