// Deadlines instead of sleeps: the SDK's testing helper.
// (The test runner also loads this file as a test file; it has no side effects.)
export { waitFor } from '@mosn/plugin-sdk/testing';
export type { WaitOptions } from '@mosn/plugin-sdk/testing';
