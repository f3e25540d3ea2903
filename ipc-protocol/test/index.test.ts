import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as api from '../src/index.js';

test('the public surface is exactly the documented list of exports', () => {
  assert.deepEqual(Object.keys(api).sort(), [
    'CancellationTokenSource',
    'ControlPluginList',
    'ControlPluginRestart',
    'ControlReload',
    'ControlReopenLogs',
    'ControlStatus',
    'ControlStop',
    'DEFAULT_MAX_FRAME_BYTES',
    'HostSetLogLevel',
    'IPC_ERROR_CODES',
    'IpcError',
    'IpcMessageReader',
    'IpcMessageWriter',
    'JsonRpcErrorCodes',
    'LOG_LEVELS',
    'MAX_BATCH_CALLS',
    'NotificationType',
    'NotificationType0',
    'PLUGIN_ENV',
    'PLUGIN_HOOKS',
    'PLUGIN_MAGIC_COOKIE',
    'PLUGIN_PROTOCOL_VERSION',
    'PLUGIN_RPC_ERROR_CODES',
    'PROTOCOL_VERSION',
    'ParameterStructures',
    'PluginBatch',
    'PluginCall',
    'PluginCheckRequest',
    'PluginExit',
    'PluginHeartbeat',
    'PluginInitialize',
    'PluginInitialized',
    'PluginLogRecords',
    'PluginLogRecordsAck',
    'PluginMetrics',
    'PluginRateLimit',
    'PluginReopenLogs',
    'PluginShutdown',
    'RATE_LIMIT_UNITS',
    'RPC_ERROR_CODES',
    'RequestType',
    'RequestType0',
    'ResponseError',
    'WIRE_FEATURES',
    'accessLogRecordOf',
    'accessLogRowOf',
    'compactCall',
    'compactRateLimitResult',
    'connectUnix',
    'createIpcConnection',
    'encodeFrame',
    'expandCall',
    'expandRateLimitResult',
    'formatHandshake',
    'listenUnix',
    'pairsOf',
    'parseHandshake',
  ]);
});

test('IPC error codes are frozen, unique and MOSN_ERR_IPC_ prefixed', () => {
  assert.ok(Object.isFrozen(api.IPC_ERROR_CODES));
  const codes = Object.values(api.IPC_ERROR_CODES);
  assert.equal(new Set(codes).size, codes.length);
  for (const code of codes) assert.match(code, /^MOSN_ERR_IPC_[A-Z_]+$/);
});

test('an IpcError carries its code and cause', () => {
  const cause = new Error('ECONNREFUSED');
  const error = new api.IpcError(api.IPC_ERROR_CODES.connect, 'expected a listening server, found ECONNREFUSED', { cause });
  assert.ok(error instanceof Error);
  assert.equal(error.name, 'IpcError');
  assert.equal(error.code, 'MOSN_ERR_IPC_CONNECT');
  assert.equal(error.cause, cause);
});

test('RPC application error codes are integers outside JSON-RPC’s reserved −32768…−32000', () => {
  assert.ok(Object.isFrozen(api.RPC_ERROR_CODES));
  const codes = Object.values(api.RPC_ERROR_CODES);
  assert.equal(new Set(codes).size, codes.length);
  for (const code of codes) {
    assert.ok(Number.isInteger(code));
    assert.ok(code < -32768 || code > -32000, `${code} is in the reserved range`);
  }
});

test('control methods are namespaced and take their params by name', () => {
  assert.equal(api.ControlStatus.method, 'control/status');
  assert.equal(api.ControlStatus.numberOfParams, 0);
  assert.equal(api.ControlStop.method, 'control/stop');
  assert.equal(api.ControlStop.parameterStructures, api.ParameterStructures.byName);
});
