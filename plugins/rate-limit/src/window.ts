/**
 * Fixed windows, as Envoy's ratelimit service counts: a window of a unit starts at
 * `floor(now / unit) * unit` in Unix time (so a `day` is a UTC day) and every hit inside it
 * counts against the same counter. Every proxy (and every Redis client) that agrees on the time
 * agrees on the window.
 */
import type { RateLimitUnitName } from './config.js';

export const UNIT_MS: Readonly<Record<RateLimitUnitName, number>> = Object.freeze({
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
});

/** Start (inclusive) of the window of `unitMs` that holds `nowMs`. */
export function windowStart(nowMs: number, unitMs: number): number {
  return Math.floor(nowMs / unitMs) * unitMs;
}
