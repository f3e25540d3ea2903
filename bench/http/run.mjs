// HTTP/1.1 keep-alive proxy benchmark: wrk against the same upstream directly, through MOSN.ts
// (1 worker), through a node:http + http.Agent proxy, and through nginx (1 worker), alternating
// targets over several rounds; prints medians, spread and ratios.
//   node bench/http/run.mjs [--rounds 5] [--seconds 5] [--warmup 3] [--connections 64] [--body 100]
//                           [--targets direct,mosn,mosn-aa,node-http,nginx,pipe,mosn-auth,mosn-auth-cache,mosn-auth-verify,mosn-log,mosn-ratelimit,mosn-nometrics,mosn-mgmt,mosn-rr4,mosn-lr4] [--no-pin] [--cpu-prof DIR]
//                           [--plugin-cpu N] [--fresh [--fresh-warmup SECONDS (default 8; replaces --warmup for restartable targets)] [--together]]
// (`--plugin-cpu N` runs the plugins under `taskset -c N`; by default they share the proxy's core.)
// (`--fresh`: every proxy is started, warmed up, measured and stopped in each of its rounds, so
// that it is the only proxy running; `--together` keeps all proxies running side by side instead,
// each restarted before its rounds, as before; `mosn-aa` is a second `mosn`, the A/A control: its ratio to `mosn` shows the noise of the machine.)
// Ratios against `mosn` are printed twice: as the ratio of the medians, and as the median of the
// ratios within each round ("paired"), which cancels the slow drifts of a shared machine.
// (`mosn-rr4` / `mosn-lr4`: one cluster of 4 upstream hosts — 4 ports of one nginx — under LB_ROUNDROBIN / LB_LEAST_REQUEST.)
// (`mosn-log`: access logs to the logging-bypass plugin; `mosn-ratelimit`: the global rate limit,
// memory backend, never reached. Compare both with `mosn`.)
// (`pipe` is a plain net pipe with no HTTP work: the floor for a Node proxy, not a real proxy.)
// (`mosn-tls` / `nginx-tls`: keep-alive HTTPS terminated by the proxy with the same throwaway
// EC P-256 certificate, plain HTTP to the upstream; compare them with each other.)
// Needs wrk (and nginx for the upstream and the nginx row): bench/setup.sh installs both.

import { parseArgs } from 'node:util';
import { startNginxProxy, startNginxUpstream, startNginxUpstreams } from '../lib/nginx.mjs';
import { managementProxyConfig, noMetricsProxyConfig, multiHostProxyConfig, pinPlugins, startMosn, writeConfig as writeMosnConfig } from '../lib/mosn.mjs';
import { FILTER_TARGETS, benchRequestHeaders, filterTargetConfig } from '../lib/filter-targets.mjs';
import { freePort, treeCpuMs, hasCommand, pinned, spawnManaged, stop, stopAll, waitForPort } from '../lib/proc.mjs';
import { readFileSync, rmSync } from 'node:fs';
import { median, spread, table } from '../lib/stats.mjs';
import { runWrk } from '../lib/wrk.mjs';
import { httpsGet, makeBenchCert } from '../lib/certs.mjs';
import { startNginxTlsProxy } from '../lib/nginx.mjs';
import { tlsProxyConfig } from '../lib/mosn.mjs';
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
    'plugin-cpu': { type: 'string' },
    fresh: { type: 'boolean', default: false },
    'fresh-warmup': { type: 'string' },
    together: { type: 'boolean', default: false },
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
// On this VM one process of a proxy can run 15–30% faster or slower than another of the same
// binary and config, for its whole life (placement we cannot see or choose): with `--fresh`
// every proxy is restarted before each of its rounds, so that medians are over many processes.
// Each of those warm-ups is 8 s by default (the first round's too): under load, a proxy alone is
// steady from its 2–4 s window, one with a plugin filter only from its 6–8 s window, because two
// processes compile their hot code (bench/http/warmup.mjs); a shorter warm-up would count the
// plugin's JIT against it. `--warmup` still applies to what cannot be restarted (`direct`) and,
// without `--fresh`, to every target.
const fresh = opt.fresh;
const freshWarmup = Number(opt['fresh-warmup'] ?? 8);
// With `--fresh`, a proxy is alive only for its own round: idle proxies beside it on its core are
// not how anyone deploys one, and they cost the plugin targets more than `mosn` (measured with
// mosn vs mosn-log, fresh processes one after another: alone 0.92–1.00; with 4 idle `mosn` beside
// them 0.82–0.84; with 4 idle proxies that have plugins 0.75–0.77; see docs/benchmarks.md, session 9).
const alone = fresh && !opt.together;
if (opt.together && !fresh) {
  console.error('--together only applies with --fresh (without it every proxy runs for the whole run anyway)');
  process.exit(2);
}
const PLUGIN_CPU = opt['plugin-cpu'] === undefined ? undefined : Number(opt['plugin-cpu']);
const writeConfig = (config) => writeMosnConfig(pinPlugins(config, PLUGIN_CPU));

if (!hasCommand('wrk')) {
  console.error('wrk is not installed: run bench/setup.sh (apt-get install -y wrk nginx)');
  process.exit(1);
}
const haveNginx = hasCommand('nginx');
const used = new Set();
/** Directories a target wrote to (access logs), removed at the end. */
const tempDirs = [];

/** A target the bench can restart: `launch` starts its processes on a new port (in `--fresh` alone mode, only in its rounds). */
async function target(name, launch, { scheme } = {}) {
  const t = { name, launch, ...(scheme === undefined ? {} : { scheme }) };
  if (!alone) await relaunch(t);
  return t;
}

async function relaunch(t) {
  await stopTarget(t);
  const { port, child } = await t.launch();
  Object.assign(t, { port, child, pid: child.pid });
}

async function stopTarget(t) {
  if (t.child !== undefined) await stop(t.child);
  t.child = t.pid = t.port = undefined;
}

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
  // Every target gets the same requests, a bearer token included (see benchRequestHeaders).
  const requestHeaders = await benchRequestHeaders();
  if (wanted.includes('direct')) targets.push({ name: 'direct', port: upstreamPort });
  /** A MOSN.ts target: its config for a port, started on a new free port at each launch. */
  const mosnTarget = (name, configFor, { nodeArgs = [], scheme } = {}) =>
    target(name, async () => {
      const port = await freePort(used);
      const child = await startMosn({ configFile: writeConfig(configFor(port)), port, cpu: CPU_PROXY, nodeArgs });
      return { port, child };
    }, { scheme });
  // `mosn`; `mosn-aa`, a second MOSN.ts exactly like it (the A/A control: its ratio to `mosn` is
  // what this machine's noise alone makes of two equal proxies); and the plugin filters, whose
  // ratios against `mosn` show what each costs (bench/lib/filter-targets.mjs).
  for (const name of FILTER_TARGETS) {
    if (!wanted.includes(name)) continue;
    const nodeArgs = name === 'mosn' && opt['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', opt['cpu-prof']] : [];
    targets.push(await mosnTarget(name, (port) => filterTargetConfig(name, { port, upstreamPort, tempDirs }), { nodeArgs }));
  }
  // Metrics: `mosn` records them (the default); `mosn-nometrics` turns them off; `mosn-mgmt` also
  // runs the management plugin, which every worker reports to each second.
  if (wanted.includes('mosn-nometrics')) targets.push(await mosnTarget('mosn-nometrics', (port) => noMetricsProxyConfig({ port, upstreamPort })));
  if (wanted.includes('mosn-mgmt')) {
    const adminPort = await freePort(used);
    targets.push(await mosnTarget('mosn-mgmt', (port) => managementProxyConfig({ port, upstreamPort, adminPort })));
  }
  // Load balancing over 4 hosts (opt-in targets): the same upstream on 4 ports, so that the
  // ratio shows what the balancer costs (least request's two random draws and in-flight counts
  // against round robin's counter), not a difference between hosts.
  const multi = [['mosn-rr4', 'LB_ROUNDROBIN'], ['mosn-lr4', 'LB_LEAST_REQUEST']].filter(([name]) => wanted.includes(name));
  if (multi.length > 0) {
    const upstreamPorts = [];
    for (let i = 0; i < 4; i++) upstreamPorts.push(await freePort(used));
    if (haveNginx) {
      await startNginxUpstreams({ ports: upstreamPorts, bodyBytes, cpu: CPU_LOAD });
    } else {
      const script = fileURLToPath(new URL('../lib/node-upstream.mjs', import.meta.url));
      for (const p of upstreamPorts) {
        const [cmd, args] = pinned(CPU_LOAD, process.execPath, [script, String(p), String(bodyBytes)]);
        await waitForPort(p, spawnManaged(`node-upstream-${p}`, cmd, args));
      }
    }
    for (const [name, lbType] of multi) targets.push(await mosnTarget(name, (port) => multiHostProxyConfig({ port, upstreamPorts, lbType })));
  }
  for (const [name, file] of [['node-http', 'node-http-proxy.mjs'], ['pipe', 'node-net-pipe.mjs']]) {
    if (!wanted.includes(name)) continue;
    const script = fileURLToPath(new URL(`../lib/${file}`, import.meta.url));
    targets.push(
      await target(name, async () => {
        const port = await freePort(used);
        const [cmd, args] = pinned(CPU_PROXY, process.execPath, [script, String(port), String(upstreamPort)]);
        const child = spawnManaged(name, cmd, args);
        await waitForPort(port, child);
        return { port, child };
      }),
    );
  }
  if (wanted.includes('nginx') && haveNginx) {
    targets.push(
      await target('nginx', async () => {
        const port = await freePort(used);
        return { port, child: await startNginxProxy({ port, upstreamPort, cpu: CPU_PROXY }) };
      }),
    );
  }
  if (wanted.includes('mosn-tls') || (wanted.includes('nginx-tls') && haveNginx)) {
    const cert = makeBenchCert();
    if (wanted.includes('mosn-tls')) targets.push(await mosnTarget('mosn-tls', (port) => tlsProxyConfig({ port, upstreamPort, cert }), { scheme: 'https' }));
    if (wanted.includes('nginx-tls') && haveNginx) {
      targets.push(
        await target('nginx-tls', async () => {
          const port = await freePort(used);
          return { port, child: await startNginxTlsProxy({ port, upstreamPort, cpu: CPU_PROXY, cert }) };
        }, { scheme: 'https' }),
      );
    }
  }

  const sanityCheck = async (t) => {
    const headers = Object.fromEntries(requestHeaders.map((h) => h.split(': ')));
    const res = t.scheme === 'https' ? await httpsGet(t.port, headers) : await fetch(`http://127.0.0.1:${t.port}/`, { headers });
    const body = typeof res.body === 'string' ? res.body : await res.text();
    if (res.status !== 200 || body.length !== bodyBytes) throw new Error(`${t.name}: sanity check failed: ${res.status}, ${body.length} bytes`);
  };
  for (const t of targets) {
    t.headers = requestHeaders;
    if (!(alone && t.launch)) await sanityCheck(t); // a proxy started per round is checked at each start
    t.rps = [];
    t.p99 = [];
    t.cpuUs = [];
    t.errors = 0;
  }

  console.log(
    `upstream: ${upstreamKind}; ${bodyBytes}-byte responses; wrk -t1 -c${connections} -d${seconds}s; ${rounds} rounds; ${fresh ? (alone ? `proxies started for each round (warm-up ${freshWarmup}s), each the only proxy running` : `proxies restarted every round (warm-up ${freshWarmup}s), all running side by side`) : 'one process per proxy for the whole run'}; pinning ${pin ? 'wrk+upstream→CPU0, proxy→CPU1' : 'off'}; plugins ${PLUGIN_CPU === undefined ? 'with the proxy' : `→CPU${PLUGIN_CPU}`}`,
  );
  console.log(`load average before: ${readFileSync('/proc/loadavg', 'utf8').trim()} (other work on the machine skews req/s; CPU µs per request is steadier)`);
  for (const t of targets) {
    if (alone && t.launch) continue; // warmed up in each of its rounds
    await runWrk({ url: `${t.scheme ?? 'http'}://127.0.0.1:${t.port}/`, seconds: fresh && t.launch ? freshWarmup : warmup, connections, cpu: CPU_LOAD, headers: t.headers });
  }
  for (let r = 0; r < rounds; r++) {
    // Rotate the order each round so that no target always runs first or last.
    const order = targets.map((_, i) => targets[(i + r) % targets.length]);
    for (const t of order) {
      if (fresh && (r > 0 || alone) && t.launch) {
        await relaunch(t);
        await sanityCheck(t);
        await runWrk({ url: `${t.scheme ?? 'http'}://127.0.0.1:${t.port}/`, seconds: freshWarmup, connections, cpu: CPU_LOAD, headers: t.headers });
      }
      const cpuBefore = t.pid ? treeCpuMs(t.pid) : 0;
      const res = await runWrk({ url: `${t.scheme ?? 'http'}://127.0.0.1:${t.port}/`, seconds, connections, cpu: CPU_LOAD, headers: t.headers });
      if (t.pid) t.cpuUs.push(((treeCpuMs(t.pid) - cpuBefore) * 1000) / (res.rps * seconds));
      t.rps.push(res.rps);
      t.p99.push(res.p99);
      t.errors += res.errors;
      if (alone && t.launch) await stopTarget(t);
    }
    process.stdout.write(`round ${r + 1}/${rounds}: ${order.map((t) => `${t.name} ${Math.round(t.rps.at(-1))}`).join(', ')}\n`);
  }

  const byName = Object.fromEntries(targets.map((t) => [t.name, t]));
  const ratio = (t, base) => (byName[base] ? (median(t.rps) / median(byName[base].rps)).toFixed(2) : '-');
  // Round r of every target ran within the same few seconds: the median of those ratios.
  const pairedRatio = (t, base) => median(t.rps.map((rps, r) => rps / base.rps[r])).toFixed(2);
  const cpuRatio = (t, base) => (byName[base]?.cpuUs.length && t.cpuUs.length ? (median(byName[base].cpuUs) / median(t.cpuUs)).toFixed(2) : '-');
  const rows = [['target', 'req/s median (min–max)', 'p99 ms median (min–max)', '×direct', '×nginx', '×node-http', 'proxy CPU µs/req (tree)', 'CPU eff. ×nginx', 'errors']];
  for (const t of targets) {
    rows.push([
      t.name, spread(t.rps), spread(t.p99, 2), ratio(t, 'direct'), ratio(t, 'nginx'), ratio(t, 'node-http'),
      t.cpuUs.length ? spread(t.cpuUs, 1) : '-', cpuRatio(t, 'nginx'), t.errors,
    ]);
  }
  console.log('\n' + table(rows));
  for (const name of ['mosn-aa', 'mosn-auth', 'mosn-auth-cache', 'mosn-auth-verify', 'mosn-log', 'mosn-ratelimit']) {
    // The proxy CPU column counts the whole tree: supervisor, worker and the plugin. Pinned,
    // they share one core, so on a quiet machine req/s follows CPU per request; on a busy one the
    // CPU ratio is the steadier of the two.
    if (byName[name] && byName.mosn) {
      console.log(`${name} / mosn (no filter): req/s ${ratio(byName[name], 'mosn')} (paired ${pairedRatio(byName[name], byName.mosn)}), CPU per request ${cpuRatio(byName[name], 'mosn')}`);
    }
  }
  if (byName.mosn && byName['mosn-nometrics']) {
    console.log(`mosn (metrics on) / mosn-nometrics: req/s ${ratio(byName.mosn, 'mosn-nometrics')}, CPU per request ${cpuRatio(byName.mosn, 'mosn-nometrics')}`);
    if (byName['mosn-mgmt']) console.log(`mosn-mgmt (reports to the management plugin) / mosn-nometrics: req/s ${ratio(byName['mosn-mgmt'], 'mosn-nometrics')}, CPU per request ${cpuRatio(byName['mosn-mgmt'], 'mosn-nometrics')}`);
  }
  if (byName['mosn-lr4'] && byName['mosn-rr4']) {
    const lr = byName['mosn-lr4'];
    const rr = byName['mosn-rr4'];
    console.log(`mosn-lr4 / mosn-rr4 (4 hosts, LB_LEAST_REQUEST / LB_ROUNDROBIN): req/s ${ratio(lr, 'mosn-rr4')}, CPU per request ${cpuRatio(lr, 'mosn-rr4')}, p99 ${(median(lr.p99) / median(rr.p99)).toFixed(2)}`);
  }
  if (byName['mosn-tls'] && byName['nginx-tls']) {
    const [m, n] = [byName['mosn-tls'], byName['nginx-tls']];
    console.log(`mosn-tls / nginx-tls (TLS termination, keep-alive): req/s ${ratio(m, 'nginx-tls')}, CPU eff. ${cpuRatio(m, 'nginx-tls')}, p99 ${(median(m.p99) / median(n.p99)).toFixed(2)}`);
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
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}
