import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { PluginConfig } from '@mosn/config';

/**
 * What decides whether a reload replaces a plugin: its whole config, plus the size and mtime of
 * its executable and of any argument that names a file (a script run by `node`), so that new
 * plugin code on disk is picked up like new core code is.
 */
export async function pluginFingerprint(config: PluginConfig, adminAddress?: string): Promise<string> {
  const files = await Promise.all(
    [config.command, ...config.args].map(async (p) => {
      const file = path.resolve(config.cwd, p);
      const s = await stat(file).catch(() => undefined);
      return s?.isFile() === true ? `${file}:${s.size}:${s.mtimeMs}` : '';
    }),
  );
  // What the plugin gets in its environment besides its config counts too (MOSN_ADMIN_ADDRESS).
  return JSON.stringify({ config, files, adminAddress });
}
