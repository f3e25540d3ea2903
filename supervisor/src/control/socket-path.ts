import path from 'node:path';
import type { MosnConfig } from '@mosn/config';

/** Where the supervisor of this config serves its control socket (and where mosnctl looks for it). */
export function controlSocketPath(config: Pick<MosnConfig, 'uds_dir'>): string {
  return path.join(config.uds_dir, 'mosn.sock');
}
