// The access log's cost measured inside one worker: the worker has two listeners, `plain` (no
// filter) and `logged` (the `mosn-log` target's access log, to the logging-bypass plugin), and wrk
// loads one at a time, alternating. One process differs from the next by up to ±15% on this kind of
// VM, for its whole life (bench/http/run.mjs, `--fresh`); here both sides run in the same process,
// so that difference cancels and what is left is logging's own cost.
//   node bench/http/same-worker.mjs [--procs 3] [--rounds 4] [--seconds 3] [--connections 64]
// Prints, per round, each listener's req/s and CPU µs per request (the whole tree: supervisor,
// worker, plugin), then the mean difference in µs per request (± its standard error) and the median
// ratio of req/s. It complements run.mjs's `mosn-log` vs `mosn` and does not replace it: both
// listeners share JIT code and heap, which may make `plain` a little slower than a proxy that never
// logs (so read a ratio from here as an upper bound).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchRequestHeaders } from '../lib/filter-targets.mjs';
import { accessLogProxyConfig, writeConfig } from '../lib/mosn.mjs';
import { startNginxUpstream } from '../lib/nginx.mjs';
import { freePort, pinned, requireWrkAndNginx, spawnManaged, stop, stopAll, treeCpuMs, waitForPort } from '../lib/proc.mjs';
import { median } from '../lib/stats.mjs';
import { runWrk } from '../lib/wrk.mjs';

const { values: opt } = parseArgs({
  options: {
    procs: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '64' },
  },
});
const procs = Number(opt.procs);
const rounds = Number(opt.rounds);
const seconds = Number(opt.seconds);
const connections = Number(opt.connections);
const CPU_LOAD = 0;
const CPU_PROXY = 1;

requireWrkAndNginx();
const logDir = mkdtempSync(join(tmpdir(), 'mosn-bench-same-'));
const cleanup = () => rmSync(logDir, { recursive: true, force: true });
process.on('SIGINT', () => void stopAll().finally(() => (cleanup(), process.exit(130))));

/** One round's numbers of one listener. */
const results = { plain: [], logged: [] };

try {
  const headers = await benchRequestHeaders();
  const used = new Set();
  const upstreamPort = await freePort(used);
  await startNginxUpstream({ port: upstreamPort, bodyBytes: 100, cpu: CPU_LOAD });
  console.log(`upstream: nginx; wrk -t1 -c${connections} -d${seconds}s; ${procs} processes × ${rounds} rounds; wrk+upstream→CPU${CPU_LOAD}, proxy and plugin→CPU${CPU_PROXY}`);
  for (let p = 0; p < procs; p++) {
    const ports = { plain: await freePort(used), logged: await freePort(used) };
    const config = accessLogProxyConfig({ port: ports.logged, upstreamPort, logPath: join(logDir, `access-${p}.log`) });
    const logged = config.servers[0].listeners[0];
    logged.name = 'logged';
    const plain = { ...structuredClone(logged), name: 'plain', address: `127.0.0.1:${ports.plain}` };
    delete plain.stream_filters;
    delete plain.access_logs;
    config.servers[0].listeners = [plain, logged];
    const [command, args] = pinned(CPU_PROXY, process.execPath, [new URL('../../supervisor/bin/mosnctl.js', import.meta.url).pathname, 'start', '-c', writeConfig(config), '--workers', '1']);
    const child = spawnManaged(`mosn-${p}`, command, args);
    await waitForPort(ports.plain, child);
    await waitForPort(ports.logged, child);
    // Both listeners warm (and the plugin's code compiled) before anything is measured.
    for (let w = 0; w < 2; w++) for (const name of ['plain', 'logged']) await runWrk({ url: `http://127.0.0.1:${ports[name]}/`, seconds: 3, connections, cpu: CPU_LOAD, headers });
    for (let r = 0; r < rounds; r++) {
      const line = {};
      for (const name of r % 2 === 0 ? ['plain', 'logged'] : ['logged', 'plain']) {
        const cpuBefore = treeCpuMs(child.pid);
        const w = await runWrk({ url: `http://127.0.0.1:${ports[name]}/`, seconds, connections, cpu: CPU_LOAD, headers });
        const cpuMs = treeCpuMs(child.pid) - cpuBefore;
        if (w.errors > 0) throw new Error(`${name}: wrk saw ${w.errors} errors`);
        line[name] = { rps: w.rps, cpuUs: (cpuMs * 1000) / (w.rps * seconds) };
        results[name].push(line[name]);
      }
      console.log(
        `process ${p + 1}/${procs} round ${r + 1}/${rounds}: plain ${Math.round(line.plain.rps)} req/s ${line.plain.cpuUs.toFixed(1)} µs, logged ${Math.round(line.logged.rps)} req/s ${line.logged.cpuUs.toFixed(1)} µs: ` +
          `+${(line.logged.cpuUs - line.plain.cpuUs).toFixed(2)} µs, ratio ${(line.logged.rps / line.plain.rps).toFixed(3)}`,
      );
    }
    await stop(child);
  }
  const diffs = results.logged.map((l, i) => l.cpuUs - results.plain[i].cpuUs);
  const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
  const sd = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, diffs.length - 1));
  const ratios = results.logged.map((l, i) => l.rps / results.plain[i].rps);
  console.log(
    `\nlogged − plain: ${mean.toFixed(2)} µs per request (± ${(sd / Math.sqrt(diffs.length)).toFixed(2)} standard error, n=${diffs.length}) on plain's ${median(results.plain.map((x) => x.cpuUs)).toFixed(1)} µs; ` +
      `req/s logged / plain: ${median(ratios).toFixed(3)} median of ${ratios.length} (${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})`,
  );
} finally {
  await stopAll();
  cleanup();
}
