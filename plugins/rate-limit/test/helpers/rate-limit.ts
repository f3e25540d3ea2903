// Configs, a clock the tests drive, and plugins that close when the test ends.
// (The test runner also loads this file as a test file; it has no side effects.)

import type { TestContext } from 'node:test';
import { createTestPlugin } from '@mosn/plugin-sdk/testing';
import type { TestPlugin } from '@mosn/plugin-sdk/testing';
import { createRateLimitPlugin } from '../../src/index.js';
import type { DescriptorConfigInput, RateLimitConfig, RateLimitConfigInput, RateLimitState } from '../../src/index.js';

/** 2024-01-01T00:00:00Z: the start of a second, minute, hour and day window alike. */
export const T0 = Date.UTC(2024, 0, 1);

export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

export function testClock(start = T0): TestClock {
  let now = start;
  return { now: () => now, advance: (ms) => void (now += ms) };
}

/** One domain, `edge`, with these descriptors. */
export function edge(descriptors: DescriptorConfigInput[], extra: Partial<RateLimitConfigInput> = {}): RateLimitConfigInput {
  return { domains: [{ domain: 'edge', descriptors }], ...extra };
}

export async function inProcess(t: TestContext, config: RateLimitConfigInput, clock: TestClock = testClock()): Promise<TestPlugin<RateLimitConfig, RateLimitState>> {
  const plugin = await createTestPlugin(createRateLimitPlugin({ now: clock.now }), { config });
  t.after(() => plugin.close());
  return plugin;
}
