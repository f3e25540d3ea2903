// Durations as MOSN writes them: Go's time.ParseDuration syntax ("30s", "250ms", "1m30s", "1.5h",
// "0"), turned into milliseconds, the unit Node's timers take.

import { CONFIG_ERROR_CODES, ConfigError } from './errors.js';

/** What a duration looks like, for error messages. */
export const DURATION_EXPECTED = 'a duration such as "30s", "250ms", "1m30s" or "0"';

/**
 * Largest value Node's timers accept (2^31-1 ms, about 24.8 days). A larger delay makes setTimeout
 * fire at once, so the schema rejects longer durations instead of letting a timeout become "now".
 */
export const MAX_TIMER_MS = 2_147_483_647;

// Nanoseconds per unit, as BigInt so that "1.1s" is exactly 1100 ms and not 1100.0000000000002.
const UNIT_NS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n], // micro sign, accepted by Go
  ['\u03bcs', 1_000n], // Greek small letter mu, accepted by Go
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

// One component: digits with an optional fraction (at least one digit overall), then a unit.
const COMPONENT = /(\d*)(?:\.(\d*))?([a-z\u00b5\u03bc]+)/y;
const NS_PER_MS = 1_000_000n;
// Go stores durations as int64 nanoseconds; anything larger is an overflow there too.
const MAX_NS = 9_223_372_036_854_775_807n;

/**
 * Parses a Go duration string into milliseconds. Sub-millisecond remainders round up, so that a
 * non-zero duration never becomes 0 (which means "never" for idle timeouts). Negative durations
 * are rejected: no setting here has a meaning for them.
 * @throws ConfigError with code MOSN_ERR_CONFIG_INVALID_DURATION
 */
export function parseDuration(text: string): number {
  const ms = tryParseDuration(text);
  if (ms === undefined) {
    throw new ConfigError(
      CONFIG_ERROR_CODES.INVALID_DURATION,
      `expected ${DURATION_EXPECTED}, found ${JSON.stringify(text)}`,
    );
  }
  return ms;
}

/** As parseDuration, but returns undefined instead of throwing. */
export function tryParseDuration(text: string): number | undefined {
  // Go accepts a leading '+'; a '-' fails the component pattern, which rejects negatives.
  const s = text.startsWith('+') ? text.slice(1) : text;
  if (s === '0') return 0;
  if (s === '') return undefined;
  let ns = 0n;
  COMPONENT.lastIndex = 0;
  while (COMPONENT.lastIndex < s.length) {
    const m = COMPONENT.exec(s);
    if (m === null) return undefined;
    const whole = m[1] ?? '';
    const fraction = m[2] ?? '';
    const unit = UNIT_NS.get(m[3] ?? '');
    if (unit === undefined || (whole === '' && fraction === '')) return undefined;
    ns += BigInt(whole === '' ? '0' : whole) * unit;
    if (fraction !== '') ns += (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
    if (ns > MAX_NS) return undefined;
  }
  return Number((ns + NS_PER_MS - 1n) / NS_PER_MS);
}

/**
 * Formats milliseconds as a duration string that parseDuration reads back: "1h30m", "1m30s",
 * "250ms", "0s". Fractions of a millisecond are rounded.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new RangeError(`expected a non-negative finite number of milliseconds, found ${ms}`);
  }
  let rest = Math.round(ms);
  if (rest === 0) return '0s';
  let out = '';
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}
