// Our extension for out-of-process plugins: the top-level `plugins` list. The per-listener
// `stream_filters` that use them are in stream-filter.ts.

import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import type { PluginConfig } from '../types.js';
import { describe, duration, mosnObject, nonEmptyString } from './common.js';
import { failureMode } from './stream-filter.js';

export const DEFAULT_PLUGIN_TIMEOUT_MS = 200;
export const DEFAULT_PLUGIN_START_TIMEOUT_MS = 5_000;

/** A plugin name is also part of file names (its socket) and log fields: keep it plain. */
const pluginName = nonEmptyString.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, {
  error: (issue) => `expected a name of letters, digits, "_", "." and "-" (at most 64), found ${describe(issue.input)}`,
});

export function pluginSchema(baseDir: string) {
  return mosnObject('plugin', {
    name: pluginName,
    command: nonEmptyString,
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    config: z.unknown().optional(),
    timeout: duration().default(DEFAULT_PLUGIN_TIMEOUT_MS),
    failure_mode: failureMode.optional(),
    start_timeout: duration().default(DEFAULT_PLUGIN_START_TIMEOUT_MS),
    // Lower only: raising a priority needs privileges the supervisor should not depend on.
    nice: z.number().int().min(0).max(19).default(0),
  }).transform(
    (p): PluginConfig => ({
      name: p.name,
      // "./bin/x" or "plugins/x" is relative to the config file; a bare "node" is looked up in PATH.
      command: p.command.includes('/') && !isAbsolute(p.command) ? resolve(baseDir, p.command) : p.command,
      args: p.args,
      env: p.env,
      config: p.config ?? {},
      timeout: p.timeout,
      failure_mode: p.failure_mode,
      start_timeout: p.start_timeout,
      nice: p.nice,
      cwd: baseDir,
    }),
  );
}

export { settleFailureMode, streamFilterSchema } from './stream-filter.js';
export type { ParsedStreamFilter } from './stream-filter.js';
