import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  PLUGIN_ENV,
  PLUGIN_HOOKS,
  PLUGIN_MAGIC_COOKIE,
  PLUGIN_PROTOCOL_VERSION,
  PLUGIN_RPC_ERROR_CODES,
  ParameterStructures,
  PluginCall,
  PluginCheckRequest,
  PluginExit,
  PluginHeartbeat,
  PluginInitialize,
  PluginInitialized,
  PluginLogRecords,
  PluginRateLimit,
  PluginReopenLogs,
  PluginShutdown,
  RPC_ERROR_CODES,
  ResponseError,
} from '../src/index.js';
import type { PluginErrorData } from '../src/index.js';
import { connectClient, startServer, tempDir } from './helpers/ipc.js';

test('each plugin method is declared once under the plugin/ namespace', () => {
  const methods = [
    PluginInitialize,
    PluginInitialized,
    PluginHeartbeat,
    PluginCheckRequest,
    PluginCall,
    PluginRateLimit,
    PluginLogRecords,
    PluginReopenLogs,
    PluginShutdown,
    PluginExit,
  ].map((m) => m.method);
  assert.deepEqual(methods, [
    'plugin/initialize',
    'plugin/initialized',
    'plugin/heartbeat',
    'plugin/checkRequest',
    'plugin/call',
    'plugin/rateLimit',
    'plugin/logRecords',
    'plugin/reopenLogs',
    'plugin/shutdown',
    'plugin/exit',
  ]);
  for (const type of [PluginInitialize, PluginHeartbeat, PluginCheckRequest, PluginCall, PluginRateLimit, PluginLogRecords]) {
    assert.equal(type.parameterStructures, ParameterStructures.byName, type.method);
  }
});

test('the launch constants are what the supervisor and the SDK agree on', () => {
  assert.equal(PLUGIN_MAGIC_COOKIE, 'mosn-plugin-7b1f');
  assert.equal(PLUGIN_PROTOCOL_VERSION, 1);
  assert.ok(Object.isFrozen(PLUGIN_ENV));
  assert.deepEqual(PLUGIN_ENV, {
    magicCookie: 'MOSN_PLUGIN_MAGIC_COOKIE',
    protocolVersions: 'MOSN_PLUGIN_PROTOCOL_VERSIONS',
    socket: 'MOSN_PLUGIN_SOCKET',
    secret: 'MOSN_PLUGIN_SECRET',
    name: 'MOSN_PLUGIN_NAME',
    logLevel: 'MOSN_PLUGIN_LOG_LEVEL',
    adminAddress: 'MOSN_ADMIN_ADDRESS',
  });
  assert.deepEqual([...PLUGIN_HOOKS], ['checkRequest', 'call', 'rateLimit', 'logRecords', 'logLines', 'logBytes', 'reopenLogs', 'metrics']);
});

test('plugin RPC error codes are application codes distinct from the generic ones', () => {
  assert.ok(Object.isFrozen(PLUGIN_RPC_ERROR_CODES));
  const generic = new Set<number>(Object.values(RPC_ERROR_CODES));
  const codes = Object.values(PLUGIN_RPC_ERROR_CODES);
  assert.equal(new Set(codes).size, codes.length);
  for (const code of codes) {
    assert.ok(code >= -31999 && code <= -31000, `${code} outside −31999…−31000`);
    assert.ok(!generic.has(code), `${code} collides with RPC_ERROR_CODES`);
  }
});

test('checkRequest and call round-trip over a socket, binary bodies included', async (t) => {
  const path = join(await tempDir(t), 'plugin.sock');
  await startServer(t, path, (connection) => {
    connection.onRequest(PluginCheckRequest, (params) =>
      params.headers['authorization'] === undefined
        ? { action: 'deny', status: 401, headers: { 'www-authenticate': 'Bearer realm="test"' } }
        : { action: 'allow', headersToAdd: { 'x-user-id': 'u1', 'x-vhost': params.route?.virtualHost ?? '' } },
    );
    connection.onRequest(PluginCall, (params) => ({ status: 7, header: params.header, body: Uint8Array.from(params.body).reverse() }));
    connection.onRequest(PluginHeartbeat, () => {
      throw new ResponseError<PluginErrorData>(PLUGIN_RPC_ERROR_CODES.hookNotProvided, 'no', { code: 'MOSN_ERR_PLUGIN_HOOK_NOT_PROVIDED' });
    });
  });
  const { connection } = await connectClient(t, path);
  const base = { method: 'GET', path: '/', authority: 'a.test', remoteAddress: '10.0.0.1' };
  assert.deepEqual(await connection.sendRequest(PluginCheckRequest, { ...base, headers: {} }), {
    action: 'deny',
    status: 401,
    headers: { 'www-authenticate': 'Bearer realm="test"' },
  });
  assert.deepEqual(
    await connection.sendRequest(PluginCheckRequest, { ...base, headers: { authorization: 'Bearer x' }, route: { virtualHost: 'vh', cluster: 'c' } }),
    { action: 'allow', headersToAdd: { 'x-user-id': 'u1', 'x-vhost': 'vh' } },
  );
  const called = await connection.sendRequest(PluginCall, { header: { k: 'v' }, body: Uint8Array.from([1, 2, 3]) });
  assert.equal(called.status, 7);
  assert.deepEqual(called.header, { k: 'v' });
  assert.ok(called.body instanceof Uint8Array);
  assert.deepEqual([...called.body], [3, 2, 1]);
  await assert.rejects(connection.sendRequest(PluginHeartbeat, {}), (error: unknown) => {
    assert.ok(error instanceof ResponseError);
    assert.equal(error.code, PLUGIN_RPC_ERROR_CODES.hookNotProvided);
    assert.deepEqual(error.data, { code: 'MOSN_ERR_PLUGIN_HOOK_NOT_PROVIDED' });
    return true;
  });
});
