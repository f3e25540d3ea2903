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

/** A value that cannot hold `"`, `\` or a control character (a method, an address, a flag): only "" is `-`. */
export function plainValue(value: string): string {
  return value === '' ? MISSING : value;
}

// ".001" … ".999" without trailing zeros ("" for 0): a duration's fraction is one lookup.
const FRACTIONS = Array.from({ length: 1000 }, (_, i) => (i === 0 ? '' : '.' + String(i).padStart(3, '0').replace(/0+$/, '')));

/**
 * Milliseconds with at most 3 fraction digits and no trailing zeros, as `String(ms)` would print
 * them rounded to microseconds (`0.25`, `12.346`, `15`), without the cost of printing a double;
 * undefined when the step did not happen (negative).
 */
export function durationDigits(value: number): string | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  const us = Math.round(value * 1000);
  const whole = Math.floor(us / 1000);
  return String(whole) + (FRACTIONS[us - whole * 1000] as string);
}

export function durationText(value: number): string {
  return durationDigits(value) ?? MISSING;
}

export function countText(value: number): string {
  return Number.isFinite(value) && value >= 0 ? String(Math.trunc(value)) : MISSING;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function pad3(n: number): string {
  return n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n);
}

/**
 * `2006/01/02 15:04:05.000` in local time. Records of one batch mostly start within the same
 * second, so the date part is computed once per second (one Date per second instead of per record).
 */
export function createStartTimeFormatter(): (epochMs: number) => string {
  let second = Number.NaN;
  let prefix = '';
  return (epochMs) => {
    if (!Number.isFinite(epochMs) || epochMs <= 0) return MISSING;
    const ms = Math.floor(epochMs);
    const s = Math.floor(ms / 1000);
    if (s !== second) {
      const d = new Date(s * 1000);
      prefix = `${d.getFullYear()}/${pad2(d.getMonth() + 1)}/${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.`;
      second = s;
    }
    return prefix + pad3(ms - s * 1000);
  };
}

/** The value of `name` in header pairs (name, value, …); undefined when absent. */
export function pairValue(pairs: readonly string[] | null, name: string): string | undefined {
  if (pairs === null) return undefined;
  for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === name) return pairs[i + 1];
  return undefined;
}
