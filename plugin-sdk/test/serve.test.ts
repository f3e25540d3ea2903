import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import {
  PLUGIN_ENV,
  PLUGIN_PROTOCOL_VERSION,
  PLUGIN_RPC_ERROR_CODES,
  PluginCall,
  PluginCheckRequest,
  PluginExit,
  PluginHeartbeat,
  PluginInitialize,
  PluginInitialized,
  PluginShutdown,
  RPC_ERROR_CODES,
  ResponseError,
} from '@mosn/ipc-protocol';
import type { CheckRequestParams } from '@mosn/ipc-protocol';
import { PLUGIN_SDK_ERROR_CODES } from '../src/index.js';
import {
  FIXTURE,
  LAUNCHER,
  connect,
  connectHost,
  initialize,
  isRunning,
  launchEnv,
  runtimeDir,
  spawnPlugin,
  startPlugin,
  until,
  withDeadline,
} from './helpers/plugin-process.js';

const request = (path: string, headers: Record<string, string> = { 'x-team': 'a' }): CheckRequestParams => ({
  method: 'GET',
  path,
  authority: 'example.test',
  headers,
  remoteAddress: '127.0.0.1',
});

function rpcError(code: number, sdkCode?: string) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof ResponseError, `expected a ResponseError, found ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (sdkCode !== undefined) assert.equal((error.data as { code?: string } | undefined)?.code, sdkCode);
    return true;
  };
}

test('a plugin prints a handshake line once it listens and initializes as host with its hooks', async (t) => {
  const plugin = await startPlugin(t);
  const handshake = await plugin.handshake;
  assert.equal(handshake.pluginVersion, '0.0.1-test');
  assert.match(handshake.socketPath, /fixture\.sock$/);
  const { connection } = await connect(t, plugin.socketPath);
  const result = await initialize(connection, plugin.secret, 'host', { header: 'x-team' });
  assert.deepEqual(result, { pluginVersion: '0.0.1-test', name: 'fixture', hooks: ['checkRequest', 'call'], wire: ['log-rows/1', 'call-tuples/1'] });
  await connection.sendNotification(PluginInitialized);
  assert.ok(plugin.logs.some((r) => r['msg'] === 'fixture setup ran' && r['name'] === 'fixture'), 'setup logged on stderr with the plugin name');
});

test('workers initialize after the host, without config, and share its state', async (t) => {
  const plugin = await startPlugin(t);
  const { connection: early } = await connect(t, plugin.socketPath);
  await assert.rejects(initialize(early, plugin.secret, 'worker'), rpcError(RPC_ERROR_CODES.notInitialized, PLUGIN_SDK_ERROR_CODES.notInitialized));

  const host = await connectHost(t, plugin);
  const { connection: worker1 } = await connect(t, plugin.socketPath);
  const { connection: worker2 } = await connect(t, plugin.socketPath);
  assert.deepEqual((await initialize(worker1, plugin.secret, 'worker')).hooks, ['checkRequest', 'call']);
  await initialize(worker2, plugin.secret, 'worker');
  assert.deepEqual(await worker1.sendRequest(PluginCheckRequest, request('/')), { action: 'allow', headersToAdd: { 'x-checks': '1' } });
  assert.deepEqual(await worker2.sendRequest(PluginCheckRequest, request('/')), { action: 'allow', headersToAdd: { 'x-checks': '2' } });
  // A worker may not stop the plugin for everyone.
  await assert.rejects(worker1.sendRequest(PluginShutdown), rpcError(RPC_ERROR_CODES.unauthorized));
  assert.ok((await host.sendRequest(PluginHeartbeat, {})).uptimeMs >= 0);
});

test('a wrong or missing secret is refused with unauthorized and the connection is closed', async (t) => {
  const plugin = await startPlugin(t);
  const { connection, closed } = await connect(t, plugin.socketPath);
  await assert.rejects(initialize(connection, 'not-the-secret', 'host', { header: 'x' }), rpcError(RPC_ERROR_CODES.unauthorized, PLUGIN_SDK_ERROR_CODES.unauthorized));
  await withDeadline(closed, 5_000, 'the plugin to close the connection');

  const { connection: second, closed: secondClosed } = await connect(t, plugin.socketPath);
  await assert.rejects(
    second.sendRequest(PluginInitialize, { protocolVersion: PLUGIN_PROTOCOL_VERSION, role: 'host' } as never),
    rpcError(RPC_ERROR_CODES.unauthorized),
  );
  await withDeadline(secondClosed, 5_000, 'the plugin to close the connection');
  // The plugin is unharmed.
  await connectHost(t, plugin);
});

test('requests before initialize are answered with notInitialized', async (t) => {
  const plugin = await startPlugin(t);
  const { connection } = await connect(t, plugin.socketPath);
  await assert.rejects(connection.sendRequest(PluginHeartbeat, {}), rpcError(RPC_ERROR_CODES.notInitialized));
  await assert.rejects(connection.sendRequest(PluginCheckRequest, request('/')), rpcError(RPC_ERROR_CODES.notInitialized));
  await assert.rejects(connection.sendRequest('plugin/somethingElse', {}), rpcError(RPC_ERROR_CODES.notInitialized));
  await assert.rejects(
    connection.sendRequest(PluginInitialize, { protocolVersion: 99, secret: plugin.secret, role: 'host', config: { header: 'x' } }),
    rpcError(PLUGIN_RPC_ERROR_CODES.protocolVersion),
  );
  assert.ok((await initialize(connection, plugin.secret, 'host', { header: 'x-team' })).hooks.length > 0);
});

test('an invalid config fails initialize with the readable zod error and the plugin exits non-zero', async (t) => {
  const plugin = await startPlugin(t);
  const { connection } = await connect(t, plugin.socketPath);
  await assert.rejects(initialize(connection, plugin.secret, 'host', { header: 42 }), (error: unknown) => {
    assert.ok(error instanceof ResponseError);
    assert.equal(error.code, PLUGIN_RPC_ERROR_CODES.invalidConfig);
    assert.match(error.message, /invalid config for plugin fixture/);
    assert.match(error.message, /expected string, received number/);
    assert.match(error.message, /at header/);
    const data = error.data as { code: string; issues: { path: string[]; message: string }[] };
    assert.equal(data.code, PLUGIN_SDK_ERROR_CODES.configInvalid);
    assert.deepEqual(data.issues[0]?.path, ['header']);
    return true;
  });
  const { code } = await withDeadline(plugin.exited, 5_000, 'the plugin to exit');
  assert.equal(code, 78);
});

test('checkRequest allows with headers to add and denies with the configured status', async (t) => {
  const plugin = await startPlugin(t);
  const { connection } = await connect(t, plugin.socketPath);
  await initialize(connection, plugin.secret, 'host', { header: 'x-team', denyStatus: 403 });
  assert.deepEqual(await connection.sendRequest(PluginCheckRequest, request('/ok')), { action: 'allow', headersToAdd: { 'x-checks': '1' } });
  assert.deepEqual(await connection.sendRequest(PluginCheckRequest, request('/ok', {})), { action: 'deny', status: 403, body: 'missing header' });
});

test('a hook that throws answers failed with its message and the plugin keeps serving', async (t) => {
  const plugin = await startPlugin(t);
  const connection = await connectHost(t, plugin);
  await assert.rejects(connection.sendRequest(PluginCheckRequest, request('/throw')), (error: unknown) => {
    rpcError(RPC_ERROR_CODES.failed, PLUGIN_SDK_ERROR_CODES.hookFailed)(error);
    assert.match((error as Error).message, /checkRequest hook failed: boom from the hook/);
    return true;
  });
  assert.equal((await connection.sendRequest(PluginCheckRequest, request('/next'))).action, 'allow');
  assert.ok(plugin.logs.some((r) => r['code'] === PLUGIN_SDK_ERROR_CODES.hookFailed && r['level'] === 40), 'the failure is logged at warn');
});

test('call carries a header map and a binary body both ways', async (t) => {
  const plugin = await startPlugin(t);
  const connection = await connectHost(t, plugin);
  const result = await connection.sendRequest(PluginCall, { header: { op: 'upper' }, body: Buffer.from('hello') });
  assert.equal(result.status, 0);
  assert.deepEqual(result.header, { op: 'upper', echoed: 'yes' });
  assert.ok(result.body instanceof Uint8Array);
  assert.equal(Buffer.from(result.body).toString(), 'HELLO');
});

test('heartbeat answers with the uptime', async (t) => {
  const plugin = await startPlugin(t);
  const connection = await connectHost(t, plugin);
  const first = await connection.sendRequest(PluginHeartbeat, {});
  assert.equal(typeof first.uptimeMs, 'number');
  assert.ok(first.uptimeMs > 0);
});

test('shutdown finishes in-flight calls and refuses new ones; exit ends the process with 0; stdout carried one line', async (t) => {
  const plugin = await startPlugin(t);
  const host = await connectHost(t, plugin);
  const { connection: worker } = await connect(t, plugin.socketPath);
  await initialize(worker, plugin.secret, 'worker');
  await worker.sendRequest(PluginCheckRequest, request('/console'));

  const slow = worker.sendRequest(PluginCheckRequest, request('/slow/300'));
  await until(() => plugin.logs.some((r) => r['msg'] === 'slow call started'), 5_000, 'the slow call to be in flight');
  const shutdown = host.sendRequest(PluginShutdown);
  assert.equal((await slow).action, 'allow', 'the in-flight call completed');
  assert.deepEqual(await shutdown, {});
  assert.ok(plugin.logs.some((r) => r['msg'] === 'fixture shutdown ran'), "the author's shutdown ran");
  await assert.rejects(worker.sendRequest(PluginCheckRequest, request('/')), rpcError(RPC_ERROR_CODES.shuttingDown, PLUGIN_SDK_ERROR_CODES.shuttingDown));

  await host.sendNotification(PluginExit);
  const { code } = await withDeadline(plugin.exited, 5_000, 'the plugin to exit');
  assert.equal(code, 0);
  assert.equal(plugin.stdoutLines.length, 1, `stdout: ${JSON.stringify(plugin.stdoutLines)}`);
  assert.match(plugin.stderrText(), /a stray console\.log from the author/);
});

test('SIGTERM shuts the plugin down gracefully and it exits 0', async (t) => {
  const plugin = await startPlugin(t);
  await connectHost(t, plugin);
  plugin.child.kill('SIGTERM');
  const { code } = await withDeadline(plugin.exited, 5_000, 'the plugin to exit');
  assert.equal(code, 0);
  assert.ok(plugin.logs.some((r) => r['msg'] === 'fixture shutdown ran'));
});

test('the plugin exits when the process that launched it is killed', async (t) => {
  const dir = await runtimeDir(t);
  const launcher = spawnPlugin(t, launchEnv(dir, 'watchdog-secret'), LAUNCHER, [FIXTURE, '--plugin']);
  await launcher.handshake;
  const pidLine = launcher.logs.map((r) => r['text']).find((text) => typeof text === 'string' && text.startsWith('plugin-pid '));
  const pluginPid = Number((pidLine as string).slice('plugin-pid '.length));
  t.after(() => {
    try {
      process.kill(pluginPid, 'SIGKILL');
    } catch {
      // already gone, as it should be
    }
  });
  assert.ok(await isRunning(pluginPid));
  launcher.child.kill('SIGKILL');
  await launcher.exited;
  await until(async () => !(await isRunning(pluginPid)), 5_000, `plugin pid ${pluginPid} to exit after its parent died`);
});

test('started by hand (no magic cookie), the plugin exits 1 and says how it is meant to run', async (t) => {
  const env = { ...process.env };
  delete env[PLUGIN_ENV.magicCookie];
  const plugin = spawnPlugin(t, env);
  const { code } = await withDeadline(plugin.exited, 5_000, 'the plugin to exit');
  assert.equal(code, 1);
  assert.match(plugin.stderrText(), /this is a MOSN\.ts plugin; it is started by mosnctl, not by hand/);
  assert.deepEqual(plugin.stdoutLines, []);
});

test('a launch environment without a socket path is refused with exit 1', async (t) => {
  const dir = await runtimeDir(t);
  const env = launchEnv(dir, 's');
  delete env[PLUGIN_ENV.socket];
  const plugin = spawnPlugin(t, env);
  const { code } = await withDeadline(plugin.exited, 5_000, 'the plugin to exit');
  assert.equal(code, 1);
  assert.match(plugin.stderrText(), /expected MOSN_PLUGIN_SOCKET/);
});

test('the test runner can load the fixtures without starting anything', async () => {
  const child = spawn(process.execPath, [FIXTURE], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
  const [code] = await withDeadline(once(child, 'exit'), 5_000, 'the fixture to exit');
  assert.equal(code, 0);
  assert.deepEqual(lines, []);
});
