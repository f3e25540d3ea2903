// An example MOSN.ts plugin: requests without the configured header are denied with 400;
// the others go upstream tagged with the header that let them through.
import { z } from '@mosn/plugin-sdk';
import type { PluginDefinition } from '@mosn/plugin-sdk';

const config = z.object({
  header: z.string().toLowerCase(),
  tag: z.string().default('x-header-checked'),
});

export const headerCheck: PluginDefinition<typeof config> = {
  name: 'header-check',
  version: '1.0.0',
  config,
  hooks: {
    checkRequest(request, { config }) {
      const value = request.headers[config.header];
      if (value === undefined || value === '') {
        return { action: 'deny', status: 400, body: `missing header ${config.header}\n` };
      }
      return { action: 'allow', headersToAdd: { [config.tag]: config.header } };
    },
  },
};
