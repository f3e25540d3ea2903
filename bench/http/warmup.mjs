// How long a freshly started proxy takes to reach its steady speed under load: each target is
// started, then loaded with wrk in back-to-back windows from when its port accepts, and each window's
// req/s and CPU per request (the proxy's whole process tree: supervisor, worker, plugins) are
// printed. Targets run one after the other, each repeated `--repeat` times, alternating.
//   node bench/http/warmup.mjs [--targets mosn,mosn-auth,mosn-log,mosn-ratelimit] [--windows 8] [--window 2] [--repeat 2]
// This is what sets `--fresh-warmup`'s default in run.mjs: a window should be measured only once
// every target's curve has flattened.
import { parseArgs } from 'node:util';
import { benchRequestHeaders, requireFilterTargets, startFilterTarget, tempDirsRemovedAtExit } from '../lib/filter-targets.mjs';
import { startNginxUpstream } from '../lib/nginx.mjs';
import { positiveOption } from '../lib/options.mjs';
import { freePort, requireWrkAndNginx, stop, stopAll, treeCpuMs } from '../lib/proc.mjs';
import { median } from '../lib/stats.mjs';
import { runWrk } from '../lib/wrk.mjs';

const { values: opt } = parseArgs({
  options: {
    targets: { type: 'string', default: 'mosn,mosn-auth,mosn-log,mosn-ratelimit' },
    windows: { type: 'string', default: '8' },
    window: { type: 'string', default: '2' },
    repeat: { type: 'string', default: '2' },
  },
});
const windows = positiveOption(opt, 'windows', true);
const windowSeconds = positiveOption(opt, 'window', false);
const repeat = positiveOption(opt, 'repeat', true);
const CPU_LOAD = 0;
const CPU_PROXY = 1;

const names = opt.targets.split(',');
requireFilterTargets(names);
requireWrkAndNginx();

const tempDirs = tempDirsRemovedAtExit();

async function main() {
  const used = new Set();
  const upstreamPort = await freePort(used);
  await startNginxUpstream({ port: upstreamPort, bodyBytes: 100, cpu: CPU_LOAD });
  const headers = await benchRequestHeaders();
  console.log(`wrk -t1 -c64, ${windows} windows of ${windowSeconds} s from each start; req/s / CPU µs per request (process tree) per window`);
  /** name → per window, the CPU per request of every repeat */
  const curves = new Map(names.map((name) => [name, Array.from({ length: windows }, () => [])]));
  for (let r = 0; r < repeat; r++) {
    for (const name of names) {
      const { port, child } = await startFilterTarget(name, { used, upstreamPort, tempDirs, cpu: CPU_PROXY });
      const cells = [];
      for (let w = 0; w < windows; w++) {
        const before = treeCpuMs(child.pid);
        const res = await runWrk({ url: `http://127.0.0.1:${port}/`, seconds: windowSeconds, connections: 64, cpu: CPU_LOAD, headers });
        const cpuUs = ((treeCpuMs(child.pid) - before) * 1000) / (res.rps * windowSeconds);
        if (res.errors > 0) throw new Error(`${name}: expected 0 errors (socket errors and non-2xx answers), found ${res.errors} in window ${w + 1}`);
        curves.get(name)[w].push(cpuUs);
        cells.push(`${(res.rps / 1000).toFixed(1)}k/${cpuUs.toFixed(0)}`);
      }
      console.log(`${name.padEnd(16)} ${cells.join(' ')}`);
      await stop(child);
    }
  }
  console.log('\nmedian over the repeats, CPU µs per request by window end (s):');
  console.log(`${''.padEnd(16)} ${Array.from({ length: windows }, (_, w) => String((w + 1) * windowSeconds).padStart(5)).join(' ')}`);
  for (const [name, cells] of curves) console.log(`${name.padEnd(16)} ${cells.map((c) => median(c).toFixed(0).padStart(5)).join(' ')}`);
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(stopAll);
