/**
 * The auth plugin's definition, written with @mosn/plugin-sdk only, as any third-party plugin
 * would be. `main.ts` serves it; tests run it in-process with `@mosn/plugin-sdk/testing`.
 */
import type { CheckRequest, CheckRequestResult, PluginDefinition, PluginLogger } from '@mosn/plugin-sdk';
import { authorize } from './authorizer.js';
import { authConfigSchema } from './policy.js';

export const AUTH_PLUGIN_VERSION = '0.1.0';

export const authPlugin: PluginDefinition<typeof authConfigSchema> = {
  name: 'auth',
  version: AUTH_PLUGIN_VERSION,
  config: authConfigSchema,
  setup({ config, logger }) {
    logger.info(
      {
        jwt: config.jwt !== undefined,
        apiKeys: config.apiKeys?.store.size ?? 0,
        rules: config.rules.length,
        default: config.defaultAction,
      },
      'auth policy loaded',
    );
  },
  hooks: {
    // Synchronous when the credential needs no signature check (a verified token, an API key,
    // a public path): the SDK then answers without a promise.
    checkRequest(request, { config, logger }) {
      const result = authorize(config, request);
      if (!logger.isLevelEnabled('debug')) return result;
      if (result instanceof Promise) return result.then((r) => logDenied(logger, request, r));
      return logDenied(logger, request, result);
    },
  },
};

function logDenied(logger: PluginLogger, request: CheckRequest, result: CheckRequestResult): CheckRequestResult {
  if (result.action === 'deny') {
    // The reason (one of AUTH_DENY_REASONS) is the body's `error`.
    const reason = typeof result.body === 'string' ? (JSON.parse(result.body) as { error?: string }).error : undefined;
    logger.debug({ method: request.method, path: request.path, status: result.status, reason }, 'request denied');
  }
  return result;
}
