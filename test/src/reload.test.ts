import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ControlReload, ResponseError, connectUnix, createIpcConnection } from '@mosn/ipc-protocol';
import { WORKER_MAIN_PATH } from '@mosn/worker';
import { catchAllRouter, cluster, httpListener, mosnConfig, type Json } from './helpers/config-builder.js';
import { isAlive, waitFor, waitForExit } from './helpers/deadline.js';
import { request } from './helpers/http-client.js';
import { startLoad } from './helpers/load.js';
import { runMosnctl, startMosn, writeConfig } from './helpers/mosn-process.js';
import { startHttpUpstream } from './helpers/upstream.js';
import { childPids, fdTargets, openFds } from './helpers/processes.js';

/** Each generation's config rewrites the Host header to `gen-N`, so a response tells which config served it. */
function configFor(generation: number, upstream: string, extra: { listeners?: Json[]; workers?: Json } = {}): Json {
  return mosnConfig({
    listeners: extra.listeners ?? [httpListener('http', 'r')],
    routers: [catchAllRouter('r', 'up', { host_rewrite: `gen-${generation}`, timeout: '10s' })],
    clusters: [cluster('up', [upstream])],
    workers: { drain_timeout: '5s', ...extra.workers },
  });
}

async function hostEchoUpstream(t: import('node:test').TestContext) {
  return startHttpUpstream(t, (req, res) => {
    if (req.url === '/slow') {
      const timer = setTimeout(() => res.end(`slow ${req.headers.host}`), 2000);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    res.end(String(req.headers.host));
  });
}

test('20 reloads under keep-alive and new-connection load lose no request, and the new config serves after each', async (t) => {
  const upstream = await hostEchoUpstream(t);
  const mosn = await startMosn(t, configFor(1, upstream.address));
  const port = mosn.port('http');
  const supervisorPid = mosn.child.pid ?? -1;
  const baseline = { fds: openFds(supervisorPid), targets: fdTargets(supervisorPid), children: childPids(supervisorPid).length };
  const load = startLoad({ port, keepAliveClients: 8, newConnectionClients: 2 });
  let lastTotals = 0;
  try {
    await waitFor(() => (load.completed > 100 ? true : undefined), 'load to get going');
    for (let generation = 2; generation <= 21; generation++) {
      await writeConfig(mosn.dir, configFor(generation, upstream.address));
      const result = await runMosnctl(['reload', '-c', mosn.configFile]);
      assert.equal(result.code, 0, `reload to generation ${generation}: ${result.stderr}`);
      assert.match(result.stdout, new RegExp(`generation ${generation}\\b`));
      assert.equal((await request(port)).body, `gen-${generation}`, 'a new request is served by the new config');
      const status = await mosn.status();
      assert.equal(status.supervisor.generation, generation);
      assert.ok(status.supervisor.totals.requests >= lastTotals, 'the requests total never goes backwards');
      lastTotals = status.supervisor.totals.requests;
      const before = load.completed;
      await waitFor(() => (load.completed > before + 50 ? true : undefined), 'load to go on after the reload');
    }
  } finally {
    const report = await load.stop();
    t.diagnostic(`load: ${JSON.stringify(report)}`);
    assert.deepEqual(report.errors, {}, 'no connection error, reset or hang-up');
    assert.deepEqual(report.non2xx, {}, 'no non-2xx response');
    assert.ok(report.ok > 1000, `enough load went through: ${report.ok}`);
  }
  const status = await waitFor(async () => {
    const s = await mosn.status();
    return s.workers.every((w) => w.generation === 21) ? s : undefined;
  }, 'old generations to finish draining');
  assert.equal(status.supervisor.reloads.ok, 20);
  assert.ok(status.supervisor.totals.requests >= lastTotals);
  // Nothing accumulates across reloads: the same number of children and open files as at the start.
  await waitFor(() => (childPids(supervisorPid).length === baseline.children ? true : undefined), 'old workers to be reaped');
  // No more than before, once the last control connections have closed: either count may catch one
  // closing (a CI run saw 27 after against 26 before). A leak never settles, so it still fails here.
  const settled = await waitFor(() => (openFds(supervisorPid) <= baseline.fds ? true : undefined), 'fds', 5000).catch(() => false);
  assert.ok(settled, `the supervisor holds ${openFds(supervisorPid)} fds after 20 reloads, ${baseline.fds} before\nafter:  ${fdTargets(supervisorPid).join(' ')}\nbefore: ${baseline.targets.join(' ')}`);
  const workers = status.workers.map((w) => w.pid);
  const stopped = await runMosnctl(['stop', '-c', mosn.configFile]);
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.deepEqual([supervisorPid, ...workers].filter(isAlive), [], 'nothing left after the stop');
});

test('a slow request in flight completes across a reload, then the old worker exits', async (t) => {
  const upstream = await hostEchoUpstream(t);
  const mosn = await startMosn(t, configFor(1, upstream.address), { workers: 1 });
  const port = mosn.port('http');
  const oldPid = (await mosn.status()).workers[0]?.pid ?? -1;
  let upstreamGotIt = false;
  upstream.server.once('request', () => (upstreamGotIt = true));
  const slow = request(port, { path: '/slow' });
  await waitFor(() => (upstreamGotIt ? true : undefined), 'the slow request to reach the upstream');
  await writeConfig(mosn.dir, configFor(2, upstream.address));
  const reload = await runMosnctl(['reload', '-c', mosn.configFile]);
  assert.equal(reload.code, 0, reload.stderr);
  assert.ok(isAlive(oldPid), 'the old worker is still draining while the request is in flight');
  const res = await slow;
  assert.equal(res.status, 200);
  assert.equal(res.body, 'slow gen-1', 'served by the generation that accepted it');
  assert.equal((await request(port)).body, 'gen-2');
  await waitForExit([oldPid], 6000);
});

test('a reload that fails changes nothing: invalid config, a crashing new worker, a hanging one', async (t) => {
  const upstream = await hostEchoUpstream(t);
  // The worker entry is a file we can rewrite, as an operator replaces the installed code.
  const shimDir = await mkdtemp(path.join(os.tmpdir(), 'mosn-shim-'));
  t.after(() => rm(shimDir, { recursive: true, force: true }));
  const shim = path.join(shimDir, 'worker.mjs');
  const realWorker = `await import(${JSON.stringify(WORKER_MAIN_PATH)});\n`;
  await writeFile(shim, realWorker);

  const mosn = await startMosn(t, configFor(1, upstream.address, { workers: { ready_timeout: '1500ms' } }), { env: { MOSN_WORKER_ENTRY: shim } });
  const port = mosn.port('http');
  const before = await mosn.status();
  const pids = () => before.workers.map((w) => w.pid).sort();
  const assertUnchanged = async (what: string): Promise<void> => {
    const now = await mosn.status();
    assert.deepEqual(now.workers.map((w) => w.pid).sort(), pids(), `${what}: the old workers keep serving, same pids`);
    assert.equal(now.supervisor.generation, 1, `${what}: generation unchanged`);
    assert.equal((await request(port)).body, 'gen-1', `${what}: still served by the old config`);
  };

  await writeConfig(mosn.dir, { ...configFor(2, upstream.address), servers: 'nope' });
  const invalid = await runMosnctl(['reload', '-c', mosn.configFile]);
  assert.equal(invalid.code, 1);
  assert.match(invalid.stderr, /mosn\.json:\d+:\d+ servers/);
  await assertUnchanged('invalid config');

  // A valid config, but new core code that crashes at start.
  await writeConfig(mosn.dir, configFor(2, upstream.address, { workers: { ready_timeout: '1500ms' } }));
  await writeFile(shim, `process.stderr.write('boom: the new core code is broken\\n');\nprocess.exit(3);\n`);
  const crash = await runMosnctl(['reload', '-c', mosn.configFile]);
  assert.equal(crash.code, 1);
  assert.match(crash.stderr, /reload failed/);
  assert.match(crash.stderr, /exit code 3/);
  assert.match(crash.stderr, /boom: the new core code is broken/, "the failing worker's own lines are shown");
  await assertUnchanged('crashing worker');

  // New core code that never reports ready.
  await writeFile(shim, `setInterval(() => {}, 1000);\n`);
  const hang = await runMosnctl(['reload', '-c', mosn.configFile]);
  assert.equal(hang.code, 1);
  assert.match(hang.stderr, /did not report ready within 1500 ms/);
  await assertUnchanged('hanging worker');

  // Fixed code that announces itself: the reload now succeeds and runs the new code from disk.
  await writeFile(shim, `process.stdout.write(JSON.stringify({ msg: 'core build v2 loaded', pid: process.pid }) + '\\n');\n${realWorker}`);
  const fixed = await runMosnctl(['reload', '-c', mosn.configFile]);
  assert.equal(fixed.code, 0, fixed.stderr);
  assert.equal((await request(port)).body, 'gen-2');
  const after = await mosn.status();
  for (const w of after.workers.filter((w) => w.generation === after.supervisor.generation)) {
    assert.ok(mosn.output.includes(`"msg":"core build v2 loaded","pid":${w.pid}`), `worker ${w.pid} runs the new code`);
  }
  // The invalid config never reached the supervisor: mosnctl validates it first and stops there.
  assert.equal(after.supervisor.reloads.failed, 2);
});

test('listeners: an added one is bound at reload, a removed one closes after the drain, an unchanged one keeps its socket', async (t) => {
  const upstream = await hostEchoUpstream(t);
  const mosn = await startMosn(t, configFor(1, upstream.address, { listeners: [httpListener('a', 'r')] }));
  const portA = mosn.port('a');
  await writeConfig(mosn.dir, configFor(2, upstream.address, { listeners: [httpListener('a', 'r'), httpListener('b', 'r')] }));
  const added = await runMosnctl(['reload', '-c', mosn.configFile, '--json']);
  assert.equal(added.code, 0, added.stderr);
  assert.deepEqual(JSON.parse(added.stdout).listenersAdded, ['b']);
  await mosn.status();
  assert.equal(mosn.port('a'), portA, 'the unchanged listener kept its socket (a port-0 re-bind would have moved it)');
  const portB = mosn.port('b');
  assert.equal((await request(portB)).body, 'gen-2');

  await writeConfig(mosn.dir, configFor(3, upstream.address, { listeners: [httpListener('b', 'r')] }));
  const removed = await runMosnctl(['reload', '-c', mosn.configFile, '--json']);
  assert.equal(removed.code, 0, removed.stderr);
  assert.deepEqual(JSON.parse(removed.stdout).listenersRemoved, ['a']);
  await waitFor(
    () =>
      new Promise<true | undefined>((resolve) => {
        const s = net.connect(portA, '127.0.0.1');
        s.on('connect', () => (s.destroy(), resolve(undefined)));
        s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' ? true : undefined));
      }),
    'the removed listener to refuse connections',
  );
  assert.equal((await request(portB)).body, 'gen-3');
});

test('a second reload while one runs is refused; SIGHUP reloads too', async (t) => {
  const upstream = await hostEchoUpstream(t);
  const mosn = await startMosn(t, configFor(1, upstream.address));
  await writeConfig(mosn.dir, configFor(2, upstream.address));
  const socket = await connectUnix(`${mosn.dir}/mosn.sock`);
  const connection = createIpcConnection(socket, { logger: { error: () => undefined, warn: () => undefined } });
  connection.listen();
  t.after(() => (connection.dispose(), socket.destroy()));
  const outcomes = await Promise.allSettled([connection.sendRequest(ControlReload, {}), connection.sendRequest(ControlReload, {})]);
  const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
  assert.equal(refused.length, 1);
  assert.ok(refused[0]?.reason instanceof ResponseError);
  assert.match(String(refused[0]?.reason.message), /another reload is in progress/);
  assert.equal((refused[0]?.reason as ResponseError<{ code: string }>).data?.code, 'MOSN_ERR_RELOAD_REFUSED');

  await writeConfig(mosn.dir, configFor(3, upstream.address));
  mosn.child.kill('SIGHUP');
  await waitFor(async () => ((await mosn.status()).supervisor.generation === 3 ? true : undefined), 'SIGHUP to reload');
  assert.equal((await request(mosn.port('http'))).body, 'gen-3');
});


test('at most two generations drain at once: a third reload kills the oldest draining one', async (t) => {
  const held: import('node:http').ServerResponse[] = [];
  const upstream = await startHttpUpstream(t, (_req, res) => {
    held.push(res); // answered only when the test ends: keeps its generation draining
  });
  t.after(() => held.forEach((r) => r.destroy()));
  const config = (n: number): Json => configFor(n, upstream.address, { workers: { drain_timeout: '30s' } });
  const mosn = await startMosn(t, config(1), { workers: 1 });
  const port = mosn.port('http');
  const pids: number[] = [];
  const pending: Promise<unknown>[] = [];
  for (let generation = 1; generation <= 3; generation++) {
    pids.push((await mosn.status()).workers.find((w) => w.generation === generation)?.pid ?? -1);
    const before = held.length;
    pending.push(request(port).catch((err: Error) => err));
    await waitFor(() => (held.length > before ? true : undefined), `a request held on generation ${generation}`);
    await writeConfig(mosn.dir, config(generation + 1));
    assert.equal((await runMosnctl(['reload', '-c', mosn.configFile])).code, 0);
  }
  // Generations 1, 2 and 3 each hold a request; with 4 serving, the oldest (1) is killed.
  await waitForExit([pids[0] ?? -1], 5000);
  assert.ok(isAlive(pids[1] ?? -1) && isAlive(pids[2] ?? -1), 'the two newest draining generations are kept');
  const status = await mosn.status();
  assert.deepEqual([...new Set(status.workers.map((w) => w.generation))].sort(), [2, 3, 4]);
  assert.ok((await pending[0]) instanceof Error, 'the request on the killed generation failed');
});
