import assert from 'node:assert/strict';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { PluginStatus } from '@mosn/ipc-protocol';
import { cluster, httpListener, mosnConfig, catchAllRouter, type Json } from './helpers/config-builder.js';
import { isAlive, waitFor, waitForExit } from './helpers/deadline.js';
import { request } from './helpers/http-client.js';
import { runMosnctl, startMosn, tempDir, writeConfig } from './helpers/mosn-process.js';
import { startHttpUpstream } from './helpers/upstream.js';
import { startLoad } from './helpers/load.js';

const AUTH_MAIN = fileURLToPath(new URL('../../../plugins/auth/dist/src/main.js', import.meta.url));
const LOGGING_MAIN = fileURLToPath(new URL('../../../plugins/logging-bypass/dist/src/main.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

function withPlugins(plugins: Json[]): Json {
  return mosnConfig({
    listeners: [httpListener('http', 'r')],
    routers: [catchAllRouter('r', 'up')],
    clusters: [cluster('up', ['127.0.0.1:9'])],
    top: { plugins },
  });
}

const authPlugin = (config: Json = { api_keys: { keys: ['k-1'] } }): Json => ({ name: 'auth', command: process.execPath, args: [AUTH_MAIN], config });

async function pluginList(configFile: string): Promise<PluginStatus[]> {
  const result = await runMosnctl(['plugin', 'list', '-c', configFile, '--json']);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as PluginStatus[];
}

test('a plugin killed with SIGKILL is back within a second; stop leaves no plugin process', async (t) => {
  const mosn = await startMosn(t, withPlugins([authPlugin()]), { workers: 1 });
  const [before] = await pluginList(mosn.configFile);
  assert.equal(before?.state, 'running');
  assert.ok(before?.pid !== null && before?.pid !== undefined && isAlive(before.pid));
  assert.match(String(before?.socket), /auth\.1\.sock$/);

  const killedAt = Date.now();
  process.kill(before.pid, 'SIGKILL');
  const after = await waitFor(async () => {
    const [p] = (await mosn.status()).plugins;
    return p?.state === 'running' && p.pid !== before.pid ? p : undefined;
  }, 'the plugin to be restarted', 5000);
  assert.ok(Date.now() - killedAt < 1500, `restarted after ${Date.now() - killedAt} ms`);
  assert.equal(after.restarts, 1);
  assert.match(String(after.lastExit), /SIGKILL/);
  const status = await mosn.status();
  assert.equal(status.workers[0]?.restarts, 0, 'the worker did not notice beyond its plugin client');

  const human = await runMosnctl(['plugin', 'list', '-c', mosn.configFile]);
  assert.match(human.stdout, /PLUGIN\s+PID\s+STATE/);
  assert.match(human.stdout, /auth\s+\d+\s+running\s+1/);

  const stopped = await runMosnctl(['stop', '-c', mosn.configFile]);
  assert.equal(stopped.code, 0, stopped.stderr);
  await waitForExit([after.pid ?? -1], 3000);
});

test('a crash-looping plugin is marked failed; plugin restart brings it back and resets the breaker', async (t) => {
  const dir = await tempDir(t);
  const flag = path.join(dir, 'crash');
  const flaky: Json = { name: 'flaky', command: process.execPath, args: [path.join(FIXTURES, 'flaky-plugin.mjs')], env: { FLAKY_FLAG: flag } };
  const mosn = await startMosn(t, withPlugins([flaky]), { workers: 1 });
  const [first] = await pluginList(mosn.configFile);
  assert.equal(first?.state, 'running');

  await writeFile(flag, 'crash');
  process.kill(first?.pid ?? -1, 'SIGKILL');
  const failed = await waitFor(async () => {
    const [p] = (await mosn.status()).plugins;
    return p?.state === 'failed' ? p : undefined;
  }, 'the crash-loop breaker to open', 15_000);
  assert.ok(failed.restarts >= 4, `restarted ${failed.restarts} times before giving up`);
  assert.equal(failed.pid, null);

  await rm(flag);
  const restarted = await runMosnctl(['plugin', 'restart', 'flaky', '-c', mosn.configFile]);
  assert.equal(restarted.code, 0, restarted.stderr);
  assert.match(restarted.stdout, /plugin flaky restarted: pid \d+, running/);
  const [back] = await pluginList(mosn.configFile);
  assert.equal(back?.state, 'running');

  const unknown = await runMosnctl(['plugin', 'restart', 'nope', '-c', mosn.configFile]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no plugin named "nope" \(configured: "flaky"\)/);
});

test('plugins that cannot start never keep the proxy from starting: reported, retried or failed, and their filters apply the failure mode', async (t) => {
  const upstream = await startHttpUpstream(t, (_req, res) => res.end('upstream'));
  const silent: Json = { name: 'silent', command: process.execPath, args: [path.join(FIXTURES, 'silent-plugin.mjs')], start_timeout: '1s' };
  const broken = authPlugin({ api_keys: { keys: 'not-a-list' } });
  const ghost: Json = { name: 'ghost', command: './no-such-plugin' };
  const listener = {
    ...httpListener('http', 'r'),
    stream_filters: [
      { type: 'plugin', config: { plugin: 'silent', failure_mode: 'open' } },
      { type: 'auth', config: { plugin: 'auth' } },
    ],
  };
  const config = mosnConfig({
    listeners: [listener],
    routers: [catchAllRouter('r', 'up')],
    clusters: [cluster('up', [upstream.address])],
    top: { plugins: [silent, broken, ghost] },
  });
  const mosn = await startMosn(t, config, { workers: 1 });
  await waitFor(() => (/plugin "silent" is not running/.test(mosn.output) ? true : undefined), 'the warning on stderr');
  assert.match(mosn.output, /mosnctl: warning: plugin "auth" is not running \(failed\): plugin "auth": initialize failed: .*api_keys\.keys/s);
  assert.match(mosn.output, /mosnctl: warning: plugin "ghost" is not running \((backoff|failed)\): plugin "ghost": cannot run/);

  const plugins = await pluginList(mosn.configFile);
  const byName = new Map(plugins.map((p) => [p.name, p]));
  assert.match(String(byName.get('silent')?.lastExit), /no handshake line on stdout within 1000 ms/);
  assert.ok(['backoff', 'starting'].includes(String(byName.get('silent')?.state)), 'a plugin that did not say hello is retried');
  assert.equal(byName.get('auth')?.state, 'failed', 'an invalid config is not retried');

  // silent fails open (the request goes on), auth fails closed with its 403.
  const res = await request(mosn.port('http'));
  assert.equal(res.status, 403);
  assert.match(res.body, /auth plugin "auth" unavailable/);
});

test('reload replaces a changed plugin, keeps an unchanged one (same pid), and is refused whole when a new plugin cannot start', async (t) => {
  const flaky: Json = { name: 'flaky', command: process.execPath, args: [path.join(FIXTURES, 'flaky-plugin.mjs')] };
  const mosn = await startMosn(t, withPlugins([authPlugin(), flaky]), { workers: 1 });
  const pidOf = (list: PluginStatus[], name: string): number => list.find((p) => p.name === name)?.pid ?? -1;
  const before = await pluginList(mosn.configFile);

  await writeConfig(mosn.dir, withPlugins([authPlugin({ api_keys: { keys: ['k-2'] } }), flaky]));
  const reload = await runMosnctl(['reload', '-c', mosn.configFile, '--json']);
  assert.equal(reload.code, 0, reload.stderr);
  assert.deepEqual(JSON.parse(reload.stdout).pluginsStarted, ['auth']);
  const after = await pluginList(mosn.configFile);
  assert.notEqual(pidOf(after, 'auth'), pidOf(before, 'auth'), 'the changed plugin runs as a new process');
  assert.equal(pidOf(after, 'flaky'), pidOf(before, 'flaky'), 'the unchanged plugin kept its process');
  await waitForExit([pidOf(before, 'auth')], 5000);

  await writeConfig(mosn.dir, withPlugins([authPlugin({ api_keys: { keys: 42 } }), flaky]));
  const refused = await runMosnctl(['reload', '-c', mosn.configFile]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /reload failed, the running generation is unchanged: plugin "auth": initialize failed/);
  const unchanged = await pluginList(mosn.configFile);
  assert.deepEqual(unchanged.map((p) => [p.name, p.pid]), after.map((p) => [p.name, p.pid]));
  assert.equal((await mosn.status()).supervisor.generation, 2);

  await writeConfig(mosn.dir, withPlugins([flaky]));
  const removed = await runMosnctl(['reload', '-c', mosn.configFile, '--json']);
  assert.equal(removed.code, 0, removed.stderr);
  assert.deepEqual(JSON.parse(removed.stdout).pluginsRemoved, ['auth']);
  await waitForExit([pidOf(after, 'auth')], 5000);
  assert.deepEqual((await pluginList(mosn.configFile)).map((p) => p.name), ['flaky']);
});

test('a plugin that stops answering is detected by heartbeats and restarted; meanwhile its filter fails closed', async (t) => {
  const upstream = await startHttpUpstream(t, (_req, res) => res.end('upstream'));
  const hangable: Json = { name: 'hangable', command: process.execPath, args: [path.join(FIXTURES, 'hangable-plugin.mjs')], timeout: '200ms' };
  const listener = { ...httpListener('http', 'r'), stream_filters: [{ type: 'plugin', config: { plugin: 'hangable', failure_mode: 'closed' } }] };
  const mosn = await startMosn(t, mosnConfig({ listeners: [listener], routers: [catchAllRouter('r', 'up')], clusters: [cluster('up', [upstream.address])], top: { plugins: [hangable] } }), { workers: 1 });
  const port = mosn.port('http');
  assert.equal((await request(port)).status, 200);
  const [before] = (await mosn.status()).plugins;

  const frozenAt = Date.now();
  const frozen = await request(port, { headers: { 'x-hang': '1' } });
  assert.equal(frozen.status, 503, 'the call timed out and the filter failed closed');
  assert.match(frozen.body, /plugin "hangable" unavailable/);
  assert.ok(Date.now() - frozenAt < 1000, 'the timeout, not the hang, decided');

  const after = await waitFor(async () => {
    const [p] = (await mosn.status()).plugins;
    return p?.state === 'running' && p.pid !== before?.pid ? p : undefined;
  }, 'the hung plugin to be replaced', 8000);
  t.diagnostic(`replaced ${Date.now() - frozenAt} ms after it froze: ${after.lastExit}`);
  assert.ok(Date.now() - frozenAt < 5000, 'hang detected within seconds');
  assert.match(String(after.lastExit), /hung/);
  assert.equal(isAlive(before?.pid ?? -1), false, 'the frozen process was killed');
  await waitFor(async () => ((await request(port)).status === 200 ? true : undefined), 'requests to pass again');
});

test('a changed auth plugin is swapped under load with zero failed auth decisions', async (t) => {
  const upstream = await startHttpUpstream(t, (_req, res) => res.end('upstream'));
  const configWith = (keys: string[]): Json => {
    const listener = { ...httpListener('http', 'r'), stream_filters: [{ type: 'auth', config: { plugin: 'auth' } }] };
    return mosnConfig({
      listeners: [listener],
      routers: [catchAllRouter('r', 'up')],
      clusters: [cluster('up', [upstream.address])],
      // A generous call timeout: on this 2-core machine the load, two workers and a starting
      // plugin process compete for CPU, and a call that merely runs late is not what this tests.
      top: { plugins: [{ ...authPlugin({ api_keys: { keys } }), timeout: '2s' }] },
    });
  };
  const mosn = await startMosn(t, configWith(['k-1']), { workers: 2 });
  const load = startLoad({ port: mosn.port('http'), keepAliveClients: 6, newConnectionClients: 1, headers: { 'x-api-key': 'k-1' } });
  const replaced: number[] = [];
  try {
    await waitFor(() => (load.completed > 200 ? true : undefined), 'load to get going');
    for (let i = 1; i <= 3; i++) {
      const [old] = (await mosn.status()).plugins;
      replaced.push(old?.pid ?? -1);
      await writeConfig(mosn.dir, configWith(['k-1', `k-extra-${i}`]));
      const reload = await runMosnctl(['reload', '-c', mosn.configFile, '--json']);
      assert.equal(reload.code, 0, reload.stderr);
      assert.deepEqual(JSON.parse(reload.stdout).pluginsStarted, ['auth']);
      const before = load.completed;
      await waitFor(() => (load.completed > before + 200 ? true : undefined), 'load to go on after the swap');
    }
  } finally {
    const report = await load.stop();
    t.diagnostic(JSON.stringify(report));
    assert.deepEqual(report.errors, {}, 'no connection error');
    assert.deepEqual(report.non2xx, {}, 'no refused or failed auth decision');
  }
  await waitForExit(replaced, 5000);
});

/** The niceness of each thread of `pid` (field 19 of /proc/<pid>/task/<tid>/stat). */
async function threadNiceness(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => undefined);
    if (stat === undefined) continue; // the thread ended while we listed
    out.push(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return out;
}

test('nice lowers the priority of every thread of a plugin, still so once it works; the default leaves it as is', async (t) => {
  const dir = await tempDir(t);
  const logPath = path.join(dir, 'access.log');
  const config = mosnConfig({
    listeners: [
      {
        ...httpListener('http', 'r'),
        stream_filters: [{ type: 'access_log', config: { plugin: 'log', flush_interval: '10ms' } }],
        access_logs: [{ log_path: logPath, log_format: '%request_path% %response_code%' }],
      },
    ],
    routers: [catchAllRouter('r', 'up')],
    clusters: [cluster('up', ['127.0.0.1:9'])],
    top: { plugins: [{ name: 'log', command: process.execPath, args: [LOGGING_MAIN], nice: 10 }, authPlugin()] },
  });
  const mosn = await startMosn(t, config, { workers: 1 });
  const plugins = await pluginList(mosn.configFile);
  const niced = plugins.find((p) => p.name === 'log')?.pid;
  const plain = plugins.find((p) => p.name === 'auth')?.pid;
  assert.ok(typeof niced === 'number' && typeof plain === 'number', JSON.stringify(plugins));
  const before = await threadNiceness(niced);
  assert.deepEqual(new Set(before), new Set([10]), `every thread at 10: ${before.join(',')}`);
  assert.deepEqual(new Set(await threadNiceness(plain)), new Set([0]), 'a plugin without nice keeps the default');

  // The plugin at work (a batch, its file opened and written) keeps every thread at 10.
  assert.equal((await request(mosn.port('http'), { path: '/logged' })).status, 502);
  await waitFor(async () => ((await readFile(logPath, 'utf8').catch(() => '')).includes('/logged 502') ? true : undefined), 'the line in the access log');
  const after = await threadNiceness(niced);
  assert.deepEqual(new Set(after), new Set([10]), `every thread at 10: ${after.join(',')}`);
});
