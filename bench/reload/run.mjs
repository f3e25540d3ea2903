// Reload under full load: wrk runs in 1-second windows against MOSN.ts (2 workers) while a reload
// starts at the beginning of every window (100 reloads 1 s apart by default). Prints requests
// served, errors by kind, and the throughput of windows with a reload against windows without.
//   node bench/reload/run.mjs [--reloads 100] [--baseline 5] [--connections 64] [--no-pin]
// Needs wrk (and nginx for the upstream): bench/setup.sh installs both.

import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ControlReload, connectUnix, createIpcConnection } from '../../ipc-protocol/dist/src/index.js';
import { startNginxUpstream } from '../lib/nginx.mjs';
import { httpProxyConfig, startMosn, writeConfig } from '../lib/mosn.mjs';
import { freePort, hasCommand, pinned, spawnManaged, stopAll, waitForPort } from '../lib/proc.mjs';
import { median } from '../lib/stats.mjs';

const { values: opt } = parseArgs({
  options: {
    reloads: { type: 'string', default: '100' },
    baseline: { type: 'string', default: '5' },
    connections: { type: 'string', default: '64' },
    'no-pin': { type: 'boolean', default: false },
  },
});
const pin = !opt['no-pin'];
const CPU_LOAD = pin ? 0 : undefined;
const CPU_PROXY = pin ? 1 : undefined;
if (!hasCommand('wrk')) {
  console.error('wrk is not installed: run bench/setup.sh (apt-get install -y wrk nginx)');
  process.exit(1);
}

/** One wrk window; errors by kind as wrk counts them. */
async function window(url) {
  const [cmd, args] = pinned(CPU_LOAD, 'wrk', ['-t1', `-c${opt.connections}`, '-d1s', url]);
  const child = spawnManaged('wrk', cmd, args, { detached: false });
  await new Promise((resolve) => child.on('exit', resolve));
  const out = child.output;
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = {
    connect: Number(sock?.[1] ?? 0),
    read: Number(sock?.[2] ?? 0),
    write: Number(sock?.[3] ?? 0),
    timeout: Number(sock?.[4] ?? 0),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
  };
  if (!Number.isFinite(requests)) throw new Error(`cannot read wrk output:\n${out}`);
  return { requests, rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0), errors };
}

async function main() {
  const upstreamPort = await freePort();
  if (hasCommand('nginx')) await startNginxUpstream({ port: upstreamPort, bodyBytes: 100, cpu: CPU_LOAD });
  else {
    const script = fileURLToPath(new URL('../lib/node-upstream.mjs', import.meta.url));
    const [cmd, args] = pinned(CPU_LOAD, process.execPath, [script, String(upstreamPort), '100']);
    await waitForPort(upstreamPort, spawnManaged('node-upstream', cmd, args));
  }
  const port = await freePort(new Set([upstreamPort]));
  const config = { ...httpProxyConfig({ port, upstreamPort }), workers: { count: 2, drain_timeout: '5s' } };
  const configFile = writeConfig(config);
  await startMosn({ configFile, port, cpu: CPU_PROXY, workers: 2 });
  const socket = await connectUnix(path.join(path.dirname(configFile), 'mosn.sock'));
  const control = createIpcConnection(socket, { logger: { error: () => undefined, warn: () => undefined } });
  control.listen();

  const url = `http://127.0.0.1:${port}/`;
  await window(url); // warm-up
  const baseline = [];
  for (let i = 0; i < Number(opt.baseline); i++) baseline.push(await window(url));
  const during = [];
  let reloadsOk = 0;
  const reloadMs = [];
  for (let i = 0; i < Number(opt.reloads); i++) {
    const started = Date.now();
    const reload = control.sendRequest(ControlReload, {}).then(
      () => {
        reloadsOk += 1;
        reloadMs.push(Date.now() - started);
      },
      (err) => console.error(`reload ${i + 1} failed: ${err.message}`),
    );
    during.push(await window(url));
    await reload;
    if ((i + 1) % 10 === 0) process.stdout.write(`${i + 1} reloads\n`);
  }
  control.dispose();
  socket.destroy();

  const all = [...baseline, ...during];
  const errors = {};
  for (const w of all) for (const [k, v] of Object.entries(w.errors)) errors[k] = (errors[k] ?? 0) + v;
  const baseRps = median(baseline.map((w) => w.rps));
  const reloadRps = median(during.map((w) => w.rps));
  const worst = Math.min(...during.map((w) => w.rps));
  console.log(`reloads: ${reloadsOk}/${opt.reloads} ok, cut-over median ${median(reloadMs)} ms (new generation ready, old draining)`);
  console.log(`requests served: ${all.reduce((n, w) => n + w.requests, 0)} in ${all.length} one-second windows, wrk -t1 -c${opt.connections}`);
  console.log(`errors: ${JSON.stringify(errors)} (total ${Object.values(errors).reduce((a, b) => a + b, 0)})`);
  console.log(`req/s: without reload median ${Math.round(baseRps)}; with a reload median ${Math.round(reloadRps)} (${((1 - reloadRps / baseRps) * 100).toFixed(1)}% dip), worst window ${Math.round(worst)}`);
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
