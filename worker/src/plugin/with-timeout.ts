import { MosnWorkerError } from '../errors.js';

/**
 * `call`, or MOSN_ERR_PLUGIN_TIMEOUT naming `what` after `timeoutMs`; the timer never outlives it.
 * One promise and one timer per call (the rate limit filter runs this per request): no race, no
 * `finally`.
 */
export function withTimeout<T>(call: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new MosnWorkerError('MOSN_ERR_PLUGIN_TIMEOUT', `${what} did not answer within ${timeoutMs} ms`)), timeoutMs);
    call.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
