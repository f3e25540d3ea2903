// Temporary directories, waiting with deadlines, and reading log files (gzipped or not) for the
// logging-bypass tests. (The test runner also loads this file as a test file; it has no side effects.)

import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { CallResult } from '@mosn/plugin-sdk';

export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mosn-logging-bypass-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Polls `check` every 10 ms until it returns something other than undefined/false, or fails at the deadline. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`expected ${what} within ${timeoutMs} ms${last === undefined ? '' : `; last error: ${String(last)}`}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Lines of a file (gunzipped when it ends in .gz); [] when it does not exist. */
export async function readLines(path: string): Promise<string[]> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return [];
    throw error;
  }
  const text = (path.endsWith('.gz') ? gunzipSync(data) : data).toString('utf8');
  if (text === '') return [];
  assertEndsWithNewline(path, text);
  return text.slice(0, -1).split('\n');
}

function assertEndsWithNewline(path: string, text: string): void {
  if (!text.endsWith('\n')) throw new Error(`expected ${path} to end with a newline`);
}

/** Waits until the file has at least `count` lines; returns them. */
export function waitForLines(path: string, count: number, timeoutMs = 5_000): Promise<string[]> {
  return waitFor(`${count} lines in ${path}`, async () => {
    const lines = await readLines(path);
    return lines.length >= count ? lines : undefined;
  }, timeoutMs);
}

/** Rotated files of `path` (names after `<base>.`), oldest first, as the plugin names them. */
export async function rotatedFiles(dir: string, base: string): Promise<string[]> {
  const pattern = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}(?:-\d+)?(?:\.gz)?$/;
  const names = (await readdir(dir)).filter((n) => n.startsWith(`${base}.`) && pattern.test(n.slice(base.length + 1)));
  return names.sort(compareRotated).map((n) => join(dir, n));
}

function rotationKey(name: string): [string, number] {
  const match = /\.(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3})(?:-(\d+))?(?:\.gz)?$/.exec(name);
  return [match?.[1] ?? '', Number(match?.[2] ?? 0)];
}

function compareRotated(a: string, b: string): number {
  const [sa, na] = rotationKey(a);
  const [sb, nb] = rotationKey(b);
  return sa < sb ? -1 : sa > sb ? 1 : na - nb;
}

/** Every line of the rotated files (oldest first), then of the current file. */
export async function allLines(dir: string, base: string): Promise<{ files: string[]; lines: string[] }> {
  const files = await rotatedFiles(dir, base);
  const lines: string[] = [];
  for (const file of files) lines.push(...(await readLines(file)));
  lines.push(...(await readLines(join(dir, base))));
  return { files, lines };
}

/** A line (as `%request_path%` renders) that says which worker and which number it is: `/w<worker>/<n>`. */
export function numbered(worker: number, n: number): string {
  return `/w${worker}/${n}`;
}

export function parseStats(result: CallResult): StatsBody {
  return JSON.parse(Buffer.from(result.body).toString('utf8')) as StatsBody;
}

export interface StatsBody {
  files: Record<string, Record<string, number>>;
  workers: Record<string, number>[];
  totals: Record<string, number>;
}
