import path from 'node:path';
import { WORKER_MAIN_PATH } from '@mosn/worker';

/**
 * The file each new worker runs, resolved at every fork so that a reload runs the code on disk.
 * `MOSN_WORKER_ENTRY` points it at another build (a canary build, or a test's fixture).
 */
export function workerEntry(): string {
  const override = process.env['MOSN_WORKER_ENTRY'];
  return override === undefined || override === '' ? WORKER_MAIN_PATH : path.resolve(override);
}
