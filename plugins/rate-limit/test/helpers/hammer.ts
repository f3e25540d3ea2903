// Several clients sending rate limit calls back to back, all at once, counting what got through.
// (The test runner also loads this file as a test file; it has no side effects.)

import type { TestRateLimitRequest } from '@mosn/plugin-sdk/testing';

interface RateLimitClient {
  rateLimit(request: TestRateLimitRequest): Promise<{ overallCode: string }>;
}

export interface HammerResult {
  readonly ok: number;
  readonly over: number;
}

/** `clients` loops per plugin, each sending `requestsPerClient` calls one after the other. */
export async function hammer(plugins: readonly RateLimitClient[], clients: number, requestsPerClient: number, request: TestRateLimitRequest): Promise<HammerResult> {
  let ok = 0;
  let over = 0;
  const client = async (plugin: RateLimitClient): Promise<void> => {
    for (let i = 0; i < requestsPerClient; i++) {
      if ((await plugin.rateLimit(request)).overallCode === 'OK') ok++;
      else over++;
    }
  };
  await Promise.all(plugins.flatMap((plugin) => Array.from({ length: clients }, () => client(plugin))));
  return { ok, over };
}

/**
 * Runs `run(attempt)` and runs it again (attempt 1, with fresh descriptors) if a window boundary
 * of `unitMs` passed meanwhile, so that an exact count never depends on the wall clock.
 */
export async function inOneWindow<T>(unitMs: number, run: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const window = Math.floor(Date.now() / unitMs);
    const result = await run(attempt);
    if (Math.floor(Date.now() / unitMs) === window || attempt >= 1) return result;
  }
}
