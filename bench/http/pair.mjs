// Two proxies measured at the same time: both on the proxy core (CPU 1), each loaded by its own wrk
// on CPU 0. They share the core for the whole window, so this VM's drift (±15% from one minute,
// even one second, to the next) hits both alike, and their ratio is read in one window instead of
// across rounds taken seconds apart (run.mjs).
//   node bench/http/pair.mjs [--base mosn] [--target mosn-log] [--starts 2] [--windows 4] [--seconds 5] [--warmup 8]
// Each start launches a new pair of proxies (a process is one draw of this VM's per-process
// speed), warms both up together, then measures `--windows` windows.
//
// Which ratio to read:
// - req/s (target / base): the scheduler gives each runnable thread its share of the core, so this
//   is the ratio of the two proxies' cost per request as long as each is one busy thread. True for
//   `mosn`, `mosn-aa`, `mosn-log` (its plugin only writes, ~2% of a core) and `mosn-auth-cache`
//   (cache hits, no RPC).
// - CPU per request (base / target): what run.mjs prints too. For a target whose plugin answers
//   every request (`mosn-auth`, `mosn-auth-verify`, `mosn-ratelimit`) neither ratio is the one
//   run.mjs measures: the plugin is a third busy thread with its own share, and the worker, which
//   waits for the core half the time, sends bigger batches. Those targets are measured by run.mjs.
import { parseArgs } from 'node:util';
import { benchRequestHeaders, requireFilterTargets, startFilterTarget, tempDirsRemovedAtExit } from '../lib/filter-targets.mjs';
import { startNginxUpstream } from '../lib/nginx.mjs';
import { positiveOption } from '../lib/options.mjs';
import { freePort, requireWrkAndNginx, stop, stopAll, treeCpuMs } from '../lib/proc.mjs';
import { median } from '../lib/stats.mjs';
import { runWrk } from '../lib/wrk.mjs';

const { values: opt } = parseArgs({
  options: {
    base: { type: 'string', default: 'mosn' },
    target: { type: 'string', default: 'mosn-log' },
    starts: { type: 'string', default: '2' },
    windows: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '8' },
    connections: { type: 'string', default: '64' },
  },
});
const starts = positiveOption(opt, 'starts', true);
const windows = positiveOption(opt, 'windows', true);
const seconds = positiveOption(opt, 'seconds', false);
const warmup = positiveOption(opt, 'warmup', false);
const connections = positiveOption(opt, 'connections', true);
requireFilterTargets([opt.base, opt.target]);
const ON_THE_REQUEST_PATH = ['mosn-auth', 'mosn-auth-verify', 'mosn-ratelimit'];
const CPU_LOAD = 0;
const CPU_PROXY = 1;

requireWrkAndNginx();

const tempDirs = tempDirsRemovedAtExit();

async function main() {
  const used = new Set();
  const upstreamPort = await freePort(used);
  await startNginxUpstream({ port: upstreamPort, bodyBytes: 100, cpu: CPU_LOAD });
  const headers = await benchRequestHeaders();
  const launch = async (name) => ({ name, ...(await startFilterTarget(name, { used, upstreamPort, tempDirs, cpu: CPU_PROXY })) });
  /** Both proxies loaded at once for `secs`: each one's wrk result and CPU µs per request. */
  const together = async (pair, secs) => {
    const before = pair.map((p) => treeCpuMs(p.child.pid));
    const results = await Promise.all(pair.map((p) => runWrk({ url: `http://127.0.0.1:${p.port}/`, seconds: secs, connections, cpu: CPU_LOAD, headers })));
    return results.map((res, i) => {
      if (res.errors > 0) throw new Error(`${pair[i].name}: expected 0 errors (socket errors and non-2xx answers), found ${res.errors}`);
      return { rps: res.rps, p99: res.p99, cpuUs: ((treeCpuMs(pair[i].child.pid) - before[i]) * 1000) / (res.rps * secs) };
    });
  };

  console.log(`${opt.target} against ${opt.base}, both on CPU ${CPU_PROXY} at once, each with wrk -t1 -c${connections} on CPU ${CPU_LOAD}; ${starts} start(s) × ${windows} window(s) of ${seconds} s after a ${warmup} s warm-up`);
  if (ON_THE_REQUEST_PATH.includes(opt.target)) console.log(`note: ${opt.target}'s plugin answers every request; read its ratio in run.mjs, not here (see this script's header)`);
  const rpsRatios = [];
  const cpuRatios = [];
  for (let s = 0; s < starts; s++) {
    const pair = [await launch(opt.base), await launch(opt.target)];
    try {
      await together(pair, warmup);
      for (let w = 0; w < windows; w++) {
        const [base, target] = await together(pair, seconds);
        rpsRatios.push(target.rps / base.rps);
        cpuRatios.push(base.cpuUs / target.cpuUs);
        console.log(
          `start ${s + 1} window ${w + 1}: ${opt.base} ${Math.round(base.rps)} req/s ${base.cpuUs.toFixed(1)} µs/req p99 ${base.p99} ms | ` +
            `${opt.target} ${Math.round(target.rps)} req/s ${target.cpuUs.toFixed(1)} µs/req p99 ${target.p99} ms | ratio ${rpsRatios.at(-1).toFixed(3)}`,
        );
      }
    } finally {
      await Promise.all(pair.map((p) => stop(p.child)));
    }
  }
  const range = (xs) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
  console.log(`\n${opt.target} / ${opt.base}, median of ${rpsRatios.length} windows: req/s ${median(rpsRatios).toFixed(2)} (${range(rpsRatios)}), CPU per request ${median(cpuRatios).toFixed(2)} (${range(cpuRatios)})`);
}

try {
  await main();
} finally {
  await stopAll();
}
