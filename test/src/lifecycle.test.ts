import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { StatusResult } from '@mosn/ipc-protocol';
import { catchAllRouter, cluster, httpListener, mosnConfig } from './helpers/config-builder.js';
import { isAlive, waitFor, waitForExit } from './helpers/deadline.js';
import { request } from './helpers/http-client.js';
import { runMosnctl, startMosn } from './helpers/mosn-process.js';
import { startHttpUpstream } from './helpers/upstream.js';

async function proxyWithUpstream(t: import('node:test').TestContext, top: Record<string, unknown> = {}) {
  const upstream = await startHttpUpstream(t, (_req, res) => res.end(`pid ${process.pid}`));
  return startMosn(t, mosnConfig({
    listeners: [httpListener('http', 'r')],
    routers: [catchAllRouter('r', 'up')],
    clusters: [cluster('up', [upstream.address])],
    top,
  }));
}

test('status --json reports the supervisor, the listeners and each worker with its counters', async (t) => {
  const mosn = await proxyWithUpstream(t);
  for (let i = 0; i < 6; i++) assert.equal((await request(mosn.port('http'))).status, 200);
  const result = await runMosnctl(['status', '-c', mosn.configFile, '--json']);
  assert.equal(result.code, 0, result.stderr);
  const status = JSON.parse(result.stdout) as StatusResult;
  assert.equal(status.supervisor.pid, mosn.child.pid);
  assert.equal(status.supervisor.state, 'running');
  assert.equal(status.supervisor.generation, 1);
  assert.deepEqual(status.listeners.map((l) => l.name), ['http']);
  assert.equal(status.workers.length, 2);
  for (const w of status.workers) {
    assert.equal(w.state, 'ready');
    assert.equal(w.generation, 1);
    assert.ok(isAlive(w.pid));
  }
  assert.equal(status.workers.reduce((n, w) => n + w.requestsTotal, 0), 6);
  assert.equal(status.workers.reduce((n, w) => n + w.connectionsTotal, 0), 6);

  const human = await runMosnctl(['status', '-c', mosn.configFile]);
  assert.equal(human.code, 0);
  assert.match(human.stdout, /WORKER\s+PID\s+GEN\s+STATE/);
  assert.match(human.stdout, new RegExp(`supervisor pid ${mosn.child.pid}`));
});

test('mosnctl stop returns only when the supervisor and every worker are gone, and removes the pid file', async (t) => {
  const mosn = await proxyWithUpstream(t, { pid: 'mosn.pid' });
  const status = await mosn.status();
  const pidFile = path.join(mosn.dir, 'mosn.pid');
  assert.equal((await readFile(pidFile, 'utf8')).trim(), String(mosn.child.pid));
  const pids = [status.supervisor.pid, ...status.workers.map((w) => w.pid)];
  const result = await runMosnctl(['stop', '-c', mosn.configFile]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(pids.filter(isAlive), [], 'no process remains when stop returns');
  assert.equal(await mosn.exited(), 0);
  await assert.rejects(readFile(pidFile), { code: 'ENOENT' });
});

test('SIGTERM to the supervisor stops everything gracefully; SIGINT stops at once', async (t) => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const mosn = await proxyWithUpstream(t);
    const status = await mosn.status();
    mosn.child.kill(signal);
    assert.equal(await mosn.exited(), 0, `exit code after ${signal}`);
    await waitForExit(status.workers.map((w) => w.pid), 5000);
  }
});

test('a worker killed with SIGKILL is replaced while the other keeps serving', async (t) => {
  const mosn = await proxyWithUpstream(t);
  const before = await mosn.status();
  const [victim, survivor] = before.workers;
  assert.ok(victim !== undefined && survivor !== undefined);
  process.kill(victim.pid, 'SIGKILL');
  // Requests keep succeeding while the victim is down and being replaced.
  for (let i = 0; i < 20; i++) assert.equal((await request(mosn.port('http'))).status, 200);
  const after = await waitFor(async () => {
    const s = await mosn.status();
    const replaced = s.workers.find((w) => w.id === victim.id);
    return replaced !== undefined && replaced.pid !== victim.pid && replaced.state === 'ready' ? s : undefined;
  }, 'the killed worker to be replaced');
  const replaced = after.workers.find((w) => w.id === victim.id);
  assert.equal(replaced?.restarts, 1);
  assert.equal(after.workers.find((w) => w.id === survivor.id)?.pid, survivor.pid, 'the other worker was untouched');
  assert.equal(after.supervisor.pid, before.supervisor.pid);
});

test('a supervisor killed with SIGKILL leaves no worker behind', async (t) => {
  const mosn = await proxyWithUpstream(t);
  const status = await mosn.status();
  mosn.child.kill('SIGKILL');
  await mosn.exited();
  // Workers notice the IPC channel closing and exit on their own.
  await waitForExit(status.workers.map((w) => w.pid), 5000);
});
