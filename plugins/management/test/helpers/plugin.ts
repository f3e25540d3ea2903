// Starts the plugin in-process (createTestPlugin) with its admin API on a free port of 127.0.0.1.
// (The test runner also loads this file as a test file; it has no side effects.)
import type { TestContext } from 'node:test';
import type { HostApi } from '@mosn/plugin-sdk';
import { createTestPlugin } from '@mosn/plugin-sdk/testing';
import type { TestPlugin } from '@mosn/plugin-sdk/testing';
import { createManagementPlugin } from '../../src/index.js';
import type { ManagementConfig, ManagementConfigInput, ManagementState } from '../../src/index.js';

export interface Started {
  readonly plugin: TestPlugin<ManagementConfig, ManagementState>;
  readonly port: number;
}

export async function startPlugin(
  t: TestContext,
  options: { config?: Partial<ManagementConfigInput>; now?: () => number; host?: Partial<HostApi> } = {},
): Promise<Started> {
  const definition = createManagementPlugin(options.now === undefined ? {} : { now: options.now });
  const plugin = await createTestPlugin(definition, {
    config: { address: '127.0.0.1:0', ...options.config },
    ...(options.host === undefined ? {} : { host: options.host }),
  });
  t.after(() => plugin.close());
  return { plugin, port: plugin.state.port };
}

/** A clock the test moves by hand. */
export function manualClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => void (time += ms) };
}
