/**
 * The plugin's `config` (under `plugins[].config` in the proxy config). Which files to write and
 * in which format is not here: each batch names its listener's `access_logs` (`log_path`,
 * `log_format`). Here is only how files are rolled and how much may wait in memory.
 *
 *   { "rotation": { "max_size": "100MB", "interval": "24h", "keep": 10, "compress": false },
 *     "max_pending": "64MB" }
 *
 * Defaults follow MOSN's roller (`size=100 age=10 keep=10 compress=off`, daily otherwise);
 * keys are snake_case like the rest of the proxy config; sizes are bytes or strings with a
 * binary unit ("512KB" = 512 × 1024 bytes, "100MB", "1GB").
 */
import { duration, z } from '@mosn/plugin-sdk';

const UNIT_BYTES: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};
const SIZE = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/;

/** Bytes in "100MB", "512KiB", "2g", "1048576"; undefined when it is not a size. */
export function parseByteSize(text: string): number | undefined {
  const match = SIZE.exec(text.trim());
  if (match === null) return undefined;
  const unit = UNIT_BYTES[(match[2] as string).toLowerCase()];
  if (unit === undefined) return undefined;
  return Math.round(Number(match[1]) * unit);
}

/** A zod schema for a size: a number of bytes, or a string with a unit; its output is bytes. */
export function byteSize(): z.ZodType<number, number | string> {
  return z.union([z.number(), z.string()]).transform((value, ctx) => {
    const bytes = typeof value === 'number' ? value : parseByteSize(value);
    if (bytes === undefined || !Number.isSafeInteger(bytes) || bytes < 0) {
      ctx.addIssue({ code: 'custom', message: `expected a size such as "100MB", "512KB" or a number of bytes, found ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return bytes;
  });
}

const MIN_INTERVAL_MS = 100;

const rotation = z.strictObject({
  /** Roll the file before a write would take it over this size; "0": never by size. */
  max_size: byteSize().prefault('100MB'),
  /** Roll at every multiple of this interval in local time ("24h": at midnight); "0": never by time. */
  interval: duration()
    .prefault('24h')
    .refine((ms) => ms === 0 || ms >= MIN_INTERVAL_MS, { message: `expected "0" (no rotation by time) or at least "${MIN_INTERVAL_MS}ms"` }),
  /** Rotated files kept per log; older ones are deleted. 0 keeps none. */
  keep: z.int().min(0).max(100_000).default(10),
  /** Also delete rotated files older than this ("240h" = MOSN's age=10); default: no age limit. */
  max_age: duration().optional(),
  /** gzip rotated files (`.gz`), off the event loop. */
  compress: z.boolean().default(false),
});

export const loggingBypassConfigSchema = z
  .strictObject({
    rotation: rotation.prefault({}),
    /** Bytes per file formatted but not yet written; a batch beyond it is dropped and counted. */
    max_pending: byteSize()
      .prefault('64MB')
      .refine((bytes) => bytes > 0, { message: 'expected a size above 0' }),
  })
  .prefault({})
  .transform(
    (c): LoggingBypassConfig => ({
      rotation: {
        maxSize: c.rotation.max_size,
        intervalMs: c.rotation.interval,
        keep: c.rotation.keep,
        maxAgeMs: c.rotation.max_age === undefined || c.rotation.max_age === 0 ? undefined : c.rotation.max_age,
        compress: c.rotation.compress,
      },
      maxPending: c.max_pending,
    }),
  );

export interface RotationConfig {
  /** Bytes; 0: no rotation by size. */
  readonly maxSize: number;
  /** Milliseconds; 0: no rotation by time. */
  readonly intervalMs: number;
  readonly keep: number;
  readonly maxAgeMs: number | undefined;
  readonly compress: boolean;
}

export interface LoggingBypassConfig {
  readonly rotation: RotationConfig;
  readonly maxPending: number;
}

/** The config as written in the proxy config file. */
export type LoggingBypassConfigInput = z.input<typeof loggingBypassConfigSchema>;
