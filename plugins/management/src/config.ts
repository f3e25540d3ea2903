/**
 * The management plugin's `config` (under `plugins[].config` in the proxy config):
 *
 *   { "address": "127.0.0.1:34901", "admin_token": "…", "interval": "1s" }
 *
 * `address` defaults to MOSN's admin port on the loopback interface only: the admin API shows the
 * effective config and changes the log level, so exposing it is a decision the operator writes down.
 */
import { isIP } from 'node:net';
import { duration, z } from '@mosn/plugin-sdk';

export const DEFAULT_ADMIN_ADDRESS = '127.0.0.1:34901';

export interface AdminAddress {
  /** As written, e.g. `127.0.0.1:34901` or `[::1]:0`. */
  readonly text: string;
  /** Without brackets, as `listen` takes it. */
  readonly host: string;
  readonly port: number;
}

/** Splits `host:port` (IPv6 in brackets); undefined when it is not one. */
export function parseAddress(text: string): AdminAddress | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text);
  if (match === null) return undefined;
  const host = match[1] ?? match[2] ?? '';
  const port = Number(match[3]);
  if (port > 65_535) return undefined;
  if (match[1] !== undefined && isIP(host) !== 6) return undefined;
  return { text, host, port };
}

/**
 * The supervisor passes MOSN's top-level `admin.address` to every plugin in this variable; the
 * plugin's own `address` wins when both are given.
 */
export const ADMIN_ADDRESS_ENV = 'MOSN_ADMIN_ADDRESS';

const address = z
  .string()
  .default(() => process.env[ADMIN_ADDRESS_ENV] ?? DEFAULT_ADMIN_ADDRESS)
  .transform((text, ctx): AdminAddress => {
    const parsed = parseAddress(text);
    if (parsed === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected "host:port" such as "${DEFAULT_ADMIN_ADDRESS}" or "[::1]:34901" (port 0–65535), found ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    return parsed;
  });

export const managementConfigSchema = z.strictObject({
  /** Where the admin HTTP API listens. Port 0 picks a free port (logged, and in the plugin's state). */
  address,
  /** When set, state-changing endpoints (POST) require `Authorization: Bearer <admin_token>`. */
  admin_token: z.string().min(1, 'expected a non-empty token, or leave "admin_token" out').optional(),
  /**
   * The proxy's metrics flush interval (how often workers and the supervisor report). A worker's
   * report older than 3 intervals counts as gone while the supervisor has not reported yet; a
   * supervisor report that old makes /ready answer 503.
   */
  interval: duration()
    .refine((ms) => ms > 0, 'expected a duration above 0 such as "1s"')
    .prefault('1s'),
});

export type ManagementConfigInput = z.input<typeof managementConfigSchema>;
export type ManagementConfig = z.output<typeof managementConfigSchema>;
