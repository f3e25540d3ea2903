// Deadlines instead of sleeps (the SDK's testing helper), and timing a call.
// (The test runner also loads this file as a test file; it has no side effects.)
export { waitFor } from '@mosn/plugin-sdk/testing';
export type { WaitOptions } from '@mosn/plugin-sdk/testing';

/** Milliseconds `fn` took to settle, and how it settled. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const start = performance.now();
  try {
    const value = await fn();
    return { ms: performance.now() - start, value };
  } catch (error) {
    return { ms: performance.now() - start, error };
  }
}
