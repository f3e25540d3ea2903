import { loadConfig } from '@mosn/config';
import { EXIT } from '../exit-codes.js';
import { reportError } from '../report-error.js';

/** Validates a config file without starting anything. */
export async function checkCommand(options: { config: string }): Promise<number> {
  try {
    const config = await loadConfig(options.config);
    const routes = config.routers.reduce((n, r) => n + r.virtual_hosts.reduce((m, v) => m + v.routers.length, 0), 0);
    process.stdout.write(
      `${config.source}: ok (${config.listeners.length} listeners, ${config.clusters.length} clusters, ${routes} routes, ${config.workers.count} workers)\n`,
    );
    return EXIT.ok;
  } catch (err) {
    reportError(err);
    return EXIT.failed;
  }
}
