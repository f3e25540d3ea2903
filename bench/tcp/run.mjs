// TCP proxy bulk throughput: MB/s through MOSN.ts `tcp_proxy` (1 worker) vs a plain Node `net`
// pipe (`a.pipe(b); b.pipe(a)`) vs direct, both directions, alternating over several rounds.
//   node bench/tcp/run.mjs [--rounds 5] [--mib 512] [--no-pin]

import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startMosn, tcpProxyConfig, writeConfig } from '../lib/mosn.mjs';
import { freePort, treeCpuMs, pinned, spawnManaged, stopAll, waitForPort } from '../lib/proc.mjs';
import { median, spread, table } from '../lib/stats.mjs';

const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    mib: { type: 'string', default: '512' },
    'no-pin': { type: 'boolean', default: false },
  },
});
const rounds = Number(opt.rounds);
const bytes = Number(opt.mib) * 1024 * 1024;
const CPU_LOAD = opt['no-pin'] ? undefined : 0;
const CPU_PROXY = opt['no-pin'] ? undefined : 1;
const lib = (f) => fileURLToPath(new URL(`../lib/${f}`, import.meta.url));
const used = new Set();

async function runClient(port, mode) {
  const [cmd, args] = pinned(CPU_LOAD, process.execPath, [lib('tcp-bulk-client.mjs'), String(port), mode, String(bytes)]);
  const child = spawnManaged('client', cmd, args, { detached: false });
  const code = await new Promise((resolve) => child.on('exit', resolve));
  const line = child.output.trim().split('\n').pop() ?? '';
  const res = code === 0 ? JSON.parse(line) : undefined;
  if (!res?.ok) throw new Error(`bulk client failed (${code}): ${child.output}`);
  return res.mbps;
}

async function main() {
  const sinkPort = await freePort(used);
  const [sc, sa] = pinned(CPU_LOAD, process.execPath, [lib('tcp-sink.mjs'), String(sinkPort)]);
  await waitForPort(sinkPort, spawnManaged('sink', sc, sa));

  const mosnPort = await freePort(used);
  const mosn = await startMosn({ configFile: writeConfig(tcpProxyConfig({ port: mosnPort, upstreamPort: sinkPort })), port: mosnPort, cpu: CPU_PROXY });
  const pipePort = await freePort(used);
  const [pc, pa] = pinned(CPU_PROXY, process.execPath, [lib('node-net-pipe.mjs'), String(pipePort), String(sinkPort)]);
  const pipe = spawnManaged('pipe', pc, pa);
  await waitForPort(pipePort, pipe);

  const targets = [
    { name: 'direct', port: sinkPort },
    { name: 'mosn tcp_proxy', port: mosnPort, pid: mosn.pid },
    { name: 'net pipe', port: pipePort, pid: pipe.pid },
  ];
  for (const t of targets) {
    t.up = [];
    t.down = [];
    t.cpu = [];
    await runClient(t.port, 'up'); // warm-up
  }
  console.log(`${bytes / 1024 / 1024} MiB per transfer, ${rounds} rounds; pinning ${CPU_LOAD === undefined ? 'off' : 'client+sink→CPU0, proxy→CPU1'}`);
  for (let r = 0; r < rounds; r++) {
    const order = targets.map((_, i) => targets[(i + r) % targets.length]);
    for (const t of order) {
      const before = t.pid ? treeCpuMs(t.pid) : 0;
      t.up.push(await runClient(t.port, 'up'));
      t.down.push(await runClient(t.port, 'down'));
      if (t.pid) t.cpu.push((treeCpuMs(t.pid) - before) / ((2 * bytes) / 1024 ** 3)); // ms per GiB
    }
    process.stdout.write(`round ${r + 1}/${rounds}: ${order.map((t) => `${t.name} ↑${Math.round(t.up.at(-1))} ↓${Math.round(t.down.at(-1))}`).join(', ')}\n`);
  }
  const pipeT = targets[2];
  const rows = [['target', 'up MB/s median (min–max)', 'down MB/s median (min–max)', 'up ×pipe', 'down ×pipe', 'proxy CPU ms/GiB']];
  for (const t of targets) {
    rows.push([
      t.name, spread(t.up), spread(t.down),
      (median(t.up) / median(pipeT.up)).toFixed(2), (median(t.down) / median(pipeT.down)).toFixed(2),
      t.cpu.length ? spread(t.cpu) : '-',
    ]);
  }
  console.log('\n' + table(rows));
}

try {
  await main();
} finally {
  await stopAll();
}
