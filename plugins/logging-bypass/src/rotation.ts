/**
 * When a log file rolls, what the rolled file is called, and which rolled files to delete.
 *
 * Names: `<path>.<local time of the rotation>[-<n>][.gz]`, e.g.
 * `/var/log/mosn/access.log.2024-05-01T00-00-00.000` then `….000.gz` once compressed; `-<n>`
 * only when two rotations fall in the same millisecond. Like logrotate's `dateext`, a name never
 * changes after it is given (no `.1` → `.2` renaming chain while a compression may be reading it),
 * and names sort in the order the files were rolled.
 *
 * Time rotation happens at multiples of the interval in local time: "24h" rolls at midnight,
 * "1h" on the hour, "15m" at :00, :15, :30, :45.
 */
import { lstat, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const MINUTE_MS = 60_000;

/** Which interval-long slice of local time `epochMs` falls in. */
export function periodOf(epochMs: number, intervalMs: number): number {
  const localMs = epochMs - new Date(epochMs).getTimezoneOffset() * MINUTE_MS;
  return Math.floor(localMs / intervalMs);
}

/** Epoch ms at which the period after the one holding `epochMs` starts. */
export function nextPeriodStart(epochMs: number, intervalMs: number): number {
  const localStart = (periodOf(epochMs, intervalMs) + 1) * intervalMs;
  return localStart + new Date(epochMs).getTimezoneOffset() * MINUTE_MS;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `2024-05-01T00-00-00.000`, local time (no ":" so that the name is safe everywhere). */
export function rotationStamp(epochMs: number): string {
  const d = new Date(epochMs);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}-${pad(d.getMinutes())}-${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
  );
}

const ROTATED = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})\.(\d{3})(?:-(\d+))?(\.gz(?:\.tmp)?)?$/;

/** One rotation of a log: its file, its compressed file, or both (while being compressed). */
export interface RotatedLog {
  /** `<path>.<stamp>[-<n>]`, the name without `.gz`. */
  readonly name: string;
  /** When it was rolled (from the name, local time). */
  readonly rotatedAt: number;
  readonly counter: number;
  plain: boolean;
  gz: boolean;
  /** A `.gz.tmp` exists: a compression in progress, or one that died half-way. */
  tmp: boolean;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * A name for the file rolled at `epochMs` that nothing uses yet (neither as it is, nor
 * compressed, nor being compressed).
 */
export async function freeRotatedName(path: string, epochMs: number): Promise<string> {
  const base = `${path}.${rotationStamp(epochMs)}`;
  for (let n = 0; ; n++) {
    const name = n === 0 ? base : `${base}-${n}`;
    if (!(await exists(name)) && !(await exists(`${name}.gz`)) && !(await exists(`${name}.gz.tmp`))) return name;
  }
}

/** The rotated files of `path` in its directory, oldest first. */
export async function listRotated(path: string): Promise<RotatedLog[]> {
  const dir = dirname(path);
  const prefix = `${basename(path)}.`;
  const byName = new Map<string, RotatedLog>();
  for (const entry of await readdir(dir)) {
    if (!entry.startsWith(prefix)) continue;
    const match = ROTATED.exec(entry.slice(prefix.length));
    if (match === null) continue;
    const [, y, mo, d, h, mi, s, ms, counter, suffix] = match;
    const name = join(dir, suffix === undefined ? entry : entry.slice(0, -suffix.length));
    let rotated = byName.get(name);
    if (rotated === undefined) {
      rotated = {
        name,
        rotatedAt: new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(ms)).getTime(),
        counter: counter === undefined ? 0 : Number(counter),
        plain: false,
        gz: false,
        tmp: false,
      };
      byName.set(name, rotated);
    }
    if (suffix === undefined) rotated.plain = true;
    else if (suffix === '.gz') rotated.gz = true;
    else rotated.tmp = true;
  }
  return [...byName.values()].sort((a, b) => a.rotatedAt - b.rotatedAt || a.counter - b.counter);
}

/**
 * The rotations to delete: all but the newest `keep`, and those rolled more than `maxAgeMs`
 * before `now`. (Half-written `.gz.tmp` files alone are not a rotation: they are left to the
 * compressor's cleanup.)
 */
export function rotationsToDelete(rotated: readonly RotatedLog[], keep: number, maxAgeMs: number | undefined, now: number): RotatedLog[] {
  const real = rotated.filter((r) => r.plain || r.gz);
  const excess = Math.max(0, real.length - keep);
  return real.filter((r, i) => i < excess || (maxAgeMs !== undefined && r.rotatedAt < now - maxAgeMs));
}
