// Our extensions for out-of-process plugins: the top-level `plugins` list, and the per-listener
// `stream_filters` of type `auth` / `plugin` that ask a plugin about each request.

import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import type { FailureMode, PluginConfig, StreamFilterConfig } from '../types.js';
import { MOSN_UNSUPPORTED_VALUES } from '../mosn-keys.js';
import { describe, duration, isRecord, mosnObject, nonEmptyString, oneOf } from './common.js';

export const DEFAULT_PLUGIN_TIMEOUT_MS = 200;
export const DEFAULT_PLUGIN_START_TIMEOUT_MS = 5_000;
export const DEFAULT_CACHE_MAX_ENTRIES = 10_000;

const failureMode = oneOf('failure mode', ['closed', 'open']);

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
      cwd: baseDir,
    }),
  );
}

/** A stream filter as parsed; its failure mode is settled later, when the plugin list is known. */
export type ParsedStreamFilter = Omit<StreamFilterConfig, 'config'> & {
  config: Omit<StreamFilterConfig['config'], 'failure_mode'> & { failure_mode: FailureMode | undefined };
};

const cache = mosnObject('filterCache', {
  header: nonEmptyString.transform((h) => h.toLowerCase()),
  ttl: duration(),
  max_entries: z.number().int().min(1).max(1_000_000).default(DEFAULT_CACHE_MAX_ENTRIES),
});

const pluginFilterConfig = mosnObject('pluginFilter', {
  plugin: nonEmptyString,
  failure_mode: failureMode.optional(),
  failure_status: z.number().int().min(200).max(599).optional(),
  cache: cache.optional(),
});

const STREAM_FILTER_TYPES = ['auth', 'plugin'] as const;

export const streamFilterSchema = z
  .unknown()
  .superRefine((value, ctx) => {
    if (!isRecord(value)) ctx.addIssue({ code: 'custom', message: `expected an object, found ${describe(value)}` });
  })
  .pipe(
    mosnObject('streamFilter', {
      type: oneOf('stream filter type', STREAM_FILTER_TYPES, MOSN_UNSUPPORTED_VALUES.streamFilterType),
      config: pluginFilterConfig,
    }),
  )
  .transform(
    (f): ParsedStreamFilter => ({
      type: f.type,
      config: {
        plugin: f.config.plugin,
        failure_mode: f.config.failure_mode,
        // auth says "forbidden" when it cannot decide; a generic check says "unavailable".
        failure_status: f.config.failure_status ?? (f.type === 'auth' ? 403 : 503),
        cache: f.config.cache === undefined ? undefined : { header: f.config.cache.header, ttl: f.config.cache.ttl, max_entries: f.config.cache.max_entries },
      },
    }),
  );

/** Filter's own mode, else its plugin's, else the type's default (auth fails closed, a generic check open). */
export function settleFailureMode(filter: ParsedStreamFilter, plugins: readonly PluginConfig[]): StreamFilterConfig {
  const plugin = plugins.find((p) => p.name === filter.config.plugin);
  const mode = filter.config.failure_mode ?? plugin?.failure_mode ?? (filter.type === 'auth' ? 'closed' : 'open');
  return { type: filter.type, config: { ...filter.config, failure_mode: mode } };
}
