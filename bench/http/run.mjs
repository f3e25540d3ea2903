// HTTP/1.1 keep-alive proxy benchmark: wrk against the same upstream directly, through MOSN.ts
// (1 worker), through a node:http + http.Agent proxy, and through nginx (1 worker), alternating
// targets over several rounds; prints medians, spread and ratios.
//   node bench/http/run.mjs [--rounds 5] [--seconds 5] [--warmup 3] [--connections 64] [--body 100]
//                           [--targets direct,mosn,node-http,nginx,pipe,mosn-auth,mosn-auth-cache,mosn-auth-verify] [--no-pin] [--cpu-prof DIR]
// (`pipe` is a plain net pipe with no HTTP work: the floor for a Node proxy, not a real proxy.)
// Needs wrk (and nginx for the upstream and the nginx row): bench/setup.sh installs both.

import { parseArgs } from 'node:util';
import { startNginxProxy, startNginxUpstream } from '../lib/nginx.mjs';
import { authProxyConfig, httpProxyConfig, startMosn, writeConfig } from '../lib/mosn.mjs';
import { SignJWT } from 'jose';
import { freePort, groupCpuMs, hasCommand, pinned, spawnManaged, stopAll, waitForPort } from '../lib/proc.mjs';
import { readFileSync } from 'node:fs';
import { median, spread, table } from '../lib/stats.mjs';
import { runWrk } from '../lib/wrk.mjs';
import { fileURLToPath } from 'node:url';

const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '64' },
    body: { type: 'string', default: '100' },
    targets: { type: 'string', default: 'direct,mosn,node-http,nginx' },
    'no-pin': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
  },
});
const rounds = Number(opt.rounds);
const seconds = Number(opt.seconds);
const warmup = Number(opt.warmup);
const connections = Number(opt.connections);
const bodyBytes = Number(opt.body);
const wanted = opt.targets.split(',');
// 2 vCPUs here: load generator and upstream on CPU 0, the proxy under test alone on CPU 1.
const pin = !opt['no-pin'];
const CPU_LOAD = pin ? 0 : undefined;
const CPU_PROXY = pin ? 1 : undefined;

if (!hasCommand('wrk')) {
  console.error('wrk is not installed: run bench/setup.sh (apt-get install -y wrk nginx)');
  process.exit(1);
}
const haveNginx = hasCommand('nginx');
const used = new Set();

async function main() {
  const upstreamPort = await freePort(used);
  let upstreamKind;
  if (haveNginx) {
    await startNginxUpstream({ port: upstreamPort, bodyBytes, cpu: CPU_LOAD });
    upstreamKind = 'nginx';
  } else {
    const script = fileURLToPath(new URL('../lib/node-upstream.mjs', import.meta.url));
    const [cmd, args] = pinned(CPU_LOAD, process.execPath, [script, String(upstreamPort), String(bodyBytes)]);
    await waitForPort(upstreamPort, spawnManaged('node-upstream', cmd, args));
    upstreamKind = 'node:http (numbers are upstream-bound: install nginx for meaningful ratios)';
  }

  const targets = [];
  if (wanted.includes('direct')) targets.push({ name: 'direct', port: upstreamPort });
  if (wanted.includes('mosn')) {
    const port = await freePort(used);
    const nodeArgs = opt['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', opt['cpu-prof']] : [];
    const child = await startMosn({ configFile: writeConfig(httpProxyConfig({ port, upstreamPort })), port, cpu: CPU_PROXY, nodeArgs });
    targets.push({ name: 'mosn', port, pgid: child.pid });
  }
  // The auth filter (opt-in targets): a JWT HS256 checked by the auth plugin (one RPC per request)
  // with its default verified-token cache; with the worker's decision cache (no RPC on a hit);
  // and with neither (the signature verified on every request). Ratios against `mosn` show the cost.
  for (const [name, cache, tokenCacheSize] of [['mosn-auth', false, undefined], ['mosn-auth-cache', true, undefined], ['mosn-auth-verify', false, 0]]) {
    if (!wanted.includes(name)) continue;
    const secret = 'bench-secret-of-at-least-32-bytes!!!';
    const token = await new SignJWT({ sub: 'bench' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    const port = await freePort(used);
    const child = await startMosn({ configFile: writeConfig(authProxyConfig({ port, upstreamPort, secret, cache, tokenCacheSize })), port, cpu: CPU_PROXY });
    targets.push({ name, port, pgid: child.pid, headers: [`authorization: Bearer ${token}`] });
  }
  if (wanted.includes('node-http')) {
    const port = await freePort(used);
    const script = fileURLToPath(new URL('../lib/node-http-proxy.mjs', import.meta.url));
    const [cmd, args] = pinned(CPU_PROXY, process.execPath, [script, String(port), String(upstreamPort)]);
    const child = spawnManaged('node-http', cmd, args);
    await waitForPort(port, child);
    targets.push({ name: 'node-http', port, pgid: child.pid });
  }
  if (wanted.includes('pipe')) {
    const port = await freePort(used);
    const script = fileURLToPath(new URL('../lib/node-net-pipe.mjs', import.meta.url));
    const [cmd, args] = pinned(CPU_PROXY, process.execPath, [script, String(port), String(upstreamPort)]);
    const child = spawnManaged('pipe', cmd, args);
    await waitForPort(port, child);
    targets.push({ name: 'pipe', port, pgid: child.pid });
  }
  if (wanted.includes('nginx') && haveNginx) {
    const port = await freePort(used);
    const child = await startNginxProxy({ port, upstreamPort, cpu: CPU_PROXY });
    targets.push({ name: 'nginx', port, pgid: child.pid });
  }

  for (const t of targets) {
    const res = await fetch(`http://127.0.0.1:${t.port}/`, { headers: Object.fromEntries((t.headers ?? []).map((h) => h.split(': '))) });
    const body = await res.text();
    if (res.status !== 200 || body.length !== bodyBytes) throw new Error(`${t.name}: sanity check failed: ${res.status}, ${body.length} bytes`);
    t.rps = [];
    t.p99 = [];
    t.cpuUs = [];
    t.errors = 0;
  }

  console.log(`upstream: ${upstreamKind}; ${bodyBytes}-byte responses; wrk -t1 -c${connections} -d${seconds}s; ${rounds} rounds; pinning ${pin ? 'wrk+upstream→CPU0, proxy→CPU1' : 'off'}`);
  console.log(`load average before: ${readFileSync('/proc/loadavg', 'utf8').trim()} (other work on the machine skews req/s; CPU µs per request is steadier)`);
  for (const t of targets) await runWrk({ url: `http://127.0.0.1:${t.port}/`, seconds: warmup, connections, cpu: CPU_LOAD, headers: t.headers });
  for (let r = 0; r < rounds; r++) {
    // Rotate the order each round so that no target always runs first or last.
    const order = targets.map((_, i) => targets[(i + r) % targets.length]);
    for (const t of order) {
      const cpuBefore = t.pgid ? groupCpuMs(t.pgid) : 0;
      const res = await runWrk({ url: `http://127.0.0.1:${t.port}/`, seconds, connections, cpu: CPU_LOAD, headers: t.headers });
      if (t.pgid) t.cpuUs.push(((groupCpuMs(t.pgid) - cpuBefore) * 1000) / (res.rps * seconds));
      t.rps.push(res.rps);
      t.p99.push(res.p99);
      t.errors += res.errors;
    }
    process.stdout.write(`round ${r + 1}/${rounds}: ${order.map((t) => `${t.name} ${Math.round(t.rps.at(-1))}`).join(', ')}\n`);
  }

  const byName = Object.fromEntries(targets.map((t) => [t.name, t]));
  const ratio = (t, base) => (byName[base] ? (median(t.rps) / median(byName[base].rps)).toFixed(2) : '-');
  const cpuRatio = (t, base) => (byName[base]?.cpuUs.length && t.cpuUs.length ? (median(byName[base].cpuUs) / median(t.cpuUs)).toFixed(2) : '-');
  const rows = [['target', 'req/s median (min–max)', 'p99 ms median (min–max)', '×direct', '×nginx', '×node-http', 'proxy CPU µs/req', 'CPU eff. ×nginx', 'errors']];
  for (const t of targets) {
    rows.push([
      t.name, spread(t.rps), spread(t.p99, 2), ratio(t, 'direct'), ratio(t, 'nginx'), ratio(t, 'node-http'),
      t.cpuUs.length ? spread(t.cpuUs, 1) : '-', cpuRatio(t, 'nginx'), t.errors,
    ]);
  }
  console.log('\n' + table(rows));
  for (const name of ['mosn-auth', 'mosn-auth-cache', 'mosn-auth-verify']) {
    // The auth plugin runs in its own process group: its CPU is not in the proxy column.
    if (byName[name] && byName.mosn) console.log(`${name} / mosn (no filter) req/s: ${ratio(byName[name], 'mosn')}`);
  }
  if (byName.mosn && byName.nginx) {
    console.log(`\np99 mosn / nginx: ${(median(byName.mosn.p99) / median(byName.nginx.p99)).toFixed(2)}`);
    console.log('CPU eff. ×nginx = nginx CPU µs per request / this proxy\'s (1.00 = as cheap per request as nginx)');
  }
}

try {
  await main();
} finally {
  await stopAll();
}
