import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { removeStaleRuntimeDirs } from '../src/plugin-host/stale-runtime-dirs.js';

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

async function listenIn(dir: string, t: import('node:test').TestContext): Promise<void> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(path.join(dir, 'plugin.1.sock'), resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
}

test('removes the socket directories of supervisors that are gone, and nothing else', async (t) => {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'stale-dirs-test-'));
  t.after(() => rm(tmp, { recursive: true, force: true }));
  const dead = deadPid();
  assert.ok(dead > 0);

  const gone = path.join(tmp, `mosn-${dead}-AbC123`);
  await mkdir(gone);
  await listenIn(gone, t);
  const goneEmpty = path.join(tmp, `mosn-${dead}-xyz789`);
  await mkdir(goneEmpty);
  // Alive: this test's own parent process.
  const alive = path.join(tmp, `mosn-${process.ppid}-QwErTy`);
  await mkdir(alive);
  await listenIn(alive, t);
  // Dead pid, but holding a regular file: not a directory PluginHost made alone.
  const withFile = path.join(tmp, `mosn-${dead}-Zz9Zz9`);
  await mkdir(withFile);
  await writeFile(path.join(withFile, 'notes.txt'), 'keep me');
  // Not a runtime directory's name.
  const other = path.join(tmp, `mosn-e2e-${dead}`);
  await mkdir(other);

  const removed = await removeStaleRuntimeDirs(tmp);

  assert.deepEqual(removed.sort(), [gone, goneEmpty].sort());
  assert.equal(existsSync(gone), false);
  assert.equal(existsSync(goneEmpty), false);
  for (const kept of [alive, withFile, other]) assert.equal(existsSync(kept), true, `${kept} is kept`);
});

test('a missing tmpdir removes nothing and does not throw', async () => {
  assert.deepEqual(await removeStaleRuntimeDirs(path.join(os.tmpdir(), 'no-such-dir-for-mosn-test')), []);
});
