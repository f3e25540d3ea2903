/**
 * Checks of what the author wrote, done before anything listens (so a typo fails at once, with
 * the plugin's name, instead of on the first call), and the one place config is validated.
 */
import { PLUGIN_HOOKS } from '@mosn/ipc-protocol';
import type { PluginHookName } from '@mosn/ipc-protocol';
import { z } from 'zod';
import { PLUGIN_SDK_ERROR_CODES, PluginConfigError, PluginSdkError } from './errors.js';
import type { ConfigSchema, PluginDefinition } from './types.js';

// Same rule as the handshake line's plugin version field.
const VERSION = /^[0-9A-Za-z.+_~-]{1,64}$/;
const DEFINITION_KEYS = new Set(['name', 'version', 'config', 'setup', 'hooks', 'shutdown', 'shutdownTimeoutMs']);

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5_000;

// The definition's generics do not matter here; only its shape does.
export type AnyPluginDefinition = PluginDefinition<ConfigSchema, any>;

/** Throws `MOSN_ERR_PLUGIN_DEFINITION_INVALID` naming the first problem; returns the hooks provided. */
export function checkDefinition(definition: unknown): PluginHookName[] {
  const invalid = (problem: string): PluginSdkError =>
    new PluginSdkError(PLUGIN_SDK_ERROR_CODES.definitionInvalid, `invalid plugin definition${nameOf(definition)}: ${problem}`);

  if (typeof definition !== 'object' || definition === null) throw invalid(`expected an object, found ${typeof definition}`);
  const d = definition as Record<string, unknown>;
  for (const key of Object.keys(d)) {
    if (!DEFINITION_KEYS.has(key)) throw invalid(`unknown key "${key}"; expected one of ${[...DEFINITION_KEYS].join(', ')}`);
  }
  if (typeof d['name'] !== 'string' || d['name'] === '') throw invalid(`expected "name" to be a non-empty string, found ${show(d['name'])}`);
  if (typeof d['version'] !== 'string' || !VERSION.test(d['version'])) {
    throw invalid(`expected "version" of 1–64 letters, digits or . + - _ ~ (e.g. "1.0.0"), found ${show(d['version'])}`);
  }
  const config = d['config'];
  // Duck-typed: the author's zod may be another copy of zod 4 than ours.
  if (config !== undefined && typeof (config as { safeParseAsync?: unknown } | null)?.safeParseAsync !== 'function') {
    throw invalid(`expected "config" to be a zod schema, found ${show(config)}`);
  }
  for (const key of ['setup', 'shutdown']) {
    if (d[key] !== undefined && typeof d[key] !== 'function') throw invalid(`expected "${key}" to be a function, found ${show(d[key])}`);
  }
  const timeout = d['shutdownTimeoutMs'];
  if (timeout !== undefined && !(typeof timeout === 'number' && Number.isFinite(timeout) && timeout > 0)) {
    throw invalid(`expected "shutdownTimeoutMs" to be a positive number of milliseconds, found ${show(timeout)}`);
  }

  const hooks = d['hooks'];
  if (typeof hooks !== 'object' || hooks === null) throw invalid(`expected "hooks" to be an object, found ${show(hooks)}`);
  const known: readonly string[] = PLUGIN_HOOKS;
  const provided: PluginHookName[] = [];
  for (const [key, value] of Object.entries(hooks)) {
    if (!known.includes(key)) throw invalid(`unknown hook "${key}"; expected one of ${PLUGIN_HOOKS.join(', ')}`);
    if (value === undefined) continue;
    if (typeof value !== 'function') throw invalid(`expected hook "${key}" to be a function, found ${show(value)}`);
    provided.push(key as PluginHookName);
  }
  if (provided.length === 0) throw invalid(`expected at least one hook (${PLUGIN_HOOKS.join(', ')}), found none`);
  return provided;
}

/**
 * Validates `raw` with the plugin's schema (async, so schemas may read files). Throws a
 * `PluginConfigError` whose message is zod's readable list of problems, each with its path.
 */
export async function validateConfig<Config>(definition: AnyPluginDefinition, raw: unknown, name: string): Promise<Config> {
  const schema = definition.config ?? z.unknown();
  let parsed: z.ZodSafeParseResult<unknown>;
  try {
    parsed = await schema.safeParseAsync(raw);
  } catch (error) {
    // A refinement that throws instead of adding an issue: still the config's fault, say so.
    const message = error instanceof Error ? error.message : String(error);
    throw new PluginConfigError(`invalid config for plugin ${name}: ${message}`, [{ path: [], message }]);
  }
  if (parsed.success) return parsed.data as Config;
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.map(pathKey), message: issue.message }));
  throw new PluginConfigError(`invalid config for plugin ${name}:\n${z.prettifyError(parsed.error)}`, issues);
}

function pathKey(key: PropertyKey): string | number {
  return typeof key === 'number' ? key : String(key);
}

function nameOf(definition: unknown): string {
  const name = (definition as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name !== '' ? ` "${name}"` : '';
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
