import { MosnWorkerError } from '../errors.js';

/** `call`, or MOSN_ERR_PLUGIN_TIMEOUT naming `what` after `timeoutMs`; the timer never outlives it. */
export function withTimeout<T>(call: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new MosnWorkerError('MOSN_ERR_PLUGIN_TIMEOUT', `${what} did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([call, late]).finally(() => clearTimeout(timer));
}
