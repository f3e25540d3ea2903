/**
 * The auth plugin's definition, written with @mosn/plugin-sdk only, as any third-party plugin
 * would be. `main.ts` serves it; tests run it in-process with `@mosn/plugin-sdk/testing`.
 */
import type { PluginDefinition } from '@mosn/plugin-sdk';
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
    async checkRequest(request, { config, logger }) {
      const result = await authorize(config, request);
      if (result.action === 'deny' && logger.isLevelEnabled('debug')) {
        // The reason (one of AUTH_DENY_REASONS) is the body's `error`.
        const reason = typeof result.body === 'string' ? (JSON.parse(result.body) as { error?: string }).error : undefined;
        logger.debug({ method: request.method, path: request.path, status: result.status, reason }, 'request denied');
      }
      return result;
    },
  },
};
