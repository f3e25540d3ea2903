/**
 * How each value of an access log record is written in a text line (a missing value is always `-`):
 * - `start_time`: local time as MOSN prints it, `2006/01/02 15:04:05.000`.
 * - durations: milliseconds as a decimal number, at most 3 fraction digits (`0.25`, `12`);
 *   `-` when the step did not happen (the row says -1).
 * - byte counts and `response_code`: decimal integers; `response_code` 0 (nothing sent) is `-`.
 * - strings (method, path, addresses, headers, …): as received; `"`, `\` and control characters
 *   are written as `\xHH` (nginx's escaping) so that one record is always one line.
 */

export const MISSING = '-';

const UNSAFE = /["\\\u0000-\u001f\u007f]/;
const UNSAFE_ALL = /["\\\u0000-\u001f\u007f]/g;

function hexEscape(char: string): string {
  return `\\x${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
}

/** A string value for a text line: `-` when empty, unsafe characters as `\xHH`. */
export function textValue(value: string | null | undefined): string {
  if (typeof value !== 'string' || value === '') return MISSING;
  return UNSAFE.test(value) ? value.replace(UNSAFE_ALL, hexEscape) : value;
}

// ".001" … ".999" without trailing zeros ("" for 0): a duration's fraction is one lookup.
export const DURATION_FRACTIONS: readonly string[] = Array.from({ length: 1000 }, (_, i) => (i === 0 ? '' : '.' + String(i).padStart(3, '0').replace(/0+$/, '')));

/**
 * Milliseconds with at most 3 fraction digits and no trailing zeros, as `String(ms)` would print
 * them rounded to microseconds (`0.25`, `12.346`, `15`), without the cost of printing a double;
 * undefined when the step did not happen (negative).
 */
export function durationDigits(value: number): string | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  const us = Math.round(value * 1000);
  const whole = Math.floor(us / 1000);
  return String(whole) + (DURATION_FRACTIONS[us - whole * 1000] as string);
}

/** The value of `name` in header pairs (name, value, …); undefined when absent. */
export function pairValue(pairs: readonly string[] | null, name: string): string | undefined {
  if (pairs === null) return undefined;
  for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === name) return pairs[i + 1];
  return undefined;
}
