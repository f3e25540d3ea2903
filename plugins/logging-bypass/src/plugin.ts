/**
 * The logging-bypass plugin's definition, written with @mosn/plugin-sdk only, as a third-party
 * plugin would be. `main.ts` serves it; tests run it in-process with `@mosn/plugin-sdk/testing`.
 *
 * Hooks:
 * - `logBytes`: a batch of lines from a worker, which formatted them, as the bytes it sent (a
 *   notification, nobody waits): queued at once, written as they are with one write per file.
 * - `reopenLogs`: reopen every file (logrotate moved them).
 * - `call` with header `op: stats`: the counters, as JSON.
 */
import type { CallResult, PluginDefinition } from '@mosn/plugin-sdk';
import { AccessLogger } from './access-logger.js';
import { loggingBypassConfigSchema } from './config.js';
import { ACCESS_LOG_ERROR_CODES } from './errors.js';

export const LOGGING_BYPASS_PLUGIN_VERSION = '0.1.0';

const JSON_HEADER = Object.freeze({ 'content-type': 'application/json' });

function json(status: number, value: unknown): CallResult {
  return { status, header: { ...JSON_HEADER }, body: Buffer.from(JSON.stringify(value)) };
}

export const loggingBypassPlugin: PluginDefinition<typeof loggingBypassConfigSchema, AccessLogger> = {
  name: 'logging-bypass',
  version: LOGGING_BYPASS_PLUGIN_VERSION,
  config: loggingBypassConfigSchema,
  // Batches already queued are written before the files close; bound the wait like any shutdown.
  shutdownTimeoutMs: 5_000,
  setup({ config, logger }) {
    const { rotation, maxPending } = config;
    logger.info(
      { maxSize: rotation.maxSize, intervalMs: rotation.intervalMs, keep: rotation.keep, maxAgeMs: rotation.maxAgeMs, compress: rotation.compress, maxPending },
      'access log writer ready',
    );
    return new AccessLogger(config, logger);
  },
  hooks: {
    logBytes(batch, { state }) {
      return state.handleBatch(batch);
    },
    reopenLogs({ state }) {
      return state.reopen();
    },
    call(request, { state }) {
      const op = request.header['op'];
      if (op === 'stats') return json(200, state.stats());
      return json(400, {
        code: ACCESS_LOG_ERROR_CODES.callInvalid,
        message: `expected header op "stats", found ${op === undefined ? 'no op' : JSON.stringify(op)}`,
      });
    },
  },
  shutdown({ state }) {
    return state.close();
  },
};
