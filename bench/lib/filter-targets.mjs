// The plugin-filter targets shared by http/run.mjs and http/warmup.mjs: a name → its MOSN config,
// and the bearer token every target's requests carry, so that both scripts measure the same thing.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { accessLogProxyConfig, authProxyConfig, httpProxyConfig, rateLimitProxyConfig, startMosn, writeConfig } from './mosn.mjs';
import { freePort } from './proc.mjs';

const SECRET = 'bench-secret-of-at-least-32-bytes!!!';

/** Targets by name: `mosn` (no filter) and the plugin filters measured against it. */
export const FILTER_TARGETS = ['mosn', 'mosn-aa', 'mosn-auth', 'mosn-auth-cache', 'mosn-auth-verify', 'mosn-log', 'mosn-ratelimit'];

/**
 * The request headers of every target: a bearer token (JWT HS256) the auth targets accept. The
 * targets without auth get it too, so that "auth on vs off" differs by the filter alone, not by a
 * 180-byte header only some targets parse and forward.
 */
export async function benchRequestHeaders() {
  const token = await new SignJWT({ sub: 'bench' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
  return [`authorization: Bearer ${token}`];
}

/**
 * The config of target `name` on `port`. `mosn-log` writes into a new directory under the OS temp
 * dir, which is pushed to `tempDirs` for the caller to remove.
 */
export function filterTargetConfig(name, { port, upstreamPort, tempDirs }) {
  switch (name) {
    case 'mosn':
    case 'mosn-aa':
      return httpProxyConfig({ port, upstreamPort });
    // The auth plugin checks the JWT on every request (one RPC each) with its own verified-token
    // cache; `-cache` adds the worker's decision cache (no RPC on a hit); `-verify` turns the
    // plugin's cache off (the signature verified every time).
    case 'mosn-auth':
      return authProxyConfig({ port, upstreamPort, secret: SECRET, cache: false });
    case 'mosn-auth-cache':
      return authProxyConfig({ port, upstreamPort, secret: SECRET, cache: true });
    case 'mosn-auth-verify':
      return authProxyConfig({ port, upstreamPort, secret: SECRET, cache: false, tokenCacheSize: 0 });
    // Access logs (an 11-variable MOSN format) to the logging-bypass plugin, which writes the file.
    case 'mosn-log': {
      const logDir = mkdtempSync(join(tmpdir(), 'mosn-bench-log-'));
      tempDirs.push(logDir);
      return accessLogProxyConfig({ port, upstreamPort, logPath: join(logDir, 'access.log') });
    }
    // The global rate limit: one remote_address descriptor, memory backend, a limit never reached.
    case 'mosn-ratelimit':
      return rateLimitProxyConfig({ port, upstreamPort });
    default:
      throw new Error(`unknown plugin-filter target "${name}": expected one of ${FILTER_TARGETS.join(', ')}`);
  }
}

/** Exits 2 naming the known targets when one of `names` is not a filter target. */
export function requireFilterTargets(names) {
  for (const name of names) {
    if (FILTER_TARGETS.includes(name)) continue;
    console.error(`unknown target "${name}": expected one of ${FILTER_TARGETS.join(', ')}`);
    process.exit(2);
  }
}

/** Where filterTargetConfig puts `mosn-log`'s directories: a list whose directories are removed when the process exits. */
export function tempDirsRemovedAtExit() {
  const tempDirs = [];
  process.on('exit', () => {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
  return tempDirs;
}

/** Starts target `name` as an operator does (`mosnctl start`) on a new free port, pinned to `cpu`. */
export async function startFilterTarget(name, { used, upstreamPort, tempDirs, cpu }) {
  const port = await freePort(used);
  const child = await startMosn({ configFile: writeConfig(filterTargetConfig(name, { port, upstreamPort, tempDirs })), port, cpu });
  return { port, child };
}
