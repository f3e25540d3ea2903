/**
 * gzip of a rotated file without blocking the event loop: a zlib stream does its deflate work in
 * libuv's threadpool, chunk by chunk, and the reads and writes are async too, so the plugin keeps
 * taking batches while a large file is compressed. (Measured against a worker thread, the way
 * piscina would run it, and against `gzipSync`: see the README, "Compression".)
 *
 *   name ──read──► gzip (threadpool) ──write──► name.gz.tmp ──rename──► name.gz, then unlink name
 *
 * The `.gz` appears only complete (rename is atomic); a crash half-way leaves `name` intact and
 * a `.gz.tmp` that the next sweep removes. `wx` on the temporary file means that two compressors
 * (an old and a new plugin instance during a replacement) never write the same file.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat, unlink, utimes } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { systemCode } from './errors.js';

export interface GzipOptions {
  /** Stops the compression (plugin shutdown); the original file is kept. */
  readonly signal?: AbortSignal;
  /** zlib level, 1 (fast) to 9 (small); default 6, gzip's own default. */
  readonly level?: number;
}

/** Compresses `name` to `name.gz` (keeping its mtime) and deletes `name`. */
export async function gzipFile(name: string, options: GzipOptions = {}): Promise<{ readonly bytesIn: number; readonly bytesOut: number }> {
  const tmp = `${name}.gz.tmp`;
  const original = await stat(name);
  const gzip = createGzip({ level: options.level ?? 6 });
  try {
    await pipeline(createReadStream(name), gzip, createWriteStream(tmp, { flags: 'wx' }), options.signal === undefined ? {} : { signal: options.signal });
  } catch (error) {
    // EEXIST: another compressor owns the temporary file; anything else: ours, half-written.
    if (systemCode(error) !== 'EEXIST') await rm(tmp, { force: true });
    throw error;
  }
  await utimes(tmp, original.atime, original.mtime);
  await rename(tmp, `${name}.gz`);
  await unlink(name);
  return { bytesIn: original.size, bytesOut: gzip.bytesWritten };
}
